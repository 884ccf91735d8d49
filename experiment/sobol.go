package experiment

import "math"

// Joe and Kuo's direction numbers for Sobol sequences (new-joe-kuo-6.21201, from S. Joe
// and F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional projections",
// SIAM J. Sci. Comput. 30, 2635-2654, 2008): for dimensions 2 to 21, the degree s of the
// primitive polynomial, its coefficients a and the initial direction numbers m_1..m_s.
// Dimension 1 is the van der Corput sequence.
var joeKuo = []struct {
	s, a uint32
	m    []uint32
}{
	{1, 0, []uint32{1}},
	{2, 1, []uint32{1, 3}},
	{3, 1, []uint32{1, 3, 1}},
	{3, 2, []uint32{1, 1, 1}},
	{4, 1, []uint32{1, 1, 3, 3}},
	{4, 4, []uint32{1, 3, 5, 13}},
	{5, 2, []uint32{1, 1, 5, 5, 17}},
	{5, 4, []uint32{1, 1, 5, 5, 5}},
	{5, 7, []uint32{1, 1, 7, 11, 19}},
	{5, 11, []uint32{1, 1, 5, 1, 1}},
	{5, 13, []uint32{1, 1, 1, 3, 11}},
	{5, 14, []uint32{1, 3, 5, 5, 31}},
	{6, 1, []uint32{1, 3, 3, 9, 7, 49}},
	{6, 13, []uint32{1, 1, 1, 15, 21, 21}},
	{6, 16, []uint32{1, 3, 1, 13, 27, 49}},
	{6, 19, []uint32{1, 1, 1, 15, 7, 5}},
	{6, 22, []uint32{1, 3, 1, 15, 13, 25}},
	{6, 25, []uint32{1, 1, 5, 5, 19, 61}},
	{7, 1, []uint32{1, 3, 7, 11, 23, 15, 103}},
	{7, 4, []uint32{1, 3, 7, 13, 13, 15, 69}},
}

// MaxSobolDims is the number of dimensions the direction numbers above give.
var MaxSobolDims = len(joeKuo) + 1

const sobolBits = 32

// sobolDirections returns the direction numbers v[j] (scaled by 2^32) of dimension d
// (0-based), as in Joe and Kuo's generator.
func sobolDirections(d int) [sobolBits]uint32 {
	var v [sobolBits]uint32
	if d == 0 {
		for i := range v {
			v[i] = 1 << (sobolBits - 1 - i)
		}
		return v
	}
	jk := joeKuo[d-1]
	s := int(jk.s)
	for i := 0; i < sobolBits; i++ {
		if i < s {
			v[i] = jk.m[i] << (sobolBits - 1 - i)
			continue
		}
		v[i] = v[i-s] ^ (v[i-s] >> s)
		for k := 1; k < s; k++ {
			v[i] ^= ((jk.a >> (s - 1 - k)) & 1) * v[i-k]
		}
	}
	return v
}

// sobolPoints returns the first n points of the dims-dimensional Sobol sequence in Gray
// code order, starting with the point 0 (Antonov and Saleev's construction, as Joe and
// Kuo's generator).
func sobolPoints(n, dims int) [][]float64 {
	dirs := make([][sobolBits]uint32, dims)
	for d := range dirs {
		dirs[d] = sobolDirections(d)
	}
	x := make([]uint32, dims)
	out := make([][]float64, n)
	for i := range n {
		row := make([]float64, dims)
		for d := range dims {
			row[d] = float64(x[d]) / math.Exp2(sobolBits)
		}
		out[i] = row
		c := 0 // the index of the rightmost zero bit of i
		for v := i; v&1 == 1; v >>= 1 {
			c++
		}
		for d := range dims {
			x[d] ^= dirs[d][c]
		}
	}
	return out
}

// saltelli lays out Saltelli's scheme for first- and total-order Sobol indices (Saltelli
// et al., "Variance based sensitivity analysis of model output", Comput. Phys. Commun.
// 181, 259-270, 2010; the layout SALib's saltelli.sample writes without second-order
// indices): from n points of a 2k-dimensional Sobol sequence (the point 0 skipped), A is
// the first k columns and B the last k; each base point gives the rows A, AB_1, ..., AB_k
// (A with column i from B) and B: n(k+2) rows in all.
func saltelli(n, k int) [][]float64 {
	base := sobolPoints(n+1, 2*k)[1:]
	out := make([][]float64, 0, n*(k+2))
	for _, p := range base {
		a, b := p[:k], p[k:]
		out = append(out, append([]float64(nil), a...))
		for i := range k {
			ab := append([]float64(nil), a...)
			ab[i] = b[i]
			out = append(out, ab)
		}
		out = append(out, append([]float64(nil), b...))
	}
	return out
}
