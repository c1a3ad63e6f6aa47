package httpapi

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/state"
)

// serveFormat serves the published table in an output format, with
// Routinator's query filters (output.ParseFilter: an unknown parameter is
// a 400 that names it). The document is streamed (stream.go); its ETag is
// derived from what determines its bytes, so If-None-Match costs no
// rendering, and HEAD renders nothing.
func (a *api) serveFormat(w http.ResponseWriter, r *http.Request, name string) {
	filter, err := output.ParseFilter(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, v := a.current(w)
	if v == nil {
		return
	}
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	modified := st.Changed
	if output.UsesMeta(name) && st.Report != nil && st.Report.End.After(modified) {
		modified = st.Report.End
	}
	h := w.Header()
	h.Set("Content-Type", output.ContentType(name))
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("ETag", a.etag(st, v, name, filter, gz))
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, h.Get("ETag"), modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	if r.Method == http.MethodHead {
		return
	}
	opts := output.Options{Filter: filter}
	if output.UsesMeta(name) {
		opts.Meta = OutputMeta(st.Report, st.Repositories)
		opts.Meta.TALFiles = a.o.TALFiles
	}
	a.stream(w, r, gz, name, func(out io.Writer) error { return output.WriteWith(out, name, st.Table, opts) })
}

// etag is a strong validator (RFC 9110 §8.8.3) of one document: a hash of
// what its bytes depend on. That is this process (its session), the
// served table (its view's number, build time and serial), the format,
// the filter in canonical form and the encoding; for the formats that
// print the run's report, the report too.
func (a *api) etag(st *state.State, v *View, name string, f *output.Filter, gz bool) string {
	h := sha256.New()
	var n [8]byte
	for _, x := range []uint64{a.session, v.gen, uint64(st.Table.BuildTime.UnixNano()), uint64(st.Serial())} {
		binary.BigEndian.PutUint64(n[:], x)
		h.Write(n[:])
	}
	if output.UsesMeta(name) && st.Report != nil {
		for _, t := range []time.Time{st.Report.Start, st.Report.End} {
			binary.BigEndian.PutUint64(n[:], uint64(t.UnixNano()))
			h.Write(n[:])
		}
	}
	io.WriteString(h, name+"\x00"+f.String())
	tag := hex.EncodeToString(h.Sum(nil)[:12])
	if gz {
		tag += "-gz" // another representation, another tag
	}
	return `"` + tag + `"`
}
