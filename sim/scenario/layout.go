package scenario

import "go.yaml.in/yaml/v3"

// ScenarioFile mirrors the YAML layout; pointers tell "absent" from zero.
// Numbers are decoded as RealValue, WholeValue or SeedValue, never as float64 or int: yaml.v3 would
// truncate 1.5 to 1 for an int and lets NaN and infinities into a float64.
type ScenarioFile struct {
	Extends       string             `yaml:"extends"` // merged in before decoding (see chain)
	Name          string             `yaml:"name"`
	Description   string             `yaml:"description"`
	Start         string             `yaml:"start"`
	Weeks         WholeValue         `yaml:"weeks"`
	Replicates    *WholeValue        `yaml:"replicates"`
	Seed          *SeedValue         `yaml:"seed"`
	Mode          *string            `yaml:"mode"`
	World         worldFile          `yaml:"world"`
	Parameters    ParametersFile     `yaml:"parameters"`
	Fragmentation yaml.Node          `yaml:"fragmentation"`
	Territory     yaml.Node          `yaml:"territory"`
	Economy       yaml.Node          `yaml:"economy"`
	Policy        yaml.Node          `yaml:"policy"`
	Interventions []interventionFile `yaml:"interventions"`
}

type worldFile struct {
	Dataset        *string        `yaml:"dataset"`
	InitialMembers *RealValue     `yaml:"initial_members"`
	Since          *WeekRef       `yaml:"since"`
	Groups         []groupFile    `yaml:"groups"`
	Rivalries      []relationFile `yaml:"rivalries"`
	Alliances      []relationFile `yaml:"alliances"`
}

// groupFile is one group of a world written out in the scenario.
type groupFile struct {
	ID          string     `yaml:"id"`
	Name        string     `yaml:"name"`
	State       string     `yaml:"state"`
	States      []string   `yaml:"states"` // instead of state: the first is the home state
	Members     *RealValue `yaml:"members"`
	Lieutenants *RealValue `yaml:"lieutenants"`
	Clarity     *RealValue `yaml:"clarity"`
	Cohesion    *RealValue `yaml:"cohesion"`
}

type relationFile struct {
	Between []string   `yaml:"between"`
	Weight  *RealValue `yaml:"weight"`
}

type ParametersFile struct {
	Recruitment       *RealValue `yaml:"recruitment"`
	PoolRecruitment   *RealValue `yaml:"pool_recruitment"`
	Replacement       *RealValue `yaml:"replacement"`
	Incapacitation    *RealValue `yaml:"incapacitation"`
	ConflictLethality *RealValue `yaml:"conflict_lethality"`
	Saturation        *RealValue `yaml:"saturation"`
	SaturationSharing *RealValue `yaml:"saturation_sharing"`
	HomicideRatio     *RealValue `yaml:"homicide_ratio"`
	Intelligence      *RealValue `yaml:"intelligence"`
	// The spatial kernel's and the homicides' parameters (model.Params).
	BaselineHostility    *RealValue `yaml:"baseline_hostility"`
	AdjacentWeight       *RealValue `yaml:"adjacent_weight"`
	BaselineHomicideRate *RealValue `yaml:"baseline_homicide_rate"`
	OCHomicideRatio      *RealValue `yaml:"oc_homicide_ratio"`
	AllianceDivision     *RealValue `yaml:"alliance_division"`
	DeploymentViolence   *RealValue `yaml:"deployment_violence"`
	DeploymentArrests    *RealValue `yaml:"deployment_arrests"`
}

type interventionFile struct {
	Name       string       `yaml:"name"` // optional, for --set interventions.<name>.<key>
	Kind       string       `yaml:"kind"`
	From       *WeekRef     `yaml:"from"`
	To         *WeekRef     `yaml:"to"`
	Intensity  *RealValue   `yaml:"intensity"`
	Actor      string       `yaml:"actor"`
	Targets    *targetsFile `yaml:"targets"`
	Mode       string       `yaml:"mode"`
	Casualties *RealValue   `yaml:"civilian_casualties"`
	RampUntil  *WeekRef     `yaml:"ramp_until"`
	// Ceasefires only.
	Enforced      bool `yaml:"enforced"`
	HaltShipments bool `yaml:"halt_shipments"`
	// US and joint kinetic campaigns only: none, escalate or withdraw.
	Respond string `yaml:"respond"`
	// Breakaways only: the new group (model.BreakawayGroup).
	Breakaway *breakawayFile `yaml:"breakaway"`
}

type breakawayFile struct {
	ID      string     `yaml:"id"`
	Name    string     `yaml:"name"`
	States  []string   `yaml:"states"`
	Ceded   []string   `yaml:"ceded"`
	Rivalry *RealValue `yaml:"rivalry"`
}

type targetsFile struct {
	Largest    *WholeValue `yaml:"largest"`
	Groups     []string    `yaml:"groups"`
	MinMembers *RealValue  `yaml:"min_members"`
	States     []string    `yaml:"states"`
}
