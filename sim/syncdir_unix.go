//go:build unix

package sim

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// syncDirectory fsyncs the directory dir. File systems that cannot sync a directory
// (EINVAL, ENOTSUP: some network and FUSE file systems) are let be.
func syncDirectory(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTSUP) {
		return nil
	}
	return err
}
