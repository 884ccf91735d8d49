package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// MaxNameLength is the longest scenario name: names become directory names, and 64
// bytes stay far below every file system's limit on one component (255).
const MaxNameLength = 64

// validName is what a scenario name may be: an identifier of letters, digits, '.', '_'
// and '-', starting with a letter or digit (so never "", ".", ".." or a hidden file),
// without a path separator, NUL or space.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName reports whether name can name a scenario, and so a directory under the one
// a user named; if not, the error says why, without a package prefix (callers place it).
func ValidName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty name")
	case len(name) > MaxNameLength:
		return fmt.Errorf("name of %d bytes, longer than the limit of %d", len(name), MaxNameLength)
	case !validName.MatchString(name):
		return fmt.Errorf("%q is not a name: want letters, digits, '.', '_' and '-', starting with a letter or digit (it names a directory)", name)
	}
	return nil
}

// SafeJoin joins a name taken from input (a scenario's name) under dir, the directory a
// user named, refusing anything that would leave it: a name that is not ValidName ("..",
// "a/b", "/abs", NUL, overlong), a result outside dir, and a symbolic link in the place
// of the directory (which would send the writes elsewhere).
func SafeJoin(dir, name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", fmt.Errorf("sim: cannot write under %s: %v", dir, err)
	}
	p := filepath.Join(dir, name)
	if rel, err := filepath.Rel(dir, p); err != nil || rel != name || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("sim: %s is not under %s", p, dir)
	}
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return "", fmt.Errorf("sim: %s is a symbolic link; refusing to write through it (name an output directory with --out)", p)
	}
	return p, nil
}
