package experiment

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkExperimentPolicyLHS is the experiment benchmark of docs/speed.md:
// experiments/policy-lhs.yaml, 256 Latin-hypercube points x 2 scenarios x 10 replicates of
// the policy world, end to end (results, effects and plots), on all CPUs. Minutes per
// iteration: run it with -benchtime 1x.
func BenchmarkExperimentPolicyLHS(b *testing.B) {
	d, err := LoadDesign("../experiments/policy-lhs.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Run(context.Background(), d, Options{OutDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExperimentSmall runs a small experiment of the policy world, status quo
// against joint airstrikes (experiments/strikes-rebuild.yaml on a 2 x 2 grid with 2
// replicates), with each point's scenarios run separately (runs=separate) and branched
// from their shared past (runs=branched): compare the two with benchstat -col /runs.
// It reports the CPU time of an iteration too (cpu-s/op, on Unix).
func BenchmarkExperimentSmall(b *testing.B) {
	scenarios, err := filepath.Abs("../scenarios/policy")
	if err != nil {
		b.Fatal(err)
	}
	design := fmt.Sprintf(`name: small
scenarios: [%s/status-quo.yaml, %s/airstrikes-joint.yaml]
set:
  weeks: 261
factors:
  - key: economy.rebuild_weeks
    range: [2, 104]
  - key: interventions.strikes.intensity
    range: [0, 20]
    scenarios: [airstrikes-joint]
design: grid
levels: 2
replicates: 2
seed: 20250105
outputs:
  - {metric: supply, year: 2027}
  - {metric: homicides, year: 2027}
`, scenarios, scenarios)
	d, err := ParseDesign(filepath.Join(b.TempDir(), "design.yaml"), []byte(design))
	if err != nil {
		b.Fatal(err)
	}
	for _, separate := range []bool{true, false} {
		name := map[bool]string{true: "runs=separate", false: "runs=branched"}[separate]
		b.Run(name, func(b *testing.B) {
			defer func(old bool) { separateRuns = old }(separateRuns)
			separateRuns = separate
			cpu := cpuSeconds()
			for b.Loop() {
				if _, err := Run(context.Background(), d, Options{OutDir: b.TempDir(), Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time as well as wall time: on a shared machine it varies less.
			b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
		})
	}
}
