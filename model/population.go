package model

import (
	"fmt"
	"math"

	"github.com/cartelsim/cartelsim/internal/fpmath"
)

// Population makes the states' populations follow the calendar in a world whose weeks
// have dates (a scenario's): in the week that starts on day d, each state's population is
// its Geography count (a census's) times the national population on d over the
// national population on census day, the states keeping their census shares. Between
// two counts the national population grows at a constant rate (geometric
// interpolation); before the first and after the last it goes on at the rate of the
// nearest interval (with a single count it is that count). The model has no calendar,
// so days are counted from census day.
type Population struct {
	// Start is the day week 1 starts on (week wk starts on Start + 7(wk-1), warm-up
	// weeks, 0 and below, before it), counted from census day: negative before it.
	Start int
	// Counts are the national counts, by day, in increasing order, each as a ratio to
	// the census's (1 on day 0, if census day is one of them).
	Counts []PopulationCount
}

// PopulationCount is a national count: its day (from census day) and the people counted
// over those counted on census day.
type PopulationCount struct {
	Day   int
	Ratio float64
}

// validate checks the counts: at least one, days increasing, ratios positive and finite.
func (p *Population) validate() error {
	if len(p.Counts) == 0 {
		return fmt.Errorf("model: a population path needs at least one count")
	}
	for k, c := range p.Counts {
		if !(c.Ratio > 0) || math.IsInf(c.Ratio, 0) {
			return fmt.Errorf("model: population count %d has ratio %v, want a positive number", k, c.Ratio)
		}
		if k > 0 && c.Day <= p.Counts[k-1].Day {
			return fmt.Errorf("model: population count %d is on day %d, not after count %d's day %d", k, c.Day, k-1, p.Counts[k-1].Day)
		}
	}
	return nil
}

// At returns the national population on day d (from census day) over census day's:
// exactly a count's ratio on its day.
func (p *Population) At(d int) float64 {
	c := p.Counts
	k := 0 // the last count on or before d; the first if d is before them all
	for k+1 < len(c) && c[k+1].Day <= d {
		k++
	}
	if d == c[k].Day || len(c) == 1 {
		return c[k].Ratio
	}
	i, j := k, k+1 // the interval whose rate applies
	if j == len(c) {
		i, j = k-1, k // after the last count: the last interval's rate
	}
	rate := fpmath.Log(c[j].Ratio/c[i].Ratio) / float64(c[j].Day-c[i].Day)
	return float64(c[k].Ratio * fpmath.Exp(float64(rate*float64(d-c[k].Day))))
}

// Factor returns the states' population in the week that ends at week wk (as Step
// numbers it) over their Geography counts: At of the day the week starts on.
func (p *Population) Factor(wk int) float64 { return p.At(p.Start + 7*(wk-1)) }

// populationFactor is the world's Population.Factor of week wk, 1 without one.
func (w *World) populationFactor(wk int) float64 {
	if w.cfg.Population == nil {
		return 1
	}
	return w.cfg.Population.Factor(wk)
}
