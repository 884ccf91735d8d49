package eventstudy

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// The months around an event that are estimated: From to To, both included; the
// baseline is the months before 0.
const (
	From = -12
	To   = 24
)

// Window is a set of states around a removal.
type Window int

// The windows.
const (
	Own    Window = iota // the state of the removal
	Others               // the other states where the removed leader's group operates
	Rest                 // every other state
	NumWindows
)

var windowNames = [NumWindows]string{"own", "others", "rest"}

func (w Window) String() string { return windowNames[w] }

// Removal is a capture or killing of a leader.
type Removal struct {
	Month int    // index of its month in the replicate's panel
	State int    // the state of the removal
	Group uint64 // the states where the group operates, as a bit set (bit s for state s)
}

// Replicate is one realisation's panel: Homicides[month][state], and its removals.
type Replicate struct {
	Homicides [][]float64
	Removals  []Removal
}

// Options tune the estimate.
type Options struct {
	Draws int    // bootstrap draws; <= 0 means 999
	Seed  uint64 // of the bootstrap's draws
}

// Estimate is one window's effect in one month around the removals.
type Estimate struct {
	Window Window
	Month  int     // from From to To
	Effect float64 // percent change against the 12 months before
	Lo, Hi float64 // 95% percentile bootstrap interval
	Events int     // events that entered the window's estimate
}

// ErrNoEvents says that no removal has its whole window within the panel.
var ErrNoEvents = errors.New("eventstudy: no capture or killing has months -12 to +24 within the panel")

// series is one event's window: homicides by month From..To, and the baseline.
type series struct {
	cluster  int
	h        [To - From + 1]float64
	baseline float64
}

// Run computes every window's effect for months From to To. The panels must have
// the same number of states in every month.
func Run(reps []Replicate, opts Options) ([]Estimate, error) {
	draws := opts.Draws
	if draws <= 0 {
		draws = 999
	}
	var windows [NumWindows][]series
	clusters := 0
	for ri, rep := range reps {
		had := false
		for _, ev := range rep.Removals {
			if ev.Month+From < 0 || ev.Month+To >= len(rep.Homicides) {
				continue
			}
			states := len(rep.Homicides[ev.Month])
			if ev.State < 0 || ev.State >= states || states > 64 {
				return nil, fmt.Errorf("eventstudy: replicate %d: a removal in state %d of %d", ri, ev.State, states)
			}
			all := uint64(1)<<states - 1
			if states == 64 {
				all = math.MaxUint64
			}
			own := uint64(1) << ev.State
			sets := [NumWindows]uint64{own, ev.Group &^ own & all, all &^ (ev.Group | own)}
			for w, set := range sets {
				if set == 0 {
					continue
				}
				s := series{cluster: ri}
				for t := From; t <= To; t++ {
					row := rep.Homicides[ev.Month+t]
					if len(row) != states {
						return nil, fmt.Errorf("eventstudy: replicate %d: month %d has %d states, month %d %d", ri, ev.Month+t, len(row), ev.Month, states)
					}
					for m := set; m != 0; m &= m - 1 {
						s.h[t-From] += row[bits.TrailingZeros64(m)]
					}
				}
				for t := From; t < 0; t++ {
					s.baseline += s.h[t-From]
				}
				s.baseline /= -From
				windows[w] = append(windows[w], s)
			}
			had = true
		}
		if had {
			clusters++
		}
	}
	if len(windows[Own]) == 0 {
		return nil, ErrNoEvents
	}
	var out []Estimate
	for w := range NumWindows {
		evs := windows[w]
		if len(evs) == 0 {
			continue
		}
		// Clusters: replicates, or the events themselves with fewer than two replicates.
		var groups [][]int
		for i, s := range evs {
			if clusters >= 2 && i > 0 && s.cluster == evs[i-1].cluster {
				groups[len(groups)-1] = append(groups[len(groups)-1], i)
				continue
			}
			groups = append(groups, []int{i})
		}
		rng := rand.New(rand.NewPCG(opts.Seed, uint64(w)))
		boot := make([][]float64, To-From+1)
		for range draws {
			var num [To - From + 1]float64
			var den float64
			for range groups {
				for _, i := range groups[rng.IntN(len(groups))] {
					for t := range num {
						num[t] += evs[i].h[t]
					}
					den += evs[i].baseline
				}
			}
			for t := range num {
				boot[t] = append(boot[t], percent(num[t], den))
			}
		}
		var den float64
		for _, s := range evs {
			den += s.baseline
		}
		for t := range boot {
			var num float64
			for _, s := range evs {
				num += s.h[t]
			}
			slices.Sort(boot[t])
			out = append(out, Estimate{Window: Window(w), Month: t + From, Effect: percent(num, den),
				Lo: quantile(boot[t], 0.025), Hi: quantile(boot[t], 0.975), Events: len(evs)})
		}
	}
	return out, nil
}

// percent is the percent change of num against den; NaN for a baseline of 0.
func percent(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return 100 * (num/den - 1)
}

// quantile is the order statistic of rank floor(q(n-1)) of the sorted values that are not
// NaN (draws whose baseline is 0; slices.Sort puts them first).
func quantile(sorted []float64, q float64) float64 {
	i := 0
	for i < len(sorted) && math.IsNaN(sorted[i]) {
		i++
	}
	xs := sorted[i:]
	if len(xs) == 0 {
		return math.NaN()
	}
	return xs[int(math.Floor(q*float64(len(xs)-1)))]
}
