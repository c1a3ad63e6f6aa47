package x509rpki

import "net/netip"

// Intersect returns the resources held by both r and o, both resolved (no
// inherit). It is the RFC 8360 "validation reconsidered" reading of an
// over-claiming certificate: it keeps what its issuer does hold.
func (r Resources) Intersect(o Resources) Resources {
	return Resources{
		IPv4: IPResources{Present: r.IPv4.Present && o.IPv4.Present, Ranges: intersectIP(r.IPv4.Ranges, o.IPv4.Ranges)},
		IPv6: IPResources{Present: r.IPv6.Present && o.IPv6.Present, Ranges: intersectIP(r.IPv6.Ranges, o.IPv6.Ranges)},
		AS:   ASResources{Present: r.AS.Present && o.AS.Present, Ranges: intersectAS(r.AS.Ranges, o.AS.Ranges)},
	}
}

// intersectIP intersects two canonical range lists in one merge pass.
func intersectIP(a, b []IPRange) []IPRange {
	var out []IPRange
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := maxAddr(a[i].Min, b[j].Min), minAddr(a[i].Max, b[j].Max)
		if lo.Compare(hi) <= 0 {
			out = append(out, IPRange{Min: lo, Max: hi})
		}
		if a[i].Max.Compare(b[j].Max) < 0 {
			i++
		} else {
			j++
		}
	}
	return out
}

// intersectAS intersects two canonical AS range lists.
func intersectAS(a, b []ASRange) []ASRange {
	var out []ASRange
	for i, j := 0, 0; i < len(a) && j < len(b); {
		lo, hi := max(a[i].Min, b[j].Min), min(a[i].Max, b[j].Max)
		if lo <= hi {
			out = append(out, ASRange{Min: lo, Max: hi})
		}
		if a[i].Max < b[j].Max {
			i++
		} else {
			j++
		}
	}
	return out
}

func maxAddr(a, b netip.Addr) netip.Addr {
	if a.Compare(b) > 0 {
		return a
	}
	return b
}

func minAddr(a, b netip.Addr) netip.Addr {
	if a.Compare(b) < 0 {
		return a
	}
	return b
}
