package fetch_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rrdp/rrdptest"
)

// The RRDP crash test: a child process serves a repository over HTTPS to
// itself and fetches it with the real RRDP client into a cache, starting a
// new session with new content every round so that every fetch is a
// snapshot write. The parent kills it with SIGKILL at varying moments and
// checks after each kill that the cache holds exactly one generation.

const (
	rrdpCrashEnv     = "FETCH_RRDP_CRASH_DIR"
	rrdpCrashObjects = 2000
	rrdpCrashNotify  = "https://crash.example.net/notification.xml"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(rrdpCrashEnv); dir != "" {
		os.Exit(rrdpCrashChild(dir))
	}
	os.Exit(m.Run())
}

// crashContent is object i of generation g.
func crashContent(g, i int) []byte {
	return []byte(fmt.Sprintf("gen %d object %d %s", g, i, strings.Repeat("y", 300)))
}

func crashObjURI(i int) string {
	return fmt.Sprintf("rsync://crash.example.net/repo/p%d/o%d.roa", i%50, i)
}

// rrdpCrashChild fetches snapshot after snapshot until killed.
func rrdpCrashChild(dir string) int {
	repo := rrdptest.NewRepo()
	srv := httptest.NewUnstartedServer(repo)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	repo.BaseURL = srv.URL
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	store, err := cache.Open(dir, cache.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	sink, _ := store.Repo(rrdpCrashNotify)
	client := rrdp.NewClient(rrdp.Options{HTTPClient: rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: pool})})
	for g := int(sink.Generation()) + 1; g < 10_000; g++ {
		repo.NewSession()
		for i := range rrdpCrashObjects {
			repo.Put(crashObjURI(i), crashContent(g, i))
		}
		repo.Commit()
		// The server listens on a new port each run, so the cache repository
		// is named by a fixed id; the client then sees a state for another
		// URI and starts from the snapshot, which is what this test wants.
		if _, err := client.Fetch(context.Background(), repo.NotifyURI(), sink); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		fmt.Printf("committed %d\n", g)
	}
	return 0
}

func TestKillDuringRRDPSnapshot(t *testing.T) {
	dir := t.TempDir()
	acked := 0
	for round := range 10 {
		// Round 0 kills during start-up; the others wait for the child's
		// first commit of the round, then kill at a varying point of the
		// following snapshot writes.
		delay := time.Duration(round*37) * time.Millisecond
		acked = max(acked, killChild(t, dir, round > 0, delay))
		g := checkGeneration(t, dir)
		if g < acked {
			t.Fatalf("round %d: cache holds generation %d, %d was acknowledged", round, g, acked)
		}
		t.Logf("round %d: killed %v after the first commit; acknowledged %d, cache holds %d", round, delay, acked, g)
	}
	if acked == 0 {
		t.Error("no generation was ever committed: the kills all came too early to test anything")
	}
}

// killChild runs the child, waits for its first commit if afterCommit,
// then for delay, kills it with SIGKILL and returns the last generation it
// acknowledged.
func killChild(t *testing.T, dir string, afterCommit bool, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), rrdpCrashEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acks := make(chan int, 10_000)
	first := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for n := 0; sc.Scan(); n++ {
			if g, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "committed ")); err == nil {
				acks <- g
			}
			if n == 0 {
				close(first)
			}
		}
		close(acks)
	}()
	if afterCommit {
		select {
		case <-first:
		case <-time.After(30 * time.Second):
			t.Error("child committed nothing in 30 s")
		}
	} else {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(delay)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	last := 0
	for g := range acks {
		last = max(last, g)
	}
	return last
}

// checkGeneration reopens the cache and returns the one generation all its
// objects belong to, failing on a mix or a missing object.
func checkGeneration(t *testing.T, dir string) int {
	t.Helper()
	store, err := cache.Open(dir, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, err := store.Repo(rrdpCrashNotify)
	if err != nil {
		t.Fatal(err)
	}
	if r.Generation() == 0 {
		return 0
	}
	first, err := r.File(crashObjURI(0))
	if err != nil {
		t.Fatal(err)
	}
	var g int
	fmt.Sscanf(string(first), "gen %d", &g)
	for i := range rrdpCrashObjects {
		b, err := r.File(crashObjURI(i))
		if err != nil || string(b) != string(crashContent(g, i)) {
			t.Fatalf("object %d is %.24q (%v), want generation %d", i, b, err, g)
		}
	}
	if st := rrdp.DecodeState(mustBytes(r.State())); st.Serial != 1 || st.SessionID == "" {
		t.Fatalf("state %+v does not describe a committed snapshot", st)
	}
	if points, files, _ := r.Stats(); points != 50 || files != rrdpCrashObjects {
		t.Fatalf("%d points and %d files, want 50 and %d", points, files, rrdpCrashObjects)
	}
	return g
}

func mustBytes(b []byte, _ error) []byte { return b }
