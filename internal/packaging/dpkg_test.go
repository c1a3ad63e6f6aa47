package packaging

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bounds of the test's waits: nothing it runs may hang it.
const (
	buildTimeout   = 15 * time.Minute // scripts/release on a busy two-core machine, cold build cache
	commandTimeout = 2 * time.Minute  // one dpkg or validator command
	lockWait       = 10 * time.Minute // another run of this test, or apt, holding a lock
	lockRetry      = 2 * time.Second
	waitDelay      = 10 * time.Second
)

// lockMachine serializes runs of this test on one machine (several
// checkouts may run their tests at once): they would install and purge the
// same system package.
func lockMachine(t *testing.T) {
	t.Helper()
	dir := "/run/lock"
	if _, err := os.Stat(dir); err != nil {
		dir = os.TempDir()
	}
	f, err := os.OpenFile(filepath.Join(dir, "validator-package-test.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	for deadline := time.Now().Add(lockWait); ; time.Sleep(lockRetry) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			t.Fatalf("locking %s: %v", f.Name(), err)
		}
	}
}

// refuseForeignInstall stops the test rather than replace a validator
// package or user it did not make. A package left by an interrupted run of
// this test (its version says so) is purged first.
func refuseForeignInstall(t *testing.T) {
	t.Helper()
	status, version := packageStatus(t)
	switch {
	case status == "" && userExists(t):
		t.Fatalf("a %s user exists without the package: refusing to create and then delete it", serviceUser)
	case status == "":
	case version == testDebVersion:
		t.Logf("purging %s %s left by an interrupted run", pkgName, version)
		dpkg(t, "--purge", pkgName)
	default:
		t.Fatalf("%s %s is on this machine (%s): refusing to replace and purge it", pkgName, version, status)
	}
}

// packageStatus returns the package's dpkg status ("install ok installed",
// "deinstall ok config-files", ...) and version, or "" when dpkg knows
// nothing of it.
func packageStatus(t *testing.T) (status, version string) {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Status}\t${Version}", pkgName).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return "", "" // no such package
	}
	if err != nil {
		t.Fatal(err)
	}
	status, version, _ = strings.Cut(string(out), "\t")
	if strings.HasSuffix(status, " not-installed") {
		return "", ""
	}
	return status, version
}

// purgeIfInstalled removes what a failed run left behind.
func purgeIfInstalled(t *testing.T) {
	if status, _ := packageStatus(t); status != "" {
		dpkg(t, "--purge", pkgName)
	}
}

// dpkgInstall installs deb, keeping a changed conffile (no prompt: the test
// has no terminal).
func dpkgInstall(t *testing.T, deb string) {
	t.Helper()
	dpkg(t, "--force-confdef", "--force-confold", "-i", deb)
}

// dpkg runs dpkg, waiting while another dpkg or apt holds its lock.
func dpkg(t *testing.T, args ...string) string {
	t.Helper()
	for deadline := time.Now().Add(lockWait); ; time.Sleep(lockRetry) {
		cmd := exec.Command("dpkg", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := runBounded(cmd, commandTimeout)
		if err == nil {
			t.Logf("dpkg %s:\n%s", strings.Join(args, " "), out)
			return out
		}
		if !strings.Contains(out, "lock") || time.Now().After(deadline) {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// mustRun runs a command that must succeed and returns its output.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := runBounded(exec.Command(name, args...), commandTimeout)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// runBounded runs cmd with stdout and stderr combined, killing it after d.
func runBounded(cmd *exec.Cmd, d time.Duration) (string, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = waitDelay // a killed command's children may hold its output open
	if err := cmd.Start(); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		return out.String(), errors.New("killed after " + d.String())
	}
}
