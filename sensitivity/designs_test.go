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

// experiments/sensitivity-calibrated.yaml is a Sobol design whose calibrated posterior
// is one factor beside the open assumptions, N = 256, as docs/sensitivity.md says.
func TestCalibratedSensitivityDesign(t *testing.T) {
	d, err := experiment.LoadDesign("../experiments/sensitivity-calibrated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	own := 0
	for _, f := range d.Factors {
		if !f.Posterior {
			own++
		}
	}
	if d.Kind != experiment.Sobol || len(d.Posteriors) != 1 || own != 7 {
		t.Fatalf("a %s design of %d own factors and %d posteriors, want sobol, 7 and 1", d.Kind, own, len(d.Posteriors))
	}
	if n := d.Points / (own + 1 + 2); n != 256 || d.Points%(own+3) != 0 {
		t.Errorf("%d points: N = %d, want 256 blocks of 7 + 1 + 2", d.Points, n)
	}
}
