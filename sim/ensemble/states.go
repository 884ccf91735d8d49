package ensemble

import (
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// StateCols is how many values a state has in a year: the model's per-state metrics,
// then the homicide rate.
const StateCols = int(model.NumStateMetrics) + 1

// rateCol is the homicide rate's column.
const rateCol = int(model.NumStateMetrics)

// MaxStateCells and MaxVoteCells bound the per-state values and votes a checkpoint may
// declare: StateCols, and the dominant group's votes (at most MaxGroups initial groups,
// new groups, none), per state and year.
const (
	MaxStateCells = (scenario.MaxWeeks/52 + 2) * model.MaxStates * StateCols
	MaxVoteCells  = (scenario.MaxWeeks/52 + 2) * model.MaxStates * (model.MaxGroups + 2)
)

// StateRows lists the metrics of states.csv, in their order in a year and state, with
// their column in a plan's values.
var StateRows = []struct {
	Name string
	Col  int
}{
	{"homicides", int(model.StateHomicides)},
	{"homicide_rate", rateCol},
	{"deaths", int(model.StateDeaths)},
	{"labs", int(model.StateLabs)},
	{"groups_present", int(model.StateGroupsPresent)},
	{"members", int(model.StateMembers)},
	{"civilian_casualties", int(model.StateCivilianCasualties)},
}

// StatePlan says how a run folds a world's per-state weekly values (model.StateWeek)
// into calendar years: week w belongs to the year of the day it ends (Clock.Date(w));
// flows are summed over the year's weeks, stocks taken at its last week in the run (a
// run that starts or ends within a year has a partial first or last year), and the
// homicide rate is the year's homicides per 100,000 residents of the state (the
// geography's populations: the 2020 census in model/mexico). The values of a replicate
// follow its weekly series, year by year, state by state, StateCols each; then the
// dominant group's votes, year by year, state by state, votes each.
//
// The votes say which group has the largest presence in the state at the end of the
// year (model.Replicate.DominantByState), named by the initial group its lineage
// descends from (its root): one column per initial group, in the network's order, then
// one for the groups formed later (their own roots, which differ between replicates),
// then one for no group present. The replicate's column is 1, the others 0. An ensemble
// only sums the votes (Ensemble.votes), exactly, without the quantiles of the other
// values, which would cost a kilobyte and a half per vote: a column's sum over the
// replicates, over their number, is the fraction in which that group is dominant.
type StatePlan struct {
	Geo    *model.Geography
	Net    *model.Network
	States int
	Votes  int   // initial groups + 2
	yearOf []int // by week - 1: the index of its year
	Years  []int // the calendar years
	flow   [model.NumStateMetrics]bool
}

// NewStatePlan returns the plan of a world run on clock, or nil when the world has no
// geography.
func NewStatePlan(w *model.World, clock scenario.Clock) *StatePlan {
	g := w.Geography()
	if g == nil {
		return nil
	}
	net := w.Network()
	p := &StatePlan{Geo: g, Net: net, States: g.Len(), Votes: net.Len() + 2, yearOf: make([]int, clock.Weeks)}
	for wk := 1; wk <= clock.Weeks; wk++ {
		y := clock.Date(wk).Year()
		if len(p.Years) == 0 || p.Years[len(p.Years)-1] != y {
			p.Years = append(p.Years, y)
		}
		p.yearOf[wk-1] = len(p.Years) - 1
	}
	for m := range model.NumStateMetrics {
		p.flow[m] = m.Info().Flow
	}
	return p
}

// size is how many values a replicate has; 0 for a nil plan.
func (p *StatePlan) Size() int {
	if p == nil {
		return 0
	}
	return p.Cells() + p.VoteCells()
}

// cells is how many of a replicate's values the ensemble folds in full (Ensemble.annex);
// 0 for a nil plan.
func (p *StatePlan) Cells() int {
	if p == nil {
		return 0
	}
	return len(p.Years) * p.States * StateCols
}

// voteCells is how many of a replicate's values, after the cells, are votes
// (Ensemble.votes); 0 for a nil plan.
func (p *StatePlan) VoteCells() int {
	if p == nil {
		return 0
	}
	return len(p.Years) * p.States * p.Votes
}

// stateScratch is a worker's scratch for a plan: a week's per-state values and dominant
// groups.
type stateScratch struct {
	week     []float64
	dominant []int
}

func (p *StatePlan) scratch() *stateScratch {
	return &stateScratch{week: make([]float64, p.States*int(model.NumStateMetrics)), dominant: make([]int, p.States)}
}

// add folds week wk of replicate r, just stepped, into the replicate's values, and at
// the last week of a year in the run its dominant groups' votes.
func (p *StatePlan) add(vals []float64, wk int, r *model.Replicate, sc *stateScratch) {
	r.StateWeek(sc.week)
	y := p.yearOf[wk-1]
	year := vals[y*p.States*StateCols:]
	for s := range p.States {
		row, in := year[s*StateCols:(s+1)*StateCols], sc.week[s*int(model.NumStateMetrics):]
		for m, flow := range p.flow {
			if flow {
				row[m] += in[m]
			} else {
				row[m] = in[m]
			}
		}
	}
	if wk < len(p.yearOf) && p.yearOf[wk] == y {
		return
	}
	r.DominantByState(sc.dominant)
	lineage := r.Lineage()
	n := p.Net.Len()
	year = vals[p.Cells()+y*p.States*p.Votes:]
	for s, k := range sc.dominant {
		votes := year[s*p.Votes : (s+1)*p.Votes]
		clear(votes)
		switch {
		case k < 0:
			votes[n+1] = 1
		case lineage[k].Root < n:
			votes[lineage[k].Root] = 1
		default:
			votes[n] = 1
		}
	}
}

// finish computes the homicide rates of a replicate's values once its weeks are in.
func (p *StatePlan) finish(vals []float64) {
	for y := range p.Years {
		for s := range p.States {
			row := vals[(y*p.States+s)*StateCols:]
			row[rateCol] = row[model.StateHomicides] / p.Geo.States[s].Population * 1e5
		}
	}
}
