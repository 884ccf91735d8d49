package sensitivity

import (
	"reflect"
	"testing"

	"github.com/cartelsim/cartelsim/experiment"
)

// experiments/sensitivity-policy-smoke.yaml (make sensitivity-smoke) is
// experiments/sensitivity-policy.yaml at a smaller N and fewer replicates, and the example
// is what docs/sensitivity.md says: a Sobol design over at least 8 parameters.
func TestSensitivityDesignsAgree(t *testing.T) {
	full, err := experiment.LoadDesign("../experiments/sensitivity-policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	smoke, err := experiment.LoadDesign("../experiments/sensitivity-policy-smoke.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if full.Kind != experiment.Sobol || len(full.Factors) < 8 {
		t.Errorf("the example is a %s design over %d factors, want sobol over at least 8", full.Kind, len(full.Factors))
	}
	if n := full.Points / (len(full.Factors) + 2); n != 256 {
		t.Errorf("the example's N is %d, docs/sensitivity.md says 256", n)
	}
	if !(smoke.Points < full.Points && smoke.Replicates <= full.Replicates) {
		t.Errorf("the smoke design runs %d points x %d replicates, the example %d x %d", smoke.Points, smoke.Replicates, full.Points, full.Replicates)
	}
	for _, d := range []*experiment.Design{full, smoke} { // where they are in their files
		for i := range d.Factors {
			d.Factors[i].Line = 0
		}
		for i := range d.Outputs {
			d.Outputs[i].Line = 0
		}
	}
	for _, c := range []struct {
		what string
		a, b any
	}{
		{"factors", full.Factors, smoke.Factors},
		{"scenarios", full.Paths, smoke.Paths},
		{"outputs", full.Outputs, smoke.Outputs},
		{"seed", full.Seed, smoke.Seed},
		{"set", full.Set, smoke.Set},
	} {
		if !reflect.DeepEqual(c.a, c.b) {
			t.Errorf("the two designs' %s differ:\n%v\n%v", c.what, c.a, c.b)
		}
	}
}
