package validate

import "github.com/openrpki/validator/pkg/payload"

// gathered is one publication point's output as a run collects it. The
// run's objects are numbered only once the run is over and its table is
// built (assemble): a poll that finds nothing changed builds none of it
// (numbering as it went copied 600,000 objects at every poll).
type gathered struct {
	ca      uint32                 // the CA's index in the run's sources
	objects []payload.ObjectSource // nil when reused: carried from the last table
	vrps    []payload.VRPInfo      // nil when reused: carried from the last table
	aspas   []payload.ASPAInfo
	keys    []payload.KeyInfo
	entry   *memoEntry // nil for a one-shot engine
	reused  bool
}

// assemble numbers the gathered objects in the run's sources and returns
// the payload with its objects in that numbering: the VRPs of the points
// validated afresh and those carried over from the last table for the
// points reused.
func (r *run) assemble() ([]payload.VRPInfo, []payload.ASPAInfo, []payload.KeyInfo) {
	objects, fresh := 0, parts{}
	for i, g := range r.gathered {
		if g.reused {
			r.gathered[i].objects = r.carriedObjects(g.entry)
		}
		objects += len(r.gathered[i].objects)
	}
	r.sources.Objects = make([]payload.ObjectSource, 0, objects)
	var aspas []payload.ASPAInfo
	var keys []payload.KeyInfo
	for i, g := range r.gathered {
		base := uint32(len(r.sources.Objects))
		for _, o := range g.objects {
			o.CA = g.ca
			r.sources.Objects = append(r.sources.Objects, o)
		}
		if g.entry != nil {
			r.carry(g.entry, base, g.reused)
		}
		fresh.add(g.vrps, base)
		for _, a := range g.aspas {
			a.Info = rebase(a.Info, base)
			aspas = append(aspas, a)
		}
		for _, k := range g.keys {
			k.Info = rebase(k.Info, base)
			keys = append(keys, k)
		}
		r.gathered[i] = gathered{}
	}
	r.gathered = nil
	return r.carried(fresh.join(r.carriedLen())), aspas, keys
}

// rebase moves an item's object from its point's numbering to the run's,
// whose objects of the point start after base.
func rebase(i payload.Info, base uint32) payload.Info {
	if i.Object != 0 {
		i.Object += base
	}
	return i
}
