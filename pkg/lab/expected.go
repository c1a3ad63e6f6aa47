package lab

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/openrpki/validator/pkg/payload"
)

// Expected returns what a correct relying party outputs for the lab as
// published now: every ROA, ASPA and router key of every CA.
func (l *Lab) Expected() (payload.Set, error) {
	var set payload.Set
	for i, c := range l.Plan.CAs {
		for _, r := range c.ROAs {
			for _, p := range r.Prefixes {
				v, err := payload.NewVRP(p.Prefix, uint8(p.MaxLength), r.ASN)
				if err != nil {
					return set, fmt.Errorf("lab: CA %s: %w", c.Name, err)
				}
				set.VRPs = append(set.VRPs, v)
			}
		}
		for _, a := range c.ASPAs {
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

// writeExpected saves the expected output as expected/output.json, in the
// JSON format of `validator vrps`.
func (l *Lab) writeExpected() error {
	set, err := l.Expected()
	if err != nil {
		return err
	}
	path := filepath.Join(l.Dir, expectDir, "output.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := payload.WriteJSON(f, payload.NewSnapshot(set), l.Config.Time); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
