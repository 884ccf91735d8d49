package sim

import "os"

// physicalMemory is the machine's memory in bytes (MemTotal), or 0 if unknown.
func physicalMemory() int64 { return procValue("/proc/meminfo", "MemTotal:") * 1024 }

// processLimits are the cgroup's memory limit and ulimit -v, where set.
func processLimits() []memoryLimit {
	var limits []memoryLimit
	self, _ := os.ReadFile("/proc/self/cgroup")
	if l, ok := cgroupLimit("/sys/fs/cgroup", self); ok {
		limits = append(limits, l)
	}
	if l, ok := addressSpaceLimit(); ok {
		limits = append(limits, l)
	}
	return limits
}
