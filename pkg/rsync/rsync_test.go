package rsync_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/rsync"
	"github.com/openrpki/validator/pkg/rsync/rsynctest"
)

// newRunner returns a runner rooted in a temp dir and a target below it.
func newRunner(t *testing.T, mod func(*rsync.Options)) (*rsync.Runner, string) {
	t.Helper()
	root := t.TempDir()
	o := rsync.Options{Root: root, ConnectTimeout: 2 * time.Second, IOTimeout: 2 * time.Second, Timeout: 20 * time.Second, MaxFileSize: 10_000}
	if mod != nil {
		mod(&o)
	}
	r, err := rsync.New(o)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(root, "work")
	os.Mkdir(target, 0o755)
	return r, target
}

// walk returns the URIs Walk reports.
func walk(t *testing.T, dir, base string) map[string]string {
	t.Helper()
	got := map[string]string{}
	if _, err := rsync.Walk(dir, base, func(uri string, data []byte) error {
		got[uri] = string(data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestMirrorFromDaemon(t *testing.T) {
	d := rsynctest.Start(t)
	d.Write(t, "ca/a.cer", []byte("cert"))
	d.Write(t, "ca/a.mft", []byte("manifest"))
	d.Write(t, "ca/sub/b.roa", []byte("roa"))
	d.Write(t, "ca/notes.txt", []byte("not RPKI"))
	d.Write(t, "ca/huge.roa", make([]byte, 20_000))
	os.Symlink("/etc/passwd", filepath.Join(d.Dir, "ca", "link.cer"))
	r, target := newRunner(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := r.Run(ctx, d.URI(""), target)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed == 0 {
		t.Errorf("first run reported no change")
	}
	base := "rsync://rpki.example.net/repo/"
	got := walk(t, target, base)
	want := map[string]string{base + "ca/a.cer": "cert", base + "ca/a.mft": "manifest", base + "ca/sub/b.roa": "roa"}
	if len(got) != len(want) {
		t.Fatalf("walked %v, want %v", got, want)
	}
	for u, v := range want {
		if got[u] != v {
			t.Errorf("%s = %q", u, got[u])
		}
	}
	res, err = r.Run(ctx, d.URI(""), target)
	if err != nil || res.Changed != 0 {
		t.Fatalf("second run: %d changes, %v", res.Changed, err)
	}
	os.Remove(filepath.Join(d.Dir, "ca/a.mft"))
	d.Write(t, "ca/a.cer", []byte("cert v2"))
	if _, err := r.Run(ctx, d.URI(""), target); err != nil {
		t.Fatal(err)
	}
	got = walk(t, target, base)
	if _, ok := got[base+"ca/a.mft"]; ok || got[base+"ca/a.cer"] != "cert v2" {
		t.Errorf("after update: %v", got)
	}
}

// silentServer accepts connections and never answers; it stops with the test.
func silentServer(t *testing.T, drip bool) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for i := 0; i < 60; i++ {
					select {
					case <-done:
						return
					case <-time.After(500 * time.Millisecond):
					}
					if drip {
						c.Write([]byte("@"))
					}
				}
			}()
		}
	}()
	return "rsync://" + l.Addr().String() + "/repo/"
}

func TestHangingServerTimesOut(t *testing.T) {
	uri := silentServer(t, false)
	r, target := newRunner(t, func(o *rsync.Options) { o.IOTimeout = time.Second; o.ConnectTimeout = time.Second })
	start := time.Now()
	_, err := r.Run(context.Background(), uri, target)
	if err == nil || time.Since(start) > 8*time.Second {
		t.Fatalf("hanging server: err %v after %v", err, time.Since(start))
	}
}

func TestDeadlineKillsProcessGroup(t *testing.T) {
	uri := silentServer(t, true) // a byte every 0.5 s keeps --timeout from firing
	r, target := newRunner(t, func(o *rsync.Options) { o.IOTimeout = 30 * time.Second; o.ConnectTimeout = 30 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.Run(ctx, uri, target)
	if err == nil || !strings.Contains(err.Error(), "killed after deadline") || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v, want a kill at the 1.5 s deadline", err, time.Since(start))
	}
	if pids := processesMentioning(target); len(pids) > 0 {
		t.Errorf("rsync processes %v survived the deadline", pids)
	}
}

// processesMentioning returns the pids whose command line contains s.
func processesMentioning(s string) []string {
	var pids []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(b), s) {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

func TestEnvironmentNotInherited(t *testing.T) {
	d := rsynctest.Start(t)
	d.Write(t, "ca/a.cer", []byte("cert"))
	// If these leaked into rsync, it would run "false" instead of
	// connecting, or read aliases from a hostile popt file.
	t.Setenv("RSYNC_CONNECT_PROG", "false")
	t.Setenv("RSYNC_RSH", "false")
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, ".popt"), []byte("rsync alias --delete --bogus-option\n"), 0o644)
	t.Setenv("HOME", home)
	r, target := newRunner(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.Run(ctx, d.URI(""), target); err != nil {
		t.Fatalf("rsync inherited the environment: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, "ca", "a.cer")); err != nil {
		t.Fatal(err)
	}
}

func TestHostileURIsRefused(t *testing.T) {
	bad := []string{
		"rsync://h/m/../x/", "rsync://h/../etc/", "rsync://h/-e/x", "rsync://h/m/-rf", "rsync://h/m/*",
		"rsync://h/m/a b/", "rsync://h;rm/m/", "rsync://h/m/x?y", "ssh://h/m/", "rsync://h:99999x/m/",
		"rsync://h/m/./x/", "rsync://h//x/", "rsync://-oProxy=x/m/", "rsync://h/m/a\x00b/", "rsync://h/m/[ab]/",
	}
	r, target := newRunner(t, nil)
	for _, u := range bad {
		if _, err := rsync.ParseURI(u); err == nil {
			t.Errorf("ParseURI accepted %q", u)
		}
		if _, err := r.Run(context.Background(), u, target); err == nil {
			t.Errorf("Run accepted %q", u)
		}
	}
	for _, u := range []string{"rsync://rpki.ripe.net/repository/", "rsync://[::1]:873/repo/a_b-c.d/", "rsync://127.0.0.1:8730/repo/x/y/"} {
		if _, err := rsync.ParseURI(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestTargetConfined(t *testing.T) {
	r, target := newRunner(t, nil)
	for _, dir := range []string{"/tmp", target + "/../..", filepath.Dir(target), "relative/dir", target + "/missing"} {
		if _, err := r.Run(context.Background(), "rsync://127.0.0.1/repo/", dir); err == nil {
			t.Errorf("target %q accepted", dir)
		}
	}
}

func TestArgsFixed(t *testing.T) {
	r, target := newRunner(t, nil)
	u, _ := rsync.ParseURI("rsync://rpki.example.net/repo/ca/")
	args := r.Args(u, target)
	for _, a := range args {
		if a == "-e" || strings.HasPrefix(a, "--rsh") || strings.HasPrefix(a, "-l") || a == "--copy-links" {
			t.Errorf("unsafe argument %q", a)
		}
	}
	for _, want := range []string{"--contimeout=2", "--timeout=2", "--max-size=10000", "--include=*.roa", "--exclude=*", "--delete"} {
		if !slices.Contains(args, want) {
			t.Errorf("missing %s in %v", want, args)
		}
	}
	n := len(args)
	if args[n-3] != "--" || args[n-2] != "rsync://rpki.example.net/repo/ca/" || args[n-1] != target+"/" {
		t.Errorf("tail of args %v", args[n-3:])
	}
}

func TestWalkSkipsSymlinksAndBadNames(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "ca"), 0o755)
	os.WriteFile(filepath.Join(dir, "ca", "ok.roa"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "ca", "bad name.roa"), []byte("x"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(dir, "ca", "evil.cer"))
	os.Symlink("/etc", filepath.Join(dir, "etc"))
	got := walk(t, dir, "rsync://h/m/")
	if len(got) != 1 || got["rsync://h/m/ca/ok.roa"] != "x" {
		t.Fatalf("walked %v", got)
	}
	if _, err := rsync.Walk(dir, "rsync://h/m/../", func(string, []byte) error { return nil }); err == nil {
		t.Error("Walk accepted a .. base")
	}
}
