package output

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/openrpki/validator/pkg/payload"
)

// Filter selects what an output holds, with the query parameters of
// Routinator's format endpoints (src/output.rs, Output::update_from_query
// and SelectResource):
//
//   - select-asn=AS65000 (or filter-asn): VRPs with that origin, router
//     keys of that AS and ASPAs of that customer;
//   - select-prefix=192.0.2.0/24 (or filter-prefix): the VRPs whose prefix
//     covers it (the VRPs that decide its validity, RFC 6811 §2);
//   - include=more-specifics: select-prefix also selects the VRPs it
//     covers;
//   - exclude=routeOrigins,routerKeys,aspas: leave a kind out.
//
// An item is selected when any select-asn or select-prefix matches it;
// with only select-prefix values, no router key or ASPA is. Each
// parameter may repeat.
type Filter struct {
	// ASNs and Prefixes are sorted and hold each value once.
	ASNs     []uint32
	Prefixes []netip.Prefix
	// MoreSpecifics is include=more-specifics.
	MoreSpecifics bool
	// NoVRPs, NoKeys and NoASPAs are exclude=routeOrigins, routerKeys and
	// aspas.
	NoVRPs, NoKeys, NoASPAs bool
}

// ParseFilter reads a filter from a URL query (r.URL.RawQuery). It
// returns nil for an empty query, and an error naming the parameter for
// anything it does not know: nothing is silently ignored.
func ParseFilter(rawQuery string) (*Filter, error) {
	if rawQuery == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("output: query: %v", err)
	}
	f := &Filter{}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		for _, v := range q[k] {
			if err := f.set(k, v); err != nil {
				return nil, fmt.Errorf("output: query: %w", err)
			}
		}
	}
	if n := len(f.ASNs) + len(f.Prefixes); n > MaxSelectors {
		return nil, fmt.Errorf("output: query: %d select-asn and select-prefix values, at most %d", n, MaxSelectors)
	}
	slices.Sort(f.ASNs)
	f.ASNs = slices.Compact(f.ASNs)
	slices.SortFunc(f.Prefixes, comparePrefix)
	f.Prefixes = slices.Compact(f.Prefixes)
	return f, nil
}

// set applies one query parameter.
func (f *Filter) set(key, value string) error {
	switch key {
	case "select-asn", "filter-asn":
		asn, err := ParseASN(value)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		f.ASNs = append(f.ASNs, asn)
	case "select-prefix", "filter-prefix":
		p, err := netip.ParsePrefix(value)
		if err != nil {
			return fmt.Errorf("%s %q: want an IPv4 or IPv6 prefix such as 192.0.2.0/24", key, value)
		}
		if p.Masked() != p {
			return fmt.Errorf("%s %q: host bits set (want %v)", key, value, p.Masked())
		}
		f.Prefixes = append(f.Prefixes, p)
	case "include":
		return f.setList(key, value, map[string]*bool{"more-specifics": &f.MoreSpecifics})
	case "exclude":
		return f.setList(key, value, map[string]*bool{"routeOrigins": &f.NoVRPs, "routerKeys": &f.NoKeys, "aspas": &f.NoASPAs})
	default:
		return fmt.Errorf("unknown parameter %q (want select-asn, select-prefix, include=more-specifics or exclude)", key)
	}
	return nil
}

// setList sets the flags a comma-separated value names.
func (f *Filter) setList(key, value string, flags map[string]*bool) error {
	for v := range strings.SplitSeq(value, ",") {
		p, ok := flags[v]
		if !ok {
			return fmt.Errorf("%s %q: want %s", key, v, strings.Join(slices.Sorted(func(yield func(string) bool) {
				for k := range flags {
					if !yield(k) {
						return
					}
				}
			}), " or "))
		}
		*p = true
	}
	return nil
}

// ParseASN reads "AS65000", "as65000" or "65000" (RFC 6793: 32 bits), the
// forms Routinator accepts.
func ParseASN(s string) (uint32, error) {
	d := s
	if len(d) > 2 && strings.EqualFold(d[:2], "AS") {
		d = d[2:]
	}
	if d == "" || d[0] < '0' || d[0] > '9' {
		return 0, fmt.Errorf("AS number %q: want AS<number> with a 32-bit number (RFC 6793)", s)
	}
	n, err := strconv.ParseUint(d, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("AS number %q: want AS<number> with a 32-bit number (RFC 6793)", s)
	}
	return uint32(n), nil
}

// String is the filter in one canonical form: two filters that select the
// same items print the same (an HTTP cache key).
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	var b strings.Builder
	for _, a := range f.ASNs {
		fmt.Fprintf(&b, "asn=%d;", a)
	}
	for _, p := range f.Prefixes {
		fmt.Fprintf(&b, "prefix=%v;", p)
	}
	for _, flag := range []struct {
		on   bool
		name string
	}{{f.MoreSpecifics, "more-specifics"}, {f.NoVRPs, "-routeOrigins"}, {f.NoKeys, "-routerKeys"}, {f.NoASPAs, "-aspas"}} {
		if flag.on {
			b.WriteString(flag.name + ";")
		}
	}
	return b.String()
}

// selects reports whether the filter names resources (select-*).
func (f *Filter) selects() bool { return len(f.ASNs)+len(f.Prefixes) > 0 }

func (f *Filter) hasASN(asn uint32) bool {
	_, ok := slices.BinarySearch(f.ASNs, asn)
	return ok
}

// VRP reports whether v is selected. A nil filter selects everything.
func (f *Filter) VRP(v payload.VRP) bool {
	if f == nil {
		return true
	}
	if f.NoVRPs {
		return false
	}
	if !f.selects() || f.hasASN(v.ASN) {
		return true
	}
	p := v.Prefix()
	for _, q := range f.Prefixes {
		if p.Bits() <= q.Bits() && p.Contains(q.Addr()) {
			return true // the VRP covers the selected prefix
		}
		if f.MoreSpecifics && q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return true // the selected prefix covers the VRP
		}
	}
	return false
}

// RouterKey reports whether k is selected.
func (f *Filter) RouterKey(k *payload.RouterKey) bool {
	if f == nil {
		return true
	}
	return !f.NoKeys && (!f.selects() || f.hasASN(k.ASN))
}

// ASPA reports whether a is selected.
func (f *Filter) ASPA(a *payload.ASPA) bool {
	if f == nil {
		return true
	}
	return !f.NoASPAs && (!f.selects() || f.hasASN(a.Customer))
}

// vrps, keys and aspas report whether a kind of payload is written at
// all (Routinator leaves the JSON member out when it is excluded).
func (f *Filter) vrps() bool  { return f == nil || !f.NoVRPs }
func (f *Filter) keys() bool  { return f == nil || !f.NoKeys }
func (f *Filter) aspas() bool { return f == nil || !f.NoASPAs }

// comparePrefix orders prefixes: IPv4 first, then address and length.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}
