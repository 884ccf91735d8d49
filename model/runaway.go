package model

import (
	"fmt"
	"math"
	"strconv"
)

// The runaway guard. Parameters inside their valid ranges can still make a replicate grow
// without bound: recruitment of 3 a week triples members every week, births that outpace
// the exits that cause them make groups by the thousand. The model's cost grows with the
// number of groups (relations between factions grow with its square) and with the labs,
// and its counts lose their meaning past 2^53, so every week of every replicate (warm-up
// weeks included) is checked against these caps, and a replicate that passes one stops
// with a RunawayError instead of running for hours or exhausting memory.
const (
	// MaxMembers caps the members of all groups: a hundred million is more than three
	// quarters of Mexico's population (126,014,024 in the 2020 census, INEGI; the sum of
	// model/mexico/data/states.csv). It also caps the initial members a world may have.
	MaxMembers = 1e8
	// MaxGroups caps the groups alive at once: more than ten times the 150 groups of the
	// BACRIM 2020 data set. A week's births and splits are checked against it before any
	// group is made, so that no week makes more.
	MaxGroups = 2000
	// MaxLabsNeeded caps the labs the market needs at reference demand (Economy.Validate):
	// labs are built, rebuilt, closed and struck one at a time. The default economy needs
	// 1,200.
	MaxLabsNeeded = 200_000
	// MaxLabs caps the labs working at once: groups build towards their share of what the
	// market needs (at most MaxLabsNeeded), rounded to whole labs, so more than twice that
	// is a replicate out of control.
	MaxLabs = 2 * MaxLabsNeeded
	// MaxSubsteps caps the substeps into which the mean-field integration divides a week
	// whose rates are too fast for one step (stepRK4).
	MaxSubsteps = 1000
)

// RunawayError reports a replicate stopped by the runaway guard: in which week (0 and
// below are warm-up weeks), which quantity, its value and the cap it passed (0 for a
// value that is not finite).
type RunawayError struct {
	Week     int
	Quantity string
	Value    float64
	Limit    float64
}

func (e *RunawayError) Error() string {
	week := "week " + strconv.Itoa(e.Week)
	if e.Week <= 0 {
		week = "warm-up week " + strconv.Itoa(e.Week)
	}
	if e.Limit == 0 {
		return fmt.Sprintf("model: runaway replicate stopped in %s: %s is %v, not a finite number; the rates are too high to simulate", week, e.Quantity, e.Value)
	}
	return fmt.Sprintf("model: runaway replicate stopped in %s: %s reached %s, above the cap of %s; lower the rates that make it grow",
		week, e.Quantity, count(e.Value), count(e.Limit))
}

// count prints a whole number below 2^53 in full, anything else to four figures.
func count(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// Err returns the runaway guard's error if it stopped the replicate since its last
// Reset, nil otherwise. A stopped replicate's Step does nothing but clear its metrics.
func (r *Replicate) Err() error {
	if r.err == nil { // not a nil *RunawayError in a non-nil error
		return nil
	}
	return r.err
}

// fail stops the replicate with the first runaway found.
func (r *Replicate) fail(wk int, quantity string, value, limit float64) {
	if r.err == nil {
		r.err = &RunawayError{Week: wk, Quantity: quantity, Value: value, Limit: limit}
	}
}

// guard checks the week's metrics against the caps.
func (r *Replicate) guard(wk int, out []float64) {
	for m, x := range out[:NumMetrics] {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			r.fail(wk, Metric(m).String(), x, 0)
			return
		}
	}
	switch {
	case out[Members] > MaxMembers:
		r.fail(wk, "members", out[Members], MaxMembers)
	case float64(len(r.c)) > MaxGroups:
		r.fail(wk, "group slots", float64(len(r.c)), MaxGroups)
	case out[Labs]+out[LabsAbroad] > MaxLabs:
		r.fail(wk, "labs", out[Labs]+out[LabsAbroad], MaxLabs)
	}
}

// roomFor reports whether n more groups keep the groups alive within MaxGroups, and
// stops the replicate in week wk if not.
func (r *Replicate) roomFor(wk int, n float64) bool {
	alive := float64(len(r.c) - len(r.free))
	if n <= MaxGroups-alive {
		return true
	}
	r.fail(wk, "groups", alive+n, MaxGroups)
	return false
}
