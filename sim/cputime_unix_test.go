//go:build unix

package sim

import "golang.org/x/sys/unix"

// processCPU is the CPU time the process has used, user and system, in nanoseconds: on a
// shared machine a benchmark's CPU time per replicate says more than its wall time.
func processCPU() int64 {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
