package model

import (
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// Policy parameterises the states' side of the conflict and its side effects:
// US-Mexico cooperation, Mexico's enforcement capacity and corruption, popular
// support, retaliation, precursor substitution, the stock of trafficked guns and how
// ceasefires break down. A world without it has none of these: interventions act at their
// stated strength and cost nothing.
//
// Cooperation. An index C in [0,1] per replicate, starting at Cooperation, relaxes towards
// its target with time constant CooperationWeeks: Cooperation, raised to
// Cooperation + i (1 - Cooperation) while a cooperation lever of intensity i is active.
// Each unilateral US kinetic action (a strike made, a leader removed, by actor us) lowers
// it by UnilateralCost, each civilian killed by strikes or raids (lab dismantling and
// special-forces raids) by CasualtyCost. It sets
// the quality of intelligence: decapitation hazards and strike accuracy are multiplied by
// 1 + IntelligenceGain (C - Cooperation) (at least 0, accuracy at most 1), civilians
// killed per strike by 1 - IntelligenceGain (C - Cooperation), and precursor control's cut
// by the same multiplier as intelligence. A captured leader is extradited with probability
// Extradition x C; one who is not keeps commanding from prison with probability
// PrisonCommand, and the capture changes nothing.
//
// Mexico. Arrests (the core's eta and incapacitation levers), raids, interdiction,
// precursor control and leadership strikes by Mexico or jointly run at
// EnforcementCapacity x (1 - corruption)/(1 - Corruption) of their stated strength, where
// corruption is Corruption, lowered by anti-corruption levers; so the calibrated rates hold
// at the baseline. US unilateral actions are not filtered by Mexican corruption.
//
// Popular support. Each civilian killed in a state brings RecruitsPerCasualty recruits in
// expectation to the groups present there (in proportion to their members), spread over
// the following weeks with time constant GrievanceWeeks.
//
// Retaliation. Each US or joint kinetic action adds RetaliationPerAction expected attacks on
// US citizens (the retaliation metric), spread with time constant RetaliationWeeks.
//
// Precursor control cuts the batches arriving through the ports by its intensity; while it
// lasts producers find substitutes, the cut falling as exp(-t/SubstitutionWeeks).
//
// Guns. A stock index (1 at baseline) relaxes towards 1 - (arms interdiction) with time
// constant GunLifeWeeks; conflict lethality is theta (1 - GunShare (1 - stock)).
//
// Ceasefires suspend the conflict between their groups while they hold. An enforced one
// breaks down at a constant hazard, with mean duration EnforcedTruceWeeks; an unenforced
// one at a hazard rising linearly with its age (a Rayleigh duration with mean
// UnenforcedTruceWeeks).
type Policy struct {
	Cooperation      float64
	CooperationWeeks float64
	UnilateralCost   float64
	CasualtyCost     float64
	IntelligenceGain float64
	Extradition      float64
	PrisonCommand    float64

	EnforcementCapacity float64
	Corruption          float64

	RecruitsPerCasualty float64
	GrievanceWeeks      float64

	RetaliationPerAction float64
	RetaliationWeeks     float64

	SubstitutionWeeks float64

	GunLifeWeeks float64
	GunShare     float64

	EnforcedTruceWeeks   float64
	UnenforcedTruceWeeks float64

	// The escalation layer: actors who respond (escalation.go).
	AgentLimitPerAction    float64
	AgentLimitWeeks        float64
	RetaliationEscalation  float64
	ResponseThreshold      float64
	EscalationFactor       float64
	MaxEscalations         float64
	RaidLabShare           float64
	RaidUSCasualties       float64
	RaidCivilianCasualties float64
	TariffPressure         float64
	TariffTolerance        float64
	DesignationFinance     float64
	DesignationCooperation float64
}

// DefaultPolicy returns the documented defaults (docs/model.md, "Policy levers and their side
// effects", gives each one's source or says it is an assumption).
func DefaultPolicy() Policy {
	return Policy{
		// Assumptions: partial cooperation (the 2021 Bicentennial Framework after the
		// 2020 Cienfuegos affair), mending over about two years.
		Cooperation:      0.5,
		CooperationWeeks: 104,
		UnilateralCost:   0.002,
		CasualtyCost:     0.0002,
		IntelligenceGain: 1,
		// Assumptions: at full cooperation every captured leader is extradited; kept in
		// Mexico, half keep running their group (Guzmán's escapes of 2001 and 2015).
		Extradition:   1,
		PrisonCommand: 0.5,

		EnforcementCapacity: 1,
		// Assumption: a share of enforcement actions neutralised by tip-offs and
		// protection (Mexico scores 31/100 on Transparency International's 2023 index).
		Corruption: 0.3,

		// Assumption in the spirit of Condra & Shapiro (2012, AJPS 56:167): civilian
		// casualties raise subsequent insurgent violence.
		RecruitsPerCasualty: 5,
		GrievanceWeeks:      52,

		// Assumption: one attack on US citizens per 50 US kinetic actions.
		RetaliationPerAction: 0.02,
		RetaliationWeeks:     26,

		// In the 1995 US methamphetamine precursor crackdown the price returned within
		// about 4 months (Dobkin & Nicosia 2009, AER 99:324): exp(-17/6) = 6% of the cut
		// is left after 17 weeks.
		SubstitutionWeeks: 6,

		// About 70% of firearms recovered in Mexico and traced in 2014-2018 came from the
		// US (GAO-21-322); guns stay in circulation about five years (assumption).
		GunLifeWeeks: 260,
		GunShare:     0.7,

		// The El Salvador gang truce of March 2012 frayed within about 16 months (Cruz &
		// Durán-Martínez 2016, J. Peace Research 53:197); an enforced truce lasting three
		// years on average is an assumption.
		EnforcedTruceWeeks:   156,
		UnenforcedTruceWeeks: 70,

		// The escalation layer (escalation.go; the registry gives each one's source).
		// Off for the existing kinds: no limits on US agents, a fixed retaliation rate.
		AgentLimitPerAction:   0,
		AgentLimitWeeks:       52,
		RetaliationEscalation: 0,
		// Assumptions for the US rule: answer every 10 attacks or deaths, doubling the
		// campaign at most three times.
		ResponseThreshold: 10,
		EscalationFactor:  2,
		MaxEscalations:    3,
		// Assumptions: half the raids go after labs; one US service member killed in 30
		// raids (none in the 2011 Abbottabad raid, one in the 2017 Yakla raid).
		RaidLabShare:     0.5,
		RaidUSCasualties: 1.0 / 30,
		// Assumption between the records (the registry gives them): one civilian killed
		// in four raids, where routine night raids in Afghanistan killed about one in a
		// hundred (UNAMA, mid-2011) and contested raids in Yemen in 2017 up to 15 or more
		// (Airwars, Eroding Transparency, 2020).
		RaidCivilianCasualties: 0.25,
		// The 25% tariff threatened on 1 February 2025 over fentanyl was answered within
		// days by 10,000 National Guard troops at the border and, on 27 February, the
		// transfer of 29 cartel prisoners to the US: pressure at 25% (assumption: the
		// backlash cancels it at 50%).
		TariffPressure:  0.5,
		TariffTolerance: 0.5,
		// Assumption: the FTO designations of 20 February 2025 expose anyone handling
		// the groups' money to material-support charges, costing a tenth of their income
		// at full enforcement; their effect on cooperation could go either way (the
		// transfers of 27 February; Mexico's constitutional amendment against foreign
		// intervention proposed the same week), so none.
		DesignationFinance:     0.1,
		DesignationCooperation: 0,
	}
}

// PolicyFields are the scenario keys of Policy's fields, in order.
var PolicyFields = fieldNames(new(Policy).fields())

// Set sets the field a scenario names (one of PolicyFields).
func (pol *Policy) Set(field string, v float64) bool { return setField(pol.fields(), field, v) }

func (pol *Policy) fields() []numField {
	inf := math.Inf(1)
	return []numField{
		{"cooperation", &pol.Cooperation, 0, 1},
		{"cooperation_weeks", &pol.CooperationWeeks, 1, inf},
		{"unilateral_cost", &pol.UnilateralCost, 0, 1},
		{"casualty_cost", &pol.CasualtyCost, 0, 1},
		{"intelligence_gain", &pol.IntelligenceGain, 0, 100},
		{"extradition", &pol.Extradition, 0, 1},
		{"prison_command", &pol.PrisonCommand, 0, 1},
		{"enforcement_capacity", &pol.EnforcementCapacity, 0, 100},
		{"corruption", &pol.Corruption, 0, 0.99},
		{"recruits_per_casualty", &pol.RecruitsPerCasualty, 0, 1e6},
		{"grievance_weeks", &pol.GrievanceWeeks, 1, inf},
		{"retaliation_per_action", &pol.RetaliationPerAction, 0, 1e6},
		{"retaliation_weeks", &pol.RetaliationWeeks, 1, inf},
		{"substitution_weeks", &pol.SubstitutionWeeks, 1e-3, inf},
		{"gun_life_weeks", &pol.GunLifeWeeks, 1, inf},
		{"gun_share", &pol.GunShare, 0, 1},
		{"enforced_truce_weeks", &pol.EnforcedTruceWeeks, 1, inf},
		{"unenforced_truce_weeks", &pol.UnenforcedTruceWeeks, 1, inf},
		{"agent_limit_per_action", &pol.AgentLimitPerAction, 0, 1},
		{"agent_limit_weeks", &pol.AgentLimitWeeks, 1, inf},
		{"retaliation_escalation", &pol.RetaliationEscalation, -100, 100},
		{"response_threshold", &pol.ResponseThreshold, 1, 1e6},
		{"escalation_factor", &pol.EscalationFactor, 1, 10},
		{"max_escalations", &pol.MaxEscalations, 0, 10},
		{"raid_lab_share", &pol.RaidLabShare, 0, 1},
		{"raid_us_casualties", &pol.RaidUSCasualties, 0, 10},
		{"raid_civilian_casualties", &pol.RaidCivilianCasualties, 0, 100},
		{"tariff_pressure", &pol.TariffPressure, 0, 10},
		{"tariff_tolerance", &pol.TariffTolerance, 0.01, 10},
		{"designation_finance", &pol.DesignationFinance, 0, 1},
		{"designation_cooperation", &pol.DesignationCooperation, -1, 1},
	}
}

// Validate checks every field's range.
func (pol Policy) Validate() error { return validateFields("policy", pol.fields()) }

// relax is the share of the gap to its target a quantity with time constant tau closes in
// a week.
func relax(tau float64) float64 { return -fpmath.Expm1(-1 / tau) }

// truce is one ceasefire campaign's state in a replicate.
type truce struct {
	holding bool
	age     float64 // weeks held
}

// statecraft is a replicate's policy state (see Policy); off without a policy.
type statecraft struct {
	on           bool
	cooperation  float64
	corruption   float64
	guns         float64
	substitution float64 // share of a precursor cut producers have worked around
	retaliation  float64 // expected retaliation still to come
	grievance    []float64
	truces       []truce   // by campaign; only ceasefires use theirs
	inForce      []bool    // by campaign: a ceasefire active and holding this week
	inTruce      []bool    // scratch: slots covered by the truce being applied
	there        []float64 // scratch: members by state, then recruits due per member

	// The week's levers, read by adjust.
	intel        float64 // intelligence multiplier
	honesty      float64 // the share of Mexican and joint action corruption lets through
	precursorCut float64
	armsCut      float64 // share of the guns trafficked south that are stopped
	target       float64 // of the cooperation index
	controlled   bool    // precursor control is active: producers substitute
	halting      bool    // some ceasefire in force halts shipments
	// The week's actions, counted as it runs.
	usActions    float64 // unilateral US kinetic actions
	kinetic      float64 // US or joint kinetic actions
	extraditions float64
	hits         []float64 // labs hit by state, for one strike campaign
	esc          escalation
}

func (s *statecraft) reset(w *World) {
	s.on = w.cfg.Policy != nil
	if !s.on {
		return
	}
	pol := w.cfg.Policy
	s.cooperation, s.corruption, s.guns, s.substitution, s.retaliation = pol.Cooperation, pol.Corruption, 1, 0, 0
	s.intel, s.honesty = 1, pol.EnforcementCapacity
	states := 0
	if w.cfg.Geography != nil {
		states = w.cfg.Geography.Len()
	}
	s.grievance = resize(s.grievance, states)
	clear(s.grievance)
	s.hits = resize(s.hits, states)
	s.truces = resize(s.truces, len(w.campaigns))
	s.inForce = resize(s.inForce, len(w.campaigns))
	clear(s.inForce)
	for k, cp := range w.campaigns {
		s.truces[k] = truce{holding: cp.Kind == Ceasefire}
	}
	s.esc.reset(w)
}

// reach is the share of its stated strength an action by actor a has this week.
func (s *statecraft) reach(a Actor) float64 {
	if !s.on || a == US {
		return 1
	}
	return s.honesty
}

// countAction records n kinetic actions by actor a: unilateral ones cost cooperation,
// US and joint ones invite retaliation.
func (s *statecraft) countAction(a Actor, n float64) {
	if !s.on {
		return
	}
	switch a {
	case US:
		s.usActions += n
		s.kinetic += n
	case Joint:
		s.kinetic += n
	}
}

// commandsFromPrison decides the fate of a captured leader: extradited with probability
// Extradition x cooperation, otherwise kept in Mexico, where he goes on commanding with
// probability PrisonCommand (true: the capture changes nothing).
func (r *Replicate) commandsFromPrison(rng *rand.Rand) bool {
	s := &r.statecraft
	if !s.on {
		return false
	}
	pol := r.w.cfg.Policy
	if rng.Float64() < pol.Extradition*s.cooperation {
		s.extraditions++
		return false
	}
	return rng.Float64() < pol.PrisonCommand
}

// intelligence is the week's multiplier of intelligence quality for actions by actor a:
// of decapitation hazards and, up to certainty, of strike accuracy. Joint actions lose
// the share of it Mexico's limits on US agents take (escalation.go).
func (s *statecraft) intelligence(a Actor) float64 {
	if !s.on {
		return 1
	}
	if a == Joint && s.esc.limits > 0 {
		return float64(s.intel * (1 - s.esc.limits))
	}
	return s.intel
}

// casualtyScale multiplies civilians killed per strike.
func (s *statecraft) casualtyScale() float64 {
	if !s.on {
		return 1
	}
	return max(0, 2-s.intel)
}

// adjust reads the week's levers and sets their effects on the parameters: corruption
// and capacity on Mexico's arrests, cooperation on intelligence, guns on lethality; and
// the precursor cut, the cooperation target and the interdicted share of guns, all at
// this week's honesty, for the rest of the week.
func (r *Replicate) adjust(wk int, p *Params) {
	s := &r.statecraft
	pol := r.w.cfg.Policy
	s.usActions, s.kinetic, s.extraditions = 0, 0, 0
	clean := 0.0
	for k := range r.w.campaigns {
		if cp := &r.w.campaigns[k]; cp.Kind == AntiCorruption && cp.Active(wk) {
			clean = combineShares(clean, cp.rampedIntensity(wk))
		}
	}
	s.corruption = float64(pol.Corruption * (1 - clean))
	s.honesty = pol.EnforcementCapacity * (1 - s.corruption) / (1 - pol.Corruption)
	s.intel = max(0, 1+float64(pol.IntelligenceGain*(s.cooperation-pol.Cooperation)))
	s.target, s.armsCut, s.precursorCut, s.controlled, s.halting = pol.Cooperation, 0, 0, false, false
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		active := cp.Active(wk)
		s.inForce[k] = active && cp.Kind == Ceasefire && s.truces[k].holding
		if r.recording && cp.Kind == Ceasefire && active && !cp.Active(wk-1) {
			a, b := ceasefireParties(cp)
			r.note(wk, EventCeasefireStart, a, -1, b, 0, 0)
		}
		s.halting = s.halting || s.inForce[k] && cp.HaltShipments
		if !active {
			continue
		}
		switch cp.Kind {
		case Cooperation:
			s.target = combineShares(s.target, cp.Intensity)
		case ArmsInterdiction:
			s.armsCut = combineShares(s.armsCut, min(1, cp.Intensity*s.reach(cp.Actor)))
		case PrecursorControl:
			s.controlled = true
			s.precursorCut = combineShares(s.precursorCut, min(1, cp.Intensity*s.reach(cp.Actor)))
		}
	}
	s.target = r.pressure(wk, s.target)
	if s.precursorCut > 0 {
		s.precursorCut = min(1, s.precursorCut*s.intel) * (1 - s.substitution)
	}
	p.Incapacitation *= s.honesty
	p.ConflictLethality *= 1 - float64(pol.GunShare*(1-s.guns))
}

// truceExposure removes the conflict between groups in holding ceasefires from the
// week's exposure: intensity 1 suspends it entirely.
func (r *Replicate) truceExposure(c []float64) {
	s := &r.statecraft
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if !s.inForce[k] {
			continue
		}
		if cp.named == nil {
			for i := range c {
				r.exposure[i] *= 1 - cp.Intensity
			}
			continue
		}
		if r.space.on {
			s.inTruce = resize(s.inTruce, len(c))
			for i := range c {
				s.inTruce[i] = r.alive(i) && r.named(cp, i)
			}
			r.spatialTruce(c, s.inTruce, cp.Intensity)
			continue
		}
		s.inTruce = resize(s.inTruce, len(c))
		within := 0.0
		for i, x := range c {
			s.inTruce[i] = r.alive(i) && r.named(cp, i)
			if s.inTruce[i] {
				within += x
			}
		}
		for i, x := range c {
			if !s.inTruce[i] {
				continue
			}
			rivals := 0.0
			for _, l := range r.rivals[i] {
				if s.inTruce[l.to] {
					rivals += float64(l.weight * c[l.to])
				}
			}
			r.exposure[i] = max(0, r.exposure[i]-float64(cp.Intensity*(rivals+within-x)*r.invAllies[i]))
		}
	}
}

// halted reports whether a holding ceasefire stops group i's shipments this week.
func (r *Replicate) halted(i int) bool {
	s := &r.statecraft
	if !s.on || !s.halting {
		return false
	}
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if s.inForce[k] && cp.HaltShipments && (cp.named == nil || r.named(cp, i)) {
			return true
		}
	}
	return false
}

// policyWeek ends the week for the states: recruits drawn by grievance, retaliation,
// ceasefire breakdowns, and the drift of cooperation, guns and substitution. It returns
// the grievance recruits, already added to the groups.
func (r *Replicate) policyWeek(wk int, rng *rand.Rand, out []float64) (recruits float64) {
	s := &r.statecraft
	pol := r.w.cfg.Policy
	recruits = r.grievanceRecruits(rng)
	s.retaliation += float64(pol.RetaliationPerAction * s.kinetic * s.retaliationScale(pol))
	if s.retaliation > 0 {
		due := float64(s.retaliation * relax(pol.RetaliationWeeks))
		s.retaliation -= due
		out[Retaliation] = Poisson(rng, due)
	}
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		t := &s.truces[k]
		if cp.Kind != Ceasefire || !t.holding || !cp.Active(wk) {
			continue
		}
		if rng.Float64() < truceBreakdown(pol, cp.Enforced, t.age) {
			t.holding = false
			if r.recording {
				a, b := ceasefireParties(cp)
				r.note(wk, EventCeasefireBreakdown, a, -1, b, t.age, 0)
			}
		} else {
			out[Truces]++
		}
		t.age++
	}
	s.cooperation += float64((s.target - s.cooperation) * relax(pol.CooperationWeeks))
	s.cooperation -= float64(pol.UnilateralCost*s.usActions) + float64(pol.CasualtyCost*out[CivilianCasualties])
	s.cooperation = min(1, max(0, s.cooperation))
	s.guns += float64((1 - s.armsCut - s.guns) * relax(pol.GunLifeWeeks))
	if s.controlled {
		s.substitution += float64((1 - s.substitution) * relax(pol.SubstitutionWeeks))
	}
	r.escalationWeek(wk, out)
	out[CooperationIndex] = s.cooperation
	out[Extraditions] = s.extraditions
	out[GrievanceRecruits] = recruits
	out[Guns] = s.guns
	out[Corruption] = s.corruption
	return recruits
}

// truceBreakdown is the probability that a ceasefire held for age weeks breaks down this
// week.
func truceBreakdown(pol *Policy, enforced bool, age float64) float64 {
	if enforced {
		return relax(pol.EnforcedTruceWeeks)
	}
	// Rayleigh with mean mu: cumulative hazard t^2/(2 sigma^2), sigma = mu/sqrt(pi/2).
	sigma2 := float64(pol.UnenforcedTruceWeeks*pol.UnenforcedTruceWeeks) * 2 / math.Pi
	return -fpmath.Expm1(-(float64((age+1)*(age+1)) - float64(age*age)) / (2 * sigma2))
}

// grievanceRecruits draws the week's recruits brought by civilian casualties: each state
// owes its due share of grievance to the groups present there, in proportion to their
// members. The total is one Poisson draw, dealt out to groups by their share of the
// expected recruits (a Poisson split, so each group's count is Poisson with its own
// mean), which costs one draw a week rather than one per group and state.
func (r *Replicate) grievanceRecruits(rng *rand.Rand) (total float64) {
	s := &r.statecraft
	share := relax(r.w.cfg.Policy.GrievanceWeeks)
	t := &r.territory
	s.there = resize(s.there, len(s.grievance))
	clear(s.there)
	var owed uint64 // states with grievance
	for v, g := range s.grievance {
		if g > 0 {
			owed |= 1 << v
		}
	}
	if owed == 0 {
		return 0
	}
	for i, x := range r.c {
		if r.alive(i) && x > 0 {
			for m := t.present[i] & owed; m != 0; m &= m - 1 {
				s.there[bits.TrailingZeros64(m)] += x
			}
		}
	}
	due := 0.0
	for m := owed; m != 0; m &= m - 1 {
		v := bits.TrailingZeros64(m)
		d := float64(s.grievance[v] * share)
		s.grievance[v] -= d
		if s.there[v] > 0 {
			s.there[v] = d / s.there[v] // now the expected recruits per member there
			due += d
		}
	}
	n := Poisson(rng, due)
	if n > manyGrievance {
		return r.dealGrievance(rng, n, due, owed)
	}
	for ; total < n; total++ {
		u := rng.Float64() * due
		last := -1
		for i, x := range r.c {
			if !r.alive(i) || x <= 0 {
				continue
			}
			mean := 0.0
			for m := t.present[i] & owed; m != 0; m &= m - 1 {
				mean += float64(x * s.there[bits.TrailingZeros64(m)])
			}
			if mean > 0 {
				last = i
				if u -= mean; u < 0 {
					break
				}
			}
		}
		r.c[last]++
		r.notePeak(last)
	}
	return total
}

// manyGrievance is the number of grievance recruits in a week above which they are dealt
// out to groups by a multinomial draw rather than one at a time. The shipped scenarios
// draw a few a week, so they never reach it and keep their random streams.
const manyGrievance = 1000

// dealGrievance deals n grievance recruits out to the groups, each group's count a
// binomial draw from those left with its share of the expected recruits left (a
// multinomial draw, as dealing them one at a time is, in O(groups) whatever n is), and
// returns n.
func (r *Replicate) dealGrievance(rng *rand.Rand, n, due float64, owed uint64) float64 {
	s := &r.statecraft
	t := &r.territory
	mean := func(i int) float64 {
		m := 0.0
		if r.alive(i) && r.c[i] > 0 {
			for b := t.present[i] & owed; b != 0; b &= b - 1 {
				m += float64(r.c[i] * s.there[bits.TrailingZeros64(b)])
			}
		}
		return m
	}
	last := -1
	for i := range r.c {
		if mean(i) > 0 {
			last = i
		}
	}
	left, dueLeft := n, due
	for i := 0; i <= last && left > 0; i++ {
		m := mean(i)
		if m <= 0 {
			continue
		}
		k := left
		if i < last {
			k = Binomial(rng, left, min(1, m/dueLeft))
		}
		r.c[i] += k
		r.notePeak(i)
		left -= k
		dueLeft -= m
	}
	return n
}

// blame records the casualties of one strike campaign in the states its strikes hit, in
// proportion to hits (or to the labs aimed at, when every strike missed).
func (r *Replicate) blame(casualties float64, cells []labCell) {
	s := &r.statecraft
	defer clear(s.hits)
	if casualties == 0 {
		return
	}
	total := 0.0
	for _, h := range s.hits {
		total += h
	}
	if total == 0 {
		for _, c := range cells {
			n := r.territory.slot(c.slot)[c.state].labs
			s.hits[c.state] += n
			total += n
		}
	}
	if total == 0 {
		return
	}
	per := r.w.cfg.Policy.RecruitsPerCasualty * casualties / total
	for v, h := range s.hits {
		s.grievance[v] += float64(per * h)
	}
}
