package validate

import (
	"slices"

	"github.com/openrpki/validator/pkg/payload"
)

// gathered is one publication point's output as a run collects it. The
// run's objects are numbered only once the run is over and its table is
// built (assemble): a poll that finds nothing changed builds none of it
// (numbering as it went copied 600,000 objects at every poll).
type gathered struct {
	ca     uint32 // the CA's index in the run's sources
	reused bool
	entry  *memoEntry // nil for a one-shot engine
	// chain is the expiry of the chain the point was reached through.
	chain payload.Expiry
	// fresh is the output of a point validated in this run; nil when
	// reused (the entry holds its ASPAs and keys, the last table its
	// objects and VRPs).
	fresh *caOutput
}

// payload returns what g's point yielded, its objects in the point's
// numbering (from 1).
func (r *run) payload(g gathered) ([]payload.ObjectSource, []payload.VRPInfo, []payload.ASPAInfo, []payload.KeyInfo) {
	if !g.reused {
		return g.fresh.objects, g.fresh.vrps, g.fresh.aspas, g.fresh.keys
	}
	objects := r.carriedObjects(g.entry)
	var aspas []payload.ASPAInfo
	var keys []payload.KeyInfo
	if m := g.entry.more; m != nil {
		aspas, keys = m.aspas, m.keys
		if g.chain != m.chain {
			// Their expiries as the chain reached through now sets them.
			aspas = slices.Clone(aspas)
			for i := range aspas {
				aspas[i].Expires = reboundExpiry(aspas[i].Info, objects, g.chain, g.entry.own)
			}
			keys = slices.Clone(keys)
			for i := range keys {
				keys[i].Expires = reboundExpiry(keys[i].Info, objects, g.chain, g.entry.own)
			}
		}
	}
	return objects, nil, aspas, keys
}

// reboundExpiry is the expiry of a payload item of a point whose own
// expiry is own, reached through a chain that expires at chain: the
// earliest of those and its object's notAfter (objects are the point's,
// the item's object numbered from 1 among them).
func reboundExpiry(i payload.Info, objects []payload.ObjectSource, chain, own payload.Expiry) payload.Expiry {
	e := min(chain, own)
	if k, ok := i.Source(); ok && k < len(objects) {
		e = min(e, objects[k].NotAfter)
	}
	return e
}

// assemble numbers the gathered objects in the run's sources and returns
// the payload with its objects in that numbering: the VRPs carried over
// from the last table for the points reused, the first inOrder of them
// sorted, then those of the points validated afresh.
func (r *run) assemble() (vrps []payload.VRPInfo, inOrder int, aspas []payload.ASPAInfo, keys []payload.KeyInfo) {
	count, fresh := 0, parts{}
	for _, g := range r.gathered {
		objects, _, _, _ := r.payload(g)
		count += len(objects)
	}
	r.sources.Objects = make([]payload.ObjectSource, 0, count)
	for i, g := range r.gathered {
		objects, pointVRPs, pointASPAs, pointKeys := r.payload(g)
		base := uint32(len(r.sources.Objects))
		for _, o := range objects {
			o.CA = g.ca
			r.sources.Objects = append(r.sources.Objects, o)
		}
		if g.entry != nil {
			r.carry(g.entry, base, g.reused, g.chain)
		}
		fresh.add(pointVRPs, base)
		for _, a := range pointASPAs {
			a.Info = rebase(a.Info, base)
			aspas = append(aspas, a)
		}
		for _, k := range pointKeys {
			k.Info = rebase(k.Info, base)
			keys = append(keys, k)
		}
		r.gathered[i] = gathered{}
	}
	r.gathered = nil
	vrps, inOrder = r.carried(make([]payload.VRPInfo, 0, fresh.n+r.carriedLen()))
	return fresh.appendTo(vrps), inOrder, aspas, keys
}

// rebase moves an item's object from its point's numbering to the run's,
// whose objects of the point start after base.
func rebase(i payload.Info, base uint32) payload.Info {
	if i.Object != 0 {
		i.Object += base
	}
	return i
}
