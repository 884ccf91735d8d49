package ensemble

import (
	"math"
	"math/big"
)

// ExactSum is the exact sum of float64 values: a fixed-point number in units of 2^-1074
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
//
// The values an accumulator of the statistics sums (one metric in one week, across
// replicates) have similar magnitudes, so their chunks are a few adjacent ones of the 68:
// an accumulator keeps only a window of sumWindow chunks, moved to wherever the values
// fall, and takes the whole array only for values that do not fit in it together. The
// window's chunks are the whole array's, at an offset: the sum, its carries and its
// canonical form are the same. (An ensemble holds one sum and one sum of squares per week
// and metric, tens of thousands; at 1,088 bytes a pair, folding a replicate walked
// megabytes of them, at 160 bytes they stay in cache.)
type exactSum struct {
	lo   int32             // the whole array's index of w[0]
	used bool              // w holds something (else lo is unset)
	w    [sumWindow]int64  // chunks lo .. lo+sumWindow-1
	all  *[sumChunks]int64 // once set, every chunk (w and lo are unused)
}

const (
	sumChunks    = 68   // 68 x 32 = 2176 bits: the float64 range (2098 bits) and 2^63 of headroom
	sumUnitShift = 1074 // the value of chunk 0's lowest bit is 2^-sumUnitShift
	// sumWindow is the chunks a window holds: 256 bits, values spanning ~2^150 of
	// magnitude (a value touches three chunks), or a sum of squares and its rounding
	// errors over values spanning ~2^40.
	sumWindow = 8
)

// add adds x exactly; x must be finite.
func (s *exactSum) add(x float64) {
	if x == 0 {
		return // adds nothing (and would pin the window at the bottom)
	}
	b := math.Float64bits(x)
	exp := int(b>>52) & 0x7ff
	mant := int64(b & (1<<52 - 1))
	if exp == 0 { // subnormal: units of 2^-1074 already
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
	lo := (mant << shift) & 0xffffffff // the low 32 bits are right even if the shift overflows
	hi := mant >> (32 - shift)
	c := s.chunks(k, 3)
	c[0] += lo
	c[1] += hi & 0xffffffff
	c[2] += hi >> 32
}

// chunks returns the chunks k .. k+n-1 (n <= sumWindow), moving the window or leaving it
// for the whole array when they are not in it.
func (s *exactSum) chunks(k, n int) []int64 {
	if s.all != nil {
		return s.all[k : k+n]
	}
	if !s.used {
		// Room on both sides: later values may be larger or smaller.
		s.used, s.lo = true, int32(min(max(k-(sumWindow-n)/2, 0), sumChunks-sumWindow))
	}
	i := k - int(s.lo)
	if i < 0 || i+n > sumWindow {
		// Move the window if what it holds and the new chunks fit in one.
		first, last := k, k+n-1
		for j, c := range s.w {
			if c != 0 {
				first, last = min(first, int(s.lo)+j), max(last, int(s.lo)+j)
			}
		}
		if last-first >= sumWindow {
			s.spill()
			return s.all[k : k+n]
		}
		s.move(int32(min(max(first-(sumWindow-(last-first+1))/2, 0), sumChunks-sumWindow)))
		i = k - int(s.lo)
	}
	return s.w[i : i+n]
}

// move sets the window to start at chunk lo; the chunks it holds must fit there.
func (s *exactSum) move(lo int32) {
	var w [sumWindow]int64
	for j, c := range s.w {
		if c != 0 {
			w[int(s.lo)+j-int(lo)] = c
		}
	}
	s.w, s.lo = w, lo
}

// spill moves the window into the whole array.
func (s *exactSum) spill() {
	s.all = new([sumChunks]int64)
	if s.used {
		copy(s.all[s.lo:], s.w[:])
	}
	s.w, s.lo, s.used = [sumWindow]int64{}, 0, false
}

// merge adds another sum into s.
func (s *exactSum) merge(o *exactSum) {
	switch {
	case o.all != nil:
		if s.all == nil {
			s.spill()
		}
		for i, c := range o.all {
			s.all[i] += c
		}
	case o.used:
		for j, c := range o.w {
			if c != 0 {
				s.chunks(int(o.lo)+j, 1)[0] += c
			}
		}
	}
}

// whole returns every chunk of the sum, as added (not normalized).
func (s *exactSum) whole() (n [sumChunks]int64) {
	if s.all != nil {
		return *s.all
	}
	if s.used {
		copy(n[s.lo:], s.w[:])
	}
	return n
}

// setWhole sets the sum to the chunks n, keeping a window when they fit in one.
func (s *exactSum) setWhole(n *[sumChunks]int64) {
	*s = exactSum{}
	first, last := sumChunks, -1
	for i, c := range n {
		if c != 0 {
			first, last = min(first, i), max(last, i)
		}
	}
	switch {
	case last < first:
	case last-first < sumWindow:
		s.used, s.lo = true, int32(min(first, sumChunks-sumWindow))
		copy(s.w[:], n[s.lo:])
	default:
		s.all = new([sumChunks]int64)
		*s.all = *n
	}
}

// normalize propagates carries in n so that every chunk but the top one holds a digit in
// [0, 2^32): the canonical form, the same for equal sums whatever the order of addition.
func normalize(n *[sumChunks]int64) {
	for i := 0; i < sumChunks-1; i++ {
		c := n[i] >> 32 // floor division by 2^32
		n[i] -= c << 32
		n[i+1] += c
	}
}

// canonical returns the sum's chunks in canonical form (normalize).
func (s *exactSum) canonical() [sumChunks]int64 {
	n := s.whole()
	normalize(&n)
	return n
}

// int returns the sum in units of 2^-sumUnitShift.
func (s *exactSum) int() *big.Int {
	n := s.canonical()
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

// ExactMoments returns the mean and sample variance of n values with exact sum sum and
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
