//go:build !amd64 || purego

package x509rpki

// montVariant is one implementation of montMul and montSqr; use selects it
// and returns what restores the default.
type montVariant struct {
	name string
	use  func() (restore func())
}

// montVariants lists the implementations this build has: the portable one.
func montVariants() []montVariant {
	return []montVariant{{"generic", func() func() { return func() {} }}}
}
