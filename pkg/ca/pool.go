package ca

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// DeterministicKey derives an RSA-2048 key from seed: the same seed always
// gives the same key. Go 1.26's rsa.GenerateKey ignores its reader, so the
// primes are drawn here from a ChaCha8 stream keyed by SHA-256(seed) and
// tested with math/big's Baillie-PSW plus Miller-Rabin. For test and lab
// use only: the key is exactly as secret as its seed.
func DeterministicKey(seed []byte) (*Key, error) {
	rng := rand.NewChaCha8(sha256.Sum256(seed))
	e := big.NewInt(rsaExponent)
	for {
		p, q := randomPrime(rng), randomPrime(rng)
		if p.Cmp(q) == 0 {
			continue
		}
		priv, ok := rsaFromPrimes(p, q, e)
		if !ok {
			continue
		}
		return KeyFromRSA(priv)
	}
}

// randomPrime returns a 1024-bit prime with its two top bits set, so that
// the product of two of them has exactly 2048 bits (FIPS 186-5 B.3.1 does
// the same with a threshold of 1/sqrt(2)). It draws a random odd start and
// walks upwards in steps of 2, keeping the start's residues modulo the
// small primes so that most composites are skipped without a big-number
// test; only survivors go to ProbablyPrime. This is what makes a seeded
// key cost about as much as rsa.GenerateKey.
func randomPrime(rng *rand.ChaCha8) *big.Int {
	buf := make([]byte, rsaKeyBits/16)
	rem := make([]uint32, len(sievePrimes))
	p, m := new(big.Int), new(big.Int)
	for {
		_, _ = rng.Read(buf) // ChaCha8.Read never fails
		buf[0] |= 0xc0
		buf[len(buf)-1] |= 1
		p.SetBytes(buf)
		for i, q := range sievePrimes {
			rem[i] = uint32(m.Mod(p, big.NewInt(int64(q))).Uint64())
		}
		for delta := uint32(0); delta < sieveWindow; delta += 2 {
			if !sieveHit(rem, delta) {
				continue
			}
			c := new(big.Int).Add(p, big.NewInt(int64(delta)))
			if c.BitLen() == rsaKeyBits/2 && c.ProbablyPrime(millerRabinRounds) {
				return c
			}
		}
	}
}

// sieveHit reports whether start+delta is divisible by none of the sieve
// primes, given the residues of start.
func sieveHit(rem []uint32, delta uint32) bool {
	for i, q := range sievePrimes {
		if (rem[i]+delta)%q == 0 {
			return false
		}
	}
	return true
}

// millerRabinRounds is the number of random-base Miller-Rabin rounds on
// top of the Baillie-PSW test that ProbablyPrime always runs; FIPS 186-5
// table B.1 asks for 4 or 5 rounds for 1024-bit RSA primes.
const millerRabinRounds = 5

// sieveWindow is how far randomPrime walks from one random start; the mean
// gap between 1024-bit primes is about 710.
const sieveWindow = 1 << 14

// sievePrimes are the odd primes below 2^13, for trial division.
var sievePrimes = func() []uint32 {
	var ps []uint32
	for n := uint32(3); n < 1<<13; n += 2 {
		prime := true
		for _, q := range ps {
			if q*q > n {
				break
			}
			if n%q == 0 {
				prime = false
				break
			}
		}
		if prime {
			ps = append(ps, n)
		}
	}
	return ps
}()

// rsaFromPrimes builds and checks the private key for p and q, reporting
// false when e is not invertible modulo lcm(p-1, q-1).
func rsaFromPrimes(p, q, e *big.Int) (*rsa.PrivateKey, bool) {
	one := big.NewInt(1)
	pm, qm := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
	g := new(big.Int).GCD(nil, nil, pm, qm)
	lambda := new(big.Int).Div(new(big.Int).Mul(pm, qm), g)
	d := new(big.Int).ModInverse(e, lambda)
	if d == nil {
		return nil, false
	}
	priv := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: rsaExponent},
		D:         d,
		Primes:    []*big.Int{p, q},
	}
	priv.Precompute()
	return priv, priv.Validate() == nil
}

// KeyPool holds pre-generated keys for signed-object EE certificates.
//
// RSA-2048 generation costs about 100 ms, two orders of magnitude more than
// issuing a certificate, so a lab repository of ~200k ROAs cannot afford one
// fresh key per EE certificate. Reusing keys is safe only for EE
// certificates: two certificates with the same key have the same SKI, and
// relying parties index CA certificates by SKI (rpki-client refuses a CA
// whose SKI is already in its authority tree). So give every CA its own key
// (NewKey, or DeterministicKey with a per-CA seed) and draw only EE keys from
// a pool. RFC 6487 §4 wants one-time-use EE keys; a shared EE key is a
// deliberate lab shortcut no validator checks.
type KeyPool struct {
	keys []*Key
	next atomic.Uint64
}

// NewKeyPool makes n keys, spread over GOMAXPROCS goroutines. With a seed,
// key i is DeterministicKey(seed || i), so the pool is reproducible; with a
// nil seed the keys are random.
func NewKeyPool(n int, seed []byte) (*KeyPool, error) {
	if n < 1 || n > MaxPoolKeys {
		return nil, fmt.Errorf("ca: key pool: size %d outside 1..%d", n, MaxPoolKeys)
	}
	keys := make([]*Key, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	var idx atomic.Int64
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(idx.Add(1) - 1); i < n; i = int(idx.Add(1) - 1) {
				keys[i], errs[i] = poolKey(seed, i)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &KeyPool{keys: keys}, nil
}

// poolKey makes key i of a pool.
func poolKey(seed []byte, i int) (*Key, error) {
	if seed == nil {
		return NewKey(nil)
	}
	return DeterministicKey(binary.BigEndian.AppendUint64(append([]byte(nil), seed...), uint64(i)))
}

// Len returns the number of keys.
func (p *KeyPool) Len() int { return len(p.keys) }

// Get returns key i modulo the pool size, so a lab can key objects to pool
// entries deterministically.
func (p *KeyPool) Get(i int) *Key {
	n := len(p.keys)
	return p.keys[((i%n)+n)%n]
}

// Next returns the keys in turn; safe for concurrent use.
func (p *KeyPool) Next() *Key {
	return p.keys[(p.next.Add(1)-1)%uint64(len(p.keys))]
}
