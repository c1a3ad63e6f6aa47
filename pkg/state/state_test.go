package state

import (
	"net/netip"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
)

func table(t *testing.T, asns ...uint32) *payload.Table {
	t.Helper()
	tb := &payload.Table{TAs: payload.NewTANames()}
	for _, asn := range asns {
		v, err := payload.NewVRP(netip.MustParsePrefix("192.0.2.0/24"), 24, asn)
		if err != nil {
			t.Fatal(err)
		}
		tb.VRPs = append(tb.VRPs, payload.VRPInfo{VRP: v})
	}
	return tb
}

// TestConfirmMovesEveryClock publishes a table, then confirms it again
// and again: the serial stands, and the freshness RTR checks its max age
// against (payload.State.Updated) moves with the State's own, so RTR
// cannot turn stale while the API says fresh.
func TestConfirmMovesEveryClock(t *testing.T) {
	p := NewPublisher(4)
	if p.Confirm(nil, nil, time.Now()) != nil || (RTR{p}).Load() != nil {
		t.Fatal("confirmed before any publication")
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	first, changed := p.Publish(table(t, 1), &report.Run{}, nil, t0)
	if !changed || first.Serial() != 0 {
		t.Fatalf("first publication: changed %v, serial %d", changed, first.Serial())
	}
	for i := 1; i <= 3; i++ {
		at := t0.Add(time.Duration(i) * time.Hour)
		rep := &report.Run{Unchanged: true}
		st := p.Confirm(rep, []report.Repository{{URI: "x"}}, at)
		rtr := (RTR{p}).Load()
		if st != p.Load() || st.Serial() != 0 || !st.Confirmed.Equal(at) || !rtr.Updated.Equal(at) ||
			st.Report != rep || len(st.Repositories) != 1 || !st.Changed.Equal(t0) || st.Table != first.Table {
			t.Fatalf("confirm %d: %+v (RTR updated %v)", i, st, rtr.Updated)
		}
	}
	same, changed := p.Publish(table(t, 1), &report.Run{}, nil, t0.Add(5*time.Hour))
	if changed || same.Serial() != 0 || !same.Changed.Equal(t0) {
		t.Fatalf("same payload: changed %v, serial %d, changed at %v", changed, same.Serial(), same.Changed)
	}
	next, changed := p.Publish(table(t, 2), &report.Run{}, nil, t0.Add(6*time.Hour))
	if !changed || next.Serial() != 1 || len(next.RTR.Deltas) != 1 || !next.Changed.Equal(t0.Add(6*time.Hour)) {
		t.Fatalf("new payload: changed %v, serial %d, %d deltas", changed, next.Serial(), len(next.RTR.Deltas))
	}
}

// TestFailedKeepsServing records a failed run before and after a
// publication: nothing served changes, the report says why.
func TestFailedKeepsServing(t *testing.T) {
	p := NewPublisher(4)
	bad := &report.Run{Error: "no trust anchor could be validated"}
	st := p.Failed(bad, []report.Repository{{URI: "x", Failing: true}})
	if st.Table != nil || st.RTR != nil || st.Serial() != 0 || (RTR{p}).Load() != nil || st.Report != bad {
		t.Fatalf("failed before any data: %+v", st)
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	good, _ := p.Publish(table(t, 1), &report.Run{}, nil, t0)
	st = p.Failed(bad, nil)
	if st.Table != good.Table || st.RTR != good.RTR || !st.Confirmed.Equal(t0) || st.Report != bad {
		t.Fatalf("failed after data: %+v", st)
	}
}
