package sim

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// geoScenario is a small world with geography (the BACRIM network on Mexico's states,
// the economy on, no warm-up) whose 30 weeks run from October 2025 into 2026.
const geoScenario = `name: geo-test
start: 2025-10-05
weeks: 30
replicates: 3
seed: 7
world:
  dataset: bacrim2020
  initial_members: 115000
economy: {}
interventions: []
`

func geoTestScenario(t testing.TB, replicates, weeks int) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.ParseScenario("geo.yaml", []byte(strings.Replace(geoScenario, "weeks: 30", "weeks: "+strconv.Itoa(weeks), 1)))
	if err != nil {
		t.Fatal(err)
	}
	sc.Replicates = replicates
	return sc
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b)) }

// Summed over the states, states.csv gives the national series of timeseries.csv: the
// flows' annual sums (each week in the year of the day it ends, read from timeseries.csv's
// own dates) and the members at the year's last week; the homicide rate is the year's
// homicides per 100,000 residents of the 2020 census (Sinaloa: 3,026,943, INEGI).
func TestStatesSumToTheNationalSeries(t *testing.T) {
	sc := geoTestScenario(t, 3, 30)
	dir := filepath.Join(t.TempDir(), "out")
	m, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Files, StatesFile) {
		t.Errorf("the manifest lists %v, without %s", m.Files, StatesFile)
	}
	type key struct {
		year   string
		metric string
	}
	national := map[key]float64{} // flows: annual sums of weekly means; members: last week's
	for _, row := range readCSV(t, filepath.Join(dir, TimeseriesFile))[1:] {
		mean, _ := strconv.ParseFloat(row[4], 64)
		k := key{row[2][:4], row[3]}
		switch row[3] {
		case "homicides", "deaths", "civilian_casualties":
			national[k] += mean
		case "members":
			national[k] = mean // weeks come in order: the last one stays
		}
	}
	rows := readCSV(t, filepath.Join(dir, StatesFile))
	if got := rows[0]; !slices.Equal(got, []string{"scenario", "year", "state", "name", "metric", "mean", "sd", "p05", "p50", "p95"}) {
		t.Fatalf("header %v", got)
	}
	summed := map[key]float64{}
	var years []string
	homicides := map[string]float64{}
	for _, row := range rows[1:] {
		mean, _ := strconv.ParseFloat(row[5], 64)
		summed[key{row[1], row[4]}] += mean
		if !slices.Contains(years, row[1]) {
			years = append(years, row[1])
		}
		if row[2] == "SIN" {
			homicides[row[1]+row[4]] = mean
		}
	}
	if !slices.Equal(years, []string{"2025", "2026"}) {
		t.Fatalf("years %v, want 2025 and 2026", years)
	}
	if want := 2 * 32 * 7; len(rows)-1 != want {
		t.Errorf("%d rows, want %d (2 years, 32 states, 7 metrics)", len(rows)-1, want)
	}
	for _, y := range years {
		for _, metric := range []string{"homicides", "deaths", "civilian_casualties", "members"} {
			k := key{y, metric}
			if !near(summed[k], national[k]) {
				t.Errorf("%s %s: the states sum to %v, the national series gives %v", y, metric, summed[k], national[k])
			}
		}
		if national[key{y, "homicides"}] == 0 || national[key{y, "members"}] == 0 {
			t.Errorf("%s: no homicides or members to check", y)
		}
		h, rate := homicides[y+"homicides"], homicides[y+"homicide_rate"]
		if want := h / 3026943 * 1e5; !near(rate, want) || h == 0 && y == "2026" {
			t.Errorf("%s: Sinaloa's homicide rate %v, want %v (%v homicides per 100,000 of 3,026,943)", y, rate, want, h)
		}
	}
}

// stateKeeper keeps every replicate's series with its per-state values.
type stateKeeper struct{ keeper }

func (stateKeeper) FoldsStates() {}

// A branched run carries the per-state values of the shared weeks over to each world at
// its fork: they are bit for bit a separate run's.
func TestBranchedRunsCarryTheStatesOver(t *testing.T) {
	sc := geoTestScenario(t, 2, 30)
	base := sc.Config()
	raids := sc.Config()
	raids.Interventions = append(slices.Clone(raids.Interventions), model.Intervention{Kind: model.LabDismantling, From: 20, To: model.Forever, Intensity: 1, Actor: model.Mexico})
	var worlds []*model.World
	for _, cfg := range []model.Config{base, raids} {
		w, err := model.NewWorld(cfg)
		if err != nil {
			t.Fatal(err)
		}
		worlds = append(worlds, w)
	}
	if got := ensemble.SharedWeeks(worlds[0], worlds[1], sc.Clock.Weeks); got != 20 {
		t.Fatalf("the worlds share %d weeks, want 20", got)
	}
	plans := []*ensemble.StatePlan{ensemble.NewStatePlan(worlds[0], sc.Clock), ensemble.NewStatePlan(worlds[1], sc.Clock)}
	full := make([]*stateKeeper, 2)
	for k, w := range worlds {
		full[k] = &stateKeeper{}
		job := ensemble.Job{World: w, Weeks: sc.Clock.Weeks, Replicates: 2, Seed: sc.Seed, Workers: 1, States: plans[k]}
		if err := ensemble.Run(context.Background(), job, full[k]); err != nil {
			t.Fatal(err)
		}
	}
	branched := []*stateKeeper{{}, {}}
	job := ensemble.Branched{Worlds: worlds, Weeks: sc.Clock.Weeks, Replicates: 2, Seed: sc.Seed, Workers: 2, States: plans}
	if err := ensemble.RunBranched(context.Background(), job, [][]ensemble.Folder{{branched[0]}, {branched[1]}}); err != nil {
		t.Fatal(err)
	}
	size := sc.Clock.Weeks * int(model.NumMetrics)
	for k := range worlds {
		for rep, want := range full[k].series {
			got := branched[k].series[rep]
			if len(want) != size+plans[k].Size() || !slices.Equal(got, want) {
				t.Errorf("world %d, replicate %d: the branched run's %d values differ from the separate run's %d", k, rep, len(got), len(want))
			}
		}
	}
	if slices.Equal(full[0].series[1][size:], full[1].series[1][size:]) {
		t.Error("the raids changed no per-state value: the test cannot tell a fork's values from the first world's")
	}
}

// states.csv has the same bytes for any worker count, resumed after an interruption, and
// merged from shards (beyond ExactQuantileLimit replicates, where the quantiles come from
// sketches whose centres a shard learns from the first replicates).
func TestStatesIdenticalAcrossWorkersResumeAndShards(t *testing.T) {
	sc := geoTestScenario(t, ensemble.ExactQuantileLimit+6, 14) // 2025-10-12 to 2026-01-11: two years
	want := reference(t, sc)
	if _, err := os.Stat(filepath.Join(want, StatesFile)); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(t.TempDir(), "one")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: one, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, one)

	resumed := filepath.Join(t.TempDir(), "resumed")
	opts := RunOptions{OutDir: resumed, Workers: 2, CheckpointEvery: -1}
	interruptAt(t, sc, opts, ensemble.ExactQuantileLimit+2)
	opts.Resume = true
	if _, err := Execute(context.Background(), sc, opts); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, resumed)

	root := t.TempDir()
	var dirs []string
	for k := range 3 {
		dir := filepath.Join(root, strconv.Itoa(k))
		dirs = append(dirs, dir)
		if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 1, Shard: k, Shards: 3}); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(root, "merged")
	if _, err := Merge(dirs, MergeOptions{OutDir: merged}); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, want, merged)
}

// The memory and disk estimates count the per-state values: two years of 32 states of 7
// values (the six per-state metrics and the homicide rate) for the geography test world.
// The dominant group's votes are sums of 8 bytes each, not counted.
func TestEstimatesCountTheStates(t *testing.T) {
	sc := geoTestScenario(t, 2, 30)
	world, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	shape := runShape(world, sc.Clock, 1)
	if shape.states != 2*32*7 {
		t.Errorf("%d per-state values, want %d", shape.states, 2*32*7)
	}
	if got, want := statCells(30, shape), int64(30*shape.series+2*32*7); got != want {
		t.Errorf("%d cells, want %d", got, want)
	}
}
