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

// InspectFile reads the named file and inspects it. A file whose type is
// unknown is rejected without being read; one that cannot be read is
// reported as rejected, with the reason.
func InspectFile(name string, opts Options) *Report {
	if typ := typeOf(name, opts); typ != "tal" && objectType(typ) == x509rpki.TypeUnknown {
		r := &Report{File: name}
		reject(r, unknownType(typ), "unsupported")
		return r
	}
	data, err := ReadFile(name)
	if err != nil {
		r := &Report{File: name}
		reject(r, err, "io")
		return r
	}
	return Inspect(name, data, opts)
}
