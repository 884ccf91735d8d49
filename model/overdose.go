package model

import "github.com/cartelsim/cartelsim/internal/fpmath"

// The US side: overdose deaths from the supply that reaches US users (see docs/us-side.md).
//
// Consumption. The market clears every week (Economy), so US users consume the doses that
// reach the US, Supply, at the clearing price; demand's price elasticity -PriceElasticity
// sets how far the price moves when supply does (supply halved: the price times
// 2^(1/PriceElasticity)).
//
// Adulteration. A share of those doses is fentanyl-adulterated: FentanylShare at the
// world's first week (the start of its warm-up, world.since in a scenario), growing
// logistically at FentanylGrowth a year towards 1 (fentanyl's spread through the heroin and
// counterfeit-pill markets; growth 0 keeps it constant). The week's exposure is the share
// times consumption: the metric us_consumption.
//
// Deaths. Deaths follow exposure with a first-order lag of time constant OverdoseLagWeeks
// (each week the lagged exposure closes 1/OverdoseLagWeeks of its gap to the week's
// exposure; it starts at the first week's exposure, a market in balance), at
// OverdoseFatality deaths per million exposed doses, plus OtherOverdoseDeaths a week that
// Mexican supply does not drive (pharmaceutical fentanyl, other sources). Harm reduction
// (naloxone distribution, treatment: the kind harm-reduction) removes a share of both, at
// once: it lowers the case-fatality rate, not consumption.
type overdose struct {
	started bool
	lagged  float64 // lagged exposure, doses per week
}

// fentanylShare is the adulterated share of consumption after elapsed weeks since the
// world's first week.
func (e *Economy) fentanylShare(elapsed float64) float64 {
	s0, g := e.FentanylShare, e.FentanylGrowth
	if s0 <= 0 || s0 >= 1 || g == 0 {
		return s0
	}
	return 1 / (1 + float64((1-s0)/s0*fpmath.Exp(-g*elapsed/WeeksPerYear)))
}

// step takes the week's exposure and harm reduction (a share of deaths averted) and
// returns the week's deaths.
func (o *overdose) step(e *Economy, exposure, harm float64) float64 {
	if !o.started {
		o.started, o.lagged = true, exposure
	} else {
		o.lagged += (exposure - o.lagged) / e.OverdoseLagWeeks
	}
	return (1 - harm) * (e.OtherOverdoseDeaths + e.OverdoseFatality*o.lagged/1e6)
}

// overdoseWeek writes the week's US consumption and overdose deaths from its supply.
func (r *Replicate) overdoseWeek(wk int, out []float64) {
	e := &r.w.econ
	kept := 1.0
	for k := range r.w.campaigns {
		cp := &r.w.campaigns[k]
		if cp.Kind == HarmReduction && cp.Active(wk) {
			kept *= 1 - cp.rampedIntensity(wk)
		}
	}
	exposure := float64(e.fentanylShare(float64(wk-1+r.w.cfg.WarmUpWeeks)) * out[Supply])
	out[USConsumption] = exposure
	out[OverdoseDeaths] = r.territory.overdose.step(e, exposure, 1-kept)
}
