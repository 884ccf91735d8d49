// Package fpmath holds the elementary functions the model needs, written so that they
// give the same bits on every platform: Go's math package does not promise that. Its Exp
// is assembly on amd64 (with a fused multiply-add path chosen at run time on processors
// that have FMA) and on arm64, and Go elsewhere; its Log is assembly on amd64 and Go
// elsewhere; and its Go code may be compiled with fused multiply-adds (arm64, GOAMD64=v3,
// ppc64le, s390x, riscv64), which round differently. The functions here round every
// product explicitly (float64(x*y) + z, which the Go specification does not let the
// compiler fuse) and fuse only through math.FMA, which is exact everywhere. They
// reproduce, bit for bit, what the published outputs were computed with: Go's math on
// linux/amd64 at GOAMD64=v1 on a processor with FMA (tested against it).
//
// The algorithms and constants are Go's (src/math, BSD licence), themselves from FreeBSD's
// msun (e_log.c, s_expm1.c, s_log1p.c) and, for Exp, Go's exp_amd64.s.
package fpmath

import "math"

// Exp returns e**x, as Go's amd64 assembly does on a processor with FMA (exp_amd64.s,
// its avxfma path): x reduced by k ln 2 with fused multiply-adds, a degree-8 Taylor
// series of e**(r/16) by Horner's rule, squared four times, times 2**k.
func Exp(x float64) float64 {
	const (
		log2e    = 1.4426950408889634073599246810018920
		ln2U     = 0.69314718055966295651160180568695068359375           // upper half of ln 2
		ln2L     = 0.28235290563031577122588448175013436025525412068e-12 // lower half
		overflow = 7.09782712893384e+02
		// The Taylor coefficients 1/n! (n = 8 down to 3), then 1/2 and 1.
		c8, c7, c6, c5, c4, c3 = 2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1):
		return 0
	case x > overflow:
		return math.Inf(1)
	}
	// CVTSD2SL: round to nearest even; out of int32 range, the "integer indefinite"
	// 0x80000000.
	t := float64(log2e * x)
	k := int64(math.MinInt32)
	if r := math.RoundToEven(t); r >= math.MinInt32 && r <= math.MaxInt32 {
		k = int64(r)
	}
	fk := float64(k)
	r := math.FMA(-ln2U, fk, x)
	r = math.FMA(-ln2L, fk, r)
	r = float64(r * 0.0625)
	p := math.FMA(c8, r, c7)
	p = math.FMA(p, r, c6)
	p = math.FMA(p, r, c5)
	p = math.FMA(p, r, c4)
	p = math.FMA(p, r, c3)
	p = math.FMA(p, r, 0.5)
	p = math.FMA(p, r, 1)
	y := float64(r * p) // e**(r/16) - 1
	for range 3 {       // (1+y)**2 - 1 = y (y + 2)
		y = float64(y * float64(y+2))
	}
	y = math.FMA(y, float64(y+2), 1)
	// Times 2**k, in one step or, for a subnormal result, two.
	e := k + 0x3ff
	switch {
	case e >= 0x7ff:
		return math.Inf(1)
	case e > 0:
		return float64(y * math.Float64frombits(uint64(e)<<52))
	case e < -52:
		return 0
	}
	y = float64(y * math.Float64frombits(uint64(e+0x3fe)<<52))
	return float64(y * math.Float64frombits(1<<52))
}

// Log returns the natural logarithm of x, as Go's math.Log on amd64 (log_amd64.s, which
// is log.go's algorithm but for subnormal x).
func Log(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 /* 3fe62e42 fee00000 */
		ln2Lo = 1.90821492927058770002e-10 /* 3dea39ef 35793c76 */
		l1    = 6.666666666666735130e-01   /* 3FE55555 55555593 */
		l2    = 3.999999999940941908e-01   /* 3FD99999 9997FA04 */
		l3    = 2.857142874366239149e-01   /* 3FD24924 94229359 */
		l4    = 2.222219843214978396e-01   /* 3FCC71C5 1D8E78AF */
		l5    = 1.818357216161805012e-01   /* 3FC74664 96CB03DE */
		l6    = 1.531383769920937332e-01   /* 3FC39A09 D078C69F */
		l7    = 1.479819860511658591e-01   /* 3FC2F112 DF3E5244 */
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	// As log_amd64.s: the fraction and exponent from the bits (for a subnormal x, not
	// math.Frexp's; the assembly's, wrong by up to 35 there, is the reference), then
	// f1 in (sqrt(2)/2, sqrt(2)].
	bits := math.Float64bits(x)
	f1 := math.Float64frombits(bits&(1<<52-1) | 0x3fe0000000000000)
	ki := int(bits>>52&0x7ff) - 0x3fe
	if f1 <= math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	R := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + float64(k*ln2Lo))) - f)
}

// Log10 returns the decimal logarithm of x, as Go's math.Log10.
func Log10(x float64) float64 { return float64(Log(x) * (1 / math.Ln10)) }

// Expm1 returns e**x - 1, accurate for x near 0, as Go's math.Expm1 (expm1.go).
func Expm1(x float64) float64 {
	const (
		othreshold = 7.09782712893383973096e+02  // 0x40862E42FEFA39EF
		ln2X56     = 3.88162421113569373274e+01  // 0x4043687a9f1af2b1
		ln2HalfX3  = 1.03972077083991796413e+00  // 0x3ff0a2b23f3bab73
		ln2Half    = 3.46573590279972654709e-01  // 0x3fd62e42fefa39ef
		ln2Hi      = 6.93147180369123816490e-01  // 0x3fe62e42fee00000
		ln2Lo      = 1.90821492927058770002e-10  // 0x3dea39ef35793c76
		invLn2     = 1.44269504088896338700e+00  // 0x3ff71547652b82fe
		tiny       = 1.0 / (1 << 54)             // 2**-54 = 0x3c90000000000000
		q1         = -3.33333333333331316428e-02 // 0xBFA11111111110F4
		q2         = 1.58730158725481460165e-03  // 0x3F5A01A019FE5585
		q3         = -7.93650757867487942473e-05 // 0xBF14CE199EAADBB7
		q4         = 4.00821782732936239552e-06  // 0x3ED0CFCA86E65239
		q5         = -2.01099218183624371326e-07 // 0xBE8AFDB76E09C32D
	)
	switch {
	case math.IsInf(x, 1) || math.IsNaN(x):
		return x
	case math.IsInf(x, -1):
		return -1
	}
	absx := x
	sign := false
	if x < 0 {
		absx = -absx
		sign = true
	}
	if absx >= ln2X56 {
		if sign {
			return -1
		}
		if absx >= othreshold {
			return math.Inf(1)
		}
	}
	var c float64
	var k int
	if absx > ln2Half {
		var hi, lo float64
		if absx < ln2HalfX3 {
			if !sign {
				hi = x - ln2Hi
				lo = ln2Lo
				k = 1
			} else {
				hi = x + ln2Hi
				lo = -ln2Lo
				k = -1
			}
		} else {
			if !sign {
				k = int(float64(invLn2*x) + 0.5)
			} else {
				k = int(float64(invLn2*x) - 0.5)
			}
			t := float64(k)
			hi = x - float64(t*ln2Hi)
			lo = float64(t * ln2Lo)
		}
		x = hi - lo
		c = (hi - x) - lo
	} else if absx < tiny {
		return x
	} else {
		k = 0
	}
	hfx := float64(0.5 * x)
	hxs := float64(x * hfx)
	r1 := 1 + float64(hxs*(q1+float64(hxs*(q2+float64(hxs*(q3+float64(hxs*(q4+float64(hxs*q5)))))))))
	t := 3 - float64(r1*hfx)
	e := float64(hxs * ((r1 - t) / (6.0 - float64(x*t))))
	if k == 0 {
		return x - (float64(x*e) - hxs)
	}
	e = float64(x*(e-c)) - c
	e -= hxs
	switch {
	case k == -1:
		return float64(0.5*(x-e)) - 0.5
	case k == 1:
		if x < -0.25 {
			return float64(-2 * (e - (x + 0.5)))
		}
		return 1 + float64(2*(x-e))
	case k <= -2 || k > 56:
		y := 1 - (e - x)
		y = math.Float64frombits(math.Float64bits(y) + uint64(k)<<52)
		return y - 1
	}
	if k < 20 {
		t := math.Float64frombits(0x3ff0000000000000 - (0x20000000000000 >> uint(k)))
		y := t - (e - x)
		return math.Float64frombits(math.Float64bits(y) + uint64(k)<<52)
	}
	t = math.Float64frombits(uint64(0x3ff-k) << 52)
	y := x - (e + t)
	y++
	return math.Float64frombits(math.Float64bits(y) + uint64(k)<<52)
}

// Log1p returns the natural logarithm of 1+x, accurate for x near 0, as Go's math.Log1p
// (log1p.go).
func Log1p(x float64) float64 {
	const (
		sqrt2M1     = 4.142135623730950488017e-01  // Sqrt(2)-1 = 0x3fda827999fcef34
		sqrt2HalfM1 = -2.928932188134524755992e-01 // Sqrt(2)/2-1 = 0xbfd2bec333018866
		small       = 1.0 / (1 << 29)              // 2**-29 = 0x3e20000000000000
		tiny        = 1.0 / (1 << 54)              // 2**-54
		two53       = 1 << 53                      // 2**53
		ln2Hi       = 6.93147180369123816490e-01   // 3fe62e42fee00000
		ln2Lo       = 1.90821492927058770002e-10   // 3dea39ef35793c76
		lp1         = 6.666666666666735130e-01     // 3FE5555555555593
		lp2         = 3.999999999940941908e-01     // 3FD999999997FA04
		lp3         = 2.857142874366239149e-01     // 3FD2492494229359
		lp4         = 2.222219843214978396e-01     // 3FCC71C51D8E78AF
		lp5         = 1.818357216161805012e-01     // 3FC7466496CB03DE
		lp6         = 1.531383769920937332e-01     // 3FC39A09D078C69F
		lp7         = 1.479819860511658591e-01     // 3FC2F112DF3E5244
	)
	switch {
	case x < -1 || math.IsNaN(x):
		return math.NaN()
	case x == -1:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return math.Inf(1)
	}
	absx := math.Abs(x)
	var f float64
	var iu uint64
	k := 1
	if absx < sqrt2M1 {
		if absx < small {
			if absx < tiny {
				return x
			}
			return x - float64(float64(x*x)*0.5)
		}
		if x > sqrt2HalfM1 {
			k = 0
			f = x
			iu = 1
		}
	}
	var c float64
	if k != 0 {
		var u float64
		if absx < two53 {
			u = 1.0 + x
			iu = math.Float64bits(u)
			k = int((iu >> 52) - 1023)
			if k > 0 {
				c = 1.0 - (u - x)
			} else {
				c = x - (u - 1.0)
			}
			c /= u
		} else {
			u = x
			iu = math.Float64bits(u)
			k = int((iu >> 52) - 1023)
			c = 0
		}
		iu &= 0x000fffffffffffff
		if iu < 0x0006a09e667f3bcd {
			u = math.Float64frombits(iu | 0x3ff0000000000000)
		} else {
			k++
			u = math.Float64frombits(iu | 0x3fe0000000000000)
			iu = (0x0010000000000000 - iu) >> 2
		}
		f = u - 1.0
	}
	hfsq := float64(float64(0.5*f) * f)
	var s, R, z float64
	fk := float64(k)
	if iu == 0 {
		if f == 0 {
			if k == 0 {
				return 0
			}
			c += float64(fk * ln2Lo)
			return float64(fk*ln2Hi) + c
		}
		R = float64(hfsq * (1.0 - float64(0.66666666666666666*f)))
		if k == 0 {
			return f - R
		}
		return float64(fk*ln2Hi) - ((R - (float64(fk*ln2Lo) + c)) - f)
	}
	s = f / (2.0 + f)
	z = float64(s * s)
	R = float64(z * (lp1 + float64(z*(lp2+float64(z*(lp3+float64(z*(lp4+float64(z*(lp5+float64(z*(lp6+float64(z*lp7)))))))))))))
	if k == 0 {
		return f - (hfsq - float64(s*(hfsq+R)))
	}
	return float64(fk*ln2Hi) - ((hfsq - (float64(s*(hfsq+R)) + (float64(fk*ln2Lo) + c))) - f)
}

// LgammaWhole returns log Γ(n) = log (n-1)! for a whole number n >= 1, as Go's
// math.Lgamma gives it (lgamma.go's branches for such n: 0 for 1 and 2, the log of the
// product below 8, Stirling's series from 8); for any other n it returns NaN.
func LgammaWhole(n float64) float64 {
	const (
		two58 = 1 << 58
		w0    = 4.18938533204672725052e-01  // 0x3FDACFE390C97D69
		w1    = 8.33333333333329678849e-02  // 0x3FB555555555553B
		w2    = -2.77777777728775536470e-03 // 0xBF66C16C16B02E5C
		w3    = 7.93650558643019558500e-04  // 0x3F4A019F98CF38B6
		w4    = -5.95187557450339963135e-04 // 0xBF4380CB8C0FE741
		w5    = 8.36339918996282139126e-04  // 0x3F4B67BA4CDAD5D1
		w6    = -1.63092934096575273989e-03 // 0xBF5AB89D0B9E43E4
	)
	switch {
	case !(n >= 1) || n != math.Floor(n):
		return math.NaN()
	case math.IsInf(n, 1):
		return n
	case n <= 2:
		return 0
	case n < 8: // lgamma.go: 0.5*y + p/q is +0 for y = 0, then Log((n-1)!)
		z := 1.0
		for k := 2.0; k < n; k++ {
			z *= k
		}
		return Log(z)
	case n < two58:
		t := Log(n)
		z := 1 / n
		y := float64(z * z)
		w := w0 + float64(z*(w1+float64(y*(w2+float64(y*(w3+float64(y*(w4+float64(y*(w5+float64(y*w6)))))))))))
		return float64((n-0.5)*(t-1)) + w
	}
	return float64(n * (Log(n) - 1))
}
