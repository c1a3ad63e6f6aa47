package payload

// Delta is the change between two snapshots: the records to announce and
// the records to withdraw, each sorted. It is a plain set difference for
// every record type; for ASPA the unit is the whole record (customer plus
// provider set), so a changed provider set shows up as the old record
// withdrawn and the new one announced. The RTR encoder turns that pair into
// a single v2 announcement, which replaces the router's record for the
// customer (draft-ietf-sidrops-8210bis §5.12).
//
// A Delta is immutable once built.
type Delta struct {
	// From and To are the serials of the snapshots the delta connects.
	From, To uint32

	AnnouncedVRPs, WithdrawnVRPs   []VRP
	AnnouncedASPAs, WithdrawnASPAs []ASPA
	AnnouncedKeys, WithdrawnKeys   []RouterKey
}

// Empty reports whether the delta changes nothing.
func (d *Delta) Empty() bool {
	return len(d.AnnouncedVRPs)+len(d.WithdrawnVRPs)+len(d.AnnouncedASPAs)+
		len(d.WithdrawnASPAs)+len(d.AnnouncedKeys)+len(d.WithdrawnKeys) == 0
}

// Len returns the number of records announced or withdrawn.
func (d *Delta) Len() int {
	return len(d.AnnouncedVRPs) + len(d.WithdrawnVRPs) + len(d.AnnouncedASPAs) +
		len(d.WithdrawnASPAs) + len(d.AnnouncedKeys) + len(d.WithdrawnKeys)
}

// Construct computes the delta that turns old into new. A nil old is the
// empty snapshot. Both inputs are sorted, so this is one linear merge walk
// per record type.
func Construct(old, new *Snapshot) *Delta {
	if old == nil {
		old = &Snapshot{}
	}
	d := &Delta{}
	d.AnnouncedVRPs, d.WithdrawnVRPs = diff(old.VRPs, new.VRPs, CompareVRP)
	d.AnnouncedASPAs, d.WithdrawnASPAs = diff(old.ASPAs, new.ASPAs, CompareASPA)
	d.AnnouncedKeys, d.WithdrawnKeys = diff(old.RouterKeys, new.RouterKeys, CompareRouterKey)
	return d
}

// Merge combines a (s0 → s1) and b (s1 → s2) into one delta s0 → s2: a
// record announced by one and withdrawn by the other cancels out. The
// result equals Construct(s0, s2) when a and b are consistent (checked by
// FuzzDeltaMerge).
func Merge(a, b *Delta) *Delta {
	d := &Delta{From: a.From, To: b.To}
	d.AnnouncedVRPs, d.WithdrawnVRPs = mergeLists(a.AnnouncedVRPs, a.WithdrawnVRPs, b.AnnouncedVRPs, b.WithdrawnVRPs, CompareVRP)
	d.AnnouncedASPAs, d.WithdrawnASPAs = mergeLists(a.AnnouncedASPAs, a.WithdrawnASPAs, b.AnnouncedASPAs, b.WithdrawnASPAs, CompareASPA)
	d.AnnouncedKeys, d.WithdrawnKeys = mergeLists(a.AnnouncedKeys, a.WithdrawnKeys, b.AnnouncedKeys, b.WithdrawnKeys, CompareRouterKey)
	return d
}

// diff returns new−old (announced) and old−new (withdrawn) of two sorted,
// deduplicated slices.
func diff[T any](old, new []T, cmp func(a, b T) int) (ann, wd []T) {
	i, j := 0, 0
	for i < len(old) && j < len(new) {
		switch c := cmp(old[i], new[j]); {
		case c < 0:
			wd = append(wd, old[i])
			i++
		case c > 0:
			ann = append(ann, new[j])
			j++
		default:
			i++
			j++
		}
	}
	wd = append(wd, old[i:]...)
	ann = append(ann, new[j:]...)
	return ann, wd
}

// mergeLists computes (annA − wdB) ∪ (annB − wdA) and (wdA − annB) ∪
// (wdB − annA), all sorted.
func mergeLists[T any](annA, wdA, annB, wdB []T, cmp func(a, b T) int) (ann, wd []T) {
	ann = union(minus(annA, wdB, cmp), minus(annB, wdA, cmp), cmp)
	wd = union(minus(wdA, annB, cmp), minus(wdB, annA, cmp), cmp)
	return ann, wd
}

// minus returns the sorted elements of a that are not in b.
func minus[T any](a, b []T, cmp func(a, b T) int) []T {
	var res []T
	j := 0
	for _, x := range a {
		for j < len(b) && cmp(b[j], x) < 0 {
			j++
		}
		if j < len(b) && cmp(b[j], x) == 0 {
			continue
		}
		res = append(res, x)
	}
	return res
}

// union merges two sorted slices, keeping one copy of equal elements.
func union[T any](a, b []T, cmp func(a, b T) int) []T {
	out := make([]T, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := cmp(a[i], b[j]); {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
