package slurm

import "github.com/openrpki/validator/pkg/payload"

// Limits on data entering the package (STYLE habit 3). SLURM files are
// written by hand or by small tools; real ones are a few kilobytes.
const (
	// MaxFileBytes caps one SLURM file, like rpki-client's MAX_FILE_SIZE.
	MaxFileBytes = 8_000_000

	// MaxFiles caps the number of SLURM files in one Load.
	MaxFiles = 64

	// MaxEntries caps the filters plus assertions of one file.
	MaxEntries = 100_000

	// MaxValues caps the JSON values (objects, arrays, strings, numbers,
	// booleans) of one file, so that the parse tree stays below about
	// 64 MB whatever the input. 100k prefix assertions are 500k values.
	MaxValues = 1_000_000

	// MaxDepth caps JSON nesting. A valid SLURM file nests five levels
	// deep (root, filters object, array, entry, providerAsns).
	MaxDepth = 8

	// MaxMembers caps the members of one JSON object while reading, before
	// the schema is checked. SLURM objects have at most four members; the
	// cap keeps hostile objects with millions of members from costing
	// quadratic time in the duplicate check.
	MaxMembers = 16

	// MaxProviders caps providerAsns of one ASPA assertion, as for
	// validated ASPAs (the RTR v2 ASPA PDU must fit).
	MaxProviders = payload.MaxProviders

	// MaxRouterKeyBytes caps a decoded routerPublicKey.
	MaxRouterKeyBytes = payload.MaxSPKI
)
