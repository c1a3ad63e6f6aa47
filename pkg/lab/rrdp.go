package lab

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/openrpki/validator/pkg/rrdp"
)

// maxDeltas bounds the deltas a notification lists.
const maxDeltas = 50

// repoState is what the lab remembers of one RRDP repository between
// publications: its session, serial, listed deltas and the hash of every
// object of the current serial (to compute the next delta).
type repoState struct {
	SessionID string              `json:"session_id"`
	Serial    uint64              `json:"serial"`
	Deltas    []rrdp.DeltaRef     `json:"deltas"`
	Objects   map[string][32]byte `json:"objects"` // rsync URI → SHA-256
}

// publishRRDP writes the RRDP files of every repository for the rsync tree
// as it is now: a new serial with a delta where anything changed, or a new
// session (serial 1, snapshot only) when reset is set or none exists.
func (l *Lab) publishRRDP(reset map[int]bool) (announcements, error) {
	var a announcements
	for r := 0; r < l.Plan.Repos; r++ {
		if err := l.publishRepo(r, reset[r], &a); err != nil {
			return nil, fmt.Errorf("lab: RRDP repository %d: %w", r, err)
		}
	}
	return a, l.publishShadows(&a)
}

func (l *Lab) publishRepo(r int, reset bool, a *announcements) error {
	objects, err := l.repoObjects(r)
	if err != nil {
		return err
	}
	return l.publishModule(repoModule(r), objects, reset, a)
}

// announcement is the new notification file of one RRDP repository,
// written once everything else a publication writes is in place
// (announce): a validator polling the lab then sees the publication when
// the lab is done with it, as it would a publication server on another
// machine. Written as each repository was done, the lab's work on the
// rest (reading and hashing every repository, the expected output) ran
// beside the validator it was timing, on the same cores.
type announcement struct {
	dir          string
	notification []byte
	// oldSnapshot goes after the notification, as nothing points to it.
	oldSnapshot string
}

type announcements []announcement

// announce writes the notification files, then removes the snapshots they
// no longer name.
func (a announcements) announce() error {
	for _, n := range a {
		if err := writeFile(filepath.Join(n.dir, "notification.xml"), n.notification); err != nil {
			return err
		}
		if err := os.Remove(n.oldSnapshot); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// publishModule publishes objects as the RRDP repository served under
// module: a publication server's tree, or what an attack publishes.
func (l *Lab) publishModule(module string, objects []rrdp.Publish, reset bool, a *announcements) error {
	dir := filepath.Join(l.Dir, rrdpDir, module)
	st, err := loadRepoState(l.repoStatePath(module))
	if err != nil || reset {
		st = &repoState{SessionID: newUUID()}
	}
	now := map[string][32]byte{}
	for _, o := range objects {
		now[o.URI] = sha256.Sum256(o.Data)
	}
	changes := diffObjects(st.Objects, now, objects)
	if st.Serial > 0 && len(changes) == 0 {
		return nil // nothing changed: same serial, same files
	}
	st.Serial++
	st.Objects = now
	h := rrdp.Header{SessionID: st.SessionID, Serial: st.Serial}
	base := fmt.Sprintf("%s/%d/", st.SessionID, st.Serial)
	if st.Serial > 1 {
		ref, err := l.writeRRDPFile(dir, module, base+"delta.xml", func(b *bytes.Buffer) error {
			return rrdp.WriteDelta(b, h, changes)
		})
		if err != nil {
			return err
		}
		st.Deltas = append(st.Deltas, rrdp.DeltaRef{Serial: st.Serial, FileRef: ref})
		if len(st.Deltas) > maxDeltas {
			st.Deltas = st.Deltas[len(st.Deltas)-maxDeltas:]
		}
	}
	snap, err := l.writeRRDPFile(dir, module, base+"snapshot.xml", func(b *bytes.Buffer) error {
		return rrdp.WriteSnapshot(b, h, objects)
	})
	if err != nil {
		return err
	}
	var notif bytes.Buffer
	if err := rrdp.WriteNotification(&notif, &rrdp.Notification{Header: h, Snapshot: snap, Deltas: st.Deltas}); err != nil {
		return err
	}
	if err := saveRepoState(l.repoStatePath(module), st); err != nil {
		return err
	}
	// The notification goes last, so it never points to a file not yet
	// written.
	*a = append(*a, announcement{dir: dir, notification: notif.Bytes(),
		oldSnapshot: filepath.Join(dir, st.SessionID, fmt.Sprint(st.Serial-1), "snapshot.xml")})
	return nil
}

// repoStatePath is where the lab keeps an RRDP repository's state, outside
// what the HTTPS server serves.
func (l *Lab) repoStatePath(module string) string {
	return filepath.Join(l.Dir, stateDir, "rrdp-"+module+".json")
}

// writeRRDPFile writes a snapshot or delta below dir and returns its
// reference for the notification.
func (l *Lab) writeRRDPFile(dir, module, rel string, fill func(*bytes.Buffer) error) (rrdp.FileRef, error) {
	var b bytes.Buffer
	if err := fill(&b); err != nil {
		return rrdp.FileRef{}, err
	}
	if err := writeFile(filepath.Join(dir, filepath.FromSlash(rel)), b.Bytes()); err != nil {
		return rrdp.FileRef{}, err
	}
	uri := l.Config.Endpoints.https(module + "/" + rel)
	return rrdp.FileRef{URI: uri, Hash: sha256.Sum256(b.Bytes())}, nil
}

// repoObjects reads every object of repository r from the rsync tree, in
// a stable order.
func (l *Lab) repoObjects(r int) ([]rrdp.Publish, error) {
	root := filepath.Join(l.Dir, rsyncDir, repoModule(r))
	var out []rrdp.Publish
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".tmp") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(l.Dir, rsyncDir), path)
		out = append(out, rrdp.Publish{URI: l.Config.Endpoints.rsync(filepath.ToSlash(rel)), Data: data})
		return nil
	})
	if os.IsNotExist(err) {
		return nil, nil
	}
	return out, err
}

// diffObjects lists what changed from old to now: publishes (with the hash
// replaced, for updates) and withdraws, in URI order.
func diffObjects(old, now map[string][32]byte, objects []rrdp.Publish) []rrdp.Change {
	var changes []rrdp.Change
	for _, o := range objects {
		h, had := old[o.URI]
		switch {
		case !had:
			changes = append(changes, rrdp.Change{URI: o.URI, Data: o.Data})
		case h != now[o.URI]:
			hh := h
			changes = append(changes, rrdp.Change{URI: o.URI, Data: o.Data, Hash: &hh})
		}
	}
	var gone []string
	for uri := range old {
		if _, ok := now[uri]; !ok {
			gone = append(gone, uri)
		}
	}
	sort.Strings(gone)
	for _, uri := range gone {
		h := old[uri]
		changes = append(changes, rrdp.Change{URI: uri, Hash: &h, Withdraw: true})
	}
	return changes
}

func loadRepoState(path string) (*repoState, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st repoState
	return &st, json.Unmarshal(data, &st)
}

func saveRepoState(path string, st *repoState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeFile(path, data)
}

// newUUID returns a random version 4 UUID (RFC 8182 §3.1 session_id).
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
