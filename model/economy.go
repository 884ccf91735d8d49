package model

import (
	"math"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// Economy parameterises territory, labs, trafficking and the market. A world without it
// or a Territory has no geography: the paper's model, with groups and no places.
//
// Territory. Each group starts in its home state (the BACRIM data set's) and any others
// its Group.Holds names, and holds up to 1 + floor(members/MembersPerState) states. A
// group with fewer spreads, at the weekly
// hazard 1/ExpansionWeeks, into a state adjacent to one it holds, chosen in proportion to
// the state's population divided by one plus the number of the group's rivals already
// there (markets draw, contested ground repels); a group holding two more than it can
// withdraws from its state with the fewest labs at the same hazard, moving those labs to
// another state it holds.
//
// Labs. The market sets how many labs the trade needs: enough to supply the reference
// demand after the baseline border seizure, ReferenceDemand x (1 - demand reduction) /
// (LabCapacity x (1 - BorderSeizure)). Groups share that need in proportion to members and
// build towards their share, rounded to whole labs (a group needs half a lab's share to
// run one), at the weekly hazard 1/BuildWeeks per missing lab, or close surplus labs at
// that hazard.
// A lab struck or dismantled awaits rebuilding (still counted in the group's share, so the
// market does not replace it at once) and is rebuilt after a geometric delay of mean
// RebuildWeeks if the group can pay LabCost from its savings (each week a group sets aside
// Reinvestment of its income, up to a year's worth). A rebuilt lab moves with probability
// 1 - exp(-pressure/RelocationScale), pressure being the labs the group has lost in that
// state, decaying with time constant PressureWeeks; a moving lab goes abroad (Canada)
// with probability AbroadShare, otherwise to another state the group holds, chosen in
// proportion to 1/(1 + its pressure). New labs go to the states a group holds by the same
// rule. Abroad, labs meet Canadian enforcement (CanadaEnforcement, a weekly hazard per
// lab), which builds pressure there as strikes do in a state; a lab rebuilt abroad moves by
// the same rule, back to Mexico with probability ReturnShare (see canada.go).
//
// Production. A lab turns one batch of precursors a week into LabCapacity doses.
// PrecursorBatches arrive each week through the Pacific ports; when the labs need more,
// batches are shared in proportion to labs, those of groups holding no port state counting
// InlandPrecursorAccess each. Labs abroad get a share AbroadPrecursorAccess of their
// batches by other routes, which precursor control in Mexico does not cut, and the rest
// from Mexico's batches as other labs do.
//
// Trafficking. Shipments go from each lab's state to the US along the least-cost path of
// the state graph (Dijkstra's algorithm, as Router.Route computes it). Entering a state costs 1, plus EnforcementCost times
// the share interdiction seizes there, plus RivalCost if a rival of the group holds it, so
// routes divert around enforcement and enemies (as in Dell 2015). Each state crossed seizes
// its interdiction share and the border BorderSeizure (plus border interdiction). Labs
// abroad ship across the northern border and lose only the border share.
//
// Market. US demand at ReferencePrice is ReferenceDemand doses a week, times one minus
// demand reduction, with constant price elasticity -PriceElasticity: the price that clears
// the week's supply Q is ReferencePrice x (Q/demand)^(-1/PriceElasticity), kept within a
// factor MaxPriceRatio of the reference. The week's sales are price x supply: a share
// ProducerShare goes to the groups whose product was sold, by their deliveries, and the
// rest to all groups by members (the plazas that move and retail it). When a group's drug
// revenue falls below RentFloor of its baseline, it makes up the difference with other
// rents (extortion, fuel theft). A group's baseline is what it would earn with its labs at
// their share at the reference price and demand. Its recruitment is the core's rate (rho
// and the pool's share) times 1 + RevenueElasticity x (income/baseline - 1), between 0 and
// MaxRecruitmentFactor, so the calibrated rate holds at baseline revenue; the replacement
// of its losses is not scaled (Params.Replacement).
type Economy struct {
	MembersPerState float64
	ExpansionWeeks  float64

	LabCapacity           float64 // doses per lab per week
	PrecursorBatches      float64 // batches per week arriving through the ports
	InlandPrecursorAccess float64
	BuildWeeks            float64
	RebuildWeeks          float64
	LabCost               float64 // dollars
	Reinvestment          float64
	PressureWeeks         float64
	RelocationScale       float64 // labs lost
	AbroadShare           float64
	// Canada both ways (model/canada.go).
	CanadaEnforcement     float64 // weekly hazard that a lab abroad is dismantled
	ReturnShare           float64 // share of labs moving from abroad that go back to Mexico
	AbroadPrecursorAccess float64 // share of a lab abroad's precursors arriving by other routes

	BorderSeizure   float64
	EnforcementCost float64
	RivalCost       float64
	// The sea (sea.go): lanes from the ports to the US, closed unless SeaRoutes is 1.
	SeaRoutes         float64
	PacificSeaCost    float64 // cost of the lane, as the border crossing's 1
	PacificSeaSeizure float64
	GulfSeaCost       float64
	GulfSeaSeizure    float64
	StrikeDeterrence  float64 // lane cost per share struck, as a multiple of EnforcementCost
	BoatLoad          float64 // doses per boat
	CrewDeaths        float64 // people killed per boat struck

	ReferenceDemand      float64 // doses per week
	ReferencePrice       float64 // dollars per dose
	PriceElasticity      float64 // magnitude of the price elasticity of demand
	MaxPriceRatio        float64
	ProducerShare        float64
	RentFloor            float64
	RevenueElasticity    float64
	MaxRecruitmentFactor float64

	// The US side (overdose.go).
	FentanylShare       float64 // adulterated share of consumption at the start of FentanylYear
	FentanylGrowth      float64 // logistic growth rate of that share, per year
	FentanylCeiling     float64 // the share's ceiling: the most of consumption fentanyl can take
	FentanylYear        float64 // the calendar year at whose start the share is FentanylShare (Config.FentanylWeekOne)
	OverdoseFatality    float64 // deaths per million exposed doses
	OverdoseLagWeeks    float64 // time constant of deaths' lag behind exposure
	OtherOverdoseDeaths float64 // deaths per week not driven by Mexican supply
	// LabPriceElasticity and LabStrikeElasticity make the labs a group builds answer to
	// profit: its share of the labs the market needs is multiplied by (P/P_ref)^e_p, P
	// last week's clearing price and P_ref ReferencePrice, and divided by 1 + e_s x its
	// strike pressure (labs lost lately, summed over its regions), up to the labs the
	// whole market needs. 0 and 0: labs follow demand alone.
	LabPriceElasticity  float64
	LabStrikeElasticity float64
}

// DefaultEconomy returns the documented defaults (docs/model.md, "Territory, labs, trafficking
// and the market", gives each one's source or says it is an assumption).
func DefaultEconomy() Economy {
	t := DefaultTerritory()
	return Economy{
		MembersPerState: t.MembersPerState,
		ExpansionWeeks:  t.ExpansionWeeks,

		// One batch a week of $800 of precursors makes over 400,000 pills (press reports of the 2025 debate;
		// an assumption, see the registry).
		LabCapacity: 400_000,
		// Above the labs' need at the reference demand (1,200 batches), so precursors do
		// not bind until precursor control cuts them.
		PrecursorBatches:      1500,
		InlandPrecursorAccess: 0.5,
		BuildWeeks:            8,
		RebuildWeeks:          4,
		LabCost:               20_000,
		Reinvestment:          0.2,
		PressureWeeks:         26,
		RelocationScale:       2,
		AbroadShare:           0.15,
		// Off by default, so that worlds keep their earlier behaviour; see canada.go and
		// the registry for the sources and plausible ranges.
		CanadaEnforcement:     0,
		ReturnShare:           0.5,
		AbroadPrecursorAccess: 0,

		BorderSeizure:   0.1,
		EnforcementCost: 5,
		RivalCost:       1,
		// The sea lanes are closed by default, which keeps earlier results; their
		// parameters' sources and ranges are in the registry (docs/sea-and-canada.md).
		SeaRoutes:         0,
		PacificSeaCost:    6,
		PacificSeaSeizure: 0.1,
		GulfSeaCost:       8,
		GulfSeaSeizure:    0.1,
		StrikeDeterrence:  3,
		BoatLoad:          1e6,
		// About 83 killed in the first 21 strikes on boats of the 2025 US campaign,
		// September to mid-November 2025 (press tallies).
		CrewDeaths: 4,

		// 1,200 labs x 400,000 doses x 0.9 past the border: $11.2bn a year at $0.50 a
		// dose (the street price of press reports, an assumption), within the NDTA's $18-39bn of Mexican and Colombian
		// wholesale drug proceeds for the synthetic share.
		ReferenceDemand:      1200 * 400_000 * 0.9,
		ReferencePrice:       0.5,
		PriceElasticity:      0.5,
		MaxPriceRatio:        20,
		ProducerShare:        0.5,
		RentFloor:            0.3,
		RevenueElasticity:    0.3,
		MaxRecruitmentFactor: 2,

		// The US side, from 1 January 2012: the best particle of calibrations/us-overdose.yaml
		// (make calibrate-us; docs/us-side.md) against the CDC's synthetic-opioid deaths of
		// 2013, 2016, 2018, 2019, 2020 and 2021 (data/targets/us-synthetic-opioid-deaths.csv):
		// an adulterated share of 0.57% in 2012 growing at 0.67 a year towards half the supply,
		// at 6.4 deaths per million exposed doses, with 30 a week not driven by Mexican supply
		// (about 1,600 a year in 2011-2012, before illicit fentanyl, CDC/NCHS as reported in
		// 2019). The ceiling is not pinned down (90%: 0.25 to 0.95).
		FentanylShare:       0.0057,
		FentanylGrowth:      0.67,
		FentanylCeiling:     0.51,
		FentanylYear:        2012,
		OverdoseFatality:    6.4,
		OverdoseLagWeeks:    4,
		OtherOverdoseDeaths: 30,
	}
}

// EconomyFields are the scenario keys of Economy's fields, in order.
var EconomyFields = fieldNames(new(Economy).fields())

// Set sets the field a scenario names (one of EconomyFields).
func (e *Economy) Set(field string, v float64) bool { return setField(e.fields(), field, v) }

func (e *Economy) fields() []numField {
	inf := math.Inf(1)
	return append(territoryFields(&e.MembersPerState, &e.ExpansionWeeks), []numField{
		{"lab_capacity", &e.LabCapacity, 1e4, 1e12},
		{"precursor_batches", &e.PrecursorBatches, 0, 1e9},
		{"inland_precursor_access", &e.InlandPrecursorAccess, 0, 1},
		{"build_weeks", &e.BuildWeeks, 1, inf},
		{"rebuild_weeks", &e.RebuildWeeks, 1, inf},
		{"lab_cost", &e.LabCost, 0, 1e12},
		{"reinvestment", &e.Reinvestment, 0, 1},
		{"pressure_weeks", &e.PressureWeeks, 1, inf},
		{"relocation_scale", &e.RelocationScale, 1e-3, inf},
		{"abroad_share", &e.AbroadShare, 0, 1},
		{"canada_enforcement", &e.CanadaEnforcement, 0, 1},
		{"return_share", &e.ReturnShare, 0, 1},
		{"abroad_precursor_access", &e.AbroadPrecursorAccess, 0, 1},
		{"border_seizure", &e.BorderSeizure, 0, 0.99},
		{"enforcement_cost", &e.EnforcementCost, 0, 1e6},
		{"rival_cost", &e.RivalCost, 0, 1e6},
		{"sea_routes", &e.SeaRoutes, 0, 1},
		{"pacific_sea_cost", &e.PacificSeaCost, 0, 1e6},
		{"pacific_sea_seizure", &e.PacificSeaSeizure, 0, 0.99},
		{"gulf_sea_cost", &e.GulfSeaCost, 0, 1e6},
		{"gulf_sea_seizure", &e.GulfSeaSeizure, 0, 0.99},
		{"strike_deterrence", &e.StrikeDeterrence, 0, 1e3},
		{"boat_load", &e.BoatLoad, 1, 1e12},
		{"crew_deaths", &e.CrewDeaths, 0, 100},
		{"reference_demand", &e.ReferenceDemand, 1, 1e10},
		{"reference_price", &e.ReferencePrice, 1e-6, 1e6},
		{"price_elasticity", &e.PriceElasticity, 0.01, 100},
		{"max_price_ratio", &e.MaxPriceRatio, 1, 1e6},
		{"producer_share", &e.ProducerShare, 0, 1},
		{"rent_floor", &e.RentFloor, 0, 1},
		{"revenue_elasticity", &e.RevenueElasticity, 0, 10},
		{"max_recruitment_factor", &e.MaxRecruitmentFactor, 1, 100},
		{"fentanyl_share", &e.FentanylShare, 0, 1},
		{"fentanyl_growth", &e.FentanylGrowth, 0, 10},
		{"fentanyl_ceiling", &e.FentanylCeiling, 0, 1},
		{"fentanyl_year", &e.FentanylYear, 1900, 2200},
		{"overdose_fatality", &e.OverdoseFatality, 0, 1e6},
		{"overdose_lag_weeks", &e.OverdoseLagWeeks, 1, 520},
		{"other_overdose_deaths", &e.OtherOverdoseDeaths, 0, 1e6},
		{"lab_price_elasticity", &e.LabPriceElasticity, 0, 10},
		{"lab_strike_elasticity", &e.LabStrikeElasticity, 0, 1e6},
	}...)
}

// Validate checks every field's range, and that the market needs at most MaxLabsNeeded
// labs (labs are built, rebuilt, struck and closed one at a time). The ranges of
// lab_capacity (from 10,000 doses a week, 1/40 of the default) and reference_demand (up
// to 1e10 doses a week, 23 times the default) keep every field's range valid with the
// others at their defaults; only combinations can pass the cap.
func (e Economy) Validate() error {
	if err := validateFields("economy", e.fields()); err != nil {
		return err
	}
	if e.SeaRoutes != 0 && e.SeaRoutes != 1 {
		return fieldErrorf("sea_routes", "economy sea_routes is %v, want 0 (closed) or 1 (open)", e.SeaRoutes)
	}
	if need := e.labsNeeded(1); need > MaxLabsNeeded {
		return fieldErrorf("reference_demand", "economy reference_demand / (lab_capacity x (1 - border_seizure)) is %.4g labs, more than the %d the model can run; raise lab_capacity or lower reference_demand",
			need, MaxLabsNeeded)
	}
	return nil
}

// labsNeeded is the labs the market needs at demand multiplier m.
func (e *Economy) labsNeeded(m float64) float64 {
	return e.ReferenceDemand * m / (e.LabCapacity * (1 - e.BorderSeizure))
}

// clearingPrice is the price at which demand (times multiplier m) equals supply q,
// within MaxPriceRatio of the reference; positive and finite for any q >= 0.
func (e *Economy) clearingPrice(q, m float64) float64 {
	hi := e.ReferencePrice * e.MaxPriceRatio
	lo := e.ReferencePrice / e.MaxPriceRatio
	demand := e.ReferenceDemand * m
	switch {
	case q <= 0:
		return hi
	case demand <= 0:
		return lo
	}
	logP := fpmath.Log(e.ReferencePrice) - fpmath.Log(q/demand)/e.PriceElasticity
	return fpmath.Exp(max(fpmath.Log(lo), min(fpmath.Log(hi), logP)))
}
