package sim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// MergeOptions control where merged shards go.
type MergeOptions struct {
	OutDir string
	Force  bool // replace an earlier run in OutDir
}

// Merge combines the directories of every shard of one run into the outputs of that run,
// byte for byte what one unsharded run writes (bar the manifest's times and worker
// count): the statistics merge exactly (exact sums, exact values, sketch counts), and
// the shards' rows are interleaved back into replicate order.
func Merge(dirs []string, opts MergeOptions) (*Manifest, error) {
	if len(dirs) == 0 {
		return nil, errors.New("sim: merge needs the shard directories")
	}
	heads := make([]*checkpointHeader, len(dirs))
	byShard := make([]string, len(dirs))
	var ref *checkpointHeader
	for _, dir := range dirs {
		m, err := readManifest(dir)
		if err != nil {
			return nil, fmt.Errorf("sim: %s is not a shard directory: %w", dir, err)
		}
		if m.Shard == nil {
			return nil, fmt.Errorf("sim: %s holds a whole run, not a shard", dir)
		}
		if !m.Complete {
			return nil, fmt.Errorf("sim: %s is not a complete shard (%d replicates done); finish it with run --resume", dir, m.ReplicatesDone)
		}
		h, _, err := readCheckpoint(filepath.Join(dir, CheckpointFile), true)
		if err != nil {
			return nil, err
		}
		if h.Shards != len(dirs) {
			return nil, fmt.Errorf("sim: %s is shard %d of %d, but %d directories were given", dir, h.Shard, h.Shards, len(dirs))
		}
		if byShard[h.Shard] != "" {
			return nil, fmt.Errorf("sim: %s and %s are both shard %d", byShard[h.Shard], dir, h.Shard)
		}
		if ref == nil {
			ref = h
		} else if why := ref.sameRun(h); why != "" {
			return nil, fmt.Errorf("sim: %s is not from the same run as %s: %s", dir, byShard[ref.Shard], why)
		}
		byShard[h.Shard] = dir
		heads[h.Shard] = h
	}
	head := *heads[0]
	sc, world, err := shardScenario(byShard[0], &head)
	if err != nil {
		return nil, err
	}
	lock, err := lockDir(opts.OutDir)
	if err != nil {
		return nil, err
	}
	defer lock.unlock()
	if err := removeStaleTemps(opts.OutDir); err != nil {
		return nil, err
	}
	shape := statShape{series: ensemble.NewWorldEnsemble(world, 1).Width(), states: ensemble.NewStatePlan(world, sc.Clock).Cells(), ensembles: 1}
	if err := checkFits(opts.OutDir, head.Weeks, head.Replicates, head.AllLineages, shape, heldBytes(opts.OutDir),
		shardMemory(head.Weeks, (head.Replicates+len(dirs)-1)/len(dirs), shape)); err != nil {
		return nil, err
	}
	if err := prepareOutput(opts.OutDir, opts.Force); err != nil {
		return nil, err
	}
	var ens *ensemble.Ensemble
	for _, dir := range byShard {
		_, e, err := readCheckpoint(filepath.Join(dir, CheckpointFile), false)
		if err != nil {
			return nil, err
		}
		if ens == nil {
			ens = e
		} else if err := ens.Merge(e); err != nil {
			return nil, err
		}
	}
	if ens.N() != head.Replicates {
		return nil, fmt.Errorf("sim: the shards hold %d replicates, the run has %d", ens.N(), head.Replicates)
	}
	if err := writeEventLog(context.Background(), opts.OutDir, sc, world, &head, 0); err != nil {
		return nil, err
	}
	files := []string{EventsFile, ReplicatesFile}
	prefix := CSVField(head.Scenario.Name) + ","
	err = interleave(opts.OutDir, byShard, ReplicatesFile, replicatesHeader, head.Replicates, true, func(line string) (int, bool) {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			return 0, false
		}
		return leadingInt(rest)
	})
	if err != nil {
		return nil, err
	}
	if head.Mode == model.Stochastic.String() {
		files = append(files, LineageFile)
		err = interleave(opts.OutDir, byShard, LineageFile, lineageHeader, head.Replicates, false, func(line string) (int, bool) {
			return leadingInt(line)
		})
		if err != nil {
			return nil, err
		}
	}
	head.StartedAt = slices.MinFunc(heads, func(a, b *checkpointHeader) int { return strings.Compare(a.StartedAt, b.StartedAt) }).StartedAt
	return writeOutputs(opts.OutDir, sc, world, ens, heads[0].FirstLineage, &head, files, 0, len(dirs))
}

// shardScenario rebuilds a shard's scenario, with the seed, replicates and mode it ran.
func shardScenario(dir string, head *checkpointHeader) (*scenario.Scenario, *model.World, error) {
	data, err := readRegular(filepath.Join(dir, ShardScenarioFile))
	if err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	sc, err := scenario.ParseScenario(head.Scenario.File, data)
	if err != nil {
		return nil, nil, err
	}
	if sc.SHA256 != head.Scenario.SHA256 {
		return nil, nil, fmt.Errorf("sim: %s is not the scenario the shard ran (sha256 differs)", filepath.Join(dir, ShardScenarioFile))
	}
	sc.Seed, sc.Replicates = head.Seed, head.Replicates
	if sc.Mode, err = model.ParseMode(head.Mode); err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	world, err := sc.NewWorld()
	return sc, world, err
}

// leadingInt reads the replicate number at the start of s, up to its comma.
func leadingInt(s string) (int, bool) {
	num, _, found := strings.Cut(s, ",")
	if !found {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n >= 0
}

// interleave writes dir/name from the shards' files of that name: replicate r's rows come
// from shard r mod len(shards), in replicate order. Every replicate must have rows when
// required says so, and every row must find its place.
func interleave(dir string, shards []string, name, header string, total int, required bool, replicate func(string) (int, bool)) error {
	type source struct {
		r    *bufio.Reader
		line string // the next row, "" at the end
		path string
	}
	srcs := make([]*source, len(shards))
	for k, sd := range shards {
		path := filepath.Join(sd, name)
		f, err := openRegular(path, os.O_RDONLY)
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		defer f.Close()
		s := &source{r: bufio.NewReaderSize(f, 1<<16), path: path}
		if h, err := s.r.ReadString('\n'); err != nil || h != header {
			return fmt.Errorf("sim: %s does not start with the header of %s", path, name)
		}
		srcs[k] = s
	}
	next := func(s *source) error {
		line, err := s.r.ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line == "") {
			return fmt.Errorf("sim: %s: %w", s.path, ensemble.FirstErr(err, errors.New("last row not terminated")))
		}
		s.line = line
		return nil
	}
	for _, s := range srcs {
		if err := next(s); err != nil {
			return err
		}
	}
	return WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		bw.WriteString(header)
		for rep := range total {
			s := srcs[rep%len(srcs)]
			rows := 0
			for s.line != "" {
				got, ok := replicate(s.line)
				if !ok {
					return fmt.Errorf("sim: %s: unreadable row %q", s.path, strings.TrimSpace(s.line))
				}
				if got != rep {
					break
				}
				bw.WriteString(s.line)
				rows++
				if err := next(s); err != nil {
					return err
				}
			}
			if required && rows == 0 {
				return fmt.Errorf("sim: %s has no rows for replicate %d", s.path, rep)
			}
		}
		for _, s := range srcs {
			if s.line != "" {
				return fmt.Errorf("sim: %s: row %q is out of place", s.path, strings.TrimSpace(s.line))
			}
		}
		return bw.Flush()
	})
}
