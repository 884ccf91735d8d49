package sim

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Output file names. ManifestFile is rewritten at every checkpoint and last of all, when
// it says "complete": true.
const (
	ManifestFile    = "manifest.json"
	TimeseriesFile  = "timeseries.csv"
	CumulativeFile  = "cumulative.csv"
	ReplicatesFile  = "replicates.csv"
	LineageFile     = "lineage.csv"
	PlotsDir        = "plots"
	tempFilePattern = ".cartelsim-*.tmp"
)

// outputNames are the files and folders a run owns in its output directory.
var outputNames = []string{ManifestFile, TimeseriesFile, CumulativeFile, StatesFile, DominantFile, EventsFile, ReplicatesFile, LineageFile, PlotsDir,
	CheckpointFile, ReplicatesFile + partialSuffix, LineageFile + partialSuffix, ShardScenarioFile}

// ErrOutputExists is returned when the output directory holds another run.
var ErrOutputExists = errors.New("sim: output directory holds another run (use --force to replace it, or --out for another directory)")

// prepareOutput creates dir, or checks that it holds no earlier run. With force an
// earlier run's files are removed, manifest first, so that a crash part-way never leaves
// an old manifest vouching for new files.
func prepareOutput(dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sim: cannot create output directory: %w", err)
	}
	found, err := existingOutputs(dir)
	if err != nil || len(found) == 0 {
		return err
	}
	if !force && !diedBeforeCheckpoint(found) {
		if slices.Contains(found, CheckpointFile) {
			return fmt.Errorf("%w: %s has an incomplete run (continue it with --resume)", ErrOutputExists, dir)
		}
		return fmt.Errorf("%w: %s has %v", ErrOutputExists, dir, found)
	}
	for _, name := range found {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("sim: cannot replace earlier run: %w", err)
		}
	}
	return nil
}

// existingOutputs lists the files of a run found in dir, manifest first.
func existingOutputs(dir string) ([]string, error) { return ExistingFiles(dir, outputNames) }

// openRegular opens path, refusing anything but a regular file (a named pipe would block
// the open or the read for ever, a device would never end) before it opens it.
func openRegular(path string, flag int) (*os.File, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file", path, scenario.FileKind(st.Mode()))
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() { // replaced in between
		f.Close()
		return nil, ensemble.FirstErr(err, fmt.Errorf("%s is not a regular file", path))
	}
	return f, nil
}

// readRegular reads a whole regular file (see openRegular).
func readRegular(path string) ([]byte, error) {
	f, err := openRegular(path, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// removeStaleTemps deletes the temporary files that writes killed part-way left in dir
// and its plots folder. Only the holder of dir's lock calls it, so no write of another
// process is under way there.
func removeStaleTemps(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, PlotsDir)} {
		names, err := filepath.Glob(filepath.Join(d, tempFilePattern))
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		for _, name := range names {
			if st, err := os.Lstat(name); err == nil && st.Mode().IsRegular() {
				if err := os.Remove(name); err != nil {
					return fmt.Errorf("sim: %w", err)
				}
			}
		}
	}
	return nil
}

// heldBytes is the space the run files in dir take: a resumed run reuses it, a forced
// one frees it.
func heldBytes(dir string) int64 {
	var n int64
	for _, name := range outputNames {
		filepath.WalkDir(filepath.Join(dir, name), func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if info, err := d.Info(); err == nil {
					n += info.Size()
				}
			}
			return nil
		})
	}
	return n
}

// AtomicFile is written under a temporary name in its final directory and renamed into
// place by Commit, so that a reader never sees a half-written file under the real name.
type AtomicFile struct {
	f    *os.File
	w    *bufio.Writer
	path string
}

// CreateAtomic creates a file written under a temporary name in path's directory (mode
// 0644) and renamed to path by Commit once synced; Abort discards it. No reader, nor a
// resume, ever sees it half-written.
func CreateAtomic(path string) (*AtomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempFilePattern)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp's 0600 would hide outputs from a group
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("sim: %w", err)
	}
	return &AtomicFile{f: f, w: bufio.NewWriterSize(f, 1<<16), path: path}, nil
}

func (a *AtomicFile) Write(p []byte) (int, error) { return a.w.Write(p) }

// Chmod sets the mode the file will have once committed.
func (a *AtomicFile) Chmod(perm fs.FileMode) error { return a.f.Chmod(perm) }

// Commit flushes, syncs and renames the file into place, and syncs its directory.
func (a *AtomicFile) Commit() error {
	err := a.w.Flush()
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = RenameDurably(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("sim: writing %s: %w", filepath.Base(a.path), err)
	}
	return nil
}

// Abort discards the file; harmless after Commit.
func (a *AtomicFile) Abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}

// WriteFileAtomic writes a whole file through write, under a temporary name in its
// directory renamed into place once synced, so no reader (nor a resume) ever sees it
// half-written; a run or merge removes the temporary files that killed writes left.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	a, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := write(a); err != nil {
		a.Abort()
		return fmt.Errorf("sim: writing %s: %w", filepath.Base(path), err)
	}
	return a.Commit()
}

// formatFloat writes the shortest decimal that reads back as the same float64.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// writeTimeseries writes the tidy table: one row per week and metric.
func writeTimeseries(w io.Writer, scenario string, clock scenario.Clock, t ensemble.Table) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("scenario,week,date,metric,mean,sd,p05,p25,p50,p75,p95\n")
	name := CSVField(scenario)
	for wk := 1; wk <= clock.Weeks; wk++ {
		date := clock.Date(wk).Format(time.DateOnly)
		for m := range model.NumMetrics {
			s := t.At(wk, int(m))
			bw.WriteString(name + "," + strconv.Itoa(wk) + "," + date + "," + m.String() + "," + formatFloat(s.Mean) + "," + formatFloat(s.SD))
			for _, q := range s.Q {
				bw.WriteString("," + formatFloat(q))
			}
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// writeCumulative writes cumulative.csv, laid out as timeseries.csv, for the
// CumulativeMetrics: in each week, the statistics across replicates of each replicate's
// total from week 1 to that week.
func writeCumulative(w io.Writer, scenario string, clock scenario.Clock, t ensemble.Table) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("scenario,week,date,metric,mean,sd,p05,p25,p50,p75,p95\n")
	name := CSVField(scenario)
	for wk := 1; wk <= clock.Weeks; wk++ {
		date := clock.Date(wk).Format(time.DateOnly)
		for _, m := range ensemble.CumulativeMetrics {
			s, _ := t.Total(wk, m)
			bw.WriteString(name + "," + strconv.Itoa(wk) + "," + date + "," + m.String() + "," + formatFloat(s.Mean) + "," + formatFloat(s.SD))
			for _, q := range s.Q {
				bw.WriteString("," + formatFloat(q))
			}
			bw.WriteByte('\n')
		}
	}
	return bw.Flush()
}

// CSVField quotes a field when CSV (RFC 4180) needs it.
func CSVField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// The header lines of replicates.csv and lineage.csv.
const (
	replicatesHeader = "scenario,replicate,metric,final,mean,min,max,sum\n"
	lineageHeader    = "replicate,id,parent,born_week,died_week,cause,peak_members,born_as\n"
)

// replicateWriter streams replicates.csv: for each replicate and metric, the final week's
// value and the mean, minimum, maximum and sum over all weeks (for a flow, the sum is the
// run's total; for a stock, the mean is its average level).
type replicateWriter struct {
	w        *bufio.Writer
	scenario string
	weeks    int
}

func newReplicateWriter(w io.Writer, scenario string, weeks int, header bool) *replicateWriter {
	rw := &replicateWriter{w: bufio.NewWriterSize(w, 1<<16), scenario: CSVField(scenario), weeks: weeks}
	if header {
		rw.w.WriteString(replicatesHeader)
	}
	return rw
}

func (rw *replicateWriter) Fold(rep int, series []float64) error {
	nm := int(model.NumMetrics)
	for m := range model.NumMetrics {
		sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
		for wk := 0; wk < rw.weeks; wk++ {
			x := series[wk*nm+int(m)]
			sum += x
			lo, hi = min(lo, x), max(hi, x)
		}
		final := series[(rw.weeks-1)*nm+int(m)]
		_, err := rw.w.WriteString(rw.scenario + "," + strconv.Itoa(rep) + "," + m.String() + "," +
			formatFloat(final) + "," + formatFloat(sum/float64(rw.weeks)) + "," + formatFloat(lo) + "," +
			formatFloat(hi) + "," + formatFloat(sum) + "\n")
		if err != nil {
			return fmt.Errorf("sim: writing %s: %w", ReplicatesFile, err)
		}
	}
	return nil
}

func (rw *replicateWriter) Flush() error { return rw.w.Flush() }

// lineageWriter streams lineage.csv: one row per group a kept replicate ever had. It
// keeps replicate 0's lineage for the lineage tree.
type lineageWriter struct {
	w     *bufio.Writer
	world *model.World
	first []model.LineageRecord
}

func newLineageWriter(w io.Writer, world *model.World, header bool) *lineageWriter {
	lw := &lineageWriter{w: bufio.NewWriterSize(w, 1<<16), world: world}
	if header {
		lw.w.WriteString(lineageHeader)
	}
	return lw
}

func (lw *lineageWriter) Fold(int, []float64) error { return nil }

func (lw *lineageWriter) FoldLineage(rep int, recs []model.LineageRecord) error {
	if rep == 0 {
		lw.first = recs
	}
	r := strconv.Itoa(rep)
	for k, rec := range recs {
		parent, died := "", ""
		if rec.Parent >= 0 {
			parent = CSVField(lw.world.LineageID(recs, rec.Parent))
		}
		if rec.Cause != model.Alive { // a group that ended in a warm-up has a week <= 0, -1 included
			died = strconv.Itoa(rec.DiedWeek)
		}
		_, err := lw.w.WriteString(r + "," + CSVField(lw.world.LineageID(recs, k)) + "," + parent + "," +
			strconv.Itoa(rec.BornWeek) + "," + died + "," + rec.Cause.String() + "," + formatFloat(rec.Peak) + "," +
			rec.Origin.String() + "\n")
		if err != nil {
			return fmt.Errorf("sim: writing %s: %w", LineageFile, err)
		}
	}
	return nil
}

func (lw *lineageWriter) Flush() error { return lw.w.Flush() }

// Manifest describes a run: what ran, how, how far it got and what it wrote. Complete
// is true only once every output is in place.
type Manifest struct {
	Complete bool `json:"complete"`
	// ReplicatesDone counts the replicates folded (for a shard, of its own).
	ReplicatesDone  int              `json:"replicates_done"`
	Shard           *ManifestShard   `json:"shard,omitempty"`
	MergedShards    int              `json:"merged_shards,omitempty"`
	Resume          string           `json:"resume,omitempty"` // how to continue an incomplete run
	Version         string           `json:"version"`
	Build           BuildInfo        `json:"build"` // the binary that wrote it
	Scenario        ManifestScenario `json:"scenario"`
	Seed            uint64           `json:"seed"`
	Replicates      int              `json:"replicates"`
	Mode            string           `json:"mode"`
	Workers         int              `json:"workers"`
	Weeks           int              `json:"weeks"`
	StartDate       string           `json:"start_date"`
	EndDate         string           `json:"end_date"`
	StartedAt       string           `json:"started_at"`
	FinishedAt      string           `json:"finished_at"`
	QuantileMethod  string           `json:"quantile_method"`
	Metrics         []ManifestMetric `json:"metrics"`
	Files           []string         `json:"files"`
	ReplicateSeeds  string           `json:"replicate_seeds"`
	TimeseriesOrder string           `json:"timeseries_order"`
}

// ManifestShard says which replicates a shard ran.
type ManifestShard struct {
	Index      int    `json:"index"`
	Count      int    `json:"count"`
	Replicates string `json:"replicates"`
}

// ManifestScenario identifies the scenario file, and the overrides applied to it.
type ManifestScenario struct {
	Name      string   `json:"name"`
	File      string   `json:"file"`
	SHA256    string   `json:"sha256"`              // of the file, or of the scenario as run (see Scenario.Source)
	Extends   []string `json:"extends,omitempty"`   // the files it extends (extends:), its own base first
	Overrides []string `json:"overrides,omitempty"` // --set key=value, in order
}

// manifestScenario identifies sc in a manifest.
func manifestScenario(sc *scenario.Scenario) ManifestScenario {
	m := ManifestScenario{Name: sc.Name, File: filepath.ToSlash(sc.File), SHA256: sc.SHA256}
	for _, b := range sc.Bases {
		m.Extends = append(m.Extends, filepath.ToSlash(b))
	}
	for _, o := range sc.Overrides {
		m.Overrides = append(m.Overrides, o.String())
	}
	return m
}

// ManifestMetric describes a metric.
type ManifestMetric struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Kind string `json:"kind"` // "stock" (end of week) or "flow" (during the week)
}

func metricsManifest() []ManifestMetric {
	ms := make([]ManifestMetric, model.NumMetrics)
	for m := range model.NumMetrics {
		info := m.Info()
		kind := "stock"
		if info.Flow {
			kind = "flow"
		}
		ms[m] = ManifestMetric{Name: info.Name, Unit: info.Unit, Kind: kind}
	}
	return ms
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
