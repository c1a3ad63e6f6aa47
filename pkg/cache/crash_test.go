package cache

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash tests run this test binary as a child that updates a cache the
// way a validator does, generation after generation: a commit (a snapshot
// now and then, else a delta that leaves segments partly dead, so commits
// compact), promotions, SyncValid. A second repository gets the same
// commits but no promotion, so that no valid entry keeps its segments and
// a commit removing them too early would show. The child is killed with
// SIGKILL, at varying moments by the parent or at a named stage by itself
// (its store's atStage), and after each kill the reopened cache
// must hold exactly one raw generation, valid copies that all read back
// whole, and no stray file.

const (
	crashEnv     = "CACHE_CRASH_CHILD_DIR"
	crashKillEnv = "CACHE_CRASH_KILL_AT"
	crashObjects = 3000
	crashPoints  = 60
	// crashHot points change in every delta, and one other point in turn.
	crashHot = 6
	// crashSnapshotEvery is the period of snapshots among the generations.
	crashSnapshotEvery = 25
	crashRepo          = "https://crash.example.net/notification.xml"
	crashRawRepo       = "https://raw.crash.example.net/notification.xml"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		os.Exit(crashChild(dir, os.Getenv(crashKillEnv)))
	}
	os.Exit(m.Run())
}

// crashObject is the content of object i as changed in generation g,
// padded so that a snapshot takes long enough to be killed in the middle.
func crashObject(g uint64, i int) []byte {
	return []byte(fmt.Sprintf("gen %d object %d %s", g, i, strings.Repeat("x", 400)))
}

func crashURI(i int) string {
	return fmt.Sprintf("rsync://crash.example.net/repo/p%d/o%d.roa", i%crashPoints, i)
}

func crashPoint(p int) string { return fmt.Sprintf("rsync://crash.example.net/repo/p%d/", p) }

// isSnapshot tells whether generation g is a snapshot.
func isSnapshot(g uint64) bool { return g%crashSnapshotEvery == 1 }

// changes tells whether generation g changes point p.
func changes(g uint64, p int) bool {
	return isSnapshot(g) || p < crashHot || p == crashHot+int(g%(crashPoints-crashHot))
}

// lastChange is the generation whose content object i holds at g.
func lastChange(g uint64, i int) uint64 {
	for ; !changes(g, i%crashPoints); g-- {
	}
	return g
}

// crashChild runs generations until killed or done; it prints each
// committed one. killAt is "stage:n", to kill itself the n-th time it
// reaches stage, or "first>then", to kill itself at the first stage then
// reached after stage first (the child itself reaches "snapshot" before a
// snapshot).
func crashChild(dir, killAt string) int {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	s.atStage = killHook(killAt)
	raw, err := s.Repo(crashRawRepo)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	r, err := s.Repo(crashRepo)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for g := r.Generation() + 1; g < r.Generation()+400; g++ {
		if err := crashGeneration(s, raw, r, g); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
	}
	return 0
}

// killHook returns the Store.atStage of a killAt specification.
func killHook(killAt string) func(string) {
	kill := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	if first, then, ok := strings.Cut(killAt, ">"); ok {
		armed := false
		return func(s string) {
			if armed && s == then {
				kill()
			}
			armed = armed || s == first
		}
	}
	stage, n, _ := strings.Cut(killAt, ":")
	left, _ := strconv.Atoi(n)
	return func(s string) {
		if s == stage {
			if left--; left == 0 {
				kill()
			}
		}
	}
}

// crashGeneration commits generation g to both repositories, then
// promotes two points in three of the first (the rest keep older valid
// copies, which keep older segments) and syncs.
func crashGeneration(s *Store, raw, r *Repo, g uint64) error {
	if raw.Generation() < g {
		if err := crashCommit(raw, g); err != nil {
			return err
		}
	}
	if err := crashCommit(r, g); err != nil {
		return err
	}
	fmt.Printf("committed %d\n", g)
	for p := range crashPoints {
		if (p+int(g))%3 != 0 && !s.IsValid(r, nil, crashPoint(p)) {
			if err := s.Promote(r, nil, crashPoint(p)); err != nil {
				return err
			}
		}
	}
	return s.SyncValid()
}

// crashCommit commits generation g to r.
func crashCommit(r *Repo, g uint64) error {
	if isSnapshot(g) {
		r.s.reached("snapshot")
	}
	if err := r.Begin(isSnapshot(g)); err != nil {
		return err
	}
	for i := range crashObjects {
		if !changes(g, i%crashPoints) {
			continue
		}
		var replaces *[32]byte
		if !isSnapshot(g) {
			sum := sha256.Sum256(crashObject(lastChange(g-1, i), i))
			replaces = &sum
		}
		if err := r.Publish(crashURI(i), crashObject(g, i), replaces); err != nil {
			return err
		}
	}
	return r.Commit([]byte(strconv.FormatUint(g, 10)))
}

// TestCrashAtRandomMoments kills the child at varying delays: during
// commits (snapshots, deltas, compactions), promotions and SyncValid. It
// goes on past 16 rounds, on a slow machine, until the generations run
// include compactions and a second snapshot.
func TestCrashAtRandomMoments(t *testing.T) {
	dir := t.TempDir()
	var acked uint64
	round := 0
	for ; round < 16 || acked < 2*crashSnapshotEvery && round < 64; round++ {
		// The kill comes a varying moment after the child acknowledged a
		// new generation: each round makes progress however loaded the
		// machine is, and the kills still land anywhere in the work.
		delay := time.Duration(round%16*29) * time.Millisecond
		a, _ := runChild(t, dir, "", delay, acked)
		acked = max(acked, a)
		t.Logf("round %d: killed after %v, generation %d acknowledged", round, delay, acked)
		checkConsistent(t, dir, acked)
	}
	if acked < 2*crashSnapshotEvery {
		t.Errorf("only %d generations ran in %d rounds: too few to compact", acked, round)
	}
}

// TestCrashAtEveryStage makes the child kill itself at each stage between
// which a crash leaves a different state on disk: segment written but not
// durable, in the middle of a compaction, index temp file written, index
// renamed but garbage not removed, and the same for the valid index.
func TestCrashAtEveryStage(t *testing.T) {
	dir := t.TempDir()
	var acked uint64
	for _, at := range []string{"segment:1", "segment:4", "compact:1", "temp index.json:3",
		"index:2", "compact:3", "temp index:2", "valid:3", "index:9", "valid:8", "compact:2",
		"compact>temp index.json", "compact>index", "snapshot>segment", "snapshot>index",
		"compact>temp index", "compact>valid"} {
		a, state := runChild(t, dir, at, time.Minute, noProgress)
		if ws, ok := state.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("%s: child did not reach the stage: %v", at, state)
		}
		acked = max(acked, a)
		t.Logf("killed at %s, generation %d acknowledged", at, acked)
		checkConsistent(t, dir, acked)
	}
}

// noProgress makes runChild time its kill from the start.
const noProgress = ^uint64(0)

// runChild starts the child, with killAt for it, kills it with SIGKILL
// delay after it reported a generation above after (from the start with
// noProgress; at most progressWait after the start in any case) unless it
// died first, and returns the highest generation it reported committed
// and how it ended.
func runChild(t *testing.T, dir, killAt string, delay time.Duration, after uint64) (uint64, *os.ProcessState) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir, crashKillEnv+"="+killAt)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan uint64, 1000)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if g, err := strconv.ParseUint(strings.TrimPrefix(sc.Text(), "committed "), 10, 64); err == nil {
				lines <- g
			}
		}
		close(lines)
	}()
	kill := func() { cmd.Process.Signal(syscall.SIGKILL) }
	timer := time.AfterFunc(progressWait, kill)
	if after == noProgress {
		timer.Reset(delay)
	}
	var acked uint64
	armed := after == noProgress
	for g := range lines {
		acked = max(acked, g)
		if !armed && g > after {
			armed = true
			timer.Stop()
			timer = time.AfterFunc(delay, kill)
		}
	}
	cmd.Wait()
	timer.Stop()
	return acked, cmd.ProcessState
}

// progressWait bounds how long runChild waits for the child's progress
// before killing it anyway.
const progressWait = 2 * time.Minute

// checkConsistent reopens the cache and checks it holds one whole raw
// generation, at least the last acknowledged one, valid copies that read
// back whole, and no stray file.
func checkConsistent(t *testing.T, dir string, acked uint64) {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range []string{crashRawRepo, crashRepo} {
		r, err := s.Repo(id)
		if err != nil {
			t.Fatal(err)
		}
		g := checkGeneration(t, r, acked)
		if id == crashRepo {
			checkValidCopies(t, s, g)
		}
		checkNoStrayFile(t, s, r)
	}
}

// checkGeneration checks that r holds one whole generation, at least
// acked, and returns it.
func checkGeneration(t *testing.T, r *Repo, acked uint64) uint64 {
	t.Helper()
	st, _ := r.State()
	if len(st) == 0 {
		if acked != 0 {
			t.Fatalf("%s: state empty after generation %d was acknowledged", r.id, acked)
		}
		return 0
	}
	g, _ := strconv.ParseUint(string(st), 10, 64)
	if g < acked || g != r.Generation() {
		t.Fatalf("%s: state says generation %d, index %d, acknowledged %d", r.id, g, r.Generation(), acked)
	}
	for i := range crashObjects {
		b, err := r.File(crashURI(i))
		if want := crashObject(lastChange(g, i), i); err != nil || string(b) != string(want) {
			t.Fatalf("%s: generation %d: %s is %.20q (%v), want %.20q", r.id, g, crashURI(i), b, err, want)
		}
	}
	return g
}

// checkValidCopies reads every valid copy: it must be whole and hold the
// objects of one generation up to g.
func checkValidCopies(t *testing.T, s *Store, g uint64) {
	t.Helper()
	for p := range crashPoints {
		v, err := s.Valid(nil, crashPoint(p))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatalf("valid copy of point %d: %v", p, err)
		}
		if len(v.Files) != crashObjects/crashPoints {
			t.Fatalf("valid copy of point %d has %d files", p, len(v.Files))
		}
		var gens []uint64
		for _, f := range v.Files {
			var vg uint64
			var i int
			fmt.Sscanf(string(f.Data), "gen %d object %d", &vg, &i)
			if i%crashPoints != p || vg > g || string(f.Data) != string(crashObject(vg, i)) {
				t.Fatalf("valid copy of point %d: %s holds %.30q", p, f.Name, f.Data)
			}
			gens = append(gens, vg)
		}
		for _, vg := range gens[1:] {
			if vg != gens[0] {
				t.Fatalf("valid copy of point %d mixes generations %v", p, gens)
			}
		}
	}
}

// checkNoStrayFile checks that the repository directory holds the index
// and the segments an index names, and the valid directory its index.
func checkNoStrayFile(t *testing.T, s *Store, r *Repo) {
	t.Helper()
	want := map[string]bool{indexName: r.Generation() > 0}
	if !want[indexName] {
		delete(want, indexName)
	}
	for n := range r.idx.Segs {
		want[segName(n)] = true
	}
	for _, n := range s.validSegsIn(r.name) {
		want[segName(n)] = true
	}
	ents, _ := os.ReadDir(r.dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(ents) != len(want) {
		t.Fatalf("files in %s after recovery: %v, want %d", filepath.Base(r.dir), names, len(want))
	}
	for _, n := range names {
		if !want[n] {
			t.Fatalf("stray file %s in %s", n, filepath.Base(r.dir))
		}
	}
	if vents, _ := os.ReadDir(s.validDir()); len(vents) > 1 {
		t.Fatalf("%d files in the valid directory", len(vents))
	}
}
