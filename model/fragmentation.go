package model

import (
	"math"
)

// WeeksPerYear converts yearly rates into weekly ones.
const WeeksPerYear = 365.25 / 7

// Leadership is a group's succession structure.
type Leadership struct {
	// Lieutenants is how many members could lead a faction of their own; a succession war
	// needs at least two. Fractional values are lieutenants in the making (see
	// Fragmentation.PromotionWeeks); only whole ones count.
	Lieutenants float64
	// Clarity in [0,1] is how clear the succession is: 1, an undisputed heir.
	Clarity float64
	// Cohesion in [0,1] is the group's internal unity; a removal lowers it and it recovers
	// slowly.
	Cohesion float64
}

// Validate checks the ranges.
func (l Leadership) Validate() error {
	switch {
	case !(l.Lieutenants >= 0) || math.IsInf(l.Lieutenants, 0):
		return fieldErrorf("lieutenants", "lieutenants %v, want a finite non-negative number", l.Lieutenants)
	case !(l.Clarity >= 0 && l.Clarity <= 1):
		return fieldErrorf("clarity", "clarity %v is outside [0,1]", l.Clarity)
	case !(l.Cohesion >= 0 && l.Cohesion <= 1):
		return fieldErrorf("cohesion", "cohesion %v is outside [0,1]", l.Cohesion)
	}
	return nil
}

// Fragmentation parameterises leadership, succession, splits, collapse, dissolution and
// the birth of new groups. A world without it keeps its network fixed: the paper's model.
//
// A removed leader is followed by:
//   - a collapse, with probability CollapseProbability, when the group has no whole
//     lieutenant (small hierarchical groups without successors, as Cronin found for
//     terrorist groups); its members go to its strongest ally or disperse;
//   - otherwise, when it has two or more lieutenants, a succession war with probability
//     1 - clarity x cohesion, clarity being cut by KillPenalty when the leader was killed;
//     the group splits into min(lieutenants, 2 + Poisson(ExtraFactions)) factions;
//   - otherwise an orderly succession: one lieutenant takes over (none is used up when
//     there was none) and cohesion falls by the fraction CohesionShock.
//
// In a split, faction shares of the members are uniform on the simplex (a flat Dirichlet)
// and members are dealt out multinomially, so a split moves members and creates none. The
// largest faction keeps the parent's identity. Every faction keeps each of the parent's
// rivalries at full weight (its members face the same enemies), shares each of its
// alliances in proportion to its members (an ally's total alliance weight is unchanged),
// and becomes a rival of each sibling with weight FactionRivalry. The conflict kernel
// K_ij = (R_ij+1)/(A_i+1) then picks the new rivalries up the same week.
//
// A group that ends a week with fewer than ViableMembers members is absorbed by its
// strongest living ally or, without one, dissolves and its members disperse.
//
// New local groups appear at the Poisson rate
//
//	BirthsPerSaturationExit x (members lost to saturation that week)
//	  + BirthsPerVacancy x (members arrested or killed that week)
//
// The first term is members leaving cartels grown past what they can control; the second
// stands for profit opportunities, the markets and territory left unserved by arrests and
// killings, until the territory and market model prices them. Each new group grows out of
// a cartel drawn in proportion to its saturation exits that week (its lineage parent):
// Poisson(FounderMembers) founders, at least ViableMembers, are recruited locally (they
// count among the week's recruits), and it starts as an affiliate of that cartel, with
// alliance weight NewGroupAlliance, as the local franchises of the large cartels do.
type Fragmentation struct {
	// LieutenantSpan is members per lieutenant able to lead a faction: a group's
	// default number of lieutenants is min(MaxLieutenants, floor(members/LieutenantSpan)),
	// so larger groups have more.
	LieutenantSpan float64
	MaxLieutenants float64
	// PromotionWeeks is the time constant with which a group's lieutenants grow towards
	// that default (older groups have grown theirs; new factions start with none).
	PromotionWeeks float64
	// Clarity is the default clarity of succession.
	Clarity float64
	// KillPenalty is the fraction of clarity lost when the leader is killed rather than
	// captured: a killing leaves no arranged hand-over.
	KillPenalty float64
	// CohesionShock is the fraction of cohesion lost at an orderly succession;
	// CohesionRecoveryWeeks is the time constant of its recovery towards 1.
	CohesionShock         float64
	CohesionRecoveryWeeks float64
	// CollapseProbability is the chance that a group whose leader is removed with no
	// successor collapses.
	CollapseProbability float64
	// ExtraFactions is the mean number of factions beyond two in a succession war.
	ExtraFactions float64
	// FactionRivalry is the rivalry weight between sibling factions.
	FactionRivalry float64
	// ViableMembers is the size below which a group cannot survive on its own.
	ViableMembers float64
	// BirthsPerSaturationExit and BirthsPerVacancy set the rate of new groups (above).
	BirthsPerSaturationExit float64
	BirthsPerVacancy        float64
	// FounderMembers is the mean size of a new group.
	FounderMembers float64
	// NewGroupAlliance is the alliance weight between a new group and its parent cartel.
	NewGroupAlliance float64

	// The mechanisms whose strength the data are to choose (docs/model.md, "Alliances,
	// successors and fading feuds"); each default keeps the structure the model had
	// before them.
	//
	// AllianceBreakRate is the weekly hazard that an alliance between two groups ends
	// (0: alliances last for ever). AllianceFormationRate is the weekly hazard that two
	// groups that share a rival, and are neither rivals nor allies, ally with weight
	// FormedAlliance (0: no alliance forms).
	AllianceBreakRate     float64
	AllianceFormationRate float64
	// SuccessorLethality multiplies the conflict death hazard of a group's members after
	// its leader is replaced (any succession, or a split, for every faction); the excess
	// over 1 decays with time constant SuccessorLethalityWeeks. 1: successors are like
	// their predecessors.
	SuccessorLethality      float64
	SuccessorLethalityWeeks float64
	// FactionRivalryHalfLife is the half-life, in weeks, of the rivalry FactionRivalry
	// a succession war leaves between sibling factions, and of a scheduled breakaway's
	// rivalry with its parent (BreakawayGroup.Rivalry); 0: they never fade.
	FactionRivalryHalfLife float64
	// RivalryInheritance is the chance that a succession war's new faction takes up each
	// of its parent's rivalries, at the parent's weight: 1, every one (the model before
	// it: every split copies its parent's wars, so rivalries multiply with the groups);
	// 0, none, the faction starting with only its war with its siblings (FactionRivalry).
	RivalryInheritance float64
}

// FormedAlliance is the weight of an alliance that forms during a run: 1, the smallest
// whole weight of BACRIM 2020's alliances (model/bacrim/data).
const FormedAlliance float64 = 1

// DefaultFragmentation returns the calibrated defaults (docs/model.md, "Leaders,
// succession and splits"; the calibration in docs/results.md): the
// birth rates, extra factions and clarity were fitted to the group counts of 2011 and
// 2020 under the kingpin history; the others are assumptions documented there.
func DefaultFragmentation() Fragmentation {
	return Fragmentation{
		LieutenantSpan:          200,
		MaxLieutenants:          8,
		PromotionWeeks:          2 * WeeksPerYear,
		Clarity:                 0.5,
		KillPenalty:             0.5,
		CohesionShock:           0.3,
		CohesionRecoveryWeeks:   WeeksPerYear,
		CollapseProbability:     0.2,
		ExtraFactions:           1.5,
		FactionRivalry:          3,
		ViableMembers:           20,
		BirthsPerSaturationExit: 2e-4,
		BirthsPerVacancy:        5e-4,
		FounderMembers:          60,
		NewGroupAlliance:        1,

		SuccessorLethality:      1,
		SuccessorLethalityWeeks: WeeksPerYear,
		RivalryInheritance:      1,
	}
}

// DefaultLeadership is the leadership a group of the given size starts with.
func (f Fragmentation) DefaultLeadership(members float64) Leadership {
	return Leadership{Lieutenants: f.lieutenantTarget(members), Clarity: f.Clarity, Cohesion: 1}
}

func (f Fragmentation) lieutenantTarget(members float64) float64 {
	return min(f.MaxLieutenants, math.Floor(members/f.LieutenantSpan))
}

// FragmentationFields are the scenario keys of Fragmentation's fields, in order.
var FragmentationFields = fieldNames(new(Fragmentation).fields())

// Set sets the field a scenario names (one of FragmentationFields).
func (f *Fragmentation) Set(field string, v float64) bool { return setField(f.fields(), field, v) }

func (f *Fragmentation) fields() []numField {
	inf := math.Inf(1)
	return []numField{
		{"lieutenant_span", &f.LieutenantSpan, 1, inf},
		{"max_lieutenants", &f.MaxLieutenants, 0, 1000},
		{"promotion_weeks", &f.PromotionWeeks, 1, inf},
		{"clarity", &f.Clarity, 0, 1},
		{"kill_penalty", &f.KillPenalty, 0, 1},
		{"cohesion_shock", &f.CohesionShock, 0, 1},
		{"cohesion_recovery_weeks", &f.CohesionRecoveryWeeks, 1, inf},
		{"collapse_probability", &f.CollapseProbability, 0, 1},
		{"extra_factions", &f.ExtraFactions, 0, 100},
		{"faction_rivalry", &f.FactionRivalry, 0, inf},
		{"viable_members", &f.ViableMembers, 0, 1e6},
		{"births_per_saturation_exit", &f.BirthsPerSaturationExit, 0, 1},
		{"births_per_vacancy", &f.BirthsPerVacancy, 0, 1},
		{"founder_members", &f.FounderMembers, 0, 1e6},
		{"new_group_alliance", &f.NewGroupAlliance, 0, inf},
		{"alliance_break_rate", &f.AllianceBreakRate, 0, 1},
		{"alliance_formation_rate", &f.AllianceFormationRate, 0, 1},
		{"successor_lethality", &f.SuccessorLethality, 0, 100},
		{"successor_lethality_weeks", &f.SuccessorLethalityWeeks, 1, inf},
		{"faction_rivalry_half_life", &f.FactionRivalryHalfLife, 0, inf},
		{"rivalry_inheritance", &f.RivalryInheritance, 0, 1},
	}
}

// Validate checks every field's range.
func (f Fragmentation) Validate() error { return validateFields("fragmentation", f.fields()) }
