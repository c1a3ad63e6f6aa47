package x509rpki

// Arithmetic modulo a 2048-bit RSA modulus for the public-key operation of
// rsaverify.go. Everything here is public (modulus, signature, message), so the
// code is variable-time: it branches on values, which crypto/rsa's
// constant-time bigmod cannot, and it needs no per-key precomputation beyond
// -N⁻¹ mod 2⁶⁴ (five multiplications), so nothing is kept per key.

import "math/bits"

// natLimbs is how many 64-bit limbs hold a 2048-bit number.
const natLimbs = rsaModulusBits / 64

// nat is a 2048-bit number as little-endian 64-bit limbs.
type nat [natLimbs]uint64

// montModulus is an odd 2048-bit modulus N (top bit set) with
// n0inv = -N⁻¹ mod 2⁶⁴ for Montgomery reduction. R is 2²⁰⁴⁸.
type montModulus struct {
	n     nat
	n0inv uint64
}

// setOdd fills m from the limbs of an odd N whose top bit is set.
func (m *montModulus) setOdd(n *nat) {
	m.n = *n
	// Newton's iteration doubles the correct low bits of y = N⁻¹ each time;
	// y = N is right to 3 bits (odd squares are 1 mod 8): 3·2⁵ ≥ 64.
	y := n[0]
	for range 5 {
		y *= 2 - n[0]*y
	}
	m.n0inv = -y
}

// geq reports whether x ≥ y.
func (x *nat) geq(y *nat) bool {
	for i := natLimbs - 1; i >= 0; i-- {
		if x[i] != y[i] {
			return x[i] > y[i]
		}
	}
	return true
}

// sub sets x = x - y and returns the borrow.
func (x *nat) sub(y *nat) uint64 {
	var b uint64
	for i := range x {
		x[i], b = bits.Sub64(x[i], y[i], b)
	}
	return b
}

// add sets x = x + y and returns the carry.
func (x *nat) add(y *nat) uint64 {
	var c uint64
	for i := range x {
		x[i], c = bits.Add64(x[i], y[i], c)
	}
	return c
}

// reduceOnce brings x, which is below 2N, under N; carry is x's bit 2048.
// Montgomery products end here.
func (m *montModulus) reduceOnce(x *nat, carry uint64) {
	if carry != 0 || x.geq(&m.n) {
		x.sub(&m.n)
	}
}

// toMont sets z = x·R mod N for x < N by long division of x·2²⁰⁴⁸ by N
// (Knuth 4.3.1, algorithm D): 32 rows of 32 limb products, the work of the
// Montgomery product by R² mod N that it replaces, but without R² mod N,
// which crypto/rsa rebuilds for every verification (seven Montgomery
// squarings and more). N's top bit is set: no normalisation.
func (m *montModulus) toMont(z, x *nat) {
	r := *x
	for range natLimbs {
		q := m.quotientDigit(r[natLimbs-1], r[natLimbs-2], r[natLimbs-3])
		if shiftSubMul(&r, q, m) != 0 {
			// The estimate was one too large (at most once after the
			// refinement in quotientDigit); the remainder is negative.
			r.add(&m.n)
		}
	}
	*z = r
}

// quotientDigit estimates the next quotient limb of (r·2⁶⁴) / N from r's
// top three limbs (u2 u1 u0) and N's top two: the estimate is the true digit
// or one more (Knuth 4.3.1, step D3). r < N, so u2 ≤ N's top limb.
func (m *montModulus) quotientDigit(u2, u1, u0 uint64) uint64 {
	v1, v0 := m.n[natLimbs-1], m.n[natLimbs-2]
	var q, rhat uint64
	if u2 >= v1 {
		// u2 = v1 (r < N): the digit is at most 2⁶⁴-1 with remainder
		// u1 + v1; from 2⁶⁴ up the test below cannot fail.
		q, rhat = ^uint64(0), u1+v1
		if rhat < u1 {
			return q
		}
	} else {
		q, rhat = bits.Div64(u2, u1, v1)
	}
	for {
		hi, lo := bits.Mul64(q, v0)
		if hi < rhat || (hi == rhat && lo <= u0) {
			return q
		}
		q--
		var c uint64
		if rhat, c = bits.Add64(rhat, v1, 0); c != 0 {
			return q
		}
	}
}

// shiftSubMulGeneric sets r = r·2⁶⁴ - q·N modulo 2²⁰⁴⁸ and returns the
// borrow out of the 2112-bit difference: 1 when it is negative.
func shiftSubMulGeneric(r *nat, q uint64, m *montModulus) uint64 {
	var carry, borrow, prev uint64 // prev: the limb of r shifted into place
	for j := range natLimbs {
		hi, lo := bits.Mul64(q, m.n[j])
		lo, c := bits.Add64(lo, carry, 0)
		carry = hi + c
		prev, r[j] = r[j], prev
		r[j], borrow = bits.Sub64(r[j], lo, borrow)
	}
	_, borrow = bits.Sub64(prev, carry, borrow)
	return borrow
}

// montMulGeneric sets z = x·y·R⁻¹ mod N for x, y < N: word-by-word
// Montgomery multiplication over a window of t that slides up one limb per
// limb of y (Gueron 2011, algorithm 4, as crypto/internal/fips140/bigmod
// does); the portable form of the assembly.
func montMulGeneric(z, x, y *nat, m *montModulus) {
	var t [2 * natLimbs]uint64
	var c uint64 // bit 2048 of the window
	for i := range natLimbs {
		w := t[i : i+natLimbs]
		c1 := addMulRow(w, x[:], y[i])
		// Adding q·N clears t[i], the limb the window leaves behind.
		c2 := addMulRow(w, m.n[:], t[i]*m.n0inv)
		t[natLimbs+i], c = bits.Add64(c1, c2, c)
	}
	copy(z[:], t[natLimbs:])
	m.reduceOnce(z, c)
}

// montSqrGeneric sets z = x²·R⁻¹ mod N for x < N: the square computed with
// each cross product once (doubled), then Montgomery reduction; about 3/4 of
// the work of montMulGeneric.
func montSqrGeneric(z, x *nat, m *montModulus) {
	var t [2 * natLimbs]uint64
	// Cross products x[i]·x[j], i < j, by rows.
	for i := range natLimbs - 1 {
		t[natLimbs+i] = addMulRow(t[2*i+1:natLimbs+i], x[i+1:], x[i])
	}
	// Double them and add the squares x[i]².
	var c, shifted uint64
	for i := range natLimbs {
		hi, lo := bits.Mul64(x[i], x[i])
		d0 := t[2*i]<<1 | shifted
		d1 := t[2*i+1]<<1 | t[2*i]>>63
		shifted = t[2*i+1] >> 63
		t[2*i], c = bits.Add64(d0, lo, c)
		t[2*i+1], c = bits.Add64(d1, hi, c)
	}
	montReduceGeneric(z, &t, m)
}

// montReduceGeneric sets z = t·R⁻¹ mod N for t < N·R (Montgomery
// reduction, word by word).
func montReduceGeneric(z *nat, t *[2 * natLimbs]uint64, m *montModulus) {
	var top uint64 // carry into t[natLimbs+i+1]
	for i := range natLimbs {
		c := addMulRow(t[i:i+natLimbs], m.n[:], t[i]*m.n0inv)
		t[natLimbs+i], top = bits.Add64(t[natLimbs+i], c, top)
	}
	copy(z[:], t[natLimbs:])
	m.reduceOnce(z, top)
}

// addMulRow sets z += x·y over len(z) limbs of x and returns the carry
// limb. Four limbs a step, so that the compiler keeps each carry chain in
// the flags.
func addMulRow(z []uint64, x []uint64, y uint64) uint64 {
	x = x[:len(z)]
	var c uint64
	j := 0
	for ; j+4 <= len(z); j += 4 {
		zz, xx := z[j:j+4:j+4], x[j:j+4:j+4]
		h0, l0 := bits.Mul64(xx[0], y)
		h1, l1 := bits.Mul64(xx[1], y)
		h2, l2 := bits.Mul64(xx[2], y)
		h3, l3 := bits.Mul64(xx[3], y)
		var cl, cz uint64
		l0, cl = bits.Add64(l0, c, 0)
		l1, cl = bits.Add64(l1, h0, cl)
		l2, cl = bits.Add64(l2, h1, cl)
		l3, cl = bits.Add64(l3, h2, cl)
		zz[0], cz = bits.Add64(zz[0], l0, 0)
		zz[1], cz = bits.Add64(zz[1], l1, cz)
		zz[2], cz = bits.Add64(zz[2], l2, cz)
		zz[3], cz = bits.Add64(zz[3], l3, cz)
		// A high limb is at most 2⁶⁴-2: adding both carries cannot wrap.
		c = h3 + cl + cz
	}
	for ; j < len(z); j++ {
		hi, lo := bits.Mul64(x[j], y)
		lo, cc := bits.Add64(lo, z[j], 0)
		hi += cc
		z[j], cc = bits.Add64(lo, c, 0)
		c = hi + cc
	}
	return c
}
