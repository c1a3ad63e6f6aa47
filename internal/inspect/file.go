package inspect

import (
	"fmt"
	"io"
	"os"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// ReadFile reads a file of at most MaxFileSize bytes. A bigger file is an
// error, found without reading it whole (rpki-client MAX_FILE_SIZE).
func ReadFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxFileSize)
	}
	return data, nil
}

// InspectFile reads the named file and inspects it. A file that is missing
// or cannot be read is rejected with the OS error (class "io"); one whose
// type is unknown is rejected without being read (class "unsupported").
func InspectFile(name string, opts Options) *Report {
	if fi, err := os.Stat(name); err != nil {
		return Unreadable(name, err)
	} else if fi.IsDir() {
		return Unreadable(name, fmt.Errorf("%s: is a directory, want an RPKI object file", name))
	}
	if typ := typeOf(name, opts); !Known(typ) {
		r := &Report{File: name}
		reject(r, unknownType(typ), "unsupported")
		return r
	}
	data, err := ReadFile(name)
	if err != nil {
		return Unreadable(name, err)
	}
	return Inspect(name, data, opts)
}

// Unreadable is the report of a file or folder that could not be read:
// rejected, class "io", with the OS error.
func Unreadable(name string, err error) *Report {
	r := &Report{File: name}
	reject(r, err, "io")
	return r
}

// Known reports whether typ (an extension without its dot, as TypeOf
// returns) is a type Inspect reads.
func Known(typ string) bool {
	return typ == "tal" || objectType(typ) != x509rpki.TypeUnknown
}
