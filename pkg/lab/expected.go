package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/openrpki/validator/pkg/payload"
)

// Expected returns what a correct relying party outputs for the lab as
// published now: every ROA, ASPA and router key of every CA, less what
// the injected faults take away (see faultCatalogue).
func (l *Lab) Expected() (payload.Set, error) { return l.ExpectedWithout(nil) }

// ExpectedWithout is the expected output of a relying party that also
// drops the CAs for which drop holds, and everything below them: what a
// limit of the relying party that rejects those CAs leaves. nil drops
// none.
func (l *Lab) ExpectedWithout(drop func(ca int) bool) (payload.Set, error) {
	var set payload.Set
	gone := l.silentCAs()
	for i, c := range l.Plan.CAs {
		if drop != nil && (drop(i) || (c.Parent >= 0 && gone[c.Parent])) {
			gone[i] = true
		}
		if gone[i] {
			continue
		}
		roas := c.ROAs
		if frozen, ok := l.b.frozen[i]; ok {
			roas = frozen // the relying party kept the previous manifest
		}
		for k, r := range roas {
			if k == 0 && l.b.faults[i].scope == scopeObject {
				continue
			}
			for _, p := range r.Prefixes {
				v, err := payload.NewVRP(p.Prefix, uint8(p.MaxLength), r.ASN)
				if err != nil {
					return set, fmt.Errorf("lab: CA %s: %w", c.Name, err)
				}
				set.VRPs = append(set.VRPs, v)
			}
		}
		overflow, hasOverflow := l.b.overflowCustomer(i)
		for _, a := range c.ASPAs {
			if hasOverflow && a.Customer == overflow {
				continue // merged with the overflow ASPAs: too large, dropped
			}
			set.ASPAs = append(set.ASPAs, payload.ASPA{Customer: a.Customer, Providers: a.Providers})
		}
		for _, rk := range c.RouterKeys {
			k, err := l.b.routerKey(i, rk)
			if err != nil {
				return set, err
			}
			set.RouterKeys = append(set.RouterKeys,
				payload.RouterKey{SKI: [20]byte(k.SKI()), ASN: rk.ASN, SPKI: k.SPKI()})
		}
	}
	return set, nil
}

// silentCAs marks the CAs whose products a relying party must drop: those
// carrying a publication-point or CA fault, and everything below a CA
// that is rejected. Parents come before children in the plan.
func (l *Lab) silentCAs() []bool {
	pl := l.Plan
	dead := make([]bool, len(pl.CAs))   // the CA certificate is rejected
	silent := make([]bool, len(pl.CAs)) // nothing the CA issued is used
	for i, c := range pl.CAs {
		s := l.b.faults[i].scope
		dead[i] = s == scopeCA || l.b.revokedCA[i] || (c.Parent >= 0 && silent[c.Parent])
		silent[i] = dead[i] || s == scopePubPoint
	}
	return silent
}

// writeExpected saves the expected output as expected/output.json, in the
// JSON format of `validator vrps`.
func (l *Lab) writeExpected() error {
	set, err := l.Expected()
	if err != nil {
		return err
	}
	return l.writeExpectedSnapshot(payload.NewSnapshot(set))
}

// writeExpectedSnapshot saves the expected output, s, as
// expected/output.json.
func (l *Lab) writeExpectedSnapshot(s *payload.Snapshot) error {
	path := filepath.Join(l.Dir, expectDir, "output.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := payload.WriteJSON(f, s, l.Config.Time); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// faultsFile lists, in expected/, the faults injected into the lab and
// their documented effect on a relying party's output.
const faultsFile = "faults.txt"

// writeFaults saves expected/faults.txt: one line per injected fault,
// tab-separated: its name, its target (the object, point or CA a relying
// party reports, "-" for a fault it recovers from or that shows later)
// and its expected effect. Nothing is written for a lab without faults.
func (l *Lab) writeFaults() error {
	specs, err := parseFaults(l.Config.Faults)
	if err != nil || len(specs) == 0 {
		return err
	}
	targets := map[string]string{}
	for _, f := range l.Faulted() {
		targets[f.Fault] = f.URI
	}
	var b strings.Builder
	b.WriteString("# fault\ttarget\texpected effect (validator lab generate --faults)\n")
	for _, f := range specs {
		target := targets[f.name]
		if target == "" {
			target = "-"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", f.name, target, f.effect)
	}
	return os.WriteFile(l.FaultsFile(), []byte(b.String()), 0o644)
}
