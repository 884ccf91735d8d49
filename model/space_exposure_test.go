package model_test

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/mexico"
)

// The exposure works out a rival's reach only over the states it holds and their
// neighbours, and sums a group's states four at a time; the plain sum over every rival in
// every state a group holds must give the same bits, in each state and in the mean. Ten
// years of the BACRIM world on Mexico's states, with an economy (so that groups spread
// over up to a dozen states or more), splits, births, deaths and fading feuds, at two
// baseline hostilities and adjacent weights.
func TestSpatialExposureIsThePlainSum(t *testing.T) {
	geo, err := mexico.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ b, a float64 }{{1, model.DefaultAdjacentWeight}, {0, 0.6}} {
		p := model.DefaultParams()
		p.BaselineHostility, p.AdjacentWeight = c.b, c.a
		econ := model.DefaultEconomy()
		frag := model.DefaultFragmentation()
		frag.FactionRivalryHalfLife = 26
		w, err := model.NewWorld(model.Config{
			Network: bacrimNetwork(t), Params: p, InitialMembers: model.DefaultInitialMembers,
			Economy: &econ, Geography: geo, Fragmentation: &frag,
			Interventions: []model.Intervention{{Kind: model.Decapitation, From: 1, To: 520, Intensity: 4,
				Actor: model.Mexico, Targets: model.Targets{Largest: 10}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		r := w.NewReplicate()
		rng := rand.New(rand.NewPCG(7, 11))
		r.Reset(rng)
		out := make([]float64, model.NumMetrics)
		var splits, multi, checked int
		for wk := 1; wk <= 520; wk++ {
			r.Step(wk, rng, out)
			splits += int(out[model.Splits])
			if wk%13 != 0 {
				continue
			}
			slots, n := len(r.Sizes()), geo.Len()
			got, want, wantLocal := make([]float64, slots), make([]float64, slots), make([]float64, slots*n)
			r.ConflictExposure(got)
			if !r.PlainSpatialExposure(want, wantLocal) {
				t.Fatal("the world has no geography")
			}
			local := r.SpatialLocal()
			for i := range got {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("b=%v a=%v week %d: group %d's exposure %v, the plain sum %v", c.b, c.a, wk, i, got[i], want[i])
				}
				held := r.HeldWithMembers(i)
				multi = max(multi, bits.OnesCount64(held))
				for m := held; m != 0; m &= m - 1 {
					v := bits.TrailingZeros64(m)
					if math.Float64bits(local[i*n+v]) != math.Float64bits(wantLocal[i*n+v]) {
						t.Fatalf("b=%v a=%v week %d: group %d's exposure in state %d %v, the plain sum %v", c.b, c.a, wk, i, v, local[i*n+v], wantLocal[i*n+v])
					}
				}
				if want[i] > 0 {
					checked++
				}
			}
		}
		if splits == 0 || multi < 6 || checked == 0 {
			t.Fatalf("b=%v a=%v: %d splits, at most %d states held, %d exposures above 0: not what the test needs", c.b, c.a, splits, multi, checked)
		}
	}
}
