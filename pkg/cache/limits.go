package cache

// Limits enforced where data enters the store.
const (
	// MaxObjectSize bounds one stored object (rpki-client MAX_FILE_SIZE).
	MaxObjectSize = 8_000_000
	// MaxPackSize bounds one publication point's pack when it is read.
	MaxPackSize = 1 << 30
	// MaxPackEntries bounds the files of one publication point.
	MaxPackEntries = 1_000_000
	// MaxIndexSize bounds a repository index file when it is read.
	MaxIndexSize = 256 << 20
	// MaxURILength bounds a stored URI (rpki-client MAX_URI_LENGTH).
	MaxURILength = 2048
	// MaxStateSize bounds the fetch state saved with a repository.
	MaxStateSize = 1 << 20
)
