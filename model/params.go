package model

import (
	"fmt"
	"math"
	"strconv"
)

// FieldError is a validation error about one named field of a parameter set or
// intervention, so that callers reading a file can point at the offending key.
type FieldError struct {
	Field string // the field's name as scenario files spell it, e.g. "intensity"
	Msg   string
}

func (e *FieldError) Error() string { return "model: " + e.Msg }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Params are the rates of the Prieto-Curiel, Campedelli & Hope (2023) model, per week.
// Defaults are the paper's fitted values (Science 381:1312, supplementary materials, and
// the authors' code in the public repository rafaelprietocuriel/Recruitment).
type Params struct {
	// Recruitment is rho: recruits per member per week.
	Recruitment float64
	// PoolRecruitment is recruits per 100,000 people per week, for all groups together,
	// shared out among them in proportion to their size: recruitment that the pool of
	// people who can be recruited sets, growing with the population rather than with the
	// cartels. 0 is the paper's, all recruitment rho C_i. It needs a world with geography
	// (its population).
	PoolRecruitment float64
	// Replacement in [0,1] is the share of the members a group loses to arrest or to
	// conflict in a week that it replaces with recruits in the same week, on top of
	// rho's: 0 is the paper's, no replacement; 1 replaces every member arrested or killed.
	// Filling a post is taken not to depend on income: the economy's revenue factor does
	// not scale it.
	Replacement float64
	// Incapacitation is eta: members arrested or otherwise removed per week in total,
	// shared out among cartels in proportion to their size.
	Incapacitation float64
	// ConflictLethality is theta: deaths per member per exposed member per week, applied
	// to the conflict kernel K_ij = (R_ij+b)/(A_i+1) (b = BaselineHostility), or with
	// geography to the members each meets where it is.
	ConflictLethality float64
	// Saturation is omega: members lost per member per member of the same cartel per week.
	Saturation float64
	// SaturationSharing in [0,1] is how much of the crowding behind saturation is shared
	// with the other groups around a group: a member's saturation hazard is
	// omega ((1-s) C_i + s M_i), s = SaturationSharing, where M_i counts the members of
	// every group where group i is (crowding). 0 is the paper's: each group crowds only
	// itself, so that splitting a group's members among more groups lowers their losses;
	// 1: groups crowd one another as much as themselves, and a split changes nothing.
	SaturationSharing float64
	// HomicideRatio is homicides (civilians included, plus missing persons) per conflict
	// death of the model, calibrated on the national series 2012-2021 (see
	// DefaultHomicideRatio), in worlds without geography (see OCHomicideRatio).
	HomicideRatio float64
	// Intelligence in [0,1] is the quality of the intelligence behind leadership strikes:
	// it scales every decapitation hazard. 1 means campaigns run at their stated pace.
	Intelligence float64

	// BaselineHostility is the hostility between two groups that are neither rivals nor
	// allies: a pair's hostility is its rivalry weight plus it. 1 is the paper's "+1"
	// of the kernel (R_ij + 1)/(A_i + 1) (see docs/space.md).
	BaselineHostility float64
	// AdjacentWeight in [0,1] is how strongly members in a state meet the members of other
	// groups in the states adjacent to it, relative to those in their own state. Worlds
	// without geography do not use it.
	AdjacentWeight float64
	// BaselineHomicideRate is the homicides not driven by organised crime, per 100,000
	// people per year: in worlds with geography each state has rate x population of them
	// a year. Worlds without geography do not use it.
	BaselineHomicideRate float64
	// OCHomicideRatio is the homicides that organised crime's conflict and territorial
	// control drive (members, civilians and others) per conflict death of the model, in
	// worlds with geography; worlds without it use HomicideRatio.
	OCHomicideRatio float64
	// AllianceDivision is how much alliances divide a group's conflict: the kernel's row
	// scale is 1/(d A_i + 1), d = AllianceDivision. 1 is the paper's (R_ij+1)/(A_i+1);
	// 0: allies fight as much as anyone.
	AllianceDivision float64
	// DeploymentViolence and DeploymentArrests are what a deployment of level 1 does
	// where it is (deployment.go): the conflict hazard there is multiplied by
	// max(0, 1 + DeploymentViolence x level), and members there are arrested at the added
	// weekly hazard DeploymentArrests x level. Worlds without deployments do not use them.
	DeploymentViolence float64
	DeploymentArrests  float64
}

// The defaults of the spatial parameters (see docs/space.md and the registry).
const (
	// DefaultBaselineHomicideRate: 42% of homicides were not organised crime's in the
	// Semáforo Delictivo and Lantia Consultores count of January-September 2016 (58%
	// were; InSight Crime, "Más de la mitad de los homicidios en México son perpetrados
	// por el crimen organizado"), times the national rate of 2012-2021, 292,195
	// homicides (INEGI, model/bacrim/data) in ten years over about 122 million people,
	// 24 per 100,000 a year: 10.
	DefaultBaselineHomicideRate = 10
	// DefaultOCHomicideRatio: the 58% of homicides organised crime commits, times the
	// 6.06 homicides per conflict death of the mean-field baseline 2012-2021 (292,195
	// homicides over its deaths; see DefaultHomicideRatio): 3.51.
	DefaultOCHomicideRatio = 3.51
	// DefaultAdjacentWeight: an assumption; violence spills over to neighbouring places
	// (Dell 2015, AER 105:1738), more weakly than where groups share ground.
	DefaultAdjacentWeight = 0.25
)

// DefaultHomicideRatio converts model deaths into all killings the conflict drives. The
// paper fits model deaths to a tenth of weekly homicides plus missing persons; we
// calibrate the ratio directly: homicides plus missing persons of 2012-2021 (INEGI and
// the national registry of missing persons, Trends2012_2021.csv: 469,671 in 10 years,
// 900.1 a week at 365.25/7 weeks a year) divided by the mean weekly conflict deaths of
// the mean-field baseline over its first 520 weeks, 2012-2021 (92.44).
// TestHomicideRatioCalibration recomputes it from the data and the model.
const DefaultHomicideRatio = 9.7374

// DefaultParams returns the paper's fitted parameters.
func DefaultParams() Params {
	return Params{
		Recruitment:       2.527474e-3,
		Incapacitation:    110,
		ConflictLethality: 1.549231e-8,
		Saturation:        4e-8,
		HomicideRatio:     DefaultHomicideRatio,
		Intelligence:      1,

		BaselineHostility:    1,
		AdjacentWeight:       DefaultAdjacentWeight,
		BaselineHomicideRate: DefaultBaselineHomicideRate,
		OCHomicideRatio:      DefaultOCHomicideRatio,
		AllianceDivision:     1,
	}
}

// Validate reports the first parameter that is not a finite non-negative number.
func (p Params) Validate() error {
	for _, f := range []struct {
		field, name string
		v           float64
	}{
		{"recruitment", "recruitment", p.Recruitment},
		{"incapacitation", "incapacitation", p.Incapacitation},
		{"conflict_lethality", "conflict lethality", p.ConflictLethality},
		{"saturation", "saturation", p.Saturation},
		{"homicide_ratio", "homicide ratio", p.HomicideRatio},
		{"intelligence", "intelligence", p.Intelligence},
	} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fieldErrorf(f.field, "%s rate is %v, want a finite number", f.name, f.v)
		}
		if f.v < 0 {
			return fieldErrorf(f.field, "negative %s rate %v", f.name, f.v)
		}
	}
	if p.Intelligence > 1 {
		return fieldErrorf("intelligence", "intelligence %v is a quality in [0,1], above 1", p.Intelligence)
	}
	for _, f := range []struct {
		field, name string
		v, hi       float64
	}{
		{"pool_recruitment", "pool recruitment", p.PoolRecruitment, maxSpatialParam},
		{"baseline_hostility", "baseline hostility", p.BaselineHostility, maxSpatialParam},
		{"adjacent_weight", "adjacent weight (relative to a shared state)", p.AdjacentWeight, 1},
		{"baseline_homicide_rate", "baseline homicide rate", p.BaselineHomicideRate, maxSpatialParam},
		{"oc_homicide_ratio", "organised-crime homicide ratio", p.OCHomicideRatio, maxSpatialParam},
		{"alliance_division", "alliance division", p.AllianceDivision, maxSpatialParam},
		{"saturation_sharing", "saturation sharing", p.SaturationSharing, 1},
		{"replacement", "replacement", p.Replacement, 1},
		{"deployment_arrests", "deployment arrest hazard", p.DeploymentArrests, 1},
	} {
		if !(f.v >= 0 && f.v <= f.hi) { // NaN included
			return fieldErrorf(f.field, "%s is %v, want a number from 0 to %g", f.name, f.v, f.hi)
		}
	}
	if v := p.DeploymentViolence; !(v >= -1 && v <= maxSpatialParam) {
		return fieldErrorf("deployment_violence", "deployment violence is %v, want a number from -1 to %g", v, float64(maxSpatialParam))
	}
	return nil
}

// maxSpatialParam bounds the baseline hostility, the baseline homicide rate and the
// organised-crime homicide ratio: far above anything plausible, low enough that no week's
// sums overflow.
const maxSpatialParam = 1e6

func formatG(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
