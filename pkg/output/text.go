package output

import (
	"bufio"
	"strconv"

	"github.com/openrpki/validator/pkg/payload"
)

// writeCSV writes Routinator's CSV: ASN,IP Prefix,Max Length,Trust Anchor.
func writeCSV(w *bufio.Writer, t *payload.Table) error {
	w.WriteString("ASN,IP Prefix,Max Length,Trust Anchor\n")
	var b []byte
	for _, v := range t.VRPs {
		b = append(b[:0], "AS"...)
		b = strconv.AppendUint(b, uint64(v.ASN), 10)
		b = append(b, ',')
		b = v.Prefix().AppendTo(b)
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(v.MaxLen), 10)
		b = append(b, ',')
		b = append(b, t.TAName(v.TA)...)
		b = append(b, '\n')
		w.Write(b)
	}
	return nil
}

// writeOpenBGPD writes bgpd.conf(5) roa-set and aspa-set blocks as
// rpki-client -o does; maxlen is left out when it equals the prefix length.
func writeOpenBGPD(w *bufio.Writer, t *payload.Table) error {
	w.WriteString("roa-set {\n")
	var b []byte
	for _, v := range t.VRPs {
		b = append(b[:0], '\t')
		b = v.Prefix().AppendTo(b)
		if v.MaxLen != v.Bits {
			b = append(b, " maxlen "...)
			b = strconv.AppendUint(b, uint64(v.MaxLen), 10)
		}
		b = append(b, " source-as "...)
		b = strconv.AppendUint(b, uint64(v.ASN), 10)
		b = append(b, " expires "...)
		b = strconv.AppendUint(b, uint64(v.Expires), 10)
		b = append(b, '\n')
		w.Write(b)
	}
	w.WriteString("}\n")
	if len(t.ASPAs) == 0 {
		return nil
	}
	w.WriteString("\naspa-set {\n")
	for _, a := range t.ASPAs {
		b = append(b[:0], "\tcustomer-as "...)
		b = strconv.AppendUint(b, uint64(a.Customer), 10)
		b = append(b, " expires "...)
		b = strconv.AppendUint(b, uint64(a.Expires), 10)
		b = append(b, " provider-as {"...)
		for i, p := range a.Providers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(p), 10)
		}
		b = append(b, " }\n"...)
		w.Write(b)
	}
	_, err := w.WriteString("}\n")
	return err
}

// writeBIRD writes BIRD 2 roa4 and roa6 tables filled by static
// protocols, as rpki-client -B writes its "bird" file.
func writeBIRD(w *bufio.Writer, t *payload.Table) error {
	w.WriteString("define force_roa_table_update = ")
	w.WriteString(strconv.FormatInt(t.BuildTime.Unix(), 10))
	w.WriteString(";\n\nroa4 table ROAS4;\nroa6 table ROAS6;\n")
	var b []byte
	for _, v6 := range []bool{false, true} {
		if v6 {
			w.WriteString("\nprotocol static {\n\troa6 { table ROAS6; };\n\n")
		} else {
			w.WriteString("\nprotocol static {\n\troa4 { table ROAS4; };\n\n")
		}
		for _, v := range t.VRPs {
			if v.V6 != v6 {
				continue
			}
			b = append(b[:0], "\troute "...)
			b = v.Prefix().AppendTo(b)
			b = append(b, " max "...)
			b = strconv.AppendUint(b, uint64(v.MaxLen), 10)
			b = append(b, " as "...)
			b = strconv.AppendUint(b, uint64(v.ASN), 10)
			b = append(b, ";\n"...)
			w.Write(b)
		}
		w.WriteString("}\n")
	}
	return nil
}
