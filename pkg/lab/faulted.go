package lab

import "sort"

// Faulted is where one injected fault shows in a relying party's report:
// the object it must reject, or the publication point it must fail.
type Faulted struct {
	// Fault is the fault's name (FaultNames).
	Fault string
	// URI is the rsync URI of the rejected object (the CA's first ROA,
	// or the CA certificate for a CA fault) or of the failed publication
	// point.
	URI string
	// Point is set when URI is a publication point.
	Point bool
}

// Faulted lists the faults of the lab that a relying party reports at its
// first validation, sorted by fault name: those of an object, a
// publication point or a CA. A fault that shows only after a publish
// (mft-number-backwards) or that a relying party recovers from (the RRDP
// faults: rsync serves the data) has nothing to report and is left out.
func (l *Lab) Faulted() []Faulted {
	var out []Faulted
	pl, ep := l.Plan, l.Config.Endpoints
	for i, f := range l.b.faults {
		switch f.scope {
		case scopeObject:
			out = append(out, Faulted{Fault: f.name, URI: pl.ppURI(ep, i) + roaName(0)})
		case scopePubPoint:
			out = append(out, Faulted{Fault: f.name, URI: pl.ppURI(ep, i), Point: true})
		case scopeCA:
			out = append(out, Faulted{Fault: f.name, URI: ep.rsync(pl.certPath(i))})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Fault < out[b].Fault })
	return out
}
