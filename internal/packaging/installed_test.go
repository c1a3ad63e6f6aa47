package packaging

import (
	"debug/elf"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// checkArchive reads the .deb before installing it: its control fields,
// that root owns every file, the expected files with their modes, the
// conffile, and md5sums covering every other file.
func checkArchive(t *testing.T, deb string) {
	t.Helper()
	fields := mustRun(t, "dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Maintainer",
		"Installed-Size", "Depends", "Section", "Priority", "Description")
	for _, want := range []string{"Package: validator\n", "Version: " + testDebVersion + "\n",
		"Depends: adduser", "Maintainer: ", "Installed-Size: ", "Description: "} {
		if !strings.Contains(fields, want) {
			t.Errorf("control lacks %q:\n%s", want, fields)
		}
	}
	modes := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, "dpkg-deb", "-c", deb)), "\n") {
		f := strings.Fields(line) // -rw-r--r-- root/root 2684 2026-05-01 10:00 ./etc/validator/validator.yaml
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c line %q", line)
		}
		if f[1] != "root/root" {
			t.Errorf("%s is owned by %s, not root/root", f[5], f[1])
		}
		modes[strings.TrimPrefix(f[5], ".")] = f[0]
	}
	for path, want := range map[string]string{binPath: "-rwxr-xr-x", unitPath: "-rw-r--r--",
		configPath: "-rw-r--r--", docDir + "/copyright": "-rw-r--r--", docDir + "/changelog.gz": "-rw-r--r--"} {
		if modes[path] != want {
			t.Errorf("%s: mode %q, want %q", path, modes[path], want)
		}
	}
	if got := mustRun(t, "dpkg-deb", "-I", deb, "conffiles"); got != configPath+"\n" {
		t.Errorf("conffiles %q, want %s alone", got, configPath)
	}
	var summed []string
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, "dpkg-deb", "-I", deb, "md5sums")), "\n") {
		if sum, path, ok := strings.Cut(line, "  "); ok && len(sum) == 32 {
			summed = append(summed, "/"+path)
		}
	}
	var files []string
	for path, mode := range modes {
		if strings.HasPrefix(mode, "-") && path != configPath {
			files = append(files, path)
		}
	}
	slices.Sort(summed)
	slices.Sort(files)
	if !slices.Equal(summed, files) {
		t.Errorf("md5sums lists %v, want every file but the conffile: %v", summed, files)
	}
}

// checkInstalled checks what dpkg -i left: the package state, files
// matching their checksums, the system user and group, the cache
// directory it owns, a static binary, and a unit naming both.
func checkInstalled(t *testing.T) {
	t.Helper()
	if status, version := packageStatus(t); status != "install ok installed" || version != testDebVersion {
		t.Fatalf("dpkg status %q version %q", status, version)
	}
	if out := mustRun(t, "dpkg", "--verify", pkgName); out != "" {
		t.Errorf("dpkg --verify %s:\n%s", pkgName, out)
	}
	if conf := mustRun(t, "dpkg-query", "-W", "-f", "${Conffiles}", pkgName); !strings.Contains(conf, configPath+" ") {
		t.Errorf("dpkg does not track %s as a conffile: %q", configPath, conf)
	}
	u := lookupUser(t)
	if u.uid == 0 || u.uid >= 1000 || u.home != cacheDir || u.shell != "/usr/sbin/nologin" {
		t.Errorf("user %+v: want a system uid (1-999), home %s, shell /usr/sbin/nologin", u, cacheDir)
	}
	if gid := lookupGroup(t); gid != u.gid {
		t.Errorf("group %s has gid %d, the user's primary group is %d", serviceUser, gid, u.gid)
	}
	fi, err := os.Stat(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || fi.Mode().Perm() != 0o750 || int(st.Uid) != u.uid || int(st.Gid) != u.gid {
		t.Errorf("%s: mode %v owner %d:%d, want a directory 0750 owned by %d:%d", cacheDir, fi.Mode(), st.Uid, st.Gid, u.uid, u.gid)
	}
	checkStatic(t, binPath)
	checkUnit(t)
}

// checkStatic fails unless the binary is statically linked: no program
// interpreter, no shared libraries (CGO_ENABLED=0).
func checkStatic(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s is dynamically linked (%v)", path, p.Type)
		}
	}
}

// checkUnit checks the installed unit runs the installed binary on the
// packaged configuration as the packaged user, and that systemd accepts it
// (when systemd-analyze is there).
func checkUnit(t *testing.T) {
	t.Helper()
	exec0 := unitExecStart(t)
	if exec0[0] != binPath || !slices.Contains(exec0, configPath) {
		t.Errorf("unit ExecStart %q: want %s with --config %s", exec0, binPath, configPath)
	}
	if u := unitValue(t, "User"); u != serviceUser {
		t.Errorf("unit User=%q, want %s", u, serviceUser)
	}
	if d := unitValue(t, "CacheDirectory"); d != filepath.Base(cacheDir) {
		t.Errorf("unit CacheDirectory=%q, want %s", d, filepath.Base(cacheDir))
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Logf("systemd-analyze not installed; unit not verified: %v", err)
		return
	}
	if out, err := runBounded(exec.Command("systemd-analyze", "verify", unitPath), commandTimeout); err != nil || out != "" {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
	}
}

// checkNothingStarted: the maintainer scripts enable and start nothing.
func checkNothingStarted(t *testing.T) {
	t.Helper()
	links, _ := filepath.Glob("/etc/systemd/system/*.wants/validator.service")
	if len(links) > 0 {
		t.Errorf("installing enabled the unit: %v", links)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/exe")
	for _, p := range procs {
		if exe, err := os.Readlink(p); err == nil && exe == binPath {
			t.Errorf("installing started %s (%s)", binPath, p)
		}
	}
}

// checkPurged: after dpkg --purge, dpkg knows nothing of the package and
// nothing it or its scripts made is left.
func checkPurged(t *testing.T) {
	t.Helper()
	if status, _ := packageStatus(t); status != "" {
		t.Errorf("after purge dpkg still has %s: %s", pkgName, status)
	}
	for _, p := range installedPaths {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after purge %s is still there (%v)", p, err)
		}
	}
	if userExists(t) {
		t.Errorf("after purge user %s still exists", serviceUser)
	}
	if err := exec.Command("getent", "group", serviceUser).Run(); err == nil {
		t.Errorf("after purge group %s still exists", serviceUser)
	}
}

// account is the passwd entry of the service user.
type account struct {
	uid, gid    int
	home, shell string
}

func lookupUser(t *testing.T) account {
	t.Helper()
	f := strings.Split(strings.TrimSpace(mustRun(t, "getent", "passwd", serviceUser)), ":")
	if len(f) != 7 {
		t.Fatalf("passwd entry %q", f)
	}
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil {
		t.Fatalf("passwd entry %q", f)
	}
	return account{uid: uid, gid: gid, home: f[5], shell: f[6]}
}

func lookupGroup(t *testing.T) int {
	t.Helper()
	f := strings.Split(strings.TrimSpace(mustRun(t, "getent", "group", serviceUser)), ":")
	if len(f) < 3 {
		t.Fatalf("group entry %q", f)
	}
	gid, err := strconv.Atoi(f[2])
	if err != nil {
		t.Fatalf("group entry %q", f)
	}
	return gid
}

// userExists reports whether getent knows the service user (exit status
// 2 is "not found").
func userExists(t *testing.T) bool {
	t.Helper()
	err := exec.Command("getent", "passwd", serviceUser).Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 2) {
		t.Fatal(err)
	}
	return err == nil
}

// unitValue returns the value of key in the installed unit, or "".
func unitValue(t *testing.T, key string) string {
	t.Helper()
	b, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// unitExecStart returns the unit's command line. It must be plain words:
// the test runs it as systemd would, without systemd's specifiers.
func unitExecStart(t *testing.T) []string {
	t.Helper()
	v := unitValue(t, "ExecStart")
	if v == "" || strings.ContainsAny(v, `$%"'\`) {
		t.Fatalf("unit ExecStart=%q: want a plain command line", v)
	}
	return strings.Fields(v)
}
