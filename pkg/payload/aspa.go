package payload

import (
	"cmp"
	"fmt"
	"slices"
)

// ASPA is one validated ASPA record: a customer AS and the set of ASes
// authorised as its providers (draft-ietf-sidrops-aspa-profile §3). Current
// ASPA objects carry no AFI, so neither does the record; the older
// per-AFI JSON form is merged on reading.
//
// In a Snapshot there is at most one ASPA per customer and Providers is
// sorted, deduplicated and shared read-only.
type ASPA struct {
	// Customer is the customer AS (customerASID).
	Customer uint32
	// Providers is the sorted, deduplicated provider set.
	Providers []uint32
}

// String formats the record as "AS64496 => [AS1 AS2]".
func (a ASPA) String() string {
	return fmt.Sprintf("AS%d => %v", a.Customer, a.Providers)
}

// CompareASPA orders ASPA records by customer, then by provider list. Two
// records compare equal only if they are identical, which makes the delta
// of ASPA records a plain set difference.
func CompareASPA(a, b ASPA) int {
	if c := cmp.Compare(a.Customer, b.Customer); c != 0 {
		return c
	}
	return slices.Compare(a.Providers, b.Providers)
}

// DroppedASPA is a customer whose merged provider set exceeded
// MaxProviders: its record is left out of the Snapshot, as Routinator does,
// because no RTR v2 PDU can carry it (draft-ietf-sidrops-8210bis-27 §5.1:
// at most 65,535 octets, so 16,380 providers).
type DroppedASPA struct {
	// Customer is the customer AS.
	Customer uint32
	// Providers is the size of the merged provider set.
	Providers int
}

// normalizeASPAs sorts records by customer and merges records of the same
// customer into one with the union of their providers, as rpki-client does
// when several valid ASPA objects name the same customer (and as the
// one-ASPA-per-customer rule of draft-ietf-sidrops-8210bis-27 §5.12
// requires on the wire). Two rules of that section shape the union: AS 0
// is left out of a set that has other providers (a PDU announcing several
// providers must not contain AS 0; §10 describes the same exclusion), and
// a union larger than MaxProviders is dropped whole and reported, never
// truncated (a partial provider set would make valid routes Invalid).
// Provider slices that are already normalized are reused.
func normalizeASPAs(in []ASPA) (merged []ASPA, dropped []DroppedASPA) {
	out := make([]ASPA, 0, len(in))
	for _, a := range in {
		out = append(out, ASPA{Customer: a.Customer, Providers: a.Providers})
	}
	slices.SortStableFunc(out, func(a, b ASPA) int { return cmp.Compare(a.Customer, b.Customer) })
	merged = out[:0]
	for i := 0; i < len(out); {
		j := i + 1
		provs := out[i].Providers
		if j < len(out) && out[j].Customer == out[i].Customer {
			provs = slices.Clone(provs)
			for ; j < len(out) && out[j].Customer == out[i].Customer; j++ {
				provs = append(provs, out[j].Providers...)
			}
		}
		provs = withoutAS0(sortedProviders(provs))
		if len(provs) > MaxProviders {
			dropped = append(dropped, DroppedASPA{Customer: out[i].Customer, Providers: len(provs)})
		} else {
			merged = append(merged, ASPA{Customer: out[i].Customer, Providers: provs})
		}
		i = j
	}
	return merged, dropped
}

// withoutAS0 removes AS 0 from a sorted provider set that has other
// providers (draft-ietf-sidrops-8210bis-27 §5.12). The result shares p.
func withoutAS0(p []uint32) []uint32 {
	if len(p) > 1 && p[0] == 0 {
		return p[1:]
	}
	return p
}

// sortedProviders returns providers sorted and deduplicated, copying only
// when the input is not already in that form.
func sortedProviders(p []uint32) []uint32 {
	if slices.IsSorted(p) && !hasAdjacentDup(p) {
		return p
	}
	c := slices.Clone(p)
	slices.Sort(c)
	return slices.Compact(c)
}

func hasAdjacentDup(p []uint32) bool {
	for i := 1; i < len(p); i++ {
		if p[i] == p[i-1] {
			return true
		}
	}
	return false
}
