package scenario

import (
	"fmt"
	"math"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/bacrim"
)

// fragmentation reads the optional fragmentation section: present (even empty), it
// switches group dynamics on with the defaults it overrides.
func (p *scenarioParser) fragmentation(n *yaml.Node) (*model.Fragmentation, error) {
	return readSection(p, "fragmentation", n, model.DefaultFragmentation, model.FragmentationFields)
}

// economy reads the optional economy section: present (even empty), it places groups on
// Mexico's states and runs labs, trafficking and the market.
func (p *scenarioParser) economy(n *yaml.Node) (*model.Economy, error) {
	return readSection(p, "economy", n, model.DefaultEconomy, model.EconomyFields)
}

// territory reads the optional territory section: present (even empty), it places
// groups on Mexico's states, where they spread and withdraw with their size, without
// labs or a market. An economy does that itself, with the same keys.
func (p *scenarioParser) territory(n *yaml.Node, economy bool) (*model.Territory, error) {
	if n.Kind != 0 && economy {
		return nil, p.fail("territory", "not with an economy section, which places the groups itself: give members_per_state and expansion_weeks under economy")
	}
	return readSection(p, "territory", n, model.DefaultTerritory, model.TerritoryFields)
}

// placed checks that every group of a world on the states has a home state there, and
// that only such a world gives groups several states.
func (p *scenarioParser) placed(wf *worldFile, cfg model.Config, geo *model.Geography) error {
	onStates := cfg.Economy != nil || cfg.Territory != nil
	for i, g := range wf.Groups {
		if len(g.States) > 1 && !onStates {
			return p.fail(fmt.Sprintf("world.groups[%d].states", i), "several states need the groups on the states: add a territory section (territory: {} for the defaults) or an economy section")
		}
	}
	if !onStates {
		return nil
	}
	if len(wf.Groups) == 0 {
		for _, g := range cfg.Network.Groups {
			if _, ok := geo.Lookup(g.State); !ok {
				return p.fail("world.dataset", "group %s has home state %q, not one of Mexico's states", g.ID, g.State)
			}
		}
		return nil
	}
	// A written group's states are resolved already: only a missing one is left.
	for i, g := range wf.Groups {
		if g.State == "" && len(g.States) == 0 {
			return p.fail(fmt.Sprintf("world.groups[%d].state", i), "missing: a world on the states places group %s in its home state (state: a code such as SIN or a name such as Sinaloa, or states: [home, others])", g.ID)
		}
	}
	return nil
}

// policy reads the optional policy section: present (even empty), it gives the states a
// cooperation index, corruption and the side effects of their actions.
func (p *scenarioParser) policy(n *yaml.Node) (*model.Policy, error) {
	return readSection(p, "policy", n, model.DefaultPolicy, model.PolicyFields)
}

// world builds the network and initial state: a data set, or groups written out.
func (p *scenarioParser) world(wf *worldFile, frag *model.Fragmentation) (model.Config, error) {
	if len(wf.Groups) == 0 {
		if _, ok := p.keys["world.groups"]; ok {
			return model.Config{}, p.fail("world.groups", "an empty list: write out at least one group, or remove the key to take the data set")
		}
		return p.datasetWorld(wf)
	}
	if _, ok := p.keys["world.dataset"]; ok {
		return model.Config{}, p.fail("world.dataset", "not allowed with world.groups (the groups are the world)")
	}
	defaults := model.DefaultFragmentation()
	if frag != nil {
		defaults = *frag
	}
	groups := make([]model.Group, len(wf.Groups))
	seen := make(map[string]bool, len(wf.Groups))
	for i, g := range wf.Groups {
		key := fmt.Sprintf("world.groups[%d]", i)
		switch {
		case g.ID == "":
			return model.Config{}, p.fail(key+".id", "missing")
		case seen[g.ID]:
			return model.Config{}, p.fail(key+".id", "duplicate group id %q", g.ID)
		case g.Members == nil:
			return model.Config{}, p.fail(key+".members", "missing")
		case !(*g.Members >= 0 && *g.Members <= MaxInitial):
			return model.Config{}, p.fail(key+".members", "%v is out of range (0 to %g)", *g.Members, MaxInitial)
		}
		seen[g.ID] = true
		name := g.Name
		if name == "" {
			name = g.ID
		}
		state := g.State
		if state != "" {
			var err error
			if state, err = p.states.resolve(g.State); err != nil {
				return model.Config{}, p.fail(key+".state", "%v", err)
			}
		}
		holds, err := p.groupStates(key, g)
		if err != nil {
			return model.Config{}, err
		}
		if len(holds) > 0 {
			state, holds = holds[0], holds[1:]
		}
		groups[i] = model.Group{ID: g.ID, Name: name, State: state, Holds: holds}
	}
	written := &refs{what: "group", where: "world.groups"}
	for _, g := range groups {
		written.entries = append(written.entries, refEntry{id: g.ID, forms: []string{g.ID, g.Name}})
	}
	var edges [2][]model.Edge
	for r, rel := range [2][]relationFile{wf.Rivalries, wf.Alliances} {
		section := [2]string{"world.rivalries", "world.alliances"}[r]
		for i, e := range rel {
			key := fmt.Sprintf("%s[%d]", section, i)
			if len(e.Between) != 2 {
				return model.Config{}, p.fail(key+".between", "want two groups, [a, b] (ids or names)")
			}
			var ends [2]string
			for j, ref := range e.Between {
				id, err := written.resolve(ref)
				if err != nil {
					return model.Config{}, p.fail(fmt.Sprintf("%s.between[%d]", key, j), "%v", err)
				}
				ends[j] = id
			}
			if e.Weight == nil {
				return model.Config{}, p.fail(key+".weight", "missing")
			}
			if w := float64(*e.Weight); !(w >= 0) || math.IsInf(w, 0) {
				return model.Config{}, p.fail(key+".weight", "%v, want a finite non-negative number", w)
			}
			edges[r] = append(edges[r], model.Edge{From: ends[0], To: ends[1], Weight: float64(*e.Weight)})
		}
	}
	net, err := model.NewNetwork(groups, edges[0], edges[1])
	if err != nil {
		return model.Config{}, p.fail("world.groups", "%v", strings.TrimPrefix(err.Error(), "model: "))
	}
	scale, err := p.writtenScale(wf)
	if err != nil {
		return model.Config{}, err
	}
	sizes := make([]float64, net.Len())
	leaders := make([]model.Leadership, net.Len())
	for i, g := range wf.Groups {
		k, _ := net.Lookup(g.ID)
		sizes[k] = float64(float64(*g.Members) * scale)
		l := defaults.DefaultLeadership(sizes[k])
		override(overriding{g.Lieutenants, &l.Lieutenants}, overriding{g.Clarity, &l.Clarity}, overriding{g.Cohesion, &l.Cohesion})
		if err := l.Validate(); err != nil {
			return model.Config{}, fieldError(p.file, fmt.Sprintf("world.groups[%d]", i), err, p.keys)
		}
		leaders[k] = l
	}
	return model.Config{Network: net, InitialSizes: sizes, Leadership: leaders}, nil
}

// writtenScale is the factor on written groups' members: 1, or with world.initial_members
// the factor that brings their total to it, the groups' members then giving only their
// shares (a calibration can free a world's size, which the record seldom gives, and keep
// the shares its sources describe).
func (p *scenarioParser) writtenScale(wf *worldFile) (float64, error) {
	if wf.InitialMembers == nil {
		return 1, nil
	}
	initial := float64(*wf.InitialMembers)
	if !(initial >= 0 && initial <= MaxInitial) {
		return 0, p.fail("world.initial_members", "%v is out of range (0 to %g)", initial, MaxInitial)
	}
	total := 0.0
	for _, g := range wf.Groups {
		total += float64(*g.Members)
	}
	if total == 0 {
		if initial == 0 {
			return 1, nil
		}
		return 0, p.fail("world.initial_members", "%v members to share, but the groups' members, which give the shares, are all 0", initial)
	}
	return initial / total, nil
}

// groupStates resolves a written group's states (its home state first), nil when it
// gives none.
func (p *scenarioParser) groupStates(key string, g groupFile) ([]string, error) {
	if _, ok := p.keys[key+".states"]; !ok {
		return nil, nil
	}
	switch {
	case g.State != "":
		return nil, p.fail(key+".states", "not with state: give the home state alone as state, or every state as states, the home state first")
	case len(g.States) == 0:
		return nil, p.fail(key+".states", "an empty list: give the group's states, its home state first")
	}
	codes := make([]string, len(g.States))
	first := make(map[string]int, len(g.States))
	for j, ref := range g.States {
		code, err := p.states.resolve(ref)
		if err != nil {
			return nil, p.fail(fmt.Sprintf("%s.states[%d]", key, j), "%v", err)
		}
		if k, dup := first[code]; dup {
			return nil, p.fail(fmt.Sprintf("%s.states[%d]", key, j), "%s is given twice (states[%d] is the same state)", ref, k)
		}
		first[code] = j
		codes[j] = code
	}
	return codes, nil
}

func (p *scenarioParser) datasetWorld(wf *worldFile) (model.Config, error) {
	for _, key := range []string{"rivalries", "alliances"} {
		if _, ok := p.keys["world."+key]; ok {
			return model.Config{}, p.fail("world."+key, "only allowed with world.groups")
		}
	}
	if wf.Dataset != nil && *wf.Dataset != "bacrim2020" {
		return model.Config{}, p.fail("world.dataset", "unknown data set %q (want bacrim2020)", *wf.Dataset)
	}
	initial := float64(model.DefaultInitialMembers)
	if v := wf.InitialMembers; v != nil {
		if !(*v >= 0 && *v <= MaxInitial) {
			return model.Config{}, p.fail("world.initial_members", "%v is out of range (0 to %g)", *v, MaxInitial)
		}
		initial = float64(*v)
	}
	dataset, err := bacrim.Load()
	if err != nil {
		return model.Config{}, err
	}
	net, err := dataset.Network()
	if err != nil {
		return model.Config{}, err
	}
	return model.Config{Network: net, InitialMembers: initial}, nil
}

// since reads world.since, the date the world's initial state describes, and returns the
// whole weeks from it to the scenario's start: the warm-up that brings the world forward.
func (p *scenarioParser) since(ref *WeekRef) (int, error) {
	if ref == nil {
		return 0, nil
	}
	fail := func(format string, args ...any) error {
		return &ScenarioError{File: p.file, Line: ref.line, Key: "world.since", Msg: fmt.Sprintf(format, args...)}
	}
	if ref.date.IsZero() {
		return 0, fail("%q is not a date (YYYY-MM-DD)", ref.raw)
	}
	if ref.date.After(p.clock.Start) {
		return 0, fail("%s is after the start, %s: the world must be given for an earlier date", ref.raw, p.clock.Start.Format(time.DateOnly))
	}
	days := int(p.clock.Start.Sub(ref.date).Hours() / 24)
	if days > 7*MaxWeeks {
		return 0, fail("%s is more than %d weeks before the start", ref.raw, MaxWeeks)
	}
	if days%7 != 0 {
		start := p.clock.Start
		return 0, fail("%s is not on the week grid (the start, %s, minus a multiple of 7 days): the nearest dates on it are %s and %s",
			ref.raw, start.Format(time.DateOnly), start.AddDate(0, 0, -7*(days/7+1)).Format(time.DateOnly), start.AddDate(0, 0, -7*(days/7)).Format(time.DateOnly))
	}
	return days / 7, nil
}
