package output

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"iter"
	"slices"
	"strconv"

	"github.com/openrpki/validator/pkg/payload"
)

// rpki-client 8.2's formats (output-json.c, output-csv.c, output-bgpd.c,
// output-bird.c), written from what it keeps of each item: one record per
// distinct VRP, router key and ASPA customer, with the latest expiry and
// its trust anchor. Its BGPsec keys expire with their certificate
// (rpki-client 8.2 takes neither the CRL nor the chain into account
// there), which the table's sources give.

// rcVRPs yields the selected VRPs in rpki-client's order.
func (d *doc) rcVRPs() iter.Seq2[payload.VRP, payload.JSONSource] {
	return func(yield func(payload.VRP, payload.JSONSource) bool) {
		for v := range rpkiClientVRPs(d.t.VRPs) {
			if d.f.VRP(v.VRP) && !yield(v.VRP, d.rcSource(v.Info, v.Expires)) {
				return
			}
		}
	}
}

func (d *doc) rcSource(i payload.Info, expires payload.Expiry) payload.JSONSource {
	return payload.JSONSource{TA: d.t.TAName(i.TA), Expires: expires}
}

// rcKey is a router key as rpki-client keeps it.
type rcKey struct {
	key     payload.RouterKey
	pubkey  string // Base 64, its sort key (brkcmp compares the strings)
	src     payload.JSONSource
	expires payload.Expiry
}

// rcKeys returns the selected router keys in rpki-client's order (cert.c,
// brkcmp: AS, SKI, then the Base 64 key), one per key with the latest
// expiry. Router keys are few (hundreds), so they are sorted in a copy.
func (d *doc) rcKeys() []rcKey {
	var keys []rcKey
	for _, k := range d.t.RouterKeys {
		if !d.f.RouterKey(&k.RouterKey) {
			continue
		}
		exp := k.Expires
		if o, ok := d.object(k.Info); ok {
			exp = o.NotAfter
		}
		keys = append(keys, rcKey{key: k.RouterKey, pubkey: base64.StdEncoding.EncodeToString(k.SPKI),
			src: d.rcSource(k.Info, exp), expires: exp})
	}
	slices.SortStableFunc(keys, func(a, b rcKey) int {
		return cmp.Or(cmp.Compare(a.key.ASN, b.key.ASN), slices.Compare(a.key.SKI[:], b.key.SKI[:]),
			cmp.Compare(a.pubkey, b.pubkey), cmp.Compare(b.expires, a.expires))
	})
	return slices.CompactFunc(keys, func(a, b rcKey) bool {
		return a.key.ASN == b.key.ASN && a.key.SKI == b.key.SKI && a.pubkey == b.pubkey
	})
}

// rcASPAs yields one record per selected customer (the table is sorted by
// customer): the union of its providers, the latest expiry.
func (d *doc) rcASPAs() iter.Seq2[payload.ASPA, payload.JSONSource] {
	return func(yield func(payload.ASPA, payload.JSONSource) bool) {
		as := d.t.ASPAs
		for i := 0; i < len(as); {
			j, best := i+1, i
			var provs []uint32
			for ; j < len(as) && as[j].Customer == as[i].Customer; j++ {
				if as[j].Expires > as[best].Expires {
					best = j
				}
			}
			for _, a := range as[i:j] {
				provs = append(provs, a.Providers...)
			}
			slices.Sort(provs)
			rec := payload.ASPA{Customer: as[i].Customer, Providers: slices.Compact(provs)}
			if d.f.ASPA(&rec) && !yield(rec, d.rcSource(as[best].Info, as[best].Expires)) {
				return
			}
			i = j
		}
	}
}

// rcCounts counts the records rpki-client's output holds (its "unique"
// VRPs and VAPs).
func (d *doc) rcCounts() (vrps, vaps int) {
	for range d.rcVRPs() {
		vrps++
	}
	for range d.rcASPAs() {
		vaps++
	}
	return vrps, vaps
}

func writeRCJSON(w *writer, d *doc) {
	keys := d.rcKeys()
	payload.WriteJSONDoc(w.Writer, payload.JSONDoc{
		Meta: d.rpkiClientMeta(d.rcCounts()),
		VRPs: d.rcVRPs(),
		Keys: func(yield func(payload.RouterKey, payload.JSONSource) bool) {
			for _, k := range keys {
				if !yield(k.key, k.src) {
					return
				}
			}
		},
		ASPAs: d.rcASPAs(),
	})
}

func writeRCCSV(w *writer, d *doc) {
	w.WriteString("ASN,IP Prefix,Max Length,Trust Anchor,Expires\n")
	for v, src := range d.rcVRPs() {
		b := appendAS(w.b[:0], v.ASN)
		b = appendPrefix(append(b, ','), v, ",")
		b = append(append(b, ','), src.TA...)
		b = strconv.AppendUint(append(b, ','), uint64(src.Expires), 10)
		w.line(append(b, '\n'))
	}
}

// writeRCHeader writes the comment block of rpki-client's openbgpd and
// BIRD files (output.c, outputheader).
func writeRCHeader(w *writer, d *doc, vrps int) {
	m := d.rpkiClientMeta(vrps, 0)
	fmt.Fprintf(w, "# Generated on host %s at %s\n", m.BuildMachine, m.BuildTime.Format("Mon Jan _2 15:04:05 UTC 2006"))
	fmt.Fprintf(w, "# Processing time %d seconds (%ds user, %ds system)\n", m.ElapsedTime, m.UserTime, m.SystemTime)
	fmt.Fprintf(w, "# Route Origin Authorizations: %d (%d failed parse, %d invalid)\n", m.ROAs, m.FailedROAs, m.InvalidROAs)
	fmt.Fprintf(w, "# BGPsec Router Certificates: %d\n", m.BGPsecPubkeys)
	fmt.Fprintf(w, "# Certificates: %d (%d invalid)\n", m.Certificates, m.InvalidCerts)
	fmt.Fprintf(w, "# Trust Anchor Locators: %d (%d invalid) [", m.TALs, m.InvalidTALs)
	for _, f := range m.TALFiles {
		fmt.Fprintf(w, " %s", f)
	}
	fmt.Fprintf(w, " ]\n# Manifests: %d (%d failed parse, %d stale)\n", m.Manifests, m.FailedManifests, m.StaleManifests)
	fmt.Fprintf(w, "# Certificate revocation lists: %d\n# Ghostbuster records: %d\n", m.CRLs, m.GBRs)
	fmt.Fprintf(w, "# Repositories: %d\n# VRP Entries: %d (%d unique)\n", m.Repositories, m.VRPs, m.UniqueVRPs)
}

// writeRCOpenBGPD writes rpki-client's roa-set (8.2 writes no aspa-set).
func writeRCOpenBGPD(w *writer, d *doc) {
	vrps, _ := d.rcCounts()
	writeRCHeader(w, d, vrps)
	w.WriteString("roa-set {\n")
	for v, src := range d.rcVRPs() {
		b := v.Prefix().AppendTo(append(w.b[:0], '\t'))
		b = append(b, ' ')
		if v.MaxLen != v.Bits {
			b = append(appendUint(append(b, "maxlen "...), v.MaxLen), ' ')
		}
		b = strconv.AppendUint(append(b, "source-as "...), uint64(v.ASN), 10)
		b = strconv.AppendUint(append(b, " expires "...), uint64(src.Expires), 10)
		w.line(append(b, '\n'))
	}
	w.WriteString("}\n")
}

// writeRCBIRD writes rpki-client's BIRD 2 file: roa4 and roa6 tables filled
// by static protocols.
func writeRCBIRD(w *writer, d *doc) {
	vrps, _ := d.rcCounts()
	writeRCHeader(w, d, vrps)
	fmt.Fprintf(w, "\ndefine force_roa_table_update = %d;\n\nroa4 table ROAS4;\nroa6 table ROAS6;\n\n", d.buildTime().Unix())
	w.WriteString("protocol static {\n\troa4 { table ROAS4; };\n\n")
	v6 := false
	for v := range d.rcVRPs() {
		if v.V6 && !v6 {
			v6 = true
			w.WriteString("}\n\nprotocol static {\n\troa6 { table ROAS6; };\n\n")
		}
		w.line(appendBIRDRoute(w.b[:0], "\troute ", v))
	}
	if !v6 {
		w.WriteString("}\n\nprotocol static {\n\troa6 { table ROAS6; };\n\n")
	}
	w.WriteString("}\n")
}

func writeRCBIRD1v4(w *writer, d *doc) { writeRCBIRD1(w, d, false) }
func writeRCBIRD1v6(w *writer, d *doc) { writeRCBIRD1(w, d, true) }

// writeRCBIRD1 writes rpki-client's BIRD 1 file of one address family.
func writeRCBIRD1(w *writer, d *doc, v6 bool) {
	vrps, _ := d.rcCounts()
	writeRCHeader(w, d, vrps)
	w.WriteString("\nroa table ROAS {\n")
	for v := range d.rcVRPs() {
		if v.V6 == v6 {
			w.line(appendBIRDRoute(w.b[:0], "\troa ", v))
		}
	}
	w.WriteString("}\n")
}

func appendBIRDRoute(b []byte, keyword string, v payload.VRP) []byte {
	b = appendPrefix(append(b, keyword...), v, " max ")
	b = strconv.AppendUint(append(b, " as "...), uint64(v.ASN), 10)
	return append(b, ";\n"...)
}
