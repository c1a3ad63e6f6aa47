package payload

import "slices"

// Set is the payload one validation run produces (after SLURM), in any
// order and possibly with duplicates. It is the input of NewSnapshot.
type Set struct {
	VRPs       []VRP
	ASPAs      []ASPA
	RouterKeys []RouterKey
}

// Snapshot is an immutable, sorted, deduplicated payload table. Its slices
// must not be modified once built; every reader shares them.
type Snapshot struct {
	// VRPs is sorted by CompareVRP, without duplicates.
	VRPs []VRP
	// ASPAs is sorted by customer, one record per customer.
	ASPAs []ASPA
	// RouterKeys is sorted by CompareRouterKey, without duplicates.
	RouterKeys []RouterKey
	// DroppedASPAs lists the customers whose merged ASPA was left out for
	// exceeding MaxProviders, sorted by customer. It is what NewSnapshot
	// reports for logs and metrics, not payload: Equal ignores it.
	DroppedASPAs []DroppedASPA
}

// NewSnapshot sorts and deduplicates a Set into a Snapshot. The Set's
// slices are copied, so the caller may reuse them.
func NewSnapshot(s Set) *Snapshot {
	aspas, dropped := normalizeASPAs(s.ASPAs)
	return &Snapshot{
		VRPs:         sortDedup(s.VRPs, CompareVRP),
		ASPAs:        aspas,
		RouterKeys:   sortDedup(s.RouterKeys, CompareRouterKey),
		DroppedASPAs: dropped,
	}
}

// Len returns the number of records of all types.
func (s *Snapshot) Len() int {
	if s == nil {
		return 0
	}
	return len(s.VRPs) + len(s.ASPAs) + len(s.RouterKeys)
}

// Equal reports whether two snapshots hold the same records.
func (s *Snapshot) Equal(o *Snapshot) bool {
	return slices.EqualFunc(s.VRPs, o.VRPs, func(a, b VRP) bool { return a == b }) &&
		slices.EqualFunc(s.ASPAs, o.ASPAs, func(a, b ASPA) bool { return CompareASPA(a, b) == 0 }) &&
		slices.EqualFunc(s.RouterKeys, o.RouterKeys, func(a, b RouterKey) bool { return CompareRouterKey(a, b) == 0 })
}

// sortDedup returns a sorted copy of in without duplicates.
func sortDedup[T any](in []T, cmp func(a, b T) int) []T {
	out := slices.Clone(in)
	slices.SortFunc(out, cmp)
	return slices.CompactFunc(out, func(a, b T) bool { return cmp(a, b) == 0 })
}
