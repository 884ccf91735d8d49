package sim

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model/mexico"
)

var updateMaps = flag.Bool("maps.update", false, "rewrite the golden map images in testdata/maps")

// syntheticRun writes a run directory with a states.csv for 2029 and 2030 (every state's
// homicide rate its INEGI key times 3 in 2030, times 2 in 2029; Yucatán left out of
// 2030's, to show a state without data; labs in 2030 only) and a dominant.csv of 2030.
func syntheticRun(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	g, err := mexico.Load()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("scenario,year,state,name,metric,mean,sd,p05,p50,p95\n")
	for _, year := range []int{2029, 2030} {
		for i, s := range g.States {
			if year == 2030 && s.Code == "YUC" {
				continue
			}
			v := float64((i + 1) * (year - 2027))
			fmt.Fprintf(&b, "toy,%d,%s,%s,homicide_rate,%g,1,%g,%g,%g\n", year, s.Code, s.Name, v, v-1, v, v+1)
			if year == 2030 {
				fmt.Fprintf(&b, "toy,%d,%s,%s,labs,%d,0,0,%d,%d\n", year, s.Code, s.Name, i%5, i%5, i%5)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, StatesFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// Dominant groups by zone: the north to one group, the Pacific to another, the
	// centre to a third; the south-east has none.
	byZone := map[string]string{"north": "N1,Northern group", "pacific": "P1,Pacific group", "centre": "C1,Central group", "southeast": ","}
	b.Reset()
	b.WriteString("scenario,year,state,name,group,group_name,share\n")
	for _, s := range g.States {
		fmt.Fprintf(&b, "toy,2030,%s,%s,%s,0.75\n", s.Code, s.Name, byZone[s.Zone.String()])
	}
	if err := os.WriteFile(filepath.Join(dir, DominantFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The maps of a synthetic run match the images checked by eye and kept in
// testdata/maps (go test ./sim -run TestMapGolden -maps.update rewrites them).
func TestMapGolden(t *testing.T) {
	dir := syntheticRun(t)
	for _, metric := range []string{"homicide_rate", DominantGroupMetric} {
		for _, format := range []string{"png", "svg"} {
			out := filepath.Join(t.TempDir(), "map."+format)
			if _, err := DrawMap(dir, MapOptions{Year: 2030, Metric: metric, Out: out}); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "maps", metric+"_2030."+format)
			if *updateMaps {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (%d bytes, want %d); look at both, then -maps.update", out, golden, len(got), len(want))
			}
		}
	}
}

// A finished run with states.csv gets the map of its last year's homicide rates, the
// image checked by eye; one without gets none, and no plots folder for it.
func TestRunMap(t *testing.T) {
	dir := syntheticRun(t)
	names, err := writeRunMap(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, " ") != "plots/map_homicide_rate_2030.png plots/map_homicide_rate_2030.svg" {
		t.Fatalf("run map wrote %v, want the 2030 homicide rate map in plots/", names)
	}
	got, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "maps", "homicide_rate_2030.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the run's map differs from the golden image of the same table")
	}
	empty := t.TempDir()
	names, err = writeRunMap(empty, 40)
	if err != nil || names != nil {
		t.Fatalf("run without states.csv: %v, %v; want no map and no error", names, err)
	}
	if _, err := os.Stat(filepath.Join(empty, PlotsDir)); !os.IsNotExist(err) {
		t.Errorf("run without states.csv has a plots folder from the map: %v", err)
	}
}

// The default year is the last, the default files go to plots/, and the source line
// counts the manifest's replicates.
func TestDrawMapDefaults(t *testing.T) {
	dir := syntheticRun(t)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"replicates": 40}`), 0o644); err != nil {
		t.Fatal(err)
	}
	paths, err := DrawMap(dir, MapOptions{Metric: "labs"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "plots", "map_labs_2030.png"), filepath.Join(dir, "plots", "map_labs_2030.svg")}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("wrote %v, want %v", paths, want)
	}
	svg, err := os.ReadFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Working labs by state, 2030", "Median of 40 replicates of toy", "labs at the end of the year"} {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("the SVG does not say %q", s)
		}
	}
}

// The colour scale: light yellow at 0, dark red at the top, and the top a labelled tick
// at or just above the largest value.
func TestMapScale(t *testing.T) {
	// By hand: labelled ticks of 0-96 are 20 apart (96/20 = 4.8 intervals, at most 6).
	for _, c := range []struct{ max, top float64 }{{96, 100}, {0, 1}, {1234, 1250}} {
		if got := scaleTop(c.max); got != c.top {
			t.Errorf("scaleTop(%g) = %g, want %g", c.max, got, c.top)
		}
	}
	for _, max := range []float64{0.013, 0.7, 3.2, 5.9, 6.1, 17, 99.5, 101, 4321, 2.5e6} {
		top := scaleTop(max)
		ticks := ValueTicks{}.Ticks(0, top)
		last := 0.0
		for _, tk := range ticks {
			if tk.Label != "" {
				last = math.Max(last, tk.Value)
			}
		}
		if top < max || math.Abs(last-top) > 1e-9*top || top-max >= niceStep(max) {
			t.Errorf("scaleTop(%g) = %g: want the first labelled tick at or above it (last label at %g)", max, top, last)
		}
	}
	cm, err := sequentialColors(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	lum := func(v float64) float64 {
		c, err := cm.At(v)
		if err != nil {
			t.Fatal(err)
		}
		r, g, b, _ := c.RGBA()
		return 0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)
	}
	prev := math.Inf(1)
	for v := 0.0; v <= 10; v++ {
		l := lum(v)
		if l >= prev {
			t.Fatalf("colour at %g is not darker than at %g", v, v-1)
		}
		prev = l
	}
	// ColorBrewer's YlOrRd ends: #ffffcc and #800026.
	for _, c := range []struct {
		v    float64
		want [3]uint8
	}{{0, [3]uint8{0xff, 0xff, 0xcc}}, {10, [3]uint8{0x80, 0x00, 0x26}}} {
		got, _ := cm.At(c.v)
		r, g, b, _ := got.RGBA()
		for i, x := range []uint32{r >> 8, g >> 8, b >> 8} {
			if d := int(x) - int(c.want[i]); d < -2 || d > 2 {
				t.Errorf("colour at %g is %02x%02x%02x, want %02x%02x%02x", c.v, r>>8, g>>8, b>>8, c.want[0], c.want[1], c.want[2])
				break
			}
		}
	}
}

// Bad input gets one line naming the file (and line) and what is valid, and nothing is
// written.
func TestDrawMapBadInput(t *testing.T) {
	good := syntheticRun(t)
	statesOf := func(body string) string {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, StatesFile), []byte("scenario,year,state,name,metric,mean,sd,p05,p50,p95\n"+body), 0o644)
		return dir
	}
	dominantOf := func(body string) string {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, DominantFile), []byte("scenario,year,state,name,group,group_name,share\n"+body), 0o644)
		return dir
	}
	empty := t.TempDir()
	for _, c := range []struct {
		name string
		dir  string
		o    MapOptions
		want string
	}{
		{"no states.csv", empty, MapOptions{Metric: "homicide_rate"}, "sim: " + filepath.Join(empty, "states.csv") + ": no such file: maps need the states.csv of a run whose world has geography"},
		{"no dominant.csv", empty, MapOptions{Metric: DominantGroupMetric}, "dominant.csv: no such file: the map of dominant groups needs the run's dominant.csv"},
		{"no directory", filepath.Join(empty, "nope"), MapOptions{Metric: "labs"}, "nope is not a run directory"},
		{"unknown metric", good, MapOptions{Metric: "homicide"}, `sim: unknown map metric "homicide": want one of homicides, homicide_rate, deaths, civilian_casualties, labs, groups_present, members, dominant_group`},
		{"unknown year", good, MapOptions{Metric: "homicide_rate", Year: 2040}, "states.csv has no year 2040: its years are 2029 to 2030"},
		{"year of another metric", good, MapOptions{Metric: "labs", Year: 2029}, "states.csv has no year 2029: its years are 2030"},
		{"metric not in the file", good, MapOptions{Metric: "deaths"}, "states.csv has no rows of metric deaths: its metrics are homicide_rate, labs"},
		{"bad extension", good, MapOptions{Metric: "labs", Out: filepath.Join(empty, "map.pdf")}, "map.pdf: want a .png or .svg file"},
		{"bad header", func() string {
			d := t.TempDir()
			os.WriteFile(filepath.Join(d, StatesFile), []byte("year,state\n2030,SIN\n"), 0o644)
			return d
		}(), MapOptions{Metric: "labs"}, `states.csv:1: header "year,state", want scenario,year,state,name,metric,mean,sd,p05,p50,p95`},
		{"unknown state", statesOf("toy,2030,SIN,Sinaloa,labs,1,0,1,1,1\ntoy,2030,XXX,X,labs,1,0,1,1,1\n"), MapOptions{Metric: "labs"}, `states.csv:3: state "XXX" is not one of Mexico's 32 state codes`},
		{"bad year", statesOf("toy,soon,SIN,Sinaloa,labs,1,0,1,1,1\n"), MapOptions{Metric: "labs"}, `states.csv:2: year "soon" is not a calendar year`},
		{"bad median", statesOf("toy,2030,SIN,Sinaloa,labs,1,0,1,NaN,1\n"), MapOptions{Metric: "labs"}, `states.csv:2: p50 "NaN" is not a finite number`},
		{"short row", statesOf("toy,2030,SIN,Sinaloa,labs,1\n"), MapOptions{Metric: "labs"}, "states.csv:2: wrong number of fields"},
		{"two rows", statesOf("toy,2030,SIN,Sinaloa,labs,1,0,1,1,1\ntoy,2030,SIN,Sinaloa,labs,1,0,1,2,1\n"), MapOptions{Metric: "labs"}, "state SIN has two rows of labs in 2030"},
		{"quoted line break", statesOf("toy,2030,SIN,\"Sina\nloa\",labs,1,0,1,1,1\ntoy,2030,XXX,X,labs,1,0,1,1,1\n"), MapOptions{Metric: "labs"}, `states.csv:4: state "XXX"`},
		{"bad share", dominantOf("toy,2030,SIN,Sinaloa,a,A,1.5\n"), MapOptions{Metric: DominantGroupMetric}, `dominant.csv:2: share "1.5" is not a fraction from 0 to 1`},
	} {
		out := c.o.Out
		if out == "" {
			c.o.Out = filepath.Join(t.TempDir(), "map.png")
		}
		_, err := DrawMap(c.dir, c.o)
		var ie *MapInputError
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sim: ") || !errors.As(err, &ie) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want a MapInputError of one line with %q", c.name, err, c.want)
		}
		if _, err := os.Stat(c.o.Out); !os.IsNotExist(err) {
			t.Errorf("%s: %s was written", c.name, c.o.Out)
		}
	}
}

// Groups are ordered by the states they hold, most first (ties by name), and coloured
// from the lineage palette without its grey; groups past its nine colours share the grey
// of "other groups".
func TestGroupLegend(t *testing.T) {
	rows := map[string]stateRow{}
	codes := []string{"AGU", "BCN", "BCS", "CAM", "COA", "COL", "CHP", "CHH", "CMX", "DUR", "GUA", "GRO", "HID"}
	groups := []string{"k", "j", "i", "h", "g", "f", "e", "d", "c", "b", "a", "a", "a"} // a holds 3
	for i, c := range codes {
		rows[c] = stateRow{group: groups[i]}
	}
	rows["JAL"] = stateRow{} // no group
	order, colors := groupLegend(rows)
	want := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
	if strings.Join(order, "") != strings.Join(want, "") {
		t.Fatalf("order %v, want %v", order, want)
	}
	seen := map[color.Color]bool{}
	for i, g := range order {
		c := colors[g]
		if i < 9 {
			if c == otherColor || seen[c] {
				t.Errorf("group %s (%d of 11) has colour %v, want one of its own", g, i+1, c)
			}
			seen[c] = true
		} else if c != otherColor {
			t.Errorf("group %s (%d of 11) has colour %v, want the grey of other groups", g, i+1, c)
		}
	}
}

// A group dominant in fewer than half the replicates is drawn paled, halfway to white
// (#1f77b4 becomes #8fbbd9: (0x1f + 0xff)/2 = 0x8f, ...); from half on, in its colour.
func TestWeakDominancePales(t *testing.T) {
	blue := color.NRGBA{0x1f, 0x77, 0xb4, 0xff}
	colors := map[string]color.Color{"a": blue}
	for _, c := range []struct {
		share float64
		want  color.Color
	}{{0.25, color.NRGBA{0x8f, 0xbb, 0xd9, 0xff}}, {0.4999, color.NRGBA{0x8f, 0xbb, 0xd9, 0xff}}, {0.5, blue}, {1, blue}} {
		if got := groupFill(stateRow{group: "a", share: c.share}, colors); got != c.want {
			t.Errorf("share %v: colour %v, want %v", c.share, got, c.want)
		}
	}
	if got := groupFill(stateRow{share: 0.2}, colors); got != noGroupColor {
		t.Errorf("no group: colour %v, want %v", got, noGroupColor)
	}
}
