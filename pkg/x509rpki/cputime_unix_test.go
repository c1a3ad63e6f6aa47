//go:build unix

package x509rpki

import (
	"syscall"
	"testing"
)

// reportCPUTime adds the process's CPU time per operation to a benchmark:
// on a loaded machine it varies far less than the wall time of ns/op. Call
// it with the result of cpuNanos taken before the loop.
func reportCPUTime(b *testing.B, start int64) {
	b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
}

// cpuNanos is the user plus system CPU time of the process so far.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
