//go:build !unix && !windows

package sim

import "os"

// tryLock does nothing where the system has no file locks this package knows (wasm,
// plan9): two runs into one directory are not detected there.
func tryLock(*os.File) error { return nil }

func unlockFile(*os.File) {}
