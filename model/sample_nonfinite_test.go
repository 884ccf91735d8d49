package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// boundedSource is a random source that panics after limit draws: a work bound that
// tells a sampler that would loop forever from a slow one without reading a clock.
type boundedSource struct {
	src   rand.Source
	draws int
	limit int
}

type tooManyDraws struct{ draws int }

func (b *boundedSource) Uint64() uint64 {
	if b.draws++; b.draws > b.limit {
		panic(tooManyDraws{b.draws})
	}
	return b.src.Uint64()
}

// A sampler given a NaN or infinite argument returns at once, a non-finite value that
// the runaway guard then reports, rather than looping for ever: Poisson(NaN) and
// Binomial(Inf, p) used to reject every candidate of their rejection loops.
func TestSamplersGivenNonFiniteValuesReturn(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name string
		draw func(*rand.Rand) float64
	}{
		{"Poisson(NaN)", func(r *rand.Rand) float64 { return Poisson(r, nan) }},
		{"Poisson(+Inf)", func(r *rand.Rand) float64 { return Poisson(r, inf) }},
		{"Binomial(+Inf, 0.3)", func(r *rand.Rand) float64 { return Binomial(r, inf, 0.3) }},
		{"Binomial(+Inf, 1e-300)", func(r *rand.Rand) float64 { return Binomial(r, inf, 1e-300) }},
		{"Binomial(NaN, 0.3)", func(r *rand.Rand) float64 { return Binomial(r, nan, 0.3) }},
		{"Binomial(1e6, NaN)", func(r *rand.Rand) float64 { return Binomial(r, 1e6, nan) }},
		{"BinomialHazard(+Inf, 0.2)", func(r *rand.Rand) float64 { return BinomialHazard(r, inf, 0.2) }},
		{"BinomialHazard(NaN, 0.2)", func(r *rand.Rand) float64 { return BinomialHazard(r, nan, 0.2) }},
		{"BinomialHazard(1e6, NaN)", func(r *rand.Rand) float64 { return BinomialHazard(r, 1e6, nan) }},
		{"Split(+Inf)", func(r *rand.Rand) float64 { a, b := Split(r, inf, 0.3, 0.3); return a + b }},
		{"Split(NaN)", func(r *rand.Rand) float64 { a, b := Split(r, nan, 0.3, 0.3); return a + b }},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := &boundedSource{src: rand.NewPCG(1, 2), limit: 100_000}
			func() {
				defer func() {
					if r := recover(); r != nil {
						if _, ok := r.(tooManyDraws); !ok {
							panic(r)
						}
						t.Fatalf("%s drew more than %d random numbers without returning", c.name, src.limit)
					}
				}()
				for range 100 {
					got := c.draw(rand.New(src))
					if !math.IsNaN(got) && !math.IsInf(got, 0) {
						t.Fatalf("%s = %v, want a value that is not finite, for the guard to report", c.name, got)
					}
				}
			}()
		})
	}
}
