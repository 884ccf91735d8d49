package sim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model"
)

// Estimates of what a run needs, for the check before it starts. The memory figures are
// peak resident set sizes (GNU time's %M), measured with the baseline scenario at 260
// and 780 weeks and 10, 200 and 1,000 replicates on 2 workers (Go 1.26, linux/amd64):
//
//	weeks  replicates  peak RSS     weeks  replicates  peak RSS
//	  260          10   42.8 MB       780          10   93.4 MB
//	  260         200   79.9 MB       780         200  202.1 MB
//	  260       1,000  220.4 MB       780       1,000  641.2 MB
//
// Between 200 and 1,000 replicates the peak grows by 19.8 bytes per kept value at 260
// weeks and 20.6 at 780: the exact values take 8 bytes, and slice growth and the garbage
// collector's headroom (GOGC=100 lets the heap reach twice the live data) the rest. From
// 260 to 780 weeks at 10 replicates it grows by 2,847 bytes per week and metric, 2,650
// without the values, over about 17 MB for the process itself. The model below,
// memBaseBytes + cells x (cellMemBytes + exactMemBytes x min(replicates, 1,000)),
// gives 223, 635 and 66 MB for the 260 x 1,000, 780 x 1,000 and 780 x 10 runs: within
// 2% of the first two, and above the third. (An estimate of the statistics alone, 1.2 kB
// plus 10 bytes a value per cell, was half the peak.) Past 1,000 replicates each cell
// also holds a quantile sketch (1,500 replicates at 260 weeks peaked at 196 MB, below
// 1,000's: the collector ran at other moments), counted at twice its usual 4 kB.
//
// A merge holds the merged statistics and, while it reads one, a shard's checkpoint
// decoded: about 1,200 bytes and 8 bytes a value per cell, exactly sized. Two shards of
// the 780-week baseline at 400 replicates merged at a peak of 385 MB; the run estimate
// (310 MB; one run of it peaked at 298 MB) plus one shard's 27,300 x (1,200 + 8 x 200)
// bytes (76 MB) gives 386 MB.
//
// On disk: the checkpoint holds about 400 bytes and the exact values (8 bytes each) per
// cell, and is rewritten beside the old one, so twice that; replicates.csv 120 bytes per
// replicate and metric; lineage.csv a generous 200 groups of 80 bytes per kept lineage;
// timeseries.csv 200 bytes per cell; and the plots.
const (
	memBaseBytes       = 24 << 20
	cellMemBytes       = 2700
	exactMemBytes      = 20
	sketchMemBytes     = 8192
	decodedCellBytes   = 1200
	decodedExactBytes  = 8
	cellDiskBytes      = 400
	exactDiskBytes     = 8
	sketchDiskBytes    = 4096
	replicateRowsBytes = 120 * int64(model.NumMetrics)
	lineageBytes       = 200 * 80
	timeseriesRowBytes = 200
	plotsBytes         = 4 << 20 // about 1.5 MB seen: PNG and SVG of up to 16 charts
)

// statCells is the number of cells a run's statistics hold: per week, every metric and
// the running total of each rare event (CumulativeMetrics). The peaks above were measured
// before the running totals were folded; each of their cells costs what a metric's does.
func statCells(weeks int) int64 {
	return int64(weeks) * int64(int(model.NumMetrics)+len(CumulativeMetrics))
}

// memoryNeed is the estimated peak memory of a run (see above).
func memoryNeed(weeks, replicates int) int64 {
	perCell := int64(cellMemBytes + exactMemBytes*min(replicates, ExactQuantileLimit))
	if replicates > ExactQuantileLimit {
		perCell += sketchMemBytes
	}
	return memBaseBytes + statCells(weeks)*perCell
}

// shardMemory is what a merge holds besides the merged statistics: one shard's decoded.
func shardMemory(weeks, shardReplicates int) int64 {
	return statCells(weeks) * int64(decodedCellBytes+decodedExactBytes*min(shardReplicates, ExactQuantileLimit))
}

// diskNeed is the estimated peak disk use of a run's files (see above).
func diskNeed(weeks, replicates int, allLineages bool) int64 {
	cells := statCells(weeks)
	checkpoint := int64(cellDiskBytes + exactDiskBytes*min(replicates, ExactQuantileLimit))
	if replicates > ExactQuantileLimit {
		checkpoint += sketchDiskBytes
	}
	kept := int64(1)
	if allLineages {
		kept = int64(replicates)
	}
	return cells*(2*checkpoint+timeseriesRowBytes) + int64(replicates)*replicateRowsBytes + kept*lineageBytes + plotsBytes
}

// memoryLimit is how much memory a run may take, and what sets it.
type memoryLimit struct {
	bytes int64
	what  string
}

// memoryBudget is the tightest of the limits on this process's memory: half the
// machine's, its cgroup's (Slurm's --mem, a Kubernetes pod's limit, docker --memory) and
// its address-space limit (ulimit -v).
var memoryBudget = func() memoryLimit {
	limits := []memoryLimit{{8 << 30, "half of an assumed 16 GiB machine"}}
	if kb := procValue("/proc/meminfo", "MemTotal:"); kb > 0 {
		limits[0] = memoryLimit{kb * 1024 / 2, "half the machine's"}
	}
	self, _ := os.ReadFile("/proc/self/cgroup")
	if l, ok := cgroupLimit("/sys/fs/cgroup", self); ok {
		limits = append(limits, l)
	}
	if l, ok := addressSpaceLimit(); ok {
		limits = append(limits, l)
	}
	return tightest(limits)
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
func checkFits(dir string, weeks, replicates int, allLineages bool, held, extraMemory int64) error {
	return checkFitsRuns(dir, weeks, replicates, allLineages, 1, held, extraMemory)
}

// checkFitsRuns is checkFits for runs alike that run together in one process (compare's
// scenarios): each holds its statistics and writes its files; the process's own base is
// counted once.
func checkFitsRuns(dir string, weeks, replicates int, allLineages bool, runs int, held, extraMemory int64) error {
	need := memBaseBytes + int64(runs)*(memoryNeed(weeks, replicates)-memBaseBytes) + extraMemory
	if have := memoryBudget(); need > have.bytes {
		together := ""
		if runs > 1 {
			together = fmt.Sprintf(" x %d scenarios run together", runs)
		}
		return fmt.Errorf("sim: this run needs about %s of memory at its peak (%d weeks x %d series: metrics and running totals, over %d replicates%s), more than the %s allowed (%s); use fewer weeks or replicates, or shards",
			sizeString(need), weeks, int(model.NumMetrics)+len(CumulativeMetrics), replicates, together, sizeString(have.bytes), have.what)
	}
	disk := int64(runs) * diskNeed(weeks, replicates, allLineages)
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
