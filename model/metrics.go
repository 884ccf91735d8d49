package model

// Metric indexes the weekly metrics a replicate records. Names are stable: scripts
// depend on them.
type Metric int

// The metrics, in output order.
const (
	Members         Metric = iota // members of all groups at the end of the week
	Groups                        // groups alive at the end of the week
	EffectiveGroups               // 1/HHI of member shares
	Deaths                        // cartel members killed in conflict during the week
	// Homicides: with geography, intentional homicides as INEGI registers them by state
	// of occurrence, summed over the states: BaselineHomicideRate x population (the
	// homicides organised crime does not drive) plus OCHomicideRatio x the conflict deaths
	// (see StateHomicides); civilians killed by strikes and raids are not in them. Without
	// geography, all killings the conflict drives: Deaths x HomicideRatio.
	Homicides
	Recruits        // members recruited during the week
	Incapacitated   // members arrested or otherwise removed during the week
	SaturationExits // members lost to their own cartel's size during the week
	LeadersRemoved  // leaders captured or killed during the week
	Splits          // succession wars that split a group during the week
	Collapses       // groups that collapsed when their leader was removed
	NewGroups       // groups born during the week: breakaway factions and new local groups
	Dissolutions    // groups that ended below a viable size or with no members
	Dispersed       // members who left with their group's end, no ally taking them in
	Labs            // working labs in Mexico at the end of the week
	LabsNorth       // working labs in the zones of Mexico (Zone), then abroad
	LabsPacific
	LabsCentre
	LabsSoutheast
	LabsAbroad
	LabsDestroyed      // labs destroyed by strikes and raids during the week
	Production         // doses made during the week
	Supply             // doses that reached the US during the week
	Seized             // doses seized on the way and at the border during the week
	Price              // US wholesale price that cleared the week's supply
	Revenue            // cartels' income during the week: drug sales and other rents
	CivilianCasualties // civilians killed by strikes and raids during the week
	Precursors         // precursor batches available during the week
	CooperationIndex   // US-Mexico cooperation index in [0,1] at the end of the week
	Extraditions       // captured leaders extradited during the week
	Retaliation        // attacks on US citizens in retaliation during the week
	GrievanceRecruits  // recruits drawn by civilian casualties during the week (in recruits)
	Guns               // stock of trafficked guns, 1 at baseline
	Corruption         // share of Mexican enforcement neutralised by corruption
	Truces             // ceasefires holding during the week
	USConsumption      // fentanyl-adulterated doses consumed in the US during the week (overdose.go)
	OverdoseDeaths     // US synthetic-opioid overdose deaths during the week (overdose.go)
	SeaShipments       // doses that sailed on the sea lanes during the week (sea.go)
	DeathsAtSea        // people killed by strikes on boats during the week, expected (sea.go)
	USCasualties       // US service members killed in special-forces raids during the week (escalation.go)
	USAgentLimits      // Mexico's limits on US agents, an index in [0,1] at the end of the week (escalation.go)
	// RivalsPerGroup and AlliesPerGroup are the mean number of rivals and of allies of a
	// group with members at the end of the week, among groups with members: twice the
	// links over the groups, the network's mean degree (BACRIM 2020: 92 rivalries and 91
	// alliances among 150 groups, 1.23 and 1.21).
	RivalsPerGroup
	AlliesPerGroup
	NumMetrics
)

// MetricInfo describes a metric for output files.
type MetricInfo struct {
	Name string
	Unit string
	// Flow is true for quantities counted during a week, false for stocks at its end.
	Flow bool
}

var metricInfo = [NumMetrics]MetricInfo{
	Members:            {"members", "people", false},
	Groups:             {"groups", "groups", false},
	EffectiveGroups:    {"effective_groups", "groups", false},
	Deaths:             {"deaths", "people per week", true},
	Homicides:          {"homicides", "people per week", true},
	Recruits:           {"recruits", "people per week", true},
	Incapacitated:      {"incapacitated", "people per week", true},
	SaturationExits:    {"saturation_exits", "people per week", true},
	LeadersRemoved:     {"leaders_removed", "leaders per week", true},
	Splits:             {"splits", "splits per week", true},
	Collapses:          {"collapses", "groups per week", true},
	NewGroups:          {"new_groups", "groups per week", true},
	Dissolutions:       {"dissolutions", "groups per week", true},
	Dispersed:          {"dispersed", "people per week", true},
	Labs:               {"labs", "labs", false},
	LabsNorth:          {"labs_north", "labs", false},
	LabsPacific:        {"labs_pacific", "labs", false},
	LabsCentre:         {"labs_centre", "labs", false},
	LabsSoutheast:      {"labs_southeast", "labs", false},
	LabsAbroad:         {"labs_abroad", "labs", false},
	LabsDestroyed:      {"labs_destroyed", "labs per week", true},
	Production:         {"production", "doses per week", true},
	Supply:             {"supply", "doses per week", true},
	Seized:             {"seized", "doses per week", true},
	Price:              {"price", "dollars per dose", false},
	Revenue:            {"revenue", "dollars per week", true},
	CivilianCasualties: {"civilian_casualties", "people per week", true},
	Precursors:         {"precursors", "batches per week", true},
	CooperationIndex:   {"cooperation", "index", false},
	Extraditions:       {"extraditions", "leaders per week", true},
	Retaliation:        {"retaliation", "events per week", true},
	GrievanceRecruits:  {"grievance_recruits", "people per week", true},
	Guns:               {"guns", "index", false},
	Corruption:         {"corruption", "share", false},
	Truces:             {"truces", "ceasefires", false},
	USConsumption:      {"us_consumption", "doses per week", true},
	OverdoseDeaths:     {"overdose_deaths", "people per week", true},
	SeaShipments:       {"sea_shipments", "doses per week", true},
	DeathsAtSea:        {"deaths_at_sea", "people per week", true},
	USCasualties:       {"us_casualties", "people per week", true},
	USAgentLimits:      {"us_agent_limits", "index", false},
	RivalsPerGroup:     {"rivals_per_group", "groups", false},
	AlliesPerGroup:     {"allies_per_group", "groups", false},
}

// Info returns the metric's name, unit and kind.
func (m Metric) Info() MetricInfo { return metricInfo[m] }

// String returns the metric's name.
func (m Metric) String() string { return metricInfo[m].Name }

// ParseMetric finds a metric by name.
func ParseMetric(name string) (Metric, bool) {
	for m := range NumMetrics {
		if metricInfo[m].Name == name {
			return m, true
		}
	}
	return 0, false
}
