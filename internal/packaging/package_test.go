package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/testfiles"
)

// The package under test, as scripts/release builds it for this test.
const (
	pkgName        = "validator"
	testVersion    = "v0.0.1-packagetest"
	testDebVersion = "0.0.1~packagetest" // scripts/release: "-" becomes "~"
	binPath        = "/usr/bin/validator"
	unitPath       = "/lib/systemd/system/validator.service"
	configPath     = "/etc/validator/validator.yaml"
	cacheDir       = "/var/cache/validator"
	docDir         = "/usr/share/doc/validator"
	serviceUser    = "validator"
)

// installedPaths are what the package lays down or its postinst makes;
// a purge must leave none of them.
var installedPaths = []string{binPath, unitPath, configPath, filepath.Dir(configPath), cacheDir, docDir}

// TestDebianPackage builds the .deb for this machine's architecture with
// scripts/release, installs it with dpkg, checks what it installed (files,
// user, cache directory, conffile, checksums, a static binary, nothing
// enabled or started), runs `validator config check` and the installed
// daemon as the unit's user with the unit's command line against a lab on
// loopback until it serves the lab's payload, then purges the package and
// checks that nothing is left.
func TestDebianPackage(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: installs a Debian package and creates a system user (CI runs it as root)")
	}
	for _, tool := range []string{"dpkg", "dpkg-deb", "dpkg-query", "getent", "go", "rsync"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: the package test needs a Debian system with %s: %v", tool, tool, err)
		}
	}
	if arch := strings.TrimSpace(mustRun(t, "dpkg", "--print-architecture")); arch != runtime.GOARCH {
		t.Fatalf("dpkg architecture %s is not GOARCH %s: scripts/release builds amd64 and arm64 only", arch, runtime.GOARCH)
	}
	lockMachine(t)
	refuseForeignInstall(t)

	start := time.Now()
	deb := buildPackage(t)
	built := time.Now()
	checkArchive(t, deb)

	dpkgInstall(t, deb)
	t.Cleanup(func() { purgeIfInstalled(t) })
	installed := time.Now()
	checkInstalled(t)
	checkVersion(t)
	checkConfig(t)
	checkNothingStarted(t)

	// Installing again runs postinst with the user and directory present.
	uid := lookupUser(t).uid
	dpkgInstall(t, deb)
	if again := lookupUser(t).uid; again != uid {
		t.Errorf("reinstall changed the user's uid from %d to %d", uid, again)
	}
	checkInstalled(t)

	daemonStart := time.Now()
	runDaemonOnLab(t)
	ran := time.Now()

	dpkg(t, "--purge", pkgName)
	checkPurged(t)
	t.Logf("build %v, install and checks %v, daemon on the lab %v, purge %v",
		built.Sub(start).Round(time.Millisecond), daemonStart.Sub(installed).Round(time.Millisecond),
		ran.Sub(daemonStart).Round(time.Millisecond), time.Since(ran).Round(time.Millisecond))
}

// buildPackage runs scripts/release for this architecture only.
func buildPackage(t *testing.T) string {
	t.Helper()
	root := testfiles.ModuleRoot(t)
	dist := t.TempDir()
	cmd := exec.Command(filepath.Join(root, "scripts", "release"), testVersion)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "ARCHES="+runtime.GOARCH, "DIST="+dist)
	if out, err := runBounded(cmd, buildTimeout); err != nil {
		t.Fatalf("scripts/release: %v\n%s", err, out)
	}
	deb := filepath.Join(dist, "validator_"+testDebVersion+"_"+runtime.GOARCH+".deb")
	if _, err := os.Stat(deb); err != nil {
		t.Fatalf("scripts/release made no %s: %v", filepath.Base(deb), err)
	}
	return deb
}

// checkVersion runs the installed `validator version`: the release
// version scripts/release stamped and, in a git checkout, its revision.
func checkVersion(t *testing.T) {
	t.Helper()
	out := mustRun(t, binPath, "version")
	if !strings.Contains(out, "validator "+testVersion+" ") {
		t.Errorf("validator version: %q lacks %s", out, testVersion)
	}
	head, err := exec.Command("git", "-C", testfiles.ModuleRoot(t), "rev-parse", "HEAD").Output()
	if err != nil {
		t.Logf("not a git checkout, revision not checked: %v", err)
		return
	}
	if rev := strings.TrimSpace(string(head)); !strings.Contains(out, "revision "+rev) {
		t.Errorf("validator version: %q lacks revision %s", out, rev)
	}
}

// checkConfig runs `validator config check` on the packaged configuration
// as the service user, which must be able to read it.
func checkConfig(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(configPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "\ncache: "+cacheDir+"\n") {
		t.Errorf("%s does not set the cache to %s", configPath, cacheDir)
	}
	cmd := exec.Command(binPath, "config", "check", "--config", configPath)
	asServiceUser(t, cmd)
	out, err := runBounded(cmd, commandTimeout)
	if err != nil || !strings.Contains(out, "configuration OK") {
		t.Errorf("validator config check --config %s: %v\n%s", configPath, err, out)
	}
}
