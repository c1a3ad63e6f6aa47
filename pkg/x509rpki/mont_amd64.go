//go:build amd64 && !purego

package x509rpki

//go:generate go run mont_amd64_gen.go -out mont_amd64.s

// useADX selects the assembly of mont_amd64.s, which needs BMI2 (MULX) and
// ADX (ADCX, ADOX): Intel since Broadwell, AMD since Zen.
var useADX = hasADX()

// hasADX reports whether the CPU has BMI2 and ADX.
func hasADX() bool

// montMulADX is montMulGeneric in assembly.
//
//go:noescape
func montMulADX(z, x, y *nat, m *montModulus)

// montSqrADX is montSqrGeneric in assembly.
//
//go:noescape
func montSqrADX(z, x *nat, m *montModulus)

// shiftSubMulADX is shiftSubMulGeneric in assembly.
//
//go:noescape
func shiftSubMulADX(r *nat, q uint64, m *montModulus) uint64

// montMul sets z = x·y·R⁻¹ mod N.
func montMul(z, x, y *nat, m *montModulus) {
	if useADX {
		montMulADX(z, x, y, m)
		return
	}
	montMulGeneric(z, x, y, m)
}

// montSqr sets z = x²·R⁻¹ mod N.
func montSqr(z, x *nat, m *montModulus) {
	if useADX {
		montSqrADX(z, x, m)
		return
	}
	montSqrGeneric(z, x, m)
}

// shiftSubMul sets r = r·2⁶⁴ - q·N mod 2²⁰⁴⁸, returning 1 when the
// difference is negative.
func shiftSubMul(r *nat, q uint64, m *montModulus) uint64 {
	if useADX {
		return shiftSubMulADX(r, q, m)
	}
	return shiftSubMulGeneric(r, q, m)
}
