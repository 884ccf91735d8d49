package robust

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// plantedBox is 5 uniform factors on [0,1]; the condition holds inside
// [0.2,0.5] x [0.6,0.9] on factors 1 and 3, each label flipped with probability 0.05.
func plantedBox(n int, seed uint64) ([][]float64, []bool) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([][]float64, n)
	y := make([]bool, n)
	for p := range x {
		x[p] = make([]float64, 5)
		for i := range x[p] {
			x[p][i] = rng.Float64()
		}
		y[p] = x[p][1] > 0.2 && x[p][1] < 0.5 && x[p][3] > 0.6 && x[p][3] < 0.9
		if rng.Float64() < 0.05 {
			y[p] = !y[p]
		}
	}
	return x, y
}

// The acceptance: PRIM recovers a planted box's bounds within 10% of the range
// and leaves the other factors unrestricted, with and without pasting, over seeds.
func TestPRIMRecoversPlantedBox(t *testing.T) {
	want := map[int][2]float64{1: {0.2, 0.5}, 3: {0.6, 0.9}}
	for seed := uint64(1); seed <= 5; seed++ {
		for _, paste := range []bool{false, true} {
			x, y := plantedBox(2000, seed)
			res, err := PRIM(x, y, PRIMOptions{Paste: paste})
			if err != nil {
				t.Fatal(err)
			}
			bounds := Bounds(res.Chosen, x, nil)
			names := []string{"x0", "x1", "x2", "x3", "x4"}
			t.Logf("seed %d paste %v: step %d of %d: %s: coverage %.3f density %.3f mass %.3f", seed, paste, res.Step,
				len(res.Trajectory), Describe(bounds, names), res.Chosen.Coverage, res.Chosen.Density, res.Chosen.Mass)
			if len(bounds) != 2 {
				t.Errorf("seed %d paste %v: restricted %s, want x1 and x3 only", seed, paste, Describe(bounds, names))
				continue
			}
			for _, b := range bounds {
				w, ok := want[b.Factor]
				if !ok {
					t.Errorf("seed %d: factor %d restricted", seed, b.Factor)
					continue
				}
				if math.IsNaN(b.Above) || math.Abs(b.Above-w[0]) > 0.1 || math.IsNaN(b.Below) || math.Abs(b.Below-w[1]) > 0.1 {
					t.Errorf("seed %d paste %v: %s: want %g < x%d < %g within 0.1", seed, paste, Describe([]Bound{b}, names), w[0], b.Factor, w[1])
				}
			}
			// The box's density should be near the 95% of true labels inside it.
			if res.Chosen.Density < 0.85 {
				t.Errorf("seed %d: density %.3f, want about 0.95", seed, res.Chosen.Density)
			}
		}
	}
}

// A hand-made trajectory: 10 points on one factor, the condition true at the top 3.
// Alpha 0.1 peels one point a step from the bottom: densities 3/10, 3/9, ..., 3/3;
// with min coverage 0.5 the chosen box is the last, x >= 7, read as x > 6.5.
func TestPRIMOneFactorByHand(t *testing.T) {
	var x [][]float64
	var y []bool
	for i := range 10 {
		x = append(x, []float64{float64(i)})
		y = append(y, i >= 7)
	}
	res, err := PRIM(x, y, PRIMOptions{Alpha: 0.1, MinMass: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Trajectory) != 8 {
		t.Fatalf("trajectory of %d boxes, want 8 (10 points down to 3)", len(res.Trajectory))
	}
	for s, b := range res.Trajectory {
		if want := 3.0 / float64(10-s); math.Abs(b.Density-want) > 1e-12 || b.Coverage != 1 {
			t.Errorf("step %d: density %g coverage %g, want %g and 1", s, b.Density, b.Coverage, want)
		}
	}
	got := Describe(Bounds(res.Chosen, x, nil), []string{"x"})
	if got != "x > 6.5" || res.Chosen.Mass != 0.3 {
		t.Errorf("chosen %s mass %g, want x > 6.5 and mass 0.3", got, res.Chosen.Mass)
	}
}

func TestPRIMErrors(t *testing.T) {
	if _, err := PRIM([][]float64{{1}, {2}}, []bool{false, false}, PRIMOptions{}); err == nil || err.Error() != "robust: the condition holds at none of the 2 points: there is no box to find" {
		t.Errorf("no hits: %v", err)
	}
	if _, err := PRIM([][]float64{{1}}, []bool{true}, PRIMOptions{Alpha: 2}); err == nil {
		t.Error("alpha 2 accepted")
	}
}

// Pasting by hand: ten points on one factor, the condition true at 0, 1, 2, 3 and 5.
// From the box [2, 5] (3 hits of 4, density 0.75), with alpha 0.25 each paste adds one
// point: 1 (4 of 5, 0.8, better than 6's 3 of 5), then 0 (5 of 6, 0.833); adding 6
// would give 5 of 7, lower, so pasting stops at [0, 5].
func TestPasteByHand(t *testing.T) {
	d := &primData{k: 1, min: []float64{0}, max: []float64{9}}
	for i := range 10 {
		d.x = append(d.x, []float64{float64(i)})
		d.y = append(d.y, i <= 3 || i == 5)
		if d.y[i] {
			d.hits++
		}
	}
	lo, hi := d.pasteBox([]float64{2}, []float64{5}, 0.25)
	if lo[0] != 0 || hi[0] != 5 {
		t.Errorf("pasted to [%g, %g], want [0, 5]", lo[0], hi[0])
	}
	if b := d.box(lo, hi); b.Hits != 5 || b.Points != 6 {
		t.Errorf("pasted box: %d hits of %d, want 5 of 6", b.Hits, b.Points)
	}
}

// The quasi-p-value by hand: a box of 8 points, all hits, whose restriction widens it to
// 10 points with 8 hits (density 0.8): P(X >= 8) for X ~ Binomial(8, 0.8) = 0.8^8.
func TestQuasiPByHand(t *testing.T) {
	if got, want := quasiP(8, 8, 0.8), math.Pow(0.8, 8); math.Abs(got-want) > 1e-12 {
		t.Errorf("quasi-p %g, want 0.8^8 = %g", got, want)
	}
	// P(X >= 1) for Binomial(2, 0.5) = 3/4.
	if got := quasiP(1, 2, 0.5); math.Abs(got-0.75) > 1e-12 {
		t.Errorf("quasi-p %g, want 0.75", got)
	}
}

// The quasi-p-value against a second method, the binomial sum in exact rational
// arithmetic (math/big), over box sizes up to an experiment's few hundred points and
// into the far tail.
func TestQuasiPMatchesExactArithmetic(t *testing.T) {
	for _, n := range []int{1, 7, 64, 128, 300} {
		for _, per1000 := range []int64{10, 200, 500, 870, 999} {
			p := float64(per1000) / 1000 // within half an ulp of per1000/1000
			for hits := 0; hits <= n; hits += 1 + n/13 {
				want := exactBinomialTail(hits, n, big.NewRat(per1000, 1000))
				if got := quasiP(hits, n, p); math.Abs(got-want) > 1e-11*want {
					t.Errorf("quasiP(%d, %d, %g) = %g, exact arithmetic gives %g", hits, n, p, got, want)
				}
			}
		}
	}
	if quasiP(3, 2, 0.5) != 0 || quasiP(1, 5, 0) != 0 || quasiP(0, 5, 0.3) != 1 {
		t.Error("quasiP's edge cases: more hits than points, p = 0 and no hits want 0, 0 and 1")
	}
}

// exactBinomialTail is P(X >= hits), X ~ Binomial(n, p), summed exactly.
func exactBinomialTail(hits, n int, p *big.Rat) float64 {
	q := new(big.Rat).Sub(big.NewRat(1, 1), p)
	sum := new(big.Rat)
	for k := max(hits, 0); k <= n; k++ {
		term := new(big.Rat).SetInt(new(big.Int).Binomial(int64(n), int64(k)))
		term.Mul(term, ratPow(p, k))
		term.Mul(term, ratPow(q, n-k))
		sum.Add(sum, term)
	}
	f, _ := sum.Float64()
	return f
}

// ratPow is x^k.
func ratPow(x *big.Rat, k int) *big.Rat {
	num := new(big.Int).Exp(x.Num(), big.NewInt(int64(k)), nil)
	den := new(big.Int).Exp(x.Denom(), big.NewInt(int64(k)), nil)
	return new(big.Rat).SetFrac(num, den)
}
