package validate

import (
	"context"
	"testing"

	"github.com/openrpki/validator/internal/peers"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
)

// TestSameVRPsAsRPKIClient validates one served lab (every fault injected)
// with our engine and with Debian's rpki-client: the VRP sets must be
// equal. IP inherit is left out of the lab because rpki-client 8.2
// rejects it in CA certificates (docs/conformance.md).
func TestSameVRPsAsRPKIClient(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 41, NoIPInherit: true, Faults: []string{"all"}})
	ours := validateLab(t, l, t.TempDir(), fetch.SourceOptions{})
	rc := &peers.RPKIClient{CAFile: l.CAFile()}
	theirs, err := rc.Run(context.Background(), l.TALFiles())
	if err != nil {
		t.Fatal(err)
	}
	got := payload.NewSnapshot(payload.Set{VRPs: ours.Set().VRPs})
	if !got.Equal(theirs.VRPs) {
		d := payload.Construct(theirs.VRPs, got)
		t.Fatalf("VRPs differ from rpki-client's: we have %d more and %d fewer (of %d)\nextra: %v\nmissing: %v",
			len(d.AnnouncedVRPs), len(d.WithdrawnVRPs), len(theirs.VRPs.VRPs), d.AnnouncedVRPs, d.WithdrawnVRPs)
	}
	t.Logf("same %d VRPs as rpki-client", len(got.VRPs))
}
