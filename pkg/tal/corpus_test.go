package tal

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openrpki/validator/internal/testfiles"
)

// corpusDir returns the RPKI corpus (internal/testfiles), failing the test
// without it.
func corpusDir(t testing.TB) string { return testfiles.Corpus(t) }

// expectation is one EXPECTED.tsv row: the peer-suite expectation and
// rpki-client 8.2's parse verdict.
type expectation struct {
	expected, rpkiClient string
}

// loadExpected reads EXPECTED.tsv into a map keyed by corpus-relative path.
func loadExpected(t testing.TB, corpus string) map[string]expectation {
	t.Helper()
	f, err := os.Open(filepath.Join(corpus, "EXPECTED.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]expectation)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || cols[0] == "file" {
			continue
		}
		out[cols[0]] = expectation{expected: cols[1], rpkiClient: cols[4]}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// corpusTALs returns every *.tal and *.tal.disabled file of the corpus,
// relative to it.
func corpusTALs(t testing.TB, corpus string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(corpus, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".tal") || strings.HasSuffix(p, ".tal.disabled")) {
			rel, _ := filepath.Rel(corpus, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// wantAccept turns a row into a verdict. "accept" and "reject ..." are the
// peer suites' expectations; for "gray" rows we follow rpki-client 8.2's
// strict reading, as the house rules ask, so its verdict is the answer.
func wantAccept(t *testing.T, file string, e expectation) bool {
	switch {
	case e.expected == "accept":
		return true
	case strings.HasPrefix(e.expected, "reject"):
		return false
	case strings.HasPrefix(e.expected, "gray"):
		return strings.HasPrefix(e.rpkiClient, "accept")
	}
	t.Fatalf("%s: unknown expectation %q", file, e.expected)
	return false
}

func TestCorpus(t *testing.T) {
	corpus := corpusDir(t)
	exp := loadExpected(t, corpus)
	files := corpusTALs(t, corpus)
	if len(files) < 50 {
		t.Fatalf("found only %d TAL files in the corpus", len(files))
	}
	accepted := 0
	for _, f := range files {
		e, ok := exp[f]
		if !ok {
			t.Errorf("%s: no row in EXPECTED.tsv", f)
			continue
		}
		want := wantAccept(t, f, e)
		tl, err := LoadFile(filepath.Join(corpus, f))
		if want && err != nil {
			t.Errorf("%s: want accept (%s), got %v", f, e.expected, err)
			continue
		}
		if !want {
			if err == nil {
				t.Errorf("%s: want reject (%s / rpki-client: %s), got accepted", f, e.expected, e.rpkiClient)
			}
			continue
		}
		accepted++
		checkRoundTrip(t, f, tl)
	}
	t.Logf("%d TAL files, %d accepted", len(files), accepted)
}

// checkRoundTrip asserts Marshal then Parse gives the same TAL.
func checkRoundTrip(t *testing.T, name string, tl *TAL) {
	t.Helper()
	back, err := Parse(tl.Marshal())
	if err != nil {
		t.Errorf("%s: re-parse of Marshal output: %v", name, err)
		return
	}
	if !equalTAL(tl, back) {
		t.Errorf("%s: round trip changed the TAL", name)
	}
}
