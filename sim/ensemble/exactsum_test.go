package ensemble

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"unsafe"
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
		if p.canonical() != s.canonical() || a.canonical() != s.canonical() {
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

// ExactMoments against the two-pass formulas in rationals, rounded once.
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

// Values of similar magnitude, as one week's metric across replicates, keep to the
// window; values spanning more move it or take the whole array. Either way the sum is the
// exact rational sum and its canonical chunks do not depend on the order, on merging, or
// on a round trip through the whole array (as checkpoints take it).
func TestExactSumWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 400 {
		span := []int{1, 20, 60, 120, 300, 2000}[trial%6] // binary orders of magnitude
		e := rng.IntN(2098-span) - 1074                   // values below overflow
		squares := trial%2 == 1 && span <= 120            // squares and their rounding errors, as a sum of squares takes them
		if squares {
			e = rng.IntN(1000-span) - 500 // squares below overflow
		}
		var xs []float64
		for range 1 + rng.IntN(60) {
			x := math.Ldexp(rng.Float64(), e+rng.IntN(span)) // may be subnormal or zero
			if rng.IntN(3) == 0 {
				x = -x
			}
			if squares {
				xs = append(xs, x*x, math.FMA(x, x, -x*x))
			} else {
				xs = append(xs, x)
			}
		}
		var s exactSum
		for _, x := range xs {
			s.add(x)
		}
		got := new(big.Rat).SetFrac(s.int(), new(big.Int).Lsh(big.NewInt(1), sumUnitShift))
		if want := ratSum(xs); got.Cmp(want) != 0 {
			t.Fatalf("trial %d (span 2^%d): sum %v, want %v", trial, span, got.FloatString(30), want.FloatString(30))
		}
		if (span <= 120 && !squares || span <= 20) && s.all != nil {
			t.Errorf("trial %d: values within 2^%d of each other left the window", trial, span)
		}
		var p exactSum
		parts := make([]exactSum, 1+rng.IntN(4))
		for i, k := range rng.Perm(len(xs)) {
			p.add(xs[k])
			parts[i%len(parts)].add(xs[k])
		}
		var m exactSum
		for i := range parts {
			m.merge(&parts[len(parts)-1-i])
		}
		var r exactSum
		whole := s.canonical()
		r.setWhole(&whole)
		if p.canonical() != s.canonical() || m.canonical() != s.canonical() || r.canonical() != s.canonical() {
			t.Fatalf("trial %d: the sum depends on the order, on merging or on the round trip", trial)
		}
	}
}

// A window moved to take chunks near either end of the array stays inside it: a value
// three chunks up, then the smallest subnormal (chunk 0), or the largest value (chunks
// 63-65) after one three chunks below it.
func TestExactSumWindowAtTheEnds(t *testing.T) {
	for _, xs := range [][]float64{
		{math.Ldexp(1.0000000000000002, -900), 5e-324},
		{math.Ldexp(1.0000000000000002, 900), math.MaxFloat64},
		{math.MaxFloat64, math.Ldexp(1.0000000000000002, 900), 5e-324},
	} {
		var s exactSum
		for _, x := range xs {
			s.add(x)
		}
		got := new(big.Rat).SetFrac(s.int(), new(big.Int).Lsh(big.NewInt(1), sumUnitShift))
		if want := ratSum(xs); got.Cmp(want) != 0 {
			t.Errorf("sum of %v = %v, want %v", xs, got.FloatString(20), want.FloatString(20))
		}
	}
}

// A pair of accumulators (sum and sum of squares) of one cell of an ensemble stays small,
// so that folding a replicate into tens of thousands of cells does not walk megabytes.
func TestExactSumIsSmall(t *testing.T) {
	if size := unsafe.Sizeof(exactSum{}); size > 128 {
		t.Errorf("an exact sum takes %d bytes, want at most 128", size)
	}
}
