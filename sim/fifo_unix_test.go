//go:build unix

package sim

import (
	"os"
	"syscall"
	"testing"
)

// mkfifo puts a named pipe at path, in place of whatever was there.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	os.Remove(path)
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}
