package validate

import "github.com/openrpki/validator/pkg/payload"

// The memo does not hold the objects and VRPs of the points it remembers:
// the engine's last table holds them, each VRP naming its object (600,000
// VRPs and 230,000 objects held in both were 30 MB of the daemon's heap).
// A run that reuses a point carries them over from that table, renumbering
// the objects to this run's.

// move says that the objects numbered from+1 to from+n in the last table
// are numbered from to+1 in this run's, and are those of memo entry e.
type move struct {
	from, to, n uint32
	e           *memoEntry
}

// lastTable is what the engine keeps of the last table it built, to carry
// VRPs from.
type lastTable struct {
	table *payload.Table
	// merged are the VRPs the table's sort merged away (the same VRP of the
	// same trust anchor from another object): the object of the one kept
	// may change while theirs does not.
	merged []payload.VRPInfo
	// objects are the objects the table numbered (its Sources.Objects,
	// kept even when the table leaves its sources out).
	objects []payload.ObjectSource
}

// carry notes that memo entry e's objects are numbered from base in this
// run's table, reached through a chain that expires at chain, and, when
// the entry was reused, that its VRPs come from the last table. An entry
// reached twice in a run (one CA certificate published at two points) is
// numbered, and its VRPs carried, once: with the later of the chains'
// expiries, what merging the VRPs of both would keep (mergeEqual), unless
// the first reached it afresh, whose VRPs are its chain's.
func (r *run) carry(e *memoEntry, base uint32, reused bool, chain payload.Expiry) {
	if e.nextRun == r.memoRun {
		if e.nextCarried {
			e.nextChain = max(e.nextChain, chain)
		}
		return
	}
	e.next, e.nextRun, e.nextChain, e.nextCarried = base, r.memoRun, chain, reused
	if reused && e.vrps > 0 {
		r.moves = append(r.moves, move{from: e.base, to: base, n: e.objects, e: e})
	}
}

// carried appends to into the VRPs of the reused points, from the last
// table, renumbered, their expiries brought to the chain each point is
// reached through now: first those of its VRPs, in its order, then those
// it merged away. It returns how many came from its VRPs, which are in
// order (the table's sort then merges in only the rest:
// Table.SortKeepingFrom); an expiry is not part of that order.
func (r *run) carried(into []payload.VRPInfo) (_ []payload.VRPInfo, inOrder int) {
	last := r.e.built
	if len(r.moves) == 0 || last.table == nil {
		return into, 0
	}
	renumber := make([]uint32, len(last.objects)+1)
	// rebound is, for the objects of a point whose chain's expiry moved,
	// that expiry and the point's own, the earlier; 0 for the others.
	var rebound []payload.Expiry
	for _, m := range r.moves {
		if int(m.from)+int(m.n) > len(last.objects) {
			continue // cannot happen: commit numbers every entry it keeps
		}
		for i := uint32(1); i <= m.n; i++ {
			renumber[m.from+i] = m.to + i
		}
		if m.e.nextChain != m.e.chain {
			if rebound == nil {
				rebound = make([]payload.Expiry, len(renumber))
			}
			for i := uint32(1); i <= m.n; i++ {
				rebound[m.from+i] = max(min(m.e.nextChain, m.e.own), 1) // 0 marks the others
			}
		}
	}
	appendCarried := func(list []payload.VRPInfo) {
		for _, v := range list {
			if int(v.Object) < len(renumber) && renumber[v.Object] != 0 {
				if rebound != nil && rebound[v.Object] != 0 {
					v.Expires = min(rebound[v.Object], last.objects[v.Object-1].NotAfter)
				}
				v.Object = renumber[v.Object]
				into = append(into, v)
			}
		}
	}
	start := len(into)
	appendCarried(last.table.VRPs)
	inOrder = len(into) - start
	appendCarried(last.merged)
	return into, inOrder
}

// carriedObjects returns the objects of memo entry e, reused, from the last
// table (nil if it does not hold them, which commit rules out).
func (r *run) carriedObjects(e *memoEntry) []payload.ObjectSource {
	from, to := int(e.base), int(e.base)+int(e.objects)
	if to > len(r.e.built.objects) {
		return nil
	}
	return r.e.built.objects[from:to]
}

// carriedLen bounds how many VRPs carried may append.
func (r *run) carriedLen() int {
	if len(r.moves) == 0 || r.e.built.table == nil {
		return 0
	}
	return len(r.e.built.table.VRPs) + len(r.e.built.merged)
}
