package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// Options change what the page shows.
type Options struct {
	// Years are the calendar years at whose last week a run's findings are given, besides
	// the run's end (default: up to three years spread over the run).
	Years []int
	// ScenarioSections tells which registry sections (model.Sections) a scenario uses,
	// for "Assumptions that matter most". Nil, or an error for a scenario, lists every
	// assumed parameter with a note saying why. For an experiment the reference has no
	// SHA256: its manifest's is of the scenario with the design's set: applied.
	ScenarioSections func(ScenarioRef) ([]string, error)
	// Extra sections, added after the default ones.
	Extra []Builder
}

// Section is one part of the page: a heading and its HTML body. ID is its anchor.
type Section struct {
	ID, Title string
	Body      template.HTML
}

// A Builder makes one section from a Source. A section with an empty Title is left out
// (a builder that has nothing to say for this kind of directory).
type Builder func(*Source) (Section, error)

// Source is a directory read for a report.
type Source struct {
	Dir     string
	Kind    Kind
	Options Options
	// Raw is the directory's manifest (manifest.json, comparison.json or
	// experiment.json) as a map, for fields a section shows as they are.
	Raw map[string]any

	run *runData
	cmp *cmpData
	exp *expData
}

// Name is what the page calls the directory's contents: the scenario's, the
// experiment's, or the compared scenarios' names.
func (s *Source) Name() string {
	switch s.Kind {
	case Run:
		return s.run.m.Scenario.Name
	case Comparison:
		names := make([]string, len(s.cmp.m.Scenarios))
		for i, sc := range s.cmp.m.Scenarios {
			names[i] = sc.Name
		}
		return strings.Join(names, " vs ")
	}
	return s.exp.m.Design.Name
}

// Scenarios are the scenarios the directory ran, the reference first.
func (s *Source) Scenarios() []ScenarioRef {
	switch s.Kind {
	case Run:
		return []ScenarioRef{s.run.m.Scenario}
	case Comparison:
		return s.cmp.m.Scenarios
	}
	return s.exp.m.Scenarios
}

// Open reads dir and tells what it holds. Its errors are *InputError.
func Open(dir string, opts Options) (*Source, error) {
	kind, err := detect(dir)
	if err != nil {
		return nil, err
	}
	s := &Source{Dir: dir, Kind: kind, Options: opts}
	switch kind {
	case Run:
		err = s.readRun()
	case Comparison:
		err = s.readComparison()
	case Experiment:
		err = s.readExperiment()
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DefaultSections are the sections of a page, in order: what was run, the findings, the
// factors (experiments), the assumptions, the plots and how to reproduce it.
func DefaultSections() []Builder {
	return []Builder{WhatWasRun, Findings, Factors, Assumptions, Plots, Reproduce}
}

// Render writes the page of the directory dir to w.
func Render(w io.Writer, dir string, opts Options) error {
	s, err := Open(dir, opts)
	if err != nil {
		return err
	}
	return s.Render(w)
}

// Render writes the page: DefaultSections, then Options.Extra.
func (s *Source) Render(w io.Writer) error {
	page := struct {
		Title    string
		Kind     Kind
		Sections []Section
	}{Title: s.Name(), Kind: s.Kind}
	for _, b := range append(DefaultSections(), s.Options.Extra...) {
		sec, err := b(s)
		if err != nil {
			return err
		}
		if sec.Title != "" {
			page.Sections = append(page.Sections, sec)
		}
	}
	return pageTemplate.ExecuteTemplate(w, "page", page)
}

// fragment executes one of the templates into HTML for a section body.
func fragment(name string, data any) (template.HTML, error) {
	var b bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("report: %s: %w", name, err)
	}
	return template.HTML(b.String()), nil
}

// WhatWasRun says what was run: the scenarios, seed, replicates, horizon, mode, the
// command and the version, from the manifest.
func WhatWasRun(s *Source) (Section, error) {
	type row struct{ Key, Value string }
	var rows []row
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, row{k, v})
		}
	}
	var scs []ScenarioRef
	switch s.Kind {
	case Run:
		m := s.run.m
		add("What", "a run of one scenario")
		scs = []ScenarioRef{m.Scenario}
		add("Replicates", fmt.Sprint(m.Replicates))
		add("Seed", fmt.Sprint(m.Seed))
		add("Mode", m.Mode)
		add("Horizon", fmt.Sprintf("%d weeks, %s to %s", m.Weeks, m.StartDate, m.EndDate))
	case Comparison:
		m := s.cmp.m
		add("What", fmt.Sprintf("a comparison of %d scenarios against the first, %s", len(m.Scenarios), m.Scenarios[0].Name))
		scs = m.Scenarios
		add("Replicates", fmt.Sprintf("%d of each scenario", m.Replicates))
		add("Seed", fmt.Sprint(m.Seed))
		add("Mode", m.Mode)
		add("Horizon", fmt.Sprintf("%d weeks from %s", m.Weeks, m.StartDate))
		if m.FirstDifference != nil {
			add("First difference", fmt.Sprintf("week %d (the week to %s)", m.FirstDifference.Week, m.FirstDifference.Date))
		}
		add("Pairing", m.Pairing)
	case Experiment:
		m := s.exp.m
		add("What", fmt.Sprintf("an experiment (%s design) of %d points, each running %d scenarios", m.Design.Kind, m.Points, len(m.Scenarios)))
		add("Design file", m.Design.File)
		scs = m.Scenarios
		add("Replicates", fmt.Sprintf("%d at each point and scenario", m.Replicates))
		add("Seed", fmt.Sprint(m.Seed))
		add("Pairing", m.Pairing)
	}
	for i, sc := range scs {
		v := sc.Name + " (" + sc.File + ")"
		if len(sc.Overrides) > 0 {
			v += ", with --set " + strings.Join(sc.Overrides, ", ")
		}
		if s.Kind != Run && i == 0 {
			v += ", the reference"
		}
		add("Scenario", v)
	}
	if c, _ := s.Raw["command"].(string); c != "" {
		add("Command", c)
	}
	// The build, as far as the manifest records it.
	for _, k := range []string{"version", "module", "commit", "go_version", "goos", "goarch"} {
		if v, ok := s.Raw[k].(string); ok {
			add(strings.ReplaceAll(k, "_", " "), v)
		}
	}
	if b, ok := s.Raw["build"].(map[string]any); ok {
		keys := make([]string, 0, len(b))
		for k := range b {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add("build "+k, fmt.Sprint(b[k]))
		}
	}
	body, err := fragment("keyvalues", rows)
	return Section{ID: "what", Title: "What was run", Body: body}, err
}

// Findings gives the results in plain words with their intervals.
func Findings(s *Source) (Section, error) {
	var body template.HTML
	var err error
	switch s.Kind {
	case Run:
		body, err = s.runFindings()
	case Comparison:
		body, err = s.cmpFindings()
	case Experiment:
		body, err = s.expFindings()
	}
	return Section{ID: "findings", Title: "Findings", Body: body}, err
}

// Reproduce gives the commands that make the directory and this page again.
func Reproduce(s *Source) (Section, error) {
	var cmds []string
	command, _ := s.Raw["command"].(string)
	if command == "" && s.Kind == Run {
		m := s.run.m
		parts := []string{"cartelsim", "run", shellQuote(m.Scenario.File), "--out", shellQuote(s.Dir)}
		for _, o := range m.Scenario.Overrides {
			parts = append(parts, "--set", shellQuote(o))
		}
		parts = append(parts, "--seed", fmt.Sprint(m.Seed), "--replicates", fmt.Sprint(m.Replicates))
		if m.Mode != "" && m.Mode != "stochastic" {
			parts = append(parts, "--mode", m.Mode)
		}
		command = strings.Join(parts, " ")
	}
	if command != "" {
		cmds = append(cmds, command)
	}
	report := "cartelsim report " + shellQuote(s.Dir) + " --out report.html"
	for _, y := range s.Options.Years {
		report += fmt.Sprintf(" --year %d", y)
	}
	cmds = append(cmds, report)
	data := struct {
		Commands []string
		Files    []ScenarioRef
	}{cmds, s.Scenarios()}
	body, err := fragment("reproduce", data)
	return Section{ID: "reproduce", Title: "How to reproduce", Body: body}, err
}

// relPlot is a plot's path under the directory, for captions.
func relPlot(name string) string { return filepath.ToSlash(filepath.Join("plots", name)) }
