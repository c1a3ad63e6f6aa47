package output

import (
	"encoding/base64"
	"iter"
	"strconv"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// Routinator's CSV and JSON formats (src/output.rs: Csv, CompatCsv,
// ExtendedCsv, Json, ExtendedJson). The JSON ones are written line by
// line as Routinator's formatters write them, not through encoding/json.

// origins yields the selected VRPs in Routinator's order, each with the
// items (one per trust anchor) that carry it.
func (d *doc) origins() iter.Seq[[]payload.VRPInfo] {
	return func(yield func([]payload.VRPInfo) bool) {
		for g := range RoutinatorOrder(d.t.VRPs, func(v *payload.VRPInfo) payload.VRP { return v.VRP }) {
			if d.f.VRP(g[0].VRP) && !yieldGroup(g, d.duplicates, yield) {
				return
			}
		}
	}
}

// keys yields the selected router keys, one group per distinct key.
func (d *doc) keys() iter.Seq[[]payload.KeyInfo] {
	return groups(d.t.RouterKeys, d.duplicates,
		func(a, b *payload.KeyInfo) bool { return payload.CompareRouterKey(a.RouterKey, b.RouterKey) == 0 },
		func(k *payload.KeyInfo) bool { return d.f.RouterKey(&k.RouterKey) })
}

// aspas yields the selected ASPA records, one group per distinct record.
func (d *doc) aspas() iter.Seq[[]payload.ASPAInfo] {
	return groups(d.t.ASPAs, d.duplicates,
		func(a, b *payload.ASPAInfo) bool { return payload.CompareASPA(a.ASPA, b.ASPA) == 0 },
		func(a *payload.ASPAInfo) bool { return d.f.ASPA(&a.ASPA) })
}

// groups yields the runs of equal items of a sorted list that keep selects.
func groups[T any](items []T, duplicates bool, same func(a, b *T) bool, keep func(*T) bool) iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		for i := 0; i < len(items); {
			j := i + 1
			for j < len(items) && same(&items[i], &items[j]) {
				j++
			}
			if keep(&items[i]) && !yieldGroup(items[i:j], duplicates, yield) {
				return
			}
			i = j
		}
	}
}

// yieldGroup yields g, or each of its items alone with duplicates.
func yieldGroup[T any](g []T, duplicates bool, yield func([]T) bool) bool {
	if !duplicates {
		return yield(g)
	}
	for i := range g {
		if !yield(g[i : i+1]) {
			return false
		}
	}
	return true
}

// local reports whether an item is a local exception (SLURM assertion),
// which Routinator prints without trust anchor ("N/A") or source.
func (d *doc) local(i payload.Info) bool {
	return i.Object == 0 && i.Expires == 0 && d.t.TAName(i.TA) == payload.LocalTA
}

// taName is the trust anchor Routinator prints for an item ("N/A" when it
// has none).
func (d *doc) taName(i payload.Info) string {
	if name := d.t.TAName(i.TA); name != "" && !d.local(i) {
		return name
	}
	return "N/A"
}

// buildTime is when the table was made (Routinator's "generated").
func (d *doc) buildTime() time.Time {
	if d.t.BuildTime.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return d.t.BuildTime.UTC()
}

// appendISO writes Routinator's format_iso_date (src/utils/date.rs).
func appendISO(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
}

func appendAS(b []byte, asn uint32) []byte {
	return strconv.AppendUint(append(b, "AS"...), uint64(asn), 10)
}

func appendUint(b []byte, n uint8) []byte { return strconv.AppendUint(b, uint64(n), 10) }

// appendPrefix writes the VRP's prefix and maxLength separated by sep.
func appendPrefix(b []byte, v payload.VRP, sep string) []byte {
	b = v.Prefix().AppendTo(b)
	return appendUint(append(b, sep...), v.MaxLen)
}

func writeCSV(w *writer, d *doc) {
	w.WriteString("ASN,IP Prefix,Max Length,Trust Anchor\n")
	for g := range d.origins() {
		b := appendAS(w.b[:0], g[0].ASN)
		b = appendPrefix(append(b, ','), g[0].VRP, ",")
		b = append(append(b, ','), d.taName(g[0].Info)...)
		w.line(append(b, '\n'))
	}
}

func writeCSVCompat(w *writer, d *doc) {
	w.WriteString("\"ASN\",\"IP Prefix\",\"Max Length\",\"Trust Anchor\"\n")
	for g := range d.origins() {
		b := appendAS(append(w.b[:0], '"'), g[0].ASN)
		b = appendPrefix(append(b, `","`...), g[0].VRP, `","`)
		b = append(append(b, `","`...), d.taName(g[0].Info)...)
		w.line(append(b, "\"\n"...))
	}
}

func writeCSVExt(w *writer, d *doc) {
	w.WriteString("URI,ASN,IP Prefix,Max Length,Not Before,Not After\n")
	const layout = "2006-01-02 15:04:05"
	for g := range d.origins() {
		o, ok := d.object(g[0].Info)
		b := w.b[:0]
		if ok {
			b = append(b, d.t.Sources.ObjectURI(o)...)
		} else {
			b = append(b, "N/A"...)
		}
		b = appendAS(append(b, ','), g[0].ASN)
		b = appendPrefix(append(b, ','), g[0].VRP, ",")
		if ok {
			b = o.NotBefore.Time().UTC().AppendFormat(append(b, ','), layout)
			b = o.NotAfter.Time().UTC().AppendFormat(append(b, ','), layout)
		} else {
			b = append(b, ",N/A,N/A"...)
		}
		w.line(append(b, '\n'))
	}
}

// object returns the signed object an item came from, if known.
func (d *doc) object(i payload.Info) (payload.ObjectSource, bool) {
	return d.t.Sources.Object(i)
}

func writeJSON(w *writer, d *doc)    { writeRoutinatorJSON(w, d, false) }
func writeJSONExt(w *writer, d *doc) { writeRoutinatorJSON(w, d, true) }

// writeRoutinatorJSON writes json, or jsonext with each item's sources in
// place of its trust anchor.
func writeRoutinatorJSON(w *writer, d *doc, ext bool) {
	b := append(w.b[:0], "{\n  \"metadata\": {\n    \"generated\": "...)
	b = strconv.AppendInt(b, d.buildTime().Unix(), 10)
	b = appendISO(append(b, ",\n    \"generatedTime\": \""...), d.buildTime())
	w.line(append(b, "\"\n  }"...))
	if d.f.vrps() {
		w.WriteString(",\n  \"roas\": [\n")
		list := jsonItems(w)
		for g := range d.origins() {
			b := appendAS(append(list.next(), `    { "asn": "`...), g[0].ASN)
			b = append(b, `", "prefix": "`...)
			b = appendPrefix(b, g[0].VRP, `", "maxLength": `)
			w.line(appendTail(d, b, ext, "roa", g, vrpInfo))
		}
		w.WriteString("\n  ]")
	}
	if d.f.keys() {
		w.WriteString(",\n  \"routerKeys\": [\n")
		list := jsonItems(w)
		for g := range d.keys() {
			b := appendAS(append(list.next(), `    { "asn": "`...), g[0].ASN)
			b = payload.AppendHexUpper(append(b, `", "SKI": "`...), g[0].SKI[:])
			b = base64.RawURLEncoding.AppendEncode(append(b, `", "routerPublicKey": "`...), g[0].SPKI)
			w.line(appendTail(d, append(b, '"'), ext, "cer", g, keyInfo))
		}
		w.WriteString("\n  ]")
	}
	if d.f.aspas() {
		w.WriteString(",\n  \"aspas\": [\n")
		list := jsonItems(w)
		for g := range d.aspas() {
			b := appendAS(append(list.next(), `    { "customer": "`...), g[0].Customer)
			b = append(b, `", "providers": [`...)
			for i, p := range g[0].Providers {
				if i > 0 {
					b = append(b, ", "...)
				}
				b = append(appendAS(append(b, '"'), p), '"')
			}
			w.line(appendTail(d, append(b, ']'), ext, "aspa", g, aspaInfo))
		}
		w.WriteString("\n  ]")
	}
	w.WriteString("\n}\n")
}

func vrpInfo(v *payload.VRPInfo) payload.Info   { return v.Info }
func keyInfo(k *payload.KeyInfo) payload.Info   { return k.Info }
func aspaInfo(a *payload.ASPAInfo) payload.Info { return a.Info }

// appendTail ends a JSON item of group g: `, "ta": "x" }`, or with ext
// the sources of its items (ExtendedJson::payload_info).
func appendTail[T any](d *doc, b []byte, ext bool, typ string, g []T, info func(*T) payload.Info) []byte {
	if !ext {
		return append(payload.AppendJSONString(append(b, `, "ta": `...), d.taName(info(&g[0]))), " }"...)
	}
	b = append(b, `, "source": [`...)
	for i := range g {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = d.appendSource(b, typ, info(&g[i]))
	}
	return append(b, "] }"...)
}

// appendSource writes one source of a jsonext item: the signed object with
// its validity and its chain's, or a local exception. Routinator's
// "stale" (when the publication point goes stale) is the item's earliest
// expiry on its chain, CRL and manifest updates included; an object not
// known (a table read back from a file) has a null URI and no validity.
func (d *doc) appendSource(b []byte, typ string, i payload.Info) []byte {
	if d.local(i) {
		return append(b, ` { "type": "exception", "path": null }`...)
	}
	b = append(b, ` { "type": "`+typ+`", "uri": `...)
	o, ok := d.object(i)
	if !ok {
		b = append(b, "null"...)
		return append(payload.AppendJSONString(append(b, `, "tal": `...), d.taName(i)), " }"...)
	}
	b = payload.AppendJSONString(b, d.t.Sources.ObjectURI(o))
	b = payload.AppendJSONString(append(b, `, "tal": `...), d.taName(i))
	nb, na := d.t.Sources.ChainValidity(o)
	b = appendValidity(append(b, `, "validity": `...), o.NotBefore, o.NotAfter)
	b = appendValidity(append(b, `, "chainValidity": `...), nb, na)
	b = appendISO(append(b, `, "stale": "`...), i.Expires.Time())
	return append(b, `" }`...)
}

func appendValidity(b []byte, notBefore, notAfter payload.Expiry) []byte {
	b = appendISO(append(b, `{ "notBefore": "`...), notBefore.Time())
	b = appendISO(append(b, `", "notAfter": "`...), notAfter.Time())
	return append(b, `" }`...)
}

// itemList separates the items of a JSON list with ",\n".
type itemList struct {
	w     *writer
	first bool
}

func jsonItems(w *writer) *itemList { return &itemList{w: w, first: true} }

// next returns the scratch buffer for the next item, with its separator.
func (l *itemList) next() []byte {
	b := l.w.b[:0]
	if !l.first {
		b = append(b, ",\n"...)
	}
	l.first = false
	return b
}
