package sim

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/sim/ensemble"
)

// StatesFile holds the per-state statistics of a run whose world has geography.
const StatesFile = "states.csv"

const statesHeader = "scenario,year,state,name,metric,mean,sd,p05,p50,p95\n"

// writeStates writes states.csv from the per-state statistics of an ensemble.
func writeStates(w io.Writer, scenario string, p *ensemble.StatePlan, ens *ensemble.Ensemble) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(statesHeader)
	name := CSVField(scenario)
	for y, year := range p.Years {
		for s, st := range p.Geo.States {
			prefix := name + "," + strconv.Itoa(year) + "," + CSVField(st.Code) + "," + CSVField(st.Name) + ","
			for _, row := range ensemble.StateRows {
				sum := ens.AnnexSummary((y*p.States+s)*ensemble.StateCols + row.Col)
				bw.WriteString(prefix + row.Name)
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

// DominantFile's rows: the groups formed after the start, and no group present.
const (
	newGroupsID   = "new"
	newGroupsName = "groups formed later"
)

// writeDominant writes dominant.csv from the dominant groups' votes of an ensemble: per
// year and state, the column with the most votes (ties: the first, initial groups in the
// network's order, then new groups, then none) and its share of the replicates.
func writeDominant(w io.Writer, scenario string, p *ensemble.StatePlan, ens *ensemble.Ensemble) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(strings.Join(dominantHeader, ",") + "\n")
	name := CSVField(scenario)
	n := p.Net.Len()
	for y, year := range p.Years {
		for s, st := range p.Geo.States {
			votes := ens.Votes[(y*p.States+s)*p.Votes : (y*p.States+s+1)*p.Votes]
			best := 0
			for v, count := range votes {
				if count > votes[best] {
					best = v
				}
			}
			share := votes[best] / float64(ens.N())
			id, group := "", ""
			switch {
			case best < n:
				g := p.Net.Groups[best]
				id, group = g.ID, g.Name
			case best == n:
				id, group = newGroupsID, newGroupsName
			}
			bw.WriteString(name + "," + strconv.Itoa(year) + "," + CSVField(st.Code) + "," + CSVField(st.Name) + "," +
				CSVField(id) + "," + CSVField(group) + "," + formatFloat(share) + "\n")
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sim: writing %s: %w", DominantFile, err)
	}
	return nil
}
