package corpus

import (
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// BBNDir is the BBN conformance suite inside the corpus, and BBNURI the
// rsync URI it was published at; the objects' AIA and CRLDP point there.
const (
	BBNDir = "rpki-commons/src/test/resources/conformance"
	BBNURI = "rsync://rpki.bbn.com/conformance/"
)

// Tree holds the parsed certificates of one corpus subtree, to find an
// object's issuer among them (rpki-client builds its chain the same way,
// from the AIA URI and the AKI).
type Tree struct {
	dir     string // corpus directory
	base    string // subtree, relative to dir
	uri     string // rsync URI the subtree was published at
	certs   map[string]*x509rpki.Cert
	bySKI   map[string][]string
	parseOK int
}

// LoadTree parses every .cer file below base (relative to the corpus
// directory dir). Files that do not parse are left out: they cannot issue.
func LoadTree(dir, base, uri string) (*Tree, error) {
	t := &Tree{dir: dir, base: base, uri: uri, certs: map[string]*x509rpki.Cert{}, bySKI: map[string][]string{}}
	err := filepath.WalkDir(filepath.Join(dir, base), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".cer") {
			return err
		}
		return t.add(p)
	})
	return t, err
}

func (t *Tree) add(p string) error {
	der, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	c, err := x509rpki.ParseCert(der)
	if err != nil {
		return nil
	}
	rel, err := filepath.Rel(t.dir, p)
	if err != nil {
		return err
	}
	rel = filepath.ToSlash(rel)
	t.certs[rel] = c
	t.bySKI[string(c.SKI)] = append(t.bySKI[string(c.SKI)], rel)
	t.parseOK++
	return nil
}

// Len is the number of certificates that parsed.
func (t *Tree) Len() int { return t.parseOK }

// Cert returns the parsed certificate at file (relative to the corpus
// directory), or nil.
func (t *Tree) Cert(file string) *x509rpki.Cert { return t.certs[file] }

// Issuer finds the issuer of the object at file, whose AIA (empty for a
// CRL) and AKI are given: first the certificate the AIA names; else, among the certificates whose SKI equals the AKI,
// the one that sits where the object's directory says its CA does
// (X/obj → X.cer), then a certificate whose name does not start with "bad".
// It returns "" when none matches.
func (t *Tree) Issuer(file, aia string, aki []byte) string {
	if rel, ok := t.fromURI(aia); ok && t.certs[rel] != nil {
		// The AIA names the issuer (RFC 6487 §4.8.7); when its SKI does not
		// match our AKI, Validate must say so (badCertAKIHash).
		return rel
	}
	if len(aki) == 0 {
		return ""
	}
	cands := t.bySKI[string(aki)]
	if len(cands) == 0 {
		return ""
	}
	best, bestScore := "", -1
	for _, c := range cands {
		if c == file {
			continue // a certificate does not issue itself here; TAs are handled by the caller
		}
		if s := issuerScore(file, c); s > bestScore {
			best, bestScore = c, s
		}
	}
	return best
}

// issuerScore ranks a candidate issuer cand for the object at file.
func issuerScore(file, cand string) int {
	score := 0
	if path.Dir(file)+".cer" == cand {
		score += 4
	}
	if path.Dir(file) == path.Dir(cand) {
		score += 2
	}
	if !strings.HasPrefix(path.Base(cand), "bad") {
		score++
	}
	return score
}

// fromURI maps an rsync URI of the subtree to a corpus-relative path.
func (t *Tree) fromURI(uri string) (string, bool) {
	if t.uri == "" || !strings.HasPrefix(uri, t.uri) {
		return "", false
	}
	return path.Join(t.base, strings.TrimPrefix(uri, t.uri)), true
}

// hexKey turns a colon-hex key identifier back into bytes; nil when s is
// not one.
func hexKey(s string) []byte {
	if s == "" {
		return nil
	}
	b, err := hex.DecodeString(strings.ReplaceAll(s, ":", ""))
	if err != nil {
		return nil
	}
	return b
}
