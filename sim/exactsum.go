package sim

import (
	"math"
	"math/big"
)

// exactSum is the exact sum of float64 values: a fixed-point number in units of 2^-1074
// (the smallest subnormal, so every finite float64 is a whole number of units), held as
// base-2^32 digits in int64 chunks (Kulisch's long accumulator; the chunked, carry-later
// layout follows Neal, "Fast exact summation using small and large superaccumulators",
// arXiv:1505.05571). Integer addition is associative, so the sum does not depend on the
// order of the values: the statistics of a run are the same bytes whether its replicates
// were folded in one pass, resumed from a checkpoint or merged from shards.
//
// A value adds its 53-bit significand, split into three 32-bit pieces, to three chunks;
// carries are left in the chunks' upper 31 bits and only propagated by normalize. A
// chunk absorbs 2^31 additions before it could overflow, far more than MaxReplicates
// values (two per replicate for a sum of squares).
type exactSum [sumChunks]int64

const (
	sumChunks    = 68   // 68 x 32 = 2176 bits: the float64 range (2098 bits) and 2^63 of headroom
	sumUnitShift = 1074 // the value of chunk 0's lowest bit is 2^-sumUnitShift
)

// add adds x exactly; x must be finite.
func (s *exactSum) add(x float64) {
	b := math.Float64bits(x)
	exp := int(b>>52) & 0x7ff
	mant := int64(b & (1<<52 - 1))
	if exp == 0 { // subnormal or zero: units of 2^-1074 already
		exp = 1
	} else {
		mant |= 1 << 52
	}
	if b>>63 != 0 {
		mant = -mant
	}
	pos := exp - 1 // bit position of the significand's lowest bit, in units of 2^-1074
	k, shift := pos>>5, uint(pos&31)
	// mant << shift spans up to 85 bits: three base-2^32 digits, the lower two in
	// [0, 2^32) and the top one signed (arithmetic shifts are floor divisions).
	s[k] += (mant << shift) & 0xffffffff // the low 32 bits are right even if the shift overflows
	hi := mant >> (32 - shift)
	s[k+1] += hi & 0xffffffff
	s[k+2] += hi >> 32
}

// merge adds another sum into s.
func (s *exactSum) merge(o *exactSum) {
	for i := range s {
		s[i] += o[i]
	}
}

// normalize propagates carries so that every chunk but the top one holds a digit in
// [0, 2^32): the canonical form, the same for equal sums whatever the order of addition.
func (s *exactSum) normalize() {
	for i := 0; i < sumChunks-1; i++ {
		c := s[i] >> 32 // floor division by 2^32
		s[i] -= c << 32
		s[i+1] += c
	}
}

// int returns the sum in units of 2^-sumUnitShift.
func (s *exactSum) int() *big.Int {
	n := *s
	n.normalize()
	top := sumChunks - 1
	for top > 0 && n[top] == 0 {
		top--
	}
	v := big.NewInt(n[top])
	digit := new(big.Int)
	for i := top - 1; i >= 0; i-- {
		v.Lsh(v, 32)
		v.Add(v, digit.SetInt64(n[i]))
	}
	return v
}

// exactMoments returns the mean and sample variance of n values with exact sum sum and
// exact sum of squares sumsq, each rounded once to the nearest float64: the same numbers
// whatever order the values came in.
func exactMoments(n int, sum, sumsq *exactSum) (mean, variance float64) {
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	s1 := sum.int()
	mean = quotient(s1, sumUnitShift, big.NewInt(int64(n)))
	if n == 1 {
		return mean, 0
	}
	// variance = (n S2 - S1^2) / (n (n-1)); with S1 = s1 2^-u and S2 = s2 2^-u, the
	// numerator is (n s2 2^u - s1^2) 2^-2u, a whole number of units of 2^-2u.
	nb := big.NewInt(int64(n))
	num := new(big.Int).Mul(sumsq.int(), nb)
	num.Lsh(num, sumUnitShift)
	num.Sub(num, new(big.Int).Mul(s1, s1))
	if num.Sign() < 0 { // impossible for exact sums of squares; kept for safety
		num.SetInt64(0)
	}
	den := new(big.Int).Mul(nb, big.NewInt(int64(n-1)))
	return mean, quotient(num, 2*sumUnitShift, den)
}

// quotient returns num 2^-shift / den rounded to the nearest float64.
func quotient(num *big.Int, shift int, den *big.Int) float64 {
	if num.Sign() == 0 {
		return 0
	}
	x := new(big.Float).SetInt(num)
	x.SetMantExp(x, -shift)
	q := new(big.Float).SetPrec(53).SetMode(big.ToNearestEven)
	q.Quo(x, new(big.Float).SetInt(den))
	f, _ := q.Float64()
	return f
}
