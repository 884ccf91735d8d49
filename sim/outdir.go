package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// This file holds what the commands that own an output directory (run, compare,
// experiment, calibrate) share: finding and clearing their earlier files, their
// checkpoints, and files written whole or not at all.

// FileName makes a name (an output, a factor or parameter key) fit in a file name: each
// byte but ASCII letters, digits, '-', '_' and '.' becomes '_', runs of two are halved,
// and '_' and '.' are trimmed from the ends.
func FileName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	return strings.Trim(strings.ReplaceAll(string(b), "__", "_"), "_.")
}

// WriteJSONAtomic writes v as indented JSON (two spaces, HTML characters as they are)
// with WriteFileAtomic.
func WriteJSONAtomic(path string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("sim: writing %s: %w", filepath.Base(path), err)
	}
	return WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err })
}

// ExistingFiles lists which of names (files or folders) are in dir, in the order of
// names.
func ExistingFiles(dir string, names []string) ([]string, error) {
	var found []string
	for _, name := range names {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			found = append(found, name)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	return found, nil
}

// OwnedDir is an output directory of a command that writes a known set of files into it
// and keeps a JSON checkpoint there while it runs, so that it can be resumed.
type OwnedDir struct {
	Dir        string
	Names      []string // the command's files and folders, its manifest first
	Checkpoint string   // the checkpoint's name, one of Names
	Prefix     string   // of error messages: the package, such as "experiment"
	Noun       string   // what the command makes, such as "experiment" or "calibration"
}

// ReadCheckpoint decodes the directory's checkpoint into v; false if there is none.
func (o OwnedDir) ReadCheckpoint(v any) (bool, error) {
	data, err := os.ReadFile(filepath.Join(o.Dir, o.Checkpoint))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: %w", o.Prefix, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: %s: unreadable checkpoint: %v", o.Prefix, o.Dir, err)
	}
	return true, nil
}

// Clear removes the command's earlier files from the directory, manifest first, so that
// one that fails part-way never leaves an old manifest beside new files. Unless replace,
// it refuses a directory that holds any: an incomplete one (its checkpoint) is to be
// resumed or replaced.
func (o OwnedDir) Clear(replace bool) error {
	found, err := ExistingFiles(o.Dir, o.Names)
	if err != nil {
		return err
	}
	if len(found) > 0 && !replace {
		if slices.Contains(found, o.Checkpoint) {
			return fmt.Errorf("%s: %s has an incomplete %s (continue it with --resume, or replace it with --force)", o.Prefix, o.Dir, o.Noun)
		}
		return fmt.Errorf("%s: %s already holds %s (replace it with --force)", o.Prefix, o.Dir, strings.Join(found, ", "))
	}
	for _, name := range found {
		if err := os.RemoveAll(filepath.Join(o.Dir, name)); err != nil {
			return fmt.Errorf("%s: cannot replace earlier %s: %w", o.Prefix, o.Noun, err)
		}
	}
	return nil
}
