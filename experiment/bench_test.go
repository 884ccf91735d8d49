package experiment

import (
	"context"
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
