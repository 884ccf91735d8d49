package model

import "math"

// Kind names a kind of intervention as scenario files spell it.
type Kind string

// The kinds of intervention the model knows.
const (
	// RecruitmentReduction prevents a fraction (intensity, in [0,1]) of recruitment:
	// social programmes, anti-recruitment campaigns. rho, the pool's recruitment and the
	// replacement of losses each become x*(1-intensity).
	RecruitmentReduction Kind = "recruitment-reduction"
	// Incapacitation adds arrests: eta becomes eta*(1+intensity), so intensity 1
	// doubles incapacitation.
	Incapacitation Kind = "incapacitation"
	// Decapitation removes leaders of targeted groups (the kingpin strategy). Intensity is
	// the leaders removed per year across the campaign's targets, at full intelligence:
	// each of n targets loses its leader at the weekly hazard
	// intensity x intelligence / (n x WeeksPerYear).
	Decapitation Kind = "decapitation"
	// Airstrikes strike labs: intensity is strikes per week, each of which destroys a
	// targeted lab with probability Params.Intelligence (the accuracy of targeting) and
	// kills Casualties civilians on average (DefaultCasualties).
	Airstrikes Kind = "airstrikes"
	// LabDismantling is Mexican law enforcement raiding labs: as Airstrikes, with fewer
	// casualties per raid. With the actor Canada it is Canadian enforcement on the labs
	// abroad instead: intensity (in [0,1]) is the weekly hazard that each lab abroad is
	// dismantled, added to Economy.CanadaEnforcement as independent shares (canada.go).
	LabDismantling Kind = "lab-dismantling"
	// Interdiction seizes a share (intensity, in [0,1)) of the shipments crossing the
	// targeted states, or at the US border when no state is targeted, and raises the cost
	// of routes through them (Economy.EnforcementCost).
	Interdiction Kind = "interdiction"
	// DemandReduction removes a fraction (intensity, in [0,1]) of US demand at every price,
	// reached linearly from From to RampUntil.
	DemandReduction Kind = "demand-reduction"
	// HarmReduction is naloxone distribution and treatment: it averts a share (intensity,
	// in [0,1]) of US overdose deaths, reached linearly from From to RampUntil, and
	// changes nothing else (demand-reduction lowers consumption; this lowers the
	// case-fatality rate of what is consumed).
	HarmReduction Kind = "harm-reduction"
	// Cooperation is intelligence sharing and joint operations: it raises the target of
	// the cooperation index to Cooperation + intensity x (1 - Cooperation) (Policy).
	Cooperation Kind = "cooperation"
	// PrecursorControl cuts the precursor batches arriving through the ports by a share
	// (intensity, in [0,1]), a cut producers work around over SubstitutionWeeks.
	PrecursorControl Kind = "precursor-control"
	// ArmsInterdiction stops a share (intensity, in [0,1]) of the guns trafficked from the
	// US; lethality falls as the stock of guns decays (Policy.GunLifeWeeks).
	ArmsInterdiction Kind = "arms-interdiction"
	// AntiCorruption lowers corruption by a share (intensity, in [0,1]), reached linearly
	// from From to RampUntil.
	AntiCorruption Kind = "anti-corruption"
	// Ceasefire suspends a share (intensity, in [0,1]) of the conflict between its groups
	// (targets.groups, or all groups) while it holds, and with HaltShipments their
	// shipments to the US. Enforced says whether it is monitored and enforced, which sets
	// its hazard of breakdown (Policy).
	Ceasefire Kind = "ceasefire"
	// SpecialForcesRaids, Tariffs and Designation are the escalation layer's kinds
	// (escalation.go): raids on leaders and labs with US casualties, tariffs as pressure on
	// Mexico's government, and terrorist designation as pressure on cartel finances.
	SpecialForcesRaids Kind = "special-forces-raids"
	Tariffs            Kind = "tariffs"
	Designation        Kind = "designation"

	Breakaway  Kind = "breakaway"  // a scheduled split of a named group (breakaway.go)
	Deployment Kind = "deployment" // troops sent to named states (deployment.go)
)

// Kinds lists the known kinds, for error messages and documentation.
var Kinds = []Kind{RecruitmentReduction, Incapacitation, Decapitation, Airstrikes, LabDismantling, Interdiction, DemandReduction,
	HarmReduction, Cooperation, PrecursorControl, ArmsInterdiction, AntiCorruption, Ceasefire,
	MaritimeStrikes, NavalInterdiction, SpecialForcesRaids, Tariffs, Designation, Breakaway, Deployment}

// NeedsEconomy reports whether the kind acts through territory, labs or the market.
func (k Kind) NeedsEconomy() bool {
	switch k {
	case Airstrikes, LabDismantling, Interdiction, DemandReduction, HarmReduction, PrecursorControl,
		Designation:
		return true
	}
	return k.AtSea()
}

// NeedsPolicy reports whether the kind acts through the policy state (Policy).
func (k Kind) NeedsPolicy() bool {
	switch k {
	case Cooperation, PrecursorControl, ArmsInterdiction, AntiCorruption, Ceasefire,
		SpecialForcesRaids, Tariffs, Designation:
		return true
	}
	return false
}

// takesTargets reports whether the kind acts on named groups or states.
func (k Kind) takesTargets() bool {
	return k.StrikesLabs() || k == Decapitation || k == Interdiction || k == Ceasefire || k == SpecialForcesRaids || k == Designation || k == Breakaway || k == Deployment
}

// takesRamp reports whether the kind is phased in from From to RampUntil.
func (k Kind) takesRamp() bool {
	return k == DemandReduction || k == HarmReduction || k == AntiCorruption
}

// StrikesLabs reports whether the kind destroys labs.
func (k Kind) StrikesLabs() bool { return k == Airstrikes || k == LabDismantling }

// DefaultCasualties is the mean number of civilians killed per strike or raid when a
// scenario does not say. Airstrikes: 1, the low end of the Bureau of Investigative
// Journalism's count for US drone strikes in Pakistan, 2004-2020 (424-969 civilians in
// about 430 strikes). Lab dismantling: 0.02, an assumption (raids on labs mostly find them
// unattended).
func DefaultCasualties(k Kind) float64 {
	switch k {
	case Airstrikes:
		return 1
	case LabDismantling:
		return 0.02
	}
	return 0
}

// Removal is how a decapitation campaign removes leaders.
type Removal string

// The removals. Killing leaves a messier succession than capture (Fragmentation.KillPenalty).
const (
	Capture Removal = "capture"
	Kill    Removal = "kill"
)

// Targets says which groups a decapitation campaign goes after (exactly one of Largest,
// Groups and MinMembers), which labs strikes go after (Groups or States, or neither for
// any lab in Mexico) or where interdiction seizes (States, or none for the border).
type Targets struct {
	// Largest targets the N largest living groups, week by week.
	Largest int
	// Groups names initial groups by ID or name; their factions stay targets (the
	// campaign pursues "the Sinaloa cartel" in all its pieces), new local groups do not.
	Groups []string
	// MinMembers targets every living group at least this large.
	MinMembers float64
	// States names states by code or name.
	States []string
}

func (t Targets) set() int {
	n := 0
	for _, b := range []bool{t.Largest != 0, len(t.Groups) > 0, t.MinMembers != 0, len(t.States) > 0} {
		if b {
			n++
		}
	}
	return n
}

// Actor is who carries an intervention out.
type Actor string

// The actors.
const (
	Mexico Actor = "mexico"
	US     Actor = "us"
	Joint  Actor = "joint"
	// Canada acts only on the labs abroad, with lab-dismantling.
	Canada Actor = "canada"
)

// Actors lists the known actors.
var Actors = []Actor{Mexico, US, Joint, Canada}

// Forever is the end week of an intervention without end.
const Forever = math.MaxInt

// Intervention is a time-bounded change to the model: it is active during the weeks
// after From up to and including To, that is in continuous time from From to To, so an
// intervention "from week 520" first changes the step that ends at week 521.
type Intervention struct {
	Kind      Kind
	From, To  int
	Intensity float64
	Actor     Actor
	// Targets apply to decapitation, strikes and interdiction; Removal to decapitation
	// only (it defaults to Capture).
	Targets Targets
	Removal Removal
	// Casualties is the mean number of civilians killed per strike or raid.
	Casualties float64
	// RampUntil is the week by which a demand reduction or anti-corruption reaches its
	// intensity; at or before From, it does so at once.
	RampUntil int
	// Enforced and HaltShipments apply to ceasefires only.
	Enforced, HaltShipments bool
	// Respond is how a US or joint kinetic campaign answers the losses retaliation
	// brings (escalation.go); "" is NoResponse.
	Respond Response
	// Split describes a breakaway's new group (breakaway.go).
	Split *BreakawayGroup
}

// NewIntervention validates and returns an intervention.
func NewIntervention(kind Kind, from, to int, intensity float64, actor Actor) (Intervention, error) {
	iv := Intervention{Kind: kind, From: from, To: to, Intensity: intensity, Actor: actor}
	return iv, iv.Validate()
}

// Validate checks the kind, window, intensity and actor.
func (iv Intervention) Validate() error {
	switch {
	case iv.From < 0:
		return fieldErrorf("from", "intervention %s starts at negative week %d", iv.Kind, iv.From)
	case iv.To <= iv.From:
		return fieldErrorf("to", "intervention %s ends (week %d) before it starts (week %d)", iv.Kind, iv.To, iv.From)
	case math.IsNaN(iv.Intensity) || math.IsInf(iv.Intensity, 0):
		return fieldErrorf("intensity", "intervention %s intensity is %v, want a finite number", iv.Kind, iv.Intensity)
	case iv.Intensity < 0:
		return fieldErrorf("intensity", "intervention %s has negative intensity %v", iv.Kind, iv.Intensity)
	}
	switch iv.Actor {
	case Mexico, US, Joint:
	case Canada:
		switch {
		case iv.Kind != LabDismantling:
			return fieldErrorf("actor", "actor canada dismantles labs abroad only (kind lab-dismantling), not %s", iv.Kind)
		case iv.Intensity > 1:
			return fieldErrorf("intensity", "lab-dismantling by canada has intensity %v, the weekly hazard per lab abroad, above 1", iv.Intensity)
		case iv.Targets.set() > 0:
			return fieldErrorf("targets", "lab-dismantling by canada takes no targets: it acts on every lab abroad")
		}
	default:
		return fieldErrorf("actor", "unknown actor %q (want one of %v)", iv.Actor, Actors)
	}
	switch iv.Kind {
	case RecruitmentReduction:
		if iv.Intensity > 1 {
			return fieldErrorf("intensity", "recruitment-reduction intensity %v is a fraction of recruitment prevented, above 1", iv.Intensity)
		}
	case Incapacitation:
	case Decapitation:
		if err := iv.validateDecapitation(); err != nil {
			return err
		}
	case Airstrikes, LabDismantling:
		if t := iv.Targets; t.Largest != 0 || t.MinMembers != 0 || len(t.Groups) > 0 && len(t.States) > 0 {
			return fieldErrorf("targets", "%s targets states or groups (one of them), or any lab without targets", iv.Kind)
		}
	case Interdiction:
		if iv.Intensity >= 1 {
			return fieldErrorf("intensity", "interdiction intensity %v is the share of shipments seized, want less than 1", iv.Intensity)
		}
		if t := iv.Targets; t.set() > 0 && len(t.States) == 0 {
			return fieldErrorf("targets", "interdiction targets states (targets.states), or the border without targets")
		}
	case SpecialForcesRaids, Tariffs, Designation:
		if err := iv.validateEscalation(); err != nil {
			return err
		}
	case DemandReduction, HarmReduction, Cooperation, PrecursorControl, ArmsInterdiction, AntiCorruption, Ceasefire:
		if iv.Intensity > 1 {
			return fieldErrorf("intensity", "%s intensity %v is a share, above 1", iv.Kind, iv.Intensity)
		}
		if t := iv.Targets; iv.Kind == Ceasefire && t.set() > 0 && len(t.Groups) == 0 {
			return fieldErrorf("targets", "a ceasefire targets groups (targets.groups), or all groups without targets")
		}
	case MaritimeStrikes, NavalInterdiction:
		if err := iv.validateSea(); err != nil {
			return err
		}
	case Breakaway, Deployment:
		if err := iv.validateOwn(); err != nil {
			return err
		}
	default:
		return fieldErrorf("kind", "unknown intervention kind %q (want one of %v)", iv.Kind, Kinds)
	}
	switch {
	case iv.Targets.set() > 0 && !iv.Kind.takesTargets():
		return fieldErrorf("targets", "%s takes no targets", iv.Kind)
	case iv.Removal != "" && iv.Kind != Decapitation && iv.Kind != SpecialForcesRaids:
		return fieldErrorf("mode", "%s takes no mode (only decapitation and special-forces-raids do)", iv.Kind)
	case math.IsNaN(iv.Casualties) || math.IsInf(iv.Casualties, 0) || iv.Casualties < 0:
		return fieldErrorf("civilian_casualties", "civilian casualties per strike %v, want a finite non-negative number", iv.Casualties)
	case iv.Casualties > 0 && !iv.Kind.StrikesLabs():
		return fieldErrorf("civilian_casualties", "%s has no strikes to cause casualties", iv.Kind)
	case iv.RampUntil != 0 && !iv.Kind.takesRamp():
		return fieldErrorf("ramp_until", "%s takes no ramp (only demand-reduction, harm-reduction and anti-corruption do)", iv.Kind)
	case iv.RampUntil > iv.To:
		return fieldErrorf("ramp_until", "%s reaches its intensity (week %d) after it ends (week %d)", iv.Kind, iv.RampUntil, iv.To)
	case iv.Enforced && iv.Kind != Ceasefire:
		return fieldErrorf("enforced", "%s takes no enforcement flag (only ceasefire does)", iv.Kind)
	case iv.HaltShipments && iv.Kind != Ceasefire:
		return fieldErrorf("halt_shipments", "%s cannot halt shipments (only ceasefire can)", iv.Kind)
	}
	return iv.validateResponse()
}

func (iv Intervention) validateDecapitation() error {
	switch iv.Removal {
	case "", Capture, Kill:
	default:
		return fieldErrorf("mode", "unknown decapitation mode %q (want capture or kill)", iv.Removal)
	}
	t := iv.Targets
	switch {
	case len(t.States) > 0:
		return fieldErrorf("targets", "decapitation targets groups, not states")
	case t.set() != 1:
		return fieldErrorf("targets", "decapitation needs exactly one of targets.largest, targets.groups or targets.min_members")
	case t.Largest < 0:
		return fieldErrorf("targets", "targets.largest is %d, want a positive number of groups", t.Largest)
	case math.IsNaN(t.MinMembers) || math.IsInf(t.MinMembers, 0) || t.MinMembers < 0:
		return fieldErrorf("targets", "targets.min_members is %v, want a finite positive number", t.MinMembers)
	}
	for _, g := range t.Groups {
		if g == "" {
			return fieldErrorf("targets", "targets.groups has an empty name")
		}
	}
	return nil
}

// combineShares is the share two independent actions take together, as when two
// interdictions each seize a share of what passes: 1 - (1-a)(1-b).
func combineShares(a, b float64) float64 { return 1 - float64((1-a)*(1-b)) }

// rampedIntensity is the intensity in force during the step that ends at week w.
func (iv Intervention) rampedIntensity(w int) float64 {
	if iv.RampUntil <= iv.From || w >= iv.RampUntil {
		return iv.Intensity
	}
	return iv.Intensity * float64(w-iv.From) / float64(iv.RampUntil-iv.From)
}

// Active reports whether the intervention changes the step that ends at week w.
func (iv Intervention) Active(w int) bool { return iv.From < w && w <= iv.To }

// apply changes the week's effective parameters.
func (iv Intervention) apply(p *Params) {
	switch iv.Kind {
	case RecruitmentReduction:
		p.Recruitment *= 1 - iv.Intensity
		p.PoolRecruitment *= 1 - iv.Intensity
		p.Replacement *= 1 - iv.Intensity
	case Incapacitation:
		p.Incapacitation *= 1 + iv.Intensity
	}
}
