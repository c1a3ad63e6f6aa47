package output

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Routinator's router configuration and RPSL formats (src/output.rs:
// Openbgpd, Bird1, Bird2, Rpsl): route origins only.

// writeOpenBGPD writes a bgpd.conf(5) roa-set; maxlen is left out when it
// equals the prefix length.
func writeOpenBGPD(w *writer, d *doc) {
	w.WriteString("roa-set {\n")
	for g := range d.origins() {
		b := g[0].Prefix().AppendTo(append(w.b[:0], "    "...))
		if g[0].MaxLen > g[0].Bits {
			b = appendUint(append(b, " maxlen "...), g[0].MaxLen)
		}
		b = strconv.AppendUint(append(b, " source-as "...), uint64(g[0].ASN), 10)
		w.line(append(b, '\n'))
	}
	w.WriteString("}\n")
}

// writeBIRD1 writes BIRD 1 "roa" lines for a roa table.
func writeBIRD1(w *writer, d *doc) { writeBIRDLines(w, d, "roa ") }

// writeBIRD2 writes BIRD 2 "route" lines for a static protocol feeding a
// roa4 or roa6 table (one family per protocol: select-prefix=0.0.0.0/0
// with include=more-specifics picks IPv4).
func writeBIRD2(w *writer, d *doc) { writeBIRDLines(w, d, "route ") }

func writeBIRDLines(w *writer, d *doc, keyword string) {
	for g := range d.origins() {
		b := appendPrefix(append(w.b[:0], keyword...), g[0].VRP, " max ")
		b = strconv.AppendUint(append(b, " as "...), uint64(g[0].ASN), 10)
		w.line(append(b, ";\n"...))
	}
}

// writeRPSL writes one RPSL route or route6 object per VRP (RFC 2622
// §4.5, RFC 4012 §3). Routinator stamps them with the current time; the
// table's build time is used here, so that the output of one table does
// not change between requests.
func writeRPSL(w *writer, d *doc) {
	stamp := d.buildTime().Format("2006-01-02T15:04:05Z")
	middle := "\ndescr: RPKI attestation\nmnt-by: NA\ncreated: " + stamp + "\nlast-modified: " + stamp + "\nsource: ROA-"
	for g := range d.origins() {
		b := append(w.b[:0], "\nroute"...)
		if g[0].V6 {
			b = append(b, '6')
		}
		b = g[0].Prefix().AppendTo(append(b, ": "...))
		b = appendAS(append(b, "\norigin: "...), g[0].ASN)
		b = append(b, middle...)
		b = appendUpper(b, d.taName(g[0].Info))
		w.line(append(b, "-RPKI-ROOT\n\n"...))
	}
}

// appendUpper appends s in upper case, without allocating when it is
// ASCII (trust anchor names are file names).
func appendUpper(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(b, strings.ToUpper(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// chronoTime formats t as chrono's Display of a UTC time, which
// Routinator's summary prints: "2006-01-02 15:04:05 UTC", with 3, 6 or 9
// fraction digits when the time has a fraction (chrono's %.f).
func chronoTime(t time.Time) string {
	t = t.UTC()
	layout := "2006-01-02 15:04:05"
	switch ns := t.Nanosecond(); {
	case ns == 0:
	case ns%1e6 == 0:
		layout += ".000"
	case ns%1e3 == 0:
		layout += ".000000"
	default:
		layout += ".000000000"
	}
	return t.Format(layout) + " UTC"
}
