package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Mode selects how a week is advanced.
type Mode int

const (
	// Stochastic draws every flow of every cartel each week (the default).
	Stochastic Mode = iota
	// MeanField integrates the expected dynamics deterministically (RK4, one-week steps,
	// cut into substeps when the rates are fast: stepRK4).
	MeanField
)

// ParseMode reads "stochastic" or "meanfield".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "stochastic":
		return Stochastic, nil
	case "meanfield":
		return MeanField, nil
	}
	return 0, fmt.Errorf("model: unknown mode %q (want meanfield or stochastic)", s)
}

func (m Mode) String() string {
	if m == MeanField {
		return "meanfield"
	}
	return "stochastic"
}

// Config describes a world before it runs.
type Config struct {
	Network *Network
	Params  Params
	// InitialMembers is the total expected membership at week 0; the group of rank k gets
	// (1/k)/sum_j(1/j) of it (the paper's Zipf assumption, 115,000 members in 2012).
	InitialMembers float64
	// InitialSizes, if set, gives each group's expected members at week 0 by rank
	// instead, and InitialMembers is ignored.
	InitialSizes []float64
	// Leadership, if set, gives each group's leadership at week 0 by rank; otherwise a
	// group starts with Fragmentation.DefaultLeadership of its expected size.
	Leadership []Leadership
	// Fragmentation, if set, lets groups split, collapse, dissolve and be born (stochastic
	// mode only). Nil keeps the network fixed, as in the paper; decapitation needs it.
	Fragmentation *Fragmentation
	// Economy, if set, places groups on Geography (each group starts in its Network
	// State and the states its Group.Holds names) and runs labs, trafficking and the
	// market (stochastic mode only). Nil keeps groups placeless, unless Territory is set;
	// airstrikes, lab dismantling, interdiction and demand reduction need it.
	Economy *Economy
	// Territory, if set, places groups on Geography as Economy does, spreading and
	// withdrawing with their size, without labs, trafficking or a market (stochastic mode
	// only). It is for worlds without an economy: an economy has the same parameters.
	Territory *Territory
	// Geography is the state graph that Economy or Territory places groups on; a world
	// with neither has none.
	Geography *Geography
	// Population, if set, makes the states' populations (the baseline homicides')
	// follow the calendar (population.go); nil keeps the Geography's counts in every
	// week. It needs a Geography.
	Population *Population
	// Policy, if set, gives the states a cooperation index, corruption, popular support,
	// retaliation, guns and ceasefires (stochastic mode only). Nil: interventions act at
	// their stated strength without side effects; cooperation, precursor control, arms
	// interdiction, anti-corruption and ceasefires need it.
	Policy *Policy
	// FentanylWeekOne, set by worlds whose weeks have dates (a scenario's), is the time in
	// weeks from 1 January of the economy's FentanylYear to the start of week 1, the
	// adulterated share's clock (overdose.go). Nil, in worlds without a calendar, counts
	// that clock from the world's first week (its warm-up's first).
	FentanylWeekOne *float64
	// WarmUpWeeks runs the world forward this many weeks from its initial state, without
	// interventions, before week 0: a world given for 2012 starts a 2025 scenario as it
	// stands in 2025, in every replicate by the same mechanism.
	WarmUpWeeks int
	// LateEconomy and LatePolicy hold the economy (labs, trafficking, the market) and the
	// policy back until week 1: the warm-up runs as a world with the economy's territory
	// and no policy, the labs are seeded at the end of the warm-up and the policy starts
	// there, as it would at week 0 of a world without a warm-up. For a warm-up that
	// replays a history which had neither (a scenario's world.history).
	LateEconomy, LatePolicy bool
	// Interventions act in the weeks they are active; one may start before week 0 (From
	// down to -WarmUpWeeks) to act in the warm-up, as a history's campaigns do.
	Interventions []Intervention
	Mode          Mode
}

// DefaultInitialMembers is the paper's membership at the start of 2012.
const DefaultInitialMembers = 115000

// World is a validated, immutable configuration from which replicates are made. It is safe
// for concurrent use by many replicates.
type World struct {
	cfg        Config
	expected   []float64 // expected initial size by rank
	leadership []Leadership
	frag       Fragmentation // zero when the network is fixed
	econ       Economy       // zero without an economy
	terr       Territory     // the territory's parameters (the economy's, with one); zero without geography
	pol        Policy        // zero without a policy
	population float64       // the Geography's people, at its counts; 0 without one
	homes      []int         // each initial group's home state, with geography
	held       []uint64      // each initial group's states at week 0, home included, with geography
	campaigns  []campaign
}

// campaign is an intervention with its named targets resolved: groups to initial groups
// (by rank), states to a bit set.
type campaign struct {
	Intervention
	named  []bool
	states uint64
	brk    breakPlan // a breakaway's, resolved (breakaway.go)
}

// ErrMeanFieldFragmentation is returned for a mean-field world with decapitation,
// fragmentation or an economy: a deterministic integration of expected sizes has no
// discrete leaders, splits, births or labs to represent.
var ErrMeanFieldFragmentation = errors.New("model: mean-field mode cannot represent leaders, splits, collapses, new groups, territory, labs or policy events: run fragmentation, territory, economy and policy worlds in stochastic mode")

// NewWorld validates the configuration.
func NewWorld(cfg Config) (*World, error) {
	if cfg.Network == nil || cfg.Network.Len() == 0 {
		return nil, errors.New("model: world has no network")
	}
	if err := cfg.Params.Validate(); err != nil {
		return nil, err
	}
	if !(cfg.InitialMembers >= 0 && cfg.InitialMembers <= MaxMembers) {
		return nil, fmt.Errorf("model: initial members %v, want a number from 0 to %g (MaxMembers)", cfg.InitialMembers, float64(MaxMembers))
	}
	if cfg.Mode != Stochastic && cfg.Mode != MeanField {
		return nil, fmt.Errorf("model: unknown mode %d", cfg.Mode)
	}
	n := cfg.Network.Len()
	if n > MaxGroups {
		return nil, fmt.Errorf("model: %d groups, more than the %d a world may have alive at once (MaxGroups)", n, MaxGroups)
	}
	w := &World{cfg: cfg, expected: make([]float64, n)}
	if cfg.Fragmentation != nil {
		if err := cfg.Fragmentation.Validate(); err != nil {
			return nil, err
		}
		w.frag = *cfg.Fragmentation
		w.cfg.Fragmentation = &w.frag
	}
	if err := w.placeGroups(cfg); err != nil {
		return nil, err
	}
	if cfg.Policy != nil {
		if err := cfg.Policy.Validate(); err != nil {
			return nil, err
		}
		w.pol = *cfg.Policy
		w.cfg.Policy = &w.pol
	}
	if cfg.WarmUpWeeks < 0 {
		return nil, fmt.Errorf("model: %d warm-up weeks, want none or more", cfg.WarmUpWeeks)
	}
	for _, iv := range cfg.Interventions {
		chk := iv
		if iv.From < 0 && iv.From >= -cfg.WarmUpWeeks {
			// A campaign of the warm-up: checked as if its weeks were counted from the
			// warm-up's first (To is then at most 0, never Forever).
			chk.From, chk.To = iv.From+cfg.WarmUpWeeks, iv.To+cfg.WarmUpWeeks
			if iv.RampUntil != 0 {
				chk.RampUntil = iv.RampUntil + cfg.WarmUpWeeks
			}
			if iv.To > 0 {
				return nil, fmt.Errorf("model: %s from warm-up week %d ends at week %d: a campaign of the warm-up ends by week 0", iv.Kind, iv.From, iv.To)
			}
		}
		if err := chk.Validate(); err != nil {
			return nil, err
		}
		switch {
		case iv.From < 0 && ((cfg.LateEconomy && (iv.Kind.NeedsEconomy() || iv.HaltShipments)) || (cfg.LatePolicy && iv.Kind.NeedsPolicy())):
			return nil, fmt.Errorf("model: %s in the warm-up, whose world has no economy or no policy until week 1", iv.Kind)
		case iv.Kind == Decapitation && !w.Dynamic():
			return nil, errors.New("model: decapitation needs fragmentation (leaders, succession and splits) switched on")
		case iv.Kind == SpecialForcesRaids && !w.Dynamic():
			return nil, errors.New("model: special-forces-raids need fragmentation (leaders, succession and splits) switched on")
		case iv.Respond.Acts() && !w.HasPolicy():
			return nil, fmt.Errorf("model: %s with respond: %s needs a policy (retaliation and the US response) switched on", iv.Kind, iv.Respond)
		case (iv.Kind.NeedsEconomy() || iv.HaltShipments) && !w.HasEconomy():
			return nil, fmt.Errorf("model: %s needs an economy (territory, labs and the market) switched on", iv.Kind)
		case iv.Kind.NeedsPolicy() && !w.HasPolicy():
			return nil, fmt.Errorf("model: %s needs a policy (cooperation, corruption and side effects) switched on", iv.Kind)
		}
		if err := w.validateSeaWorld(iv); err != nil {
			return nil, err
		}
		c, err := w.newCampaign(iv)
		if err == nil {
			c, err = w.resolveOwn(c) // breakaways and deployments (breakaway.go, deployment.go)
		}
		if err != nil {
			return nil, err
		}
		w.campaigns = append(w.campaigns, c)
	}
	if (w.Dynamic() || w.HasGeography() || w.HasPolicy()) && cfg.Mode == MeanField {
		return nil, ErrMeanFieldFragmentation
	}
	if cfg.Geography != nil {
		for _, st := range cfg.Geography.States {
			w.population += st.Population
		}
	} else if cfg.Params.PoolRecruitment > 0 {
		return nil, errors.New("model: pool recruitment needs a geography (the population it recruits from)")
	}
	if cfg.Population != nil {
		if cfg.Geography == nil {
			return nil, errors.New("model: a population path needs a geography (the states whose populations it scales)")
		}
		if err := cfg.Population.validate(); err != nil {
			return nil, err
		}
		pop := *cfg.Population
		pop.Counts = append([]PopulationCount(nil), pop.Counts...)
		w.cfg.Population = &pop
	}
	if cfg.InitialSizes != nil {
		if len(cfg.InitialSizes) != n {
			return nil, fmt.Errorf("model: %d initial sizes for %d groups", len(cfg.InitialSizes), n)
		}
		total := 0.0
		for i, x := range cfg.InitialSizes {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				return nil, fmt.Errorf("model: group %s has initial size %v, want a finite non-negative number", cfg.Network.Groups[i].ID, x)
			}
			total += x
		}
		if total > MaxMembers {
			return nil, fmt.Errorf("model: the groups' initial sizes add up to %g members, more than %g (MaxMembers)", total, float64(MaxMembers))
		}
		copy(w.expected, cfg.InitialSizes)
	} else {
		harmonic := 0.0
		for k := 1; k <= n; k++ {
			harmonic += 1 / float64(k)
		}
		for k := range w.expected {
			w.expected[k] = cfg.InitialMembers / float64(k+1) / harmonic
		}
	}
	if cfg.Leadership != nil && len(cfg.Leadership) != n {
		return nil, fmt.Errorf("model: %d leaderships for %d groups", len(cfg.Leadership), n)
	}
	w.leadership = make([]Leadership, n)
	rules := w.frag // a fixed network never uses leaders, but keeps valid defaults
	if !w.Dynamic() {
		rules = DefaultFragmentation()
	}
	for i := range w.leadership {
		if cfg.Leadership != nil {
			w.leadership[i] = cfg.Leadership[i]
		} else {
			w.leadership[i] = rules.DefaultLeadership(w.expected[i])
		}
		if err := w.leadership[i].Validate(); err != nil {
			return nil, fmt.Errorf("model: group %s: %s", cfg.Network.Groups[i].ID, err.(*FieldError).Msg)
		}
	}
	w.cfg.Interventions = append([]Intervention(nil), cfg.Interventions...)
	return w, nil
}

func (w *World) newCampaign(iv Intervention) (campaign, error) {
	c := campaign{Intervention: iv}
	for _, name := range iv.Targets.States {
		i, ok := w.cfg.Geography.Lookup(name)
		if !ok {
			return c, fieldErrorf("targets", "%s targets unknown state %q", iv.Kind, name)
		}
		c.states |= 1 << i
	}
	if len(iv.Targets.Groups) == 0 {
		return c, nil
	}
	c.named = make([]bool, w.cfg.Network.Len())
	for _, name := range iv.Targets.Groups {
		i, ok := w.cfg.Network.Lookup(name)
		if !ok {
			return c, fieldErrorf("targets", "%s targets unknown group %q", iv.Kind, name)
		}
		c.named[i] = true
	}
	return c, nil
}

// placeGroups validates the economy or territory and finds each group's states at week
// 0: its home state and those it holds besides.
func (w *World) placeGroups(cfg Config) error {
	switch {
	case cfg.Economy != nil && cfg.Territory != nil:
		return errors.New("model: a world has an economy or a territory, not both (an economy has the territory's parameters)")
	case cfg.Economy != nil:
		if err := cfg.Economy.Validate(); err != nil {
			return err
		}
		if cfg.Geography == nil {
			return errors.New("model: an economy needs a geography")
		}
		w.econ = *cfg.Economy
		w.cfg.Economy = &w.econ
		w.terr = Territory{MembersPerState: w.econ.MembersPerState, ExpansionWeeks: w.econ.ExpansionWeeks}
		if err := w.validateSeaGeography(); err != nil {
			return err
		}
	case cfg.Territory != nil:
		if err := cfg.Territory.Validate(); err != nil {
			return err
		}
		if cfg.Geography == nil {
			return errors.New("model: a territory needs a geography")
		}
		w.terr = *cfg.Territory
		w.cfg.Territory = &w.terr
	case cfg.Geography != nil:
		return errors.New("model: a geography needs an economy or a territory to place the groups on it")
	default:
		return nil
	}
	w.homes = make([]int, cfg.Network.Len())
	w.held = make([]uint64, cfg.Network.Len())
	for i, g := range cfg.Network.Groups {
		s, ok := cfg.Geography.Lookup(g.State)
		if !ok {
			return fmt.Errorf("model: group %s has home state %q, not a state of the geography", g.ID, g.State)
		}
		w.homes[i] = s
		w.held[i] = 1 << s
		for _, name := range g.Holds {
			v, ok := cfg.Geography.Lookup(name)
			switch {
			case !ok:
				return fmt.Errorf("model: group %s holds state %q, not a state of the geography", g.ID, name)
			case w.held[i]&(1<<v) != 0:
				return fmt.Errorf("model: group %s holds state %q twice (its home state counts)", g.ID, name)
			}
			w.held[i] |= 1 << v
		}
	}
	return nil
}

// HasEconomy reports whether groups have territory, labs and a market.
func (w *World) HasEconomy() bool { return w.cfg.Economy != nil }

// HasGeography reports whether groups are placed on the states of a Geography: a world
// with an economy or a territory.
func (w *World) HasGeography() bool { return w.cfg.Economy != nil || w.cfg.Territory != nil }

// HasPolicy reports whether the states have a cooperation index, corruption and side
// effects.
func (w *World) HasPolicy() bool { return w.cfg.Policy != nil }

// Produces reports whether some week of some replicate of the world can give metric m a
// value other than 0. Groups, their flows and their endings (a group left with no members
// dissolves in any world) are always produced; leaders removed, splits, collapses and new
// groups need Fragmentation; labs, the market, strikes' casualties and precursors need
// an Economy, as do US consumption and overdose deaths; cooperation, extraditions, retaliation, grievance recruits, guns,
// corruption and ceasefires need a Policy; civilian casualties need an Economy (strikes)
// or a Policy (special-forces raids). Statistics need not fold a metric the world
// cannot produce: it is 0 in every week.
func (w *World) Produces(m Metric) bool {
	switch m {
	case LeadersRemoved, Splits, Collapses, NewGroups:
		return w.Dynamic()
	case Labs, LabsNorth, LabsPacific, LabsCentre, LabsSoutheast, LabsAbroad, LabsDestroyed,
		Production, Supply, Seized, Price, Revenue, Precursors,
		USConsumption, OverdoseDeaths, SeaShipments, DeathsAtSea:
		return w.HasEconomy()
	case CivilianCasualties:
		return w.HasEconomy() || w.HasPolicy()
	case CooperationIndex, Extraditions, Retaliation, GrievanceRecruits, Guns, Corruption, Truces, USCasualties, USAgentLimits:
		return w.HasPolicy()
	}
	return m >= 0 && m < NumMetrics
}

// LogsEvents reports whether a replicate of the world can log any event (RecordEvents):
// leadership removals and splits need group dynamics, strikes an economy, ceasefires a
// policy. A world with none of them logs nothing, so there is nothing to replay for it.
func (w *World) LogsEvents() bool { return w.Dynamic() || w.HasEconomy() || w.HasPolicy() }

// Geography returns the world's geography, nil without an economy or a territory.
func (w *World) Geography() *Geography { return w.cfg.Geography }

// Mode returns the world's mode.
func (w *World) Mode() Mode { return w.cfg.Mode }

// Network returns the world's network.
func (w *World) Network() *Network { return w.cfg.Network }

// Params returns the baseline parameters, before interventions.
func (w *World) Params() Params { return w.cfg.Params }

// Dynamic reports whether groups can split, collapse, dissolve and be born.
func (w *World) Dynamic() bool { return w.cfg.Fragmentation != nil }

// ExpectedInitialSizes returns the expected size of each group at week 0, by rank.
func (w *World) ExpectedInitialSizes() []float64 { return append([]float64(nil), w.expected...) }

// InitialLeadership returns each group's leadership at week 0, by rank.
func (w *World) InitialLeadership() []Leadership { return append([]Leadership(nil), w.leadership...) }

// ParamsAt returns the parameters in force during the step that ends at week wk.
func (w *World) ParamsAt(wk int) Params {
	p := w.cfg.Params
	for _, iv := range w.cfg.Interventions {
		if iv.Active(wk) {
			iv.apply(&p)
		}
	}
	return p
}

// Replicate is one realisation of a world: its state and the scratch space its steps
// need, so that stepping allocates nothing (beyond amortised growth when groups are
// born). Reuse one with Reset.
type Replicate struct {
	w *World
	groups
	statecraft
	k1, k2, k3, k4, c2 []float64 // RK4 stages (mean-field only; its groups never change)
	warmUp             []float64 // the metrics of warm-up weeks, discarded
	err                *RunawayError
	week               int // the last week stepped (Week)
	recording          bool
	events             []Event
}

// NewReplicate allocates a replicate; call Reset before stepping it.
func (w *World) NewReplicate() *Replicate {
	n := w.cfg.Network.Len()
	r := &Replicate{w: w}
	if w.cfg.Mode == MeanField {
		for _, s := range []*[]float64{&r.k1, &r.k2, &r.k3, &r.k4, &r.c2} {
			*s = make([]float64, n)
		}
	}
	return r
}

// Reset sets week 0: expected sizes in mean-field mode, Poisson draws with those means
// in stochastic mode, then the world's warm-up weeks (numbered up to 0, so that lineage
// records of groups born in them have negative weeks). rng may be nil in mean-field mode.
func (r *Replicate) Reset(rng *rand.Rand) {
	r.err = nil
	r.events = r.events[:0]
	r.groups.reset(r.w)
	r.statecraft.reset(r.w)
	for i, m := range r.w.expected {
		if r.w.cfg.Mode == MeanField {
			r.c[i] = m
		} else {
			r.c[i] = Poisson(rng, m)
		}
		r.peak[i] = r.c[i]
	}
	// A group drawn with no members has ended: the first week settles it, as it does
	// groups that fall below the floor (the step flags only those that had members).
	r.unsettled = true
	late := r.w.cfg.WarmUpWeeks > 0
	if r.w.HasEconomy() && !(late && r.w.cfg.LateEconomy) {
		r.seedLabs()
	}
	if late {
		r.statecraft.on = r.w.HasPolicy() && !r.w.cfg.LatePolicy
		r.warmUp = resize(r.warmUp, int(NumMetrics))
		for wk := 1 - r.w.cfg.WarmUpWeeks; wk <= 0 && r.err == nil; wk++ {
			r.Step(wk, rng, r.warmUp)
		}
		r.statecraft.on = r.w.HasPolicy()
		if r.w.HasEconomy() && r.w.cfg.LateEconomy {
			r.seedLabs()
		}
	}
	r.week = 0
}

// economyOn reports whether week wk runs the economy: a world with one, from week 1 if it
// is late (Config.LateEconomy).
func (r *Replicate) economyOn(wk int) bool {
	return r.w.HasEconomy() && (wk > 0 || !r.w.cfg.LateEconomy)
}

// Sizes returns the current members by slot; the slice is the replicate's own. Until a
// group is born, slot k is the group of rank k+1; a dead group's slot holds 0 and may
// later be reused by a new group.
func (r *Replicate) Sizes() []float64 { return r.c }

// ConflictExposure sets out[i] = (K c)_i for the current sizes, with the conflict kernel
// K_ij = (R_ij + b)/(A_i + 1), K_ii = 0, of the replicate's current network (b the
// baseline hostility, 1 in the paper), and returns S = sum_j c_j; in a world with
// geography, (K c)_i is the mean exposure of group i's members where they are (see
// space.go and docs/space.md). out needs one entry per slot (len(Sizes())).
func (r *Replicate) ConflictExposure(out []float64) float64 { return r.conflictExposure(r.c, out) }

// Lineage returns every group the replicate has had, initial groups first by rank, then
// in order of birth; the slice is the replicate's own, valid until the next Reset.
func (r *Replicate) Lineage() []LineageRecord {
	r.syncPeaks()
	return r.lineage
}

// Step advances the replicate by the week that ends at week wk (1-based) and writes the
// week's metrics, indexed by Metric, into out (len >= NumMetrics). rng may be nil in
// mean-field mode. The runaway guard checks the week (see MaxMembers): a replicate it
// stops reports why through Err, and its later steps only clear out.
func (r *Replicate) Step(wk int, rng *rand.Rand, out []float64) {
	r.week = wk
	clear(out[:NumMetrics])
	if r.space.on {
		clear(r.space.deaths)
		clear(r.space.civilians)
		clear(r.space.homicides)
	}
	if r.err != nil {
		return
	}
	p := r.w.ParamsAt(wk)
	r.space.hostility, r.space.adjacent, r.space.sharing = p.BaselineHostility, p.AdjacentWeight, p.SaturationSharing > 0
	r.deploy(wk)
	r.territory.lost = 0
	if r.statecraft.on {
		r.adjust(wk, &p)
	}
	var f flows
	if r.w.cfg.Mode == MeanField {
		f = r.stepRK4(wk, p)
	} else {
		f = r.stepStochastic(p, rng)
		r.endOfWeek(wk, p, &f, rng, out)
		if r.economyOn(wk) {
			r.economyWeek(wk, p, rng, out)
		} else if r.w.HasGeography() {
			r.spread(rng) // territory without labs or a market
		}
		if r.statecraft.on {
			f.recruits += r.policyWeek(wk, rng, out)
		}
	}
	var members, sumSq, alive float64
	for _, x := range r.c {
		members += x
		sumSq += float64(x * x)
		if x >= 1 {
			alive++
		}
	}
	out[Members] = members
	out[Groups] = alive
	if alive > 0 {
		rivals, allies := r.linkEnds()
		out[RivalsPerGroup], out[AlliesPerGroup] = rivals/alive, allies/alive
	}
	if sumSq > 0 {
		out[EffectiveGroups] = members * members / sumSq
	}
	out[Deaths] = f.deaths
	if r.space.on {
		out[Homicides] = r.homicideWeek(p)
	} else {
		out[Homicides] = f.deaths * p.HomicideRatio
	}
	out[Recruits] = f.recruits
	out[Incapacitated] = f.incapacitated
	out[SaturationExits] = f.saturation
	r.guard(wk, out)
}

// linkEnds counts the rivalries' and the alliances' ends among groups with members (x >= 1,
// as out[Groups] counts them), each link twice, once from each end: every end at a group
// with members, less those of links from the few groups without (links are symmetric), so
// that the week's cost is the groups', not the links'. One pass serves both networks.
func (r *Replicate) linkEnds() (rivals, allies float64) {
	nr, na := 0, 0
	for i, x := range r.c {
		if x >= 1 {
			nr += len(r.rivals[i])
			na += len(r.allies[i])
			continue
		}
		nr -= r.endsAtMembers(r.rivals[i])
		na -= r.endsAtMembers(r.allies[i])
	}
	return float64(nr), float64(na)
}

// endsAtMembers counts the links whose other end is a group with members.
func (r *Replicate) endsAtMembers(links []link) int {
	n := 0
	for _, l := range links {
		if r.c[l.to] >= 1 {
			n++
		}
	}
	return n
}

// flows are the week's totals across cartels.
type flows struct {
	recruits, incapacitated, deaths, saturation float64
}

func (f flows) plus(g flows, scale float64) flows {
	return flows{
		f.recruits + float64(scale*g.recruits),
		f.incapacitated + float64(scale*g.incapacitated),
		f.deaths + float64(scale*g.deaths),
		f.saturation + float64(scale*g.saturation),
	}
}

// derivative sets dc = dC/dt at sizes c and returns the instantaneous flows:
// dC_i/dt = rho C_i - (1-r) (eta C_i/S + theta C_i (K C)_i) - omega C_i^2, r the
// replacement.
func (r *Replicate) derivative(p Params, c, dc []float64) flows {
	s := r.conflictExposure(c, r.exposure)
	if s <= 0 {
		clear(dc)
		return flows{}
	}
	var f flows
	perCapitaArrest := p.Incapacitation / s
	keep := 1 - p.Replacement // of the members arrested or killed, those not replaced
	for i, x := range c {
		death := float64(p.ConflictLethality * r.exposure[i])
		sat := r.saturationHazard(p, i, x, s)
		dc[i] = x * (p.Recruitment - float64(keep*perCapitaArrest) - float64(keep*death) - sat)
		f.deaths += float64(x * death)
		f.saturation += float64(x * sat)
	}
	f.recruits = float64(p.Recruitment*s) + float64(p.Replacement*(p.Incapacitation+f.deaths))
	f.incapacitated = p.Incapacitation
	return f
}

// saturationHazard is a member's weekly hazard of leaving group i, of x members, to
// crowding: omega ((1-s) x + s M_i), s = Params.SaturationSharing and M_i the members
// around the group's (space.crowd), or every group's, total, without geography. At s = 0
// it is the paper's omega x. Call it after conflictExposure, which sets M_i.
func (r *Replicate) saturationHazard(p Params, i int, x, total float64) float64 {
	s := p.SaturationSharing
	if s == 0 {
		return float64(p.Saturation * x)
	}
	crowd := total
	if r.space.on {
		crowd = r.space.crowd[i]
	}
	return float64(p.Saturation * (float64((1-s)*x) + float64(s*crowd)))
}

// stepRK4 integrates one week with the classical fourth-order Runge-Kutta method,
// integrating the flows alongside the sizes so that they are the week's totals. A week
// whose per-capita rates are fast (stiffRate) is cut into substeps short enough for the
// method to stay stable and accurate: with one-week steps, rates of a few a week made it
// overshoot, members jumping to billions and then to zero. The paper's rates, about 0.003
// a week, take one step, as they always did.
//
// At most MaxSubsteps. Arrests may be faster: eta/S per member grows without bound as the
// last members are arrested (the exact solution reaches zero in finite time), and the
// step's clamp at zero represents that. Recruitment, conflict or saturation faster than
// MaxSubsteps x stiffRate a week per member cannot be integrated (one-week steps made
// such growth overshoot to zero without a word) and stop the replicate.
func (r *Replicate) stepRK4(wk int, p Params) flows {
	rate, intrinsic := r.fastestRate(p)
	n := math.Ceil(rate / stiffRate)
	if !(n > 1) { // NaN included: the guard reports it
		return r.substepRK4(p, 1)
	}
	if intrinsic > MaxSubsteps*stiffRate {
		r.fail(wk, "the fastest mean-field rate per member and week", intrinsic, MaxSubsteps*stiffRate)
		return flows{}
	}
	n = min(n, MaxSubsteps)
	var f flows
	dt := 1 / n
	for range int(n) {
		f = f.plus(r.substepRK4(p, dt), 1)
	}
	return f
}

// stiffRate is the largest per-capita rate (per week) times step at which the mean-field
// integration takes a step: well inside the classical Runge-Kutta method's region of
// stability on the real axis (rate x step up to about 2.79), so that the steps are also
// accurate.
const stiffRate = 0.5

// fastestRate is the largest per-capita rate of change at the current sizes: recruitment
// plus the rates of loss, saturation counted twice as it grows with size (the magnitude
// of the logistic term's derivative); and the largest without arrests.
func (r *Replicate) fastestRate(p Params) (rate, intrinsic float64) {
	s := r.conflictExposure(r.c, r.exposure)
	if s <= 0 {
		return 0, 0
	}
	for i, x := range r.c {
		if x > 0 {
			own := p.Recruitment + float64(p.ConflictLethality*r.exposure[i]) + float64(2*r.saturationHazard(p, i, x, s))
			intrinsic = max(intrinsic, own)
			rate = max(rate, own+p.Incapacitation/s)
		}
	}
	return rate, intrinsic
}

// substepRK4 advances the sizes by dt weeks and returns the flows over them.
func (r *Replicate) substepRK4(p Params, dt float64) flows {
	c, c2 := r.c, r.c2
	half := 0.5 * dt
	f1 := r.derivative(p, c, r.k1)
	for i := range c {
		c2[i] = c[i] + float64(half*r.k1[i])
	}
	f2 := r.derivative(p, c2, r.k2)
	for i := range c {
		c2[i] = c[i] + float64(half*r.k2[i])
	}
	f3 := r.derivative(p, c2, r.k3)
	for i := range c {
		c2[i] = c[i] + float64(dt*r.k3[i])
	}
	f4 := r.derivative(p, c2, r.k4)
	for i := range c {
		c[i] = max(0, c[i]+dt*(r.k1[i]+2*r.k2[i]+2*r.k3[i]+r.k4[i])/6)
	}
	return flows{}.plus(f1, dt/6).plus(f2, 2*dt/6).plus(f3, 2*dt/6).plus(f4, dt/6)
}

// recruitmentRate is a member's recruitment hazard this week, before the economy's factor,
// at s members in all: rho, plus the pool's recruits (Params.PoolRecruitment per 100,000
// of the week's population) shared out by size.
func (r *Replicate) recruitmentRate(p Params, s float64) float64 {
	if p.PoolRecruitment == 0 {
		return p.Recruitment
	}
	pool := float64(p.PoolRecruitment*float64(r.w.population*r.w.populationFactor(r.week))) / 1e5
	return p.Recruitment + pool/s
}

// stepStochastic draws the week for every cartel from the sizes at its start. Each member
// leaves at the competing hazards of arrest (eta/S), conflict death (theta (K C)_i) and
// saturation (omega C_i); the number who leave is Binomial(C_i, 1-exp(-h)), split among
// the causes in proportion to their hazards. Recruits are Poisson(rho C_i), rho with the
// pool's share (recruitmentRate) and the economy's factor, plus the replacement of those
// arrested or killed that week. A cartel at zero recruits no one and is gone.
func (r *Replicate) stepStochastic(p Params, rng *rand.Rand) flows {
	c := r.c
	s := r.conflictExposure(c, r.exposure)
	if s <= 0 {
		return flows{}
	}
	if r.statecraft.on {
		r.truceExposure(c)
	}
	if r.space.deployed {
		r.deployedExposure(c, p)
	}
	var f flows
	perCapitaArrest := p.Incapacitation / s
	rho := r.recruitmentRate(p, s)
	for i, x := range c {
		if x <= 0 {
			r.satExits[i] = 0
			continue
		}
		hDeath := float64(p.ConflictLethality * r.exposure[i])
		if r.fury[i] != 0 {
			hDeath *= 1 + r.fury[i]
		}
		hSat := r.saturationHazard(p, i, x, s)
		h := perCapitaArrest + hDeath + hSat
		arrest := perCapitaArrest
		if r.space.deployed && r.space.arrest[i] > 0 {
			arrest += r.space.arrest[i]
			h += r.space.arrest[i]
		}
		exits := BinomialHazard(rng, x, h)
		r.satExits[i] = 0
		lost := 0.0 // arrested or killed: the members replacement replaces
		if exits > 0 {
			arrested, killed := Split(rng, exits, arrest/h, hDeath/h)
			f.incapacitated += arrested
			f.deaths += killed
			if killed > 0 && r.space.on {
				r.locateDeaths(i, killed, rng)
			}
			r.satExits[i] = exits - arrested - killed
			f.saturation += r.satExits[i]
			lost = arrested + killed
		}
		recruits := Poisson(rng, float64(rho*r.factor[i]*x)+float64(p.Replacement*lost))
		f.recruits += recruits
		nc := x - exits + recruits
		c[i] = nc
		if nc > r.peak[i] {
			r.peak[i] = nc
		}
		if nc < r.floor {
			r.unsettled = true
		}
	}
	return f
}
