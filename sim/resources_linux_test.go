package sim

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The machine's memory read from /proc/meminfo is what sysinfo(2) says, the kernel's
// other account of it (both count the same pages; meminfo in kB).
func TestPhysicalMemoryMatchesSysinfo(t *testing.T) {
	var info unix.Sysinfo_t
	if err := unix.Sysinfo(&info); err != nil {
		t.Skip(err)
	}
	want := int64(info.Totalram) * int64(info.Unit)
	if got := physicalMemory(); got <= 0 || got > want || want-got >= 1024 {
		t.Errorf("physicalMemory %d, sysinfo %d", got, want)
	}
	if b := memoryBudget(); b.bytes <= 0 || b.bytes > want/2 {
		t.Errorf("memory budget %d (%s), more than half of %d", b.bytes, b.what, want)
	}
}
