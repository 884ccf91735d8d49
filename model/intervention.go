package model

import "math"

// Kind names a kind of intervention as scenario files spell it.
type Kind string

// The kinds of intervention the model knows.
const (
	// RecruitmentReduction prevents a fraction (intensity, in [0,1]) of recruitment:
	// social programmes, anti-recruitment campaigns. rho becomes rho*(1-intensity).
	RecruitmentReduction Kind = "recruitment-reduction"
	// Incapacitation adds arrests: eta becomes eta*(1+intensity), so intensity 1
	// doubles incapacitation.
	Incapacitation Kind = "incapacitation"
	// Decapitation removes leaders of targeted groups (the kingpin strategy). Intensity is
	// the leaders removed per year across the campaign's targets, at full intelligence:
	// each of n targets loses its leader at the weekly hazard
	// intensity x intelligence / (n x WeeksPerYear).
	Decapitation Kind = "decapitation"
)

// Kinds lists the known kinds, for error messages and documentation.
var Kinds = []Kind{RecruitmentReduction, Incapacitation, Decapitation}

// Removal is how a decapitation campaign removes leaders.
type Removal string

// The removals. Killing leaves a messier succession than capture (Fragmentation.KillPenalty).
const (
	Capture Removal = "capture"
	Kill    Removal = "kill"
)

// Targets says which groups a decapitation campaign goes after; exactly one field is set.
type Targets struct {
	// Largest targets the N largest living groups, week by week.
	Largest int
	// Groups names initial groups by ID or name; their factions stay targets (the
	// campaign pursues "the Sinaloa cartel" in all its pieces), new local groups do not.
	Groups []string
	// MinMembers targets every living group at least this large.
	MinMembers float64
}

func (t Targets) set() int {
	n := 0
	for _, b := range []bool{t.Largest != 0, len(t.Groups) > 0, t.MinMembers != 0} {
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
)

// Actors lists the known actors.
var Actors = []Actor{Mexico, US, Joint}

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
	// Targets and Removal apply to decapitation only; Removal defaults to Capture.
	Targets Targets
	Removal Removal
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
		return iv.validateDecapitation()
	default:
		return fieldErrorf("kind", "unknown intervention kind %q (want one of %v)", iv.Kind, Kinds)
	}
	if iv.Targets.set() > 0 {
		return fieldErrorf("targets", "%s takes no targets (only decapitation does)", iv.Kind)
	}
	if iv.Removal != "" {
		return fieldErrorf("mode", "%s takes no mode (only decapitation does)", iv.Kind)
	}
	return nil
}

func (iv Intervention) validateDecapitation() error {
	switch iv.Removal {
	case "", Capture, Kill:
	default:
		return fieldErrorf("mode", "unknown decapitation mode %q (want capture or kill)", iv.Removal)
	}
	t := iv.Targets
	switch {
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

// Active reports whether the intervention changes the step that ends at week w.
func (iv Intervention) Active(w int) bool { return iv.From < w && w <= iv.To }

// apply changes the week's effective parameters.
func (iv Intervention) apply(p *Params) {
	switch iv.Kind {
	case RecruitmentReduction:
		p.Recruitment *= 1 - iv.Intensity
	case Incapacitation:
		p.Incapacitation *= 1 + iv.Intensity
	}
}
