package sensitivity

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// withNaN inserts, before the groups listed, a group of size values with one NaN: a
// point whose world ran away.
func withNaN(y []float64, size int, before []int) []float64 {
	var out []float64
	for j := 0; j*size <= len(y); j++ {
		if slices.Contains(before, j) {
			bad := make([]float64, size)
			bad[size/2] = math.NaN()
			out = append(out, bad...)
		}
		if j*size < len(y) {
			out = append(out, y[j*size:(j+1)*size]...)
		}
	}
	return out
}

// A block with a runaway point is set aside whole: the indices and their bootstrap
// intervals are those of the design without it (a second computation over the complete
// blocks alone), and SetAside counts it.
func TestSobolSetsAsideNaNBlocks(t *testing.T) {
	const n, k = 300, 3
	rng := rand.New(rand.NewPCG(5, 6))
	y := make([]float64, n*(k+2))
	for i := range y {
		y[i] = rng.NormFloat64() + float64(i%(k+2))
	}
	want, err := Sobol(y, k, 200, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Sobol(withNaN(y, k+2, []int{0, 150, n}), k, 200, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got.SetAside != 3 {
		t.Errorf("SetAside %d, want the 3 blocks with a NaN", got.SetAside)
	}
	got.SetAside = 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with NaN blocks set aside %+v, want the indices without them %+v", got, want)
	}
	if _, err := Sobol(withNaN(nil, k+2, []int{0}), k, 10, rng); err != ErrAllSetAside {
		t.Errorf("every block NaN: %v, want ErrAllSetAside", err)
	}
}

// A Morris trajectory with a runaway point is set aside whole, in the same way.
func TestMorrisSetsAsideNaNTrajectories(t *testing.T) {
	const r, k, delta = 40, 2, 2.0 / 3
	rng := rand.New(rand.NewPCG(7, 8))
	var x [][]float64
	var y []float64
	for range r {
		p := []float64{float64(rng.IntN(2)) / 3, float64(rng.IntN(2)) / 3}
		for s := range k + 1 {
			if s > 0 {
				p = slices.Clone(p)
				p[s-1] += delta
			}
			x = append(x, p)
			y = append(y, 3*p[0]+p[0]*p[1]+0.1*rng.NormFloat64())
		}
	}
	want, err := Morris(x, y, k, delta, 100, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	// The NaN trajectories repeat the first one's points, with a NaN output.
	before := []int{3, r}
	var x2 [][]float64
	for j := 0; j <= r; j++ {
		if slices.Contains(before, j) {
			x2 = append(x2, x[:k+1]...)
		}
		if j < r {
			x2 = append(x2, x[j*(k+1):(j+1)*(k+1)]...)
		}
	}
	got, err := Morris(x2, withNaN(y, k+1, before), k, delta, 100, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if got.SetAside != 2 {
		t.Errorf("SetAside %d, want 2", got.SetAside)
	}
	got.SetAside = 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with NaN trajectories set aside %+v, want %+v", got, want)
	}
}

// NoiseShare leaves out the points whose mean is NaN.
func TestNoiseShareSetsAsideNaN(t *testing.T) {
	means, noise := []float64{1, 4, 2, 7}, []float64{0.5, 0.1, 0.2, 0.3}
	want := NoiseShare(means, noise)
	if got := NoiseShare([]float64{1, math.NaN(), 4, 2, 7}, []float64{0.5, math.NaN(), 0.1, 0.2, 0.3}); got != want {
		t.Errorf("NoiseShare with a NaN point %v, want %v", got, want)
	}
}
