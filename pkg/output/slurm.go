package output

import (
	"encoding/base64"
	"strconv"

	"github.com/openrpki/validator/pkg/payload"
)

// Routinator's slurm and slurm2 formats (src/output.rs: Slurm, Slurm2):
// the payload as RFC 8416 local assertions (version 2 adds ASPA,
// draft-ietf-sidrops-aspa-slurm), each commented with its trust anchor.
// Routinator prints "maxPrefixLength" when the ROA had a maxLength; the
// table keeps the resolved value only, so it is printed when it differs
// from the prefix length.

func writeSLURM1(w *writer, d *doc) { writeSLURM(w, d, 1) }
func writeSLURM2(w *writer, d *doc) { writeSLURM(w, d, 2) }

func writeSLURM(w *writer, d *doc, version int) {
	w.WriteString("{\n  \"slurmVersion\": " + strconv.Itoa(version) + ",\n  \"validationOutputFilters\": {\n" +
		"    \"prefixFilters\": [ ],\n    \"bgpsecFilters\": [ ]")
	if version == 2 {
		w.WriteString(",\n    \"aspaFilters\": [ ]")
	}
	w.WriteString("\n  },\n  \"locallyAddedAssertions\": {\n    \"prefixAssertions\": [\n")
	list := jsonItems(w)
	for g := range d.origins() {
		b := strconv.AppendUint(append(list.next(), "      {\n        \"asn\": "...), uint64(g[0].ASN), 10)
		b = g[0].Prefix().AppendTo(append(b, ",\n        \"prefix\": \""...))
		b = append(b, "\",\n"...)
		if g[0].MaxLen != g[0].Bits {
			b = appendUint(append(b, "        \"maxPrefixLength\": "...), g[0].MaxLen)
			b = append(b, ",\n"...)
		}
		w.line(d.appendComment(append(b, "        \"comment\": "...), g[0].Info))
	}
	w.WriteString("\n    ],\n    \"bgpsecAssertions\": [\n")
	list = jsonItems(w)
	for g := range d.keys() {
		b := strconv.AppendUint(append(list.next(), "      {\n        \"asn\": "...), uint64(g[0].ASN), 10)
		b = base64.RawURLEncoding.AppendEncode(append(b, ",\n        \"SKI\": \""...), g[0].SKI[:])
		b = base64.RawURLEncoding.AppendEncode(append(b, "\",\n        \"routerPublicKey\": \""...), g[0].SPKI)
		w.line(d.appendComment(append(b, "\",\n        \"comment\": "...), g[0].Info))
	}
	if version == 1 {
		w.WriteString("\n    ]\n  }\n}\n")
		return
	}
	w.WriteString("\n    ],\n    \"aspaAssertions\": [\n")
	list = jsonItems(w)
	for g := range d.aspas() {
		b := strconv.AppendUint(append(list.next(), "      { \n        \"customerAsn\": "...), uint64(g[0].Customer), 10)
		b = append(b, ", \n        \"providerAsns\": ["...)
		for i, p := range g[0].Providers {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendUint(append(b, "\n          "...), uint64(p), 10)
		}
		w.line(d.appendComment(append(b, "\n        ],\n        \"comment\": "...), g[0].Info))
	}
	w.WriteString("\n    ]\n  }\n}\n")
}

// appendComment ends an assertion with its trust anchor as the comment.
func (d *doc) appendComment(b []byte, i payload.Info) []byte {
	return append(payload.AppendJSONString(b, d.taName(i)), "\n      }"...)
}
