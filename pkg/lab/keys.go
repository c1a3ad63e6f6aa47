package lab

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// KeyFactory hands out many distinct RSA-2048 keys cheaply, for a lab that
// needs hundreds of thousands of them (one per CA and one per signed object's
// EE certificate) and must generate in minutes.
//
// Each key is the product of a distinct pair of 1024-bit primes from a pool:
// a pool of P primes yields P(P-1)/2 keys, so 800 primes (about 25 seconds of
// key generation, once) give 319,600 keys. Keys that share a prime are
// trivially breakable, which does not matter in a lab and nowhere else is
// this used. The pool can be kept in a file and reused across runs.
type KeyFactory struct {
	primes []*big.Int

	mu   sync.Mutex
	keys map[int]*rsa.PrivateKey
}

var bigOne = big.NewInt(1)

// pubExponent is the RSA public exponent RFC 7935 §3 requires.
const pubExponent = 65537

// NewKeyFactory returns a factory able to hand out at least n keys. When
// cacheFile is not empty, primes are read from it and any newly generated
// ones are appended, so later runs start at once.
func NewKeyFactory(n int, cacheFile string) (*KeyFactory, error) {
	need := poolSize(n)
	var primes []*big.Int
	if cacheFile != "" {
		primes, _ = readPrimes(cacheFile) // a missing or bad cache is regenerated
	}
	if len(primes) < need {
		fresh, err := generatePrimes(need - len(primes))
		if err != nil {
			return nil, err
		}
		primes = append(primes, fresh...)
		if cacheFile != "" {
			if err := writePrimes(cacheFile, primes); err != nil {
				return nil, err
			}
		}
	}
	return &KeyFactory{primes: primes[:need], keys: make(map[int]*rsa.PrivateKey)}, nil
}

// Cap is the number of distinct keys the factory can hand out.
func (f *KeyFactory) Cap() int { p := len(f.primes); return p * (p - 1) / 2 }

// Key returns the i-th key; the same i always gives the same key, and
// different i give different keys.
func (f *KeyFactory) Key(i int) (*rsa.PrivateKey, error) {
	if i < 0 || i >= f.Cap() {
		return nil, fmt.Errorf("lab: key %d out of range (have %d)", i, f.Cap())
	}
	f.mu.Lock()
	k, ok := f.keys[i]
	f.mu.Unlock()
	if ok {
		return k, nil
	}
	a, b := pairOf(i)
	k, err := keyFromPrimes(f.primes[a], f.primes[b])
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.keys[i] = k
	f.mu.Unlock()
	return k, nil
}

// Forget drops the cached private key i (the lab signs with most keys once).
func (f *KeyFactory) Forget(i int) {
	f.mu.Lock()
	delete(f.keys, i)
	f.mu.Unlock()
}

// poolSize is the smallest P with P(P-1)/2 >= n.
func poolSize(n int) int {
	p := int(math.Ceil((1 + math.Sqrt(1+8*float64(n))) / 2))
	return max(p, 2)
}

// pairOf maps i to the i-th pair (a, b), a < b, enumerating b = 1, 2, ...
func pairOf(i int) (a, b int) {
	b = int((1 + math.Sqrt(1+8*float64(i))) / 2)
	for b*(b-1)/2 > i {
		b--
	}
	for (b+1)*b/2 <= i {
		b++
	}
	return i - b*(b-1)/2, b
}

func keyFromPrimes(p, q *big.Int) (*rsa.PrivateKey, error) {
	n := new(big.Int).Mul(p, q)
	pm1, qm1 := new(big.Int).Sub(p, bigOne), new(big.Int).Sub(q, bigOne)
	phi := new(big.Int).Mul(pm1, qm1)
	d := new(big.Int).ModInverse(big.NewInt(pubExponent), phi)
	if d == nil || n.BitLen() != 2048 {
		return nil, errors.New("lab: bad prime pair")
	}
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: pubExponent}, D: d, Primes: []*big.Int{p, q}}
	k.Precompute()
	return k, nil
}

// generatePrimes makes n primes suitable for pairing: 1024 bits with the two
// top bits set (so any product has exactly 2048 bits) and p-1 coprime to
// the public exponent. rsa.GenerateKey is the fastest prime source in the
// standard library and yields two at a time.
func generatePrimes(n int) ([]*big.Int, error) {
	var (
		mu  sync.Mutex
		out []*big.Int
		wg  sync.WaitGroup
		err error
	)
	workers := 2
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				done := len(out) >= n || err != nil
				mu.Unlock()
				if done {
					return
				}
				k, e := rsa.GenerateKey(rand.Reader, 2048)
				mu.Lock()
				if e != nil {
					err = e
				}
				for _, p := range k.Primes {
					if usablePrime(p) && len(out) < n {
						out = append(out, p)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out, err
}

func usablePrime(p *big.Int) bool {
	if p.BitLen() != 1024 || p.Bit(1022) != 1 {
		return false
	}
	r := new(big.Int).Mod(p, big.NewInt(pubExponent))
	return r.Cmp(bigOne) != 0
}

func readPrimes(path string) ([]*big.Int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*big.Int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p, ok := new(big.Int).SetString(strings.TrimSpace(sc.Text()), 16)
		if !ok || !usablePrime(p) || !p.ProbablyPrime(1) {
			return nil, fmt.Errorf("lab: %s: bad prime", path)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// writePrimes replaces the cache file atomically.
func writePrimes(path string, primes []*big.Int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for _, p := range primes {
		b.WriteString(p.Text(16))
		b.WriteByte('\n')
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
