package model

import "math"

// Territory places groups on a Geography without an economy: the territory of Economy
// (each group starts in its Network State and the other states its Group.Holds names,
// spreads into adjacent states and withdraws with its size, rivals' presence repelling
// it) with no labs, trafficking or market. A world with an economy takes these two
// parameters from its Economy, which has the same fields with the same defaults and
// ranges.
//
// Without labs to choose by, a group holding two states more than it can withdraws from
// one of its states other than its home drawn in proportion to (1 + rivals there) /
// population: the inverse of the weight by which it expands, so contested and thinly
// peopled ground is given up first (an assumption).
type Territory struct {
	MembersPerState float64
	ExpansionWeeks  float64
}

// DefaultTerritory returns the defaults, those of DefaultEconomy.
func DefaultTerritory() Territory {
	return Territory{MembersPerState: 1000, ExpansionWeeks: 26}
}

// TerritoryFields are the scenario keys of Territory's fields, in order.
var TerritoryFields = fieldNames(new(Territory).fields())

// Set sets the field a scenario names (one of TerritoryFields).
func (t *Territory) Set(field string, v float64) bool { return setField(t.fields(), field, v) }

func (t *Territory) fields() []numField {
	return territoryFields(&t.MembersPerState, &t.ExpansionWeeks)
}

// territoryFields are the territory's fields, shared by Territory and Economy so that
// their keys and ranges cannot drift apart.
func territoryFields(membersPerState, expansionWeeks *float64) []numField {
	inf := math.Inf(1)
	return []numField{
		{"members_per_state", membersPerState, 1, inf},
		{"expansion_weeks", expansionWeeks, 1, inf},
	}
}

// Validate checks every field's range.
func (t Territory) Validate() error { return validateFields("territory", t.fields()) }
