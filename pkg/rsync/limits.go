package rsync

import "time"

// Limits and default timeouts.
const (
	// MaxFileSize bounds one transferred file (--max-size; rpki-client
	// MAX_FILE_SIZE).
	MaxFileSize = 8_000_000
	// MaxFiles bounds the files Walk reports for one module.
	MaxFiles = 2_000_000
	// MaxURILength bounds an rsync URI (rpki-client MAX_URI_LENGTH).
	MaxURILength = 2048
	// MaxStderr bounds the rsync error output kept for the error message.
	MaxStderr = 8 << 10
	// DefaultConnectTimeout is passed as --contimeout.
	DefaultConnectTimeout = 15 * time.Second
	// DefaultIOTimeout is passed as --timeout: rsync exits when no data
	// moves for this long.
	DefaultIOTimeout = 30 * time.Second
	// DefaultTimeout bounds a whole run when the context has no deadline.
	DefaultTimeout = 10 * time.Minute
	// waitDelay is how long Run waits for output pipes after the kill.
	waitDelay = 2 * time.Second
)

// FileTypes are the extensions transferred and walked: the RPKI signed
// objects and certificates rpki-client fetches (its rsync --include list).
var FileTypes = []string{".cer", ".crl", ".mft", ".roa", ".asa", ".gbr", ".tak", ".spl", ".sig"}
