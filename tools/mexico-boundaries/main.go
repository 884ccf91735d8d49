// Command mexico-boundaries turns Natural Earth's 1:10m admin-1 states and provinces
// (GeoJSON, or the Mexico subset of it) into model/mexico/data/states.geojson: Mexico's 32
// states keyed by the ISO 3166-2 codes model/mexico uses, simplified for maps. See
// model/mexico/data/BOUNDARIES.md for the source and the command that made the shipped file:
//
//	go run ./tools/mexico-boundaries -in mex.json -out model/mexico/data/states.geojson
//
// Simplification keeps the topology: borders shared by two states are cut into arcs at the
// points where the set of states along them changes, and each arc is simplified once
// (Douglas-Peucker, endpoints fixed), so neighbours keep one common border, with no gaps or
// overlaps between them. Where a simplified edge crosses another, the arcs of the rings
// involved are simplified again with half the tolerance.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/model/mexico"
)

// aliases are Natural Earth's names that differ from model/mexico's.
var aliases = map[string]string{
	"Distrito Federal": "Ciudad de México", // renamed in 2016
}

// Options are the converter's settings; the defaults made the shipped file.
type Options struct {
	Tolerance float64 // Douglas-Peucker tolerance, in degrees of latitude
	MinArea   float64 // rings of less area (square degrees, before simplifying) are left out
	Decimals  int     // decimals of a degree written
}

func main() {
	in := flag.String("in", "", "Natural Earth admin-1 GeoJSON (all countries or Mexico's)")
	out := flag.String("out", "model/mexico/data/states.geojson", "file to write")
	var o Options
	flag.Float64Var(&o.Tolerance, "tolerance", 0.01, "Douglas-Peucker tolerance, degrees of latitude")
	flag.Float64Var(&o.MinArea, "min-area", 0.002, "leave out islands of less area (square degrees)")
	flag.IntVar(&o.Decimals, "decimals", 3, "decimals of a degree written")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "mexico-boundaries: -in FILE is required")
		os.Exit(2)
	}
	f, err := os.Open(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mexico-boundaries:", err)
		os.Exit(1)
	}
	defer f.Close()
	states, stats, err := Convert(f, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mexico-boundaries:", err)
		os.Exit(1)
	}
	w, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mexico-boundaries:", err)
		os.Exit(1)
	}
	bw := bufio.NewWriter(w)
	if err := Write(bw, states); err != nil {
		fmt.Fprintln(os.Stderr, "mexico-boundaries:", err)
		os.Exit(1)
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "mexico-boundaries:", err)
		os.Exit(1)
	}
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "mexico-boundaries:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, stats)
}

type point = [2]float64

// state is one state's rings (outer rings only) as converted.
type state struct {
	code, name string
	rings      [][]point
}

// Stats says what the conversion did.
type Stats struct {
	PointsIn, PointsOut, RingsIn, RingsOut, Arcs, SharedArcs, Unmatched, Retries int
}

func (s Stats) String() string {
	return fmt.Sprintf("%d rings (%d points) in, %d rings (%d points) out; %d arcs, %d of them shared by two states (%d shared stretches without an identical twin); %d rounds of halving the tolerance where rings crossed",
		s.RingsIn, s.PointsIn, s.RingsOut, s.PointsOut, s.Arcs, s.SharedArcs, s.Unmatched, s.Retries)
}

// Convert reads Natural Earth admin-1 features, keeps Mexico's states (admin "Mexico"
// with a name; the unnamed minor islands are left out) and simplifies them.
func Convert(r io.Reader, o Options) ([]state, Stats, error) {
	var st Stats
	geo, err := mexico.Load()
	if err != nil {
		return nil, st, err
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return nil, st, err
	}
	byCode := map[string]*state{}
	for _, f := range fc.Features {
		admin, _ := f.Properties["admin"].(string)
		name, _ := f.Properties["name"].(string)
		if admin != "Mexico" || name == "" {
			continue
		}
		if a, ok := aliases[name]; ok {
			name = a
		}
		i, ok := geo.Lookup(name)
		if !ok {
			return nil, st, fmt.Errorf("state %q is not one of model/mexico's", name)
		}
		s := geo.States[i]
		if byCode[s.Code] != nil {
			return nil, st, fmt.Errorf("state %s appears twice", s.Code)
		}
		var polys [][][]point
		switch f.Geometry.Type {
		case "Polygon":
			var p [][]point
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return nil, st, fmt.Errorf("%s: %w", s.Code, err)
			}
			polys = [][][]point{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return nil, st, fmt.Errorf("%s: %w", s.Code, err)
			}
		default:
			return nil, st, fmt.Errorf("%s: geometry %s", s.Code, f.Geometry.Type)
		}
		ss := &state{code: s.Code, name: s.Name}
		largest := 0.0
		for _, p := range polys {
			if len(p) != 1 {
				return nil, st, fmt.Errorf("%s: a polygon with %d rings: holes are not handled", s.Code, len(p))
			}
			largest = max(largest, math.Abs(mexico.RingArea(p[0])))
		}
		for _, p := range polys {
			st.RingsIn++
			st.PointsIn += len(p[0])
			if a := math.Abs(mexico.RingArea(p[0])); a < o.MinArea && a < largest {
				continue
			}
			ring := p[0]
			if mexico.RingArea(ring) < 0 {
				ring = slices.Clone(ring)
				slices.Reverse(ring)
			}
			ss.rings = append(ss.rings, ring[:len(ring)-1]) // open: the closing point comes back on writing
		}
		byCode[s.Code] = ss
	}
	var states []state
	for _, s := range geo.States {
		ss := byCode[s.Code]
		if ss == nil {
			return nil, st, fmt.Errorf("no boundary for %s (%s)", s.Code, s.Name)
		}
		states = append(states, *ss)
	}
	snap(states)
	simplifyAll(states, o, &st)
	for _, s := range states {
		for _, r := range s.rings {
			st.RingsOut++
			st.PointsOut += len(r) + 1
		}
	}
	return states, st, nil
}

// snap moves points that lie within 1e-9 degrees of a point seen before onto it: the
// source's neighbours share their border points up to floating-point noise (below 1e-12
// degrees), which would otherwise hide the border they share.
func snap(states []state) {
	const eps, cell = 1e-9, 1e7 // grid cells of 1e-7 degrees
	type key struct{ x, y int64 }
	grid := map[key][]point{}
	for si := range states {
		for _, r := range states[si].rings {
			for i, p := range r {
				k := key{int64(math.Round(p[0] * cell)), int64(math.Round(p[1] * cell))}
				found := false
				for dx := int64(-1); dx <= 1 && !found; dx++ {
					for dy := int64(-1); dy <= 1 && !found; dy++ {
						for _, q := range grid[key{k.x + dx, k.y + dy}] {
							if math.Abs(q[0]-p[0]) <= eps && math.Abs(q[1]-p[1]) <= eps {
								r[i], found = q, true
								break
							}
						}
					}
				}
				if !found {
					grid[k] = append(grid[k], p)
				}
			}
		}
	}
}

// simplifyAll simplifies every ring, keeping shared borders shared, then rounds the
// points to o.Decimals and drops points that rounding made repeat. Where the result
// crosses itself or another ring, the arcs of the rings involved are simplified again
// with half the tolerance, until nothing crosses.
func simplifyAll(states []state, o Options, st *Stats) {
	// Which rings each point lies on (exact coordinates: snap made the neighbours'
	// border points equal).
	type ringID struct{ s, r int }
	on := map[point][]int{}
	var ids []ringID
	var orig [][]point
	for si, s := range states {
		for ri, r := range s.rings {
			id := len(ids)
			ids = append(ids, ringID{si, ri})
			orig = append(orig, r)
			for _, p := range r {
				if l := on[p]; len(l) == 0 || l[len(l)-1] != id {
					on[p] = append(on[p], id)
				}
			}
		}
	}
	// Cut each ring into arcs at the points where the set of rings along it changes.
	type arcUse struct {
		key string
		rev bool
		pts []point // canonical direction
	}
	arcs := make([][]arcUse, len(orig))
	uses := map[string]int{} // shared arc -> rings using it
	for id, ring := range orig {
		n := len(ring)
		var nodes []int
		for i, p := range ring {
			prev, next := ring[(i+n-1)%n], ring[(i+1)%n]
			if !slices.Equal(on[p], on[prev]) || !slices.Equal(on[p], on[next]) || len(on[p]) > 2 {
				nodes = append(nodes, i)
			}
		}
		if len(nodes) == 0 {
			// An island, or a ring all of whose points another ring shares: anchor it at
			// its lowest point (lexicographically), which any twin finds too.
			low := 0
			for i := range ring {
				if less(ring[i], ring[low]) {
					low = i
				}
			}
			nodes = []int{low}
		}
		for k, a := range nodes {
			b := nodes[(k+1)%len(nodes)]
			arc := []point{ring[a]}
			for i := (a + 1) % n; ; i = (i + 1) % n {
				arc = append(arc, ring[i])
				if i == b {
					break
				}
			}
			key, rev := canonical(arc)
			if len(arc) > 2 && len(on[arc[1]]) > 1 {
				uses[key]++
			}
			c := slices.Clone(arc)
			if rev {
				slices.Reverse(c)
			}
			arcs[id] = append(arcs[id], arcUse{key, rev, c})
		}
	}
	tol := map[string]float64{}
	for _, as := range arcs {
		for _, a := range as {
			tol[a.key] = o.Tolerance
		}
	}
	scale := math.Cos(23.5 * math.Pi / 180)
	pow := math.Pow(10, float64(o.Decimals))
	round := func(p point) point { return point{math.Round(p[0]*pow) / pow, math.Round(p[1]*pow) / pow} }
	var rings [][]point
	for range 12 {
		done := map[string][]point{}
		rings = make([][]point, len(orig))
		for id, as := range arcs {
			var out []point
			for _, a := range as {
				simp, ok := done[a.key]
				if !ok {
					simp = douglasPeucker(a.pts, tol[a.key], scale)
					done[a.key] = simp
				}
				s := slices.Clone(simp)
				if a.rev {
					slices.Reverse(s)
				}
				out = append(out, s[:len(s)-1]...) // the arc's end is the next arc's start
			}
			var q []point
			for _, p := range out {
				if p = round(p); len(q) == 0 || q[len(q)-1] != p {
					q = append(q, p)
				}
			}
			rings[id] = despike(q)
		}
		bad := crossings(rings)
		if len(bad) == 0 {
			break
		}
		for id := range bad {
			for _, a := range arcs[id] {
				tol[a.key] /= 2
			}
		}
		st.Retries++
	}
	for id := range ids {
		states[ids[id].s].rings[ids[id].r] = nil
	}
	for id, q := range rings {
		if len(q) >= 3 && mexico.RingArea(append(slices.Clone(q), q[0])) > 0 {
			states[ids[id].s].rings[ids[id].r] = q
		}
	}
	for si := range states {
		states[si].rings = slices.DeleteFunc(states[si].rings, func(r []point) bool { return r == nil })
	}
	st.Arcs = len(tol)
	for _, n := range uses {
		st.SharedArcs++
		if n < 2 {
			st.Unmatched++ // its neighbour's points differ: simplified apart
		}
	}
}

// crossings lists the rings (open: the last point joins the first) with an edge that
// properly crosses another edge of the same or another ring, or with a point that lies on
// a non-adjacent edge of its own ring.
func crossings(rings [][]point) map[int]bool {
	type edge struct {
		ring   int
		a, b   point
		i, len int
	}
	var edges []edge
	for r, q := range rings {
		for i := range q {
			edges = append(edges, edge{r, q[i], q[(i+1)%len(q)], i, len(q)})
		}
	}
	bad := map[int]bool{}
	for x := range edges {
		e := edges[x]
		for y := x + 1; y < len(edges); y++ {
			f := edges[y]
			if max(e.a[0], e.b[0]) < min(f.a[0], f.b[0]) || max(f.a[0], f.b[0]) < min(e.a[0], e.b[0]) ||
				max(e.a[1], e.b[1]) < min(f.a[1], f.b[1]) || max(f.a[1], f.b[1]) < min(e.a[1], e.b[1]) {
				continue
			}
			same := e.ring == f.ring
			if same && (f.i == e.i+1 || e.i == 0 && f.i == e.len-1) {
				continue // consecutive edges meet at their common point
			}
			if properCross(e.a, e.b, f.a, f.b) || same && touches(e.a, e.b, f.a, f.b) {
				bad[e.ring], bad[f.ring] = true, true
			}
		}
	}
	return bad
}

// despike removes from an open ring the points that repeat, the closing point, and the
// spikes that rounding leaves (a, b, a: the source has slivers a few metres wide).
func despike(q []point) []point {
	for changed := true; changed && len(q) >= 3; {
		changed = false
		for len(q) > 1 && q[0] == q[len(q)-1] {
			q, changed = q[:len(q)-1], true
		}
		n := len(q)
		for i := 0; i < n && n >= 3; i++ {
			prev, next := q[(i+n-1)%n], q[(i+1)%n]
			if prev == next || q[i] == next {
				q = slices.Delete(slices.Clone(q), i, i+1) // b of a, b, a (then a repeats); or a repeat
				n, changed = len(q), true
				i--
			}
		}
	}
	return q
}

func cross(o, p, q point) float64 {
	return float64((p[0]-o[0])*(q[1]-o[1])) - float64((p[1]-o[1])*(q[0]-o[0]))
}

// properCross says whether segments ab and cd cross at a point inside both.
func properCross(a, b, c, d point) bool {
	d1, d2, d3, d4 := cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
	return d1*d2 < 0 && d3*d4 < 0
}

// touches says whether an end of one segment lies on the other.
func touches(a, b, c, d point) bool {
	on := func(p, q, r point) bool {
		return cross(p, q, r) == 0 && min(p[0], q[0]) <= r[0] && r[0] <= max(p[0], q[0]) && min(p[1], q[1]) <= r[1] && r[1] <= max(p[1], q[1])
	}
	return on(c, d, a) || on(c, d, b) || on(a, b, c) || on(a, b, d)
}

func less(a, b point) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }

// canonical names an arc the same whichever way a ring runs along it, and says whether
// the arc as given runs against the canonical direction.
func canonical(arc []point) (string, bool) {
	first, last := arc[0], arc[len(arc)-1]
	rev := less(last, first)
	if first == last && len(arc) > 2 {
		rev = less(arc[len(arc)-2], arc[1])
	}
	var b strings.Builder
	for k := range arc {
		p := arc[k]
		if rev {
			p = arc[len(arc)-1-k]
		}
		b.WriteString(strconv.FormatFloat(p[0], 'g', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p[1], 'g', -1, 64))
		b.WriteByte(';')
	}
	return b.String(), rev
}

// douglasPeucker simplifies a polyline with fixed endpoints: it keeps the point farthest
// from the chord while that is more than tol away (distances with longitude scaled by
// xscale, the cosine of Mexico's middle latitude). A closed arc (first point = last)
// is first split at its point farthest from the start.
func douglasPeucker(pts []point, tol, xscale float64) []point {
	if len(pts) <= 2 {
		return pts
	}
	if pts[0] == pts[len(pts)-1] {
		far, best := 0, -1.0
		for i, p := range pts {
			if d := math.Hypot((p[0]-pts[0][0])*xscale, p[1]-pts[0][1]); d > best {
				far, best = i, d
			}
		}
		a := douglasPeucker(pts[:far+1], tol, xscale)
		b := douglasPeucker(pts[far:], tol, xscale)
		out := append(slices.Clone(a), b[1:]...)
		if len(out) < 4 { // keep a triangle at least
			return pts
		}
		return out
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	var rec func(i, j int)
	rec = func(i, j int) {
		ax, ay := pts[i][0]*xscale, pts[i][1]
		bx, by := pts[j][0]*xscale, pts[j][1]
		far, best := -1, tol
		for k := i + 1; k < j; k++ {
			px, py := pts[k][0]*xscale, pts[k][1]
			if d := segDist(px, py, ax, ay, bx, by); d > best {
				far, best = k, d
			}
		}
		if far >= 0 {
			keep[far] = true
			rec(i, far)
			rec(far, j)
		}
	}
	rec(0, len(pts)-1)
	var out []point
	for i, p := range pts {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}

// segDist is the distance from p to the segment ab.
func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := float64(dx*dx) + float64(dy*dy)
	t := 0.0
	if l2 > 0 {
		t = max(0, min(1, (float64((px-ax)*dx)+float64((py-ay)*dy))/l2))
	}
	return math.Hypot(px-(ax+float64(t*dx)), py-(ay+float64(t*dy)))
}

// Write writes the states as a GeoJSON FeatureCollection, one feature per line, each a
// MultiPolygon of closed counter-clockwise rings.
func Write(w io.Writer, states []state) error {
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	if _, err := io.WriteString(w, "{\"type\":\"FeatureCollection\",\"features\":[\n"); err != nil {
		return err
	}
	for k, s := range states {
		var b strings.Builder
		fmt.Fprintf(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":%q,\"name\":%q},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[", s.code, s.name)
		for i, r := range s.rings {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("[[")
			for j, p := range append(slices.Clone(r), r[0]) {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString("[" + num(p[0]) + "," + num(p[1]) + "]")
			}
			b.WriteString("]]")
		}
		b.WriteString("]}}")
		if k < len(states)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]}\n")
	return err
}
