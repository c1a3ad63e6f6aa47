package x509rpki

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// Montgomery arithmetic checked against math/big on random and edge-case
// moduli: any odd 2048-bit N will do, primes are not needed.

// mtR is R = 2²⁰⁴⁸.
var mtR = new(big.Int).Lsh(big.NewInt(1), rsaModulusBits)

// mtBig returns x as a big.Int.
func mtBig(x *nat) *big.Int {
	var b [rsaModulusBytes]byte
	x.fillBytes(&b)
	return new(big.Int).SetBytes(b[:])
}

// mtNat returns v (below 2²⁰⁴⁸) as a nat.
func mtNat(v *big.Int) *nat {
	var x nat
	x.setBig(v)
	return &x
}

// mtModuli returns odd 2048-bit moduli: random ones and ones whose top
// limbs make the quotient estimate of toMont hit its corner cases.
func mtModuli(rng *rand.Rand) []*big.Int {
	limbs := func(f func(i int) uint64) *big.Int {
		var x nat
		for i := range x {
			x[i] = f(i)
		}
		x[natLimbs-1] |= 1 << 63
		x[0] |= 1
		return mtBig(&x)
	}
	mods := []*big.Int{
		limbs(func(int) uint64 { return ^uint64(0) }),          // 2²⁰⁴⁸-1
		limbs(func(int) uint64 { return 0 }),                   // 2²⁰⁴⁷+1
		limbs(func(i int) uint64 { return uint64(i&1) << 63 }), // sparse
		limbs(func(i int) uint64 { // top limb 2⁶³, second all ones
			if i == natLimbs-2 {
				return ^uint64(0)
			}
			return rng.Uint64()
		}),
		limbs(func(i int) uint64 { // top limb all ones, second zero
			switch i {
			case natLimbs - 1:
				return ^uint64(0)
			case natLimbs - 2:
				return 0
			}
			return rng.Uint64()
		}),
	}
	for range 20 {
		mods = append(mods, limbs(func(int) uint64 { return rng.Uint64() }))
	}
	return mods
}

// mtOperands returns values below n: edge cases and random ones.
func mtOperands(rng *rand.Rand, n *big.Int) []*big.Int {
	one := big.NewInt(1)
	ops := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2),
		new(big.Int).Sub(n, one), new(big.Int).Sub(n, big.NewInt(2)),
		new(big.Int).Rsh(n, 1), new(big.Int).Sub(new(big.Int).Lsh(one, 2047), one),
		new(big.Int).Sub(new(big.Int).Lsh(one, 64), one),
	}
	for range 10 {
		var x nat
		for i := range x {
			x[i] = rng.Uint64()
		}
		ops = append(ops, new(big.Int).Mod(mtBig(&x), n))
	}
	return ops
}

func TestMontArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rInv := new(big.Int)
	for _, n := range mtModuli(rng) {
		var m montModulus
		m.setOdd(mtNat(n))
		if got := new(big.Int).SetUint64(-m.n0inv * m.n[0]); got.Cmp(big.NewInt(1)) != 0 {
			t.Fatalf("n0inv·n0 = -%v, want -1", got)
		}
		rInv.ModInverse(mtR, n)
		ops := mtOperands(rng, n)
		for i, x := range ops {
			y := ops[(i*7+3)%len(ops)]
			want := new(big.Int).Mul(x, y)
			want.Mul(want, rInv).Mod(want, n)
			wantSqr := new(big.Int).Mul(x, x)
			wantSqr.Mul(wantSqr, rInv).Mod(wantSqr, n)
			wantMont := new(big.Int).Mul(x, mtR)
			wantMont.Mod(wantMont, n)
			for _, v := range montVariants() {
				restore := v.use()
				var z nat
				montMul(&z, mtNat(x), mtNat(y), &m)
				mtCheck(t, v.name+" montMul", n, x, mtBig(&z), want)
				montSqr(&z, mtNat(x), &m)
				mtCheck(t, v.name+" montSqr", n, x, mtBig(&z), wantSqr)
				m.toMont(&z, mtNat(x))
				mtCheck(t, v.name+" toMont", n, x, mtBig(&z), wantMont)
				m.exp65537(&z, mtNat(x))
				mtCheck(t, v.name+" exp65537", n, x, mtBig(&z), new(big.Int).Exp(x, big.NewInt(rsaExponent), n))
				restore()
			}
		}
	}
}

// mtCheck fails when got differs from want.
func mtCheck(t *testing.T, what string, n, x, got, want *big.Int) {
	t.Helper()
	if got.Cmp(want) != 0 {
		t.Fatalf("%s: N=%x x=%x:\n got %x\nwant %x", what, n, x, got, want)
	}
}

// TestMontAliasing checks that the result may be an operand.
func TestMontAliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := mtModuli(rng)[7]
	var m montModulus
	m.setOdd(mtNat(n))
	x := mtOperands(rng, n)[9]
	for _, v := range montVariants() {
		restore := v.use()
		var want, z nat
		montSqr(&want, mtNat(x), &m)
		z = *mtNat(x)
		montSqr(&z, &z, &m)
		if z != want {
			t.Errorf("%s: montSqr(z, z) differs", v.name)
		}
		montMul(&want, mtNat(x), mtNat(x), &m)
		z = *mtNat(x)
		montMul(&z, &z, &z, &m)
		if z != want {
			t.Errorf("%s: montMul(z, z, z) differs", v.name)
		}
		restore()
	}
}

func BenchmarkMont(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := mtModuli(rng)[9]
	var m montModulus
	m.setOdd(mtNat(n))
	x := mtNat(mtOperands(rng, n)[10])
	y := mtNat(mtOperands(rng, n)[11])
	for _, v := range montVariants() {
		restore := v.use()
		b.Run("mul/"+v.name, func(b *testing.B) {
			for b.Loop() {
				montMul(x, x, y, &m)
			}
		})
		b.Run("sqr/"+v.name, func(b *testing.B) {
			for b.Loop() {
				montSqr(x, x, &m)
			}
		})
		b.Run("toMont/"+v.name, func(b *testing.B) {
			for b.Loop() {
				m.toMont(x, y)
			}
		})
		restore()
	}
}
