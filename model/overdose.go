package model

import "github.com/cartelsim/cartelsim/internal/fpmath"

// The US side: overdose deaths from the supply that reaches US users (see docs/us-side.md).
//
// Consumption. The market clears every week (Economy), so US users consume the doses that
// reach the US, Supply, at the clearing price; demand's price elasticity -PriceElasticity
// sets how far the price moves when supply does (supply halved: the price times
// 2^(1/PriceElasticity)).
//
// Adulteration. A share of those doses is fentanyl-adulterated: FentanylShare on 1 January
// of FentanylYear (in a world with a calendar; without one, at the world's first week),
// growing logistically at FentanylGrowth a year towards FentanylCeiling (fentanyl's spread
// through the heroin and counterfeit-pill markets, up to the part of them it can take;
// growth 0 keeps it constant). The week's exposure is the share times consumption: the
// metric us_consumption.
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

// fentanylShare is the adulterated share of consumption elapsed weeks after the time at
// which it is FentanylShare (negative: before it): the logistic
// K / (1 + (K - s0)/s0 e^(-g t)), t in years, which is s0 at t = 0 and tends to the ceiling
// K. A share that starts at the ceiling or above it stays at the ceiling.
func (e *Economy) fentanylShare(elapsed float64) float64 {
	s0, g, k := e.FentanylShare, e.FentanylGrowth, e.FentanylCeiling
	switch {
	case s0 >= k:
		return k
	case s0 <= 0 || g == 0:
		return s0
	}
	return k / (1 + float64((k-s0)/s0*fpmath.Exp(-g*elapsed/WeeksPerYear)))
}

// fentanylWeeks is the time in weeks from the share's FentanylShare to the start of week wk.
func (c *Config) fentanylWeeks(wk int) float64 {
	if o := c.FentanylWeekOne; o != nil {
		return *o + float64(wk-1)
	}
	return float64(wk - 1 + c.WarmUpWeeks)
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
	exposure := float64(e.fentanylShare(r.w.cfg.fentanylWeeks(wk)) * out[Supply])
	out[USConsumption] = exposure
	out[OverdoseDeaths] = r.territory.overdose.step(e, exposure, 1-kept)
}
