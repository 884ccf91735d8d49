package mexico

import (
	"math"
	"os"
	"strings"
	"testing"
)

func TestBoundariesMatchTheStates(t *testing.T) {
	bs, err := Boundaries()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 32 || len(bs) != g.Len() {
		t.Fatalf("%d boundaries, want Mexico's 32 states", len(bs))
	}
	for i, b := range bs {
		s := g.States[i]
		if b.Code != s.Code || b.Name != s.Name {
			t.Errorf("boundary %d is %s (%s), want %s (%s) in the order of states.csv", i, b.Code, b.Name, s.Code, s.Name)
		}
		for k, ring := range b.Polygons {
			// ParseBoundaries checked closure, range and orientation; check the rest here.
			if err := checkRing(ring); err != nil {
				t.Errorf("%s polygon %d: %v", b.Code, k, err)
			}
			if i, j, ok := selfIntersection(ring); ok {
				t.Errorf("%s polygon %d crosses itself: edges %d and %d", b.Code, k, i, j)
			}
			// Mexico lies within 14°N-33°N, 87°W-119°W.
			for _, p := range ring {
				if p[0] < -119 || p[0] > -86 || p[1] < 14 || p[1] > 33 {
					t.Fatalf("%s: point %v outside Mexico", b.Code, p)
				}
			}
		}
	}
}

// The shipped outlines agree with states.csv's adjacency, compiled separately from
// INEGI's descriptions: neighbours share a border (points in common; the simplifier keeps
// shared borders shared), other states at most a corner.
func TestBoundariesAgreeWithAdjacency(t *testing.T) {
	bs, err := Boundaries()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	points := make([]map[[2]float64]bool, len(bs))
	for i, b := range bs {
		points[i] = map[[2]float64]bool{}
		for _, ring := range b.Polygons {
			for _, p := range ring {
				points[i][p] = true
			}
		}
	}
	// Pairs that meet at a corner at Natural Earth's scale: Coahuila and San Luis Potosí
	// meet "en un vértice" (PROVENANCE.md); Zacatecas's borders with Guanajuato and Nuevo
	// León are a few kilometres long and come out as a point.
	corner := map[string]bool{"COA-SLP": true, "GUA-ZAC": true, "NLE-ZAC": true}
	for i := range bs {
		for j := i + 1; j < len(bs); j++ {
			shared := 0
			for p := range points[i] {
				if points[j][p] {
					shared++
				}
			}
			pair := bs[i].Code + "-" + bs[j].Code
			if bs[j].Code < bs[i].Code {
				pair = bs[j].Code + "-" + bs[i].Code
			}
			switch {
			case g.Adjacent(i, j) && corner[pair] && shared < 1:
				t.Errorf("%s are neighbours but share no point", pair)
			case g.Adjacent(i, j) && !corner[pair] && shared < 2:
				t.Errorf("%s are neighbours but share %d points, want a border", pair, shared)
			case !g.Adjacent(i, j) && shared > 1:
				t.Errorf("%s are not neighbours but share %d points", pair, shared)
			}
		}
	}
}

func TestBoundariesFileIsSmallWithProvenance(t *testing.T) {
	fi, err := os.Stat("data/states.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 200<<10 {
		t.Errorf("states.geojson is %d bytes, want under 200 KiB", fi.Size())
	}
	for _, want := range []string{"Natural Earth", "Public domain", "go run ./tools/mexico-boundaries", "0.01"} {
		if !strings.Contains(BoundariesProvenance(), want) {
			t.Errorf("BOUNDARIES.md does not say %q", want)
		}
	}
}

func TestParseBoundariesRefusesBadGeometry(t *testing.T) {
	feature := func(geom string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"AGU","name":"Aguascalientes"},"geometry":` + geom + `}]}`
	}
	for _, c := range []struct{ in, want string }{
		{`{"type":"Topology"}`, `type "Topology", want FeatureCollection`},
		{feature(`{"type":"Point","coordinates":[0,0]}`), `geometry "Point"`},
		{feature(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`), "ring not closed"},
		{feature(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`), "a ring of 3 points"},
		{feature(`{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0],[0,0]]]}`), "counter-clockwise"},
		{feature(`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[1,1]]]}`), "no holes"},
		{feature(`{"type":"Polygon","coordinates":[[[0,0],[400,0],[1,1],[0,0]]]}`), "not a longitude and latitude"},
		{`{"type":"FeatureCollection","features":[{"properties":{},"geometry":{"type":"Polygon","coordinates":[]}}]}`, "has no code"},
	} {
		_, err := ParseBoundaries(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "mexico: ") {
			t.Errorf("%s: error %v, want one with %q", c.in, err, c.want)
		}
	}
	// A good unit square: area 1 by the shoelace formula.
	bs, err := ParseBoundaries(strings.NewReader(feature(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}`)))
	if err != nil {
		t.Fatal(err)
	}
	if a := RingArea(bs[0].Polygons[0]); a != 1 {
		t.Errorf("area of the unit square %g, want 1", a)
	}
}

// selfIntersection finds two edges of a closed ring that cross or touch, other than
// consecutive edges at their common point.
func selfIntersection(ring [][2]float64) (int, int, bool) {
	n := len(ring) - 1
	for i := range n {
		for j := i + 1; j < n; j++ {
			if j == i+1 || i == 0 && j == n-1 {
				continue
			}
			if segmentsMeet(ring[i], ring[i+1], ring[j], ring[j+1]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

func segmentsMeet(a, b, c, d [2]float64) bool {
	cross := func(o, p, q [2]float64) float64 { return (p[0]-o[0])*(q[1]-o[1]) - (p[1]-o[1])*(q[0]-o[0]) }
	d1, d2 := cross(c, d, a), cross(c, d, b)
	d3, d4 := cross(a, b, c), cross(a, b, d)
	if (d1 > 0) != (d2 > 0) && (d3 > 0) != (d4 > 0) && d1 != 0 && d2 != 0 && d3 != 0 && d4 != 0 {
		return true
	}
	on := func(p, q, r [2]float64) bool { // r on segment pq, collinear
		return cross(p, q, r) == 0 && math.Min(p[0], q[0]) <= r[0] && r[0] <= math.Max(p[0], q[0]) && math.Min(p[1], q[1]) <= r[1] && r[1] <= math.Max(p[1], q[1])
	}
	return on(c, d, a) || on(c, d, b) || on(a, b, c) || on(a, b, d)
}
