package output

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"sync"

	"github.com/openrpki/validator/pkg/payload"
)

// Content types, as Routinator sends them (src/http/response.rs).
const (
	typeCSV  = "text/csv;charset=utf-8;header=present"
	typeJSON = "application/json"
	typeText = "text/plain;charset=utf-8"
)

// format is one output format.
type format struct {
	write       func(w *writer, d *doc)
	contentType string
	// meta is set when the format prints Meta (or the build time in a
	// way that changes per run), so that a cached copy must be keyed by
	// the run too.
	meta bool
	// sources is set when the format prints the table's Sources (object
	// URIs, validity, counts of objects).
	sources bool
}

var formats = map[string]format{
	"csv":                  {writeCSV, typeCSV, false, false},
	"csvcompat":            {writeCSVCompat, typeCSV, false, false},
	"csvext":               {writeCSVExt, typeCSV, false, true},
	"json":                 {writeJSON, typeJSON, false, false},
	"jsonext":              {writeJSONExt, typeJSON, false, true},
	"slurm":                {writeSLURM1, typeJSON, false, false},
	"slurm2":               {writeSLURM2, typeJSON, false, false},
	"openbgpd":             {writeOpenBGPD, typeText, false, false},
	"bird1":                {writeBIRD1, typeText, false, false},
	"bird2":                {writeBIRD2, typeText, false, false},
	"rpsl":                 {writeRPSL, typeText, false, false},
	"summary":              {writeSummary, typeText, true, true},
	"none":                 {func(*writer, *doc) {}, typeText, false, false},
	"rpki-client":          {writeRCJSON, typeJSON, true, false},
	"rpki-client-csv":      {writeRCCSV, typeCSV, false, false},
	"rpki-client-openbgpd": {writeRCOpenBGPD, typeText, true, false},
	"rpki-client-bird":     {writeRCBIRD, typeText, true, false},
	"rpki-client-bird1v4":  {writeRCBIRD1v4, typeText, true, false},
	"rpki-client-bird1v6":  {writeRCBIRD1v6, typeText, true, false},
}

// Formats lists the format names.
func Formats() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ContentType returns the HTTP content type of a format, "" for an
// unknown one.
func ContentType(name string) string { return formats[name].contentType }

// UsesSources reports whether a format prints the table's Sources: a
// caller that writes only other formats may validate without them.
func UsesSources(name string) bool { return formats[name].sources }

// UsesMeta reports whether a format prints Options.Meta, so that its bytes
// change with the run's report and not only with the table.
func UsesMeta(name string) bool { return formats[name].meta }

// Options say what to write besides the table.
type Options struct {
	// Filter selects the payload written; nil writes all of it.
	Filter *Filter
	// Meta describes the run that produced the table, for the formats
	// that print it; the zero value prints zeros.
	Meta Meta

	// duplicates writes table items with the same payload one by one, as
	// Routinator's goldens list them (tests only).
	duplicates bool
}

// Write writes t, the (SLURM-applied) payload of a run with its
// provenance, in the named format.
func Write(w io.Writer, name string, t *payload.Table) error {
	return WriteWith(w, name, t, Options{})
}

// WriteWith writes t in the named format with the given options. The
// output is streamed: memory stays at one write buffer whatever the size
// of the table.
func WriteWith(w io.Writer, name string, t *payload.Table, o Options) error {
	f, ok := formats[name]
	if !ok {
		return fmt.Errorf("output: unknown format %q (have %v)", name, Formats())
	}
	bw := bufPool.Get().(*bufio.Writer)
	bw.Reset(w)
	defer func() { bw.Reset(nil); bufPool.Put(bw) }()
	wr := &writer{Writer: bw}
	f.write(wr, &doc{t: t, f: o.Filter, meta: &o.Meta, duplicates: o.duplicates})
	return bw.Flush()
}

// bufPool keeps write buffers between outputs (the HTTP API writes one
// per request).
var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufferSize) }}

// writer is the buffered output with a scratch buffer for one record.
// bufio.Writer keeps the first error and drops later writes, so the
// formats check nothing and WriteWith returns it from Flush.
type writer struct {
	*bufio.Writer
	b []byte
}

// line writes the scratch buffer b (built from w.b[:0]) and keeps it.
func (w *writer) line(b []byte) {
	w.b = b
	w.Write(b)
}

// doc is one output being written: the table, what selects its items and
// what describes its run.
type doc struct {
	t          *payload.Table
	f          *Filter
	meta       *Meta
	duplicates bool
}
