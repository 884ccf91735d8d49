package sim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// ComparisonManifest is comparison.json: what was compared and how, written last. It
// holds no timestamps, so the same comparison by the same build writes the same bytes.
type ComparisonManifest struct {
	Complete bool      `json:"complete"`
	Version  string    `json:"version"`
	Build    BuildInfo `json:"build"` // the binary that made the comparison
	// Command is the command line that made the comparison, when there was one.
	Command         string              `json:"command,omitempty"`
	Scenarios       []ManifestScenario  `json:"scenarios"` // the first is the reference
	Seed            uint64              `json:"seed"`
	Replicates      int                 `json:"replicates"`
	Mode            string              `json:"mode"`
	StartDate       string              `json:"start_date"`
	Weeks           int                 `json:"weeks"`
	FirstDifference *ComparisonHorizon  `json:"first_difference"` // null: the scenarios never differ
	Horizons        []ComparisonHorizon `json:"horizons"`
	HorizonsFrom    string              `json:"horizons_from"`
	WindowWeeks     int                 `json:"window_weeks"`
	Pairing         string              `json:"pairing"`
	Metrics         []string            `json:"metrics"`
	Dropped         []string            `json:"dropped_metrics"`
	Files           []string            `json:"files"`
}

// ComparisonHorizon is a week of the run and the date it ends.
type ComparisonHorizon struct {
	Week int    `json:"week"`
	Date string `json:"date"`
}

func (c *Comparison) manifest(scs []*scenario.Scenario, command string) *ComparisonManifest {
	week := func(w int) ComparisonHorizon { return ComparisonHorizon{w, c.Clock.Date(w).Format(time.DateOnly)} }
	names := func(ms []model.Metric) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.String())
		}
		return out
	}
	m := &ComparisonManifest{
		Complete: true, Version: Version, Build: Build(), Command: command,
		Seed: c.Seed, Replicates: c.Replicates, Mode: scs[0].Mode.String(),
		StartDate: c.Clock.Start.Format(time.DateOnly), Weeks: c.Clock.Weeks,
		HorizonsFrom: "asked", WindowWeeks: HorizonWindow, Pairing: PairingNote,
		Metrics: names(c.Metrics), Dropped: names(c.Dropped),
		Files: []string{ComparisonFile, ComparisonTextFile},
	}
	for _, sc := range scs {
		m.Scenarios = append(m.Scenarios, manifestScenario(sc))
	}
	if c.FirstDifference > 0 {
		first := week(c.FirstDifference)
		m.FirstDifference = &first
	}
	if c.DefaultHorizons {
		m.HorizonsFrom = "default: " + defaultHorizonYearsText() + " years after the first difference, within the run"
	}
	for _, h := range c.Horizons {
		m.Horizons = append(m.Horizons, week(h))
	}
	return m
}

// comparisonOutputs are the files and folders compare writes in its output directory,
// besides one run directory per scenario: the manifest first, which is removed first and
// written last.
var comparisonOutputs = []string{ComparisonManifestFile, ComparisonFile, ComparisonTextFile, PlotsDir}

// prepareComparison creates dir, or checks that it holds no earlier comparison (nor a
// run). With force an earlier comparison's files are removed, manifest first, so that a
// comparison that fails part-way never leaves an old table or manifest beside new runs.
func prepareComparison(dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sim: cannot create output directory: %w", err)
	}
	found, err := ExistingFiles(dir, comparisonOutputs)
	if err != nil {
		return err
	}
	if len(found) > 0 && !force {
		return fmt.Errorf("sim: %s holds an earlier comparison (%s); use --force to replace it", dir, strings.Join(found, ", "))
	}
	for _, name := range found {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("sim: cannot replace earlier comparison: %w", err)
		}
	}
	return prepareOutput(dir, force)
}

// checkComparable refuses, before anything runs, scenarios that cannot be compared:
// duplicate names, a name that is one of compare's own outputs (its run directory would
// be that file or folder), or a start, length or mode other than the first scenario's.
// The errors are ScenarioErrors, naming the file: bad input, not a failure.
func checkComparable(scs []*scenario.Scenario) error {
	ref := scs[0]
	for i, sc := range scs {
		bad := func(key, format string, args ...any) error {
			return &scenario.ScenarioError{File: sc.File, Key: key, Msg: fmt.Sprintf(format, args...)}
		}
		// Names differing only in case share a directory on macOS and Windows.
		if j := slices.IndexFunc(scs[:i], func(o *scenario.Scenario) bool { return strings.EqualFold(o.Name, sc.Name) }); j >= 0 {
			return bad("name", "two scenarios are named %q (%s is %q); compare writes each to its own directory by name", sc.Name, scs[j].File, scs[j].Name)
		}
		if err := scenario.ValidName(sc.Name); err != nil {
			return bad("name", "%v (compare writes each scenario's run to the directory of its name); rename the scenario", err)
		}
		if k := slices.IndexFunc(comparisonOutputs, func(o string) bool { return strings.EqualFold(o, sc.Name) }); k >= 0 {
			return bad("name", "scenario name %q is taken by compare's own %s (compare writes each scenario's run to the directory of its name); rename the scenario", sc.Name, comparisonOutputs[k])
		}
		switch {
		case !sc.Clock.Start.Equal(ref.Clock.Start) || sc.Clock.Weeks != ref.Clock.Weeks:
			return bad("start", "%s runs %d weeks from %s, %s %d weeks from %s: compared scenarios must share start and length",
				sc.Name, sc.Clock.Weeks, sc.Clock.Start.Format(time.DateOnly), ref.Name, ref.Clock.Weeks, ref.Clock.Start.Format(time.DateOnly))
		case sc.Mode != ref.Mode:
			return bad("mode", "%s runs in %s mode, %s in %s: compared scenarios must share their mode", sc.Name, sc.Mode, ref.Name, ref.Mode)
		}
	}
	return nil
}

// CompareInterruptedError is returned when a comparison stops because its context was
// cancelled. It wraps the first run's InterruptedError (so a command line exits as for an
// interrupted run), but says what to do about a comparison: compare keeps no checkpoint
// of its own, so it starts again.
type CompareInterruptedError struct {
	Dir string
	N   int // scenarios, which run together
	Err *InterruptedError
}

func (e *CompareInterruptedError) Error() string {
	return fmt.Sprintf("sim: interrupted after %d of %d replicates of each of the %d scenarios; %s holds no comparison, "+
		"and compare cannot resume: run the same command again with --force", e.Err.Done, e.Err.Total, e.N, e.Dir)
}

func (e *CompareInterruptedError) Unwrap() error { return e.Err }

func interrupted(dir string, scs []*scenario.Scenario, err error) error {
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		ie = &InterruptedError{Dir: filepath.Join(dir, scs[0].Name), Total: scs[0].Replicates, Err: err}
	}
	return &CompareInterruptedError{Dir: dir, N: len(scs), Err: ie}
}
