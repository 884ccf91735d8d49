package sim

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cgroup limit is the smallest memory.max (v2) or memory.limit_in_bytes (v1) on the
// way from the process's group up to the root; "max" and v1's unlimited value are none.
func TestCgroupLimit(t *testing.T) {
	root := t.TempDir()
	put := func(rel, value string) {
		path := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(value+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("slurm/job_7/step_0/memory.max", "max")
	put("slurm/job_7/memory.max", "4294967296") // sbatch --mem=4G
	put("slurm/memory.max", "68719476736")
	put("memory/kubepods/pod1/memory.limit_in_bytes", "9223372036854771712") // v1: unlimited
	put("memory/kubepods/memory.limit_in_bytes", "536870912")
	put("memory/free/memory.limit_in_bytes", "9223372036854771712")
	put("unlimited/memory.max", "max")
	for _, c := range []struct {
		self string
		want int64
		path string
	}{
		{"0::/slurm/job_7/step_0\n", 4 << 30, "slurm/job_7/memory.max"},
		{"12:pids:/x\n4:cpuacct,memory:/kubepods/pod1\n1:name=systemd:/x\n", 512 << 20, "memory/kubepods/memory.limit_in_bytes"},
		// A hybrid system: both hierarchies count.
		{"4:memory:/kubepods/pod1\n0::/slurm/job_7/step_0\n", 512 << 20, "memory/kubepods"},
		{"0::/unlimited\n", 0, ""},
		{"4:memory:/free\n", 0, ""},
		{"0::/not/there\n", 0, ""},
		{"", 0, ""},
	} {
		got, ok := cgroupLimit(root, []byte(c.self))
		if ok != (c.want > 0) || got.bytes != c.want || !strings.Contains(got.what, filepath.FromSlash(c.path)) {
			t.Errorf("%q: %d %q (%v), want %d from %s", c.self, got.bytes, got.what, ok, c.want, c.path)
		}
	}
}

// A run that needs more than a cgroup allows is refused in one line with both figures
// and what sets the limit.
func TestRunOverCgroupLimitIsRefused(t *testing.T) {
	defer func(m func() memoryLimit) { memoryBudget = m }(memoryBudget)
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "memory.max"), []byte("104857600\n"), 0o644)
	l, ok := cgroupLimit(root, []byte("0::/\n"))
	if !ok {
		t.Fatal("no limit read")
	}
	memoryBudget = func() memoryLimit { return tightest([]memoryLimit{{8 << 30, "half the machine's"}, l}) }
	// 24 MiB + 104 weeks x (43 metrics + 12 running totals) x 3 ensembles x
	// (1200 + 20 x 32 + 6000) = 159,700,224 bytes: 152.3 MiB (resources.go).
	err := checkFits(t.TempDir(), 104, 5000, false, statShape{series: allSeries, ensembles: 3}, 0, 0)
	if err == nil || !strings.Contains(err.Error(), "needs about 152.3 MiB of memory at its peak") ||
		!strings.Contains(err.Error(), "the 100.0 MiB allowed (the cgroup's memory.max") || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %v", err)
	}
}

// A merge needs, besides the merged statistics, a shard's while it reads it: with room
// for a run of the same size but not for that, it is refused.
func TestMergeCountsAShardsStatistics(t *testing.T) {
	sc := testScenario(t, 40)
	root := t.TempDir()
	var dirs []string
	for k := range 2 {
		dirs = append(dirs, filepath.Join(root, "shard", string(rune('a'+k))))
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dirs[k], Shard: k, Shards: 2}); err != nil {
			t.Fatal(err)
		}
	}
	defer func(m func() memoryLimit) { memoryBudget = m }(memoryBudget)
	memoryBudget = func() memoryLimit { return memoryLimit{36 << 20, "half the machine's"} }
	// A run of the world's 14 series (12 metrics, 2 running totals) in one ensemble:
	// 24 MiB + 104 x 14 x (1200 + 20 x 32 + 6000) = 36,580,864 bytes (34.9 MiB), within
	// 36 MiB; a merge adds a shard of 20: 104 x 14 x (1200 + 8 x 20) = 1,980,160 bytes,
	// 38,561,024 in all: 36.8 MiB.
	if err := checkFits(root, 104, 40, false, statShape{series: 14, ensembles: 1}, 0, 0); err != nil {
		t.Fatalf("the run alone: %v", err)
	}
	_, err := Merge(dirs, MergeOptions{OutDir: filepath.Join(root, "merged")})
	if err == nil || !strings.Contains(err.Error(), "needs about 36.8 MiB of memory") {
		t.Errorf("merge: %v, want a refusal with 36.8 MiB", err)
	}
}

// Runs that go together (compare's scenarios) each count their own series and parts; the
// process's base is counted once.
func TestRunsTogetherCountEachRunsSeries(t *testing.T) {
	defer func(m func() memoryLimit) { memoryBudget = m }(memoryBudget)
	memoryBudget = func() memoryLimit { return memoryLimit{72 << 20, "half the machine's"} }
	// 24 MiB + 104 weeks x (12 + 55 series) x (1200 + 20 x 32 + 6000) bytes per cell
	// = 25,165,824 + 6,968 x 7,840 = 79,794,304 bytes: 76.1 MiB (resources.go), past
	// 72 MiB; each alone (33.3 and 66.8 MiB) would fit.
	shapes := []statShape{{series: 12, ensembles: 1}, {series: allSeries, ensembles: 1}}
	for _, s := range shapes {
		if err := checkFits(t.TempDir(), 104, 40, false, s, 0, 0); err != nil {
			t.Fatalf("%d series alone: %v", s.series, err)
		}
	}
	err := checkFitsRuns(t.TempDir(), 104, 40, false, shapes, 0, 0)
	if err == nil || !strings.Contains(err.Error(), "needs about 76.1 MiB of memory at its peak (104 weeks x 67 series: metrics and running totals, over 40 replicates of 2 scenarios run together)") {
		t.Errorf("got %v", err)
	}
}
