package scenario

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

// interventions reads the interventions of a world with the given network; dynamic says
// whether its groups can split (decapitation needs it).
func (p *scenarioParser) interventions(list []interventionFile, cfg model.Config, dynamic bool) ([]model.Intervention, error) {
	var ivs []model.Intervention
	named := map[string]int{}
	for i, ivf := range list {
		prefix := fmt.Sprintf("interventions[%d]", i)
		if _, ok := p.keys[prefix+".name"]; ok {
			if !interventionName.MatchString(ivf.Name) {
				return nil, p.fail(prefix+".name", "%q is not a name: want letters, digits, '_' and '-', starting with a letter (--set interventions.<name>.<key> names it)", ivf.Name)
			}
			if first, dup := named[ivf.Name]; dup {
				return nil, p.fail(prefix+".name", "duplicate intervention name %q (interventions[%d] has it): a name must be unique", ivf.Name, first)
			}
			named[ivf.Name] = i
		}
		iv := model.Intervention{Kind: model.Kind(ivf.Kind), Actor: model.Actor(ivf.Actor), To: model.Forever, Removal: model.Removal(ivf.Mode),
			Enforced: ivf.Enforced, HaltShipments: ivf.HaltShipments, Respond: model.Response(ivf.Respond)}
		for _, req := range []struct {
			key     string
			missing bool
		}{{"kind", ivf.Kind == ""}, {"from", ivf.From == nil}, {"intensity", ivf.Intensity == nil}, {"actor", ivf.Actor == ""}} {
			if req.missing {
				return nil, p.fail(prefix+"."+req.key, "missing")
			}
		}
		if !slices.Contains(model.Kinds, iv.Kind) {
			return nil, p.fail(prefix+".kind", "%s", unknownWord("intervention kind", ivf.Kind, model.Kinds))
		}
		if !slices.Contains(model.Actors, iv.Actor) {
			return nil, p.fail(prefix+".actor", "%s", unknownWord("actor", ivf.Actor, model.Actors))
		}
		iv.Intensity = float64(*ivf.Intensity)
		var err error
		if iv.From, err = p.clock.resolve(ivf.From); err != nil {
			return nil, &ScenarioError{File: p.file, Line: ivf.From.line, Key: prefix + ".from", Msg: err.Error()}
		}
		if ivf.To != nil {
			if iv.To, err = p.clock.resolve(ivf.To); err != nil {
				return nil, &ScenarioError{File: p.file, Line: ivf.To.line, Key: prefix + ".to", Msg: err.Error()}
			}
		}
		if t := ivf.Targets; t != nil {
			for _, list := range []struct {
				key string
				n   int
			}{{"groups", len(t.Groups)}, {"states", len(t.States)}} {
				if _, ok := p.keys[prefix+".targets."+list.key]; ok && list.n == 0 {
					return nil, p.fail(prefix+".targets."+list.key, "an empty list: name at least one, or remove the key")
				}
			}
			iv.Targets.Groups = t.Groups
			if l := t.Largest; l != nil {
				switch {
				case l.n < 1:
					return nil, p.fail(prefix+".targets.largest", "%s, want at least 1", l)
				case l.n > MaxUnbounded:
					return nil, p.fail(prefix+".targets.largest", "%s", aboveCap(l.String()))
				}
				iv.Targets.Largest = l.n
			}
			if m := t.MinMembers; m != nil {
				if !(*m > 0) {
					return nil, p.fail(prefix+".targets.min_members", "%v, want a finite positive number", *m)
				}
				iv.Targets.MinMembers = float64(*m)
			}
			iv.Targets.States = t.States
		}
		iv.Casualties = model.DefaultCasualties(iv.Kind)
		if ivf.Casualties != nil {
			iv.Casualties = float64(*ivf.Casualties)
		}
		if r := ivf.RampUntil; r != nil {
			if iv.RampUntil, err = p.clock.resolve(r); err != nil {
				return nil, &ScenarioError{File: p.file, Line: r.line, Key: prefix + ".ramp_until", Msg: err.Error()}
			}
			if iv.RampUntil < iv.From {
				return nil, &ScenarioError{File: p.file, Line: r.line, Key: prefix + ".ramp_until",
					Msg: fmt.Sprintf("%s is before from, %s: a ramp ends after it starts", r.describe(iv.RampUntil), ivf.From.describe(iv.From))}
			}
		}
		if b := ivf.Breakaway; b != nil {
			if iv.Split, err = p.breakaway(prefix+".breakaway", b); err != nil {
				return nil, err
			}
		}
		if err := iv.Validate(); err != nil {
			return nil, fieldError(p.file, prefix, err, p.keys)
		}
		switch {
		case iv.Kind == model.Breakaway && !dynamic:
			return nil, p.fail(prefix+".kind", "a breakaway needs group dynamics: add a fragmentation section (fragmentation: {} for the defaults)")
		case iv.Kind == model.Deployment && cfg.Economy == nil && cfg.Territory == nil:
			return nil, p.fail(prefix+".kind", "a deployment needs the states: add a territory section (territory: {} for the defaults)")
		case iv.Kind == model.Decapitation && !dynamic:
			return nil, p.fail(prefix+".kind", "decapitation needs group dynamics: add a fragmentation section (fragmentation: {} for the defaults)")
		case iv.Kind == model.SpecialForcesRaids && !dynamic:
			return nil, p.fail(prefix+".kind", "special-forces-raids need group dynamics: add a fragmentation section (fragmentation: {} for the defaults)")
		case iv.Kind.NeedsEconomy() && cfg.Economy == nil:
			return nil, p.fail(prefix+".kind", "%s needs territory, labs and the market: add an economy section (economy: {} for the defaults)", iv.Kind)
		case iv.HaltShipments && cfg.Economy == nil:
			return nil, p.fail(prefix+".halt_shipments", "halting shipments needs territory, labs and the market: add an economy section (economy: {} for the defaults)")
		case iv.Kind.NeedsPolicy() && cfg.Policy == nil:
			return nil, p.fail(prefix+".kind", "%s acts through the states' policy: add a policy section (policy: {} for the defaults)", iv.Kind)
		case iv.Kind.AtSea() && cfg.Economy != nil && cfg.Economy.SeaRoutes == 0:
			return nil, p.fail(prefix+".kind", "%s acts on the sea lanes: open them (economy: {sea_routes: 1})", iv.Kind)
		case iv.Respond.Acts() && cfg.Policy == nil:
			return nil, p.fail(prefix+".respond", "responding to retaliation needs the states' policy: add a policy section (policy: {} for the defaults)")
		}
		iv.Targets.Groups = slices.Clone(iv.Targets.Groups)
		for j, g := range iv.Targets.Groups {
			id, err := p.groups.resolve(g)
			if err != nil {
				return nil, p.fail(fmt.Sprintf("%s.targets.groups[%d]", prefix, j), "%v", err)
			}
			iv.Targets.Groups[j] = id
		}
		iv.Targets.States = slices.Clone(iv.Targets.States)
		for j, st := range iv.Targets.States {
			code, err := p.states.resolve(st)
			if err != nil {
				return nil, p.fail(fmt.Sprintf("%s.targets.states[%d]", prefix, j), "%v", err)
			}
			iv.Targets.States[j] = code
		}
		ivs = append(ivs, iv)
	}
	return ivs, nil
}

// breakaway reads a breakaway's new group, resolving its states to their codes.
func (p *scenarioParser) breakaway(key string, b *breakawayFile) (*model.BreakawayGroup, error) {
	g := &model.BreakawayGroup{ID: b.ID, Name: b.Name}
	if b.ID == "" {
		return nil, p.fail(key+".id", "missing: the new group needs an id")
	}
	if b.Rivalry != nil {
		g.Rivalry = float64(*b.Rivalry)
	}
	for _, list := range []struct {
		name string
		in   []string
		out  *[]string
	}{{"states", b.States, &g.States}, {"ceded", b.Ceded, &g.Ceded}} {
		for j, st := range list.in {
			code, err := p.states.resolve(st)
			if err != nil {
				return nil, p.fail(fmt.Sprintf("%s.%s[%d]", key, list.name, j), "%v", err)
			}
			*list.out = append(*list.out, code)
		}
	}
	return g, nil
}

// interventionName is what an intervention's name may be: an identifier that is no
// index and holds no '.', so that interventions.<name>.intensity reads one way.
var interventionName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// unknownWord is the message for a word that is none of known: the nearest when it is
// close, else the list.
func unknownWord[T ~string](what, word string, known []T) string {
	words := make([]string, len(known))
	for i, k := range known {
		words[i] = string(k)
	}
	if hint := didYouMean(word, words); hint != "" {
		return fmt.Sprintf("unknown %s %q%s", what, word, hint)
	}
	return fmt.Sprintf("unknown %s %q (want one of %s)", what, word, strings.Join(words, ", "))
}

// resolve turns a week number or date into a week index within the run.
func (c Clock) resolve(w *WeekRef) (int, error) {
	week, days := w.week, 0
	if !w.date.IsZero() {
		days = int(w.date.Sub(c.Start).Hours() / 24)
		week = days / 7
		if days < 0 {
			week = -1
		}
	}
	if week < 0 || week > c.Weeks {
		return 0, fmt.Errorf("%s is outside the run (weeks 0 to %d, %s to %s)", w.raw, c.Weeks, c.Start.Format(time.DateOnly), c.Date(c.Weeks).Format(time.DateOnly))
	}
	if days%7 != 0 {
		var near []string
		for _, k := range []int{week, week + 1} {
			if k <= c.Weeks {
				near = append(near, c.Date(k).Format(time.DateOnly))
			}
		}
		nearest := "the nearest is " + near[0]
		if len(near) == 2 {
			nearest = "the nearest are " + near[0] + " and " + near[1]
		}
		return 0, fmt.Errorf("%s is not a week boundary of the run (the start, %s, plus a multiple of 7 days): %s", w.raw, c.Start.Format(time.DateOnly), nearest)
	}
	return week, nil
}
