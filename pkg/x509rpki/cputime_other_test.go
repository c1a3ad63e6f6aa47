//go:build !unix

package x509rpki

import "testing"

// reportCPUTime reports nothing where getrusage is missing.
func reportCPUTime(*testing.B, int64) {}

// cpuNanos is zero where getrusage is missing.
func cpuNanos() int64 { return 0 }
