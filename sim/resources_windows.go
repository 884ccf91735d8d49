//go:build windows

package sim

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// freeSpace is the space left for this user on dir's volume.
var freeSpace = func(dir string) (int64, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, err
	}
	var free, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &free, &total, &totalFree); err != nil {
		return 0, err
	}
	return int64(free), nil
}

// addressSpaceLimit: Windows has no ulimit -v.
func addressSpaceLimit() (memoryLimit, bool) { return memoryLimit{}, false }

// memoryStatusEx is Windows' MEMORYSTATUSEX.
type memoryStatusEx struct {
	length, memoryLoad                        uint32
	totalPhys, availPhys, totalPageFile       uint64
	availPageFile, totalVirtual, availVirtual uint64
	availExtendedVirtual                      uint64
}

var globalMemoryStatusEx = windows.NewLazySystemDLL("kernel32.dll").NewProc("GlobalMemoryStatusEx")

// physicalMemory is the machine's memory in bytes (GlobalMemoryStatusEx), or 0 if unknown.
func physicalMemory() int64 {
	st := memoryStatusEx{length: uint32(unsafe.Sizeof(memoryStatusEx{}))}
	if ok, _, _ := globalMemoryStatusEx.Call(uintptr(unsafe.Pointer(&st))); ok == 0 || st.totalPhys > 1<<62 {
		return 0
	}
	return int64(st.totalPhys)
}

// processLimits: none that this package reads (a job object's limit is not).
func processLimits() []memoryLimit { return nil }
