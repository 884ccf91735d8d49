package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// chiSquarePValue bins draws by value, pools the tails so that every bin expects at least
// five draws, and returns the p-value of Pearson's statistic against the pmf.
func chiSquarePValue(t *testing.T, draws []float64, pmf func(k float64) float64) float64 {
	t.Helper()
	counts := map[float64]float64{}
	for _, d := range draws {
		if d != math.Floor(d) || d < 0 {
			t.Fatalf("draw %v is not a non-negative whole number", d)
		}
		counts[d]++
	}
	n := float64(len(draws))
	var stat, df, pooledObs, pooledExp float64
	total := 0.0
	for k := 0.0; total < 1-1e-12 && k < 1e6; k++ {
		pk := pmf(k)
		total += pk
		pooledObs += counts[k]
		pooledExp += pk * n
		if pooledExp >= 5 {
			stat += (pooledObs - pooledExp) * (pooledObs - pooledExp) / pooledExp
			df++
			pooledObs, pooledExp = 0, 0
		}
	}
	// Whatever probability is left (and any draw beyond) forms the last bin.
	var beyond float64
	for k, c := range counts {
		if pmf(k) == 0 {
			beyond += c
		}
	}
	pooledObs += beyond
	pooledExp += (1 - total) * n
	if pooledExp > 0 {
		stat += (pooledObs - pooledExp) * (pooledObs - pooledExp) / pooledExp
		df++
	} else if pooledObs > 0 {
		t.Fatalf("%v draws where the pmf is zero", pooledObs)
	}
	return 1 - distuv.ChiSquared{K: df - 1}.CDF(stat)
}

// The samplers must follow their distributions in every regime: both sides of gapLimit,
// the p > 1/2 reflection, and tiny means. Seeds are fixed, so a pass is reproducible;
// the threshold 1e-4 makes a false alarm on a correct sampler very unlikely.
func TestSamplersMatchPMF(t *testing.T) {
	const draws = 200_000
	type samplerCase struct {
		name string
		draw func(*rand.Rand) float64
		pmf  func(float64) float64
		mean float64
	}
	var cases []samplerCase
	for _, lam := range []float64{0.05, 0.4, 3, 9.9, 10, 37.5, 400} {
		cases = append(cases, samplerCase{fmt.Sprintf("poisson(%g)", lam), func(r *rand.Rand) float64 { return Poisson(r, lam) },
			distuv.Poisson{Lambda: lam}.Prob, lam})
	}
	for _, np := range [][2]float64{{137, 0.003}, {50, 0.19}, {20000, 0.0005}, {20000, 0.004}, {80, 0.3}, {1000, 0.5}, {60, 0.9}, {25, 0.999}} {
		n, p := np[0], np[1]
		cases = append(cases, samplerCase{fmt.Sprintf("binomial(%g,%g)", n, p), func(r *rand.Rand) float64 { return Binomial(r, n, p) },
			distuv.Binomial{N: n, P: p}.Prob, n * p})
	}
	for _, nh := range [][2]float64{{150, 0.004}, {20000, 0.0035}} {
		n, h := nh[0], nh[1]
		p := -math.Expm1(-h)
		cases = append(cases, samplerCase{fmt.Sprintf("hazard(%g,%g)", n, h), func(r *rand.Rand) float64 { return BinomialHazard(r, n, h) },
			distuv.Binomial{N: n, P: p}.Prob, n * p})
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			xs := make([]float64, draws)
			sum := 0.0
			for j := range xs {
				xs[j] = c.draw(rng)
				sum += xs[j]
			}
			if pv := chiSquarePValue(t, xs, c.pmf); pv < 1e-4 {
				t.Errorf("chi-square p-value %.2g: draws do not follow the pmf", pv)
			}
			mean := sum / draws
			if se := math.Sqrt(c.mean/draws) + 1e-12; math.Abs(mean-c.mean) > 5*se {
				t.Errorf("sample mean %v, want %v (5 s.e. = %v)", mean, c.mean, 5*se)
			}
		})
	}
}

func TestSamplersEdgeCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"poisson(0)", Poisson(rng, 0), 0},
		{"binomial(0,0.5)", Binomial(rng, 0, 0.5), 0},
		{"binomial(10,0)", Binomial(rng, 10, 0), 0},
		{"binomial(10,1)", Binomial(rng, 10, 1), 10},
		{"hazard(10,0)", BinomialHazard(rng, 10, 0), 0},
		{"hazard(0,1)", BinomialHazard(rng, 0, 1), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// An enormous hazard removes everyone.
	if got := BinomialHazard(rng, 500, 800); got != 500 {
		t.Errorf("hazard(500, 800) = %v, want 500", got)
	}
}

// Split is a multinomial draw: each count's marginal is Binomial(k, p) and the counts
// never exceed k together, on both the item-by-item path (k <= smallSplit) and the
// binomial path.
func TestSplitMarginals(t *testing.T) {
	for _, c := range []struct{ k, pa, pb float64 }{{9, 0.37, 0.41}, {16, 0.2, 0.7}, {60, 0.37, 0.41}, {400, 0.05, 0.9}} {
		t.Run(fmt.Sprintf("k=%g", c.k), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(c.k)))
			const draws = 200_000
			as, bs := make([]float64, draws), make([]float64, draws)
			for i := range as {
				as[i], bs[i] = Split(rng, c.k, c.pa, c.pb)
				if as[i]+bs[i] > c.k {
					t.Fatalf("split %v + %v of %v", as[i], bs[i], c.k)
				}
			}
			for _, m := range []struct {
				name string
				xs   []float64
				p    float64
			}{{"first", as, c.pa}, {"second", bs, c.pb}} {
				if pv := chiSquarePValue(t, m.xs, distuv.Binomial{N: c.k, P: m.p}.Prob); pv < 1e-4 {
					t.Errorf("%s count: chi-square p-value %.2g against Binomial(%v, %v)", m.name, pv, c.k, m.p)
				}
			}
		})
	}
}
