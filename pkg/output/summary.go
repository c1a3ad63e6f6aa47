package output

import (
	"fmt"

	"github.com/openrpki/validator/pkg/payload"
)

// Routinator's summary format (src/output.rs, Summary::produce_header):
// per trust anchor, then in total, what was verified and what made it
// into the final payload. Here "verified" is what the run found before
// SLURM: ROAs, router certificates and ASPA objects from the table's
// sources, VRPs and router keys from the run's report (Meta.TAs); "final"
// is what the table serves, per trust anchor its items, in total its
// distinct items (local assertions included). Counts not known (a table
// read back from a file has no sources and no report) are zero.

// summaryCounts is one block of the summary.
type summaryCounts struct {
	roas, vrps, vrpsFinal, certs, keys, keysFinal, aspas, aspasFinal int
}

func writeSummary(w *writer, d *doc) {
	fmt.Fprintf(w, "Summary at %s\n", chronoTime(d.buildTime()))
	objects := d.objectCounts()
	reported := map[string]TAMeta{}
	for _, t := range d.meta.TAs {
		reported[t.Name] = t
	}
	final := d.finalPerTA()
	var total summaryCounts
	for _, name := range d.taNames() {
		c := summaryCounts{roas: objects[name][".roa"], certs: objects[name][".cer"], aspas: objects[name][".asa"],
			vrps: reported[name].VRPs, keys: reported[name].RouterKeys}
		f := final[name]
		c.vrpsFinal, c.keysFinal, c.aspasFinal = f[0], f[1], f[2]
		writeSummaryBlock(w, name, c)
		total.roas, total.certs, total.aspas = total.roas+c.roas, total.certs+c.certs, total.aspas+c.aspas
		total.vrps, total.keys = total.vrps+c.vrps, total.keys+c.keys
	}
	total.vrpsFinal = countGroups(d.t.VRPs, func(a, b *payload.VRPInfo) bool { return a.VRP == b.VRP })
	total.keysFinal = countGroups(d.t.RouterKeys, func(a, b *payload.KeyInfo) bool {
		return payload.CompareRouterKey(a.RouterKey, b.RouterKey) == 0
	})
	total.aspasFinal = countGroups(d.t.ASPAs, func(a, b *payload.ASPAInfo) bool { return payload.CompareASPA(a.ASPA, b.ASPA) == 0 })
	writeSummaryBlock(w, "total", total)
}

func writeSummaryBlock(w *writer, name string, c summaryCounts) {
	fmt.Fprintf(w, "%s: \n", name)
	fmt.Fprintf(w, "            ROAs: %7d verified;\n", c.roas)
	fmt.Fprintf(w, "            VRPs: %7d verified, %7d final;\n", c.vrps, c.vrpsFinal)
	fmt.Fprintf(w, "    router certs: %7d verified;\n", c.certs)
	fmt.Fprintf(w, "     router keys: %7d verified, %7d final;\n", c.keys, c.keysFinal)
	fmt.Fprintf(w, "           ASPAs: %7d verified, %7d final;\n", c.aspas, c.aspasFinal)
}

// finalPerTA counts the table's VRPs, router keys and ASPAs per trust
// anchor name.
func (d *doc) finalPerTA() map[string][3]int {
	out := map[string][3]int{}
	add := func(ta payload.TA, k int) {
		n := d.t.TAName(ta)
		c := out[n]
		c[k]++
		out[n] = c
	}
	for _, v := range d.t.VRPs {
		add(v.TA, 0)
	}
	for _, k := range d.t.RouterKeys {
		add(k.TA, 1)
	}
	for _, a := range d.t.ASPAs {
		add(a.TA, 2)
	}
	return out
}

// countGroups counts the runs of equal items of a sorted list.
func countGroups[T any](items []T, same func(a, b *T) bool) int {
	n := 0
	for i := range items {
		if i == 0 || !same(&items[i-1], &items[i]) {
			n++
		}
	}
	return n
}
