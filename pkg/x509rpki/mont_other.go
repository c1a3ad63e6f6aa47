//go:build !amd64 || purego

package x509rpki

// montMul sets z = x·y·R⁻¹ mod N (portable form).
func montMul(z, x, y *nat, m *montModulus) { montMulGeneric(z, x, y, m) }

// montSqr sets z = x²·R⁻¹ mod N (portable form).
func montSqr(z, x *nat, m *montModulus) { montSqrGeneric(z, x, m) }

// shiftSubMul sets r = r·2⁶⁴ - q·N mod 2²⁰⁴⁸ (portable form).
func shiftSubMul(r *nat, q uint64, m *montModulus) uint64 { return shiftSubMulGeneric(r, q, m) }
