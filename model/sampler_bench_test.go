package model

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSamplers times each sampling method across means: the measurements behind
// gapLimit (where transformed rejection overtakes exponential gaps, near a mean of 10).
func BenchmarkSamplers(b *testing.B) {
	for _, mean := range []float64{0.3, 1, 2, 4, 7, 10, 30} {
		b.Run(fmt.Sprintf("poissonGaps/%g", mean), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			s := 0.0
			for b.Loop() {
				k := 0.0
				for t := rng.ExpFloat64(); t < mean; t += rng.ExpFloat64() {
					k++
				}
				s += k
			}
		})
		if mean >= 1 {
			b.Run(fmt.Sprintf("poissonPTRS/%g", mean), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				s := 0.0
				for b.Loop() {
					s += poissonPTRS(rng, mean)
				}
			})
			b.Run(fmt.Sprintf("binomialBTRS/%g", mean), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				s := 0.0
				for b.Loop() {
					s += binomialBTRS(rng, mean/0.003, 0.003)
				}
			})
		}
		b.Run(fmt.Sprintf("binomialGaps/%g", mean), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			s := 0.0
			for b.Loop() {
				s += binomialGaps(rng, mean/0.003, 0.003)
			}
		})
	}
}
