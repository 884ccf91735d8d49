package sim

import (
	"os"
	"path/filepath"
)

// syncDir makes a rename in dir durable: the file's data is synced before the rename,
// but the new directory entry is only on disk once the directory itself is, and a crash
// before that could bring back the old file, or none. A variable for tests.
var syncDir = syncDirectory

// RenameDurably renames from to to and syncs the directory that holds to: the last
// step of writing a file atomically (the file's data synced first, by the caller).
func RenameDurably(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	return syncDir(filepath.Dir(to))
}
