package lab

import (
	"net/netip"
	"reflect"

	"github.com/openrpki/validator/pkg/x509rpki"
	"testing"
)

func TestPlanSizes(t *testing.T) {
	for _, tc := range []struct {
		preset           string
		cas, roas, aspas int
		minVRPs, maxVRPs int
	}{
		{"small", 50, 480, 12, 1200, 1800},
		{"medium", 2004, 20000, 500, 50000, 70000},
		{"global", 40010, 200000, 10000, 550000, 650000},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			pl := mustPlan(t, tc.preset, 1)
			var roas, aspas, vrps int
			for _, ca := range pl.CAs {
				roas += len(ca.ROAs)
				aspas += len(ca.ASPAs)
				for _, r := range ca.ROAs {
					vrps += len(r.Prefixes)
				}
			}
			if len(pl.CAs) != tc.cas || roas != tc.roas {
				t.Errorf("CAs %d ROAs %d, want %d and %d", len(pl.CAs), roas, tc.cas, tc.roas)
			}
			if aspas < tc.aspas*9/10 || aspas > tc.aspas*11/10 {
				t.Errorf("ASPAs %d, want about %d", aspas, tc.aspas)
			}
			if vrps < tc.minVRPs || vrps > tc.maxVRPs {
				t.Errorf("VRPs %d, want %d..%d", vrps, tc.minVRPs, tc.maxVRPs)
			}
		})
	}
}

func TestPlanDeterministic(t *testing.T) {
	a, b := mustPlan(t, "small", 7), mustPlan(t, "small", 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different plans")
	}
	if c := mustPlan(t, "small", 8); reflect.DeepEqual(a.CAs, c.CAs) {
		t.Fatal("different seeds gave the same plan")
	}
}

// TestPlanContainment checks the address plan: every CA within its parent,
// siblings disjoint, every ROA prefix inside its CA's own space.
func TestPlanContainment(t *testing.T) {
	pl := mustPlan(t, "medium", 1)
	for i, ca := range pl.CAs {
		v4, v6 := rangePrefix(t, ca.Resources.IPv4.Ranges[0]), rangePrefix(t, ca.Resources.IPv6.Ranges[0])
		as := ca.Resources.AS.Ranges[0]
		if ca.Parent >= 0 {
			par := pl.CAs[ca.Parent]
			pv4, pv6 := rangePrefix(t, par.Resources.IPv4.Ranges[0]), rangePrefix(t, par.Resources.IPv6.Ranges[0])
			pas := par.Resources.AS.Ranges[0]
			if !within(v4, pv4) || !within(v6, pv6) || as.Min < pas.Min || as.Max > pas.Max {
				t.Fatalf("CA %s not within parent %s", ca.Name, par.Name)
			}
			if par.OwnV4.IsValid() && (v4.Overlaps(par.OwnV4) || v6.Overlaps(par.OwnV6)) {
				t.Fatalf("CA %s overlaps its parent's own space", ca.Name)
			}
		}
		for _, r := range ca.ROAs {
			for _, p := range r.Prefixes {
				own := ca.OwnV4
				if p.Prefix.Addr().Is6() {
					own = ca.OwnV6
				}
				if !within(p.Prefix, own) || p.MaxLength < p.Prefix.Bits() || p.MaxLength > p.Prefix.Addr().BitLen() {
					t.Fatalf("CA %d %s: ROA prefix %v/%d outside %v", i, ca.Name, p.Prefix, p.MaxLength, own)
				}
			}
		}
		for _, a := range ca.ASPAs {
			for j, p := range a.Providers {
				if p == a.Customer || (j > 0 && p <= a.Providers[j-1]) {
					t.Fatalf("CA %s: ASPA providers %v not sorted/unique without customer %d", ca.Name, a.Providers, a.Customer)
				}
			}
		}
	}
}

func mustPlan(t *testing.T, preset string, seed uint64) *Plan {
	t.Helper()
	p, err := LookupPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewPlan(p, seed)
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func within(inner, outer netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

func rangePrefix(t *testing.T, r x509rpki.IPRange) netip.Prefix {
	t.Helper()
	for bits := 0; bits <= r.Min.BitLen(); bits++ {
		p := netip.PrefixFrom(r.Min, bits).Masked()
		if p.Addr() == r.Min && prefixRange(p).Max == r.Max {
			return p
		}
	}
	t.Fatalf("range %v-%v is not a prefix", r.Min, r.Max)
	return netip.Prefix{}
}
