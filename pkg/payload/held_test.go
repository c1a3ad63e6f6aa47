package payload

import (
	"runtime"
	"slices"
	"testing"
	"weak"
)

// tableOf builds a table from fuzz bytes: the records of decodeSets' two
// sets, the first set's under trust anchor "a", the second's under "b", so
// that the same VRP often comes from two trust anchors.
func tableOf(data []byte, sorted bool) *Table {
	one, two := decodeSets(data)
	t := &Table{TAs: NewTANames()}
	for i, s := range []Set{one, two} {
		ta := t.TAs.Of(string(rune('a' + i)))
		for _, v := range s.VRPs {
			t.VRPs = append(t.VRPs, VRPInfo{VRP: v, Info: Info{TA: ta}})
		}
		for _, a := range s.ASPAs {
			t.ASPAs = append(t.ASPAs, ASPAInfo{ASPA: a, Info: Info{TA: ta}})
		}
		for _, k := range s.RouterKeys {
			t.RouterKeys = append(t.RouterKeys, KeyInfo{RouterKey: k, Info: Info{TA: ta}})
		}
	}
	if sorted {
		t.Sort()
	}
	return t
}

// FuzzTableSnapshot: the one-copy Table.Snapshot equals NewSnapshot of the
// table's Set, for sorted tables (one pass) and unsorted ones (sorted
// again).
func FuzzTableSnapshot(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 2, 1, 2, 3, 1, 1, 2, 3, 2, 9, 9, 9}, true)
	f.Add([]byte{2, 5, 0, 1, 2, 4, 0, 1, 18, 4, 0, 1, 8, 1, 2, 3, 12, 1, 1, 1}, false)
	f.Fuzz(func(t *testing.T, data []byte, sorted bool) {
		tb := tableOf(data, sorted)
		got, want := tb.Snapshot(), NewSnapshot(tb.Set())
		if !got.Equal(want) || !slices.Equal(got.DroppedASPAs, want.DroppedASPAs) {
			t.Fatalf("Table.Snapshot = %+v, want %+v", got, want)
		}
	})
}

// publishTable publishes a table's snapshot weakly, counting rebuilds. It
// keeps no reference to the snapshot it publishes.
func publishTable(h *History, tb *Table, builds *int) (*State, bool) {
	return h.PublishWeakly(tb.Snapshot(), func() *Snapshot { *builds++; return tb.Snapshot() }, fixedTime(0))
}

// TestPublishWeakly: a weakly held snapshot is left to the collector and
// built again equal when read; an unchanged publication takes the place of
// the served one, so the served one's table is not kept alive beside it.
func TestPublishWeakly(t *testing.T) {
	data := []byte{0, 1, 2, 3, 2, 1, 2, 3, 1, 1, 2, 3, 8, 1, 2, 3}
	want := NewSnapshot(tableOf(data, true).Set())
	h := NewHistory(3)
	first := tableOf(data, true)
	firstGone := weak.Make(first)
	var firstBuilds, secondBuilds int
	st, _ := publishTable(h, first, &firstBuilds)
	readUntilRebuilt(t, st, want, &firstBuilds)

	second := tableOf(data, false)
	st2, changed := publishTable(h, second, &secondBuilds)
	if changed || st2.Serial != st.Serial {
		t.Fatalf("an equal table changed the serial: %d → %d, changed %v", st.Serial, st2.Serial, changed)
	}
	first, st = nil, nil
	runtime.GC()
	if firstGone.Value() != nil {
		t.Fatal("the first table is still alive: the State kept its rebuild after an unchanged publication")
	}
	readUntilRebuilt(t, st2, want, &secondBuilds)
}

// readUntilRebuilt collects and reads st's snapshot, which must equal
// want, until the collector took it and it was built again.
func readUntilRebuilt(t *testing.T, st *State, want *Snapshot, builds *int) {
	t.Helper()
	for i := 0; i < 10 && *builds == 0; i++ {
		runtime.GC()
		if !st.Snapshot().Equal(want) {
			t.Fatal("the snapshot read back differs from the one published")
		}
	}
	if *builds == 0 {
		t.Fatal("the weakly held snapshot was never collected and built again")
	}
}

// TestDroppedASPAsWithoutRebuild: the dropped ASPAs, which the metrics
// read at every scrape, are kept beside a weakly held snapshot.
func TestDroppedASPAsWithoutRebuild(t *testing.T) {
	snap := NewSnapshot(Set{ASPAs: []ASPA{{Customer: 64502, Providers: providerRange(1, MaxProviders+1)}}})
	st, _ := NewHistory(1).PublishWeakly(snap, func() *Snapshot { panic("rebuilt") }, fixedTime(0))
	if !slices.Equal(st.DroppedASPAs(), []DroppedASPA{{64502, MaxProviders + 1}}) {
		t.Fatalf("dropped %v", st.DroppedASPAs())
	}
	runtime.KeepAlive(snap)
}
