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
	repo   bool // targets a publication server's RRDP rather than a CA
	effect string
}

// faultCatalogue is every fault `lab generate --faults` knows. Each targets a
// different CA of trust anchor 0, chosen by faultTarget.
var faultCatalogue = []faultSpec{
	{"bad-cms-signature", scopeObject, false, false,
		"the first ROA's CMS signature does not verify: that ROA is rejected (RFC 6488 §3 item 1)"},
	{"revoked-ee", scopeObject, false, false,
		"the first ROA's EE certificate is on the CA's CRL: that ROA is rejected (RFC 6487 §5, RFC 6488 §3)"},
	{"roa-outside-ee", scopeObject, false, false,
		"the first ROA lists a prefix its EE certificate does not hold: that ROA is rejected (RFC 9582 §4)"},
	{"mft-hash-mismatch", scopePubPoint, false, false,
		"the manifest lists a wrong hash for the first ROA: the publication point is a failed fetch and all its products are dropped (RFC 9286 §6.5, §6.6)"},
	{"missing-file", scopePubPoint, false, false,
		"the first ROA is listed on the manifest but not published: failed fetch, all products dropped (RFC 9286 §6.4, §6.6)"},
	{"expired-manifest", scopePubPoint, false, false,
		"the manifest's nextUpdate (and its EE certificate) lie in the past: failed fetch, all products dropped (RFC 9286 §6.3, §6.6)"},
	{"stale-crl", scopePubPoint, false, false,
		"the CRL's nextUpdate lies in the past: failed fetch, all products dropped (RFC 9286 §6.4, §6.6)"},
	{"over-claiming-ca", scopeCA, true, false,
		"a child CA certificate holds 10.0.0.0/8, which its parent does not: the CA and everything below it are rejected (RFC 6487 §7.2 strict; RFC 8360 would keep the rest)"},
	{"expired-ca", scopeCA, true, false,
		"a child CA certificate expired ten days ago: the CA and everything below it are rejected (RFC 6487 §7.2)"},
	{"mft-number-backwards", scopeNone, false, false,
		"at the first publish, the CA re-issues its manifest with a lower number and one ROA fewer: a relying party that validated the previous serial rejects the new manifest and keeps the previous publication point (RFC 9286 §4.2.1), so the expected output keeps that ROA"},
}

// hostileCatalogue lists the repository faults (`--faults hostile` or by
// name). Each makes the RRDP server of one publication server misbehave;
// its rsync module stays intact, so a relying party that bounds the damage
// and falls back to rsync outputs everything (expected output unchanged).
var hostileCatalogue = []faultSpec{
	{"rrdp-doctype", scopeNone, false, true,
		"the notification file carries a DOCTYPE with an entity (billion laughs): rejected before parsing, rsync used (RFC 8182 §3.5)"},
	{"rrdp-slow", scopeNone, false, true,
		"every RRDP file is sent at one byte per second: the per-repository deadline stops it, rsync used"},
	{"rrdp-huge", scopeNone, false, true,
		"the snapshot is an endless stream inside one publish element: the object size limit stops it, rsync used"},
	{"rrdp-gzip-bomb", scopeNone, false, true,
		"the snapshot is sent gzip-encoded, expanding without end: the decompression limit stops it, rsync used"},
	{"rrdp-cross-origin", scopeNone, false, true,
		"the notification points to a snapshot on another origin: rejected (RFC 9674 same origin), rsync used"},
}

// parseFaults reads a comma-separated fault list.
func parseFaults(list []string) ([]faultSpec, error) {
	var out []faultSpec
	for _, name := range list {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		switch name {
		case "all":
			out = append(out, faultCatalogue...)
			continue
		case "hostile":
			out = append(out, hostileCatalogue...)
			continue
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
	for _, f := range append(faultCatalogue[:len(faultCatalogue):len(faultCatalogue)], hostileCatalogue...) {
		if f.name == name {
			return f, true
		}
	}
	return faultSpec{}, false
}

// FaultNames lists the known faults.
func FaultNames() []string {
	var names []string
	for _, f := range append(faultCatalogue[:len(faultCatalogue):len(faultCatalogue)], hostileCatalogue...) {
		names = append(names, f.name)
	}
	sort.Strings(names)
	return names
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
		if f.repo {
			continue // see repoTargets
		}
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

// repoTargets assigns each repository fault a distinct publication server
// of trust anchor 0 other than the first (which holds the TA's own CAs).
func repoTargets(pl *Plan, faults []faultSpec) (map[int]string, error) {
	targets := map[int]string{}
	next := 1
	for _, f := range faults {
		if !f.repo {
			continue
		}
		if next >= pl.Preset.Repositories {
			return nil, fmt.Errorf("lab: no publication server left to carry fault %s: use a larger preset", f.name)
		}
		targets[pl.repo(0, next)] = f.name
		next++
	}
	return targets, nil
}
