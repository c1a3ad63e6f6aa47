package corpus

// Kinds of difference.
const (
	// KindExpected: our verdict differs from EXPECTED.tsv.
	KindExpected = "expected"
	// KindRPKIClient: our verdict differs from rpki-client 8.2's.
	KindRPKIClient = "rpki-client"
	// KindFields: we both parse the object, but a field rpki-client's
	// summary prints differs.
	KindFields = "fields"
)

// Key names one difference: a corpus file and what it differs from.
type Key struct {
	File string
	Kind string
}
