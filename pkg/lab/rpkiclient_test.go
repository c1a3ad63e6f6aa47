package lab

import (
	"context"
	"testing"

	"github.com/openrpki/validator/internal/peers"
	"github.com/openrpki/validator/pkg/payload"
)

// servedLab generates a lab on free loopback ports and serves it.
func servedLab(t *testing.T, cfg Config) (*Lab, *Server) {
	t.Helper()
	cfg.PrimesFile = testPrimes()
	l, srv, err := Launch(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return l, srv
}

// runRPKIClient validates the lab with rpki-client (a fresh cache unless
// cache is given) and returns its VRPs.
func runRPKIClient(t *testing.T, l *Lab, cache string, flags ...string) *peers.Output {
	t.Helper()
	rc := &peers.RPKIClient{Cache: cache, CAFile: l.CAFile()}
	out, err := rc.Run(context.Background(), l.TALFiles(), flags...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expectVRPs checks rpki-client's VRPs against the lab's expected ones.
func expectVRPs(t *testing.T, l *Lab, got *peers.Output) {
	t.Helper()
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	w := payload.NewSnapshot(payload.Set{VRPs: want.VRPs})
	if !w.Equal(got.VRPs) {
		d := payload.Construct(w, got.VRPs)
		t.Fatalf("rpki-client VRPs differ from the lab's: %d extra, %d missing (of %d)\n%s",
			len(d.AnnouncedVRPs), len(d.WithdrawnVRPs), len(w.VRPs), got.Log)
	}
	t.Logf("rpki-client agrees on %d VRPs", len(got.VRPs.VRPs))
}

// TestRPKIClientValidatesLab runs Debian's rpki-client against the served
// small lab, over RRDP (the lab's TLS CA given as SSL_CERT_FILE) and over
// rsync only, and compares its VRPs with the lab's expected ones.
// rpki-client 8.2 rejects IP inherit in CA certificates and reads only the
// old ASPA encoding, so the lab leaves IP inherit out and ASPAs are not
// compared here.
func TestRPKIClientValidatesLab(t *testing.T) {
	l, _ := servedLab(t, Config{Seed: 3, NoIPInherit: true})
	t.Run("rrdp", func(t *testing.T) { expectVRPs(t, l, runRPKIClient(t, l, "")) })
	t.Run("rsync", func(t *testing.T) { expectVRPs(t, l, runRPKIClient(t, l, "", "-R")) })
}

// TestRPKIClientAgreesOnFaults serves a small lab carrying every fault of
// the catalogue (each on its own CA) and checks that rpki-client drops
// exactly what the lab's documented effects say.
func TestRPKIClientAgreesOnFaults(t *testing.T) {
	l, _ := servedLab(t, Config{Seed: 5, NoIPInherit: true, Faults: []string{"all"}})
	clean := testLab(t, Config{Seed: 5, NoIPInherit: true})
	want, _ := l.Expected()
	all, _ := clean.Expected()
	if len(want.VRPs) >= len(all.VRPs) {
		t.Fatalf("faults removed nothing: %d VRPs of %d", len(want.VRPs), len(all.VRPs))
	}
	expectVRPs(t, l, runRPKIClient(t, l, ""))
}

// TestRPKIClientFollowsPublications validates the lab with rpki-client, then
// publishes a whole round of changes (ROAs added and removed, a manifest
// re-issued, a key rollover, a CA revoked, a session reset) and validates
// again with the same cache, so rpki-client follows the RRDP deltas.
func TestRPKIClientFollowsPublications(t *testing.T) {
	l, _ := servedLab(t, Config{Seed: 13, NoIPInherit: true})
	cache, err := peers.WorldDir("rpki-client-cache-")
	if err != nil {
		t.Fatal(err)
	}
	runRPKIClient(t, l, cache)
	for range len(changeCatalogue) {
		if _, err := l.Publish(); err != nil {
			t.Fatal(err)
		}
	}
	expectVRPs(t, l, runRPKIClient(t, l, cache))
}
