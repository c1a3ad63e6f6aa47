package output

import (
	"bufio"
	"fmt"
	"io"
	"sort"

	"github.com/openrpki/validator/pkg/payload"
)

// writer is one output format.
type writer func(w *bufio.Writer, t *payload.Table) error

var formats = map[string]struct {
	write       writer
	contentType string
}{
	"json":     {writeJSON, "application/json"},
	"csv":      {writeCSV, "text/csv; charset=utf-8"},
	"openbgpd": {writeOpenBGPD, "text/plain; charset=utf-8"},
	"bird":     {writeBIRD, "text/plain; charset=utf-8"},
}

// Formats lists the format names.
func Formats() []string {
	var names []string
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ContentType returns the HTTP content type of a format.
func ContentType(format string) string { return formats[format].contentType }

// Write writes t, the (SLURM-applied) payload of a run with its
// provenance, in the named format.
func Write(w io.Writer, format string, t *payload.Table) error {
	f, ok := formats[format]
	if !ok {
		return fmt.Errorf("output: unknown format %q (have %v)", format, Formats())
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	if err := f.write(bw, t); err != nil {
		return err
	}
	return bw.Flush()
}

// writeJSON writes rpki-client's JSON layout, with the one JSON codec of
// pkg/payload (the daemon's warm start reads the same).
func writeJSON(w *bufio.Writer, t *payload.Table) error { return payload.WriteTable(w, t) }
