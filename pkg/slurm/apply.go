package slurm

import (
	"slices"

	"github.com/openrpki/validator/pkg/payload"
)

// The methods below apply a Policy as RFC 8416 §4 prescribes: validation
// output filters remove validated payload, then locally added assertions
// are added, and assertions are never filtered (a file may filter
// 10.0.0.0/8 and assert 10.1.0.0/16). A nil *Policy filters nothing and
// asserts nothing.

// FilterVRP reports whether a prefix filter removes v (RFC 8416 §3.3.1):
// v's prefix is equal to or more specific than the filter's prefix, and
// v's ASN equals the filter's asn, for the members the filter sets.
func (p *Policy) FilterVRP(v payload.VRP) bool {
	if p == nil {
		return false
	}
	return p.vrp.covers(&v)
}

// FilterKey reports whether a BGPsec filter removes k (RFC 8416 §3.3.2):
// its asn and SKI equal the filter's, for the members the filter sets.
func (p *Policy) FilterKey(k payload.RouterKey) bool {
	if p == nil {
		return false
	}
	if _, ok := p.keyASN[k.ASN]; ok {
		return true
	}
	if _, ok := p.keySKI[k.SKI]; ok {
		return true
	}
	_, ok := p.keyBoth[skiASN{k.SKI, k.ASN}]
	return ok
}

// FilterASPA reports whether an ASPA filter removes a: its customer AS
// equals the filter's customerAsn (draft-ietf-sidrops-aspa-slurm-03
// §3.1). The whole record goes; there is no per-provider filter.
func (p *Policy) FilterASPA(a payload.ASPA) bool {
	if p == nil {
		return false
	}
	_, ok := p.aspaCustomer[a.Customer]
	return ok
}

// AssertedVRPs returns the VRPs of all prefix assertions (RFC 8416
// §3.4.1), in file order. The slice is shared; do not modify it.
func (p *Policy) AssertedVRPs() []payload.VRP {
	if p == nil {
		return nil
	}
	return p.vrps
}

// AssertedKeys returns the router keys of all BGPsec assertions (RFC 8416
// §3.4.2), in file order. The slice is shared; do not modify it.
func (p *Policy) AssertedKeys() []payload.RouterKey {
	if p == nil {
		return nil
	}
	return p.keys
}

// AssertedASPAs returns the records of all ASPA assertions, in file order.
// The slices are shared; do not modify them. Per
// draft-ietf-sidrops-aspa-slurm-03 §3.2 an assertion "does not act as an
// implicit filter": it adds to validated ASPAs of the same customer, and
// payload.NewSnapshot merges records of one customer into the union of
// their providers. To replace a customer's providers, filter the customer
// and assert the new set.
func (p *Policy) AssertedASPAs() []payload.ASPA {
	if p == nil {
		return nil
	}
	return p.aspas
}

// ApplyVRPs returns the VRPs of in that no filter removes, followed by the
// asserted VRPs. in is not modified.
func (p *Policy) ApplyVRPs(in []payload.VRP) []payload.VRP {
	return apply(in, p.FilterVRP, p.AssertedVRPs())
}

// ApplyKeys returns the router keys of in that no filter removes, followed
// by the asserted keys. in is not modified.
func (p *Policy) ApplyKeys(in []payload.RouterKey) []payload.RouterKey {
	return apply(in, p.FilterKey, p.AssertedKeys())
}

// ApplyASPAs returns the ASPA records of in that no filter removes,
// followed by the asserted records. in is not modified.
func (p *Policy) ApplyASPAs(in []payload.ASPA) []payload.ASPA {
	return apply(in, p.FilterASPA, p.AssertedASPAs())
}

// Apply applies the policy to every kind of payload in s and returns the
// new set; s is not modified. The result may hold duplicates, which
// payload.NewSnapshot removes.
func (p *Policy) Apply(s payload.Set) payload.Set {
	return payload.Set{
		VRPs:       p.ApplyVRPs(s.VRPs),
		ASPAs:      p.ApplyASPAs(s.ASPAs),
		RouterKeys: p.ApplyKeys(s.RouterKeys),
	}
}

// apply keeps the elements of in that drop rejects, then appends add.
func apply[T any](in []T, drop func(T) bool, add []T) []T {
	out := make([]T, 0, len(in)+len(add))
	for _, x := range in {
		if !drop(x) {
			out = append(out, x)
		}
	}
	return append(out, slices.Clip(add)...)
}

// TA is the trust anchor name of locally asserted payload.
const TA = payload.LocalTA

// ApplyTable applies the policy to a table of payload with provenance and
// returns the new table, sorted; t is not modified. Filters run first;
// assertions are added unfiltered, with the trust anchor "slurm", no
// expiry and no source object (RFC 8416 §4). A nil policy returns t.
func (p *Policy) ApplyTable(t *payload.Table) *payload.Table {
	if p == nil {
		return t
	}
	out := *t
	local := payload.Info{TA: t.TAs.Of(TA)}
	out.VRPs = applyInfo(t.VRPs, func(v payload.VRPInfo) bool { return p.FilterVRP(v.VRP) },
		p.AssertedVRPs(), func(v payload.VRP) payload.VRPInfo { return payload.VRPInfo{VRP: v, Info: local} })
	out.ASPAs = applyInfo(t.ASPAs, func(a payload.ASPAInfo) bool { return p.FilterASPA(a.ASPA) },
		p.AssertedASPAs(), func(a payload.ASPA) payload.ASPAInfo { return payload.ASPAInfo{ASPA: a, Info: local} })
	out.RouterKeys = applyInfo(t.RouterKeys, func(k payload.KeyInfo) bool { return p.FilterKey(k.RouterKey) },
		p.AssertedKeys(), func(k payload.RouterKey) payload.KeyInfo { return payload.KeyInfo{RouterKey: k, Info: local} })
	out.Sort()
	return &out
}

// applyInfo keeps the items of in that drop rejects, then appends add,
// each annotated by wrap.
func applyInfo[T, P any](in []T, drop func(T) bool, add []P, wrap func(P) T) []T {
	out := make([]T, 0, len(in)+len(add))
	for _, x := range in {
		if !drop(x) {
			out = append(out, x)
		}
	}
	for _, x := range add {
		out = append(out, wrap(x))
	}
	return out
}
