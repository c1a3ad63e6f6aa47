package tal

// Limits checked where TAL data enters. A TAL is a few hundred bytes in
// practice; these bounds only stop hostile or corrupt input early.
const (
	// MaxFileSize bounds a TAL file. rpki-client reads TALs with its
	// general MAX_FILE_SIZE; a TAL of more than 64 KiB is not a TAL.
	MaxFileSize = 64 << 10
	// MaxURIs bounds the URIs listed in one TAL (RFC 8630 §2.2 sets no
	// bound; real TALs list one or two).
	MaxURIs = 32
	// MaxURILength bounds one URI (rpki-client MAX_URI_LENGTH).
	MaxURILength = 2048
	// MaxSPKISize bounds the decoded SubjectPublicKeyInfo. An RSA-4096
	// SPKI is 550 bytes.
	MaxSPKISize = 4096
	// MaxCommentLines bounds the comment block at the top of a TAL.
	MaxCommentLines = 1024
)
