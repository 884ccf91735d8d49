//go:build darwin || freebsd

package sim

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// physicalMemory is the machine's memory in bytes (sysctl hw.memsize on macOS,
// hw.physmem on FreeBSD), or 0 if unknown.
func physicalMemory() int64 {
	name := "hw.physmem"
	if runtime.GOOS == "darwin" {
		name = "hw.memsize"
	}
	n, err := unix.SysctlUint64(name)
	if err != nil || n > 1<<62 {
		return 0
	}
	return int64(n)
}

// processLimits is ulimit -v, where set.
func processLimits() []memoryLimit {
	if l, ok := addressSpaceLimit(); ok {
		return []memoryLimit{l}
	}
	return nil
}
