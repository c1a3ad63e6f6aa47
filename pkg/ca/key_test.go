package ca

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"sync"
	"testing"
)

func TestDeterministicKey(t *testing.T) {
	a, err := DeterministicKey([]byte("seed-1"))
	must(t, err)
	b, err := DeterministicKey([]byte("seed-1"))
	must(t, err)
	c, err := DeterministicKey([]byte("seed-2"))
	must(t, err)
	if !a.Private.Equal(b.Private) {
		t.Fatal("same seed gave different keys")
	}
	if a.Private.Equal(c.Private) {
		t.Fatal("different seeds gave the same key")
	}
	if err := a.Private.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Private.N.BitLen() != 2048 || a.Private.E != 65537 {
		t.Fatalf("key is %d bits, e=%d", a.Private.N.BitLen(), a.Private.E)
	}
	msg := []byte("signed")
	sig, err := a.sign(msg)
	must(t, err)
	if err := rsa.VerifyPKCS1v15(&a.Private.PublicKey, crypto.SHA256, sha256Sum(msg), sig); err != nil {
		t.Fatalf("signature of a seeded key does not verify: %v", err)
	}
}

// TestSKI checks the key identifier against an independent computation:
// SHA-1 of the subjectPublicKey BIT STRING contents, read with
// encoding/asn1 (RFC 6487 §4.8.2).
func TestSKI(t *testing.T) {
	k := pool(t).Get(keyOther)
	var spki struct {
		Alg asn1.RawValue
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(k.SPKI(), &spki); err != nil {
		t.Fatal(err)
	}
	want := sha1.Sum(spki.Key.Bytes)
	if !bytes.Equal(k.SKI(), want[:]) {
		t.Fatalf("SKI %x, want %x", k.SKI(), want)
	}
	pub, err := x509.ParsePKIXPublicKey(k.SPKI())
	must(t, err)
	if !pub.(*rsa.PublicKey).Equal(k.Public()) {
		t.Fatal("SPKI does not hold the key")
	}
	ec, err := NewECKey(nil)
	must(t, err)
	if _, err := asn1.Unmarshal(ec.SPKI(), &spki); err != nil {
		t.Fatal(err)
	}
	want = sha1.Sum(spki.Key.Bytes)
	if !bytes.Equal(ec.SKI(), want[:]) {
		t.Fatalf("EC SKI %x, want %x", ec.SKI(), want)
	}
}

func TestKeyPool(t *testing.T) {
	p := pool(t)
	if p.Len() != 8 {
		t.Fatalf("Len = %d", p.Len())
	}
	seen := map[string]bool{}
	for i := range p.Len() {
		seen[string(p.Get(i).SKI())] = true
	}
	if len(seen) != p.Len() {
		t.Fatalf("pool keys are not distinct: %d unique of %d", len(seen), p.Len())
	}
	if p.Get(-1) != p.Get(p.Len()-1) || p.Get(p.Len()) != p.Get(0) {
		t.Fatal("Get does not wrap around")
	}
	first := p.Next()
	for range p.Len() - 1 {
		p.Next()
	}
	if p.Next() != first {
		t.Fatal("Next does not cycle through the pool")
	}
	again, err := DeterministicKey(append([]byte("pkg/ca tests"), 0, 0, 0, 0, 0, 0, 0, 3))
	must(t, err)
	if !again.Private.Equal(p.Get(3).Private) {
		t.Fatal("pool key 3 is not DeterministicKey(seed || 3)")
	}
	if _, err := NewKeyPool(0, nil); err == nil {
		t.Fatal("empty pool accepted")
	}
}

func TestKeyFromRSARejectsShortKeys(t *testing.T) {
	short, err := rsa.GenerateKey(nil, 1024)
	must(t, err)
	if _, err := KeyFromRSA(short); err == nil {
		t.Fatal("RSA-1024 key accepted (RFC 7935 §3 wants 2048)")
	}
}

// TestConcurrentIssue issues ROAs from several goroutines sharing one CA
// and one pool: serials must stay unique (RFC 6487 §4.2) and every object
// must parse.
func TestConcurrentIssue(t *testing.T) {
	l := buildLab(t)
	l.ca.EEKeys = pool(t)
	const workers, each = 4, 5
	serials := make(chan string, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				o, err := l.ca.NewROA(64500, l.roaPrefixes, ObjectParams{})
				if err != nil {
					t.Error(err)
					return
				}
				c, err := x509.ParseCertificate(o.EECert)
				if err != nil {
					t.Error(err)
					return
				}
				serials <- c.SerialNumber.String()
			}
		})
	}
	wg.Wait()
	close(serials)
	seen := map[string]bool{}
	for s := range serials {
		if seen[s] {
			t.Fatalf("serial %s issued twice", s)
		}
		seen[s] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d objects, want %d", len(seen), workers*each)
	}
}
