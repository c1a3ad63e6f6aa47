package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpEverywhere: every command and subcommand answers -h and --help
// with its usage on stdout, exit 0, and does nothing else.
func TestHelpEverywhere(t *testing.T) {
	for _, cmd := range [][]string{
		{}, {"run"}, {"vrps"}, {"rtr"}, {"inspect"}, {"version"}, {"lab"}, {"lab", "generate"},
		{"lab", "serve"}, {"lab", "publish"}, {"config"}, {"config", "check"},
	} {
		for _, help := range []string{"-h", "--help"} {
			args := append(append([]string{}, cmd...), help)
			var out, errb bytes.Buffer
			if code := dispatch(args, &out, &errb); code != 0 {
				t.Errorf("validator %s: exit %d, want 0 (stderr %q)", strings.Join(args, " "), code, errb.String())
			}
			want := strings.TrimSpace("usage: validator " + strings.Join(cmd, " "))
			if !strings.Contains(out.String(), want) || errb.Len() != 0 {
				t.Errorf("validator %s: stdout %.200q, want %q; stderr %q", strings.Join(args, " "), out.String(), want, errb.String())
			}
		}
	}
	var out bytes.Buffer
	if code := dispatch([]string{"help", "vrps"}, &out, &out); code != 0 || !strings.Contains(out.String(), "usage: validator vrps") {
		t.Errorf("validator help vrps: exit %d, %.200q", code, out.String())
	}
}

// TestFlagsFirstRunDaemon: `validator --flag ...` is `validator run
// --flag ...`, not an unknown command.
func TestFlagsFirstRunDaemon(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--rtr-listen", "nonsense"}, 2, `invalid value "nonsense" for flag -rtr-listen: address "nonsense": want host:port`},
		{[]string{"--config", missing}, 1, "validator run: configuration file " + missing + ": does not exist"},
	} {
		var out, errb bytes.Buffer
		code := dispatch(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.want) || strings.Contains(errb.String(), "unknown command") {
			t.Errorf("validator %v: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.want)
		}
	}
}

// badPaths is a folder holding a file, a folder, an empty folder and a
// folder without a lab, and the name of a path that does not exist.
type badPaths struct {
	file, dir, empty, missing string
}

func newBadPaths(t *testing.T) badPaths {
	root := t.TempDir()
	p := badPaths{file: filepath.Join(root, "file"), dir: filepath.Join(root, "dir"),
		empty: filepath.Join(root, "empty"), missing: filepath.Join(root, "missing")}
	os.WriteFile(p.file, []byte("x"), 0o644)
	os.Mkdir(p.empty, 0o755)
	os.Mkdir(p.dir, 0o755)
	os.WriteFile(filepath.Join(p.dir, "x.txt"), []byte("x"), 0o644)
	return p
}

// TestBadPaths runs every subcommand on a path that does not exist, a file
// where a folder is expected and the other way round, and an empty TAL
// folder: each gives a one-line error naming the path and what was
// expected, and a non-zero exit.
func TestBadPaths(t *testing.T) {
	p := newBadPaths(t)
	quiet := []string{"--rtr-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--log-level", "error"}
	yaml := filepath.Join(t.TempDir(), "validator.yaml")
	os.WriteFile(yaml, []byte("tal_dir: "+p.missing+"\nslurm: ["+p.dir+"]\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want []string // each on its own line of stderr
	}{
		{[]string{"run", "--tal-dir", p.missing}, []string{"TAL directory " + p.missing + ": does not exist, want a directory"}},
		{[]string{"run", "--tal-dir", p.file}, []string{"TAL directory " + p.file + ": is a file, want a directory"}},
		{[]string{"run", "--tal-dir", p.empty}, []string{"TAL directory " + p.empty + ": no *.tal files in it"}},
		{[]string{"run", "--tal", p.dir}, []string{"TAL file " + p.dir + ": is a directory, want a file"}},
		{[]string{"run", "--cache", p.file}, []string{"cache directory " + p.file + ": is a file, want a directory"}},
		{[]string{"run", "--slurm", p.missing}, []string{"SLURM file " + p.missing + ": does not exist, want a file"}},
		{[]string{"run", "--ca-cert", p.dir}, []string{"CA certificate file " + p.dir + ": is a directory, want a file"}},
		{[]string{"run", "--config", p.dir}, []string{"configuration file " + p.dir + ": is a directory, want a file"}},
		{[]string{"vrps", "--offline", "--tal-dir", p.empty}, []string{"TAL directory " + p.empty + ": no *.tal files"}},
		{[]string{"vrps", "--offline", "--output", p.dir}, []string{"--output " + p.dir + ": is a directory, want a file"}},
		{[]string{"vrps", "--offline", "--output", filepath.Join(p.missing, "out.csv")},
			[]string{"--output folder " + p.missing + ": does not exist, want a directory"}},
		{[]string{"vrps", "--offline", "--config", yaml}, []string{
			"TAL directory " + p.missing + ": does not exist", "SLURM file " + p.dir + ": is a directory"}},
		{[]string{"rtr", "--source", p.missing}, []string{"--source " + p.missing + ": does not exist, want a file"}},
		{[]string{"rtr", "--source", p.dir}, []string{"--source " + p.dir + ": is a directory, want a file"}},
		{[]string{"rtr", "--source", p.file, "--tls-listen", "127.0.0.1:0", "--tls-cert", p.missing, "--tls-key", p.dir}, []string{
			"--tls-cert " + p.missing + ": does not exist", "--tls-key " + p.dir + ": is a directory"}},
		{[]string{"inspect", "--issuer", p.dir, p.file}, []string{"--issuer " + p.dir + ": is a directory, want a file"}},
		{[]string{"inspect", "--tal", p.missing, p.file}, []string{"--tal " + p.missing + ": does not exist, want a file"}},
		{[]string{"lab", "generate", "--out", p.file}, []string{"--out " + p.file + ": is a file, want a directory"}},
		{[]string{"lab", "serve", p.missing}, []string{"lab directory " + p.missing + ": does not exist, want a directory"}},
		{[]string{"lab", "serve", p.file}, []string{"lab directory " + p.file + ": is a file, want a directory"}},
		{[]string{"lab", "publish", p.empty}, []string{"lab directory " + p.empty + ": no lab.json in it"}},
		{[]string{"config", "check", "--config", p.missing}, []string{"configuration file " + p.missing + ": does not exist"}},
		{[]string{"config", "check", "--tal-dir", p.empty}, []string{"TAL directory " + p.empty + ": no *.tal files"}},
		{[]string{"config", "check", "--config", yaml}, []string{
			"TAL directory " + p.missing + ": does not exist", "SLURM file " + p.dir + ": is a directory"}},
	} {
		args := tc.args
		if args[0] == "run" {
			args = append(append([]string{}, args...), quiet...)
		}
		code, stderr := runBounded(t, args)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code == 0 || len(lines) != len(tc.want) {
			t.Errorf("validator %s: exit %d, %d lines on stderr, want non-zero and %d:\n%s",
				strings.Join(tc.args, " "), code, len(lines), len(tc.want), stderr)
			continue
		}
		for i, want := range tc.want {
			if !strings.Contains(lines[i], want) {
				t.Errorf("validator %s: line %q, want %q", strings.Join(tc.args, " "), lines[i], want)
			}
		}
	}
}

// runBounded runs a command line; `run` gets a context that is already
// cancelled, so that a check this test expects but that is missing ends
// the daemon at once (exit 0) instead of leaving it running.
func runBounded(t *testing.T, args []string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if args[0] == "run" {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return runDaemonContext(ctx, args[1:], &out, &errb), errb.String()
	}
	return dispatch(args, &out, &errb), errb.String()
}
