package inspect

import "github.com/openrpki/validator/pkg/x509rpki"

// MaxFileSize is the largest file read by ReadFile. It equals the parser's
// own limit (rpki-client MAX_FILE_SIZE), so that a bigger file is refused
// before it is read into memory.
const MaxFileSize = x509rpki.MaxObjectSize
