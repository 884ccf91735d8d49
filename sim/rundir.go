package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
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
	sc        *scenario.Scenario
	head      *checkpointHeader
	ens       *ensemble.Ensemble
	workers   int
	repFile   *os.File
	linFile   *os.File
	repWriter *replicateWriter
	linWriter *lineageWriter
	// repCRC and linCRC are the CRC-32s of every byte written to the partial files, which
	// the checkpoint records with their lengths.
	repCRC, linCRC crcWriter
}

// crcWriter writes to a file and keeps the CRC-32 (IEEE) of everything written.
type crcWriter struct {
	f   *os.File
	crc uint32
}

func (c *crcWriter) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	c.crc = crc32.Update(c.crc, crc32.IEEETable, p[:n])
	return n, err
}

// openRun starts a run in dir or, with resume, continues the one there.
func openRun(dir string, sc *scenario.Scenario, head *checkpointHeader, resume, force bool, world *model.World) (*runDir, error) {
	if resume {
		r, err := resumeRun(dir, sc, head, world)
		if r != nil || err != nil {
			return r, err
		}
	}
	if err := prepareOutput(dir, force); err != nil {
		return nil, err
	}
	r := &runDir{dir: dir, sc: sc, head: head, ens: ensemble.NewVotingEnsemble(head.Weeks, head.Metrics, head.Idle, head.StateCells, head.VoteCells)}
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
func resumeRun(dir string, sc *scenario.Scenario, head *checkpointHeader, world *model.World) (*runDir, error) {
	if m, err := readManifest(dir); err == nil && m.Complete {
		if err := checkComplete(dir, m, head); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s", ErrAlreadyComplete, dir)
	}
	path := filepath.Join(dir, CheckpointFile)
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		found, err := existingOutputs(dir)
		if err != nil {
			return nil, err
		}
		if len(found) > 0 && !diedBeforeCheckpoint(found) {
			return nil, fmt.Errorf("sim: cannot resume %s: it holds %v but no checkpoint (use --force to start again)", dir, found)
		}
		return nil, nil // a new run; prepareOutput clears what a run that died at once left
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

// diedBeforeCheckpoint says whether the run files found in a directory are only the
// partial files a run creates before its first checkpoint: a run killed then kept no
// replicate, and they can go.
func diedBeforeCheckpoint(found []string) bool {
	for _, name := range found {
		if name != ReplicatesFile+partialSuffix && name != LineageFile+partialSuffix {
			return false
		}
	}
	return len(found) > 0
}

// checkComplete checks a manifest that says its run is complete against the run asked
// for and against the directory: the same scenario (by sha256), seed, replicates, mode,
// weeks and shard, every replicate done, every file it lists a regular file in place,
// and no partial file or unfinished checkpoint left. A hand-edited or stray manifest is
// refused rather than taken for a finished run.
func checkComplete(dir string, m *Manifest, head *checkpointHeader) error {
	refuse := func(format string, args ...any) error {
		return fmt.Errorf("sim: cannot resume %s: its manifest says complete, but %s (use --force to start again)", dir, fmt.Sprintf(format, args...))
	}
	shard, shards := 0, 1
	if m.Shard != nil {
		shard, shards = m.Shard.Index, m.Shard.Count
	}
	switch {
	case m.Scenario.SHA256 != head.Scenario.SHA256:
		return refuse("it is a run of another scenario file (%s, sha256 %.12s..., this one %.12s...)", m.Scenario.File, m.Scenario.SHA256, head.Scenario.SHA256)
	case m.Seed != head.Seed || m.Replicates != head.Replicates || m.Mode != head.Mode || m.Weeks != head.Weeks:
		return refuse("it is for seed %d, %d replicates, %s mode, %d weeks (asked: seed %d, %d replicates, %s mode, %d weeks)",
			m.Seed, m.Replicates, m.Mode, m.Weeks, head.Seed, head.Replicates, head.Mode, head.Weeks)
	case shard != head.Shard || shards != head.Shards:
		return refuse("it is shard %d of %d (asked: shard %d of %d)", shard, shards, head.Shard, head.Shards)
	}
	if want := (shardPlan{head.Replicates, head.Shard, head.Shards}).count(); m.ReplicatesDone != want {
		return refuse("it says %d replicates done of %d", m.ReplicatesDone, want)
	}
	need := []string{ReplicatesFile}
	if head.Shards > 1 {
		need = append(need, CheckpointFile, ShardScenarioFile)
	} else {
		need = append(need, TimeseriesFile)
	}
	if head.Mode == model.Stochastic.String() {
		need = append(need, LineageFile)
	}
	for _, name := range need {
		if !slices.Contains(m.Files, name) {
			return refuse("it does not list %s", name)
		}
	}
	for _, name := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return refuse("it lists %q, outside the directory", name)
		}
		st, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			return refuse("%s is missing", name)
		}
		if !st.Mode().IsRegular() {
			return refuse("%s is %s", name, scenario.FileKind(st.Mode()))
		}
	}
	for _, name := range []string{ReplicatesFile + partialSuffix, LineageFile + partialSuffix} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return refuse("%s is still there", name)
		}
	}
	// A finished run removes its checkpoint last; a shard keeps it with every replicate.
	if h, _, err := readCheckpoint(filepath.Join(dir, CheckpointFile), true); err == nil {
		if h.Done != m.ReplicatesDone {
			return refuse("its checkpoint holds %d replicates", h.Done)
		}
	} else if head.Shards > 1 {
		return err
	}
	return nil
}

// openPartials opens the partial CSV files: new ones with their header, or, to resume,
// the existing ones cut back to the checkpoint's lengths.
func (r *runDir) openPartials(world *model.World, resume bool) error {
	open := func(name string, size int64, crc uint32) (*os.File, error) {
		path := filepath.Join(r.dir, name+partialSuffix)
		if resume {
			// A run that stopped while committing may have renamed it already.
			if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
				_ = os.Rename(filepath.Join(r.dir, name), path)
			}
			f, err := openRegular(path, os.O_RDWR)
			if err != nil {
				return nil, fmt.Errorf("sim: cannot resume: %w", err)
			}
			st, err := f.Stat()
			if err == nil && st.Size() < size {
				err = fmt.Errorf("%s is shorter (%d bytes) than its checkpoint says (%d)", path, st.Size(), size)
			}
			if err == nil {
				h := crc32.NewIEEE()
				if _, err = io.Copy(h, io.NewSectionReader(f, 0, size)); err == nil && h.Sum32() != crc {
					err = fmt.Errorf("%s does not hold what the checkpoint recorded: its first %d bytes have changed (start again with --force)", path, size)
				}
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
	if r.repFile, err = open(ReplicatesFile, r.head.ReplicatesBytes, r.head.ReplicatesCRC); err != nil {
		return err
	}
	r.repCRC = crcWriter{f: r.repFile, crc: r.head.ReplicatesCRC}
	r.repWriter = newReplicateWriter(&r.repCRC, r.head.Scenario.Name, r.head.Weeks, !resume)
	if r.head.Mode == model.Stochastic.String() { // mean-field groups have no lives to record
		if r.linFile, err = open(LineageFile, r.head.LineageBytes, r.head.LineageCRC); err != nil {
			return err
		}
		r.linCRC = crcWriter{f: r.linFile, crc: r.head.LineageCRC}
		r.linWriter = newLineageWriter(&r.linCRC, world, !resume)
	}
	return nil
}

// sync flushes the CSV writers to disk and records their lengths in the header.
func (r *runDir) sync() error {
	sync := func(w interface{ Flush() error }, f *os.File, size *int64, crc *uint32, c *crcWriter, name string) error {
		err := w.Flush()
		if err == nil {
			err = f.Sync()
		}
		if err == nil {
			*size, err = f.Seek(0, io.SeekCurrent)
			*crc = c.crc
		}
		if err != nil {
			return fmt.Errorf("sim: writing %s: %w", filepath.Join(r.dir, name+partialSuffix), err)
		}
		return nil
	}
	if err := sync(r.repWriter, r.repFile, &r.head.ReplicatesBytes, &r.head.ReplicatesCRC, &r.repCRC, ReplicatesFile); err != nil {
		return err
	}
	if r.linWriter != nil {
		if err := sync(r.linWriter, r.linFile, &r.head.LineageBytes, &r.head.LineageCRC, &r.linCRC, LineageFile); err != nil {
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
	m.Resume = r.head.resumeCommand(r.dir)
	return m
}

// resumeCommand is the command line that continues the run of h in dir: the options
// that the checkpoint must match, whether they came from the scenario file or from flags.
func (h *checkpointHeader) resumeCommand(dir string) string {
	args := []string{"cartelsim", "run", h.Scenario.File, "--out", dir,
		"--seed", strconv.FormatUint(h.Seed, 10), "--replicates", strconv.Itoa(h.Replicates), "--mode", h.Mode}
	if h.AllLineages {
		args = append(args, "--lineage")
	}
	if h.AllEvents {
		args = append(args, "--events")
	}
	if h.Shards > 1 {
		args = append(args, "--shard", strconv.Itoa(h.Shard), "--shards", strconv.Itoa(h.Shards))
	}
	for _, o := range h.Scenario.Overrides {
		args = append(args, "--set", o)
	}
	args = append(args, "--resume")
	for i, a := range args {
		args[i] = ShellQuote(a)
	}
	return strings.Join(args, " ")
}

// ShellQuote quotes s for a POSIX shell when it holds anything but letters, digits and
// -_./:=+,@%.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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
		if err := RenameDurably(filepath.Join(r.dir, name+partialSuffix), filepath.Join(r.dir, name)); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	return files, nil
}

// copyScenario keeps the scenario file's bytes beside a shard's results.
func (r *runDir) copyScenario(sc *scenario.Scenario) error {
	path := filepath.Join(r.dir, ShardScenarioFile)
	if old, err := readRegular(path); err == nil && bytes.Equal(old, sc.Source) {
		return nil
	}
	return WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(sc.Source); return err })
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
	return WriteFileAtomic(filepath.Join(dir, ManifestFile), func(w io.Writer) error { return writeJSON(w, m) })
}

func readManifest(dir string) (*Manifest, error) {
	data, err := readRegular(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("sim: %s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}
