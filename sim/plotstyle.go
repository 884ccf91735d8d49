package sim

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cartelsim/cartelsim/internal/fpmath"
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// drawing says how a metric is drawn over time.
type drawing int

const (
	drawFan        drawing = iota // weekly median with 50% and 90% bands
	drawCumulative                // running total from the first week, with its bands
	drawMean                      // the mean across replicates (a rare stock: 0 or 1 in most replicates)
)

// metricDisplay is how plots name a metric: a title a reader of a paper can take as it
// is, the axis label (what is counted, in which unit), and how it is drawn. Rare events
// (the CumulativeMetrics) are drawn as running totals; for them axis names what the total
// counts.
type metricDisplay struct {
	title, axis string
	how         drawing
}

var metricDisplays = [model.NumMetrics]metricDisplay{
	model.Members:            {"Cartel members", "members", drawFan},
	model.Groups:             {"Criminal groups", "groups alive", drawFan},
	model.EffectiveGroups:    {"Effective number of groups", "groups (1/HHI of members)", drawFan},
	model.Deaths:             {"Conflict deaths per week", "deaths per week", drawFan},
	model.Homicides:          {"Homicides per week", "homicides per week", drawFan},
	model.Recruits:           {"Recruits per week", "recruits per week", drawFan},
	model.Incapacitated:      {"Members arrested or removed per week", "members per week", drawFan},
	model.SaturationExits:    {"Members lost to their cartel's size per week", "members per week", drawFan},
	model.LeadersRemoved:     {"Leaders captured or killed", "leaders", drawCumulative},
	model.Splits:             {"Groups split by succession wars", "splits", drawCumulative},
	model.Collapses:          {"Groups collapsed after losing their leader", "collapses", drawCumulative},
	model.NewGroups:          {"New groups", "groups", drawCumulative},
	model.Dissolutions:       {"Groups dissolved", "groups", drawCumulative},
	model.Dispersed:          {"Members dispersed when their group ended", "members", drawCumulative},
	model.Labs:               {"Labs in Mexico", "labs", drawFan},
	model.LabsNorth:          {"Labs in the north", "labs", drawFan},
	model.LabsPacific:        {"Labs on the Pacific coast", "labs", drawFan},
	model.LabsCentre:         {"Labs in the centre", "labs", drawFan},
	model.LabsSoutheast:      {"Labs in the south-east", "labs", drawFan},
	model.LabsAbroad:         {"Labs abroad", "labs", drawFan},
	model.LabsDestroyed:      {"Labs destroyed by strikes and raids", "labs", drawCumulative},
	model.Production:         {"Production per week", "doses per week", drawFan},
	model.Supply:             {"Supply reaching the US per week", "doses per week", drawFan},
	model.Seized:             {"Doses seized per week", "doses per week", drawFan},
	model.Price:              {"US wholesale price", "dollars per dose", drawFan},
	model.Revenue:            {"Cartel revenue per week", "dollars per week", drawFan},
	model.CivilianCasualties: {"Civilians killed by strikes and raids", "civilians", drawCumulative},
	model.Precursors:         {"Precursor batches per week", "batches per week", drawFan},
	model.CooperationIndex:   {"US-Mexico cooperation", "cooperation index (0 to 1)", drawFan},
	model.Extraditions:       {"Leaders extradited to the US", "leaders", drawCumulative},
	model.Retaliation:        {"Retaliation attacks on US citizens", "attacks", drawCumulative},
	model.GrievanceRecruits:  {"Recruits drawn by civilian casualties", "recruits", drawCumulative},
	model.Guns:               {"Stock of trafficked guns", "guns (1 = the stock at the start)", drawFan},
	model.Corruption:         {"Enforcement neutralised by corruption", "share of enforcement", drawFan},
	model.Truces:             {"Ceasefires holding", "ceasefires (mean over replicates)", drawMean},
	model.USConsumption:      {"Fentanyl-adulterated doses consumed in the US per week", "doses per week", drawFan},
	model.OverdoseDeaths:     {"US synthetic-opioid overdose deaths per week", "deaths per week", drawFan},
	model.SeaShipments:       {"Doses sailing on the sea lanes per week", "doses per week", drawFan},
	model.DeathsAtSea:        {"People killed in strikes on boats per week", "people per week", drawFan},
	model.USCasualties:       {"US service members killed in raids", "service members", drawCumulative},
	model.USAgentLimits:      {"Mexico's limits on US agents", "limits index (0 to 1)", drawFan},
	model.RivalsPerGroup:     {"Rivals of a group", "rivals per group (mean)", drawFan},
	model.AlliesPerGroup:     {"Allies of a group", "allies per group (mean)", drawFan},
}

// display returns how plots show metric m.
func display(m model.Metric) metricDisplay { return metricDisplays[m] }

// titleOf is the plot title of metric m drawn as how: for a running total, what it
// counts since when; week by week, per week.
func titleOf(m model.Metric, how drawing, clock scenario.Clock) string {
	d := display(m)
	if d.how == drawCumulative && how != drawCumulative {
		return d.title + " per week"
	}
	if how == drawCumulative {
		return fmt.Sprintf("%s since %s (cumulative)", d.title, clock.Start.Format("2 Jan 2006"))
	}
	return d.title
}

// axisOf is the y axis label of metric m drawn as how.
func axisOf(m model.Metric, how drawing) string {
	d := display(m)
	switch {
	case d.how == drawCumulative && how != drawCumulative:
		return d.axis + " per week"
	case how == drawCumulative:
		return d.axis + ", cumulative"
	}
	return d.axis
}

// ValueTicks labels a value axis for people: 0, 50k, 100k, 150k or 0, 200M, 400M, and
// thousands separators below 10,000, never scientific notation. Labelled ticks are 1, 2,
// 2.5 or 5 times a power of ten apart, four to seven of them; minor ticks halve them.
type ValueTicks struct{}

func (ValueTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []plot.Tick{{Value: lo, Label: CompactNumber(lo)}}
	}
	step := niceStep(hi - lo)
	var major []float64
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+float64(1e-9*step); k++ {
		major = append(major, float64(k*step)+0) // +0: no "-0"
	}
	if len(major) == 0 {
		return []plot.Tick{{Value: lo, Label: CompactNumber(lo)}, {Value: hi, Label: CompactNumber(hi)}}
	}
	labels := tickLabels(major)
	ticks := make([]plot.Tick, 0, 2*len(major)+1)
	for i, v := range major {
		ticks = append(ticks, plot.Tick{Value: v, Label: labels[i]})
		if half := v + float64(step/2); half <= hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	if first := major[0] - float64(step/2); first >= lo {
		ticks = append(ticks, plot.Tick{Value: first})
	}
	return ticks
}

// niceStep is the spacing of labelled ticks over a range: the smallest of 1, 2, 2.5 and
// 5 times a power of ten that leaves at most six intervals.
func niceStep(span float64) float64 {
	mag := math.Pow(10, math.Floor(fpmath.Log10(span/6)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if span/(f*mag) <= 6 {
			return f * mag
		}
	}
	return 10 * mag
}

// siSuffixes are the multiples tick labels use, largest first ("B" for a billion, as
// English-language papers write dollar amounts).
var siSuffixes = []struct {
	div    float64
	suffix string
}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}}

// tickLabels writes evenly spaced values with one multiple and as many decimals as
// their spacing needs.
func tickLabels(vs []float64) []string {
	big, step := 0.0, math.Inf(1)
	for i, v := range vs {
		big = max(big, math.Abs(v))
		if i > 0 {
			step = min(step, math.Abs(v-vs[i-1]))
		}
	}
	div, suffix := 1.0, ""
	if big >= 1e4 {
		for _, s := range siSuffixes {
			if big >= s.div {
				div, suffix = s.div, s.suffix
				break
			}
		}
	}
	decimals := 0 // as many as the step needs: 0.25 needs 2
	if !math.IsInf(step, 0) && step > 0 {
		for u := step / div; decimals < 9 && math.Abs(u-math.Round(u)) > 1e-6*u; u *= 10 {
			decimals++
		}
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		if v == 0 {
			out[i] = "0"
			continue
		}
		out[i] = groupThousands(strconv.FormatFloat(v/div, 'f', decimals, 64)) + suffix
	}
	return out
}

// CompactNumber writes x with three significant digits and a multiple from 10,000 on
// (12.3k, 1.23M, 402M), with thousands separators below, for labels of single values.
func CompactNumber(x float64) string {
	a := math.Abs(x)
	if a >= 1e4 {
		for _, s := range siSuffixes {
			if a >= s.div {
				v := x / s.div
				digits := max(0, 2-int(math.Floor(fpmath.Log10(math.Abs(v)))))
				return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(v, 'f', digits, 64), "0"), ".") + s.suffix
			}
		}
	}
	if a >= 100 || x == 0 {
		return groupThousands(strconv.FormatFloat(x, 'f', 0, 64))
	}
	digits := 2 - int(math.Floor(fpmath.Log10(a)))
	return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(x, 'f', digits, 64), "0"), ".")
}

// yearTicks marks calendar years on an axis of decimal years (decimalYear): a labelled
// tick on 1 January of every year, or of every 2nd, 5th or 10th on long runs, and minor
// ticks on the other years, or on the quarters of runs of up to six years.
type yearTicks struct{}

func (yearTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50} {
		step = s
		if span/float64(s) <= 10 {
			break
		}
	}
	var ticks []plot.Tick
	for y := int(math.Ceil(lo)); float64(y) <= hi; y++ {
		if y%step == 0 {
			ticks = append(ticks, plot.Tick{Value: float64(y), Label: strconv.Itoa(y)})
		} else {
			ticks = append(ticks, plot.Tick{Value: float64(y)})
		}
	}
	if step == 1 && span <= 6 {
		for y := int(math.Floor(lo)); float64(y) <= hi; y++ {
			for _, month := range []time.Month{time.April, time.July, time.October} {
				if x := decimalYear(time.Date(y, month, 1, 0, 0, 0, 0, time.UTC)); x >= lo && x <= hi {
					ticks = append(ticks, plot.Tick{Value: x})
				}
			}
		}
	}
	return ticks
}

// legendEntry is one line of a chart's legend.
type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

// chart is a plot with its legend kept apart, to be drawn outside the data area, and
// the intervention windows shaded behind its data.
type chart struct {
	p       *plot.Plot
	legend  []legendEntry
	windows []window
}

// newChart starts a chart over the weeks of clock with the project's axes, grid and, if
// any, shaded intervention windows.
func newChart(title, ylabel string, clock scenario.Clock, windows []window) *chart {
	p := plot.New()
	p.Title.Text = title
	p.Title.Padding = vg.Points(6)
	p.Y.Label.Text = ylabel
	p.Y.Tick.Marker = ValueTicks{}
	p.X.Tick.Marker = yearTicks{}
	p.X.Min, p.X.Max = decimalYear(clock.Date(0)), decimalYear(clock.Date(clock.Weeks))
	c := &chart{p: p, windows: windows}
	if len(windows) > 0 {
		p.Add(shading{windows})
	}
	p.Add(plotter.NewGrid())
	return c
}

// add draws ps and, with a label, lists them in the legend.
func (c *chart) add(label string, ps ...plot.Plotter) {
	c.p.Add(ps...)
	if label == "" {
		return
	}
	var thumbs []plot.Thumbnailer
	for _, p := range ps {
		if t, ok := p.(plot.Thumbnailer); ok {
			thumbs = append(thumbs, t)
		}
	}
	c.legend = append(c.legend, legendEntry{label, thumbs})
}

// finish starts the y axis at zero, fixes the x axis to the run (observations may lie
// beyond it) and labels the shaded windows over the data.
func (c *chart) finish() *chart {
	c.p.Y.Min = min(c.p.Y.Min, 0)
	if c.p.Y.Max <= c.p.Y.Min {
		c.p.Y.Max = c.p.Y.Min + 1
	}
	if len(c.windows) > 0 {
		// Headroom above the data for the windows' labels, a row each (at most four).
		rows := min(len(c.windows), labelRows)
		c.p.Y.Max += float64((c.p.Y.Max - c.p.Y.Min) * 0.07 * float64(rows))
		c.p.Add(windowLabels{c.windows})
	}
	return c
}

// labelRows is how many rows the windows' labels take before they start again at the top.
const labelRows = 4

// legendFontSize is the legend's type size; gonum's default is 12 points.
var legendFontSize = vg.Points(8)

// legendLayout splits the legend into columns below the plot: as many as fit the width
// (at most three), filled column by column.
func (c *chart) legendLayout(width vg.Length) (cols [][]legendEntry, height vg.Length) {
	if len(c.legend) == 0 {
		return nil, 0
	}
	lg := c.newLegend()
	widest := vg.Length(0)
	for _, e := range c.legend {
		widest = max(widest, lg.ThumbnailWidth+lg.TextStyle.Rectangle("  "+e.text).Max.X)
	}
	n := 1
	for k := min(3, len(c.legend)); k > 1; k-- {
		if vg.Length(k)*(widest+vg.Points(12)) <= width {
			n = k
			break
		}
	}
	rows := (len(c.legend) + n - 1) / n
	cols = make([][]legendEntry, n)
	for i, e := range c.legend {
		cols[i/rows] = append(cols[i/rows], e)
	}
	entry := lg.TextStyle.Rectangle("Xg").Max.Y + lg.Padding
	return cols, vg.Length(vg.Length(rows)*entry) + vg.Points(8)
}

func (c *chart) newLegend() plot.Legend {
	lg := plot.NewLegend()
	lg.TextStyle.Font.Size = legendFontSize
	lg.Padding = vg.Points(2)
	lg.Top, lg.Left = true, true
	lg.ThumbnailWidth = vg.Points(16)
	return lg
}

// writeTo draws the chart on a canvas of the given size and format ("png" or "svg"),
// the legend in a strip below the plot.
func (c *chart) writeTo(w io.Writer, width, height vg.Length, format string) error {
	cv, err := newCanvas(width, height, format)
	if err != nil {
		return err
	}
	dc := draw.New(cv)
	margin := vg.Points(4)
	dc = draw.Crop(dc, margin, -margin, margin, -margin)
	left := vg.Points(40) // under the data area, clear of the y axis label
	cols, legendH := c.legendLayout(dc.Max.X - dc.Min.X - left)
	c.p.Legend = plot.NewLegend() // empty: the legend is drawn below, not over the data
	c.p.Draw(draw.Crop(dc, 0, 0, legendH, 0))
	c.drawLegendColumns(draw.Crop(dc, left, 0, 0, 0), cols, legendH)
	_, err = cv.WriteTo(w)
	return err
}

// drawLegendColumns draws legendLayout's columns side by side in a strip of height
// legendH at the bottom of dc: the charts' and the maps' legends.
func (c *chart) drawLegendColumns(dc draw.Canvas, cols [][]legendEntry, legendH vg.Length) {
	if len(cols) == 0 {
		return
	}
	strip := draw.Crop(dc, 0, 0, 0, -(dc.Max.Y - dc.Min.Y - legendH + vg.Points(4)))
	colW := (strip.Max.X - strip.Min.X) / vg.Length(len(cols))
	for i, entries := range cols {
		lg := c.newLegend()
		for _, e := range entries {
			lg.Add(e.text, e.thumbs...)
		}
		x0 := vg.Length(vg.Length(i) * colW)
		lg.Draw(draw.Crop(strip, x0, -(strip.Max.X - strip.Min.X - x0 - colW), 0, 0))
	}
}

// window is an intervention's time in force, on the decimal-year axis.
type window struct {
	from, to float64
	label    string
}

// shadeColors alternate so that windows that follow one another stay apart.
var shadeColors = []color.NRGBA{{0x80, 0x80, 0x80, 0x24}, {0x80, 0x80, 0x80, 0x40}}

// shading fills the intervention windows from the bottom of the data area to its top.
type shading struct{ windows []window }

func (s shading) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for i, w := range s.windows {
		x0, x1 := trX(max(w.from, p.X.Min)), trX(min(w.to, p.X.Max))
		if x1 <= x0 {
			continue
		}
		c.FillPolygon(shadeColors[i%len(shadeColors)], []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

// windowLabels names each window at the top of its band, over the data.
type windowLabels struct{ windows []window }

func (s windowLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := draw.TextStyle{Color: color.Gray{0x40}, Font: font.From(plot.DefaultFont, vg.Points(7)), Handler: plot.DefaultTextHandler}
	lineH := sty.Rectangle("Xg").Max.Y
	pad := vg.Points(2)
	for i, w := range s.windows {
		x0 := trX(max(w.from, p.X.Min))
		if x0 >= c.Max.X {
			continue
		}
		y := c.Max.Y - vg.Length(vg.Length(i%labelRows+1)*(lineH+pad))
		tw := sty.Rectangle(w.label).Max.X
		x := min(x0+pad, c.Max.X-pad-tw)
		bg := color.NRGBA{0xff, 0xff, 0xff, 0xb0}
		c.FillPolygon(bg, []vg.Point{{X: x - 1, Y: y - 1}, {X: x + tw + 1, Y: y - 1}, {X: x + tw + 1, Y: y + lineH}, {X: x - 1, Y: y + lineH}})
		c.FillText(sty, vg.Point{X: x, Y: y}, w.label)
	}
}

// kindLabel writes an intervention kind for people: "lab-dismantling" as "lab dismantling".
func kindLabel(k model.Kind) string { return strings.ReplaceAll(string(k), "-", " ") }

// interventionWindows lists the windows to shade on the plots of the given scenarios
// (several for a comparison): one per distinct span of weeks, labelled with the kinds of
// intervention in force over it. An intervention in force over the whole run is the
// background of every week, and one of intensity zero does nothing: neither is shaded.
// In a comparison, a kind that only some scenarios have is labelled with their names
// (or, when all but the reference have it, as not in the reference).
func InterventionWindows(scs []*scenario.Scenario) []window {
	type span struct{ from, to float64 } // decimal years, each scenario on its own clock
	type entry struct {
		kind   model.Kind
		owners []string
	}
	var spans []span
	entries := map[span][]entry{}
	for _, sc := range scs {
		weeks := sc.Clock.Weeks
		for _, iv := range sc.Config().Interventions {
			from, to := max(iv.From, 0), min(iv.To, weeks)
			if iv.Intensity == 0 || from <= 1 && to >= weeks || from >= weeks || to <= 0 { // to <= 0: a history's, before the run
				continue
			}
			sp := span{decimalYear(sc.Clock.Date(from)), decimalYear(sc.Clock.Date(to))}
			es, seen := entries[sp]
			if !seen {
				spans = append(spans, sp)
			}
			k := slices.IndexFunc(es, func(e entry) bool { return e.kind == iv.Kind })
			if k < 0 {
				es = append(es, entry{kind: iv.Kind})
				k = len(es) - 1
			}
			if !slices.Contains(es[k].owners, sc.Name) {
				es[k].owners = append(es[k].owners, sc.Name)
			}
			entries[sp] = es
		}
	}
	slices.SortStableFunc(spans, func(a, b span) int {
		if a.from != b.from {
			return cmp.Compare(a.from, b.from)
		}
		return cmp.Compare(a.to, b.to)
	})
	whose := func(owners []string) string {
		switch {
		case len(scs) < 2 || len(owners) == len(scs):
			return ""
		case len(owners) == len(scs)-1 && !slices.Contains(owners, scs[0].Name):
			return " (not " + scs[0].Name + ")"
		}
		return " (" + strings.Join(owners, ", ") + ")"
	}
	ws := make([]window, len(spans))
	for i, sp := range spans {
		es := entries[sp]
		same := true
		var kinds []string
		for _, e := range es {
			kinds = append(kinds, kindLabel(e.kind))
			same = same && slices.Equal(e.owners, es[0].owners)
		}
		var label string
		if same {
			label = strings.Join(kinds, ", ") + whose(es[0].owners)
		} else {
			parts := make([]string, len(es))
			for k, e := range es {
				parts[k] = kinds[k] + whose(e.owners)
			}
			label = strings.Join(parts, "; ")
		}
		ws[i] = window{from: sp.from, to: sp.to, label: label}
	}
	return ws
}

// groupThousands puts commas between the thousands of a number's whole part.
func groupThousands(s string) string {
	sign := ""
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}
