//go:build ignore

// This program writes mont_amd64.s: 2048-bit Montgomery product and square
// with MULX (BMI2) and two independent carry chains ADCX/ADOX (ADX), the
// technique of crypto/internal/fips140/bigmod's addMulVVW2048 and of
// Gueron's "Efficient Software Implementations of Modular Exponentiation",
// with each whole product in one call, variable-time, and a dedicated square
// (cross products once, then doubled). Run: go generate ./pkg/x509rpki.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

const (
	limbs     = 32            // 64-bit limbs of a 2048-bit number
	n0invOff  = 8 * limbs     // offset of n0inv in montModulus
	frameSize = 2 * 8 * limbs // the 4096-bit accumulator T on the stack
)

// Register roles. AX is kept zero while the rows run (the carry chains end
// by adding it), BX points at the current window of T, DX is MULX's implicit
// multiplier, R9 carries bit 2048 between iterations.
type gen struct{ b bytes.Buffer }

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.b, "\t"+format+"\n", args...) }
func (g *gen) label(l string)               { fmt.Fprintf(&g.b, "%s:\n", l) }
func (g *gen) comment(c string)             { fmt.Fprintf(&g.b, "\n\t// %s\n", c) }

// row emits T[tOff/8 + j] += src[j]·DX for j < n, with src at srcOff(src)
// and T at tOff(BX), leaving the carry limb in R10. It clears CF and OF
// first (XORQ), so it also zeroes R10, the carry of the first step.
func (g *gen) row(src string, srcOff, tOff, n int) {
	g.p("XORQ R10, R10")
	carry, next := "R10", "R12"
	for j := range n {
		g.p("MULXQ %d(%s), R11, %s", srcOff+8*j, src, next)
		g.p("ADCXQ %s, R11", carry)
		g.p("ADOXQ %d(BX), R11", tOff+8*j)
		g.p("MOVQ R11, %d(BX)", tOff+8*j)
		carry, next = next, carry
	}
	// The last high limb plus both chains' carries: no overflow, since the
	// row sum is below 2^(64(n+1)).
	g.p("ADCXQ AX, %s", carry)
	g.p("ADOXQ AX, %s", carry)
	if carry != "R10" {
		g.p("MOVQ %s, R10", carry)
	}
}

// zeroT clears T[0:n] (n even) with 16-byte stores.
func (g *gen) zeroT(n int) {
	g.p("PXOR X0, X0")
	for j := 0; j < n; j += 2 {
		g.p("MOVOU X0, %d(BX)", 8*j)
	}
}

// finish writes z = T[32:64] + R9·2²⁰⁴⁸, less N when that is at least N;
// BX points at T[32], DI at N.
func (g *gen) finish() {
	g.comment("z = T - N unless T < N")
	g.p("MOVQ z+0(FP), CX")
	for j := range limbs {
		g.p("MOVQ %d(BX), R11", 8*j)
		if j == 0 {
			g.p("SUBQ (DI), R11")
		} else {
			g.p("SBBQ %d(DI), R11", 8*j)
		}
		g.p("MOVQ R11, %d(CX)", 8*j)
	}
	// R9 - borrow is negative only when T had no bit 2048 and T < N.
	g.p("SBBQ $0, R9")
	g.p("JS keep")
	g.p("RET")
	g.label("keep")
	for j := 0; j < limbs; j += 2 {
		g.p("MOVOU %d(BX), X0", 8*j)
		g.p("MOVOU X0, %d(CX)", 8*j)
	}
	g.p("RET")
}

// mul emits montMulADX: word-by-word Montgomery multiplication over a
// window of T that slides up one limb per word of y.
func (g *gen) mul() {
	g.b.WriteString("\n// func montMulADX(z, x, y *nat, m *montModulus)\n")
	fmt.Fprintf(&g.b, "TEXT ·montMulADX(SB), $%d-32\n", frameSize)
	g.p("MOVQ x+8(FP), SI")
	g.p("MOVQ y+16(FP), R8")
	g.p("MOVQ m+24(FP), DI")
	g.p("LEAQ (SP), BX")
	g.zeroT(limbs)
	g.p("XORQ AX, AX")
	g.p("XORQ R9, R9")
	g.p("MOVQ $%d, CX", limbs)
	g.label("mulLoop")
	g.comment("T[i:i+32] += x·y[i]")
	g.p("MOVQ (R8), DX")
	g.row("SI", 0, 0, limbs)
	g.p("MOVQ R10, R13")
	g.comment("T[i:i+32] += N·(T[i]·n0inv), which clears T[i]")
	g.p("MOVQ (BX), DX")
	g.p("IMULQ %d(DI), DX", n0invOff)
	g.row("DI", 0, 0, limbs)
	g.comment("T[i+32] = both carries + the previous bit 2048; R9 = its carry")
	g.p("XORQ R11, R11")
	g.p("ADDQ R13, R10")
	g.p("ADCQ $0, R11")
	g.p("ADDQ R9, R10")
	g.p("ADCQ $0, R11")
	g.p("MOVQ R10, %d(BX)", 8*limbs)
	g.p("MOVQ R11, R9")
	g.p("ADDQ $8, R8")
	g.p("ADDQ $8, BX")
	g.p("DECQ CX")
	g.p("JNZ mulLoop")
	g.finish()
}

// sqr emits montSqrADX: the cross products x[i]·x[j] (i < j) once, doubled,
// plus the squares x[i]², then Montgomery reduction.
func (g *gen) sqr() {
	g.b.WriteString("\n// func montSqrADX(z, x *nat, m *montModulus)\n")
	fmt.Fprintf(&g.b, "TEXT ·montSqrADX(SB), $%d-24\n", frameSize)
	g.p("MOVQ x+8(FP), SI")
	g.p("MOVQ m+16(FP), DI")
	g.p("LEAQ (SP), BX")
	g.zeroT(2 * limbs)
	g.p("XORQ AX, AX")
	for i := range limbs - 1 {
		g.comment(fmt.Sprintf("T[%d:%d] += x[%d:]·x[%d]", 2*i+1, limbs+i, i+1, i))
		g.p("MOVQ %d(SI), DX", 8*i)
		g.row("SI", 8*(i+1), 8*(2*i+1), limbs-1-i)
		g.p("MOVQ R10, %d(BX)", 8*(limbs+i))
	}
	g.comment("T = 2T + the squares: doubling on CF, squares on OF")
	g.p("XORQ R10, R10")
	for i := range limbs {
		g.p("MOVQ %d(SI), DX", 8*i)
		g.p("MULXQ DX, R12, R13")
		g.p("MOVQ %d(BX), R10", 16*i)
		g.p("ADCXQ R10, R10")
		g.p("ADOXQ R12, R10")
		g.p("MOVQ R10, %d(BX)", 16*i)
		g.p("MOVQ %d(BX), R11", 16*i+8)
		g.p("ADCXQ R11, R11")
		g.p("ADOXQ R13, R11")
		g.p("MOVQ R11, %d(BX)", 16*i+8)
	}
	g.p("XORQ R9, R9")
	g.p("MOVQ $%d, CX", limbs)
	g.label("redLoop")
	g.comment("T[i:i+32] += N·(T[i]·n0inv); T[i+32] += the carry and R9")
	g.p("MOVQ (BX), DX")
	g.p("IMULQ %d(DI), DX", n0invOff)
	g.row("DI", 0, 0, limbs)
	g.p("ADDQ R9, R10")
	g.p("MOVQ $0, R9")
	g.p("ADCQ $0, R9")
	g.p("ADDQ R10, %d(BX)", 8*limbs)
	g.p("ADCQ $0, R9")
	g.p("ADDQ $8, BX")
	g.p("DECQ CX")
	g.p("JNZ redLoop")
	g.finish()
}

// shiftSubMul emits shiftSubMulADX, one step of toMont's long division:
// r = r·2⁶⁴ - q·N, returning 1 when that is negative. The product q·N runs
// on OF; the subtraction adds its complement plus one on CF, since SBB
// would overwrite OF.
func (g *gen) shiftSubMul() {
	g.b.WriteString("\n// func shiftSubMulADX(r *nat, q uint64, m *montModulus) uint64\n")
	g.b.WriteString("TEXT ·shiftSubMulADX(SB), NOSPLIT, $0-32\n")
	g.p("MOVQ r+0(FP), BX")
	g.p("MOVQ q+8(FP), DX")
	g.p("MOVQ m+16(FP), DI")
	g.p("XORQ R9, R9") // the limb shifted into place; clears OF and CF
	g.p("XORQ R10, R10")
	g.p("STC")
	hi, next := "R10", "R12"
	for j := range limbs {
		g.p("MULXQ %d(DI), R11, %s", 8*j, next)
		g.p("ADOXQ %s, R11", hi)
		g.p("NOTQ R11")
		g.p("MOVQ %d(BX), R13", 8*j)
		g.p("ADCXQ R9, R11")
		g.p("MOVQ R11, %d(BX)", 8*j)
		g.p("MOVQ R13, R9")
		hi, next = next, hi
	}
	g.p("MOVQ $0, R11")
	g.p("ADOXQ R11, %s", hi)
	g.p("NOTQ %s", hi)
	g.p("ADCXQ R9, %s", hi)
	g.p("SETCC R11B")
	g.p("MOVQ R11, ret+24(FP)")
	g.p("RET")
}

// cpuid emits hasADX, which reports BMI2 and ADX (CPUID leaf 7, EBX bits 8
// and 19).
func (g *gen) cpuid() {
	g.b.WriteString("\n// func hasADX() bool\n")
	g.b.WriteString("TEXT ·hasADX(SB), NOSPLIT, $0-1\n")
	g.p("XORL AX, AX")
	g.p("CPUID")
	g.p("CMPL AX, $7")
	g.p("JB noADX")
	g.p("MOVL $7, AX")
	g.p("XORL CX, CX")
	g.p("CPUID")
	g.p("ANDL $0x%x, BX", 1<<8|1<<19)
	g.p("CMPL BX, $0x%x", 1<<8|1<<19)
	g.p("JNE noADX")
	g.p("MOVB $1, ret+0(FP)")
	g.p("RET")
	g.label("noADX")
	g.p("MOVB $0, ret+0(FP)")
	g.p("RET")
}

func main() {
	out := flag.String("out", "mont_amd64.s", "output file")
	flag.Parse()
	var g gen
	g.b.WriteString("// Code generated by mont_amd64_gen.go. DO NOT EDIT.\n\n")
	g.b.WriteString("//go:build amd64 && !purego\n\n")
	g.b.WriteString("#include \"textflag.h\"\n")
	g.mul()
	g.sqr()
	g.shiftSubMul()
	g.cpuid()
	if err := os.WriteFile(*out, g.b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
