package payload

import (
	"bufio"
	"encoding/base64"
	"io"
	"iter"
	"os"
	"strconv"
	"time"
	"unicode/utf8"
)

// The writer below produces rpki-client 8.2's JSON (`rpki-client -j`,
// output-json.c) byte for byte: tab indentation, one record per line,
// AS numbers as numbers, upper-case SKIs, ASPAs as the per-AFI
// "provider_authorizations" of that version (an AFI-less record is listed
// under both). WriteTable uses it for the table the daemon persists, and
// pkg/output for its "rpki-client" format.

// JSONMeta is the "metadata" block of rpki-client's JSON. The counters are
// rpki-client's; a writer that lacks one leaves it zero.
type JSONMeta struct {
	BuildMachine string
	BuildTime    time.Time
	// ElapsedTime, UserTime and SystemTime are whole seconds.
	ElapsedTime, UserTime, SystemTime int64

	ROAs, FailedROAs, InvalidROAs    int
	ASPAs, FailedASPAs, InvalidASPAs int
	BGPsecPubkeys                    int
	Certificates, InvalidCerts       int
	TAKs, TALs, InvalidTALs          int
	TALFiles                         []string
	Manifests, FailedManifests       int
	StaleManifests, CRLs, GBRs       int
	Repositories                     int
	VRPs, UniqueVRPs, VAPs           int
	UniqueVAPs                       int
	DelFiles, SuperfluousFiles       int
	DelDirs                          int
}

// JSONSource is the provenance rpki-client writes with a record.
type JSONSource struct {
	TA      string
	Expires Expiry
}

// JSONDoc is one rpki-client JSON document: its metadata and its records,
// each list walked in the order it yields.
type JSONDoc struct {
	Meta  JSONMeta
	VRPs  iter.Seq2[VRP, JSONSource]
	Keys  iter.Seq2[RouterKey, JSONSource]
	ASPAs iter.Seq2[ASPA, JSONSource] // walked twice: "ipv4", then "ipv6"
	// ASPATA adds each ASPA's trust anchor, which rpki-client 8.2 does not
	// write, so that a persisted table reads back whole.
	ASPATA bool
}

// WriteJSONDoc writes d in rpki-client 8.2's JSON layout. A *bufio.Writer
// is written to directly (and flushed).
func WriteJSONDoc(w io.Writer, d JSONDoc) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	b := appendJSONMeta(make([]byte, 0, 4096), &d.Meta)
	b = append(b, "\t\"roas\": [\n"...)
	bw.Write(b)
	list := jsonList{w: bw, indent: "\t\t", first: true}
	for v, src := range seqOrEmpty(d.VRPs) {
		list.add(appendJSONVRP(list.start(), v, src))
	}
	bw.WriteString("\n\t],\n\n\t\"bgpsec_keys\": [\n")
	list.first = true
	for k, src := range seqOrEmpty(d.Keys) {
		list.add(appendJSONKey(list.start(), k, src))
	}
	bw.WriteString("\n\t],\n\n\t\"provider_authorizations\": {\n")
	for _, afi := range []string{"ipv4", "ipv6"} {
		bw.WriteString("\t\t\"" + afi + "\": [\n")
		list.first, list.indent = true, "\t\t\t"
		for a, src := range seqOrEmpty(d.ASPAs) {
			list.add(appendJSONASPA(list.start(), a, src, d.ASPATA))
		}
		if afi == "ipv4" {
			bw.WriteString("\n\t\t],\n")
		}
	}
	bw.WriteString("\n\t\t]\n\t}\n\n}\n")
	return bw.Flush()
}

func seqOrEmpty[K, V any](s iter.Seq2[K, V]) iter.Seq2[K, V] {
	if s == nil {
		return func(func(K, V) bool) {}
	}
	return s
}

// jsonList writes the records of one list: ",\n" between them.
type jsonList struct {
	w      *bufio.Writer
	b      []byte
	indent string
	first  bool
}

// start returns the buffer to append the next record to.
func (l *jsonList) start() []byte {
	l.b = l.b[:0]
	if !l.first {
		l.b = append(l.b, ",\n"...)
	}
	l.first = false
	return append(l.b, l.indent...)
}

func (l *jsonList) add(b []byte) { l.b = b; l.w.Write(b) }

// appendJSONMeta writes the document's start and its metadata block.
func appendJSONMeta(b []byte, m *JSONMeta) []byte {
	b = append(b, "{\n\t\"metadata\": {\n\t\t\"buildmachine\": "...)
	b = AppendJSONString(b, m.BuildMachine)
	b = append(b, ",\n\t\t\"buildtime\": \""...)
	b = m.BuildTime.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, "\",\n"...)
	for _, f := range []struct {
		name string
		n    int64
	}{{"elapsedtime", m.ElapsedTime}, {"usertime", m.UserTime}, {"systemtime", m.SystemTime}} {
		b = append(b, "\t\t\""+f.name+"\": \""...)
		b = strconv.AppendInt(b, f.n, 10)
		b = append(b, "\",\n"...)
	}
	b = appendCounters(b, []string{"roas", "failedroas", "invalidroas", "aspas", "failedaspas", "invalidaspas",
		"bgpsec_pubkeys", "certificates", "invalidcertificates", "taks", "tals", "invalidtals"},
		m.ROAs, m.FailedROAs, m.InvalidROAs, m.ASPAs, m.FailedASPAs, m.InvalidASPAs,
		m.BGPsecPubkeys, m.Certificates, m.InvalidCerts, m.TAKs, m.TALs, m.InvalidTALs)
	b = append(b, "\t\t\"talfiles\": [\n"...)
	for i, f := range m.TALFiles {
		b = AppendJSONString(append(b, "\t\t\t"...), f)
		if i < len(m.TALFiles)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
	}
	b = append(b, "\t\t],\n"...)
	b = appendCounters(b, []string{"manifests", "failedmanifests", "stalemanifests", "crls", "gbrs",
		"repositories", "vrps", "uniquevrps", "vaps", "uniquevaps", "cachedir_del_files",
		"cachedir_superfluous_files", "cachedir_del_dirs"},
		m.Manifests, m.FailedManifests, m.StaleManifests, m.CRLs, m.GBRs, m.Repositories,
		m.VRPs, m.UniqueVRPs, m.VAPs, m.UniqueVAPs, m.DelFiles, m.SuperfluousFiles, m.DelDirs)
	b = b[:len(b)-2] // the last counter has no comma
	return append(b, "\n\t},\n\n"...)
}

// appendCounters writes `\t\t"name": n,` lines.
func appendCounters(b []byte, names []string, values ...int) []byte {
	for i, name := range names {
		b = append(b, "\t\t\""+name+"\": "...)
		b = strconv.AppendInt(b, int64(values[i]), 10)
		b = append(b, ",\n"...)
	}
	return b
}

func appendJSONVRP(b []byte, v VRP, src JSONSource) []byte {
	b = append(b, `{ "asn": `...)
	b = strconv.AppendUint(b, uint64(v.ASN), 10)
	b = append(b, `, "prefix": "`...)
	b = v.Prefix().AppendTo(b)
	b = append(b, `", "maxLength": `...)
	b = strconv.AppendUint(b, uint64(v.MaxLen), 10)
	return appendJSONSource(b, src, true)
}

func appendJSONKey(b []byte, k RouterKey, src JSONSource) []byte {
	b = append(b, `{ "asn": `...)
	b = strconv.AppendUint(b, uint64(k.ASN), 10)
	b = append(b, `, "ski": "`...)
	b = AppendHexUpper(b, k.SKI[:])
	b = append(b, `", "pubkey": "`...)
	b = base64.StdEncoding.AppendEncode(b, k.SPKI)
	b = append(b, '"')
	return appendJSONSource(b, src, true)
}

func appendJSONASPA(b []byte, a ASPA, src JSONSource, withTA bool) []byte {
	b = append(b, `{ "customer_asid": `...)
	b = strconv.AppendUint(b, uint64(a.Customer), 10)
	b = append(b, `, "providers": [`...)
	for i, p := range a.Providers {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendUint(b, uint64(p), 10)
	}
	b = append(b, ']')
	return appendJSONSource(b, src, withTA)
}

// appendJSONSource ends a record with its trust anchor and expiry.
func appendJSONSource(b []byte, src JSONSource, withTA bool) []byte {
	if withTA {
		b = AppendJSONString(append(b, `, "ta": `...), src.TA)
	}
	b = append(b, `, "expires": `...)
	b = strconv.AppendUint(b, uint64(src.Expires), 10)
	return append(b, " }"...)
}

// AppendHexUpper appends src in upper-case hex, as rpki-client and
// Routinator write SKIs.
func AppendHexUpper(b, src []byte) []byte {
	const digits = "0123456789ABCDEF"
	for _, c := range src {
		b = append(b, digits[c>>4], digits[c&0xf])
	}
	return b
}

// AppendJSONString appends s as a JSON string (RFC 8259 §7): quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced.
// Names from TAL files and URIs come out as they are.
func AppendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		case c < utf8.RuneSelf:
			b = append(b, c)
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		i++
	}
	return append(b, '"')
}

// WriteJSON writes snap in rpki-client JSON form, without provenance (see
// WriteTable). The output is read back by ReadJSON into an equal snapshot.
func WriteJSON(w io.Writer, snap *Snapshot, buildTime time.Time) error {
	return WriteTable(w, TableOf(snap, buildTime))
}

// TableOf makes a table of a snapshot, without provenance.
func TableOf(snap *Snapshot, buildTime time.Time) *Table {
	t := &Table{BuildTime: buildTime, TAs: NewTANames(), VRPs: make([]VRPInfo, len(snap.VRPs)),
		ASPAs: make([]ASPAInfo, len(snap.ASPAs)), RouterKeys: make([]KeyInfo, len(snap.RouterKeys))}
	for i, v := range snap.VRPs {
		t.VRPs[i].VRP = v
	}
	for i, a := range snap.ASPAs {
		t.ASPAs[i].ASPA = a
	}
	for i, k := range snap.RouterKeys {
		t.RouterKeys[i].RouterKey = k
	}
	return t
}

// WriteTable writes t in rpki-client 8.2's JSON layout, every item of the
// table in its order with its trust anchor and expiry (ASPAs too), so
// that ReadTable reads back an equal table. The metadata holds the build
// time, this host's name and the record counts.
func WriteTable(w io.Writer, t *Table) error {
	host, _ := os.Hostname()
	return WriteJSONDoc(w, JSONDoc{
		Meta: JSONMeta{BuildMachine: host, BuildTime: t.BuildTime, VRPs: len(t.VRPs), UniqueVRPs: len(t.VRPs),
			VAPs: len(t.ASPAs), UniqueVAPs: len(t.ASPAs), BGPsecPubkeys: len(t.RouterKeys)},
		VRPs:   tableSeq(t, t.VRPs, func(v *VRPInfo) (VRP, Info) { return v.VRP, v.Info }),
		Keys:   tableSeq(t, t.RouterKeys, func(k *KeyInfo) (RouterKey, Info) { return k.RouterKey, k.Info }),
		ASPAs:  tableSeq(t, t.ASPAs, func(a *ASPAInfo) (ASPA, Info) { return a.ASPA, a.Info }),
		ASPATA: true,
	})
}

// tableSeq yields the items of one list of t with their sources.
func tableSeq[T, P any](t *Table, items []T, split func(*T) (P, Info)) iter.Seq2[P, JSONSource] {
	return func(yield func(P, JSONSource) bool) {
		for i := range items {
			p, info := split(&items[i])
			if !yield(p, JSONSource{TA: t.TAName(info.TA), Expires: info.Expires}) {
				return
			}
		}
	}
}
