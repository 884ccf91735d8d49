package sim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/cartelsim/cartelsim/eventstudy"
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The files of an event study.
const (
	EventStudyFile = "eventstudy.csv"
	EventStudyPlot = "eventstudy" // .png and .svg
)

const eventStudyHeader = "window,month,effect,lo,hi,events\n"

// EventStudyOptions control an event study of a run.
type EventStudyOptions struct {
	OutDir  string
	Workers int    // <= 0: one per CPU
	Draws   int    // bootstrap draws; <= 0: eventstudy's default
	Seed    uint64 // of the bootstrap
}

// EventStudyResult is what EventStudy wrote.
type EventStudyResult struct {
	Scenario  string
	Removals  int // captures and killings in the run's replicates
	Estimates []eventstudy.Estimate
	Files     []string // relative to OutDir
}

// EventStudy runs the event study of package eventstudy on the run in runDir: it
// simulates the run's replicates again from its manifest (the scenario file with its
// --set overrides, checked against the recorded sha256, with the run's seed, replicates
// and mode: the same replicates, byte for byte), records each one's homicides by state
// and calendar month and its captures and killings, and writes eventstudy.csv and
// plots of the three windows into opts.OutDir.
//
// A week's homicides are shared equally among its seven days (the day after the
// previous week's end through its own end, Clock.Date) and each day counts in its
// calendar month; only whole months of the run make the panel. A removal belongs to the
// month of its week's last day; the states where its group operates are those the group
// holds at the end of that week (model.Replicate.LineagePresence).
func EventStudy(ctx context.Context, runDir string, opts EventStudyOptions) (*EventStudyResult, error) {
	if opts.OutDir == "" {
		return nil, errors.New("sim: an event study needs an output directory")
	}
	sc, world, err := rerunScenario(runDir)
	if err != nil {
		return nil, err
	}
	if world.Geography() == nil {
		return nil, fmt.Errorf("sim: %s: the world of %s has no geography (states); the event study needs a run on Mexico's states", runDir, sc.Name)
	}
	first, months := wholeMonths(sc.Clock)
	if months < 1 {
		return nil, fmt.Errorf("sim: %s: the run has no whole calendar month", runDir)
	}
	reps := make([]int, sc.Replicates)
	for i := range reps {
		reps[i] = i
	}
	panels := make([]*panelRecorder, len(reps))
	states := world.Geography().Len()
	err = replay(ctx, world, sc.Clock.Weeks, sc.Seed, reps, opts.Workers, func(i int) replayer {
		panels[i] = newPanelRecorder(sc.Clock, first, months, states)
		return panels[i]
	})
	if err != nil {
		return nil, err
	}
	res := &EventStudyResult{Scenario: sc.Name}
	panel := make([]eventstudy.Replicate, len(panels))
	for i, p := range panels {
		panel[i] = eventstudy.Replicate{Homicides: p.h, Removals: p.removals}
		res.Removals += len(p.removals)
	}
	if res.Removals == 0 {
		return nil, fmt.Errorf("sim: %s: no leader was captured or killed in its %d replicates; there is no event to study", runDir, len(reps))
	}
	res.Estimates, err = eventstudy.Run(panel, eventstudy.Options{Draws: opts.Draws, Seed: opts.Seed})
	if errors.Is(err, eventstudy.ErrNoEvents) {
		return nil, fmt.Errorf("sim: %s: none of its %d captures and killings has months %d to %+d within the run's whole months (%d)", runDir, res.Removals, eventstudy.From, eventstudy.To, months)
	}
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(opts.OutDir, PlotsDir), 0o755); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	for _, format := range []string{"png", "svg"} {
		c, err := eventStudyChart(sc.Name, res.Estimates)
		if err != nil {
			return nil, err
		}
		name := filepath.ToSlash(filepath.Join(PlotsDir, EventStudyPlot+"."+format))
		if err := saveSizedPlot(c, filepath.Join(opts.OutDir, name), format, plotWidth, plotHeight); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, name)
	}
	// The table last: its presence says the study is complete.
	err = WriteFileAtomic(filepath.Join(opts.OutDir, EventStudyFile), func(w io.Writer) error {
		return writeEventStudy(w, res.Estimates)
	})
	if err != nil {
		return nil, err
	}
	res.Files = append([]string{EventStudyFile}, res.Files...)
	return res, nil
}

// rerunScenario rebuilds the scenario and world of the complete run in dir from its
// manifest, as it ran.
func rerunScenario(dir string) (*scenario.Scenario, *model.World, error) {
	m, err := readManifest(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("sim: %s is not a run directory: it has no %s", dir, ManifestFile)
	}
	if err != nil {
		return nil, nil, err
	}
	switch {
	case m.Shard != nil:
		return nil, nil, fmt.Errorf("sim: %s holds shard %d of a run; merge the shards first (cartelsim merge)", dir, m.Shard.Index)
	case !m.Complete:
		return nil, nil, fmt.Errorf("sim: %s is not a complete run (%d of %d replicates); finish it with run --resume", dir, m.ReplicatesDone, m.Replicates)
	}
	var sets []scenario.Override
	for _, s := range m.Scenario.Overrides {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			return nil, nil, fmt.Errorf("sim: %s: its manifest records --set %q: %w", dir, s, err)
		}
		sets = append(sets, o)
	}
	sc, err := scenario.LoadScenarioWith(filepath.FromSlash(m.Scenario.File), sets)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: %s ran %s, which cannot be read again: %w", dir, m.Scenario.File, err)
	}
	if sc.SHA256 != m.Scenario.SHA256 {
		return nil, nil, fmt.Errorf("sim: %s ran %s, which has changed since (sha256 %.12s..., the run's %.12s...)", dir, m.Scenario.File, sc.SHA256, m.Scenario.SHA256)
	}
	sc.Seed, sc.Replicates = m.Seed, m.Replicates
	if sc.Mode, err = model.ParseMode(m.Mode); err != nil {
		return nil, nil, fmt.Errorf("sim: %s: %w", dir, err)
	}
	if sc.Clock.Weeks != m.Weeks {
		return nil, nil, fmt.Errorf("sim: %s ran %d weeks, %s has %d", dir, m.Weeks, m.Scenario.File, sc.Clock.Weeks)
	}
	world, err := sc.NewWorld()
	return sc, world, err
}

// monthOf numbers a date's calendar month: 12 x year + month - 1.
func monthOf(t time.Time) int { return 12*t.Year() + int(t.Month()) - 1 }

// wholeMonths returns the first whole calendar month of a run's days (monthOf) and how
// many whole months it has.
func wholeMonths(c scenario.Clock) (first, months int) {
	day1, last := c.Date(0).AddDate(0, 0, 1), c.Date(c.Weeks)
	first = monthOf(day1)
	if day1.Day() != 1 {
		first++
	}
	end := monthOf(last)
	if last.AddDate(0, 0, 1).Day() != 1 {
		end--
	}
	return first, end - first + 1
}

// panelRecorder keeps a replicate's homicides by whole month and state, and its removals.
type panelRecorder struct {
	clock         scenario.Clock
	first, states int
	h             [][]float64
	removals      []eventstudy.Removal
	seen          int // events already read
	scratch       []float64
}

func newPanelRecorder(clock scenario.Clock, first, months, states int) *panelRecorder {
	p := &panelRecorder{clock: clock, first: first, states: states, h: make([][]float64, months),
		scratch: make([]float64, states*int(model.NumStateMetrics))}
	for m := range p.h {
		p.h[m] = make([]float64, states)
	}
	return p
}

func (p *panelRecorder) week(r *model.Replicate, wk int, national []float64) {
	r.StateWeek(p.scratch)
	end := p.clock.Date(wk)
	for d := range 7 {
		m := monthOf(end.AddDate(0, 0, -d)) - p.first
		if m < 0 || m >= len(p.h) {
			continue
		}
		for s := range p.states {
			p.h[m][s] += p.scratch[s*int(model.NumStateMetrics)+int(model.StateHomicides)] / 7
		}
	}
	evs := r.Events()
	for _, ev := range evs[min(p.seen, len(evs)):] {
		if (ev.Kind == model.EventCapture || ev.Kind == model.EventKilling) && ev.State >= 0 && ev.State < p.states {
			p.removals = append(p.removals, eventstudy.Removal{Month: monthOf(p.clock.Date(ev.Week)) - p.first,
				State: ev.State, Group: r.LineagePresence(ev.Group)})
		}
	}
	p.seen = len(evs)
}

func (*panelRecorder) done(*model.Replicate) error { return nil }

// writeEventStudy writes eventstudy.csv: by window (own, others, rest), then month.
func writeEventStudy(w io.Writer, est []eventstudy.Estimate) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(eventStudyHeader)
	for _, e := range est {
		bw.WriteString(e.Window.String() + "," + strconv.Itoa(e.Month) + "," + formatFloat(e.Effect) + "," +
			formatFloat(e.Lo) + "," + formatFloat(e.Hi) + "," + strconv.Itoa(e.Events) + "\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sim: writing %s: %w", EventStudyFile, err)
	}
	return nil
}

// eventStudyWindows are the windows as the plot's legend names them.
var eventStudyWindows = [eventstudy.NumWindows]string{
	eventstudy.Own:    "state of the removal",
	eventstudy.Others: "other states of the group",
	eventstudy.Rest:   "rest of the country",
}

// eventStudyChart draws each window's effect by month with its 95% interval as a band.
func eventStudyChart(name string, est []eventstudy.Estimate) (*chart, error) {
	c := newChart("Homicides around captures and killings: "+name, "% change against the 12 months before", scenario.Clock{Weeks: 1}, nil)
	c.p.X.Tick.Marker = plot.DefaultTicks{}
	c.p.X.Label.Text = "months from the removal"
	c.p.X.Min, c.p.X.Max = eventstudy.From, eventstudy.To
	c.add("", plotter.NewFunction(func(float64) float64 { return 0 }))
	for w := range eventstudy.NumWindows {
		var mid, lo, hi plotter.XYs
		for _, e := range est {
			if e.Window != w || math.IsNaN(e.Effect) {
				continue
			}
			x := float64(e.Month)
			mid = append(mid, plotter.XY{X: x, Y: e.Effect})
			if !math.IsNaN(e.Lo) && !math.IsNaN(e.Hi) {
				lo, hi = append(lo, plotter.XY{X: x, Y: e.Lo}), append(hi, plotter.XY{X: x, Y: e.Hi})
			}
		}
		if len(mid) == 0 {
			continue
		}
		col := lineagePalette[int(w)%len(lineagePalette)]
		if len(lo) > 1 {
			poly := append(lo, reversed(hi)...)
			band, err := plotter.NewPolygon(poly)
			if err != nil {
				return nil, fmt.Errorf("sim: %w", err)
			}
			fill := col
			fill.A = 0x38
			band.Color, band.LineStyle.Width = fill, 0
			c.add("", band)
		}
		line, err := plotter.NewLine(mid)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		line.Color, line.Width = col, vg.Points(1.5)
		c.add(eventStudyWindows[w]+" (95% interval)", line)
	}
	c.finish()
	c.p.Y.Min = math.Min(c.p.Y.Min, 0)
	return c, nil
}

func reversed(xys plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, len(xys))
	for i, p := range xys {
		out[len(xys)-1-i] = p
	}
	return out
}
