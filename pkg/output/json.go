package output

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"os"
	"strconv"

	"github.com/openrpki/validator/pkg/validate"
)

// writeJSON writes the rpki-client JSON layout: metadata, roas, aspas and
// bgpsec_keys, one record per line so that huge tables stay diffable.
func writeJSON(w *bufio.Writer, t *Table) error {
	host, _ := os.Hostname()
	var b []byte
	b = append(b, `{"metadata":{"buildmachine":`...)
	b = strconv.AppendQuote(b, host)
	b = append(b, `,"buildtime":`...)
	b = strconv.AppendQuote(b, t.BuildTime.UTC().Format("2006-01-02T15:04:05Z"))
	b = append(b, `,"generated":`...)
	b = strconv.AppendInt(b, t.BuildTime.Unix(), 10)
	b = append(b, `,"vrps":`...)
	b = strconv.AppendInt(b, int64(len(t.VRPs)), 10)
	b = append(b, `,"aspas":`...)
	b = strconv.AppendInt(b, int64(len(t.ASPAs)), 10)
	b = append(b, `,"bgpsec_pubkeys":`...)
	b = strconv.AppendInt(b, int64(len(t.RouterKeys)), 10)
	b = append(b, "},\n\"roas\":["...)
	w.Write(b)
	for i, v := range t.VRPs {
		b = sep(b[:0], i)
		b = append(b, `{"asn":"AS`...)
		b = strconv.AppendUint(b, uint64(v.ASN), 10)
		b = append(b, `","prefix":"`...)
		b = v.Prefix().AppendTo(b)
		b = append(b, `","maxLength":`...)
		b = strconv.AppendUint(b, uint64(v.MaxLen), 10)
		b = appendProvenance(b, v.TA, v.Expires)
		w.Write(b)
	}
	w.WriteString("\n],\n\"aspas\":[")
	for i, a := range t.ASPAs {
		b = sep(b[:0], i)
		b = append(b, `{"customer_asid":`...)
		b = strconv.AppendUint(b, uint64(a.Customer), 10)
		b = append(b, `,"providers":[`...)
		for j, p := range a.Providers {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(p), 10)
		}
		b = append(b, ']')
		b = appendProvenance(b, a.TA, a.Expires)
		w.Write(b)
	}
	w.WriteString("\n],\n\"bgpsec_keys\":[")
	for i, k := range t.RouterKeys {
		b = sep(b[:0], i)
		b = append(b, `{"asn":`...)
		b = strconv.AppendUint(b, uint64(k.ASN), 10)
		b = append(b, `,"ski":"`...)
		b = hex.AppendEncode(b, k.SKI[:])
		b = append(b, `","pubkey":"`...)
		b = base64.StdEncoding.AppendEncode(b, k.SPKI)
		b = append(b, '"')
		b = appendProvenance(b, k.TA, k.Expires)
		w.Write(b)
	}
	_, err := w.WriteString("\n]\n}\n")
	return err
}

// sep starts the i-th record of a list.
func sep(b []byte, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	return append(b, '\n')
}

// appendProvenance ends a record with its trust anchor and expiry (0 for
// payload that does not expire, such as SLURM assertions).
func appendProvenance(b []byte, ta validate.TA, expires validate.Expiry) []byte {
	b = append(b, `,"ta":`...)
	b = strconv.AppendQuote(b, ta.String())
	b = append(b, `,"expires":`...)
	b = strconv.AppendUint(b, uint64(expires), 10)
	return append(b, '}')
}
