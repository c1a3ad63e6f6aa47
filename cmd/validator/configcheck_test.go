package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/configs"
	"go.uber.org/zap/zapcore"
)

// writeKeyPair writes a self-signed certificate and its key as PEM files.
func writeKeyPair(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rtr.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile
}

// checkConfig runs `validator config check --config FILE` on yaml written
// in dir.
func checkConfig(t *testing.T, dir, yaml string) (int, string, string) {
	t.Helper()
	file := filepath.Join(dir, "validator.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := dispatch([]string{"config", "check", "--config", file}, &out, &errb)
	return code, out.String(), errb.String()
}

// TestConfigCheckReadsEverything: a configuration whose files all read
// passes; with each file broken, every problem gets its own line.
func TestConfigCheckReadsEverything(t *testing.T) {
	dir := t.TempDir()
	ripe, err := os.ReadFile(filepath.Join("..", "..", "configs", "tals", "ripe.tal"))
	if err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "tals"), 0o755)
	os.WriteFile(filepath.Join(dir, "tals", "ripe.tal"), ripe, 0o644)
	os.WriteFile(filepath.Join(dir, "local.json"), []byte(`{"slurmVersion":1,
 "validationOutputFilters":{"prefixFilters":[],"bgpsecFilters":[]},
 "locallyAddedAssertions":{"prefixAssertions":[],"bgpsecAssertions":[]}}`), 0o644)
	cert, key := writeKeyPair(t, dir)
	// Paths relative to the file's folder.
	good := "tal_dir: tals\nslurm: [local.json]\ncache: cache\nfetch:\n  ca_cert: " + filepath.Base(cert) +
		"\nrtr:\n  tls_listen: [\"127.0.0.1:0\"]\n  tls_cert: " + filepath.Base(cert) + "\n  tls_key: " + filepath.Base(key) + "\n"
	if code, out, errs := checkConfig(t, dir, good); code != 0 || out != "configuration OK\n" {
		t.Fatalf("good configuration: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	os.WriteFile(filepath.Join(dir, "tals", "bad.tal"), []byte("not a TAL"), 0o644)
	os.WriteFile(filepath.Join(dir, "local.json"), []byte(`{"slurmVersion":2}`), 0o644)
	os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("no PEM here"), 0o644)
	bad := strings.NewReplacer("ca_cert: cert.pem", "ca_cert: ca.pem", "tls_key: key.pem", "tls_key: cert.pem").Replace(good)
	code, _, errs := checkConfig(t, dir, bad)
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	want := []string{"bad.tal", "local.json", "ca.pem: no PEM certificate", "rtr.tls_cert"}
	if code != 1 || len(lines) != len(want) {
		t.Fatalf("broken files: exit %d, want 1 and one line per problem (%d):\n%s", code, len(want), errs)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) || !strings.HasPrefix(lines[i], "validator config check: ") {
			t.Errorf("line %q, want it to name %q", lines[i], w)
		}
	}
}

// TestConfigCheckTypo suggests the nearest key, with the line.
func TestConfigCheckTypo(t *testing.T) {
	code, _, errs := checkConfig(t, t.TempDir(), "rtr:\n  max_version: 1\nrefesh: 2m\n")
	if code != 1 || !strings.Contains(errs, "line 3: unknown key refesh (did you mean refresh?)") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// TestReloadKeepsFlags: SIGHUP rebuilds the configuration the way the
// start did, so a flag still overrides the file after a reload; a broken
// file keeps what runs and the log says why.
func TestReloadKeepsFlags(t *testing.T) {
	dir := t.TempDir()
	slurmFile := func(name string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(`{"slurmVersion":1,
 "validationOutputFilters":{"prefixFilters":[],"bgpsecFilters":[]},
 "locallyAddedAssertions":{"prefixAssertions":[{"asn":64496,"prefix":"192.0.2.0/24"}],"bgpsecAssertions":[]}}`), 0o644)
		return p
	}
	slurmFile("a.json")
	b := slurmFile("b.json")
	cfgFile := filepath.Join(dir, "validator.yaml")
	os.WriteFile(cfgFile, []byte("slurm: [a.json]\nrefresh: 1m\n"), 0o644)
	var out, errb bytes.Buffer
	cfg, src, code := daemonConfig("run", []string{"--config", cfgFile, "--cache", filepath.Join(dir, "cache"),
		"--slurm", b, "--log-level", "error"}, &out, &errb)
	if cfg == nil {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	d, err := newDaemon(cfg, src, &errb)
	if err != nil {
		t.Fatal(err)
	}
	defer d.src.Close()
	os.WriteFile(cfgFile, []byte("slurm: [a.json]\nrefresh: 2m\n"), 0o644)
	d.reload()
	if len(d.cfg.SLURM) != 1 || d.cfg.SLURM[0] != b || d.policy == nil {
		t.Errorf("after reload: slurm %v, want the flag's %s", d.cfg.SLURM, b)
	}
	os.WriteFile(cfgFile, []byte("refesh: 2m\n"), 0o644)
	d.reload()
	if d.cfg.SLURM[0] != b || !strings.Contains(errb.String(), "did you mean refresh?") {
		t.Errorf("broken file: slurm %v, log %q", d.cfg.SLURM, errb.String())
	}
}

// TestReloadAppliesSettings reloads a file that changes every reloadable
// setting and one that needs a restart: the reloadable ones take effect
// (intervals, log level, TALs, a new engine for reconsidered), the other
// keeps its running value with a warning naming it.
func TestReloadAppliesSettings(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "validator.yaml")
	os.WriteFile(cfgFile, []byte("refresh: 1m\nrrdp_poll: 30s\nlog:\n  level: warn\n"), 0o644)
	var out, errb lockedBuffer
	cfg, src, code := daemonConfig("run", []string{"--config", cfgFile, "--cache", filepath.Join(dir, "cache")}, &out, &errb)
	if cfg == nil {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	d, err := newDaemon(cfg, src, &errb)
	if err != nil {
		t.Fatal(err)
	}
	defer d.src.Close()
	defer d.memory.restore()
	engine, tals := d.engine, len(d.tals)
	os.WriteFile(filepath.Join(dir, "only.tal"), builtinTALFile(t), 0o644)
	os.WriteFile(cfgFile, []byte("refresh: 2m\nrrdp_poll: 5s\nreconsidered: true\nmemory_limit: 300MiB\ntal_dir: .\nlog:\n  level: info\nrtr:\n  max_age: 1h\n"), 0o644)
	d.reload()
	if d.cfg.Refresh != 2*time.Minute || d.cfg.RRDPPoll != 5*time.Second || d.level.Level() != zapcore.InfoLevel ||
		!d.cfg.Reconsidered || d.engine == engine || len(d.tals) != 1 || tals == 1 {
		t.Fatalf("after reload: refresh %v, poll %v, level %v, reconsidered %v (new engine %v), %d TALs (were %d)",
			d.cfg.Refresh, d.cfg.RRDPPoll, d.level.Level(), d.cfg.Reconsidered, d.engine != engine, len(d.tals), tals)
	}
	if d.cfg.RTR.MaxAge == time.Hour || !strings.Contains(errb.String(), "need a restart") || !strings.Contains(errb.String(), `"rtr"`) {
		t.Fatalf("rtr.max_age %v after reload; log %s", d.cfg.RTR.MaxAge, errb.String())
	}
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Fatalf("memory limit after reload %d, want 300 MiB", got)
	}
}

// builtinTALFile returns one of the TALs built in, as a file's bytes.
func builtinTALFile(t *testing.T) []byte {
	t.Helper()
	names, err := fs.Glob(configs.TALs, "tals/*.tal")
	if err != nil || len(names) == 0 {
		t.Fatalf("built-in TALs: %v %v", names, err)
	}
	b, err := configs.TALs.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}
