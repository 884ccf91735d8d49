//go:build windows

package sim

import "golang.org/x/sys/windows"

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
