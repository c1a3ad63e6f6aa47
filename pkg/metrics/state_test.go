package metrics

import (
	"net/netip"
	"runtime"
	"testing"
	"weak"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
)

// TestCountsDoNotKeepTheTable: the per-TA counts of the table last scraped
// hold that table weakly, so a table the daemon no longer serves is freed
// without waiting for the next scrape; while it is served, the counts are
// reused.
func TestCountsDoNotKeepTheTable(t *testing.T) {
	tas := payload.NewTANames()
	v, err := payload.NewVRP(netip.MustParsePrefix("192.0.2.0/24"), 24, 65000)
	if err != nil {
		t.Fatal(err)
	}
	table := &payload.Table{TAs: tas, VRPs: []payload.VRPInfo{{VRP: v, Info: payload.Info{TA: tas.Of("ta")}}}}
	st := &state.State{Table: table, Report: &report.Run{TAs: []report.TA{{Name: "ta"}}}}
	var s stateMetrics
	c := s.countsOf(st)
	if c.vrps["ta"] != 1 || s.countsOf(st) != c {
		t.Fatalf("counts %v, or not reused for the same table", c.vrps)
	}
	gone := weak.Make(table)
	st, table = nil, nil
	runtime.GC()
	if gone.Value() != nil {
		t.Fatal("the counts keep the last scraped table alive")
	}
	runtime.KeepAlive(&s)
}
