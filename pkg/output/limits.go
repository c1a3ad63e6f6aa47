package output

// Limits of the package (STYLE habit 3).
const (
	// MaxSelectors bounds the select-asn and select-prefix values of one
	// filter: each VRP is checked against every prefix, so 100 prefixes
	// cost about 60 million checks over a 600k-VRP table.
	MaxSelectors = 100
	// bufferSize is the write buffer of one output: large enough that a
	// 50 MB document costs few writes, small enough to keep per request.
	bufferSize = 64 << 10
)
