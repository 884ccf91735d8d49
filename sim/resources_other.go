//go:build !unix && !windows

package sim

import "errors"

// freeSpace is unknown here; the disk check is skipped.
var freeSpace = func(string) (int64, error) { return 0, errors.New("free space unknown on this system") }

func addressSpaceLimit() (memoryLimit, bool) { return memoryLimit{}, false }
