package fpmath

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/cpu"
)

var update = flag.Bool("update", false, "rewrite testdata/reference.txt from Go's math (linux/amd64 with FMA only)")

type function struct {
	name string
	ours func(float64) float64
	gos  func(float64) float64
	// inputs draws n arguments: across the function's whole domain and where it is
	// delicate.
	inputs func(rng *rand.Rand, n int) []float64
}

// anyMagnitude is a float64 of any sign, exponent and mantissa (subnormals included).
func anyMagnitude(rng *rand.Rand) float64 {
	for {
		if x := math.Float64frombits(rng.Uint64()); !math.IsNaN(x) && !math.IsInf(x, 0) {
			return x
		}
	}
}

func uniform(lo, hi float64) func(*rand.Rand) float64 {
	return func(rng *rand.Rand) float64 { return lo + rng.Float64()*(hi-lo) }
}

func draw(specials []float64, gens ...func(*rand.Rand) float64) func(*rand.Rand, int) []float64 {
	return func(rng *rand.Rand, n int) []float64 {
		xs := append([]float64(nil), specials...)
		for i := 0; len(xs) < n; i++ {
			xs = append(xs, gens[i%len(gens)](rng))
		}
		return xs
	}
}

var specials = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 2, math.Inf(1), math.Inf(-1), math.NaN(),
	math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.4, -740, 1e-300, 1 - 0x1p-53, 1 + 0x1p-52}

// lgammaWhole is math.Lgamma's value without its sign.
func lgammaWhole(x float64) float64 { lg, _ := math.Lgamma(x); return lg }

func whole(lo, hi float64) func(*rand.Rand) float64 {
	return func(rng *rand.Rand) float64 { return math.Floor(lo + rng.Float64()*(hi-lo)) }
}

var functions = []function{
	{"LgammaWhole", LgammaWhole, lgammaWhole, draw([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1 << 58, 1<<58 + 1024, math.Inf(1)}, whole(1, 100), whole(1, 1e6), whole(1, 1e12), whole(1, 1e20))},
	{"Exp", Exp, math.Exp, draw(specials, uniform(-750, 710), uniform(-1, 1), uniform(-40, 40), uniform(-1e-8, 1e-8), anyMagnitude)},
	{"Log", Log, math.Log, draw(specials, func(r *rand.Rand) float64 { return math.Abs(anyMagnitude(r)) }, uniform(0, 1000), uniform(0.5, 2), uniform(1-1e-6, 1+1e-6))},
	{"Log10", Log10, math.Log10, draw(specials, func(r *rand.Rand) float64 { return math.Abs(anyMagnitude(r)) }, uniform(0, 1e6))},
	{"Expm1", Expm1, math.Expm1, draw(specials, uniform(-50, 710), uniform(-1.1, 1.1), uniform(-1e-9, 1e-9), uniform(-40, 40), anyMagnitude)},
	{"Log1p", Log1p, math.Log1p, draw(specials, uniform(-1, 1), uniform(-1e-9, 1e-9), uniform(0, 1e6), func(r *rand.Rand) float64 { return math.Abs(anyMagnitude(r)) })},
}

func same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// On linux/amd64 with FMA, where the published outputs were computed, every function
// gives Go's math's bits: the second method is Go's own code (assembly for Exp and Log).
func TestSameBitsAsGoOnAmd64WithFMA(t *testing.T) {
	if runtime.GOARCH != "amd64" || !(cpu.X86.HasAVX && cpu.X86.HasFMA) || stdlibFused {
		t.Skip("Go's math is the reference only on amd64 with FMA (its Exp takes another path without) at GOAMD64 below v3 (which fuses its Go code)")
	}
	rng := rand.New(rand.NewPCG(17, 2026))
	for _, f := range functions {
		differ := 0
		for _, x := range f.inputs(rng, 200_000) {
			if got, want := f.ours(x), f.gos(x); !same(got, want) {
				if differ++; differ <= 5 {
					t.Errorf("%s(%v) = %v (%#x), Go's math %v (%#x)", f.name, x, got, math.Float64bits(got), want, math.Float64bits(want))
				}
			}
		}
		if differ > 0 {
			t.Errorf("%s: %d of 200,000 differ", f.name, differ)
		}
	}
}

// On every platform the functions give the bits that Go's math gives on linux/amd64 with
// FMA, recorded in testdata/reference.txt (go test -update there rewrites it).
func TestSameBitsOnEveryPlatform(t *testing.T) {
	const path = "testdata/reference.txt"
	if *update {
		if runtime.GOARCH != "amd64" || !(cpu.X86.HasAVX && cpu.X86.HasFMA) || stdlibFused {
			t.Fatal("-update needs amd64 with FMA, below GOAMD64=v3")
		}
		var b strings.Builder
		b.WriteString("# function argument result, as float64 bits: Go's math on linux/amd64 with FMA\n")
		rng := rand.New(rand.NewPCG(5, 2026))
		for _, f := range functions {
			for _, x := range f.inputs(rng, 2000) {
				fmt.Fprintf(&b, "%s %016x %016x\n", f.name, math.Float64bits(x), math.Float64bits(f.gos(x)))
			}
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	byName := map[string]func(float64) float64{}
	for _, f := range functions {
		byName[f.name] = f.ours
	}
	lines := bufio.NewScanner(file)
	checked := 0
	for n := 1; lines.Scan(); n++ {
		fields := strings.Fields(lines.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		f := byName[fields[0]]
		xb, err1 := strconv.ParseUint(fields[1], 16, 64)
		yb, err2 := strconv.ParseUint(fields[2], 16, 64)
		if f == nil || err1 != nil || err2 != nil {
			t.Fatalf("%s:%d: bad line %q", path, n, lines.Text())
		}
		x, want := math.Float64frombits(xb), math.Float64frombits(yb)
		if got := f(x); !same(got, want) {
			t.Errorf("%s:%d: %s(%v) = %v (%#x), recorded %v (%#x)", path, n, fields[0], x, got, math.Float64bits(got), want, yb)
		}
		checked++
	}
	if checked < len(functions)*2000 {
		t.Errorf("%s holds %d values, want %d", path, checked, len(functions)*2000)
	}
}

// ExpFloat64 draws what math/rand/v2's does from the same generator, on linux/amd64 with
// FMA below GOAMD64=v3 (where the published outputs were made).
func TestExpFloat64IsRandsOnAmd64WithFMA(t *testing.T) {
	if runtime.GOARCH != "amd64" || !(cpu.X86.HasAVX && cpu.X86.HasFMA) || stdlibFused {
		t.Skip("math/rand/v2 is the reference only on amd64 with FMA below GOAMD64=v3")
	}
	ours, theirs := rand.New(rand.NewPCG(9, 2026)), rand.New(rand.NewPCG(9, 2026))
	for i := range 1_000_000 {
		if got, want := ExpFloat64(ours), theirs.ExpFloat64(); !same(got, want) {
			t.Fatalf("draw %d: %v, math/rand/v2 %v", i, got, want)
		}
	}
}
