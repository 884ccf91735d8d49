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
	Homicides                     // all killings the conflict drives: Deaths x HomicideRatio
	Recruits                      // members recruited during the week
	Incapacitated                 // members arrested or otherwise removed during the week
	SaturationExits               // members lost to their own cartel's size during the week
	LeadersRemoved                // leaders captured or killed during the week
	Splits                        // succession wars that split a group during the week
	Collapses                     // groups that collapsed when their leader was removed
	NewGroups                     // groups born during the week: breakaway factions and new local groups
	Dissolutions                  // groups that ended below a viable size or with no members
	Dispersed                     // members who left with their group's end, no ally taking them in
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
	Members:         {"members", "people", false},
	Groups:          {"groups", "groups", false},
	EffectiveGroups: {"effective_groups", "groups", false},
	Deaths:          {"deaths", "people per week", true},
	Homicides:       {"homicides", "people per week", true},
	Recruits:        {"recruits", "people per week", true},
	Incapacitated:   {"incapacitated", "people per week", true},
	SaturationExits: {"saturation_exits", "people per week", true},
	LeadersRemoved:  {"leaders_removed", "leaders per week", true},
	Splits:          {"splits", "splits per week", true},
	Collapses:       {"collapses", "groups per week", true},
	NewGroups:       {"new_groups", "groups per week", true},
	Dissolutions:    {"dissolutions", "groups per week", true},
	Dispersed:       {"dispersed", "people per week", true},
}

// Info returns the metric's name, unit and kind.
func (m Metric) Info() MetricInfo { return metricInfo[m] }

// String returns the metric's name.
func (m Metric) String() string { return metricInfo[m].Name }
