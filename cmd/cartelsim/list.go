package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/bacrim"
	"github.com/cartelsim/cartelsim/model/mexico"
)

type listCmd struct{}

// lists are what list shows, in the order its usage gives them.
var lists = []string{"groups", "states", "metrics"}

func (*listCmd) name() string { return "list" }
func (*listCmd) synopsis() string {
	return "list the groups, states or metrics that scenario files and --metrics name"
}
func (*listCmd) usage() string              { return "list groups|states|metrics" }
func (*listCmd) register(fs *pflag.FlagSet) {}

func (*listCmd) validate(args []string) error {
	if len(args) != 1 {
		return usagef("list takes one of groups, states or metrics, got %d arguments", len(args))
	}
	for _, l := range lists {
		if args[0] == l {
			return nil
		}
	}
	return usagef("unknown list %q (want groups, states or metrics)", args[0])
}

func (*listCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	switch args[0] {
	case "groups":
		d, err := bacrim.Load()
		if err != nil {
			return err
		}
		row("id", "short name", "name", "home state")
		for _, g := range d.Groups {
			row(g.ID, g.ShortName, g.Name, g.State)
		}
	case "states":
		geo, err := mexico.Load()
		if err != nil {
			return err
		}
		row("code", "name")
		for _, s := range geo.States {
			row(s.Code, s.Name)
		}
	case "metrics":
		row("metric", "unit", "description")
		for m := range model.NumMetrics {
			row(m.String(), m.Info().Unit, metricDescriptions[m])
		}
	}
	return tw.Flush()
}

// metricDescriptions say what each metric counts, as the table of metrics in docs/outputs.md does
// (a test keeps the two the same).
var metricDescriptions = map[model.Metric]string{
	model.Members:            "members of all groups at the end of the week",
	model.Groups:             "groups alive (at least one member)",
	model.EffectiveGroups:    "1/HHI of member shares",
	model.Deaths:             "cartel members killed in conflict",
	model.Homicides:          "intentional homicides (INEGI's count): with geography, baseline_homicide_rate x population plus oc_homicide_ratio x deaths, by state; without, all killings the conflict drives, civilians included: deaths x homicide_ratio",
	model.Recruits:           "members recruited",
	model.Incapacitated:      "members arrested or otherwise removed",
	model.SaturationExits:    "members lost to their own cartel's size",
	model.LeadersRemoved:     "leaders captured or killed",
	model.Splits:             "succession wars that split a group into factions",
	model.Collapses:          "groups that collapsed when their leader was removed",
	model.NewGroups:          "groups born: breakaway factions and new local groups",
	model.Dissolutions:       "groups that ended below the viable size or with no members",
	model.Dispersed:          "members who left when their group ended and no ally took them in",
	model.Labs:               "working labs in Mexico at the end of the week",
	model.LabsNorth:          "working labs in the north of Mexico",
	model.LabsPacific:        "working labs on Mexico's Pacific coast",
	model.LabsCentre:         "working labs in the centre of Mexico",
	model.LabsSoutheast:      "working labs in the south-east of Mexico",
	model.LabsAbroad:         "working labs moved abroad (Canada)",
	model.LabsDestroyed:      "labs destroyed by strikes and raids",
	model.Production:         "doses made",
	model.Supply:             "doses that reached the US",
	model.Seized:             "doses seized on the way and at the border (production - supply)",
	model.Price:              "US wholesale price that cleared the week's supply",
	model.Revenue:            "cartels' income: drug sales and the other rents that make up a shortfall",
	model.CivilianCasualties: "civilians killed by strikes and raids (not in homicides)",
	model.Precursors:         "precursor batches arriving, after precursor control",
	model.CooperationIndex:   "US-Mexico cooperation index in [0,1] at the end of the week",
	model.Extraditions:       "captured leaders extradited to the US",
	model.Retaliation:        "attacks on US citizens in retaliation for US kinetic action",
	model.GrievanceRecruits:  "recruits drawn by civilian casualties (included in recruits)",
	model.Guns:               "stock of trafficked guns, 1 at baseline",
	model.Corruption:         "share of Mexican enforcement neutralised by corruption",
	model.Truces:             "ceasefires holding",
	model.USConsumption:      "fentanyl-adulterated doses consumed in the US: the adulterated share of supply",
	model.OverdoseDeaths:     "US synthetic-opioid overdose deaths, expected: lagged exposure times the case-fatality rate, plus those not driven by Mexican supply, less harm reduction",
	model.SeaShipments:       "doses that sailed on the sea lanes from Mexico's ports (0 with the lanes closed)",
	model.DeathsAtSea:        "people killed by strikes on smuggling boats, expected: boats struck times crew_deaths",
	model.USCasualties:       "US service members killed in special-forces raids",
	model.USAgentLimits:      "Mexico's limits on US agents, an index in [0,1] at the end of the week: raised by unilateral US kinetic action, lifted over agent_limit_weeks",
	model.RivalsPerGroup:     "the mean number of rivals of a group with members, among groups with members, at the end of the week: twice the rivalries over the groups (BACRIM 2020: 92 rivalries among 150 groups, 1.23)",
	model.AlliesPerGroup:     "the mean number of allies of a group with members, among groups with members, at the end of the week (BACRIM 2020: 91 alliances among 150 groups, 1.21)",
}
