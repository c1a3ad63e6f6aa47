package lab

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

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

// TestRPKIClientValidatesLab runs Debian's rpki-client against the served
// small lab, over RRDP (the lab's TLS CA given as SSL_CERT_FILE) and over
// rsync only, and compares its VRPs with the lab's expected ones.
// rpki-client 8.2 rejects IP inherit in CA certificates and reads only the
// old ASPA encoding, so the lab leaves IP inherit out and ASPAs are not
// compared here.
func TestRPKIClientValidatesLab(t *testing.T) {
	l, _ := servedLab(t, Config{Seed: 3, NoIPInherit: true})
	openUp(t, l.Dir)
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	wantSnap := payload.NewSnapshot(payload.Set{VRPs: want.VRPs})
	for _, mode := range []struct {
		name  string
		flags []string
	}{{"rrdp", nil}, {"rsync", []string{"-R"}}} {
		t.Run(mode.name, func(t *testing.T) {
			got, log := runRPKIClient(t, l, mode.flags...)
			if !wantSnap.Equal(got) {
				d := payload.Construct(wantSnap, got)
				t.Fatalf("rpki-client VRPs differ from the lab's: %d extra, %d missing (of %d)\n%s",
					len(d.AnnouncedVRPs), len(d.WithdrawnVRPs), len(wantSnap.VRPs), log)
			}
			t.Logf("rpki-client agrees on %d VRPs", len(got.VRPs))
		})
	}
}

// runRPKIClient runs rpki-client on the lab's TALs with a fresh cache and
// returns its VRPs and log.
func runRPKIClient(t *testing.T, l *Lab, flags ...string) (*payload.Snapshot, []byte) {
	t.Helper()
	return runRPKIClientCache(t, l, worldDir(t), flags...)
}

// runRPKIClientCache is runRPKIClient with a given cache directory.
func runRPKIClientCache(t *testing.T, l *Lab, cache string, flags ...string) (*payload.Snapshot, []byte) {
	t.Helper()
	out := worldDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-j", "-d", cache}, flags...)
	for _, root := range l.Plan.TARoots {
		args = append(args, "-t", filepath.Join(l.Dir, talDir, l.Plan.CAs[root].Name+".tal"))
	}
	cmd := exec.CommandContext(ctx, "rpki-client", append(args, out)...)
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+l.CAFile())
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rpki-client: %v\n%s", err, log)
	}
	return readRPKIClientVRPs(t, filepath.Join(out, "json")), log
}

func readRPKIClientVRPs(t *testing.T, path string) *payload.Snapshot {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ROAs []struct {
			ASN       any    `json:"asn"`
			Prefix    string `json:"prefix"`
			MaxLength int    `json:"maxLength"`
		} `json:"roas"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var set payload.Set
	for _, r := range doc.ROAs {
		p, err := netip.ParsePrefix(r.Prefix)
		if err != nil {
			t.Fatal(err)
		}
		asn, ok := r.ASN.(float64)
		if !ok {
			t.Fatalf("asn %v not a number", r.ASN)
		}
		v, err := payload.NewVRP(p, uint8(r.MaxLength), uint32(asn))
		if err != nil {
			t.Fatal(err)
		}
		set.VRPs = append(set.VRPs, v)
	}
	return payload.NewSnapshot(set)
}

// worldDir makes a directory that rpki-client, which drops root privileges
// to its own user, can write.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rpki-client-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// openUp lets other users read dir and the folders above it.
func openUp(t *testing.T, dir string) {
	t.Helper()
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o005 != 0o005 {
			os.Chmod(d, fi.Mode().Perm()|0o055)
		}
	}
}

// TestRPKIClientAgreesOnFaults serves a small lab carrying every fault of
// the catalogue (each on its own CA) and checks that rpki-client drops
// exactly what the lab's documented effects say.
func TestRPKIClientAgreesOnFaults(t *testing.T) {
	l, _ := servedLab(t, Config{Seed: 5, NoIPInherit: true, Faults: []string{"all"}})
	openUp(t, l.Dir)
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	clean := testLab(t, Config{Seed: 5, NoIPInherit: true})
	all, _ := clean.Expected()
	if len(want.VRPs) >= len(all.VRPs) {
		t.Fatalf("faults removed nothing: %d VRPs of %d", len(want.VRPs), len(all.VRPs))
	}
	wantSnap := payload.NewSnapshot(payload.Set{VRPs: want.VRPs})
	got, log := runRPKIClient(t, l)
	if !wantSnap.Equal(got) {
		d := payload.Construct(wantSnap, got)
		t.Fatalf("rpki-client VRPs differ: %d extra, %d missing\n%s", len(d.AnnouncedVRPs), len(d.WithdrawnVRPs), log)
	}
	t.Logf("rpki-client agrees: %d VRPs with faults, %d without", len(got.VRPs), len(all.VRPs))
}

// TestRPKIClientFollowsPublications validates the lab with rpki-client, then
// publishes a whole round of changes (ROAs added and removed, a manifest
// re-issued, a key rollover, a CA revoked, a session reset) and validates
// again with the same cache, so rpki-client follows the RRDP deltas.
func TestRPKIClientFollowsPublications(t *testing.T) {
	l, _ := servedLab(t, Config{Seed: 13, NoIPInherit: true})
	openUp(t, l.Dir)
	cache := worldDir(t)
	runRPKIClientCache(t, l, cache)
	for range len(changeCatalogue) {
		if _, err := l.Publish(); err != nil {
			t.Fatal(err)
		}
	}
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	wantSnap := payload.NewSnapshot(payload.Set{VRPs: want.VRPs})
	got, log := runRPKIClientCache(t, l, cache)
	if !wantSnap.Equal(got) {
		d := payload.Construct(wantSnap, got)
		t.Fatalf("rpki-client VRPs differ after changes: %d extra, %d missing\n%s", len(d.AnnouncedVRPs), len(d.WithdrawnVRPs), log)
	}
	t.Logf("rpki-client agrees after %d changes: %d VRPs", len(changeCatalogue), len(got.VRPs))
}
