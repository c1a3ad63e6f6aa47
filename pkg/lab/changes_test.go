package lab

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rrdp"
)

// TestPublishDeltasFollowTree publishes a full round of changes and checks,
// with the project's RRDP parser, that a client following the deltas from
// serial 1 holds exactly the rsync tree at every serial, and that a
// re-opened lab replays to the same state.
func TestPublishDeltasFollowTree(t *testing.T) {
	l := testLab(t, Config{Seed: 11})
	held := map[int]*mirror{}
	for r := 0; r < l.Plan.Repos; r++ {
		held[r] = readSnapshot(t, l, r)
	}
	before, _ := l.Expected()
	seen := map[string]bool{}
	for range len(changeCatalogue) {
		name, err := l.Publish()
		if err != nil {
			t.Fatal(err)
		}
		seen[name] = true
		for r := 0; r < l.Plan.Repos; r++ {
			n := readNotification(t, l, r)
			if n.SessionID != held[r].session {
				held[r] = readSnapshot(t, l, r) // a session reset starts over
			}
			for _, d := range n.Deltas {
				if d.Serial == held[r].serial+1 {
					held[r].apply(t, l, r, d)
				}
			}
			if held[r].serial != n.Serial {
				t.Fatalf("after %s: repo %d: client at serial %d, notification at %d", name, r, held[r].serial, n.Serial)
			}
			if diff := held[r].diff(t, l, r); diff != "" {
				t.Fatalf("after %s: repo %d: RRDP content differs from the rsync tree: %s", name, r, diff)
			}
		}
	}
	if len(seen) != len(changeCatalogue) {
		t.Fatalf("changes applied: %v", seen)
	}
	after, _ := l.Expected()
	if payload.NewSnapshot(before).Equal(payload.NewSnapshot(after)) {
		t.Fatal("a round of changes left the expected output unchanged")
	}
	again, err := Open(l.Dir)
	if err != nil {
		t.Fatal(err)
	}
	replayed, _ := again.Expected()
	if !payload.NewSnapshot(after).Equal(payload.NewSnapshot(replayed)) {
		t.Fatal("re-opened lab replays to a different expected output")
	}
}

// mirror is what an RRDP client holds of one repository.
type mirror struct {
	session string
	serial  uint64
	objects map[string][32]byte
}

func readNotification(t *testing.T, l *Lab, r int) *rrdp.Notification {
	t.Helper()
	return readNotificationOf(t, l, repoModule(r))
}

// readNotificationOf reads the notification of the RRDP module module.
func readNotificationOf(t *testing.T, l *Lab, module string) *rrdp.Notification {
	t.Helper()
	f, err := os.Open(filepath.Join(l.Dir, rrdpDir, module, "notification.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := rrdp.ParseNotification(f)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// localFile maps an https URI of the lab to its file.
func localFile(l *Lab, uri string) string {
	rel := strings.TrimPrefix(uri, l.Config.Endpoints.HTTPS+"/")
	return filepath.Join(l.Dir, rrdpDir, filepath.FromSlash(rel))
}

func readSnapshot(t *testing.T, l *Lab, r int) *mirror {
	t.Helper()
	n := readNotification(t, l, r)
	m := &mirror{session: n.SessionID, serial: n.Serial, objects: map[string][32]byte{}}
	f, err := os.Open(localFile(l, n.Snapshot.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = rrdp.ParseSnapshot(f, n.Header, func(p rrdp.Publish) error {
		m.objects[p.URI] = sha256.Sum256(p.Data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *mirror) apply(t *testing.T, l *Lab, r int, d rrdp.DeltaRef) {
	t.Helper()
	f, err := os.Open(localFile(l, d.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = rrdp.ParseDelta(f, rrdp.Header{SessionID: m.session, Serial: d.Serial}, func(c rrdp.Change) error {
		old, had := m.objects[c.URI]
		if (c.Hash != nil) != had || (had && *c.Hash != old) {
			t.Fatalf("delta %d: %s: hash does not match what the client holds", d.Serial, c.URI)
		}
		if c.Withdraw {
			delete(m.objects, c.URI)
		} else {
			m.objects[c.URI] = sha256.Sum256(c.Data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m.serial = d.Serial
}

func (m *mirror) diff(t *testing.T, l *Lab, r int) string {
	t.Helper()
	objs, err := l.repoObjects(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(m.objects) {
		return "object count differs"
	}
	for _, o := range objs {
		if m.objects[o.URI] != sha256.Sum256(o.Data) {
			return o.URI
		}
	}
	return ""
}

// TestPublishAnnouncesLast: a round of changes says which changed the
// VRPs (an added ROA does, a reissued manifest does not), and every
// notification file a publication rewrote is written after the expected
// output, the publication's last other file.
func TestPublishAnnouncesLast(t *testing.T) {
	l := testLab(t, Config{Seed: 12})
	for range len(changeCatalogue) {
		before := notificationTimes(t, l)
		p, err := l.PublishChange()
		if err != nil {
			t.Fatal(err)
		}
		if want, ok := map[string]bool{"add-roa": true, "reissue-manifest": false}[p.Change]; ok && p.VRPsChanged != want {
			t.Errorf("%s: VRPs changed %v, want %v", p.Change, p.VRPsChanged, want)
		}
		expected, err := os.Stat(l.ExpectedFile())
		if err != nil {
			t.Fatal(err)
		}
		rewritten := 0
		for module, at := range notificationTimes(t, l) {
			if at.Equal(before[module]) {
				continue
			}
			rewritten++
			if at.Before(expected.ModTime()) {
				t.Errorf("%s: %s's notification written before the expected output", p.Change, module)
			}
		}
		if rewritten == 0 {
			t.Errorf("%s: no notification rewritten", p.Change)
		}
	}
}

// notificationTimes is the modification time of each RRDP module's
// notification file.
func notificationTimes(t *testing.T, l *Lab) map[string]time.Time {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(l.Dir, rrdpDir, "*", "notification.xml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notification files (%v)", err)
	}
	out := map[string]time.Time{}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(filepath.Dir(p))] = fi.ModTime()
	}
	return out
}
