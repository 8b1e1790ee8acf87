//go:build unix

package sqlite_test

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user and system CPU time, so benchmarks can
// report CPU per operation, which IO noise on a shared disk does not move.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
