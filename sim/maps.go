package sim

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cartelsim/cartelsim/model/mexico"
)

// Maps of Mexico's states drawn from a run's per-state tables: a choropleth of a metric
// of states.csv (the median over replicates), or of the dominant group of
// dominant.csv.
const (
	// DominantFile names, per state and year, the group with the largest presence at the
	// end of the year in the most replicates: `scenario,year,state,name,group,group_name,
	// share`, share being the fraction of replicates in which it is (group empty where
	// no group is present in most replicates).
	DominantFile = "dominant.csv"
	// DominantGroupMetric is the map of dominant.csv's groups.
	DominantGroupMetric = "dominant_group"
	// RunMapMetric is the metric `run` maps, for the run's last year.
	RunMapMetric = "homicide_rate"
)

// mapDisplay is how a map names a metric of states.csv: the title and the colour bar's
// label (what is counted, in which unit, over which time).
type mapDisplay struct{ title, unit string }

// mapMetrics are the metrics of states.csv maps draw, in the order error messages list them.
var mapMetrics = []string{"homicides", "homicide_rate", "deaths", "civilian_casualties", "labs", "groups_present", "members"}

var mapDisplays = map[string]mapDisplay{
	"homicides":           {"Intentional homicides", "homicides in the year"},
	"homicide_rate":       {"Homicide rate", "homicides per 100,000 people in the year"},
	"deaths":              {"Cartel members killed in conflict", "deaths in the year"},
	"civilian_casualties": {"Civilians killed by strikes and raids", "civilians killed in the year"},
	"labs":                {"Working labs", "labs at the end of the year"},
	"groups_present":      {"Criminal groups present", "groups at the end of the year"},
	"members":             {"Cartel members", "members at the end of the year"},
}

// MapMetrics lists what `map --metric` accepts.
func MapMetrics() []string { return append(slices.Clone(mapMetrics), DominantGroupMetric) }

// MapOptions says which map to draw.
type MapOptions struct {
	Year   int    // a calendar year of the run; 0 for its last
	Metric string // one of MapMetrics
	// Out is the file to write, its format from its extension (.png or .svg); empty for
	// both formats as plots/map_<metric>_<year>.png and .svg in the run's directory.
	Out string
}

// MapInputError is a map's bad input: an unknown metric or year, a run directory
// without the table the map needs, or a table that does not read.
type MapInputError struct{ Err error }

func (e *MapInputError) Error() string { return e.Err.Error() }
func (e *MapInputError) Unwrap() error { return e.Err }

// DrawMap draws a map of a run's per-state outputs and returns the paths it wrote.
func DrawMap(runDir string, o MapOptions) ([]string, error) {
	if st, err := os.Stat(runDir); err != nil || !st.IsDir() {
		return nil, &MapInputError{fmt.Errorf("sim: %s is not a run directory", runDir)}
	}
	replicates := 0
	if m, err := readManifest(runDir); err == nil {
		replicates = m.Replicates
	}
	var paths []string
	err := drawMap(runDir, o, replicates, func(m *stateMap, year int) error {
		if o.Out != "" {
			format, err := MapFormat(o.Out)
			if err != nil {
				return &MapInputError{err}
			}
			paths = append(paths, o.Out)
			return WriteFileAtomic(o.Out, func(w io.Writer) error { return m.writeTo(w, format) })
		}
		if err := os.MkdirAll(filepath.Join(runDir, PlotsDir), 0o755); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		names, err := m.save(runDir, o.Metric, year)
		for _, n := range names {
			paths = append(paths, filepath.Join(runDir, n))
		}
		return err
	})
	return paths, err
}

// MapFormat is the image format of a map's file name: png or svg.
func MapFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return "png", nil
	case ".svg":
		return "svg", nil
	}
	return "", fmt.Errorf("sim: %s: want a .png or .svg file", path)
}

// writeRunMap draws a finished run's map of RunMapMetric in its last year as
// plots/map_homicide_rate_<year>.png and .svg, if the run wrote states.csv, and returns
// their paths relative to dir.
func writeRunMap(dir string, replicates int) ([]string, error) {
	if _, err := os.Lstat(filepath.Join(dir, StatesFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var names []string
	err := drawMap(dir, MapOptions{Metric: RunMapMetric}, replicates, func(m *stateMap, year int) error {
		var err error
		names, err = m.save(dir, RunMapMetric, year)
		return err
	})
	return names, err
}

// drawMap reads the run's table for o and hands the map to write.
func drawMap(dir string, o MapOptions, replicates int, write func(*stateMap, int) error) error {
	if !slices.Contains(MapMetrics(), o.Metric) {
		return &MapInputError{fmt.Errorf("sim: unknown map metric %q: want one of %s", o.Metric, strings.Join(MapMetrics(), ", "))}
	}
	bounds, err := mexico.Boundaries()
	if err != nil {
		return err
	}
	var m *stateMap
	var year int
	if o.Metric == DominantGroupMetric {
		m, year, err = readDominant(filepath.Join(dir, DominantFile), o.Year, replicates)
	} else {
		m, year, err = readStateMetric(filepath.Join(dir, StatesFile), o.Metric, o.Year, replicates)
	}
	if err != nil {
		return &MapInputError{err}
	}
	m.bounds = bounds
	return write(m, year)
}

// save writes the map as plots/map_<metric>_<year>.png and .svg under dir and returns
// their paths relative to dir.
func (m *stateMap) save(dir, metric string, year int) ([]string, error) {
	var names []string
	for _, format := range []string{"png", "svg"} {
		name := filepath.Join(PlotsDir, fmt.Sprintf("map_%s_%d.%s", metric, year, format))
		err := WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { return m.writeTo(w, format) })
		if err != nil {
			return names, err
		}
		names = append(names, filepath.ToSlash(name))
	}
	return names, nil
}

// tableReader reads a run's CSV table, naming the file and line in its errors.
type tableReader struct {
	path string
	r    *csv.Reader
}

func openTable(path, what string, header []string) (*tableReader, func(), error) {
	f, err := openRegular(path, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("sim: %s: no such file: %s", path, what)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	t := &tableReader{path: path, r: csv.NewReader(f)}
	t.r.FieldsPerRecord = len(header)
	got, err := t.r.Read()
	if err != nil || !slices.Equal(got, header) {
		f.Close()
		return nil, nil, fmt.Errorf("sim: %s:1: header %q, want %s", path, strings.Join(got, ","), strings.Join(header, ","))
	}
	return t, func() { f.Close() }, nil
}

// next returns the next row, or nil at the end.
func (t *tableReader) next() ([]string, error) {
	rec, err := t.r.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("sim: %s:%d: %v", t.path, pe.Line, pe.Err)
		}
		return nil, fmt.Errorf("sim: %s: %w", t.path, err)
	}
	return rec, nil
}

// errorf reports a problem with the row last read, at its line in the file.
// nextState reads the next row of a table by year (column 1) and state (column 2),
// checking both; rec is nil at the end of the table.
func (t *tableReader) nextState(codes map[string]bool) (rec []string, year int, err error) {
	if rec, err = t.next(); err != nil || rec == nil {
		return nil, 0, err
	}
	if year, err = t.year(rec[1]); err != nil {
		return nil, 0, err
	}
	if !codes[rec[2]] {
		return nil, 0, t.errorf("state %q is not one of Mexico's 32 state codes (cartelsim list states)", rec[2])
	}
	return rec, year, nil
}

func (t *tableReader) errorf(format string, args ...any) error {
	line, _ := t.r.FieldPos(0)
	return fmt.Errorf("sim: %s:%d: %s", t.path, line, fmt.Sprintf(format, args...))
}

// year reads a calendar year.
func (t *tableReader) year(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 1 || y > 9999 {
		return 0, t.errorf("year %q is not a calendar year", s)
	}
	return y, nil
}

// pickYear returns want if the table has it, or the last year when want is 0.
func pickYear(path string, years []int, want int) (int, error) {
	if len(years) == 0 {
		return 0, fmt.Errorf("sim: %s has no rows", path)
	}
	slices.Sort(years)
	years = slices.Compact(years)
	if want == 0 {
		return years[len(years)-1], nil
	}
	if !slices.Contains(years, want) {
		return 0, fmt.Errorf("sim: %s has no year %d: its years are %s", path, want, yearList(years))
	}
	return want, nil
}

// yearList writes years as ranges: 2025 to 2030, or 2025, 2027.
func yearList(years []int) string {
	if years[len(years)-1]-years[0] == len(years)-1 && len(years) > 1 {
		return fmt.Sprintf("%d to %d", years[0], years[len(years)-1])
	}
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, ", ")
}

// stateRow is one state's value on a map.
type stateRow struct {
	value float64 // a continuous map's median
	group string  // a categorical map's label; empty for none
	share float64 // a categorical map's: the fraction of replicates in which group is the state's
}

// stateMap is a map ready to draw: each state's value (or group), what it shows and
// where it comes from.
type stateMap struct {
	title, unit, source string
	categorical         bool
	rows                map[string]stateRow // by state code; a state absent has no data
	bounds              []mexico.Boundary
}

// readStateMetric reads metric's medians in year (0: the last) from states.csv.
func readStateMetric(path, metric string, year, replicates int) (*stateMap, int, error) {
	t, done, err := openTable(path, "maps need the states.csv of a run whose world has geography", strings.Split(strings.TrimSuffix(statesHeader, "\n"), ","))
	if err != nil {
		return nil, 0, err
	}
	defer done()
	codes := stateCodes()
	type row struct {
		year  int
		state string
		p50   float64
	}
	var rows []row
	var years []int
	var metrics []string
	scenario := ""
	for {
		rec, y, err := t.nextState(codes)
		if err != nil {
			return nil, 0, err
		}
		if rec == nil {
			break
		}
		if !slices.Contains(metrics, rec[4]) {
			metrics = append(metrics, rec[4])
		}
		if rec[4] != metric {
			continue
		}
		v, err := strconv.ParseFloat(rec[8], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, t.errorf("p50 %q is not a finite number", rec[8])
		}
		scenario = rec[0]
		years = append(years, y)
		rows = append(rows, row{y, rec[2], v})
	}
	if len(rows) == 0 {
		return nil, 0, fmt.Errorf("sim: %s has no rows of metric %s: its metrics are %s", path, metric, strings.Join(metrics, ", "))
	}
	year, err = pickYear(path, years, year)
	if err != nil {
		return nil, 0, err
	}
	d := mapDisplays[metric]
	m := &stateMap{
		title:  fmt.Sprintf("%s by state, %d (%s)", d.title, year, scenario),
		unit:   d.unit,
		source: mapSource("Median", replicates, scenario),
		rows:   map[string]stateRow{},
	}
	for _, r := range rows {
		if r.year != year {
			continue
		}
		if _, dup := m.rows[r.state]; dup {
			return nil, 0, fmt.Errorf("sim: %s: state %s has two rows of %s in %d", path, r.state, metric, year)
		}
		m.rows[r.state] = stateRow{value: r.p50}
	}
	return m, year, nil
}

var dominantHeader = []string{"scenario", "year", "state", "name", "group", "group_name", "share"}

// readDominant reads the dominant groups in year (0: the last) from dominant.csv.
func readDominant(path string, year, replicates int) (*stateMap, int, error) {
	t, done, err := openTable(path, "the map of dominant groups needs the run's dominant.csv", dominantHeader)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	codes := stateCodes()
	type row struct {
		year         int
		state, label string
		share        float64
	}
	var rows []row
	var years []int
	scenario := ""
	for {
		rec, y, err := t.nextState(codes)
		if err != nil {
			return nil, 0, err
		}
		if rec == nil {
			break
		}
		share, err := strconv.ParseFloat(rec[6], 64)
		if err != nil || !(share >= 0 && share <= 1) {
			return nil, 0, t.errorf("share %q is not a fraction from 0 to 1", rec[6])
		}
		label := rec[5]
		if label == "" {
			label = rec[4]
		}
		scenario = rec[0]
		years = append(years, y)
		rows = append(rows, row{y, rec[2], label, share})
	}
	year, err = pickYear(path, years, year)
	if err != nil {
		return nil, 0, err
	}
	m := &stateMap{
		title:       fmt.Sprintf("Dominant group by state, end of %d (%s)", year, scenario),
		source:      mapSource(fmt.Sprintf("The group with the largest presence at the end of %d in most", year), replicates, scenario),
		categorical: true,
		rows:        map[string]stateRow{},
	}
	for _, r := range rows {
		if r.year != year {
			continue
		}
		if _, dup := m.rows[r.state]; dup {
			return nil, 0, fmt.Errorf("sim: %s: state %s has two rows in %d", path, r.state, year)
		}
		m.rows[r.state] = stateRow{group: r.label, share: r.share}
	}
	return m, year, nil
}

// mapSource is a map's source line: what the values are, from which run.
func mapSource(what string, replicates int, scenario string) string {
	of := "the replicates"
	if replicates > 0 {
		of = fmt.Sprintf("%d replicates", replicates)
		if replicates == 1 {
			of = "1 replicate"
		}
	}
	return fmt.Sprintf("%s of %s of %s (cartelsim). Boundaries: Natural Earth.", what, of, scenario)
}

func stateCodes() map[string]bool {
	g, err := mexico.Load()
	if err != nil {
		panic(err) // the embedded data set, which the tests load
	}
	codes := map[string]bool{}
	for _, s := range g.States {
		codes[s.Code] = true
	}
	return codes
}

// Map size: fixed, with gonum/plot's embedded fonts, so the same table gives the same bytes.
const (
	mapWidth  = 16 * vg.Centimeter
	mapHeight = 10.5 * vg.Centimeter
)

var (
	noDataColor  = color.NRGBA{0xdd, 0xdd, 0xdd, 0xff}
	noGroupColor = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	borderColor  = color.NRGBA{0x60, 0x60, 0x60, 0xff}
	otherColor   = color.NRGBA{0x7f, 0x7f, 0x7f, 0xff} // groups past the palette
)

// mapLatitude is the latitude at which the map keeps distances true (equirectangular
// projection, longitude scaled by its cosine): Mexico's middle, as the boundaries'
// simplification took it.
const mapLatitude = 23.5

// sequentialColors is the continuous scale: ColorBrewer's YlOrRd (9 classes) interpolated
// in CIELAB with monotone lightness (Moreland's method).
func sequentialColors(lo, hi float64) (palette.ColorMap, error) {
	p, err := brewer.GetPalette(brewer.TypeSequential, "YlOrRd", 9)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	dark := slices.Clone(p.Colors()) // NewLuminance wants lightness rising: dark red first
	slices.Reverse(dark)
	lum, err := moreland.NewLuminance(dark)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	cm := palette.Reverse(lum)
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm, nil
}

// scaleTop is the top of a continuous map's scale: the largest value rounded up to a
// labelled tick, so the bar ends on a label.
func scaleTop(max float64) float64 {
	if !(max > 0) {
		return 1
	}
	step := niceStep(max)
	return math.Ceil(max/step-1e-9) * step
}

// fill is a state's colour.
type fill func(code string) color.Color

// weakShare is the share of replicates below which a categorical map pales a state's
// colour: its group is the most frequent, but in fewer than half the replicates.
const weakShare = 0.5

// pale is c halfway to white.
func pale(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8 + 0xff) / 2) }
	return color.NRGBA{mix(r), mix(g), mix(b), 0xff}
}

// groupFill is the colour of a state of a categorical map: its group's, paled where the
// group is dominant in fewer than half the replicates.
func groupFill(r stateRow, colors map[string]color.Color) color.Color {
	if r.group == "" {
		return noGroupColor
	}
	if r.share < weakShare {
		return pale(colors[r.group])
	}
	return colors[r.group]
}

// groupLegend orders a categorical map's groups by the number of states each holds (most
// first, then by name) and gives each a colour of the lineage palette (grey past it).
func groupLegend(rows map[string]stateRow) ([]string, map[string]color.Color) {
	count := map[string]int{}
	for _, r := range rows {
		if r.group != "" {
			count[r.group]++
		}
	}
	var groups []string
	for g := range count {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b string) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	palette := slices.DeleteFunc(slices.Clone(lineagePalette), func(c color.NRGBA) bool { return c == otherColor })
	colors := map[string]color.Color{}
	for i, g := range groups {
		if i < len(palette) {
			colors[g] = palette[i]
		} else {
			colors[g] = otherColor
		}
	}
	return groups, colors
}

// states draws the states' polygons filled by fill, fitted to the data area with equal
// scales on both axes.
type statesPlotter struct {
	bounds []mexico.Boundary
	fill   fill
}

func (s statesPlotter) Plot(c draw.Canvas, _ *plot.Plot) {
	k := math.Cos(mapLatitude * math.Pi / 180)
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, b := range s.bounds {
		for _, ring := range b.Polygons {
			for _, p := range ring {
				x0, x1 = min(x0, p[0]*k), max(x1, p[0]*k)
				y0, y1 = min(y0, p[1]), max(y1, p[1])
			}
		}
	}
	w, h := c.Max.X-c.Min.X, c.Max.Y-c.Min.Y
	scale := min(float64(w)/(x1-x0), float64(h)/(y1-y0))
	offX := c.Min.X + vg.Length((w-vg.Length(scale*(x1-x0)))/2) // x/2 is x*0.5, which would fuse
	offY := c.Min.Y + vg.Length((h-vg.Length(scale*(y1-y0)))/2)
	line := draw.LineStyle{Color: borderColor, Width: vg.Points(0.3)}
	for _, b := range s.bounds {
		for _, ring := range b.Polygons {
			pts := make([]vg.Point, len(ring))
			for i, p := range ring {
				pts[i] = vg.Point{X: offX + vg.Length((float64(p[0]*k)-x0)*scale), Y: offY + vg.Length((p[1]-y0)*scale)}
			}
			c.FillPolygon(s.fill(b.Code), pts)
			c.StrokeLines(line, pts)
		}
	}
}

// colourBar draws a continuous scale as thin bands over its plot's y range.
type colourBar struct{ cm palette.ColorMap }

func (b colourBar) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	const bands = 100
	lo, hi := b.cm.Min(), b.cm.Max()
	for i := range bands {
		v0 := lo + (hi-lo)*float64(i)/bands
		v1 := lo + (hi-lo)*float64(i+1)/bands
		clr, err := b.cm.At((v0 + v1) / 2)
		if err != nil {
			clr = noDataColor
		}
		y0, y1 := trY(v0), trY(v1)
		c.FillPolygon(clr, []vg.Point{{X: c.Min.X, Y: y0}, {X: c.Max.X, Y: y0}, {X: c.Max.X, Y: y1}, {X: c.Min.X, Y: y1}})
	}
	c.StrokeLines(draw.LineStyle{Color: borderColor, Width: vg.Points(0.3)},
		[]vg.Point{{X: c.Min.X, Y: trY(lo)}, {X: c.Max.X, Y: trY(lo)}, {X: c.Max.X, Y: trY(hi)}, {X: c.Min.X, Y: trY(hi)}, {X: c.Min.X, Y: trY(lo)}})
}

func (b colourBar) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, b.cm.Min(), b.cm.Max() }

// swatch is a legend entry's thumbnail: a filled, outlined square.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	side := min(c.Max.X-c.Min.X, c.Max.Y-c.Min.Y)
	x0, y0 := c.Min.X, c.Min.Y+vg.Length((c.Max.Y-c.Min.Y-side)/2)
	pts := []vg.Point{{X: x0, Y: y0}, {X: x0 + side, Y: y0}, {X: x0 + side, Y: y0 + side}, {X: x0, Y: y0 + side}}
	c.FillPolygon(s.c, pts)
	c.StrokeLines(draw.LineStyle{Color: borderColor, Width: vg.Points(0.3)}, append(pts, pts[0]))
}

// writeTo draws the map in format ("png" or "svg"): the title, the states, the scale (a
// colour bar on the right) or legend (below), and the source line at the bottom.
func (m *stateMap) writeTo(w io.Writer, format string) error {
	cv, err := newCanvas(mapWidth, mapHeight, format)
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	margin := vg.Points(4)
	dc = draw.Crop(dc, margin, -margin, margin, -margin)

	small := draw.TextStyle{Color: color.Gray{0x40}, Font: font.From(plot.DefaultFont, vg.Points(7)), Handler: plot.DefaultTextHandler}
	sourceH := small.Rectangle("Xg").Max.Y + vg.Points(4)
	dc.FillText(small, vg.Point{X: dc.Min.X, Y: dc.Min.Y}, m.source)
	body := draw.Crop(dc, 0, 0, sourceH, 0)

	missing := false
	for _, b := range m.bounds {
		if _, ok := m.rows[b.Code]; !ok {
			missing = true
		}
	}
	p := plot.New()
	p.Title.Text = m.title
	p.Title.Padding = vg.Points(6)
	p.HideAxes()
	p.Legend = plot.NewLegend()

	var legend []legendEntry
	var side func(draw.Canvas) // draws the scale beside the map
	var fillOf fill
	if m.categorical {
		groups, colors := groupLegend(m.rows)
		fillOf = func(code string) color.Color {
			r, ok := m.rows[code]
			if !ok {
				return noDataColor
			}
			return groupFill(r, colors)
		}
		for _, g := range groups {
			if colors[g] == otherColor {
				legend = append(legend, legendEntry{"other groups", []plot.Thumbnailer{swatch{otherColor}}})
				break
			}
			legend = append(legend, legendEntry{g, []plot.Thumbnailer{swatch{colors[g]}}})
		}
		for _, r := range m.rows {
			if r.group == "" {
				legend = append(legend, legendEntry{"no group present", []plot.Thumbnailer{swatch{noGroupColor}}})
				break
			}
		}
		for _, g := range groups {
			if weak := slices.ContainsFunc(slices.Collect(maps.Values(m.rows)), func(r stateRow) bool { return r.group == g && r.share < weakShare }); weak {
				legend = append(legend, legendEntry{"pale: in fewer than half the replicates", []plot.Thumbnailer{swatch{pale(colors[g])}}})
				break
			}
		}
	} else {
		top := 0.0
		for _, r := range m.rows {
			top = max(top, r.value)
		}
		cm, err := sequentialColors(0, scaleTop(top))
		if err != nil {
			return err
		}
		fillOf = func(code string) color.Color {
			r, ok := m.rows[code]
			if !ok {
				return noDataColor
			}
			c, err := cm.At(max(0, r.value))
			if err != nil {
				return noDataColor
			}
			return c
		}
		side = func(c draw.Canvas) {
			bar := plot.New()
			bar.HideX()
			bar.Y.Min, bar.Y.Max = cm.Min(), cm.Max()
			bar.Y.Tick.Marker = ValueTicks{}
			bar.Y.Label.Text = m.unit
			bar.Y.Label.TextStyle.Font.Size = vg.Points(9)
			bar.Y.Tick.Label.Font.Size = vg.Points(8)
			bar.Add(colourBar{cm})
			bar.Legend = plot.NewLegend()
			bar.Draw(c)
		}
	}
	if missing {
		legend = append(legend, legendEntry{"no data", []plot.Thumbnailer{swatch{noDataColor}}})
	}
	p.Add(statesPlotter{bounds: m.bounds, fill: fillOf})

	ch := &chart{p: p, legend: legend}
	cols, legendH := ch.legendLayout(body.Max.X - body.Min.X)
	mapArea := draw.Crop(body, 0, 0, legendH, 0)
	if side != nil {
		barW := 3.2 * vg.Centimeter
		mapArea = draw.Crop(mapArea, 0, -barW, 0, 0)
		titleH := p.Title.TextStyle.Rectangle(m.title).Max.Y + p.Title.Padding
		areaH := mapArea.Max.Y - mapArea.Min.Y - titleH
		bar := draw.Crop(body, body.Max.X-body.Min.X-barW+vg.Centimeter, 0, legendH+vg.Length(areaH*0.12), -(titleH + vg.Length(areaH*0.12)))
		side(bar)
	}
	p.Draw(mapArea)
	if len(cols) > 0 {
		strip := draw.Crop(body, 0, 0, 0, -(body.Max.Y - body.Min.Y - legendH + vg.Points(4)))
		colW := (strip.Max.X - strip.Min.X) / vg.Length(len(cols))
		for i, entries := range cols {
			lg := ch.newLegend()
			for _, e := range entries {
				lg.Add(e.text, e.thumbs...)
			}
			x0 := vg.Length(vg.Length(i) * colW)
			lg.Draw(draw.Crop(strip, x0, -(strip.Max.X - strip.Min.X - x0 - colW), 0, 0))
		}
	}
	_, err = cv.WriteTo(w)
	return err
}
