package packaging

import (
	"bytes"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
)

// Bounds of the daemon run.
const (
	readyTimeout = 3 * time.Minute // first validation of the small lab on a busy machine
	stopTimeout  = time.Minute     // SIGTERM to exit
	pollEvery    = 200 * time.Millisecond
)

// runDaemonOnLab starts the installed binary with the unit's ExecStart, as
// the unit's user, on a lab served on loopback (its TAL and TLS root passed
// by flag, as an operator would add to the unit), waits for /readyz, checks
// that /json is the lab's payload and /version the packaged version, that
// the cache belongs to the service user, and that SIGTERM stops it cleanly.
func runDaemonOnLab(t *testing.T) {
	t.Helper()
	l, srv, err := lab.Launch(t.TempDir(), lab.Config{Preset: "small", Seed: 41,
		PrimesFile: filepath.Join(os.TempDir(), "validator-lab-test-primes.txt")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	talDir, caFile := readableLabFiles(t, l)
	rtrAddr, httpAddr := freeAddr(t), freeAddr(t)
	argv := append(unitExecStart(t), "--tal-dir", talDir, "--ca-cert", caFile, "--allow-dubious-hosts",
		"--rtr-listen", rtrAddr, "--http-listen", httpAddr)
	cmd := exec.Command(argv[0], argv[1:]...)
	asServiceUser(t, cmd)
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
	}()

	base := "http://" + httpAddr
	waitReady(t, base, exited, &stderr)
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	table, err := payload.ReadTable(strings.NewReader(httpGet(t, base+"/json")))
	if err != nil {
		t.Fatal(err)
	}
	if !payload.NewSnapshot(table.Set()).Equal(payload.NewSnapshot(want)) {
		t.Errorf("the installed daemon's /json differs from the lab's expected payload (%d VRPs, want %d)", len(table.Set().VRPs), len(want.VRPs))
	}
	if v := httpGet(t, base+"/version"); !strings.Contains(v, testVersion) {
		t.Errorf("/version %q lacks %s", v, testVersion)
	}
	checkCacheOwner(t)

	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("daemon exit on SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(stopTimeout):
		t.Errorf("daemon still running %v after SIGTERM\n%s", stopTimeout, stderr.String())
	}
}

// waitReady polls /readyz until it answers 200, the daemon exits, or
// readyTimeout passes.
func waitReady(t *testing.T, base string, exited <-chan error, stderr *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("daemon exited before it was ready: %v\n%s", err, stderr.String())
		case <-time.After(pollEvery):
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon not ready after %v\n%s", readyTimeout, stderr.String())
		}
	}
}

// checkCacheOwner: everything the daemon wrote in its cache belongs to the
// service user.
func checkCacheOwner(t *testing.T) {
	t.Helper()
	u := lookupUser(t)
	files := 0
	err := filepath.WalkDir(cacheDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != u.uid {
			t.Errorf("%s belongs to uid %d, not %s (%d)", path, st.Uid, serviceUser, u.uid)
		}
		if d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Errorf("the daemon wrote nothing in %s", cacheDir)
	}
}

// readableLabFiles copies the lab's TALs and TLS root where the service
// user can read them (the test's temporary directories are root's, 0700).
func readableLabFiles(t *testing.T, l *lab.Lab) (talDir, caFile string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "validator-package-lab-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	talDir = filepath.Join(dir, "tals")
	if err := os.Mkdir(talDir, 0o755); err != nil {
		t.Fatal(err)
	}
	tals, err := filepath.Glob(filepath.Join(l.TALDir(), "*.tal"))
	if err != nil || len(tals) == 0 {
		t.Fatalf("lab has no TALs in %s: %v", l.TALDir(), err)
	}
	for _, src := range tals {
		copyFile(t, src, filepath.Join(talDir, filepath.Base(src)))
	}
	caFile = filepath.Join(dir, "ca.pem")
	copyFile(t, l.CAFile(), caFile)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return talDir, caFile
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// asServiceUser runs cmd as the unit's User= with the environment systemd
// gives such a service (no supplementary groups, the user's home, a plain
// PATH, $CACHE_DIRECTORY for CacheDirectory=).
func asServiceUser(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	u := lookupUser(t)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid)}}
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + u.home,
		"USER=" + serviceUser, "LOGNAME=" + serviceUser, "SHELL=" + u.shell, "CACHE_DIRECTORY=" + cacheDir}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

// syncBuffer collects the daemon's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
