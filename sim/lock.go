package sim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// LockFile is the file in an output directory that a run or a merge holds locked while
// it writes there, with the holder's process id in it; the holder removes it when done.
// The lock is the operating system's (flock on Unix, LockFileEx on Windows), so it dies
// with the process that holds it: a lock file left by a killed process blocks nobody.
const LockFile = ".cartelsim.lock"

// errLocked is what tryLock returns when another process holds the lock.
var errLocked = errors.New("locked")

// dirLock is a held lock on an output directory.
type dirLock struct {
	f    *os.File
	path string
}

// lockDir creates dir if need be and takes its lock, or says which process holds it.
// Two runs, or a run and a merge, writing into one directory would interleave their
// rows and leave a manifest that vouches for neither, so the second is refused, --force
// or not.
func lockDir(dir string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sim: cannot create output directory: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("sim: %s is not a regular file (%s); remove it", path, scenario.FileKind(st.Mode()))
	}
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("sim: cannot lock %s: %w", dir, err)
		}
		if err := tryLock(f); err != nil {
			holder := ""
			if b, rerr := os.ReadFile(path); rerr == nil {
				if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && pid > 0 {
					holder = fmt.Sprintf(" (process %d)", pid)
				}
			}
			f.Close()
			if errors.Is(err, errLocked) {
				return nil, fmt.Errorf("sim: %s is in use by another cartelsim run or merge%s; wait for it to end or stop it (--force does not override this)", dir, holder)
			}
			return nil, fmt.Errorf("sim: cannot lock %s: %w", dir, err)
		}
		// The previous holder removes the file before it lets go: a lock taken on a file
		// that is no longer the one at path locks nothing, so take it again.
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(held, now) {
			unlockFile(f)
			f.Close()
			continue
		}
		// Record the holder for the message above; a failure here costs only that.
		if err := f.Truncate(0); err == nil {
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		return &dirLock{f: f, path: path}, nil
	}
}

// LockDir takes dir's lock (creating dir) as a run and a merge do, for the other
// commands that write an output directory (experiments). unlock gives it up.
func LockDir(dir string) (unlock func(), err error) {
	l, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	return l.unlock, nil
}

// unlock removes the lock file and releases the lock; harmless on nil.
func (l *dirLock) unlock() {
	if l != nil && l.f != nil {
		os.Remove(l.path) // while still locked: see lockDir
		unlockFile(l.f)
		l.f.Close()
		l.f = nil
	}
}
