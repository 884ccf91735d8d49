package sim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ratSum is the second method: the sum in exact rationals.
func ratSum(xs []float64) *big.Rat {
	s := new(big.Rat)
	for _, x := range xs {
		s.Add(s, new(big.Rat).SetFloat64(x))
	}
	return s
}

// drawValues mixes magnitudes and signs, subnormals, zeros and the largest finite values.
func drawValues(rng *rand.Rand, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		switch rng.IntN(8) {
		case 0:
			xs[i] = math.Ldexp(rng.Float64(), rng.IntN(2000)-1000)
		case 1:
			xs[i] = -math.Ldexp(rng.Float64(), rng.IntN(2000)-1000)
		case 2:
			xs[i] = math.Float64frombits(rng.Uint64N(1 << 52)) // subnormal
		case 3:
			xs[i] = math.MaxFloat64 * (2*rng.Float64() - 1)
		case 4:
			xs[i] = 0
		default:
			xs[i] = 1e5 * rng.NormFloat64()
		}
	}
	return xs
}

// The accumulator's sum is the exact rational sum, whatever the values and their order.
func TestExactSumAgreesWithRationals(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 200 {
		xs := drawValues(rng, 1+rng.IntN(60))
		var s exactSum
		for _, x := range xs {
			s.add(x)
		}
		got := new(big.Rat).SetFrac(s.int(), new(big.Int).Lsh(big.NewInt(1), sumUnitShift))
		if want := ratSum(xs); got.Cmp(want) != 0 {
			t.Fatalf("trial %d: sum of %v = %v, want %v", trial, xs, got.FloatString(20), want.FloatString(20))
		}
		// Another order, and split in two halves merged: the same canonical chunks.
		var p, a, b exactSum
		for i, k := range rng.Perm(len(xs)) {
			p.add(xs[k])
			if i%2 == 0 {
				a.add(xs[k])
			} else {
				b.add(xs[k])
			}
		}
		a.merge(&b)
		s.normalize()
		p.normalize()
		a.normalize()
		if p != s || a != s {
			t.Fatalf("trial %d: the sum depends on the order or on merging", trial)
		}
	}
}

// A classic cancellation: 1e100 + 1 - 1e100 is 0 in float64 arithmetic, 1 exactly.
func TestExactSumCancellation(t *testing.T) {
	var s exactSum
	for _, x := range []float64{1e100, 1, -1e100} {
		s.add(x)
	}
	if got := quotient(s.int(), sumUnitShift, big.NewInt(1)); got != 1 {
		t.Errorf("1e100 + 1 - 1e100 = %v, want 1", got)
	}
}

// exactMoments against the two-pass formulas in rationals, rounded once.
func TestExactMomentsAgreeWithRationals(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for trial := range 100 {
		n := 1 + rng.IntN(40)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = 174000 + 800*rng.NormFloat64()
			if trial%3 == 0 {
				xs[i] = math.Floor(xs[i] / 1000) // counts with ties
			}
		}
		var s, sq exactSum
		for _, x := range xs {
			s.add(x)
			s2 := x * x
			sq.add(s2)
			sq.add(math.FMA(x, x, -s2))
		}
		mean, variance := exactMoments(n, &s, &sq)
		nr := new(big.Rat).SetInt64(int64(n))
		m := new(big.Rat).Quo(ratSum(xs), nr)
		if want, _ := m.Float64(); mean != want {
			t.Fatalf("trial %d: mean %v, want %v", trial, mean, want)
		}
		ss := new(big.Rat)
		for _, x := range xs {
			d := new(big.Rat).Sub(new(big.Rat).SetFloat64(x), m)
			ss.Add(ss, d.Mul(d, d))
		}
		want := 0.0
		if n > 1 {
			want, _ = ss.Quo(ss, new(big.Rat).SetInt64(int64(n-1))).Float64()
		}
		if variance != want {
			t.Fatalf("trial %d: variance %v, want %v", trial, variance, want)
		}
	}
	// Equal values: a variance of exactly 0 (a rounded sum of squares would not give it).
	var s, sq exactSum
	for range 7 {
		x := 0.1
		s.add(x)
		sq.add(x * x)
		sq.add(math.FMA(x, x, -x*x))
	}
	if mean, v := exactMoments(7, &s, &sq); mean != 0.1 || v != 0 {
		t.Errorf("seven 0.1s: mean %v variance %v, want 0.1 and 0", mean, v)
	}
}
