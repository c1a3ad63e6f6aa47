package x509rpki

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"math/big"
	"testing"
)

// Differential tests of verifyRSASHA256 against crypto/rsa, with every
// Montgomery implementation of the build (montVariants).

// rvKeys returns the test's fixed RSA-2048 keys (chain_test.go makes them
// once per test binary).
func rvKeys(t testing.TB) []*rsa.PrivateKey {
	return []*rsa.PrivateKey{ctRSA(t, 0), ctRSA(t, 1), ctRSA(t, 2)}
}

// rvCompare fails when verifyRSASHA256 and rsa.VerifyPKCS1v15 disagree on
// (pub, msg, sig) under any implementation, and returns crypto/rsa's answer.
func rvCompare(t testing.TB, pub *rsa.PublicKey, digest *[sha256.Size]byte, sig []byte) error {
	t.Helper()
	want := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
	for _, v := range montVariants() {
		restore := v.use()
		got := verifyRSASHA256(pub, digest, sig)
		restore()
		if got != want && (got == nil || want == nil || got.Error() != want.Error()) {
			t.Fatalf("%s: N=%x sig=%x digest=%x: got %v, crypto/rsa %v", v.name, pub.N, sig, digest, got, want)
		}
	}
	return want
}

// rvSignEM returns the signature whose public operation gives em: em^d mod
// N, so that tests can reach every byte of the encoded-message comparison.
func rvSignEM(k *rsa.PrivateKey, em []byte) []byte {
	s := new(big.Int).Exp(new(big.Int).SetBytes(em), k.D, k.N)
	return s.FillBytes(make([]byte, rsaModulusBytes))
}

// rvEM returns the PKCS #1 v1.5 encoded message of digest.
func rvEM(digest *[sha256.Size]byte) []byte {
	return append(pkcs1SHA256Prefix[:len(pkcs1SHA256Prefix):len(pkcs1SHA256Prefix)], digest[:]...)
}

func TestVerifyRSAValid(t *testing.T) {
	for i, k := range rvKeys(t) {
		for _, msg := range []string{"", "a", "RPKI"} {
			d := sha256.Sum256([]byte(msg))
			sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, d[:])
			if err != nil {
				t.Fatal(err)
			}
			if err := rvCompare(t, &k.PublicKey, &d, sig); err != nil {
				t.Fatalf("key %d %q: %v", i, msg, err)
			}
		}
	}
}

// TestVerifyRSAInvalid walks the ways a signature fails: every byte of the
// encoded message changed in turn, the signature out of range or of the
// wrong length, and keys off the fast path.
func TestVerifyRSAInvalid(t *testing.T) {
	k := rvKeys(t)[0]
	pub := &k.PublicKey
	d := sha256.Sum256([]byte("RPKI"))
	em := rvEM(&d)
	for i := range em {
		bad := append([]byte{}, em...)
		bad[i] ^= 0x01
		if err := rvCompare(t, pub, &d, rvSignEM(k, bad)); err == nil {
			t.Fatalf("EM byte %d changed: verified", i)
		}
	}
	good, _ := rsa.SignPKCS1v15(nil, k, crypto.SHA256, d[:])
	nMinus1 := new(big.Int).Sub(pub.N, big.NewInt(1))
	for name, sig := range map[string][]byte{
		"empty":     nil,
		"short":     good[1:],
		"long":      append([]byte{0}, good...),
		"zero":      make([]byte, rsaModulusBytes),
		"one":       big.NewInt(1).FillBytes(make([]byte, rsaModulusBytes)),
		"N-1":       nMinus1.FillBytes(make([]byte, rsaModulusBytes)),
		"N":         pub.N.FillBytes(make([]byte, rsaModulusBytes)),
		"N+1":       new(big.Int).Add(pub.N, big.NewInt(1)).FillBytes(make([]byte, rsaModulusBytes)),
		"all-ones":  bytesOf(0xff, rsaModulusBytes),
		"wrong-key": mustSign(t, rvKeys(t)[1], &d),
	} {
		if err := rvCompare(t, pub, &d, sig); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	// Keys off the fast path reach crypto/rsa, which decides.
	for name, key := range map[string]*rsa.PublicKey{
		"e=3":       {N: pub.N, E: 3},
		"even N":    {N: new(big.Int).Add(pub.N, big.NewInt(1)), E: rsaExponent},
		"1024 bits": {N: new(big.Int).Rsh(pub.N, 1024), E: rsaExponent},
		"no N":      {E: rsaExponent},
	} {
		if err := rvCompare(t, key, &d, good); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

// bytesOf returns n bytes of value b.
func bytesOf(b byte, n int) []byte {
	s := make([]byte, n)
	for i := range s {
		s[i] = b
	}
	return s
}

// mustSign signs digest with k.
func mustSign(t testing.TB, k *rsa.PrivateKey, digest *[sha256.Size]byte) []byte {
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// FuzzVerifyRSA is the differential fuzz target: verifyRSASHA256 must give
// crypto/rsa's answer for any key, message and signature. mode selects the
// key (a fixed key, or N from the input, which needs not be a product of
// primes) and the signature (the input, a valid one with an optional bit
// flipped, or one whose encoded message has byte at changed).
func FuzzVerifyRSA(f *testing.F) {
	k := rvKeys(f)[0]
	f.Add(byte(0), []byte(nil), []byte("RPKI"), []byte(nil), uint16(0))
	f.Add(byte(1), []byte(nil), []byte("RPKI"), []byte(nil), uint16(7))
	f.Add(byte(2), []byte(nil), []byte("x"), []byte(nil), uint16(300))
	f.Add(byte(3), k.N.Bytes(), []byte("x"), mustSign(f, k, new([32]byte)), uint16(0))
	rvSeedCorpus(f)
	f.Fuzz(func(t *testing.T, mode byte, n, msg, sig []byte, at uint16) {
		keys := rvKeys(t)
		key := keys[int(mode>>4)%len(keys)]
		pub := &key.PublicKey
		d := sha256.Sum256(msg)
		switch mode & 3 {
		case 1: // a valid signature, maybe with a bit flipped
			sig = mustSign(t, key, &d)
			if at != 0 {
				sig[int(at/8)%len(sig)] ^= 1 << (at % 8)
			}
		case 2: // an encoded message with one byte changed
			em := rvEM(&d)
			em[int(at)%len(em)] ^= byte(at>>8) | 1
			sig = rvSignEM(key, em)
		case 3: // any modulus of up to 4096 bits
			if len(n) > 512 {
				return
			}
			pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: rsaExponent}
			if mode&4 != 0 {
				pub.E = int(at)
			}
		}
		rvCompare(t, pub, &d, sig)
		// The exponentiation alone, against math/big.
		var m montModulus
		if len(sig) == rsaModulusBytes && m.setKey(pub) {
			s := new(big.Int).SetBytes(sig)
			if s.Cmp(pub.N) < 0 {
				var z nat
				m.exp65537(&z, mtNat(s))
				if want := new(big.Int).Exp(s, big.NewInt(rsaExponent), pub.N); mtBig(&z).Cmp(want) != 0 {
					t.Fatalf("exp65537: N=%x s=%x", pub.N, s)
				}
			}
		}
	})
}

// rvSeedCorpus adds the signatures of the RPKI corpus as fuzz seeds (mode
// 3: the issuer's modulus, the signed bytes, the signature).
func rvSeedCorpus(f *testing.F) {
	for _, s := range rvCorpusSignatures(f) {
		f.Add(byte(3), s.pub.N.Bytes(), s.msg, s.sig, uint16(0))
	}
}

// rvSignature is one RSA signature found in the corpus.
type rvSignature struct {
	what     string
	pub      *rsa.PublicKey
	msg, sig []byte
}

// rvCorpusSignatures returns every RSA signature of the corpus whose key
// is at hand: certificates and CRLs under their issuer's key, CMS signed
// objects under their EE key.
func rvCorpusSignatures(t testing.TB) []rvSignature {
	c := ccLoad(t)
	var out []rvSignature
	add := func(what string, issuer *Cert, msg, sig []byte) {
		if issuer == nil {
			return
		}
		if pub, ok := issuer.PublicKey.(*rsa.PublicKey); ok {
			out = append(out, rvSignature{what, pub, msg, sig})
		}
	}
	for _, o := range c.ccSorted(".cer") {
		if o.cert == nil {
			continue
		}
		if o.cert.Kind == KindTA {
			add(o.rel, o.cert, o.cert.RawTBS, o.cert.Signature)
		} else if iss := c.issuerOf(o.rel, o.cert.AKI, o.cert.AIA); iss != nil {
			add(o.rel, iss.cert, o.cert.RawTBS, o.cert.Signature)
		}
	}
	for _, o := range c.ccSorted(".crl") {
		if o.crl == nil {
			continue
		}
		if iss := c.issuerOf(o.rel, o.crl.AKI, ""); iss != nil {
			add(o.rel, iss.cert, o.crl.RawTBS, o.crl.Signature)
		}
	}
	for _, ty := range []ObjectType{TypeManifest, TypeROA, TypeASPA, TypeGBR, TypeRSC, TypeTAK, TypeSPL} {
		for _, f := range corpusFiles(t, ty) {
			parseEE := ParseCert
			if ty == TypeRSC {
				parseEE = parseEECertNoSIA
			}
			if so, err := parseSignedObject(readCorpus(t, f), ctOf(ty), parseEE); err == nil {
				add(f, so.EE, so.RawSigned, so.Signature)
			}
		}
	}
	return out
}

// TestVerifyRSACorpus runs every RSA signature of the corpus, and the same
// with a bit flipped, through crypto/rsa and every implementation here.
func TestVerifyRSACorpus(t *testing.T) {
	sigs := rvCorpusSignatures(t)
	valid := 0
	for _, s := range sigs {
		d := sha256.Sum256(s.msg)
		if rvCompare(t, s.pub, &d, s.sig) == nil {
			valid++
		}
		bad := append([]byte{}, s.sig...)
		if len(bad) > 0 {
			bad[len(bad)/3] ^= 0x40
		}
		if err := rvCompare(t, s.pub, &d, bad); err == nil {
			t.Errorf("%s: flipped signature verified", s.what)
		}
	}
	if valid < 350 {
		t.Errorf("only %d of %d corpus signatures verified", valid, len(sigs))
	}
	t.Logf("%d corpus signatures, %d valid", len(sigs), valid)
}

// rvBenchCase is a real signature to benchmark, the same on every run
// (no key generation, so callgrind counts repeat): the CMS signature of a
// corpus ROA under its EE key.
func rvBenchCase(b *testing.B) (*rsa.PublicKey, []byte, [sha256.Size]byte) {
	so, err := ParseSignedObject(readCorpus(b, sampleROA), oidCTROA)
	if err != nil {
		b.Fatal(err)
	}
	return so.EE.PublicKey.(*rsa.PublicKey), so.Signature, sha256.Sum256(so.RawSigned)
}

// BenchmarkVerifyRSA compares crypto/rsa with verifyRSASHA256 per
// implementation on one 2048-bit signature (digest given: no hashing).
func BenchmarkVerifyRSA(b *testing.B) {
	pub, sig, d := rvBenchCase(b)
	b.Run("crypto-rsa", func(b *testing.B) {
		t0 := cpuNanos()
		for b.Loop() {
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
				b.Fatal(err)
			}
		}
		reportCPUTime(b, t0)
	})
	// The per-key cache that toMont makes unnecessary: R² mod N computed
	// once, s·R as the Montgomery product of s and R².
	var m montModulus
	m.setKey(pub)
	rr := mtNat(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), 2*rsaModulusBits), pub.N))
	for _, v := range montVariants() {
		restore := v.use()
		b.Run(v.name, func(b *testing.B) {
			t0 := cpuNanos()
			for b.Loop() {
				if err := verifyRSASHA256(pub, &d, sig); err != nil {
					b.Fatal(err)
				}
			}
			reportCPUTime(b, t0)
		})
		b.Run(v.name+"-cached-RR", func(b *testing.B) {
			t0 := cpuNanos()
			for b.Loop() {
				var s, a nat
				s.setBytes(sig)
				montMul(&a, &s, rr, &m)
				for range 16 {
					montSqr(&a, &a, &m)
				}
				montMul(&a, &a, &s, &m)
				var got [rsaModulusBytes]byte
				a.fillBytes(&got)
				if !bytes.Equal(got[len(pkcs1SHA256Prefix):], d[:]) {
					b.Fatal("wrong")
				}
			}
			reportCPUTime(b, t0)
		})
		restore()
	}
}
