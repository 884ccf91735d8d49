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
	"strings"
	"syscall"

	"github.com/cartelsim/cartelsim/model"
)

// ShardScenarioFile is the copy of its scenario file a shard keeps, so that Merge needs
// nothing but the shard directories.
const ShardScenarioFile = "scenario.yaml"

// partialSuffix marks a CSV file still being written: it holds the replicates done and,
// after an interruption, possibly part of the next, which a resumed run cuts off.
const partialSuffix = ".partial"

// runDir is a run in progress in its output directory: its statistics, the partial CSV
// files and the checkpoint that ties them together.
type runDir struct {
	dir       string
	sc        *Scenario
	head      *checkpointHeader
	ens       *Ensemble
	workers   int
	repFile   *os.File
	linFile   *os.File
	repWriter *replicateWriter
	linWriter *lineageWriter
}

// openRun starts a run in dir or, with resume, continues the one there.
func openRun(dir string, sc *Scenario, head *checkpointHeader, resume, force bool, world *model.World) (*runDir, error) {
	if resume {
		r, err := resumeRun(dir, sc, head, world)
		if r != nil || err != nil {
			return r, err
		}
	}
	if err := prepareOutput(dir, force); err != nil {
		return nil, err
	}
	r := &runDir{dir: dir, sc: sc, head: head, ens: NewEnsemble(head.Weeks, head.Metrics)}
	if err := r.openPartials(world, false); err != nil {
		r.close()
		return nil, err
	}
	// The first checkpoint marks the directory as an incomplete run from the start.
	if err := r.checkpoint(); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// resumeRun reopens the run in dir at its checkpoint; nil without error when dir holds no
// run to resume.
func resumeRun(dir string, sc *Scenario, head *checkpointHeader, world *model.World) (*runDir, error) {
	if m, err := readManifest(dir); err == nil && m.Complete {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyComplete, dir)
	}
	path := filepath.Join(dir, CheckpointFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if found, err := existingOutputs(dir); err != nil || len(found) > 0 {
			return nil, firstErr(err, fmt.Errorf("sim: cannot resume %s: it holds %v but no checkpoint (use --force to start again)", dir, found))
		}
		return nil, nil
	}
	h, ens, err := readCheckpoint(path, false)
	if err != nil {
		return nil, err
	}
	if why := head.sameRun(h); why != "" || h.Shard != head.Shard {
		if why == "" {
			why = fmt.Sprintf("it is shard %d, not %d", h.Shard, head.Shard)
		}
		return nil, fmt.Errorf("sim: cannot resume %s with these settings: %s", dir, why)
	}
	r := &runDir{dir: dir, sc: sc, head: h, ens: ens}
	if err := r.openPartials(world, true); err != nil {
		r.close()
		return nil, err
	}
	if r.linWriter != nil {
		r.linWriter.first = h.FirstLineage
	}
	return r, nil
}

// openPartials opens the partial CSV files: new ones with their header, or, to resume,
// the existing ones cut back to the checkpoint's lengths.
func (r *runDir) openPartials(world *model.World, resume bool) error {
	open := func(name string, size int64) (*os.File, error) {
		path := filepath.Join(r.dir, name+partialSuffix)
		if resume {
			// A run that stopped while committing may have renamed it already.
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				_ = os.Rename(filepath.Join(r.dir, name), path)
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				return nil, fmt.Errorf("sim: cannot resume: %w", err)
			}
			st, err := f.Stat()
			if err == nil && st.Size() < size {
				err = fmt.Errorf("%s is shorter (%d bytes) than its checkpoint says (%d)", path, st.Size(), size)
			}
			if err == nil {
				err = f.Truncate(size)
			}
			if err == nil {
				_, err = f.Seek(size, io.SeekStart)
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("sim: cannot resume: %w", err)
			}
			return f, nil
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		return f, nil
	}
	var err error
	if r.repFile, err = open(ReplicatesFile, r.head.ReplicatesBytes); err != nil {
		return err
	}
	r.repWriter = newReplicateWriter(r.repFile, r.head.Scenario.Name, r.head.Weeks, !resume)
	if r.head.Mode == model.Stochastic.String() { // mean-field groups have no lives to record
		if r.linFile, err = open(LineageFile, r.head.LineageBytes); err != nil {
			return err
		}
		r.linWriter = newLineageWriter(r.linFile, world, !resume)
	}
	return nil
}

// sync flushes the CSV writers to disk and records their lengths in the header.
func (r *runDir) sync() error {
	sync := func(w interface{ Flush() error }, f *os.File, size *int64, name string) error {
		err := w.Flush()
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			*size, err = f.Seek(0, io.SeekCurrent)
		}
		if err != nil {
			return fmt.Errorf("sim: writing %s: %w", filepath.Join(r.dir, name+partialSuffix), err)
		}
		return nil
	}
	if err := sync(r.repWriter, r.repFile, &r.head.ReplicatesBytes, ReplicatesFile); err != nil {
		return err
	}
	if r.linWriter != nil {
		if err := sync(r.linWriter, r.linFile, &r.head.LineageBytes, LineageFile); err != nil {
			return err
		}
		r.head.FirstLineage = r.linWriter.first
	}
	return nil
}

// checkpoint writes the checkpoint and an incomplete manifest: what is on disk then
// holds exactly the replicates done.
func (r *runDir) checkpoint() error {
	if err := r.sync(); err != nil {
		return err
	}
	if err := writeCheckpoint(filepath.Join(r.dir, CheckpointFile), r.head, r.ens); err != nil {
		return err
	}
	return writeManifest(r.dir, r.manifest(r.workers))
}

// manifest describes the run as it stands, incomplete until finish says otherwise.
func (r *runDir) manifest(workers int) *Manifest {
	m := newManifest(r.sc, r.head, workers)
	m.FinishedAt = "" // not yet
	m.ReplicatesDone = r.head.Done
	if r.head.Shards > 1 {
		m.Shard = &ManifestShard{Index: r.head.Shard, Count: r.head.Shards,
			Replicates: fmt.Sprintf("r mod %d == %d", r.head.Shards, r.head.Shard)}
	}
	m.Resume = "cartelsim run " + r.head.Scenario.File + " --out " + r.dir + " --resume (with the same options)"
	return m
}

// commitPartials flushes and closes the partial CSV files and gives them their names.
func (r *runDir) commitPartials() ([]string, error) {
	if err := r.sync(); err != nil {
		return nil, err
	}
	files := []string{ReplicatesFile}
	if r.linFile != nil {
		files = append(files, LineageFile)
	}
	r.close()
	for _, name := range files {
		if err := os.Rename(filepath.Join(r.dir, name+partialSuffix), filepath.Join(r.dir, name)); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	return files, nil
}

// copyScenario keeps the scenario file's bytes beside a shard's results.
func (r *runDir) copyScenario(sc *Scenario) error {
	path := filepath.Join(r.dir, ShardScenarioFile)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, sc.Source) {
		return nil
	}
	return writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(sc.Source); return err })
}

// close closes the partial files, if open; what they hold stays for a resume.
func (r *runDir) close() {
	for _, f := range []**os.File{&r.repFile, &r.linFile} {
		if *f != nil {
			(*f).Close()
			*f = nil
		}
	}
}

func writeManifest(dir string, m *Manifest) error {
	return writeFileAtomic(filepath.Join(dir, ManifestFile), func(w io.Writer) error { return writeJSON(w, m) })
}

func readManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sim: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}

// Estimates of what a run needs, for the check before it starts: per week and metric,
// the accumulator and the exact values (bytes in memory and in the checkpoint); per
// replicate, replicates.csv's rows; per kept lineage, lineage.csv's rows (a generous
// guess of 200 groups of 80 bytes); and timeseries.csv and the plots.
const (
	cellBytes          = 1200 // an accumulator without its exact values
	exactValueBytes    = 10   // one exact value, with the slice's growth
	sketchBytes        = 4096
	replicateRowsBytes = 120 * int64(model.NumMetrics)
	lineageBytes       = 200 * 80
	timeseriesRowBytes = 200
	plotsBytes         = 4 << 20 // about 1.5 MB seen: PNG and SVG of up to 16 charts
)

// memoryBudget is how much memory a run's statistics may take: half the machine's.
var memoryBudget = func() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil && kb > 0 {
				return kb * 1024 / 2
			}
		}
	}
	return 8 << 30
}

// freeSpace is the space left for an unprivileged user on dir's file system.
var freeSpace = func(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * st.Bsize, nil
}

// checkFits refuses, before anything starts, a run whose statistics would not fit in
// memory or whose files would not fit on dir's disk.
func checkFits(dir string, weeks, replicates int, allLineages bool) error {
	return checkFitsRuns(dir, weeks, replicates, allLineages, 1)
}

// checkFitsRuns is checkFits for runs alike that run together (compare's scenarios).
func checkFitsRuns(dir string, weeks, replicates int, allLineages bool, runs int) error {
	cells := int64(runs) * int64(weeks) * int64(int(model.NumMetrics)+len(CumulativeMetrics))
	perCell := int64(cellBytes + exactValueBytes*min(replicates, ExactQuantileLimit))
	if replicates > ExactQuantileLimit {
		perCell += sketchBytes
	}
	if need, have := cells*perCell, memoryBudget(); need > have {
		of := ""
		if runs > 1 {
			of = fmt.Sprintf(" of %d scenarios run together", runs)
		}
		return fmt.Errorf("sim: the statistics%s of %d weeks x %d metrics over %d replicates need about %s of memory, more than the %s allowed (half the machine's); use fewer weeks",
			of, weeks, model.NumMetrics, replicates, sizeString(need), sizeString(have))
	}
	kept := int64(1)
	if allLineages {
		kept = int64(replicates)
	}
	disk := cells*(perCell+timeseriesRowBytes) + int64(runs)*(int64(replicates)*replicateRowsBytes+kept*lineageBytes+plotsBytes)
	probe := dir
	for {
		if _, err := os.Stat(probe); err == nil || filepath.Dir(probe) == probe {
			break
		}
		probe = filepath.Dir(probe)
	}
	if have, err := freeSpace(probe); err == nil && disk > have {
		return fmt.Errorf("sim: this run's files need about %s, and %s has %s free", sizeString(disk), probe, sizeString(have))
	}
	return nil
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)/1024)
}
