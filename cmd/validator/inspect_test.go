package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openrpki/validator/internal/corpus"
)

// corpusFile returns the path of a file of the RPKI corpus; the test fails
// when the corpus is missing.
func corpusFile(t *testing.T, rel string) string {
	t.Helper()
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, rel)
}

// runInspectCmd runs `validator inspect args...` through dispatch and
// returns the exit status and one decoded JSON object per output line.
func runInspectCmd(t *testing.T, args ...string) (int, []map[string]any, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(append([]string{"inspect"}, args...), &out, &errb)
	var objs []map[string]any
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("output line is not JSON: %v: %s", err, sc.Text())
		}
		objs = append(objs, m)
	}
	return code, objs, errb.String()
}

// Corpus files used below.
const (
	ripeTAL     = "routinator/tals/ripe.tal"
	afrinicTAL  = "routinator/tals/afrinic.tal"
	ripeTA      = "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer"
	ripeTAMft   = "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.mft"
	ripeTACRL   = "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.crl"
	krillROA    = "krill/test-resources/migrations/v0_13_1_pubserver/repo/rsync/current/NLnetLabs/0/3138352e34392e3134302e302f32332d3332203d3e2038353837.roa"
	emptyCert   = "rpki-validator-3/rpki-validator/src/test/resources/empty-file.cer"
	extendedTAL = "rpki-validator-3/rpki-validator/src/test/resources/tals/ripeextended/ripe-ncc-rsync-only.tal"
	bbnBadROA   = "rpki-commons/src/test/resources/conformance/root/badROAASIDLarge.roa"
)

func TestInspectTAL(t *testing.T) {
	code, objs, _ := runInspectCmd(t, corpusFile(t, ripeTAL))
	if code != 0 || len(objs) != 1 {
		t.Fatalf("exit %d, %d objects; want 0, 1", code, len(objs))
	}
	o := objs[0]
	if o["type"] != "tal" || o["status"] != "ok" {
		t.Errorf("type %v status %v; want tal ok", o["type"], o["status"])
	}
	tal := o["tal"].(map[string]any)
	// rpki-client's reference prints this SKI for the RIPE TAL.
	if tal["ski"] != "E8:55:2B:1F:D6:D1:A4:F7:E4:04:C6:D8:E5:68:0D:1E:BC:16:3F:C3" || tal["name"] != "ripe" {
		t.Errorf("tal = %v", tal)
	}
}

func TestInspectRejectsMalformed(t *testing.T) {
	for _, f := range []string{emptyCert, extendedTAL} {
		code, objs, _ := runInspectCmd(t, corpusFile(t, f))
		if code != 1 || len(objs) != 1 {
			t.Fatalf("%s: exit %d, %d objects; want 1, 1", f, code, len(objs))
		}
		o := objs[0]
		if o["status"] != "rejected" || o["error_class"] != "malformed" || o["error"] == "" {
			t.Errorf("%s: %v", f, o)
		}
	}
}

func TestInspectUnknownExtension(t *testing.T) {
	code, objs, _ := runInspectCmd(t, corpusFile(t, "rpki-rrdp-tools-py/tests/data/sample-snapshot.xml"))
	if code != 1 || len(objs) != 1 {
		t.Fatalf("exit %d, %d objects; want 1, 1", code, len(objs))
	}
	if e, _ := objs[0]["error"].(string); !strings.Contains(e, `unknown file type "xml"`) {
		t.Errorf("error %q does not name the unknown type", e)
	}
}

// An expired object whose issuer is not at hand is reported stale, not
// rejected, and the exit status stays 0.
func TestInspectStaleIsNotRejected(t *testing.T) {
	code, objs, _ := runInspectCmd(t, "--now", "2026-01-01T00:00:00Z", corpusFile(t, krillROA))
	if code != 0 || len(objs) != 1 {
		t.Fatalf("exit %d, %d objects; want 0, 1", code, len(objs))
	}
	o := objs[0]
	if o["status"] != "stale" || o["validation"] != "issuer not at hand" || o["error_class"] != "stale" {
		t.Errorf("status %v validation %v class %v; want stale, issuer not at hand, stale", o["status"], o["validation"], o["error_class"])
	}
	// The fields rpki-client printed for this ROA.
	vrps, _ := o["vrps"].([]any)
	if o["type"] != "roa" || o["asid"] != float64(8587) || len(vrps) != 1 {
		t.Fatalf("roa fields: %v", o)
	}
	v := vrps[0].(map[string]any)
	if v["prefix"] != "185.49.140.0/23" || v["maxlen"] != float64(32) {
		t.Errorf("vrp = %v", v)
	}
	if o["ski"] != "03:C8:EC:26:C6:20:1D:A5:F7:B0:5F:59:8E:BE:36:8A:11:7E:DB:1E" ||
		o["not_after"] != "2024-02-07T10:48:09Z" {
		t.Errorf("EE fields: ski %v not_after %v", o["ski"], o["not_after"])
	}
}

// With its issuer and the clock of rpki-client's RIPE 2023 chain run, the
// RIPE TA manifest and CRL validate.
func TestInspectWithIssuer(t *testing.T) {
	code, objs, errs := runInspectCmd(t, "--issuer", corpusFile(t, ripeTA), "--now", "2023-09-15T12:00:00Z",
		corpusFile(t, ripeTAMft), corpusFile(t, ripeTACRL))
	if code != 0 || len(objs) != 2 {
		t.Fatalf("exit %d, %d objects (%s); want 0, 2", code, len(objs), errs)
	}
	mft, crl := objs[0], objs[1]
	for _, o := range objs {
		if o["status"] != "ok" || o["validation"] != "ok" {
			t.Errorf("%v: status %v validation %v error %v", o["type"], o["status"], o["validation"], o["error"])
		}
	}
	if mft["manifest_number"] != "48" || mft["entries"] != float64(2) || mft["this_update"] != "2023-09-14T12:12:55Z" {
		t.Errorf("manifest fields: %v %v %v", mft["manifest_number"], mft["entries"], mft["this_update"])
	}
	if crl["crl_number"] != "48" || crl["revoked_count"] != float64(4) {
		t.Errorf("crl fields: %v %v", crl["crl_number"], crl["revoked_count"])
	}
}

// The same manifest after its nextUpdate is stale, exit 0.
func TestInspectWithIssuerStale(t *testing.T) {
	code, objs, _ := runInspectCmd(t, "--issuer", corpusFile(t, ripeTA), "--now", "2025-01-01T00:00:00Z", corpusFile(t, ripeTAMft))
	if code != 0 || len(objs) != 1 || objs[0]["status"] != "stale" {
		t.Fatalf("exit %d, objects %v; want 0 and stale", code, objs)
	}
}

func TestInspectTrustAnchorAgainstTAL(t *testing.T) {
	code, objs, _ := runInspectCmd(t, "--tal", corpusFile(t, ripeTAL), "--now", "2023-09-15T12:00:00Z", corpusFile(t, ripeTA))
	if code != 0 || objs[0]["status"] != "ok" || objs[0]["type"] != "ca_cert" {
		t.Fatalf("RIPE TA with RIPE TAL: exit %d, %v", code, objs)
	}
	code, objs, _ = runInspectCmd(t, "--tal", corpusFile(t, afrinicTAL), "--now", "2023-09-15T12:00:00Z", corpusFile(t, ripeTA))
	if code != 1 || objs[0]["status"] != "rejected" || !strings.Contains(objs[0]["error"].(string), "RFC 8630") {
		t.Fatalf("RIPE TA with AFRINIC TAL: exit %d, %v", code, objs)
	}
}

// One bad file among good ones makes the exit status 1; every file is
// still printed, in order.
func TestInspectManyFiles(t *testing.T) {
	files := []string{corpusFile(t, ripeTAL), corpusFile(t, bbnBadROA), corpusFile(t, afrinicTAL)}
	code, objs, _ := runInspectCmd(t, files...)
	if code != 1 || len(objs) != 3 {
		t.Fatalf("exit %d, %d objects; want 1, 3", code, len(objs))
	}
	want := []string{"ok", "rejected", "ok"}
	for i, o := range objs {
		if o["status"] != want[i] || o["file"] != files[i] {
			t.Errorf("object %d: file %v status %v; want %s %s", i, o["file"], o["status"], files[i], want[i])
		}
	}
}

func TestInspectPretty(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"inspect", "--pretty", corpusFile(t, ripeTAL)}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "\n  \"type\": \"tal\",\n") {
		t.Errorf("not indented:\n%s", out.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Errorf("pretty output is not one JSON object: %v", err)
	}
}

func TestInspectUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--now", "yesterday", "x.roa"},
		{"--issuer", "/nonexistent/issuer.cer", "x.roa"},
		{"--tal", "/nonexistent/x.tal", "x.roa"},
		{"--bogus", "x.roa"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(append([]string{"inspect"}, args...), &out, &errb); code != 2 {
			t.Errorf("inspect %q: exit %d, want 2", args, code)
		}
		if errb.Len() == 0 || out.Len() != 0 {
			t.Errorf("inspect %q: want a message on stderr only; stdout %q", args, out.String())
		}
	}
}

// Against the wrong issuer, a well-formed object is rejected and the exit
// status is 1; the error names the signature or key identifier check.
func TestInspectWrongIssuer(t *testing.T) {
	code, objs, _ := runInspectCmd(t, "--issuer", corpusFile(t, ripeTA), "--now", "2023-09-15T12:00:00Z", corpusFile(t, krillROA))
	if code != 1 || len(objs) != 1 {
		t.Fatalf("exit %d, %d objects; want 1, 1", code, len(objs))
	}
	o := objs[0]
	if o["status"] != "rejected" || o["validation"] != "failed" || o["error_class"] == "" {
		t.Errorf("status %v validation %v class %v error %v", o["status"], o["validation"], o["error_class"], o["error"])
	}
}

// A trust anchor certificate without a TAL is checked against itself and
// says that no TAL pinned its key.
func TestInspectTrustAnchorWithoutTAL(t *testing.T) {
	code, objs, _ := runInspectCmd(t, "--now", "2023-09-15T12:00:00Z", corpusFile(t, ripeTA))
	if code != 0 || objs[0]["status"] != "ok" || objs[0]["validation"] != "ok: self-signed, no TAL given" {
		t.Fatalf("exit %d, %v", code, objs)
	}
}

func TestInspectHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch([]string{"inspect", "-h"}, &out, &errb); code != 0 {
		t.Errorf("inspect -h: exit %d, want 0", code)
	}
	if !strings.Contains(out.String(), "usage: validator inspect") || !strings.Contains(out.String(), "-issuer") {
		t.Errorf("help text: %q", out.String())
	}
}

// --type reads a file whose name hides its type, as rpki-client's
// reference did for "*.tal.disabled" (SOURCES.md).
func TestInspectTypeFlag(t *testing.T) {
	f := corpusFile(t, "rpki.net/rp/rcynic/sample-trust-anchors/apnic-testbed.tal.disabled")
	code, objs, _ := runInspectCmd(t, f)
	if code != 1 || objs[0]["error_class"] != "unsupported" {
		t.Fatalf("without --type: exit %d, %v", code, objs)
	}
	code, objs, _ = runInspectCmd(t, "--type", "tal", f)
	if code != 0 || objs[0]["type"] != "tal" || objs[0]["tal"].(map[string]any)["name"] != "apnic-testbed" {
		t.Fatalf("with --type tal: exit %d, %v", code, objs)
	}
}

// copyCorpus copies a corpus file to dst.
func copyCorpus(t *testing.T, rel, dst string) {
	t.Helper()
	data, err := os.ReadFile(corpusFile(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(dst), 0o755)
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestInspectFolder walks a folder recursively in sorted order: one line
// per RPKI file, other files skipped, a summary on stderr, exit 1 since
// one file is rejected.
func TestInspectFolder(t *testing.T) {
	dir := t.TempDir()
	copyCorpus(t, ripeTAL, filepath.Join(dir, "b.tal"))
	copyCorpus(t, bbnBadROA, filepath.Join(dir, "a", "bad.roa"))
	copyCorpus(t, krillROA, filepath.Join(dir, "c", "d", "krill.roa"))
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not RPKI"), 0o644)
	os.WriteFile(filepath.Join(dir, "a", "notes"), []byte("not RPKI"), 0o644)
	code, objs, errs := runInspectCmd(t, "--now", "2026-01-01T00:00:00Z", dir)
	want := []struct{ file, status string }{
		{"a/bad.roa", "rejected"}, {"b.tal", "ok"}, {"c/d/krill.roa", "stale"},
	}
	if code != 1 || len(objs) != len(want) {
		t.Fatalf("exit %d, %d objects; want 1, %d (%s)", code, len(objs), len(want), errs)
	}
	for i, w := range want {
		if objs[i]["file"] != filepath.Join(dir, w.file) || objs[i]["status"] != w.status {
			t.Errorf("object %d: %v %v, want %s %s", i, objs[i]["file"], objs[i]["status"], w.file, w.status)
		}
	}
	if errs != "inspected 3 files: 1 ok, 1 stale, 1 rejected; 2 skipped (no RPKI extension)\n" {
		t.Errorf("summary %q", errs)
	}
}

// TestInspectMissingFile reports the OS error, class "io", not an unknown
// type.
func TestInspectMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexistent")
	code, objs, errs := runInspectCmd(t, missing)
	if code != 1 || len(objs) != 1 {
		t.Fatalf("exit %d, %d objects; want 1, 1", code, len(objs))
	}
	if e, _ := objs[0]["error"].(string); objs[0]["error_class"] != "io" || !strings.Contains(e, missing+": no such file or directory") {
		t.Errorf("class %v error %q, want io and the OS error", objs[0]["error_class"], e)
	}
	if !strings.Contains(errs, "inspected 1 file: 0 ok, 0 stale, 1 rejected") {
		t.Errorf("summary %q", errs)
	}
}
