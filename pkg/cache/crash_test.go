package cache

import (
	"bufio"
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

// The crash test runs this test binary as a child that commits snapshot
// after snapshot into a cache, kills it with SIGKILL at varying moments, and
// checks after each kill that the reopened cache holds exactly one
// generation: every object of the state's generation, nothing of another,
// no stray file.

const (
	crashEnv     = "CACHE_CRASH_CHILD_DIR"
	crashObjects = 3000
	crashPoints  = 60
	crashRepo    = "https://crash.example.net/notification.xml"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	os.Exit(m.Run())
}

// crashObject is the content of object i in generation g, padded so that a
// snapshot takes long enough to be killed in the middle.
func crashObject(g uint64, i int) []byte {
	return []byte(fmt.Sprintf("gen %d object %d %s", g, i, strings.Repeat("x", 400)))
}

func crashURI(i int) string {
	return fmt.Sprintf("rsync://crash.example.net/repo/p%d/o%d.roa", i%crashPoints, i)
}

// crashChild commits generations until killed; it prints each committed one.
func crashChild(dir string) int {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	r, err := s.Repo(crashRepo)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for g := r.Generation() + 1; g < r.Generation()+1000; g++ {
		if err := r.Begin(true); err != nil {
			return 3
		}
		for i := range crashObjects {
			if err := r.Publish(crashURI(i), crashObject(g, i), nil); err != nil {
				return 4
			}
		}
		if err := r.Commit([]byte(strconv.FormatUint(g, 10))); err != nil {
			return 5
		}
		fmt.Printf("committed %d\n", g)
	}
	return 0
}

func TestCrashDuringSnapshotWrite(t *testing.T) {
	dir := t.TempDir()
	var acked uint64
	for round := range 12 {
		delay := time.Duration(40+round*37) * time.Millisecond
		acked = max(acked, runAndKill(t, dir, delay))
		t.Logf("round %d: killed after %v, generation %d acknowledged", round, delay, acked)
		checkConsistent(t, dir, acked)
	}
}

// runAndKill starts the child, kills it with SIGKILL after delay and returns
// the highest generation it reported committed.
func runAndKill(t *testing.T, dir string, delay time.Duration) uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
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
	time.Sleep(delay)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	var acked uint64
	for g := range lines {
		acked = max(acked, g)
	}
	return acked
}

// checkConsistent reopens the cache and checks it holds one whole
// generation, at least the last acknowledged one, and no stray file.
func checkConsistent(t *testing.T, dir string, acked uint64) {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Repo(crashRepo)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := r.State()
	if len(st) == 0 {
		if acked != 0 {
			t.Fatalf("state empty after generation %d was acknowledged", acked)
		}
		return
	}
	g, _ := strconv.ParseUint(string(st), 10, 64)
	if g < acked || g != r.Generation() {
		t.Fatalf("state says generation %d, index %d, acknowledged %d", g, r.Generation(), acked)
	}
	for i := range crashObjects {
		b, err := r.File(crashURI(i))
		if err != nil || string(b) != string(crashObject(g, i)) {
			t.Fatalf("generation %d: %s is %.20q (%v)", g, crashURI(i), b, err)
		}
	}
	ents, _ := os.ReadDir(r.dir)
	if len(ents) != crashPoints+1 {
		names := []string{}
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("%d files in %s after recovery: %v", len(ents), filepath.Base(r.dir), names[:min(5, len(names))])
	}
}
