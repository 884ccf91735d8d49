//go:build !linux && !darwin && !freebsd && !windows

package sim

import "errors"

// freeSpace is unknown here; the disk check is skipped.
var freeSpace = func(string) (int64, error) { return 0, errors.New("free space unknown on this system") }

func addressSpaceLimit() (memoryLimit, bool) { return memoryLimit{}, false }

// physicalMemory is unknown here: the budget assumes a 16 GiB machine.
func physicalMemory() int64 { return 0 }

func processLimits() []memoryLimit { return nil }
