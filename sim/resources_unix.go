//go:build linux || darwin || freebsd

package sim

import (
	"golang.org/x/sys/unix"
)

// freeSpace is the space left for an unprivileged user on dir's file system.
var freeSpace = func(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// addressSpaceLimit is what RLIMIT_AS (ulimit -v) leaves for a run: the limit less the
// address space the process already holds (on Linux, VmSize; elsewhere an assumed 2 GiB,
// about what a Go process with its thread stacks reserves on linux/amd64: it would not
// start under ulimit -v 1.5 GB). A run's peak resident set is the least of what it adds.
func addressSpaceLimit() (memoryLimit, bool) {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &lim); err != nil || lim.Cur == unix.RLIM_INFINITY || lim.Cur >= 1<<62 {
		return memoryLimit{}, false
	}
	used := int64(2 << 30)
	if kb := procValue("/proc/self/status", "VmSize:"); kb > 0 {
		used = kb * 1024
	}
	return memoryLimit{max(0, int64(lim.Cur)-used), "ulimit -v, less the " + sizeString(used) + " of address space this process already holds"}, true
}
