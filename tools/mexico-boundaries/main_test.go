package main

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/cartelsim/cartelsim/model/mexico"
)

// A zigzag whose points stand 0.004 degrees off the chord collapses to its ends at a
// tolerance of 0.01; one whose points stand 0.02 off keeps them all (distances along
// latitude, which the longitude scale does not touch).
func TestDouglasPeucker(t *testing.T) {
	zigzag := func(amp float64) []point {
		var pts []point
		for i := range 9 {
			y := 0.0
			if i%2 == 1 {
				y = amp
			}
			pts = append(pts, point{float64(i) * 0.1, y})
		}
		return pts
	}
	if got := douglasPeucker(zigzag(0.004), 0.01, 1); len(got) != 2 || got[0] != (point{0, 0}) || got[1] != (point{0.8, 0}) {
		t.Errorf("small zigzag gave %v, want its two ends", got)
	}
	if got := douglasPeucker(zigzag(0.02), 0.01, 1); len(got) != 9 {
		t.Errorf("large zigzag kept %d of 9 points, want all", len(got))
	}
	// A closed arc is split at its farthest point and keeps at least a triangle.
	square := []point{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	if got := douglasPeucker(square, 0.01, 1); !slices.Equal(got, square) {
		t.Errorf("square gave %v", got)
	}
}

// Two states share a wiggly border whose points differ by floating-point noise on one
// side. After snapping and simplifying, both rings hold the same border points, and the
// wiggles below the tolerance are gone.
func TestSimplifyKeepsSharedBorders(t *testing.T) {
	var border []point // from (1,0) up to (1,1), wiggling 0.001 in longitude
	for i := 0; i <= 10; i++ {
		border = append(border, point{1 + 0.001*float64(i%2), float64(i) / 10})
	}
	west := []point{{0, 0}}
	west = append(west, border...)
	west = append(west, point{0, 1})
	east := []point{{2, 0}, {2, 1}}
	for i := len(border) - 1; i >= 0; i-- {
		p := border[i]
		if i%3 == 0 {
			p[0] += 1e-13 // noise
		}
		east = append(east, p)
	}
	states := []state{{code: "W", rings: [][]point{west}}, {code: "E", rings: [][]point{east}}}
	snap(states)
	var st Stats
	simplifyAll(states, Options{Tolerance: 0.01, Decimals: 3}, &st)
	w, e := states[0].rings[0], states[1].rings[0]
	if len(w) != 4 || len(e) != 4 {
		t.Fatalf("rings %v and %v, want the two squares' 4 corners each", w, e)
	}
	shared := 0
	for _, p := range w {
		if slices.Contains(e, p) {
			shared++
		}
	}
	if shared != 2 || !slices.Contains(w, point{1, 0}) || !slices.Contains(w, point{1, 1}) {
		t.Errorf("rings %v and %v share %d points, want the border's ends (1,0) and (1,1)", w, e, shared)
	}
	if st.SharedArcs != 1 || st.Unmatched != 0 {
		t.Errorf("stats %+v, want one shared arc with its twin", st)
	}
}

func TestDespike(t *testing.T) {
	a, b, c, d := point{0, 0}, point{1, 1}, point{2, 0}, point{1, -1}
	if got := despike([]point{a, b, a, c, d, a}); !slices.Equal(got, []point{a, c, d}) {
		t.Errorf("despike gave %v, want %v", got, []point{a, c, d})
	}
}

// What Write writes, ParseBoundaries reads back: closed counter-clockwise rings.
func TestWriteReadsBack(t *testing.T) {
	states := []state{{code: "AGU", name: "Aguascalientes", rings: [][]point{{{0, 0}, {1, 0}, {1, 1}}}}}
	var buf bytes.Buffer
	if err := Write(&buf, states); err != nil {
		t.Fatal(err)
	}
	bs, err := mexico.ParseBoundaries(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Code != "AGU" || len(bs[0].Polygons[0]) != 4 || math.Abs(mexico.RingArea(bs[0].Polygons[0])-0.5) > 1e-15 {
		t.Errorf("read back %+v, want the triangle of area 1/2", bs)
	}
}
