package sim

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/cartelsim/cartelsim/model"
)

// StatesFile holds the per-state statistics of a run whose world has geography.
const StatesFile = "states.csv"

const statesHeader = "scenario,year,state,name,metric,mean,sd,p05,p50,p95\n"

// stateCols is how many values a state has in a year: the model's per-state metrics,
// then the homicide rate.
const stateCols = int(model.NumStateMetrics) + 1

// rateCol is the homicide rate's column.
const rateCol = int(model.NumStateMetrics)

// maxStateCells bounds the per-state values a checkpoint may declare.
const maxStateCells = (MaxWeeks/52 + 2) * model.MaxStates * stateCols

// stateRows lists the metrics of states.csv, in their order in a year and state, with
// their column in a plan's values.
var stateRows = []struct {
	name string
	col  int
}{
	{"homicides", int(model.StateHomicides)},
	{"homicide_rate", rateCol},
	{"deaths", int(model.StateDeaths)},
	{"labs", int(model.StateLabs)},
	{"groups_present", int(model.StateGroupsPresent)},
	{"members", int(model.StateMembers)},
	{"civilian_casualties", int(model.StateCivilianCasualties)},
}

// statePlan says how a run folds a world's per-state weekly values (model.StateWeek)
// into calendar years: week w belongs to the year of the day it ends (Clock.Date(w));
// flows are summed over the year's weeks, stocks taken at its last week in the run (a
// run that starts or ends within a year has a partial first or last year), and the
// homicide rate is the year's homicides per 100,000 residents of the state (the
// geography's populations: the 2020 census in model/mexico). The values of a replicate
// follow its weekly series, year by year, state by state, stateCols each.
type statePlan struct {
	geo    *model.Geography
	states int
	yearOf []int // by week - 1: the index of its year
	years  []int // the calendar years
	flow   [model.NumStateMetrics]bool
}

// newStatePlan returns the plan of a world run on clock, or nil when the world has no
// geography.
func newStatePlan(w *model.World, clock Clock) *statePlan {
	g := w.Geography()
	if g == nil {
		return nil
	}
	p := &statePlan{geo: g, states: g.Len(), yearOf: make([]int, clock.Weeks)}
	for wk := 1; wk <= clock.Weeks; wk++ {
		y := clock.Date(wk).Year()
		if len(p.years) == 0 || p.years[len(p.years)-1] != y {
			p.years = append(p.years, y)
		}
		p.yearOf[wk-1] = len(p.years) - 1
	}
	for m := range model.NumStateMetrics {
		p.flow[m] = m.Info().Flow
	}
	return p
}

// size is how many values a replicate has; 0 for a nil plan.
func (p *statePlan) size() int {
	if p == nil {
		return 0
	}
	return len(p.years) * p.states * stateCols
}

// add folds week wk's per-state values (StateWeek's layout) into a replicate's values.
func (p *statePlan) add(vals []float64, wk int, week []float64) {
	year := vals[p.yearOf[wk-1]*p.states*stateCols:]
	for s := range p.states {
		row, in := year[s*stateCols:(s+1)*stateCols], week[s*int(model.NumStateMetrics):]
		for m, flow := range p.flow {
			if flow {
				row[m] += in[m]
			} else {
				row[m] = in[m]
			}
		}
	}
}

// finish computes the homicide rates of a replicate's values once its weeks are in.
func (p *statePlan) finish(vals []float64) {
	for y := range p.years {
		for s := range p.states {
			row := vals[(y*p.states+s)*stateCols:]
			row[rateCol] = row[model.StateHomicides] / p.geo.States[s].Population * 1e5
		}
	}
}

// writeStates writes states.csv from the per-state statistics of an ensemble.
func writeStates(w io.Writer, scenario string, p *statePlan, ens *Ensemble) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(statesHeader)
	name := csvField(scenario)
	for y, year := range p.years {
		for s, st := range p.geo.States {
			prefix := name + "," + strconv.Itoa(year) + "," + csvField(st.Code) + "," + csvField(st.Name) + ","
			for _, row := range stateRows {
				sum := ens.annexSummary((y*p.states+s)*stateCols + row.col)
				bw.WriteString(prefix + row.name)
				for _, x := range []float64{sum.Mean, sum.SD, sum.Q[0], sum.Q[2], sum.Q[4]} {
					bw.WriteString("," + formatFloat(x))
				}
				bw.WriteString("\n")
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sim: writing %s: %w", StatesFile, err)
	}
	return nil
}
