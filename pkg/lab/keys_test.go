package lab

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"path/filepath"
	"testing"
)

func TestPairOf(t *testing.T) {
	seen := map[[2]int]bool{}
	for i := 0; i < 5000; i++ {
		a, b := pairOf(i)
		if a < 0 || a >= b || seen[[2]int{a, b}] {
			t.Fatalf("pairOf(%d) = %d,%d: not a new pair", i, a, b)
		}
		seen[[2]int{a, b}] = true
		if b >= poolSize(i+1) {
			t.Fatalf("pairOf(%d) uses prime %d beyond pool %d", i, b, poolSize(i+1))
		}
	}
}

func TestKeyFactory(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "primes")
	f, err := NewKeyFactory(10, cache)
	if err != nil {
		t.Fatal(err)
	}
	if f.Cap() < 10 {
		t.Fatalf("cap %d < 10", f.Cap())
	}
	moduli := map[string]bool{}
	digest := sha256.Sum256([]byte("lab"))
	for i := 0; i < f.Cap(); i++ {
		k, err := f.Key(i)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Validate(); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		if k.N.BitLen() != 2048 || k.E != 65537 || moduli[k.N.String()] {
			t.Fatalf("key %d: %d bits, e=%d, or repeated", i, k.N.BitLen(), k.E)
		}
		moduli[k.N.String()] = true
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
		if err != nil || rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, digest[:], sig) != nil {
			t.Fatalf("key %d does not sign and verify: %v", i, err)
		}
	}
	// A second factory reads the same primes back from the cache.
	g, err := NewKeyFactory(10, cache)
	if err != nil {
		t.Fatal(err)
	}
	k0, _ := f.Key(3)
	g0, _ := g.Key(3)
	if k0.N.Cmp(g0.N) != 0 {
		t.Fatal("cached primes gave a different key")
	}
}
