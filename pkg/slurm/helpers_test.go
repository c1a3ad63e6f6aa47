package slurm

import (
	"github.com/openrpki/validator/pkg/payload"
)

// referenceApply is a deliberately naive RFC 8416 §4 implementation for
// differential tests: every record against every filter of every file,
// prefix containment with netip, then all assertions appended.
func referenceApply(s payload.Set, files []*File) payload.Set {
	var out payload.Set
	for _, v := range s.VRPs {
		if !refDropVRP(v, files) {
			out.VRPs = append(out.VRPs, v)
		}
	}
	for _, k := range s.RouterKeys {
		if !refDropKey(k, files) {
			out.RouterKeys = append(out.RouterKeys, k)
		}
	}
	for _, a := range s.ASPAs {
		if !refDropASPA(a, files) {
			out.ASPAs = append(out.ASPAs, a)
		}
	}
	for _, f := range files {
		for _, pa := range f.PrefixAssertions {
			out.VRPs = append(out.VRPs, pa.VRP)
		}
		for _, ba := range f.BGPsecAssertions {
			out.RouterKeys = append(out.RouterKeys, ba.Key)
		}
		for _, aa := range f.ASPAAssertions {
			out.ASPAs = append(out.ASPAs, aa.ASPA)
		}
	}
	return out
}

func refDropVRP(v payload.VRP, files []*File) bool {
	vp := v.Prefix()
	for _, f := range files {
		for _, pf := range f.PrefixFilters {
			pfxOK := !pf.Prefix.IsValid() ||
				(pf.Prefix.Addr().Is6() == vp.Addr().Is6() && pf.Prefix.Bits() <= vp.Bits() && pf.Prefix.Contains(vp.Addr()))
			asnOK := !pf.HasASN || pf.ASN == v.ASN
			if pfxOK && asnOK {
				return true
			}
		}
	}
	return false
}

func refDropKey(k payload.RouterKey, files []*File) bool {
	for _, f := range files {
		for _, bf := range f.BGPsecFilters {
			if (!bf.HasASN || bf.ASN == k.ASN) && (!bf.HasSKI || bf.SKI == k.SKI) {
				return true
			}
		}
	}
	return false
}

func refDropASPA(a payload.ASPA, files []*File) bool {
	for _, f := range files {
		for _, af := range f.ASPAFilters {
			if af.Customer == a.Customer {
				return true
			}
		}
	}
	return false
}
