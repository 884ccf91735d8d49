package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cartelsim/cartelsim/model"
)

// assumed is one row of "Assumptions that matter most".
type assumed struct {
	Key, Unit, Default, Plausible, Why, What string
	Varied, Set                              string
}

// Assumptions lists the registry's parameters with status assumed (model.Registry) in
// the sections the scenarios use: the values no publication or data set gives, which a
// reader should weigh first. Parameters an experiment varied, or a --set changed, are
// marked.
func Assumptions(s *Source) (Section, error) {
	used := map[string]bool{"parameters": true} // every world has the core parameters
	var notes []string
	for _, sc := range s.Scenarios() {
		if s.Options.ScenarioSections == nil {
			notes = append(notes, "the scenario files were not read")
			used = nil
			break
		}
		if s.Kind == Experiment {
			// The manifest's checksum is of the scenario as the design ran it (its set:
			// applied), not of the file: the file is read as it is now.
			sc.SHA256 = ""
		}
		secs, err := s.Options.ScenarioSections(sc)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s could not be read (%v)", sc.File, err))
			used = nil
			break
		}
		for _, x := range secs {
			used[x] = true
		}
	}
	varied := map[string]bool{}
	if s.Kind == Experiment {
		for _, f := range s.exp.m.Factors {
			varied[f.Key] = true
		}
	}
	set := map[string]string{}
	for _, sc := range s.Scenarios() {
		for _, o := range sc.Overrides {
			if k, v, ok := strings.Cut(o, "="); ok {
				set[k] = v
			}
		}
	}
	var rows []assumed
	var sections []string
	for _, p := range model.Registry() {
		if p.Status != model.Assumed || (used != nil && !used[p.Section]) {
			continue
		}
		if !slices.Contains(sections, p.Section) {
			sections = append(sections, p.Section)
		}
		key := p.Section + "." + p.Key
		r := assumed{Key: key, Unit: p.Unit, Default: num(p.Default),
			Plausible: fmt.Sprintf("%s to %s", num(p.Low), num(p.High)), Why: p.Source, What: p.Description}
		if varied[key] || (p.Section == "parameters" && varied[p.Key]) {
			r.Varied = "varied in this experiment"
		}
		if v, ok := set[key]; ok {
			r.Set = "set to " + v + " in this run"
		} else if v, ok := set[p.Key]; ok && p.Section == "parameters" {
			r.Set = "set to " + v + " in this run"
		}
		rows = append(rows, r)
	}
	these := fmt.Sprintf("These %d parameters of the sections the scenarios use (%s) have", len(rows), strings.Join(sections, ", "))
	if len(rows) == 1 {
		these = fmt.Sprintf("This parameter of the sections the scenarios use (%s) has", strings.Join(sections, ", "))
	}
	intro := these + " the status \"assumed\" in the parameter registry (cartelsim params): no publication or data set gives its value. Results that turn on it are only as good as the assumption; the plausible range is what an experiment should vary. Defaults are shown: a scenario file may set its own value."
	if len(rows) != 1 {
		intro = strings.NewReplacer("gives its value", "gives their values", "turn on it", "turn on them").Replace(intro)
	}
	if used == nil {
		intro = fmt.Sprintf("Every parameter with the status \"assumed\" in the parameter registry (cartelsim params) is listed, since %s: some may be in sections these scenarios do not use. No publication or data set gives their values; the plausible range is what an experiment should vary. Defaults are shown: a scenario file may set its own value.",
			strings.Join(notes, "; "))
	}
	body, err := fragment("assumptions", struct {
		Intro string
		Rows  []assumed
	}{intro, rows})
	return Section{ID: "assumptions", Title: "Assumptions that matter most", Body: body}, err
}
