package sim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Estimates of what a run needs, for the check before it starts. The memory figures are
// peak resident set sizes (GNU time's %M), measured with the baseline scenario (12 of
// its 46 series a week held: the metrics a world without fragmentation, economy or
// policy can produce, model.World.Produces, and their running totals) on 2 workers, so
// 3 ensembles: the run's and 2 workers' parts (Go 1.26, linux/amd64):
//
//	weeks  replicates  workers  peak RSS
//	  260         200        2   74.4 MB
//	  780          20        2   60.8 MB
//	  780         200        1  123.5 MB
//	  780         200        2  212.1 MB
//	  780       2,000        2  216.0 MB
//
// Past ExactQuantileLimit replicates the peak no longer grows with replicates (200 and
// 2,000 differ by 0.2%). From 260 to 780 weeks at 200 replicates it grows by 22.1 kB
// per held series and week, 7.4 kB per ensemble: the exact sums (1,088 bytes then, 160
// since they keep a window of their chunks, so these figures are now generous), the
// first replicates' values, the sketch's dense buckets, and the garbage collector's
// headroom (GOGC=100 lets the heap reach twice the live data). The model below,
// memBaseBytes + cells x ensembles x (cellMemBytes + exactMemBytes x min(replicates, 32)
// + sketchMemBytes past 32 replicates), gives 99, 245, 172 and 70 MB for the 260 x 200,
// 780 x 200 (2 and 1 workers) and 780 x 20 runs: above each.
//
// A merge holds the merged statistics and, while it reads one, a shard's checkpoint
// decoded: about 1,200 bytes, 8 bytes a value and the sketch's buckets per cell.
//
// On disk: the checkpoint holds about 400 bytes, the first replicates' values (8 bytes
// each) and the sketch's buckets (16 bytes each) per cell, and is rewritten beside the
// old one, so twice that; replicates.csv 120 bytes per replicate and metric; lineage.csv
// a generous 200 groups of 80 bytes per kept lineage; timeseries.csv 200 bytes per week
// and series, held or not; and the plots.
const (
	memBaseBytes       = 24 << 20
	cellMemBytes       = 1200
	exactMemBytes      = 20
	sketchMemBytes     = 6000
	decodedCellBytes   = 1200
	decodedExactBytes  = 8
	decodedSketchBytes = 4096
	cellDiskBytes      = 400
	exactDiskBytes     = 8
	sketchDiskBytes    = 4096
	replicateRowsBytes = 120 * int64(model.NumMetrics)
	lineageBytes       = 200 * 80
	timeseriesRowBytes = 200
	plotsBytes         = 4 << 20 // about 1.5 MB seen: PNG and SVG of up to 16 charts
)

// statShape is what a run's statistics hold at once: series per week (metrics and running
// totals of CumulativeMetrics), per-state values (StatePlan, in worlds with geography) and
// ensembles (a run's and its workers' parts).
type statShape struct{ series, states, ensembles int }

// allSeries is every metric and running total a week has.
var allSeries = int(model.NumMetrics) + len(ensemble.CumulativeMetrics)

// runShape is the shape of a world's run on workers (Run folds into at most MaxParts
// parts besides the run's ensemble).
func runShape(world *model.World, clock scenario.Clock, workers int) statShape {
	return statShape{series: ensemble.NewWorldEnsemble(world, 1).Width(), states: ensemble.NewStatePlan(world, clock).Cells(),
		ensembles: 1 + min(max(workers, 1), ensemble.MaxParts)}
}

// statCells is the number of cells a run's statistics hold per ensemble.
func statCells(weeks int, shape statShape) int64 {
	return int64(weeks)*int64(shape.series) + int64(shape.states)
}

// memoryNeed is the estimated peak memory of a run (see above).
func memoryNeed(weeks, replicates int, shape statShape) int64 {
	perCell := int64(cellMemBytes + exactMemBytes*min(replicates, ensemble.ExactQuantileLimit))
	if replicates > ensemble.ExactQuantileLimit {
		perCell += sketchMemBytes
	}
	return memBaseBytes + statCells(weeks, shape)*int64(shape.ensembles)*perCell
}

// shardMemory is what a merge holds besides the merged statistics: one shard's decoded.
func shardMemory(weeks, shardReplicates int, shape statShape) int64 {
	perCell := int64(decodedCellBytes + decodedExactBytes*min(shardReplicates, ensemble.ExactQuantileLimit))
	if shardReplicates > ensemble.ExactQuantileLimit {
		perCell += decodedSketchBytes
	}
	return statCells(weeks, shape) * perCell
}

// diskNeed is the estimated peak disk use of a run's files (see above).
func diskNeed(weeks, replicates int, allLineages bool, shape statShape) int64 {
	checkpoint := int64(cellDiskBytes + exactDiskBytes*min(replicates, ensemble.ExactQuantileLimit))
	if replicates > ensemble.ExactQuantileLimit {
		checkpoint += sketchDiskBytes
	}
	kept := int64(1)
	if allLineages {
		kept = int64(replicates)
	}
	return statCells(weeks, shape)*2*checkpoint + int64(weeks)*int64(allSeries)*timeseriesRowBytes +
		int64(replicates)*replicateRowsBytes + kept*lineageBytes + plotsBytes
}

// memoryLimit is how much memory a run may take, and what sets it.
type memoryLimit struct {
	bytes int64
	what  string
}

// memoryBudget is the tightest of the limits on this process's memory: half the
// machine's (physicalMemory, per system) and the process's own (processLimits: on Linux
// its cgroup's, which Slurm's --mem, a Kubernetes pod's limit and docker --memory set;
// on Unix its address-space limit, ulimit -v).
var memoryBudget = func() memoryLimit {
	limits := []memoryLimit{{8 << 30, "half of an assumed 16 GiB machine"}}
	if total := physicalMemory(); total > 0 {
		limits[0] = memoryLimit{total / 2, "half the machine's"}
	}
	return tightest(append(limits, processLimits()...))
}

func tightest(limits []memoryLimit) memoryLimit {
	best := limits[0]
	for _, l := range limits[1:] {
		if l.bytes < best.bytes {
			best = l
		}
	}
	return best
}

// procValue reads the number after key in a /proc file such as /proc/meminfo (in kB), or 0.
func procValue(file, key string) int64 {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			if n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err == nil {
				return n
			}
		}
	}
	return 0
}

// cgroupLimit reads the memory limit of the cgroup that self (the bytes of
// /proc/self/cgroup) names, under root (where the cgroup file systems are mounted):
// cgroup v2's memory.max, or v1's memory/memory.limit_in_bytes, in the process's group
// and each group above it (a parent's limit binds its children), the smallest. "max",
// v1's near-2^63 "unlimited" and missing files are no limit.
func cgroupLimit(root string, self []byte) (memoryLimit, bool) {
	best, found := memoryLimit{}, false
	consider := func(dir, file, what string) {
		for {
			data, err := os.ReadFile(filepath.Join(dir, file))
			if err == nil {
				text := string(bytes.TrimSpace(data))
				if n, err := strconv.ParseInt(text, 10, 64); err == nil && n > 0 && n < 1<<62 && (!found || n < best.bytes) {
					best, found = memoryLimit{n, "the cgroup's " + what + " (" + filepath.Join(dir, file) + ")"}, true
				}
			}
			if dir == root || len(dir) <= len(root) {
				return
			}
			dir = filepath.Dir(dir)
		}
	}
	for _, line := range strings.Split(string(self), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			continue
		}
		group := filepath.FromSlash(parts[2])
		switch {
		case parts[0] == "0" && parts[1] == "":
			consider(filepath.Join(root, group), "memory.max", "memory.max")
		case containsField(parts[1], "memory"):
			consider(filepath.Join(root, "memory", group), "memory.limit_in_bytes", "memory.limit_in_bytes")
		}
	}
	return best, found
}

func containsField(list, name string) bool {
	for _, f := range strings.Split(list, ",") {
		if f == name {
			return true
		}
	}
	return false
}

// checkFits refuses, before anything starts, a run whose statistics would not fit in
// memory or whose files would not fit on dir's disk. held is the space dir's run files
// already take, which the run reuses or replaces; extraMemory is memory needed besides a
// run's (a merge's shard being read).
func checkFits(dir string, weeks, replicates int, allLineages bool, shape statShape, held, extraMemory int64) error {
	return checkFitsRuns(dir, weeks, replicates, allLineages, []statShape{shape}, held, extraMemory)
}

// checkFitsRuns is checkFits for runs alike but for their shapes that run together in
// one process (compare's scenarios): each holds its statistics and writes its files; the
// process's own base is counted once.
func checkFitsRuns(dir string, weeks, replicates int, allLineages bool, shapes []statShape, held, extraMemory int64) error {
	need, disk, series := int64(memBaseBytes)+extraMemory, int64(0), 0
	for _, shape := range shapes {
		need += memoryNeed(weeks, replicates, shape) - memBaseBytes
		disk += diskNeed(weeks, replicates, allLineages, shape)
		series += shape.series
	}
	if have := memoryBudget(); need > have.bytes {
		together := ""
		if len(shapes) > 1 {
			together = fmt.Sprintf(" of %d scenarios run together", len(shapes))
		}
		return fmt.Errorf("sim: this run needs about %s of memory at its peak (%d weeks x %d series: metrics and running totals, over %d replicates%s), more than the %s allowed (%s); use fewer weeks or replicates, or shards",
			sizeString(need), weeks, series, replicates, together, sizeString(have.bytes), have.what)
	}
	probe := dir
	for {
		if _, err := os.Stat(probe); err == nil || filepath.Dir(probe) == probe {
			break
		}
		probe = filepath.Dir(probe)
	}
	// The files already there (a resumed run's partial files and checkpoint, a forced
	// run's predecessor) are reused or replaced: only the rest must be free.
	if have, err := freeSpace(probe); err == nil && disk-held > have {
		if held > 0 {
			return fmt.Errorf("sim: this run's files need about %s, %s more than the %s it already holds, and %s has %s free",
				sizeString(disk), sizeString(disk-held), sizeString(held), probe, sizeString(have))
		}
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
