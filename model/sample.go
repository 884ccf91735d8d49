package model

import (
	"math"
	"math/rand/v2"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// The weekly stochastic step draws four variates per cartel, so these samplers are the
// Monte Carlo runner's hot path. gonum's distuv samplers are exact but its Binomial costs
// ~220 ns at n = 20,000 (Numerical Recipes' Cauchy rejection with Lgamma and Tan) and
// allocates nothing only by luck of inlining; these run in tens of nanoseconds and are
// tested against gonum's probability mass functions (sample_test.go).

// gapLimit is the mean below which inversion by exponential gaps is cheaper than
// transformed rejection: the gap method costs mean+1 ziggurat exponentials (~4 ns each),
// rejection about 30 ns.
const gapLimit = 10

// Poisson draws from a Poisson distribution with mean lambda >= 0. A mean that is NaN or
// infinite is returned as it is, without a draw (the rejection loop would never accept),
// for the runaway guard to report.
func Poisson(rng *rand.Rand, lambda float64) float64 {
	if lambda < gapLimit {
		// Count unit-rate arrivals in [0, lambda).
		k := 0.0
		for t := fpmath.ExpFloat64(rng); t < lambda; t += fpmath.ExpFloat64(rng) {
			k++
		}
		return k
	}
	if !(lambda <= math.MaxFloat64) {
		return lambda
	}
	return poissonPTRS(rng, lambda)
}

// poissonPTRS is Hörmann's transformed rejection with squeeze (PTRS), for lambda >= 10.
// W. Hörmann (1993), "The transformed rejection method for generating Poisson random
// variables", Insurance: Mathematics and Economics 12(1):39-45.
func poissonPTRS(rng *rand.Rand, lambda float64) float64 {
	slam := math.Sqrt(lambda)
	loglam := fpmath.Log(lambda)
	b := 0.931 + float64(2.53*slam)
	a := -0.059 + float64(0.02483*b)
	invAlpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := float64(rng.Float64()) - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor(float64((2*a/us+b)*u) + lambda + 0.43)
		if us >= 0.07 && v <= vr {
			return k
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg := fpmath.LgammaWhole(k + 1)
		if fpmath.Log(v)+fpmath.Log(invAlpha)-fpmath.Log(a/(us*us)+b) <= -lambda+float64(k*loglam)-lg {
			return k
		}
	}
}

// BinomialHazard draws the number of n individuals who leave in one period when each
// leaves independently at hazard rate h >= 0 per period: a Binomial(n, 1-exp(-h)) draw.
// Passing the hazard rather than the probability lets the inversion skip a logarithm.
func BinomialHazard(rng *rand.Rand, n, h float64) float64 {
	if n <= 0 || h <= 0 {
		return 0
	}
	// n*h >= n*p, so this picks the gap method slightly less often than Binomial would,
	// without computing p on the common path.
	if n*h < gapLimit {
		return binomialGaps(rng, n, h)
	}
	return Binomial(rng, n, -fpmath.Expm1(-h))
}

// smallSplit is the count up to which Split classifies items one by one: a uniform per
// item (~3 ns) beats two binomial draws with their logarithms below about this many.
const smallSplit = 16

// Split divides k items among three categories with probabilities pa, pb and 1-pa-pb,
// a Multinomial(k; pa, pb, 1-pa-pb) draw, and returns the first two counts.
func Split(rng *rand.Rand, k, pa, pb float64) (a, b float64) {
	if k <= smallSplit {
		cut := pa + pb
		for range int(k) {
			switch u := rng.Float64(); {
			case u < pa:
				a++
			case u < cut:
				b++
			}
		}
		return a, b
	}
	a = Binomial(rng, k, pa)
	if rest := k - a; rest > 0 && pb > 0 {
		b = Binomial(rng, rest, min(1, pb/(1-pa)))
	}
	return a, b
}

// Binomial draws from a Binomial(n, p) distribution; n is a non-negative whole number.
// An infinite n or a NaN argument gives n x p (infinite or NaN) without a draw, for the
// runaway guard to report: the rejection loop would never accept.
func Binomial(rng *rand.Rand, n, p float64) float64 {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	if !(n <= math.MaxFloat64) || p != p {
		return n * p
	}
	if p > 0.5 {
		return n - Binomial(rng, n, 1-p)
	}
	if n*p < gapLimit {
		return binomialGaps(rng, n, -fpmath.Log1p(-p))
	}
	return binomialBTRS(rng, n, p)
}

// binomialGaps counts successes among n trials by jumping from one success to the next:
// the number of failures before a success is floor(E/c) for E ~ Exp(1), geometric with
// success probability 1-exp(-c).
func binomialGaps(rng *rand.Rand, n, c float64) float64 {
	inv := 1 / c
	k := 0.0
	for pos := math.Floor(fpmath.ExpFloat64(rng)*inv) + 1; pos <= n; pos += math.Floor(fpmath.ExpFloat64(rng)*inv) + 1 {
		k++
	}
	return k
}

// binomialBTRS is Hörmann's transformed rejection with squeeze for n*p >= 10, p <= 0.5.
// W. Hörmann (1993), "The generation of binomial random variates", Journal of Statistical
// Computation and Simulation 46(1-2):101-110.
func binomialBTRS(rng *rand.Rand, n, p float64) float64 {
	spq := math.Sqrt(n * p * (1 - p))
	b := 1.15 + float64(2.53*spq)
	a := -0.0873 + float64(0.0248*b) + float64(0.01*p)
	c := float64(n*p) + 0.5
	vr := 0.92 - 4.2/b
	r := p / (1 - p)
	alpha := (2.83 + 5.1/b) * spq
	m := math.Floor((n + 1) * p)
	for {
		u := float64(rng.Float64()) - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor(float64((2*a/us+b)*u) + c)
		if k < 0 || k > n {
			continue
		}
		if us >= 0.07 && v <= vr {
			return k
		}
		v = fpmath.Log(v * alpha / (a/(us*us) + b))
		bound := float64((m+0.5)*fpmath.Log((m+1)/(r*(n-m+1)))) +
			float64((n+1)*fpmath.Log((n-m+1)/(n-k+1))) +
			float64((k+0.5)*fpmath.Log(r*(n-k+1)/(k+1))) +
			stirlingTail(m) + stirlingTail(n-m) - stirlingTail(k) - stirlingTail(n-k)
		if v <= bound {
			return k
		}
	}
}

// stirlingTailSmall holds log(k!) - [(k+1/2)log(k+1) - (k+1) + log(2pi)/2] for k < 10,
// where the asymptotic series below is not accurate enough.
var stirlingTailSmall = func() (t [10]float64) {
	for k := range t {
		x := float64(k)
		lg := fpmath.LgammaWhole(x + 1)
		t[k] = lg - (float64((x+0.5)*fpmath.Log(x+1)) - (x + 1) + float64(0.5*fpmath.Log(2*math.Pi)))
	}
	return t
}()

func stirlingTail(k float64) float64 {
	if k < 10 {
		return stirlingTailSmall[int(k)]
	}
	k1 := k + 1
	k1sq := k1 * k1
	return (1.0/12 - (1.0/360-1.0/1260/k1sq)/k1sq) / k1
}
