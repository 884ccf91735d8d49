package experiment

import (
	"math"
	"slices"
	"testing"
)

// Each of n strata of [0, 1) in every dimension holds exactly one point.
func TestLatinHypercubeOnePointPerStratum(t *testing.T) {
	const n, k = 37, 4
	pts := latinHypercube(n, k, designRNG(5))
	if len(pts) != n {
		t.Fatalf("%d points, want %d", len(pts), n)
	}
	for d := range k {
		seen := make([]int, n)
		for _, p := range pts {
			if p[d] < 0 || p[d] >= 1 {
				t.Fatalf("dimension %d: %v outside [0, 1)", d, p[d])
			}
			seen[int(p[d]*n)]++
		}
		for s, c := range seen {
			if c != 1 {
				t.Errorf("dimension %d, stratum %d: %d points, want 1", d, s, c)
			}
		}
	}
	if !slices.EqualFunc(pts, latinHypercube(n, k, designRNG(5)), slices.Equal) {
		t.Error("the same seed gave different points")
	}
}

// A grid enumerates every combination, the last factor fastest.
func TestGridEnumeratesTheProduct(t *testing.T) {
	d := &Design{Levels: 3, Factors: []Factor{{Lo: 0, Hi: 10}, {Levels: []float64{7, 8}}, {Lo: 1, Hi: 100, Log: true}}}
	g := d.grid()
	if len(g) != 3*2*3 {
		t.Fatalf("%d points, want 18", len(g))
	}
	seen := map[[3]float64]bool{}
	for _, p := range g {
		seen[[3]float64(p)] = true
	}
	if len(seen) != 18 {
		t.Errorf("%d distinct points, want 18", len(seen))
	}
	// Hand-computed: 0, 5, 10; 7, 8; and 1, 10, 100 (evenly spaced in the logarithm).
	if want := []float64{0, 7, 1}; !near(g[0], want) {
		t.Errorf("first point %v, want %v", g[0], want)
	}
	if want := []float64{0, 7, 10}; !near(g[1], want) {
		t.Errorf("second point %v, want %v", g[1], want)
	}
	if want := []float64{10, 8, 100}; !near(g[17], want) {
		t.Errorf("last point %v, want %v", g[17], want)
	}
}

func near(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-12*max(1, math.Abs(y)) })
}

// The first points of the 2-D Sobol sequence with Joe and Kuo's direction numbers, as
// their generator prints them (point 0 first).
func TestSobolMatchesPublishedPoints(t *testing.T) {
	want := [][]float64{{0, 0}, {0.5, 0.5}, {0.75, 0.25}, {0.25, 0.75}, {0.375, 0.375}, {0.875, 0.875},
		{0.625, 0.125}, {0.125, 0.625}, {0.1875, 0.3125}}
	got := sobolPoints(len(want), 2)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("point %d: %v, want %v", i, got[i], want[i])
		}
	}
	// Every dimension of the table is a (0, m, 1)-sequence in one dimension: the first 2^m
	// points put one point in each interval [j/2^m, (j+1)/2^m).
	pts := sobolPoints(64, MaxSobolDims)
	for d := range MaxSobolDims {
		seen := make([]bool, 64)
		for _, p := range pts {
			seen[int(p[d]*64)] = true
		}
		if slices.Contains(seen, false) {
			t.Errorf("dimension %d: the first 64 points miss an interval of width 1/64", d)
		}
	}
}

// Saltelli's layout: N(k+2) rows, per base point A, AB_1..AB_k, B, AB_i equal to A but in
// column i, where it is B's.
func TestSaltelliLayout(t *testing.T) {
	const n, k = 8, 3
	rows := saltelli(n, k)
	if len(rows) != n*(k+2) {
		t.Fatalf("%d rows, want N(k+2) = %d", len(rows), n*(k+2))
	}
	base := sobolPoints(n+1, 2*k)
	for j := range n {
		block := rows[j*(k+2) : (j+1)*(k+2)]
		a, b := base[j+1][:k], base[j+1][k:]
		if !slices.Equal(block[0], a) || !slices.Equal(block[k+1], b) {
			t.Fatalf("block %d: A or B is not the base point's halves", j)
		}
		for i := range k {
			for c := range k {
				want := a[c]
				if c == i {
					want = b[c]
				}
				if block[1+i][c] != want {
					t.Errorf("block %d, AB_%d, column %d: %v, want %v", j, i, c, block[1+i][c], want)
				}
			}
		}
	}
}

// Each trajectory changes one factor per step, by Delta = p/(2(p-1)), each factor once,
// and stays on the grid of p levels in [0, 1].
func TestMorrisTrajectories(t *testing.T) {
	const r, k, p = 6, 4, 4
	delta := float64(p) / (2 * (p - 1))
	rows := morris(r, k, p, designRNG(9))
	if len(rows) != r*(k+1) {
		t.Fatalf("%d rows, want r(k+1) = %d", len(rows), r*(k+1))
	}
	for j := range r {
		tr := rows[j*(k+1) : (j+1)*(k+1)]
		moved := map[int]bool{}
		for s := 1; s <= k; s++ {
			changed := -1
			for c := range k {
				if tr[s][c] != tr[s-1][c] {
					if changed >= 0 {
						t.Fatalf("trajectory %d, step %d: more than one factor changed", j, s)
					}
					changed = c
					if d := math.Abs(tr[s][c] - tr[s-1][c]); math.Abs(d-delta) > 1e-12 {
						t.Errorf("trajectory %d, step %d: moved by %v, want %v", j, s, d, delta)
					}
				}
			}
			if changed < 0 || moved[changed] {
				t.Fatalf("trajectory %d, step %d: factor %d moved again or none did", j, s, changed)
			}
			moved[changed] = true
			for _, x := range tr[s] {
				if x < 0 || x > 1 || math.Abs(x*(p-1)-math.Round(x*(p-1))) > 1e-12 {
					t.Errorf("trajectory %d: %v is not one of the %d levels", j, x, p)
				}
			}
		}
	}
}

// Log-uniform factors map through exp: the midpoint of [1, 100] is 10.
func TestLogUniformValue(t *testing.T) {
	f := Factor{Lo: 1, Hi: 100, Log: true}
	if v := f.Value(0.5); math.Abs(v-10) > 1e-12 {
		t.Errorf("Value(0.5) = %v, want 10", v)
	}
	if v := (Factor{Lo: 2, Hi: 4}).Value(0.25); v != 2.5 {
		t.Errorf("uniform Value(0.25) = %v, want 2.5", v)
	}
	if v := (Factor{Levels: []float64{1, 2, 3}}).Value(0.5); v != 2 {
		t.Errorf("levels Value(0.5) = %v, want 2", v)
	}
}
