package model

import "math"

// The parameter registry: every parameter of every section a scenario can set, with its
// unit, default, validity range, plausible range, status and source. Defaults and
// validity ranges are not written here: Registry reads them from the sections' defaults
// and from the ranges their Validate methods check, so they cannot drift. What is
// written here is the metadata: the unit, the plausible range (what experiments sample:
// finite, inside the validity range, around the default, wide enough to span the
// competing hypotheses of the literature where a mechanism is contested), the status
// and the source of the default (a publication or data set, or the reasoning behind an
// assumption), and a one-line description. TestRegistry keeps it complete and
// consistent.

// Status says where a parameter's default comes from.
type Status string

const (
	// Sourced: a publication or data set gives the value.
	Sourced Status = "sourced"
	// Calibrated: fitted by this project to data (the source says which and how).
	Calibrated Status = "calibrated"
	// Assumed: an assumption, with its reasoning.
	Assumed Status = "assumed"
)

// Sections are the scenario sections with parameters, in the order scenario files and
// the documentation give them.
var Sections = []string{"parameters", "fragmentation", "territory", "economy", "policy"}

// ParamInfo is one parameter of the registry.
type ParamInfo struct {
	Section string // one of Sections
	Key     string // the scenario key, e.g. "rebuild_weeks"
	Unit    string
	Default float64
	// Min and Max are the validity range Validate checks: values in [Min, Max] are
	// accepted. Max is +Inf when any finite value from Min up is.
	Min, Max float64
	// Low and High are the plausible range for experiments: finite, within [Min, Max],
	// and containing Default.
	Low, High   float64
	Status      Status
	Source      string
	Description string
}

// Registry returns every parameter of every section, in the order of Sections and, within
// a section, of its keys.
func Registry() []ParamInfo { return buildRegistry(registryMeta) }

// buildRegistry joins the sections' fields with their metadata.
func buildRegistry(metadata []paramMeta) []ParamInfo {
	meta := make(map[string]*paramMeta, len(metadata))
	for i := range metadata {
		meta[metadata[i].section+"."+metadata[i].key] = &metadata[i]
	}
	var out []ParamInfo
	for _, s := range Sections {
		for _, f := range sectionFields(s) {
			info := ParamInfo{Section: s, Key: f.name, Default: *f.p, Min: f.lo, Max: f.hi}
			if m := meta[s+"."+f.name]; m != nil {
				info.Unit, info.Low, info.High = m.unit, m.low, m.high
				info.Status, info.Source, info.Description = m.status, m.source, m.desc
			}
			out = append(out, info)
		}
	}
	return out
}

// sectionFields are a section's fields, set to their defaults, with their validity
// ranges; nil for an unknown section.
func sectionFields(section string) []numField {
	switch section {
	case "parameters":
		p := DefaultParams()
		return p.rangedFields()
	case "fragmentation":
		f := DefaultFragmentation()
		return f.fields()
	case "territory":
		t := DefaultTerritory()
		return t.fields()
	case "economy":
		e := DefaultEconomy()
		return e.fields()
	case "policy":
		pol := DefaultPolicy()
		return pol.fields()
	}
	return nil
}

// keyedFields are Params' fields as scenario files name them, without ranges.
func (p *Params) keyedFields() []numField {
	return []numField{
		{name: "recruitment", p: &p.Recruitment},
		{name: "pool_recruitment", p: &p.PoolRecruitment},
		{name: "replacement", p: &p.Replacement},
		{name: "incapacitation", p: &p.Incapacitation},
		{name: "conflict_lethality", p: &p.ConflictLethality},
		{name: "saturation", p: &p.Saturation},
		{name: "saturation_sharing", p: &p.SaturationSharing},
		{name: "homicide_ratio", p: &p.HomicideRatio},
		{name: "intelligence", p: &p.Intelligence},
		{name: "baseline_hostility", p: &p.BaselineHostility},
		{name: "adjacent_weight", p: &p.AdjacentWeight},
		{name: "baseline_homicide_rate", p: &p.BaselineHomicideRate},
		{name: "oc_homicide_ratio", p: &p.OCHomicideRatio},
		{name: "alliance_division", p: &p.AllianceDivision},
		{name: "deployment_violence", p: &p.DeploymentViolence},
		{name: "deployment_arrests", p: &p.DeploymentArrests},
	}
}

// rangedFields are Params' fields with the ranges Validate checks, each found with the
// other fields at p's values.
func (p *Params) rangedFields() []numField {
	fields := p.keyedFields()
	for i := range fields {
		accept := func(x float64) bool {
			q := *p
			*q.keyedFields()[i].p = x
			return q.Validate() == nil
		}
		fields[i].lo, fields[i].hi = validRange(accept, *fields[i].p)
	}
	return fields
}

// validRange is the interval of values accept accepts, given one it accepts (def) and an
// interval of them: +Inf for hi when it accepts the largest float64 (and -Inf for lo
// likewise), otherwise the last value accepted, found by bisection on the order of
// float64s.
func validRange(accept func(float64) bool, def float64) (lo, hi float64) {
	edge := func(in, out int64) float64 {
		for {
			// The mean of in and out without overflow; one of them once they are adjacent.
			mid := in/2 + out/2 + (in%2+out%2)/2
			if mid == in || mid == out {
				break
			}
			if accept(floatOfKey(mid)) {
				in = mid
			} else {
				out = mid
			}
		}
		return floatOfKey(in)
	}
	hi, lo = math.Inf(1), math.Inf(-1)
	if !accept(math.MaxFloat64) {
		hi = edge(floatKey(def), floatKey(math.MaxFloat64))
	}
	if !accept(-math.MaxFloat64) {
		lo = edge(floatKey(def), floatKey(-math.MaxFloat64))
	}
	return lo, hi
}

// floatKey maps float64s to int64s in the same order (both zeros to 0).
func floatKey(x float64) int64 {
	b := math.Float64bits(x)
	if b>>63 == 1 {
		return -int64(b &^ (1 << 63))
	}
	return int64(b)
}

func floatOfKey(k int64) float64 {
	if k < 0 {
		return -math.Float64frombits(uint64(-k))
	}
	return math.Float64frombits(uint64(k))
}

// paramMeta is a parameter's metadata in the registry.
type paramMeta struct {
	section, key string
	unit         string
	low, high    float64 // the plausible range
	status       Status
	source, desc string
}

// Sources cited below:
//   - Prieto-Curiel, Campedelli & Hope (2023), "Reducing cartel recruitment is the only
//     way to lower violence in Mexico", Science 381:1312; its data (BACRIM 2020 and the
//     national series 2012-2021) are in model/bacrim/data.
//   - Jordan (2009), "When heads roll", Security Studies 18:719; Cronin (2009), How
//     Terrorism Ends, Princeton University Press; Phillips (2014), "The impact of
//     leadership removal on Mexican drug trafficking organizations", J. Quantitative
//     Criminology 30:651.
//   - Dell (2015), "Trafficking networks and the Mexican drug war", AER 105:1738.
//   - Gallet (2014), "Can price get the monkey off our back? A meta-analysis of illicit
//     drug demand", Health Economics 23:55; Organization of American States (2013), The
//     Drug Problem in the Americas, ch. 4, "The economics of drug trafficking".
//   - Dobkin & Nicosia (2009), "The war on drugs: methamphetamine, public health, and
//     crime", AER 99:324; Cunningham & Liu (2003), "Impacts of federal ephedrine and
//     pseudoephedrine regulations on methamphetamine-related hospital admissions",
//     Addiction 98:1229.
//   - Condra & Shapiro (2012), "Who takes the blame?", AJPS 56:167; Cruz & Durán-Martínez
//     (2016), "Hiding violence to deal with the state", J. Peace Research 53:197;
//     GAO-21-322 (2021), firearms trafficking to Mexico.
var registryMeta = []paramMeta{
	// parameters: the core model of Prieto-Curiel, Campedelli & Hope (2023).
	{"parameters", "recruitment", "per member per week", 1.9e-3, 3.2e-3, Sourced,
		"Prieto-Curiel et al. 2023 (Science 381:1312), fitted. Range: about 25% either side (assumption); at 1.9e-3, 185,000 members recruit 350 a week, the low end of the 350-370 the paper finds cartels need to avoid collapse",
		"rho: recruits per member per week"},
	{"parameters", "pool_recruitment", "recruits per 100,000 people per week", 0, 0.4, Assumed,
		"0 is Prieto-Curiel et al. 2023's recruitment, proportional to each group's members (recruits bring recruits), which compounds as the cartels grow. Contested, so the range spans the other view (assumption): recruits come from a pool of young people that poverty and the labour market set (Dell, Feigenberg & Teshima 2019, AER: Insights 1:43: manufacturing jobs lost to competition with China raised cocaine trafficking and violence in Mexico, most where criminal organisations were), growing with the population, not with the cartels, and shared out among groups by size (an economy's revenue factor scales each group's share, as it scales rho's recruits). 0.4 is all of the paper's 2012 recruitment, about 290 a week among 117 million people, with room. Worlds without geography cannot use it",
		"recruits the population supplies each week, for all groups together"},
	{"parameters", "replacement", "fraction of members arrested or killed", 0, 1, Assumed,
		"0 is Prieto-Curiel et al. 2023's core, where a member arrested or killed is lost until rho's recruitment makes up for it. Contested, so the range spans the other view (assumption): groups fill the places arrests and killings open, as drug markets are held to replace arrested dealers (National Research Council 2001, Informing America's Policy on Illegal Drugs, ch. 5, 'Incapacitation and Replacement of Dealers', which finds the extent unmeasured); 1 replaces every one within the week, so that arrests and killings cost a group no members. The history's calibration (calibrations/mexico-2006.yaml) puts it at 0.27 to 0.95 (posterior 90%), 0.99 at its point estimate; the default keeps the paper's core",
		"share of the members a group loses to arrest or conflict that it replaces the same week"},
	{"parameters", "incapacitation", "members per week, all groups", 55, 220, Sourced,
		"Prieto-Curiel et al. 2023, fitted. Range: half to double (assumption); doubling is the paper's incapacitation scenario",
		"eta: members arrested or removed per week, shared by size"},
	{"parameters", "conflict_lethality", "per member per exposed member per week", 0.775e-8, 3.1e-8, Sourced,
		"Prieto-Curiel et al. 2023, fitted to homicides and missing persons 2012-2021. Range: half to double (assumption)",
		"theta: conflict deaths per member per exposed member"},
	{"parameters", "saturation", "per member per member of the same group per week", 2e-8, 8e-8, Sourced,
		"Prieto-Curiel et al. 2023, fitted. Range: half to double (assumption)",
		"omega: members lost to a group's own size"},
	{"parameters", "saturation_sharing", "fraction", 0, 1, Assumed,
		"0 is Prieto-Curiel et al. 2023's saturation omega C_i^2, each group crowded by its own members only, so that more, smaller groups lose fewer members to it and the same recruitment sustains more members; 1: groups crowd one another where they share states as much as themselves (the criminal labour market and the local drug market are shared), and a split leaves the losses unchanged. Range: both ends (assumption: which holds is not measured; the membership and group counts of the record are what can inform it). Calibrations of the history that free it do not pin it down: fits with sharing from 0 to about 0.75 match the homicides, group counts and 2012 membership about as well, full sharing worse (docs/calibration.md), so the history's calibration (calibrations/mexico-2006.yaml) leaves it free: 0.016 to 0.64 (posterior 90%), 0.54 at its point estimate; the default keeps the paper's 0",
		"share of saturation's crowding that comes from every group's members in a group's states"},
	{"parameters", "homicide_ratio", "homicides per conflict death", 6, 10, Calibrated,
		"homicides plus missing persons 2012-2021 (469,671: INEGI and the national registry, model/bacrim/data) over the mean-field baseline's deaths (TestHomicideRatioCalibration). Range: homicides alone (292,195, a ratio of 6.06) to the paper's 10 (model deaths a tenth of homicides plus missing persons)",
		"homicides (civilians included) per conflict death of the model"},
	{"parameters", "intelligence", "fraction", 0.5, 1, Assumed,
		"assumption: campaigns run at their stated pace (1); at 0.5 half of the intended removals happen",
		"quality of the intelligence behind leadership strikes"},
	{"parameters", "baseline_hostility", "hostility weight", 0, 1, Assumed,
		"1 is Prieto-Curiel et al. 2023's kernel (R_ij + 1)/(A_i + 1), which makes every pair of groups fight; 0 lets only rivals fight. Range: both ends (assumption: how much unrelated groups fight where they meet is not measured)",
		"hostility between groups that are not rivals, added to every pair's rivalry weight"},
	{"parameters", "adjacent_weight", "fraction of a shared state's", 0, 0.5, Assumed,
		"assumption: violence spreads to neighbouring places (Dell 2015, AER 105:1738, finds crackdowns divert violence to neighbouring municipalities), more weakly than where groups share ground. 0: groups meet only in shared states. Worlds without geography do not use it",
		"how strongly members meet other groups' members in adjacent states"},
	{"parameters", "baseline_homicide_rate", "homicides per 100,000 people per year", 4.8, 12, Sourced,
		"42% of homicides not organised crime's (Semáforo Delictivo and Lantia Consultores, January-September 2016, reported by InSight Crime) times the INEGI rate of 2012-2021 (292,195 homicides, model/bacrim/data, over about 122 million people: 24 a year per 100,000). Range: a fifth not organised crime's (Semáforo Delictivo 2020: eight in ten are) to half (the Mexican government's count of 2006-2011: roughly half). Worlds without geography do not use it",
		"homicides not driven by organised crime, by state population (the week's: docs/space.md)"},
	{"parameters", "oc_homicide_ratio", "homicides per conflict death", 3.03, 4.85, Calibrated,
		"the 58% of homicides organised crime commits (Semáforo Delictivo and Lantia Consultores 2016) times 6.06 homicides per conflict death of the mean-field baseline 2012-2021 (see homicide_ratio). Range: a half to eight in ten. Worlds without geography use homicide_ratio",
		"homicides that cartel conflict and territorial control drive (members and civilians) per conflict death, with geography"},
	{"parameters", "alliance_division", "fraction of alliance strength", 0, 1, Assumed,
		"1 is Prieto-Curiel et al. 2023's kernel (R_ij + 1)/(A_i + 1): a group's alliances divide all its conflict. Contested, so the range runs to 0, where allies do not protect a group at all (assumption: how far alliances keep groups out of fights is not measured)",
		"how much a group's alliances divide its conflict: the kernel's row scale is 1/(d A_i + 1)"},
	{"parameters", "deployment_violence", "change in the conflict hazard per deployment level", -0.5, 2, Assumed,
		"0: deployments do not change violence where they go. Contested, so the range spans the hypotheses: from deterrence (-0.5, an assumption) to the rise found where the joint operations of 2007-2010 went (Escalante 2011, Nexos, and Merino 2011, Nexos: homicide rates rose faster in the states with operations; Espinosa & Rubin 2015, Am. Stat. 69:17, a causal increase after the interventions; Dell 2015, AER 105:1738, drug-trade homicides up after crackdowns that followed close PAN victories); 2, a tripling of the hazard at level 1, is an assumption. For the calibration to choose",
		"how a deployment of level 1 changes the conflict hazard of members where it is: a factor max(0, 1 + x level)"},
	{"parameters", "deployment_arrests", "arrests per member per week at level 1", 0, 0.002, Assumed,
		"0: deployments arrest no one beyond incapacitation. Up to 0.002 a week, which on the roughly 50,000 members of the states Calderon's operations covered is 100 arrests a week, about as many again as incapacitation's 110 (an assumption; the government's counts of arrests for drug crimes, some 120,000 in 2007-2011, include many who were not members and were released). For the calibration to choose",
		"members arrested per member per week where a deployment of level 1 is, beyond incapacitation"},

	// fragmentation: leaders, succession, splits, collapse and new groups.
	{"fragmentation", "lieutenant_span", "members per lieutenant", 150, 2000, Calibrated,
		"calibrated (tools/calibrate-history) on the group counts of 2011 (about 80) and 2020 (198, Crisis Group) under the kingpin history; the grids ran 150-2000, and the first guess, 2000, left too few groups with the two lieutenants a split needs",
		"members per potential faction leader"},
	{"fragmentation", "max_lieutenants", "lieutenants", 2, 20, Assumed,
		"assumption: caps the factions of a succession war; a war needs 2",
		"most lieutenants a group has"},
	{"fragmentation", "promotion_weeks", "weeks", 26, 260, Assumed,
		"assumption: lieutenants grow into their role in about two years; range half a year to five",
		"time constant of a group's growth towards its lieutenants"},
	{"fragmentation", "clarity", "fraction", 0.2, 0.8, Calibrated,
		"calibrated with the history scenarios (grid 0.2-0.5); above 0.5, an assumption: groups with a designated heir",
		"default clarity of succession (1: an undisputed heir)"},
	{"fragmentation", "kill_penalty", "fraction", 0.1, 0.9, Assumed,
		"assumption: a killing leaves no arranged hand-over; in Mexico killings of leaders were followed by more violence than captures (Phillips 2014, J. Quant. Criminol. 30:651)",
		"fraction of clarity lost when the leader is killed, not captured"},
	{"fragmentation", "cohesion_shock", "fraction", 0.1, 0.6, Assumed,
		"assumption",
		"fraction of cohesion lost at an orderly succession"},
	{"fragmentation", "cohesion_recovery_weeks", "weeks", 13, 156, Assumed,
		"assumption: a year; range a quarter to three years",
		"time constant of cohesion's recovery"},
	{"fragmentation", "collapse_probability", "probability", 0, 1, Calibrated,
		"calibrated with the history scenarios (grid 0.2-0.5). Contested, so the range is all of it: decapitation does not raise collapse above groups' baseline rate (Jordan 2009, Security Studies 18:719) against small hierarchical groups without successors ending with their leader (Cronin 2009, How Terrorism Ends)",
		"chance a group without a lieutenant collapses when its leader is removed"},
	{"fragmentation", "extra_factions", "factions", 0.5, 3, Calibrated,
		"calibrated with the history scenarios; range: the calibration grid",
		"mean factions beyond two in a succession war"},
	{"fragmentation", "faction_rivalry", "rivalry weight", 0, 6, Assumed,
		"assumption: a succession war is bitter; 71 of BACRIM 2020's 92 pairs of rivals have weight 1 or 2 (largest 13). At 0 former comrades meet only at the conflict kernel's base rate",
		"rivalry weight between sibling factions"},
	{"fragmentation", "viable_members", "members", 5, 100, Assumed,
		"assumption",
		"size below which a group is absorbed or dissolves"},
	{"fragmentation", "births_per_saturation_exit", "groups per member lost", 2e-4, 1e-3, Calibrated,
		"calibrated with the history scenarios; range: the calibration grid",
		"new groups per member lost to saturation"},
	{"fragmentation", "births_per_vacancy", "groups per member lost", 2e-4, 1e-3, Calibrated,
		"calibrated with the history scenarios; range: the calibration grid",
		"new groups per member arrested or killed"},
	{"fragmentation", "founder_members", "members", 20, 200, Assumed,
		"assumption",
		"mean founders of a new group"},
	{"fragmentation", "new_group_alliance", "alliance weight", 0, 3, Assumed,
		"assumption: new groups start as franchises of their parent cartel",
		"alliance weight between a new group and its parent"},
	{"fragmentation", "alliance_break_rate", "per alliance per week", 0, 0.02, Assumed,
		"assumption: 0 keeps every alliance for ever, as the model had it; 0.02 gives alliances a mean life of a year (the Gulf cartel and Los Zetas, allied from the late 1990s, split in 2010; Sinaloa and the Beltran Leyva in 2008). The data are to choose",
		"weekly hazard that an alliance ends"},
	{"fragmentation", "alliance_formation_rate", "per pair sharing a rival per week", 0, 0.005, Assumed,
		"assumption: 0 forms none, as the model had it; 0.005 allies a pair of groups that share a rival in about four years. The data are to choose",
		"weekly hazard that two groups with a common rival ally (weight 1)"},
	{"fragmentation", "successor_lethality", "multiplier", 0.5, 3, Assumed,
		"1: successors like their predecessors, as the model had it. Contested: killings of leaders were followed by more violence in Mexico (Phillips 2014, J. Quant. Criminol. 30:651), against successors who keep the business quiet; the range spans both (assumption)",
		"multiplier of the conflict death hazard of a group's members after its leader is replaced"},
	{"fragmentation", "successor_lethality_weeks", "weeks", 13, 260, Assumed,
		"assumption: a year; range a quarter to five years",
		"time constant of the decay of a successor's extra lethality"},
	{"fragmentation", "faction_rivalry_half_life", "weeks", 0, 520, Assumed,
		"assumption: 0, a succession war's rivalry never fades, as the model had it; the range runs from feuds that fade within weeks to ten years. The data are to choose",
		"half-life of the rivalry between sibling factions and of a scheduled breakaway's with its parent (0: it never fades)"},
	{"fragmentation", "rivalry_inheritance", "probability", 0, 1, Assumed,
		"assumption: 1, a succession war's factions inherit every war of their parent, as the model had it, so that rivalries multiply with the splits (the 2006 history's 2020 world had about 30 rivals a group at that setting); 0: a faction starts with only its siblings' war (when faction_rivalry is above 0). BACRIM 2020 (Prieto-Curiel et al. 2023, model/bacrim/data) records 92 rivalries among 150 groups, 1.23 a group. The data are to choose",
		"chance that a succession war's new faction takes up each of its parent's rivalries"},

	// territory: groups on the states without an economy; the economy's first two keys.
	{"territory", "members_per_state", "members per state held", 300, 5000, Assumed,
		"assumption, as economy members_per_state (the same default and range)",
		"members per state a group can hold"},
	{"territory", "expansion_weeks", "weeks", 8, 104, Assumed,
		"assumption, as economy expansion_weeks",
		"mean time to spread into (or withdraw from) a state"},

	// economy: territory, labs, trafficking and the market.
	{"economy", "members_per_state", "members per state held", 300, 5000, Assumed,
		"assumption: with 1,000 the largest groups (CJNG, about 18% of 2022 members in Prieto-Curiel et al. 2023) hold most states, where they are reported",
		"members per state a group can hold"},
	{"economy", "expansion_weeks", "weeks", 8, 104, Assumed,
		"assumption",
		"mean time to spread into (or withdraw from) a state"},
	{"economy", "lab_capacity", "doses per lab per week", 1e5, 1e6, Assumed,
		"assumption: an order of magnitude; reference_demand is set as 1,200 labs of 400,000 doses, so this alone sets how many labs the trade needs",
		"doses a lab makes from a week's batch of precursors"},
	{"economy", "precursor_batches", "batches per week", 1200, 3000, Assumed,
		"assumption: above the labs' need at the reference demand (about 1,200), so precursors bind only under precursor control; at 1,200 they bind at once",
		"precursor batches arriving through the Pacific ports"},
	{"economy", "inland_precursor_access", "fraction", 0.1, 1, Assumed,
		"assumption",
		"weight of a lab of a group without a port state in sharing scarce precursors"},
	{"economy", "build_weeks", "weeks", 2, 26, Assumed,
		"assumption: labs are cheap and quick to set up",
		"mean time to build a missing lab or close a surplus one"},
	{"economy", "rebuild_weeks", "weeks", 1, 52, Assumed,
		"assumption: labs are cheap and quick to set up again. Contested, so the range runs from a week to a year: whether strikes cut supply turns on it",
		"mean delay before a struck lab is rebuilt"},
	{"economy", "lab_cost", "dollars", 5000, 200000, Assumed,
		"assumption",
		"cost of rebuilding a lab, paid from savings"},
	{"economy", "reinvestment", "fraction of income", 0.05, 0.5, Assumed,
		"assumption",
		"share of income a group saves each week, up to a year's worth"},
	{"economy", "pressure_weeks", "weeks", 8, 104, Assumed,
		"assumption",
		"time constant of the decay of enforcement pressure on a state"},
	{"economy", "relocation_scale", "labs lost", 0.5, 10, Assumed,
		"assumption",
		"pressure at which a rebuilt lab moves with probability 1 - 1/e"},
	{"economy", "abroad_share", "fraction", 0, 0.5, Assumed,
		"assumption: some labs move abroad (Canada)",
		"share of moving labs that go abroad"},
	{"economy", "canada_enforcement", "hazard per lab per week", 0, 0.05, Assumed,
		"assumption: 0 keeps earlier results. Canadian police do dismantle such labs (RCMP, 31 Oct 2024: the Falkland, BC superlab, 54 kg of fentanyl and over 10 tonnes of precursors), but no count of labs abroad gives a rate; 0.05 a week is above the about 3% a week of Mexico's 2025 raids (reference_demand)",
		"weekly hazard that Canadian enforcement dismantles a lab abroad"},
	{"economy", "return_share", "fraction", 0, 1, Assumed,
		"assumption: symmetric to abroad_share, a lab leaving Canada under pressure goes home as often as it stays; acts only when canada_enforcement builds pressure abroad",
		"share of labs moving away from abroad that go back to Mexico (the rest are rebuilt abroad)"},
	{"economy", "abroad_precursor_access", "fraction of a lab's batches", 0, 0.8, Assumed,
		"assumption: 0 keeps earlier results. Labs in Canada import precursors directly (the Falkland lab held about 5,000 litres and over 10 tonnes of them, RCMP 31 Oct 2024), not through Mexico's ports",
		"share of a lab abroad's precursors arriving by other routes, which Mexican precursor control does not cut"},
	{"economy", "border_seizure", "fraction", 0.02, 0.3, Assumed,
		"assumption",
		"share of shipments seized at the US border"},
	{"economy", "enforcement_cost", "route cost per share seized", 0, 20, Assumed,
		"assumption: routes divert around enforcement, as in Dell (2015, AER 105:1738)",
		"extra cost of entering a state, times the share interdiction seizes there"},
	{"economy", "rival_cost", "route cost", 0, 5, Assumed,
		"assumption: routes avoid rivals' territory",
		"extra cost of entering a state a rival holds"},
	{"economy", "sea_routes", "switch", 0, 1, Assumed,
		"a switch: 0 keeps the land-only routes of the published results; 1 opens the lanes from the ports of model/mexico/data/ports.csv",
		"1 opens the sea lanes from Mexico's ports to the US (docs/sea-and-canada.md)"},
	{"economy", "pacific_sea_cost", "route cost", 3, 12, Assumed,
		"assumption: Manzanillo to southern California is about 2,000 km by sea, as long a run as five states by land, with fewer checkpoints; at 6, with no enforcement, Colima and Michoacan ship by sea and Sinaloa by land. Range: half to double",
		"cost of a Pacific sea lane, as the land crossing's 1"},
	{"economy", "pacific_sea_seizure", "fraction", 0.02, 0.3, Assumed,
		"assumption, the land border's 0.1. The US Coast Guard seized a record 510,000 lb of cocaine at sea in FY2025, three times its 167,000 lb average (USCG, October 2025), and has put what it can stop at about a quarter of the flow it knows of (2018, as reported); no share is published for fentanyl at sea",
		"share of shipments seized on a Pacific lane"},
	{"economy", "gulf_sea_cost", "route cost", 4, 16, Assumed,
		"assumption: from Veracruz, Tampico or Progreso to the US Gulf coast is a run of 800 to 1,500 km through waters the US Coast Guard and Mexico's navy patrol closely; dearer than the Pacific; at 8, with no enforcement, Yucatan ships by sea and Veracruz by land. Range: half to double",
		"cost of a Gulf sea lane, as the land crossing's 1"},
	{"economy", "gulf_sea_seizure", "fraction", 0.02, 0.3, Assumed,
		"assumption, as pacific_sea_seizure",
		"share of shipments seized on a Gulf lane"},
	{"economy", "strike_deterrence", "multiple of enforcement_cost", 1, 6, Assumed,
		"assumption: a share struck deters three times as much as a share seized, as crews risk their lives rather than arrest. The Pentagon reported 20% fewer drug vessels moving in the Caribbean and 25% fewer in the eastern Pacific after 45 strikes (Reuters, as reported by Baird Maritime); the data do not separate deterrence from the lanes' other costs",
		"rise in a sea lane's cost per share of boats struck, as a multiple of enforcement_cost (boarding raises it by enforcement_cost alone)"},
	{"economy", "boat_load", "doses per boat", 1e5, 1e7, Assumed,
		"assumption: a million pills, about 100 kg at 0.1 g a pill, a fraction of the tonne or more of cocaine a go-fast boat carries. Range: a tenth to ten times",
		"doses a smuggling boat carries"},
	{"economy", "crew_deaths", "people per boat struck", 2, 5, Sourced,
		"about 4: 80 killed in the first 20 strikes of the 2025 US campaign, September to 12 November 2025 (press tallies of the announced strikes); 157 in 45 strikes on 47 boats by a later Pentagon count (Reuters), 3.3 a boat. Range: those tallies with room",
		"people killed per boat struck"},
	{"economy", "reference_demand", "doses per week", 2.16e8, 8.64e8, Assumed,
		"assumption: 1,200 labs x 400,000 doses x 0.9 past the border, $11.2bn a year at $0.50, the synthetic share of the $18-39bn of Mexican and Colombian wholesale drug proceeds (US National Drug Threat Assessment 2009); Mexico's 644 labs dismantled in four months of 2025 are then about 3% of labs a week. Range: half to double",
		"US demand at the reference price, before demand reduction"},
	{"economy", "reference_price", "dollars per dose", 0.25, 2, Assumed,
		"assumption: a wholesale price per dose; it scales revenue, not the market's shape",
		"price at which demand is reference_demand"},
	{"economy", "price_elasticity", "magnitude", 0.25, 1, Sourced,
		"within the estimates of the meta-analysis of Gallet (2014, Health Economics 23:55); about 0.5 for cocaine and cannabis and 0.3 for heroin (OAS 2013, The Drug Problem in the Americas, ch. 4). Range: a short-run 0.25 to unit elasticity",
		"magnitude of the price elasticity of US demand"},
	{"economy", "max_price_ratio", "ratio", 5, 50, Assumed,
		"assumption: a bound, not a market",
		"the clearing price stays within this factor of the reference"},
	{"economy", "producer_share", "fraction", 0.2, 0.8, Assumed,
		"assumption",
		"share of sales going to the groups whose doses were sold"},
	{"economy", "rent_floor", "fraction of baseline income", 0, 0.6, Assumed,
		"assumption: other rents (extortion, fuel theft) keep 30% of baseline income",
		"income a group keeps from other rents when drug revenue falls"},
	{"economy", "revenue_elasticity", "ratio", 0, 1, Assumed,
		"assumption: recruitment 3% lower for 10% less revenue; 0 leaves recruitment alone",
		"elasticity of recruitment with respect to income"},
	{"economy", "max_recruitment_factor", "ratio", 1.5, 4, Assumed,
		"assumption: a bound",
		"largest multiple of the core's recruitment rate revenue can bring"},
	{"economy", "fentanyl_share", "fraction", 0.002, 0.05, Calibrated,
		"calibrations/us-overdose.yaml (make calibrate-us), its best particle, fitted with fentanyl_growth, fentanyl_ceiling and overdose_fatality to the CDC's synthetic-opioid deaths (T40.4) of 2013, 2016, 2018, 2019, 2020 and 2021, NCHS/MMWR (data/targets/us-synthetic-opioid-deaths.csv); posterior 90%: 0.0024 to 0.011. Range: an assumption",
		"fentanyl-adulterated share of US consumption on 1 January of fentanyl_year"},
	{"economy", "fentanyl_growth", "per year", 0.2, 1, Calibrated,
		"calibrations/us-overdose.yaml, as fentanyl_share: the 23-fold rise of 2013-2021; posterior 90%: 0.53 to 0.88. Range: an assumption",
		"logistic growth rate of the adulterated share"},
	{"economy", "fentanyl_ceiling", "fraction", 0.2, 1, Calibrated,
		"calibrations/us-overdose.yaml, as fentanyl_share; the CDC's counts of 2013-2021 rise throughout and leave it open (posterior 90%: 0.25 to 0.95). Contested, so the range spans both views (assumption): 1 lets fentanyl take all of the supply in time, as the model had it, and deaths keep rising; below 1 it takes only part (the heroin and counterfeit-pill markets it displaced, not every user), and deaths level off",
		"the most of US consumption the adulterated share can reach"},
	{"economy", "fentanyl_year", "year", 2012, 2012, Sourced,
		"the year whose start fentanyl_share describes: 2012, the start of the economy's world and the year before the first CDC count the calibration fits (data/targets/us-synthetic-opioid-deaths.csv). A date, not a quantity to vary",
		"calendar year at whose 1 January the adulterated share is fentanyl_share"},
	{"economy", "overdose_fatality", "deaths per million exposed doses", 3.5, 15, Calibrated,
		"calibrations/us-overdose.yaml, as fentanyl_share (posterior 90%: 3.6 to 12.6); it trades against the ceiling, a lower ceiling with more deaths per dose. Range: half to double the first hand fit's 7.3",
		"US overdose deaths per million fentanyl-adulterated doses consumed"},
	{"economy", "overdose_lag_weeks", "weeks", 1, 26, Assumed,
		"assumption: deaths follow use within days, but users' exposure adjusts to a change in supply over weeks (stockpiles, switching dealers); range a week to half a year",
		"time constant of the lag of deaths behind exposure"},
	{"economy", "other_overdose_deaths", "deaths per week", 0, 100, Sourced,
		"about 1,600 synthetic-opioid deaths a year in 2011 and 2012, before illicitly made fentanyl spread (CDC/NCHS, National Vital Statistics Reports, as reported in March 2019): 30 a week. Range: none to three times that",
		"US synthetic-opioid deaths a week not driven by Mexican supply"},
	{"economy", "lab_price_elasticity", "elasticity", 0, 2, Assumed,
		"assumption: 0, labs follow demand alone, as the model had it; up to 2, producers answer strongly to price, so that strikes that raise it bring new labs (the balloon effect). The data are to choose",
		"elasticity of the labs a group builds with respect to last week's price over the reference price"},
	{"economy", "lab_strike_elasticity", "per lab lost", 0, 1, Assumed,
		"assumption: 0, strikes do not deter building, as the model had it; at 1 a group that lost a lab lately builds half as many. The data are to choose",
		"how strongly recent strikes (the group's pressure) deter it from building labs"},

	// policy: the states' side and the side effects of action.
	{"policy", "cooperation", "index in [0,1]", 0.2, 0.8, Assumed,
		"assumption: partial cooperation, as under the 2021 Bicentennial Framework after the 2020 Cienfuegos affair",
		"US-Mexico cooperation index at baseline"},
	{"policy", "cooperation_weeks", "weeks", 26, 260, Assumed,
		"assumption: about two years to mend",
		"time constant of the cooperation index"},
	{"policy", "unilateral_cost", "index per action", 5e-4, 0.01, Assumed,
		"assumption: 5 unilateral strikes a week take cooperation to 0 within a year",
		"cooperation lost per unilateral US kinetic action"},
	{"policy", "casualty_cost", "index per civilian", 0, 2e-3, Assumed,
		"assumption",
		"cooperation lost per civilian killed by strikes or raids"},
	{"policy", "intelligence_gain", "multiplier per unit of cooperation", 0.25, 2, Assumed,
		"assumption: no cooperation halves intelligence, full cooperation raises it by half",
		"how strongly cooperation sets the quality of intelligence"},
	{"policy", "extradition", "probability at full cooperation", 0.3, 1, Assumed,
		"assumption: at full cooperation every captured leader is extradited",
		"chance a captured leader is extradited, times cooperation"},
	{"policy", "prison_command", "probability", 0.1, 0.9, Assumed,
		"assumption; Guzmán escaped Mexican prisons in 2001 and 2015",
		"chance a leader kept in Mexico commands from prison"},
	{"policy", "enforcement_capacity", "multiplier", 0.5, 1.5, Calibrated,
		"1 by construction: the enforcement behind the core's fitted arrests. Range: an assumption",
		"Mexico's enforcement relative to the baseline"},
	{"policy", "corruption", "fraction", 0.1, 0.6, Assumed,
		"assumption (Mexico scores 31/100 on Transparency International's 2023 Corruption Perceptions Index)",
		"share of Mexican and joint enforcement neutralised at baseline"},
	{"policy", "recruits_per_casualty", "recruits per civilian killed", 0, 20, Assumed,
		"assumption in the spirit of Condra & Shapiro (2012, AJPS 56:167): civilian casualties raise later insurgent violence. 0: none",
		"recruits each civilian killed brings to the groups present"},
	{"policy", "grievance_weeks", "weeks", 13, 156, Assumed,
		"assumption",
		"time constant over which grievance recruits arrive"},
	{"policy", "retaliation_per_action", "attacks per action", 0, 0.1, Assumed,
		"assumption: one attack on US citizens per 50 US kinetic actions",
		"expected attacks on US citizens per US or joint kinetic action"},
	{"policy", "retaliation_weeks", "weeks", 4, 104, Assumed,
		"assumption",
		"time constant over which retaliation comes"},
	{"policy", "substitution_weeks", "weeks", 3, 104, Sourced,
		"Dobkin & Nicosia (2009, AER 99:324): after the 1995 US precursor crackdown the price recovered within about 4 months (6 weeks leaves 6% of the cut after 17). Contested: Cunningham & Liu (2003, Addiction 98:1229) found methamphetamine admissions still well below their peak years after the 1995 and 1997 regulations; the range spans both",
		"time constant of producers' substitution around precursor control"},
	{"policy", "gun_life_weeks", "weeks", 104, 1040, Assumed,
		"assumption: guns stay in circulation about five years; range two to twenty",
		"time constant of the stock of trafficked guns"},
	{"policy", "gun_share", "fraction", 0.4, 0.9, Sourced,
		"GAO-21-322: about 70% of firearms recovered in Mexico and traced in 2014-2018 came from the US; traced guns are a selected sample, so the range is wide (assumption)",
		"share of conflict lethality that depends on trafficked guns"},
	{"policy", "enforced_truce_weeks", "weeks", 52, 520, Assumed,
		"assumption: three years on average",
		"mean duration of an enforced ceasefire"},
	{"policy", "unenforced_truce_weeks", "weeks", 26, 156, Sourced,
		"the El Salvador gang truce of March 2012 frayed within about 16 months (Cruz & Durán-Martínez 2016, J. Peace Research 53:197)",
		"mean duration of an unenforced ceasefire"},

	// policy: the escalation layer, actors who respond (escalation.go, docs/us-side.md).
	{"policy", "agent_limit_per_action", "index per action", 0, 0.005, Assumed,
		"assumption: 0, Mexico does not restrict US agents, as the model had it; at 0.002, five unilateral strikes a week would close about half the room of US agents within a year, as the December 2020 reform of Mexico's national security law (DOF 18 Dec 2020) did after the October 2020 arrest of General Cienfuegos in Los Angeles",
		"limits on US agents in Mexico added by each unilateral US kinetic action"},
	{"policy", "agent_limit_weeks", "weeks", 26, 156, Assumed,
		"assumption: about a year, the span from the December 2020 reform to the Bicentennial Framework of October 2021",
		"time constant over which Mexico's limits on US agents are lifted"},
	{"policy", "retaliation_escalation", "change per 100 actions", -0.5, 0.5, Assumed,
		"assumption: 0, a fixed rate. Positive: each strike angers more (escalation); negative: strikes deter (deterrence). The range spans both",
		"relative change of retaliation per action with each 100 US or joint kinetic actions before"},
	{"policy", "response_threshold", "attacks or US deaths", 3, 50, Assumed,
		"assumption: the US answers every 10 attacks on its citizens or deaths of its service members",
		"US losses after which a responding campaign escalates again or is withdrawn"},
	{"policy", "escalation_factor", "multiplier", 1, 4, Assumed,
		"assumption: each escalation doubles the campaign; 1 holds it",
		"intensity multiplier of each escalation"},
	{"policy", "max_escalations", "escalations", 0, 6, Assumed,
		"assumption: at most three doublings, eight times the first intensity",
		"most escalations a campaign makes"},
	{"policy", "raid_lab_share", "fraction", 0.2, 0.8, Assumed,
		"assumption: half the raids go after labs, half after leaders",
		"share of special-forces raids aimed at labs rather than leaders"},
	{"policy", "raid_us_casualties", "people per raid", 0, 0.1, Assumed,
		"assumption: one US service member killed in 30 raids; most raids cost none (the 2011 Abbottabad raid), some do (the 2017 Yakla raid in Yemen: one Navy SEAL killed)",
		"mean US service members killed per special-forces raid"},
	{"policy", "raid_civilian_casualties", "people per raid", 0, 10, Assumed,
		"assumption between the records, which span three orders of magnitude: routine raids kill few civilians (UNAMA's mid-2011 report counted 30 civilians killed in night raids in Afghanistan in January-June 2011, when the Open Society Foundations' The Cost of Kill/Capture (September 2011) put the raids at 12 to 20 a night: about 0.01 a raid), raids that meet a defended village many (Airwars, Eroding Transparency: US counterterrorism actions in Yemen under President Donald Trump (October 2020): at least 15 civilians killed in the raid on al-Ghayil, Yakla, on 29 January 2017, the Bureau of Investigative Journalism naming 25, and up to 5 in the raid on al-Khathla, Marib, on 23 May 2017). 0.25, one civilian killed in four raids, between the two; the range runs from none to 10, the two Yemen raids' mean",
		"mean civilians killed per special-forces raid"},
	{"policy", "tariff_pressure", "index per unit of tariff", 0, 1, Assumed,
		"assumption: the 25% tariff threatened on 1 February 2025 over fentanyl was answered within days by 10,000 National Guard troops at the border and on 27 February by the transfer of 29 cartel prisoners to the US. 0: tariffs move nothing",
		"how strongly tariffs press Mexico's government towards cooperation"},
	{"policy", "tariff_tolerance", "tariff rate", 0.2, 1, Assumed,
		"assumption: pressure worked at 25%, and the sovereignty backlash cancels it at 50%; at 0.2 any tariff above 20% backfires, at 1 only one above 100%",
		"tariff rate above which the sovereignty backlash outweighs the pressure"},
	{"policy", "designation_finance", "fraction of income", 0, 0.3, Assumed,
		"assumption: the FTO designations of 20 February 2025 (Sinaloa cartel, CJNG, Cártel del Noreste, Gulf cartel, La Nueva Familia Michoacana, Cárteles Unidos) expose anyone handling the groups' money to material-support charges (18 U.S.C. 2339B), costing a tenth of their income at full enforcement",
		"share of a designated group's income lost to the cost of laundering at full enforcement"},
	{"policy", "designation_cooperation", "index at full enforcement", -0.1, 0.1, Assumed,
		"assumption: none; after the 2025 designations Mexico both transferred 29 prisoners (27 February) and proposed a constitutional amendment against foreign intervention, so the range spans both signs",
		"shift of the cooperation target by a designation at full enforcement"},
}
