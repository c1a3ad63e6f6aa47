package lab

import (
	"fmt"
	"sort"
	"strings"
)

// scope is how much of the output a fault removes.
type scope int

const (
	scopeNone     scope = iota // nothing: the relying party recovers (e.g. by rsync)
	scopeObject                // the target CA's first ROA
	scopePubPoint              // every product of the target CA (RFC 9286 §6.6 failed fetch)
	scopeCA                    // the target CA certificate and all below it
)

// faultSpec documents one injectable fault and its expected effect.
type faultSpec struct {
	name   string
	scope  scope
	child  bool // targets a delegated child CA rather than a member CA
	effect string
}

// faultCatalogue is every fault `lab generate --faults` knows. Each targets a
// different CA of trust anchor 0, chosen by faultTarget.
var faultCatalogue = []faultSpec{
	{"bad-cms-signature", scopeObject, false,
		"the first ROA's CMS signature does not verify: that ROA is rejected (RFC 6488 §3 item 1)"},
	{"revoked-ee", scopeObject, false,
		"the first ROA's EE certificate is on the CA's CRL: that ROA is rejected (RFC 6487 §5, RFC 6488 §3)"},
	{"roa-outside-ee", scopeObject, false,
		"the first ROA lists a prefix its EE certificate does not hold: that ROA is rejected (RFC 9582 §4)"},
	{"mft-hash-mismatch", scopePubPoint, false,
		"the manifest lists a wrong hash for the first ROA: the publication point is a failed fetch and all its products are dropped (RFC 9286 §6.5, §6.6)"},
	{"missing-file", scopePubPoint, false,
		"the first ROA is listed on the manifest but not published: failed fetch, all products dropped (RFC 9286 §6.4, §6.6)"},
	{"expired-manifest", scopePubPoint, false,
		"the manifest's nextUpdate (and its EE certificate) lie in the past: failed fetch, all products dropped (RFC 9286 §6.3, §6.6)"},
	{"stale-crl", scopePubPoint, false,
		"the CRL's nextUpdate lies in the past: failed fetch, all products dropped (RFC 9286 §6.4, §6.6)"},
	{"over-claiming-ca", scopeCA, true,
		"a child CA certificate holds 10.0.0.0/8, which its parent does not: the CA and everything below it are rejected (RFC 6487 §7.2 strict; RFC 8360 would keep the rest)"},
	{"expired-ca", scopeCA, true,
		"a child CA certificate expired ten days ago: the CA and everything below it are rejected (RFC 6487 §7.2)"},
}

// parseFaults reads a comma-separated fault list.
func parseFaults(list []string) ([]faultSpec, error) {
	var out []faultSpec
	for _, name := range list {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if name == "all" {
			return faultCatalogue, nil
		}
		f, ok := lookupFault(name)
		if !ok {
			return nil, fmt.Errorf("lab: unknown fault %q (have %s, or all)", name, strings.Join(FaultNames(), ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

func lookupFault(name string) (faultSpec, bool) {
	for _, f := range faultCatalogue {
		if f.name == name {
			return f, true
		}
	}
	return faultSpec{}, false
}

// FaultNames lists the known faults.
func FaultNames() []string {
	var names []string
	for _, f := range faultCatalogue {
		names = append(names, f.name)
	}
	sort.Strings(names)
	return names
}

// FaultEffects returns each known fault with its documented effect.
func FaultEffects() map[string]string {
	m := map[string]string{}
	for _, f := range faultCatalogue {
		m[f.name] = f.effect
	}
	return m
}

// faultTargets assigns each fault a distinct CA of trust anchor 0: a member
// CA without children for object and publication-point faults, a delegated
// child CA (which has none below it) for CA faults.
func faultTargets(pl *Plan, faults []faultSpec) (map[int]faultSpec, error) {
	parents := make([]bool, len(pl.CAs))
	for _, c := range pl.CAs {
		if c.Parent >= 0 {
			parents[c.Parent] = true
		}
	}
	var members, children []int
	for i, c := range pl.CAs {
		if c.TA != 0 || c.Parent < 0 || len(c.ROAs) == 0 {
			continue
		}
		switch {
		case isChild(pl, i):
			children = append(children, i)
		case !parents[i]:
			members = append(members, i)
		}
	}
	targets := map[int]faultSpec{}
	for _, f := range faults {
		pool := &members
		if f.child {
			pool = &children
		}
		if len(*pool) == 0 {
			return nil, fmt.Errorf("lab: no CA left to carry fault %s: use a larger preset", f.name)
		}
		targets[(*pool)[0]] = f
		*pool = (*pool)[1:]
	}
	return targets, nil
}
