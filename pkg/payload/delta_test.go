package payload

import (
	"fmt"
	"slices"
	"testing"
)

// setDiff is the reference: plain set difference over string keys.
func setDiff[T any](old, new []T, key func(T) string) (ann, wd map[string]bool) {
	o, n := map[string]bool{}, map[string]bool{}
	for _, x := range old {
		o[key(x)] = true
	}
	for _, x := range new {
		n[key(x)] = true
	}
	ann, wd = map[string]bool{}, map[string]bool{}
	for k := range n {
		if !o[k] {
			ann[k] = true
		}
	}
	for k := range o {
		if !n[k] {
			wd[k] = true
		}
	}
	return ann, wd
}

func keysOf[T any](xs []T, key func(T) string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[key(x)] = true
	}
	return m
}

func sameKeys(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func anyKey[T any](x T) string { return fmt.Sprint(x) }

func keyKey(k RouterKey) string { return fmt.Sprintf("%x/%d/%x", k.SKI, k.ASN, k.SPKI) }

// checkAgainstSetDiff compares a delta with the reference set difference
// of two snapshots, per record type.
func checkAgainstSetDiff(t *testing.T, d *Delta, o, n *Snapshot) {
	t.Helper()
	ann, wd := setDiff(o.VRPs, n.VRPs, anyKey[VRP])
	if !sameKeys(ann, keysOf(d.AnnouncedVRPs, anyKey[VRP])) || !sameKeys(wd, keysOf(d.WithdrawnVRPs, anyKey[VRP])) {
		t.Fatalf("VRP delta %v/%v, want %v/%v", d.AnnouncedVRPs, d.WithdrawnVRPs, ann, wd)
	}
	ann, wd = setDiff(o.ASPAs, n.ASPAs, anyKey[ASPA])
	if !sameKeys(ann, keysOf(d.AnnouncedASPAs, anyKey[ASPA])) || !sameKeys(wd, keysOf(d.WithdrawnASPAs, anyKey[ASPA])) {
		t.Fatalf("ASPA delta %v/%v, want %v/%v", d.AnnouncedASPAs, d.WithdrawnASPAs, ann, wd)
	}
	ann, wd = setDiff(o.RouterKeys, n.RouterKeys, keyKey)
	if !sameKeys(ann, keysOf(d.AnnouncedKeys, keyKey)) || !sameKeys(wd, keysOf(d.WithdrawnKeys, keyKey)) {
		t.Fatalf("key delta %v/%v, want %v/%v", d.AnnouncedKeys, d.WithdrawnKeys, ann, wd)
	}
}

// apply is the reference application of a delta to a snapshot, with
// string-keyed maps.
func apply(s *Snapshot, d *Delta) *Snapshot {
	wv := keysOf(d.WithdrawnVRPs, anyKey[VRP])
	wa := keysOf(d.WithdrawnASPAs, anyKey[ASPA])
	wk := keysOf(d.WithdrawnKeys, keyKey)
	set := Set{}
	for _, v := range s.VRPs {
		if !wv[anyKey(v)] {
			set.VRPs = append(set.VRPs, v)
		}
	}
	for _, a := range s.ASPAs {
		if !wa[anyKey(a)] {
			set.ASPAs = append(set.ASPAs, a)
		}
	}
	for _, k := range s.RouterKeys {
		if !wk[keyKey(k)] {
			set.RouterKeys = append(set.RouterKeys, k)
		}
	}
	set.VRPs = append(set.VRPs, d.AnnouncedVRPs...)
	set.ASPAs = append(set.ASPAs, d.AnnouncedASPAs...)
	set.RouterKeys = append(set.RouterKeys, d.AnnouncedKeys...)
	return NewSnapshot(set)
}

// maxFuzzInput caps fuzz inputs (Prometheus util/fuzzing's maxInputSize):
// 4 KiB is 1024 records, plenty to hit every branch, and keeps the
// quadratic-free reference checks fast.
const maxFuzzInput = 4096

var deltaSeeds = [][]byte{
	{},
	{0, 1, 2, 3},
	{0, 1, 2, 3, 1, 1, 2, 3, 2, 5, 5, 5},
	{8, 1, 2, 3, 9, 1, 1, 3, 10, 2, 2, 2, 12, 1, 1, 1, 13, 1, 1, 1},
	{0x18, 1, 2, 3, 0x19, 1, 2, 3, 0x1a, 3, 3, 3, 8, 1, 0x42, 3, 9, 1, 0x42, 2},
}

// FuzzDeltaConstruct checks Construct(old, new) against plain set
// difference, and that applying it to old gives new (Routinator's
// fuzz/construct_delta.rs).
func FuzzDeltaConstruct(f *testing.F) {
	for _, s := range deltaSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		a, b := decodeSets(data)
		o, n := NewSnapshot(a), NewSnapshot(b)
		d := Construct(o, n)
		checkAgainstSetDiff(t, d, o, n)
		if got := apply(o, d); !got.Equal(n) {
			t.Fatalf("apply(old, Construct(old,new)) = %v, want %v", got, n)
		}
		if !Construct(n, n).Empty() {
			t.Fatal("Construct(s, s) is not empty")
		}
	})
}

// FuzzDeltaMerge checks that merging successive deltas s0→s1→…→sn gives
// Construct(s0, sn) (Routinator's fuzz/merge_deltas.rs).
func FuzzDeltaMerge(f *testing.F) {
	for _, s := range deltaSeeds {
		f.Add(s, s)
	}
	f.Add([]byte{0, 1, 2, 3, 8, 1, 2, 3}, []byte{1, 1, 2, 3, 9, 1, 2, 3, 2, 7, 7, 7})
	f.Fuzz(func(t *testing.T, x, y []byte) {
		if len(x)+len(y) > maxFuzzInput {
			return
		}
		s0, s1 := decodeSets(x)
		_, s2 := decodeSets(y)
		snaps := []*Snapshot{NewSnapshot(s0), NewSnapshot(s1), NewSnapshot(s2), NewSnapshot(s0)}
		merged := Construct(snaps[0], snaps[1])
		for i := 2; i < len(snaps); i++ {
			merged = Merge(merged, Construct(snaps[i-1], snaps[i]))
			want := Construct(snaps[0], snaps[i])
			checkAgainstSetDiff(t, merged, snaps[0], snaps[i])
			if merged.Len() != want.Len() {
				t.Fatalf("merged len %d, want %d", merged.Len(), want.Len())
			}
		}
		if !merged.Empty() {
			t.Fatalf("s0→…→s0 merged to non-empty %+v", merged)
		}
	})
}

func TestHistoryPublish(t *testing.T) {
	h := NewHistory(3)
	if h.Load() != nil {
		t.Fatal("state before first publish")
	}
	mk := func(asn uint32) *Snapshot {
		v, _ := NewVRP(mustPrefix("192.0.2.0/24"), 24, asn)
		return NewSnapshot(Set{VRPs: []VRP{v}})
	}
	st, changed := h.Publish(mk(1), fixedTime(0))
	if !changed || st.Serial != 0 || len(st.Deltas) != 0 {
		t.Fatalf("first publish: %+v changed=%v", st, changed)
	}
	if _, changed = h.Publish(mk(1), fixedTime(1)); changed || h.Load().Serial != 0 || !h.Load().Updated.Equal(fixedTime(1)) {
		t.Fatalf("unchanged publish bumped serial or kept old time: %+v", h.Load())
	}
	for asn := uint32(2); asn <= 6; asn++ {
		h.Publish(mk(asn), fixedTime(int(asn)))
	}
	st = h.Load()
	if st.Serial != 5 || len(st.Deltas) != 3 || st.Deltas[0].From != 2 || st.Deltas[2].To != 5 {
		t.Fatalf("after 5 changes: serial %d, %d deltas", st.Serial, len(st.Deltas))
	}
	if _, ok := st.Delta(1); ok {
		t.Fatal("delta from serial 1 should have fallen out of a 3-delta history")
	}
	d, ok := st.Delta(2)
	if !ok || len(d.AnnouncedVRPs) != 1 || d.AnnouncedVRPs[0].ASN != 6 || len(d.WithdrawnVRPs) != 1 || d.WithdrawnVRPs[0].ASN != 3 {
		t.Fatalf("delta 2→5 = %+v ok=%v", d, ok)
	}
	if d, ok := st.Delta(5); !ok || !d.Empty() {
		t.Fatalf("delta from current serial = %+v ok=%v", d, ok)
	}
}

func TestASPANormalize(t *testing.T) {
	s := NewSnapshot(Set{ASPAs: []ASPA{
		{Customer: 5, Providers: []uint32{3, 1}},
		{Customer: 2, Providers: []uint32{9}},
		{Customer: 5, Providers: []uint32{2, 3}},
	}})
	want := []ASPA{{2, []uint32{9}}, {5, []uint32{1, 2, 3}}}
	if !slices.EqualFunc(s.ASPAs, want, func(a, b ASPA) bool { return CompareASPA(a, b) == 0 }) {
		t.Fatalf("ASPAs = %v, want %v", s.ASPAs, want)
	}
}

// providerRange returns n providers from first on.
func providerRange(first uint32, n int) []uint32 {
	p := make([]uint32, n)
	for i := range p {
		p[i] = first + uint32(i)
	}
	return p
}

// TestASPAMergeCap: two ASPAs of 10,000 providers each for one customer
// merge to 20,000 providers, more than one RTR PDU can carry (issue 5): the
// customer's record is dropped whole and reported; other customers and a
// union of exactly MaxProviders stay.
func TestASPAMergeCap(t *testing.T) {
	s := NewSnapshot(Set{ASPAs: []ASPA{
		{Customer: 64500, Providers: providerRange(100_000, 10_000)},
		{Customer: 64500, Providers: providerRange(200_000, 10_000)},
		{Customer: 64501, Providers: providerRange(1, MaxProviders)},
		{Customer: 64502, Providers: providerRange(1, MaxProviders+1)},
		{Customer: 64503, Providers: []uint32{7}},
	}})
	var customers []uint32
	for _, a := range s.ASPAs {
		customers = append(customers, a.Customer)
	}
	if !slices.Equal(customers, []uint32{64501, 64503}) {
		t.Fatalf("customers kept %v, want [64501 64503]", customers)
	}
	want := []DroppedASPA{{64500, 20_000}, {64502, MaxProviders + 1}}
	if !slices.Equal(s.DroppedASPAs, want) {
		t.Fatalf("dropped %v, want %v", s.DroppedASPAs, want)
	}
}

// TestASPAUnionWithoutAS0: AS 0 ("no providers") merged with a real
// provider set is left out, since an RTR announcement with several
// providers must not contain AS 0 (draft-ietf-sidrops-8210bis-27 §5.12);
// alone it stays.
func TestASPAUnionWithoutAS0(t *testing.T) {
	s := NewSnapshot(Set{ASPAs: []ASPA{
		{Customer: 1, Providers: []uint32{0}},
		{Customer: 1, Providers: []uint32{9, 5}},
		{Customer: 2, Providers: []uint32{0}},
		{Customer: 3, Providers: []uint32{0, 4}},
	}})
	want := []ASPA{{1, []uint32{5, 9}}, {2, []uint32{0}}, {3, []uint32{4}}}
	if !slices.EqualFunc(s.ASPAs, want, func(a, b ASPA) bool { return CompareASPA(a, b) == 0 }) {
		t.Fatalf("ASPAs = %v, want %v", s.ASPAs, want)
	}
}
