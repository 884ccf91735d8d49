package model

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// The escalation layer: actors who respond, rather than fixed schedules. It lives in the
// policy state (statecraft) and its parameters are Policy's (docs/us-side.md, "Actors who
// respond"); every one of them has a value at which it does nothing, and the defaults of
// those that act on existing kinds are that value, so scenarios without the layer's
// kinds, keys or parameters run as before.
//
// Mexico's government. Each unilateral US kinetic action costs cooperation
// (Policy.UnilateralCost) and, like the December 2020 reform of Mexico's national
// security law (DOF 18 Dec 2020), which made foreign agents share what they learn with
// Mexican authorities and stripped them of immunity, raises an index of limits on US
// agents L in [0,1] by AgentLimitPerAction; L recovers towards 0 with time constant
// AgentLimitWeeks. Joint actions, which rely on US agents in Mexico, get intelligence
// multiplied by 1 - L.
//
// Cartels. Each US or joint kinetic action adds RetaliationPerAction x
// max(0, 1 + RetaliationEscalation x K/100) expected attacks on US citizens, K the
// replicate's US and joint kinetic actions before the week: a positive RetaliationEscalation
// is escalation (each strike angers more), a negative one deterrence, 0 the fixed rate.
//
// The United States. A US or joint campaign of decapitation, airstrikes or raids that
// says respond: escalate or respond: withdraw counts the US losses (retaliation events
// and US service members killed) of the weeks it is active. Escalate multiplies its
// intensity by EscalationFactor each time the losses pass another ResponseThreshold, at
// most MaxEscalations times; withdraw ends it after the week in which they reach
// ResponseThreshold. respond: none (the default) holds it to its schedule.
//
// Special-forces raids (kind special-forces-raids): intensity raids a week by US or
// joint forces on the targeted groups (targets as decapitation's), each on a group drawn
// uniformly among the targets; a share RaidLabShare goes after one of the group's labs
// in Mexico (with an economy; without one every raid goes after leaders), the rest after
// its leader (mode capture or kill, as decapitation). A raid succeeds with the accuracy
// of strikes (Params.Intelligence x the actor's intelligence, at most 1). Each raid is a
// kinetic action (cooperation cost when unilateral, retaliation) and kills
// RaidUSCasualties US service members in expectation (metric us_casualties) and, hit or
// miss as a strike does, RaidCivilianCasualties civilians, scaled by intelligence as
// strikes' are (metric civilian_casualties, which costs cooperation, CasualtyCost a
// civilian). With geography the civilians die where the raids were made: a raid that
// destroyed a lab in the lab's state, any other in the raided group's home state; there
// they bring grievance recruits, as strikes' casualties do.
//
// Tariffs (kind tariffs, by the US; intensity the tariff rate, 0.25 for 25%) move the
// target of the cooperation index by TariffPressure x i x (1 - i/TariffTolerance):
// pressure raises it at rates below TariffTolerance (most at half of it) and the
// sovereignty backlash lowers it beyond.
//
// Terrorist designation (kind designation, by the US; intensity in [0,1] how hard it is
// enforced) costs the designated groups (targets.groups, or every group) a share
// DesignationFinance x i of their income to the cost of laundering (so less revenue,
// recruitment and reinvestment), and moves the cooperation target by
// DesignationCooperation x i, which may be either sign.

// Response is how a US or joint kinetic campaign answers retaliation.
type Response string

// The responses.
const (
	NoResponse Response = ""
	Hold       Response = "none"
	Escalate   Response = "escalate"
	Withdraw   Response = "withdraw"
)

// Responses lists the responses a scenario can name.
var Responses = []Response{Hold, Escalate, Withdraw}

// Acts reports whether the response changes the campaign.
func (rs Response) Acts() bool { return rs == Escalate || rs == Withdraw }

// respondsToLosses reports whether a kind of campaign can take a response: the US
// kinetic campaigns.
func (k Kind) respondsToLosses() bool {
	return k == Decapitation || k == Airstrikes || k == SpecialForcesRaids
}

// MaxRaids is the most raids a week a special-forces campaign may make.
const MaxRaids = 1000

// validateEscalation checks the escalation layer's kinds.
func (iv Intervention) validateEscalation() error {
	switch iv.Kind {
	case SpecialForcesRaids:
		if iv.Actor != US && iv.Actor != Joint {
			return fieldErrorf("actor", "special-forces-raids are made by US forces: actor us or joint, not %s", iv.Actor)
		}
		if iv.Intensity > MaxRaids {
			return fieldErrorf("intensity", "special-forces-raids intensity %v raids a week, above %d", iv.Intensity, MaxRaids)
		}
		return iv.validateDecapitation()
	case Tariffs:
		if iv.Actor != US {
			return fieldErrorf("actor", "tariffs are the United States' pressure: actor us, not %s", iv.Actor)
		}
		if iv.Intensity > 10 {
			return fieldErrorf("intensity", "tariffs intensity %v is the tariff rate (0.25 for 25%%), above 10", iv.Intensity)
		}
	case Designation:
		if iv.Actor != US {
			return fieldErrorf("actor", "designation is made by the United States: actor us, not %s", iv.Actor)
		}
		if iv.Intensity > 1 {
			return fieldErrorf("intensity", "designation intensity %v is a share, above 1", iv.Intensity)
		}
		if t := iv.Targets; t.set() > 0 && len(t.Groups) == 0 {
			return fieldErrorf("targets", "a designation targets groups (targets.groups), or all groups without targets")
		}
	}
	return nil
}

// validateResponse checks Respond.
func (iv Intervention) validateResponse() error {
	switch iv.Respond {
	case NoResponse, Hold:
		return nil
	case Escalate, Withdraw:
	default:
		return fieldErrorf("respond", "unknown response %q (want one of %v)", iv.Respond, Responses)
	}
	switch {
	case !iv.Kind.respondsToLosses():
		return fieldErrorf("respond", "%s cannot respond to retaliation (only decapitation, airstrikes and special-forces-raids can)", iv.Kind)
	case iv.Actor != US && iv.Actor != Joint:
		return fieldErrorf("respond", "a campaign by %s cannot respond to retaliation against the US (only actor us or joint)", iv.Actor)
	}
	return nil
}

// escalation is a replicate's state of the escalation layer (in statecraft).
type escalation struct {
	limits   float64   // Mexico's limits on US agents, in [0,1]
	struck   float64   // US and joint kinetic actions so far
	losses   []float64 // by campaign: US losses counted by a responding campaign
	level    []int     // by campaign: its escalations so far
	ended    []bool    // by campaign: withdrawn
	raidLabs float64   // labs destroyed by raids this week
	week     int       // the week adjust last read
	designed bool      // a designation is active this week
	targets  []int     // scratch: a raid campaign's targets
}

func (e *escalation) reset(w *World) {
	e.limits, e.struck, e.raidLabs, e.designed = 0, 0, 0, false
	n := len(w.campaigns)
	e.losses = resize(e.losses, n)
	clear(e.losses)
	e.level = resize(e.level, n)
	clear(e.level)
	e.ended = resize(e.ended, n)
	clear(e.ended)
}

// responseTo is the rule by which the US answers a campaign's losses: the escalations
// (escalate: one per ResponseThreshold of losses, at most MaxEscalations) and whether it
// ends (withdraw: once the losses reach ResponseThreshold).
func responseTo(rule Response, losses float64, pol *Policy) (level int, ended bool) {
	steps := math.Floor(losses / pol.ResponseThreshold)
	switch rule {
	case Escalate:
		return int(min(steps, math.Floor(pol.MaxEscalations))), false
	case Withdraw:
		return 0, steps >= 1
	}
	return 0, false
}

// running reports whether campaign k acts in the step that ends at week wk: active, and
// not withdrawn.
func (r *Replicate) running(k, wk int) bool {
	return r.w.campaigns[k].Active(wk) && !(r.statecraft.on && r.esc.ended[k])
}

// intensity is campaign k's intensity after its escalations.
func (r *Replicate) intensity(k int) float64 {
	x := r.w.campaigns[k].Intensity
	if !r.statecraft.on {
		return x
	}
	for range r.esc.level[k] {
		x *= r.w.cfg.Policy.EscalationFactor
	}
	return x
}

// retaliationScale multiplies the retaliation each kinetic action brings: 1, rising or
// falling with the kinetic actions so far.
func (s *statecraft) retaliationScale(pol *Policy) float64 {
	if pol.RetaliationEscalation == 0 {
		return 1
	}
	return max(0, 1+float64(pol.RetaliationEscalation*s.esc.struck)/100)
}

// pressure returns the cooperation target moved by the week's tariffs and designations,
// and notes whether a designation is active for the market (launderingCut).
func (r *Replicate) pressure(wk int, target float64) float64 {
	s := &r.statecraft
	pol := r.w.cfg.Policy
	s.esc.week, s.esc.designed, s.esc.raidLabs = wk, false, 0
	shift, pressed := 0.0, false
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if !cp.Active(wk) {
			continue
		}
		switch cp.Kind {
		case Tariffs:
			i := cp.Intensity
			shift += float64(float64(pol.TariffPressure*i) * (1 - i/pol.TariffTolerance))
			pressed = true
		case Designation:
			shift += float64(pol.DesignationCooperation * cp.Intensity)
			pressed, s.esc.designed = true, true
		}
	}
	if !pressed {
		return target
	}
	return min(1, max(0, target+shift))
}

// launderingCut is the share of group i's income designation costs it this week.
func (r *Replicate) launderingCut(i int) float64 {
	s := &r.statecraft
	if !s.on || !s.esc.designed {
		return 0
	}
	pol := r.w.cfg.Policy
	cut := 0.0
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if cp.Kind == Designation && cp.Active(s.esc.week) && (cp.named == nil || r.named(cp, i)) {
			cut = combineShares(cut, min(1, float64(pol.DesignationFinance*cp.Intensity)))
		}
	}
	return cut
}

// raid runs the week's special-forces raids (see the top of this file), writing the US
// service members killed into out.
func (r *Replicate) raid(wk int, p Params, rng *rand.Rand, ev *events, out []float64) {
	s := &r.statecraft
	if !s.on {
		return
	}
	pol := r.w.cfg.Policy
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if cp.Kind != SpecialForcesRaids || !r.running(k, wk) || cp.Intensity == 0 {
			continue
		}
		targets := r.selectTargets(cp)
		if len(targets) == 0 {
			continue
		}
		raids := Poisson(rng, min(MaxRaids, r.intensity(k)*r.reach(cp.Actor)))
		if raids == 0 {
			continue
		}
		accuracy := min(1, p.Intelligence*r.intelligence(cp.Actor))
		labShare := 0.0
		if r.w.HasEconomy() {
			labShare = pol.RaidLabShare
		}
		// The targets are copied: removing a leader may split a group and select anew.
		targets = append(s.esc.targets[:0], targets...)
		s.esc.targets = targets
		// Where the raids are made, by state, when their civilians are to be placed.
		at := r.space.raids
		placing := r.space.on && pol.RaidCivilianCasualties > 0
		for n := 0.0; n < raids; n++ {
			i := targets[rng.IntN(len(targets))]
			where := -1 // the group's home, unless the raid destroys a lab elsewhere
			atLab := labShare > 0 && rng.Float64() < labShare
			switch {
			case rng.Float64() >= accuracy || !r.alive(i):
				// a failed raid, or the group has ended
			case atLab:
				if v := r.raidLab(cp, i, rng); v >= 0 {
					s.esc.raidLabs++
					where = v
				}
			case cp.Removal != Kill && r.commandsFromPrison(rng):
			default:
				r.removeLeader(wk, i, cp.Removal == Kill, rng, ev)
			}
			if placing {
				if where < 0 {
					where = r.territory.home[i]
				}
				at[where]++
			}
		}
		r.countAction(cp.Actor, raids)
		if pol.RaidUSCasualties > 0 {
			out[USCasualties] += Poisson(rng, raids*pol.RaidUSCasualties)
		}
		killed := 0.0
		if pol.RaidCivilianCasualties > 0 {
			killed = Poisson(rng, float64(raids*pol.RaidCivilianCasualties)*r.casualtyScale())
			out[CivilianCasualties] += killed
		}
		if r.space.on {
			r.raidWeek(wk, killed, rng)
		}
	}
}

// raidLab destroys one of group i's labs in Mexico, drawn in proportion to its labs in
// each state, and returns the lab's state, or -1 if the group had none.
func (r *Replicate) raidLab(cp *campaign, i int, rng *rand.Rand) int {
	t := &r.territory
	cells := t.cells[:0]
	total := 0.0
	sites := t.slot(i)
	for m := t.present[i]; m != 0; m &= m - 1 {
		if v := bits.TrailingZeros64(m); sites[v].labs > 0 {
			cells = append(cells, labCell{i, v})
			total += sites[v].labs
		}
	}
	t.cells = cells
	if total == 0 {
		return -1
	}
	return r.hitLab(cp, cells, total, rng)
}

// escalationWeek ends the week for the escalation layer: Mexico's limits on US agents
// drift and grow with unilateral actions (metric us_agent_limits), the kinetic actions
// are counted, and every
// responding campaign counts the week's US losses and answers them.
func (r *Replicate) escalationWeek(wk int, out []float64) {
	s := &r.statecraft
	pol := r.w.cfg.Policy
	e := &s.esc
	e.struck += s.kinetic
	if pol.AgentLimitPerAction > 0 || e.limits > 0 {
		e.limits = min(1, float64(e.limits*(1-relax(pol.AgentLimitWeeks)))+float64(pol.AgentLimitPerAction*s.usActions))
	}
	out[USAgentLimits] = e.limits
	losses := out[Retaliation] + out[USCasualties]
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if !cp.Respond.Acts() || !cp.Active(wk) || e.ended[k] {
			continue
		}
		e.losses[k] += losses
		e.level[k], e.ended[k] = responseTo(cp.Respond, e.losses[k], pol)
	}
}
