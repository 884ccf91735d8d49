package sim

import (
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// Weeks of the 2025 scenarios, which start on 2025-01-05.
const (
	labsWeek2026  = 52  // 2026-01-04: interventions start
	labsWeek2028  = 156 // 2028-01-02: the airstrikes end
	labsWeek2031  = 313 // 2031-01-05: demand reduction complete
	labsWeekFinal = 469
)

func loadScenario(t *testing.T, path string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.LoadScenario(filepath.Join("..", "scenarios", path))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func labScenarios(t *testing.T) (base, strikes, demand *scenario.Scenario) {
	return loadScenario(t, "labs/baseline-2025.yaml"), loadScenario(t, "labs/airstrikes-2026.yaml"), loadScenario(t, "demand/demand-reduction-2026.yaml")
}

// The three scenarios start from the same 2025 world, replicate by replicate: every metric
// of every week before the interventions is identical, and they differ after.
func TestLabScenariosShareTheir2025World(t *testing.T) {
	base, strikes, demand := labScenarios(t)
	var probes []ensemble.Probe
	for m := range model.NumMetrics {
		probes = append(probes, ensemble.Probe{Metric: m, From: 1, To: labsWeek2026})
	}
	after := ensemble.Probe{Metric: model.Labs, From: labsWeek2028, To: labsWeek2028}
	probes = append(probes, after)
	const reps = 4
	b := collect(t, base, base.Config(), reps, probes...)
	for _, sc := range []*scenario.Scenario{strikes, demand} {
		v := collect(t, sc, sc.Config(), reps, probes...)
		for p := range probes[:len(probes)-1] {
			for r := range reps {
				if v[p][r] != b[p][r] {
					t.Errorf("%s, replicate %d: %s over 2025 is %v, baseline %v", sc.Name, r, probes[p].Metric, v[p][r], b[p][r])
				}
			}
		}
		if stat.Mean(v[len(probes)-1], nil) == stat.Mean(b[len(probes)-1], nil) {
			t.Errorf("%s: labs in 2028 equal the baseline's; the intervention did nothing", sc.Name)
		}
	}
}

// The scenarios show the mechanisms: strikes cut labs in the struck states while they
// last, move labs elsewhere and abroad and kill civilians; demand reduction lowers
// revenue, recruitment and, over the years, members.
func TestLabScenariosDirections(t *testing.T) {
	base, strikes, demand := labScenarios(t)
	const reps = 6
	type check struct {
		probe ensemble.Probe
		lower bool // the intervention's mean is below the baseline's
	}
	compare := func(sc *scenario.Scenario, checks ...check) {
		probes := make([]ensemble.Probe, len(checks))
		for i, c := range checks {
			probes[i] = c.probe
		}
		b := collect(t, base, base.Config(), reps, probes...)
		v := collect(t, sc, sc.Config(), reps, probes...)
		for i, c := range checks {
			mb, mv := stat.Mean(b[i], nil), stat.Mean(v[i], nil)
			if c.lower && mv >= mb || !c.lower && mv <= mb {
				t.Errorf("%s: %s over weeks %d-%d is %v against the baseline's %v, want it %s",
					sc.Name, c.probe.Metric, c.probe.From, c.probe.To, mv, mb, map[bool]string{true: "lower", false: "higher"}[c.lower])
			}
		}
	}
	during := func(m model.Metric) ensemble.Probe {
		return ensemble.Probe{Metric: m, From: labsWeek2026 + 1, To: labsWeek2028}
	}
	compare(strikes,
		check{ensemble.Probe{Metric: model.LabsPacific, From: labsWeek2028, To: labsWeek2028}, true},
		check{ensemble.Probe{Metric: model.Labs, From: labsWeek2028, To: labsWeek2028}, true},
		check{during(model.Supply), true},
		check{ensemble.Probe{Metric: model.LabsAbroad, From: labsWeek2028, To: labsWeek2028}, false},
		check{ensemble.Probe{Metric: model.LabsNorth, From: labsWeek2028, To: labsWeek2028}, false},
		check{during(model.LabsDestroyed), false},
		check{during(model.CivilianCasualties), false},
	)
	late := func(m model.Metric) ensemble.Probe {
		return ensemble.Probe{Metric: m, From: labsWeek2031, To: labsWeekFinal}
	}
	compare(demand,
		check{late(model.Revenue), true},
		check{late(model.Recruits), true},
		check{late(model.Supply), true},
		check{ensemble.Probe{Metric: model.Members, From: labsWeekFinal, To: labsWeekFinal}, true},
	)
}

// Territory, labs and routes do not depend on the number of workers.
func TestLabScenarioIdenticalAcrossWorkerCounts(t *testing.T) {
	_, sc, _ := labScenarios(t)
	sc.Replicates = 4
	one := runOutputs(t, sc, RunOptions{Workers: 1})
	if _, ok := one["plots/labs_by_zone.png"]; !ok {
		t.Fatalf("no labs-by-zone plot among %d files", len(one))
	}
	compareOutputs(t, "1 against 3 workers", one, runOutputs(t, sc, RunOptions{Workers: 3}))
}
