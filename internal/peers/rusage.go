package peers

import (
	"os"
	"syscall"
)

// maxRSS returns the peak RSS (KiB) of the largest process the command ran
// or waited for.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
