// Package yamlmap reads the YAML files of cartelsim other than scenarios (experiment
// designs, calibrations) key by key, with errors that name the file, line and key as a
// scenario's do (*sim.ScenarioError).
package yamlmap

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Error is a file's problem at a line (0: the file as a whole) and key.
func Error(file string, line int, key, format string, args ...any) error {
	return &scenario.ScenarioError{File: file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// ReadLimited reads a regular file of at most limit bytes, of which it reads at most one
// byte more than the limit. Its errors do not name the path: the caller's do.
func ReadLimited(path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read: %v", err)
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than the limit of %d bytes", limit)
	}
	return data, nil
}

// Mapping is a YAML mapping whose keys have been checked against the known ones.
type Mapping struct {
	File   string
	Prefix string // of its keys in messages, such as "outputs[0]."
	Keys   map[string]*yaml.Node
	Lines  map[string]int // of each key
	Line   int            // of the mapping
}

// Read checks that n is a mapping of known keys, each given once.
func Read(file, prefix string, n *yaml.Node, known ...string) (*Mapping, error) {
	if n.Kind != yaml.MappingNode {
		return nil, Error(file, n.Line, strings.TrimSuffix(prefix, "."), "want a mapping")
	}
	m := &Mapping{File: file, Prefix: prefix, Keys: map[string]*yaml.Node{}, Lines: map[string]int{}, Line: n.Line}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(known, k.Value) {
			return nil, Error(file, k.Line, prefix+k.Value, "unknown key (known: %s)", strings.Join(known, ", "))
		}
		if _, dup := m.Keys[k.Value]; dup {
			return nil, Error(file, k.Line, prefix+k.Value, "given twice")
		}
		m.Keys[k.Value], m.Lines[k.Value] = n.Content[i+1], k.Line
	}
	return m, nil
}

// Fail is an error at key's line, or the mapping's for a key it lacks.
func (m *Mapping) Fail(key, format string, args ...any) error {
	line := m.Lines[key]
	if line == 0 {
		line = m.Line
	}
	return Error(m.File, line, m.Prefix+key, format, args...)
}

// Scalar is key's value; false if the mapping lacks it.
func (m *Mapping) Scalar(key string) (string, bool, error) {
	n, ok := m.Keys[key]
	if !ok {
		return "", false, nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", false, m.Fail(key, "want a single value")
	}
	return n.Value, true, nil
}

// Whole is key's value, a whole number from lo to hi; false if the mapping lacks it.
func (m *Mapping) Whole(key string, lo, hi int) (int, bool, error) {
	s, ok, err := m.Scalar(key)
	if !ok || err != nil {
		return 0, ok, err
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < lo || k > hi {
		return 0, false, m.Fail(key, "want a whole number from %d to %d, got %q", lo, hi, s)
	}
	return k, true, nil
}
