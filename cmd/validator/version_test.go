package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	rev := "9195572d0c6f1b8f3d5a6e4c2b1a09f8e7d6c5b4"
	for _, tc := range []struct {
		name     string
		info     debug.BuildInfo
		override string
		want     string
	}{
		{"nothing recorded", debug.BuildInfo{}, "", "(devel)"},
		{"devel without VCS", debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "", "(devel)"},
		{"go install of a tag", debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "", "v1.2.3"},
		{"checkout, clean",
			debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260501100000-9195572d0c6f"},
				Settings: vcs("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-05-01T10:00:00Z", "vcs.modified", "false")},
			"", "v0.0.0-20260501100000-9195572d0c6f (revision " + rev + ", 2026-05-01T10:00:00Z)"},
		{"checkout, modified, release override",
			debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
				Settings: vcs("vcs.revision", rev, "vcs.time", "2026-05-01T10:00:00Z", "vcs.modified", "true")},
			"v1.0.0", "v1.0.0 (revision " + rev + ", 2026-05-01T10:00:00Z, modified)"},
	} {
		if got := formatVersion(&tc.info, tc.override); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionOfBuiltBinary builds the command from this checkout with a
// release version stamped and checks that `validator version` prints it
// with the checkout's revision. In a primary checkout the revision comes
// from the toolchain's VCS stamping (the build information); in a linked
// git worktree, where the toolchain records none (golang/go#58218), from
// the -ldflags fallback scripts/release uses there.
func TestVersionOfBuiltBinary(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (a source archive?): %v", err)
	}
	rev := strings.TrimSpace(string(head))
	status, err := exec.Command("git", "status", "--porcelain").Output()
	if err != nil {
		t.Fatal(err)
	}
	dirty := len(status) > 0
	ldflags := "-X main.version=v0.0.0-versiontest"
	vcsFlag := "-buildvcs=true"
	if linkedWorktree(t) {
		vcsFlag = "-buildvcs=false"
		ldflags += " -X main.revision=" + rev
		if dirty {
			ldflags += " -X main.modified=true"
		}
	}
	bin := filepath.Join(t.TempDir(), "validator")
	build := exec.Command("go", "build", vcsFlag, "-ldflags", ldflags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{"validator v0.0.0-versiontest (revision " + rev, "go1."} {
		if !strings.Contains(got, want) {
			t.Errorf("validator version printed %q, want it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "modified") != dirty {
		t.Errorf("validator version printed %q; the tree has changes: %v", got, dirty)
	}
}

// linkedWorktree reports whether the checkout is a linked git worktree
// (its git directory is not the common one).
func linkedWorktree(t *testing.T) bool {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir").Output()
	if err != nil {
		t.Fatal(err)
	}
	dirs := strings.Fields(string(out))
	return len(dirs) == 2 && dirs[0] != dirs[1]
}

func TestVersionCommand(t *testing.T) {
	var out strings.Builder
	if code := dispatch([]string{"version"}, &out, os.Stderr); code != 0 || !strings.HasPrefix(out.String(), "validator ") {
		t.Fatalf("exit %d, output %q", code, out.String())
	}
}
