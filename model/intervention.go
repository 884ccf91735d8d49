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
)

// Kinds lists the known kinds, for error messages and documentation.
var Kinds = []Kind{RecruitmentReduction, Incapacitation}

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
	default:
		return fieldErrorf("kind", "unknown intervention kind %q (want one of %v)", iv.Kind, Kinds)
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
