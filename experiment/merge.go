package experiment

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/cartelsim/cartelsim/sim"
)

// MergeOptions control a merge of experiment shards.
type MergeOptions struct {
	OutDir  string
	Force   bool
	Command string
}

// Merge combines the shard directories of one experiment (every shard of the layout,
// each complete) into its outputs: results.csv with the rows back in point order, then
// effects.csv, plots and the manifest, the same bytes as one unsharded run's.
func Merge(dirs []string, opts MergeOptions) (*Manifest, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("experiment: merge needs the shard directories")
	}
	ms := make([]*Manifest, len(dirs))
	var first *Manifest
	for i, dir := range dirs {
		m, err := readManifest(dir)
		if err != nil {
			return nil, err
		}
		if !m.Complete || m.Shards < 2 {
			return nil, fmt.Errorf("experiment: %s is not a complete experiment shard", dir)
		}
		if first == nil {
			first = m
		} else if m.Design.SHA256 != first.Design.SHA256 || m.Shards != first.Shards || !sameScenarios(m, first) {
			return nil, fmt.Errorf("experiment: %s is a shard of another experiment than %s", dir, dirs[0])
		}
		ms[i] = m
	}
	byShard := make([]string, first.Shards)
	for i, m := range ms {
		if byShard[m.Shard] != "" {
			return nil, fmt.Errorf("experiment: %s and %s are both shard %d", byShard[m.Shard], dirs[i], m.Shard)
		}
		byShard[m.Shard] = dirs[i]
	}
	for k, d := range byShard {
		if d == "" {
			return nil, fmt.Errorf("experiment: shard %d of %d is missing", k, first.Shards)
		}
	}
	if slices.Contains(dirs, opts.OutDir) {
		return nil, fmt.Errorf("experiment: the output directory %s is one of the shards", opts.OutDir)
	}
	unlock, err := sim.LockDir(opts.OutDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := prepareMerge(opts); err != nil {
		return nil, err
	}
	designData, err := os.ReadFile(filepath.Join(byShard[0], DesignFile))
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	if err := sim.WriteFileAtomic(filepath.Join(opts.OutDir, DesignFile), func(w io.Writer) error { _, err := w.Write(designData); return err }); err != nil {
		return nil, err
	}
	err = sim.WriteFileAtomic(filepath.Join(opts.OutDir, ResultsFile), func(w io.Writer) error {
		return interleave(w, byShard, first.Points)
	})
	if err != nil {
		return nil, err
	}
	if len(first.Trajectories) > 0 {
		if err := mergeTrajectories(byShard, opts.OutDir, first.Points); err != nil {
			return nil, err
		}
	}
	m := *first
	m.MergedShards, m.Command = first.Shards, opts.Command
	m.Runaways = nil
	for _, sm := range ms {
		m.Runaways = append(m.Runaways, sm.Runaways...)
	}
	slices.SortFunc(m.Runaways, func(a, b Runaway) int { return a.Point - b.Point })
	if err := finish(opts.OutDir, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func sameScenarios(a, b *Manifest) bool {
	return slices.Equal(a.Scenarios, b.Scenarios)
}

func prepareMerge(opts MergeOptions) error {
	dir := opts.OutDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("experiment: cannot create output directory: %w", err)
	}
	od := ownedDir(dir)
	return od.Clear(opts.Force)
}

// interleave writes the shards' rows in point order: shard p mod n holds point p, its
// points in increasing order, each point's rows together.
func interleave(w io.Writer, shards []string, points int) error {
	readers := make([]*bufio.Reader, len(shards))
	for k, dir := range shards {
		f, err := os.Open(filepath.Join(dir, ResultsFile))
		if err != nil {
			return err
		}
		defer f.Close()
		readers[k] = bufio.NewReaderSize(f, 1<<16)
		header, err := readers[k].ReadBytes('\n')
		if err != nil {
			return fmt.Errorf("%s: no header", dir)
		}
		if k == 0 {
			if _, err := w.Write(header); err != nil {
				return err
			}
		}
	}
	pending := make([][]byte, len(shards)) // a line read ahead, of the shard's next point
	for p := range points {
		k := p % len(shards)
		want := []byte(strconv.Itoa(p) + ",")
		n := 0
		for {
			line := pending[k]
			pending[k] = nil
			if line == nil {
				var err error
				line, err = readers[k].ReadBytes('\n')
				if err == io.EOF && len(line) == 0 {
					break
				}
				if err != nil && err != io.EOF {
					return err
				}
			}
			if !bytes.HasPrefix(line, want) {
				pending[k] = line
				break
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return fmt.Errorf("%s has no rows of point %d", shards[k], p)
		}
	}
	for k, l := range pending {
		if l != nil {
			return fmt.Errorf("%s has rows beyond the design's %d points", shards[k], points)
		}
	}
	return nil
}

// mergeTrajectories gathers the shards' trajectory files (point p from shard p mod n),
// hard-linked where the file system allows, copied otherwise.
func mergeTrajectories(shards []string, out string, points int) error {
	dir := filepath.Join(out, TrajectoriesDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	for p := range points {
		name := trajectoryFile(p)
		src := filepath.Join(shards[p%len(shards)], TrajectoriesDir, name)
		dst := filepath.Join(dir, name)
		if err := os.Link(src, dst); err == nil {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("experiment: %w", err)
		}
		if err := sim.WriteFileAtomic(dst, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return err
		}
	}
	return nil
}
