package ca

import (
	"crypto/sha256"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// testKeys are made once per test binary: RSA key generation dominates the
// cost of everything else here.
var (
	testKeysOnce sync.Once
	testKeys     *KeyPool
	testKeysErr  error
)

// pool returns a deterministic pool of 8 keys shared by the tests. Each
// test CA takes its own index, so no two CAs share a key.
func pool(t testing.TB) *KeyPool {
	t.Helper()
	testKeysOnce.Do(func() { testKeys, testKeysErr = NewKeyPool(8, []byte("pkg/ca tests")) })
	if testKeysErr != nil {
		t.Fatal(testKeysErr)
	}
	return testKeys
}

// Key indexes in the shared pool.
const (
	keyTA = iota
	keyCA
	keyEE1
	keyEE2
	keyEE3
	keyOther
)

// labTime is the test clock: whole seconds, so values survive DER.
func labTime() time.Time { return time.Now().UTC().Truncate(time.Second) }

// lab is a small hierarchy: a TA, one CA and the objects under it.
type lab struct {
	now           time.Time
	ta, ca        *CA
	taCRL, caCRL  []byte
	taMft, caMft  *Object
	roa, aspa     *Object
	router        *Object
	routerKey     *ECKey
	roaPrefixes   []x509rpki.ROAPrefix
	routerASNs    []uint32
	aspaProviders []uint32
}

// buildLab builds the hierarchy with valid objects only.
func buildLab(t testing.TB) *lab {
	t.Helper()
	p := pool(t)
	l := &lab{now: labTime()}
	nb, na := l.now.Add(-time.Hour), l.now.Add(365*24*time.Hour)
	var err error
	l.ta, err = NewTA("lab.test", Params{Key: p.Get(keyTA), Name: "LAB-TA", NotBefore: nb, NotAfter: na,
		Resources: ResourcesFor([]netip.Prefix{mp("10.0.0.0/8"), mp("2001:db8::/32")}, []x509rpki.ASRange{{Min: 64496, Max: 64511}})})
	must(t, err)
	l.ca, err = l.ta.NewCA(Params{Key: p.Get(keyCA),
		Resources: ResourcesFor([]netip.Prefix{mp("10.1.0.0/16"), mp("2001:db8:1::/48")}, []x509rpki.ASRange{{Min: 64500, Max: 64505}})})
	must(t, err)
	l.roaPrefixes = []x509rpki.ROAPrefix{
		{Prefix: mp("2001:db8:1::/48"), MaxLength: 56}, {Prefix: mp("10.1.2.0/24"), MaxLength: 26}, {Prefix: mp("10.1.0.0/16")},
	}
	l.roa, err = l.ca.NewROA(64500, l.roaPrefixes, ObjectParams{EEKey: p.Get(keyEE1)})
	must(t, err)
	l.aspaProviders = []uint32{64511, 64497, 65000}
	l.aspa, err = l.ca.NewASPA(64501, l.aspaProviders, ObjectParams{EEKey: p.Get(keyEE2)})
	must(t, err)
	l.routerKey, err = NewECKey(nil)
	must(t, err)
	l.routerASNs = []uint32{64502}
	l.router, err = l.ca.NewRouterCert(l.routerKey, l.routerASNs, ObjectParams{})
	must(t, err)
	l.caCRL, err = l.ca.NewCRL(bigInt(1), nb, l.now.Add(24*time.Hour), nil, 0)
	must(t, err)
	l.caMft, err = l.ca.NewManifest(bigInt(1), nb, l.now.Add(24*time.Hour), []x509rpki.ManifestFile{
		FileEntry(FileName(l.ca.CRLURI), l.caCRL), FileEntry(l.roa.Name, l.roa.DER),
		FileEntry(l.aspa.Name, l.aspa.DER), FileEntry(l.router.Name, l.router.DER),
	}, ObjectParams{EEKey: p.Get(keyEE3)})
	must(t, err)
	l.taCRL, err = l.ta.NewCRL(bigInt(1), nb, l.now.Add(24*time.Hour),
		[]x509rpki.RevokedCert{{Serial: bigInt(99), Time: nb}}, 0)
	must(t, err)
	l.taMft, err = l.ta.NewManifest(bigInt(7), nb, l.now.Add(24*time.Hour), []x509rpki.ManifestFile{
		FileEntry(FileName(l.ta.CRLURI), l.taCRL), FileEntry(FileName(l.ca.CertURI), l.ca.Cert),
	}, ObjectParams{EEKey: p.Get(keyOther)})
	must(t, err)
	return l
}

// publish writes the lab into dir in rpki-client's cache layout: each rsync
// URI at <host>/<path>, and the TA certificate also at ta/<talname>/<file>.
// It returns the path of each object by URI.
func (l *lab) publish(t testing.TB, dir, talName string) map[string]string {
	t.Helper()
	files := map[string][]byte{
		l.ta.CertURI: l.ta.Cert, l.ta.CRLURI: l.taCRL, l.ta.ManifestURI: l.taMft.DER, l.ca.CertURI: l.ca.Cert,
		l.ca.CRLURI: l.caCRL, l.ca.ManifestURI: l.caMft.DER, l.roa.URI: l.roa.DER, l.aspa.URI: l.aspa.DER,
		l.router.URI: l.router.DER,
	}
	paths := make(map[string]string)
	for uri, der := range files {
		p := filepath.Join(dir, filepath.FromSlash(uri[len("rsync://"):]))
		writeFile(t, p, der)
		paths[uri] = p
	}
	writeFile(t, filepath.Join(dir, "ta", talName, FileName(l.ta.CertURI)), l.ta.Cert)
	return paths
}

// writeFile writes data, creating directories readable by all: rpki-client
// drops root privileges to its own user before reading the cache.
func writeFile(t testing.TB, p string, data []byte) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, data, 0o644))
}

// mp parses a prefix or panics (test literals only).
func mp(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// bigInt returns n as a *big.Int.
func bigInt(n int64) *big.Int { return big.NewInt(n) }

// sha256Sum returns the SHA-256 of b as a slice.
func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
