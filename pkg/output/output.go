package output

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/openrpki/validator/pkg/validate"
)

// Table is what the formats print: the (SLURM-applied) payload of a run
// with its provenance, and when it was built.
type Table struct {
	BuildTime  time.Time
	VRPs       []validate.VRP
	ASPAs      []validate.ASPA
	RouterKeys []validate.RouterKey
}

// FromResult makes a table of a validation result.
func FromResult(r *validate.Result) *Table {
	return &Table{BuildTime: r.End, VRPs: r.VRPs, ASPAs: r.ASPAs, RouterKeys: r.RouterKeys}
}

// writer is one output format.
type writer func(w *bufio.Writer, t *Table) error

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

// Write writes t in the named format.
func Write(w io.Writer, format string, t *Table) error {
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
