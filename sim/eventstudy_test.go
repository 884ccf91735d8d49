package sim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// savedScenario writes a scenario's text to a file and loads it from there, so that a
// run's manifest names a file the event study can read again.
func savedScenario(t *testing.T, text string, replicates int) *scenario.Scenario {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	sc.Replicates = replicates
	return sc
}

func execute(t *testing.T, sc *scenario.Scenario) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// seriesFolder folds replayed replicates' national series into an ensemble.
type seriesFolder struct {
	series []float64
	ens    *ensemble.Ensemble
	rep    int
}

func (f *seriesFolder) week(_ *model.Replicate, wk int, national []float64) {
	copy(f.series[(wk-1)*int(model.NumMetrics):], national)
}
func (f *seriesFolder) done(*model.Replicate) error {
	if f.ens == nil { // folded afterwards, in replicate order
		return nil
	}
	return f.ens.Fold(f.rep, f.series)
}

// The replicates replay simulates are the run's: folded as the run folds them, their
// series give timeseries.csv byte for byte.
func TestReplayIsTheRun(t *testing.T) {
	sc := geoTestScenario(t, 3, 30)
	dir := execute(t, sc)
	world, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	ens := ensemble.NewWorldEnsemble(world, sc.Clock.Weeks)
	reps := []int{0, 1, 2}
	folders := make([]*seriesFolder, 3)
	err = replay(context.Background(), world, sc.Clock.Weeks, sc.Seed, reps, 2, func(i int) replayer {
		folders[i] = &seriesFolder{series: make([]float64, sc.Clock.Weeks*int(model.NumMetrics)), rep: reps[i]}
		return folders[i]
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders { // in replicate order, as the run folds them
		f.ens = ens
		if err := f.done(nil); err != nil {
			t.Fatal(err)
		}
	}
	var got bytes.Buffer
	if err := writeTimeseries(&got, sc.Name, sc.Clock, ens.Summaries()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), readFile(t, filepath.Join(dir, TimeseriesFile))) {
		t.Error("the replayed replicates do not give the run's timeseries.csv")
	}
}

// kingpinGeo is the geography test world with leaders captured and killed (and groups
// splitting) over four years, long enough for months -12 to +24 around removals.
const kingpinGeo = `name: geo-kingpin
start: 2025-01-05
weeks: 209
replicates: 3
seed: 11
world:
  dataset: bacrim2020
  initial_members: 115000
economy: {}
fragmentation: {}
interventions:
  - {kind: decapitation, from: 2025-01-12, to: 2029-01-07, intensity: 8, mode: capture, targets: {largest: 20}, actor: mexico}
  - {kind: decapitation, from: 2025-01-12, to: 2029-01-07, intensity: 4, mode: kill, targets: {largest: 20}, actor: mexico}
`

// The event study of a run writes eventstudy.csv (window, month -12 to +24) and its
// plots, with the same bytes for any number of workers.
func TestEventStudyOfARun(t *testing.T) {
	sc := savedScenario(t, kingpinGeo, 3)
	dir := execute(t, sc)
	var tables [][]byte
	for _, workers := range []int{1, 3} {
		out := filepath.Join(t.TempDir(), "study")
		res, err := EventStudy(context.Background(), dir, EventStudyOptions{OutDir: out, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if res.Removals == 0 {
			t.Fatal("no removals")
		}
		for _, f := range []string{EventStudyFile, "plots/eventstudy.png", "plots/eventstudy.svg"} {
			if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %v", f, err)
			}
		}
		rows := readCSV(t, filepath.Join(out, EventStudyFile))
		if got := strings.Join(rows[0], ","); got != "window,month,effect,lo,hi,events" {
			t.Fatalf("header %q", got)
		}
		months := map[string]int{}
		for _, row := range rows[1:] {
			m, _ := strconv.Atoi(row[1])
			if m != months[row[0]]-12 {
				t.Fatalf("row %v: month %d, want %d", row, m, months[row[0]]-12)
			}
			months[row[0]]++
		}
		if months["own"] != 37 || months["rest"] != 37 {
			t.Errorf("months by window %v, want 37 of own and rest", months)
		}
		tables = append(tables, readFile(t, filepath.Join(out, EventStudyFile)))
	}
	if !bytes.Equal(tables[0], tables[1]) {
		t.Error("eventstudy.csv differs between 1 and 3 workers")
	}
}

// Runs the event study cannot use are refused with one line that says why.
func TestEventStudyRefusals(t *testing.T) {
	noGeo := savedScenario(t, goodScenario, 2)
	quiet := savedScenario(t, strings.Replace(geoScenario, "weeks: 30", "weeks: 8", 1), 2)
	for _, c := range []struct {
		dir  string
		want string
	}{
		{execute(t, noGeo), "has no geography"},
		{execute(t, quiet), "no leader was captured or killed"},
		{t.TempDir(), "is not a run directory"},
	} {
		_, err := EventStudy(context.Background(), c.dir, EventStudyOptions{OutDir: filepath.Join(t.TempDir(), "x")})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sim: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want a one-line error saying %q", c.dir, err, c.want)
		}
	}
}
