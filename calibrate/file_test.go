package calibrate

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

const smallScenario = `name: small
start: 2012-01-01
weeks: 105
replicates: 4
seed: 7
`

const smallTargets = `# a comment
target,year,observed,sd,metric,aggregation,source
homicides,2012,5000,500,homicides,sum,a source
groups,2012,100,10,groups,end,another
members,2013,110000,10000,members,start,a third
`

const smallCalibration = `name: small-fit
scenario: small.yaml
parameters:
  - key: parameters.homicide_ratio
  - key: fragmentation.births_per_saturation_exit
    prior: log-uniform
    range: [1e-4, 1e-2]
targets:
  file: targets.csv
particles: 4
replicates: 2
max_generations: 2
`

func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A calibration file's parameters default to the registry's plausible range, and its
// targets come from the file it names.
func TestLoadCalibration(t *testing.T) {
	dir := writeFiles(t, map[string]string{"small.yaml": smallScenario, "targets.csv": smallTargets, "c.yaml": smallCalibration})
	f, err := Load(filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ratio model.ParamInfo
	for _, info := range model.Registry() {
		if info.Section == "parameters" && info.Key == "homicide_ratio" {
			ratio = info
		}
	}
	c := f.Config
	if p := c.Params[0]; p.Lo != ratio.Low || p.Hi != ratio.High || p.Log {
		t.Errorf("homicide_ratio's prior: %+v, want uniform over the registry's [%v, %v]", p, ratio.Low, ratio.High)
	}
	if p := c.Params[1]; p.Lo != 1e-4 || p.Hi != 1e-2 || !p.Log {
		t.Errorf("births_per_saturation_exit's prior: %+v", p)
	}
	if len(c.Targets) != 3 || c.Targets[2].Label() != "members_2013" || c.Targets[2].Line != 5 {
		t.Errorf("targets %+v", c.Targets)
	}
	if c.Particles != 4 || c.Replicates != 2 || c.Seed != 7 || c.Distance != SquaredZ || !c.Noise {
		t.Errorf("config %+v", c)
	}
}

// Bad calibration and targets files are one-line errors naming the file and line.
func TestBadCalibrationFiles(t *testing.T) {
	cases := []struct {
		calibration, targets, want string
	}{
		{strings.Replace(smallCalibration, "particles: 4", "particles: 1", 1), smallTargets,
			"c.yaml:10: particles: want a whole number from 2 to 1000000, got \"1\""},
		{strings.Replace(smallCalibration, "  - key: parameters.homicide_ratio\n", "  - key: parameters.no_such\n", 1), smallTargets,
			"c.yaml:4: parameters[0].key: parameters.no_such is not in the parameter registry"},
		{strings.Replace(smallCalibration, "  - key: parameters.homicide_ratio\n", "  - key: parameters.homicide_ration\n", 1), smallTargets,
			"c.yaml:4: parameters[0].key: parameters.homicide_ration is not in the parameter registry (did you mean parameters.homicide_ratio?)"},
		{strings.Replace(smallCalibration, "range: [1e-4, 1e-2]", "range: [0, 1e-2]", 1), smallTargets,
			"c.yaml:6: parameters[1].prior: a log-uniform prior needs a range above 0"},
		{smallCalibration + "distance: euclid\n", smallTargets, "c.yaml:13: distance: unknown distance \"euclid\""},
		// A YAML parser error on the last line, 13 (yaml.v3 counts these from 0).
		{smallCalibration + "seed: {a: 1", smallTargets, "c.yaml:13: did not find expected ',' or '}'"},
		{smallCalibration + "colour: red\n", smallTargets, "c.yaml:13: colour: unknown key"},
		{smallCalibration + "method: gibbs\n", smallTargets, "c.yaml:13: method: unknown method \"gibbs\" (known: importance, replenishment)"},
		{smallCalibration + "unmoved: 1\n", smallTargets, "c.yaml:13: unmoved: want a number between 0 and 1"},
		{smallCalibration + "observation_error: poisson\n", smallTargets, "c.yaml:13: observation_error: unknown observation error \"poisson\" (known: normal, none)"},
		{smallCalibration, strings.Replace(smallTargets, "5000,500,", "5000,0,", 1), "targets.csv:3: sd \"0\": want a finite number above 0"},
		{smallCalibration, strings.Replace(smallTargets, "groups,end", "groups,last", 1), "targets.csv:4: unknown aggregation \"last\""},
		{smallCalibration, strings.Replace(smallTargets, ",another", ",", 1), "targets.csv:4: groups_2012: no source"},
		{smallCalibration, strings.Replace(smallTargets, ",groups,end", ",gruops,end", 1), "targets.csv:4: unknown metric \"gruops\""},
		{smallCalibration, smallTargets + "homicides,2012,1,1,homicides,sum,again\n", "targets.csv:6: homicides_2012 is also on line 3"},
		{smallCalibration, smallTargets + "homicides,2014,1,1,homicides,sum,beyond\n",
			"targets.csv:6: homicides_2014: the scenario's run (2012-01-01 to 2014-01-05) does not cover 2014"},
	}
	for _, tc := range cases {
		dir := writeFiles(t, map[string]string{"small.yaml": smallScenario, "targets.csv": tc.targets, "c.yaml": tc.calibration})
		_, err := Load(filepath.Join(dir, "c.yaml"))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("want %q, got %v", tc.want, err)
		}
	}
}

// The scenario simulator reads each target from each replicate's weekly series, as a
// second reading, written here from the dates, does.
func TestScenarioSimulatorReadsTargets(t *testing.T) {
	dir := writeFiles(t, map[string]string{"small.yaml": smallScenario, "targets.csv": smallTargets, "c.yaml": smallCalibration})
	f, err := Load(filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	theta := []float64{8, 5e-4}
	out, err := f.Simulator.Simulate(context.Background(), theta, 99, 2)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.LoadScenarioWith(filepath.Join(dir, "small.yaml"), []scenario.Override{
		{Key: "parameters.homicide_ratio", Value: "8"}, {Key: "fragmentation.births_per_saturation_exit", Value: "0.0005"}})
	if err != nil {
		t.Fatal(err)
	}
	world, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	keep := &keepSeries{}
	if err := ensemble.Run(context.Background(), ensemble.Job{World: world, Weeks: sc.Clock.Weeks, Replicates: 2, Seed: 99, Workers: 1}, keep); err != nil {
		t.Fatal(err)
	}
	nm := int(model.NumMetrics)
	for r, series := range keep.series {
		// homicides 2012: the weeks ending in 2012 (1 January 2012 is week 0's end, so
		// weeks 1-52, 8 January to 30 December), summed and scaled by 366 / 364 days.
		sum := 0.0
		for w := 1; w <= sc.Clock.Weeks; w++ {
			if d := sc.Clock.Start.AddDate(0, 0, 7*w); d.Year() == 2012 {
				sum += series[(w-1)*nm+int(model.Homicides)]
			}
		}
		want := []float64{sum * 366 / 364,
			series[(52-1)*nm+int(model.Groups)],  // the last week ending in 2012: 30 December
			series[(52-1)*nm+int(model.Members)]} // the last ending on or before 1 January 2013
		for k, w := range want {
			if got := out[r][k]; got != w && !(closeTo(got, w, 1e-12)) {
				t.Errorf("replicate %d, %s: %v, want %v", r, f.Config.Targets[k].Label(), got, w)
			}
		}
	}
	if d := sc.Clock.Start.AddDate(0, 0, 7*52); d != time.Date(2012, 12, 30, 0, 0, 0, 0, time.UTC) {
		t.Fatalf("week 52 ends %v", d)
	}
}

func closeTo(a, b, rel float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= rel*max(abs(a), abs(b))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

type keepSeries struct{ series [][]float64 }

func (k *keepSeries) Fold(_ int, s []float64) error {
	k.series = append(k.series, append([]float64(nil), s...))
	return nil
}

// The shipped targets: the INEGI homicides are the 15 values issue 15 lists, and those of
// 2012-2021 agree with the homicide column of the BACRIM trends file, a second copy from
// another INEGI release, within 1% (the releases differ in 2018 and 2019, by 2 and 186
// homicides: data/targets/PROVENANCE.md); the example calibration loads.
func TestShippedTargets(t *testing.T) {
	path := filepath.Join("..", "data", "targets", "mexico-2007-2024.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	targets, err := ParseTargets(path, data)
	if err != nil {
		t.Fatal(err)
	}
	issue := []float64{8868, 14007, 19804, 25757, 27213, 25967, 23063, 20013, 20763, 24560, 32082, 36685, 36476, 36773, 35625}
	homicides := map[int]float64{}
	for _, tg := range targets {
		if tg.Name == "homicides" {
			homicides[tg.Year] = tg.Observed
			if !strings.HasPrefix(tg.Source, "INEGI") || tg.Aggregation != "sum" {
				t.Errorf("%s: source %q, aggregation %s", tg.Label(), tg.Source, tg.Aggregation)
			}
		}
	}
	for i, v := range issue {
		if homicides[2007+i] != v {
			t.Errorf("homicides %d: %v, issue 15 gives %v", 2007+i, homicides[2007+i], v)
		}
	}
	tf, err := os.Open(filepath.Join("..", "model", "bacrim", "data", "Trends2012_2021.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer tf.Close()
	rows, err := csv.NewReader(tf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		year, _ := strconv.Atoi(row[0])
		h, _ := strconv.ParseFloat(row[1], 64)
		if !closeTo(homicides[year], h, 0.01) {
			t.Errorf("homicides %d: %v here, %v in Trends2012_2021.csv", year, homicides[year], h)
		}
	}
	if len(rows) != 11 {
		t.Errorf("Trends2012_2021.csv has %d rows", len(rows))
	}
	f, err := Load(filepath.Join("..", "calibrations", "history-2006.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Config.Targets); n != 14+3 {
		t.Errorf("history-2006 fits %d targets, want 14 homicide counts (2007-2020) and 3 group counts", n)
	}
	// INEGI's definitive counts of 2022-2024, as its releases give them (PROVENANCE.md),
	// are checks of the forecast: the shipped history's calibration fits none of them.
	for year, v := range map[int]float64{2022: 33287, 2023: 32252, 2024: 33550} {
		if homicides[year] != v {
			t.Errorf("homicides %d: %v, INEGI's release gives %v", year, homicides[year], v)
		}
	}
	shipped, err := Load(filepath.Join("..", "calibrations", "mexico-2006.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range shipped.Config.Targets {
		if tg.Year > 2021 {
			t.Errorf("calibrations/mexico-2006.yaml fits %s, a year kept out of the fit", tg.Label())
		}
	}
}

// The scenario file is read once, by Load: a simulation after the file is edited gives
// what it gave before.
func TestScenarioReadOnce(t *testing.T) {
	dir := writeFiles(t, map[string]string{"small.yaml": smallScenario, "targets.csv": smallTargets, "c.yaml": smallCalibration})
	f, err := Load(filepath.Join(dir, "c.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	theta := []float64{8, 5e-4}
	want, err := f.Simulator.Simulate(context.Background(), theta, 99, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small.yaml"), []byte("name: [edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := f.Simulator.Simulate(context.Background(), theta, 99, 2)
	if err != nil {
		t.Fatalf("after the file was edited: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the file was edited: %v, want %v", got, want)
	}
}

// The US overdose calibration loads and fits the six checked CDC years up to 2021 and none
// after (data/targets/PROVENANCE.md).
func TestUSOverdoseCalibrationLoads(t *testing.T) {
	f, err := Load(filepath.Join("..", "calibrations", "us-overdose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var years []int
	for _, tg := range f.Config.Targets {
		years = append(years, tg.Year)
	}
	if !reflect.DeepEqual(years, []int{2013, 2016, 2018, 2019, 2020, 2021}) {
		t.Errorf("fitted years %v, want 2013, 2016, 2018, 2019, 2020 and 2021", years)
	}
}

// The variants of the history's calibration shipped beside it are copies of it with
// parameters (and targets) added or held: each loads, and differs from it only by those (so
// an edit of the shipped calibration that is not carried to a variant fails here). The
// variants run before the shipped fit freed replacement lack it, with rho's prior of then
// (the registry's), and those run before it freed crowding hold it at the paper's, as their
// notes say; each sets what it holds.
func TestHistoryCalibrationVariants(t *testing.T) {
	base, err := Load(filepath.Join("..", "calibrations", "mexico-2006.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	crowding := []string{"parameters.saturation", "parameters.saturation_sharing"}
	paperCrowding := []scenario.Override{{Key: "parameters.saturation", Value: "4e-08"}, {Key: "parameters.saturation_sharing", Value: "0"}}
	noReplacement := scenario.Override{Key: "parameters.replacement", Value: "0"}
	before := append([]string{"parameters.replacement"}, crowding...) // not in the variants run before either was freed
	registryRho := [2]float64{0.0019, 0.0032}                         // their prior of rho, the registry's range
	// The particles, replicates and stopping rule a variant's notes give where they are not
	// the shipped calibration's: checked, then set back.
	type stopping struct {
		particles, replicates, maxGenerations int
		minAcceptance                         float64
	}
	hundred := &stopping{particles: 100, replicates: 2, maxGenerations: 20, minAcceptance: 0.03} // the 100-particle fits'
	for file, c := range map[string]struct {
		added, targets, removed []string
		set                     []scenario.Override // what the variant holds, as its notes say
		rho                     [2]float64          // the variant's prior of rho when not the shipped one's
		settings                *stopping           // the settings the variant's own notes say it changes
	}{
		"mexico-2006-crowding.yaml": {removed: []string{"parameters.replacement"}, set: []scenario.Override{noReplacement}, rho: registryRho,
			settings: &stopping{particles: 150, replicates: 1, maxGenerations: 18, minAcceptance: 0.02}},
		"mexico-2006-size.yaml":    {added: []string{"world.initial_members"}, removed: before, set: append([]scenario.Override{noReplacement}, paperCrowding...), rho: registryRho, settings: hundred},
		"mexico-2006-network.yaml": {added: []string{"fragmentation.rivalry_inheritance"}, targets: []string{"rivals_per_group_2020", "allies_per_group_2020"}, removed: before, set: append([]scenario.Override{noReplacement}, paperCrowding...), rho: registryRho, settings: hundred},
		"mexico-2006-pool.yaml":    {added: []string{"parameters.pool_recruitment"}, removed: before, set: append([]scenario.Override{noReplacement}, paperCrowding...), settings: hundred},
		// Run after replacement was freed and before crowding was.
		"mexico-2006-network-replacement.yaml": {added: []string{"fragmentation.rivalry_inheritance"}, targets: []string{"rivals_per_group_2020", "allies_per_group_2020"}, removed: crowding, set: paperCrowding, settings: hundred},
		"mexico-2006-paper-crowding.yaml":      {removed: crowding, set: paperCrowding, settings: hundred},
		// The shipped calibration's parameters, 100 particles.
		"mexico-2006-crowding-replacement.yaml": {settings: hundred},
	} {
		added := c.added
		f, err := Load(filepath.Join("..", "calibrations", file))
		if err != nil {
			t.Fatal(err)
		}
		var extra []Param
		for _, p := range f.Config.Params {
			if i := slices.IndexFunc(base.Config.Params, func(q Param) bool { return q.Key == p.Key }); i >= 0 {
				q := base.Config.Params[i]
				if p.Key == "parameters.recruitment" && c.rho != [2]float64{} {
					q.Lo, q.Hi = c.rho[0], c.rho[1]
				}
				if p.Lo != q.Lo || p.Hi != q.Hi || p.Log != q.Log {
					t.Errorf("%s: %s's prior [%v, %v] differs from the one wanted, [%v, %v]", file, p.Key, p.Lo, p.Hi, q.Lo, q.Hi)
				}
				continue
			}
			extra = append(extra, p)
		}
		var keys, missing []string
		for _, p := range extra {
			keys = append(keys, p.Key)
		}
		for _, q := range base.Config.Params {
			if !slices.ContainsFunc(f.Config.Params, func(p Param) bool { return p.Key == q.Key }) {
				missing = append(missing, q.Key)
			}
		}
		if !slices.Equal(keys, added) || !slices.Equal(missing, c.removed) {
			t.Errorf("%s adds %v to the shipped calibration's parameters and lacks %v, want %v and %v", file, keys, missing, added, c.removed)
		}
		var extraTargets []string
		for _, tg := range f.Config.Targets {
			if !slices.ContainsFunc(base.Config.Targets, func(b Target) bool { return reflect.DeepEqual(b, tg) }) {
				extraTargets = append(extraTargets, tg.Label())
			}
		}
		if !slices.Equal(extraTargets, c.targets) || len(f.Config.Targets) != len(base.Config.Targets)+len(c.targets) {
			t.Errorf("%s adds the targets %v to the shipped calibration's, want %v", file, extraTargets, c.targets)
		}
		rest, baseRest := *f.Config, *base.Config
		rest.Params, rest.Targets, baseRest.Params, baseRest.Targets = nil, nil, nil, nil
		if c.settings != nil {
			got := stopping{rest.Particles, rest.Replicates, rest.MaxGenerations, rest.MinAcceptance}
			if got != *c.settings {
				t.Errorf("%s: particles, replicates, generations and acceptance %+v, want %+v", file, got, *c.settings)
			}
			rest.Particles, rest.Replicates, rest.MaxGenerations, rest.MinAcceptance = baseRest.Particles, baseRest.Replicates, baseRest.MaxGenerations, baseRest.MinAcceptance
		}
		if !reflect.DeepEqual(rest, baseRest) {
			t.Errorf("%s: settings differ from the shipped calibration's:\n%+v\n%+v", file, rest, baseRest)
		}
		// A variant's scenario is the shipped calibration's with what it holds set.
		inputs := func(f *File) []Input {
			return slices.DeleteFunc(slices.Clone(f.Inputs), func(in Input) bool { return in.Role == "calibration" })
		}
		want := inputs(base)
		if !slices.Equal(f.Simulator.Set, c.set) {
			t.Errorf("%s sets %v, want %v", file, f.Simulator.Set, c.set)
		}
		if len(c.set) > 0 {
			src, err := scenario.ReadScenarioSource(base.Simulator.Path)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := src.Parse(c.set)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if want[i].Role == "scenario" {
					want[i].SHA256 = sc.SHA256
				}
			}
		}
		if !reflect.DeepEqual(inputs(f), want) {
			t.Errorf("%s: scenario or targets differ from the shipped calibration's: %v, %v", file, inputs(f), want)
		}
	}
}
