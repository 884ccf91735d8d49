package sim

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The library's scenarios are the status quo plus one policy each, from the same 2025
// world: with the same seed, every metric of the year before their levers (2025) is
// identical replicate by replicate, and each differs from the status quo after. The
// unilateral airstrikes end their two years with lower cooperation and fewer extraditions
// than their joint twin.
func TestPolicyLibrarySharesIts2025World(t *testing.T) {
	names := []string{"status-quo", "kingpin", "airstrikes-joint", "airstrikes-unilateral", "shock-and-awe-enforced",
		"shock-and-awe-unenforced", "cooperation-package", "anti-recruitment", "demand-reduction",
		"special-forces-raids", "tariffs", "tariffs-backlash", "designation", "escalation-ladder", "escalation-withdraw"}
	var scs []*scenario.Scenario
	for _, n := range names {
		sc := loadScenario(t, filepath.Join("policy", n+".yaml"))
		sc.Replicates = 4
		scs = append(scs, sc)
	}
	c, err := Compare(context.Background(), scs, CompareOptions{OutDir: filepath.Join(t.TempDir(), "cmp"), Horizons: []int{labsWeek2026, labsWeek2028}})
	if err != nil {
		t.Fatal(err)
	}
	differs := map[string]bool{}
	value := map[string]map[model.Metric]float64{}
	for _, row := range c.Rows {
		if row.Week == labsWeek2028 {
			if value[row.Scenario] == nil {
				value[row.Scenario] = map[model.Metric]float64{}
			}
			value[row.Scenario][row.Metric] = row.Value.Mean
		}
		if row.Diff == nil {
			continue
		}
		switch {
		case row.Week == labsWeek2026 && *row.Diff != (Interval{}):
			t.Errorf("%s: %s in 2025 differs from the status quo by %+v", row.Scenario, row.Metric, *row.Diff)
		case row.Week == labsWeek2028 && row.Diff.Mean != 0:
			differs[row.Scenario] = true
		}
	}
	for _, n := range names[1:] {
		if !differs[n] {
			t.Errorf("%s does not differ from the status quo by 2028", n)
		}
	}
	uni, joint := value["airstrikes-unilateral"], value["airstrikes-joint"]
	if !(uni[model.CooperationIndex] < joint[model.CooperationIndex]-0.1) || !(uni[model.Extraditions] < joint[model.Extraditions]) {
		t.Errorf("in 2027, unilateral strikes: cooperation %v, extraditions %v; joint: %v, %v; want both lower for unilateral",
			uni[model.CooperationIndex], uni[model.Extraditions], joint[model.CooperationIndex], joint[model.Extraditions])
	}
}

// Replaying a replicate of the policy library's busiest scenarios allocates nothing: the
// routes, strikes and labs reuse the replicate's buffers, kept across Reset. (Warm-up and
// horizon are shortened to keep the test fast; the interventions start at week 53.)
func TestPolicyReplicateReplayAllocatesNothing(t *testing.T) {
	for _, name := range []string{"status-quo", "airstrikes-unilateral", "cooperation-package"} {
		sc, err := scenario.LoadScenario("../scenarios/policy/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		cfg := sc.Config()
		cfg.WarmUpWeeks = 104
		// The last 104 weeks of the history: its campaigns of those weeks only.
		cfg.Interventions = slices.DeleteFunc(slices.Clone(cfg.Interventions), func(iv model.Intervention) bool { return iv.To <= -104 })
		for i := range cfg.Interventions {
			cfg.Interventions[i].From = max(cfg.Interventions[i].From, -104)
		}
		w, err := model.NewWorld(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		pcg := rand.NewPCG(sc.Seed, 1)
		rng := rand.New(pcg)
		out := make([]float64, model.NumMetrics)
		labs := 0.0
		replay := func() {
			pcg.Seed(sc.Seed, 1)
			r.Reset(rng)
			labs = 0
			for wk := 1; wk <= 156; wk++ {
				r.Step(wk, rng, out)
				labs += out[model.Labs]
			}
		}
		if a := testing.AllocsPerRun(2, replay); a != 0 {
			t.Errorf("%s: %v allocations per replayed replicate", name, a)
		}
		if labs == 0 {
			t.Errorf("%s: no labs: the test exercises no economy", name)
		}
	}
}
