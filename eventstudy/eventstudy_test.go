package eventstudy

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

// plantedPanel is a synthetic panel: 200 replicates of 72 months of 32 states, homicides
// Poisson with a mean of 20 + 5s in state s, one removal per replicate in a random month
// (12 to 47, so that its window fits) and state, its group in that state and three others,
// and +50% homicides in the state of the removal from month 0 to month 12.
func plantedPanel() []Replicate {
	const states, months = 32, 72
	rng := rand.New(rand.NewPCG(2018, 58))
	reps := make([]Replicate, 200)
	for i := range reps {
		ev := Removal{Month: 12 + rng.IntN(36), State: rng.IntN(states)}
		ev.Group = 1 << ev.State
		for bitsSet := 1; bitsSet < 4; {
			s := rng.IntN(states)
			if ev.Group&(1<<s) == 0 {
				ev.Group |= 1 << s
				bitsSet++
			}
		}
		h := make([][]float64, months)
		for m := range h {
			h[m] = make([]float64, states)
			for s := range h[m] {
				mean := 20 + 5*float64(s)
				if s == ev.State && m >= ev.Month && m <= ev.Month+12 {
					mean *= 1.5
				}
				h[m][s] = model.Poisson(rng, mean)
			}
		}
		reps[i] = Replicate{Homicides: h, Removals: []Removal{ev}}
	}
	return reps
}

// The estimate recovers a planted +50% in the state of the removal for months 0 to 12,
// within its interval (which excludes 0), and finds nothing in the rest of the country:
// the rest's interval holds 0 in all but a few months (a 95% interval misses the truth
// in 5% of months, about 2 of 37) and its mean effect over months 0 to 12 is within 2%.
func TestRecoversAPlantedEffect(t *testing.T) {
	est, err := Run(plantedPanel(), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(est) != int(NumWindows)*(To-From+1) {
		t.Fatalf("%d estimates, want %d", len(est), int(NumWindows)*(To-From+1))
	}
	missed := 0
	var restMean float64
	for _, e := range est {
		if e.Events != 200 {
			t.Errorf("%v month %d: %d events, want 200", e.Window, e.Month, e.Events)
		}
		if !(e.Lo <= e.Effect && e.Effect <= e.Hi) {
			t.Errorf("%v month %d: effect %.1f outside its interval [%.1f, %.1f]", e.Window, e.Month, e.Effect, e.Lo, e.Hi)
		}
		switch {
		case e.Window == Own && e.Month >= 0 && e.Month <= 12:
			if !(e.Lo <= 50 && 50 <= e.Hi && e.Lo > 0) {
				t.Errorf("own, month %d: %.1f [%.1f, %.1f], want an interval around +50 that excludes 0", e.Month, e.Effect, e.Lo, e.Hi)
			}
		case e.Window == Rest:
			if !(e.Lo <= 0 && 0 <= e.Hi) {
				missed++
			}
			if e.Month >= 0 && e.Month <= 12 {
				restMean += e.Effect / 13
			}
		}
	}
	if missed > 4 {
		t.Errorf("the rest's interval excludes 0 in %d of %d months", missed, To-From+1)
	}
	if math.Abs(restMean) > 2 {
		t.Errorf("the rest's mean effect over months 0 to 12 is %.2f%%, want about 0", restMean)
	}
}

// One event by hand: 10 homicides a month in the state of the removal before it and 15
// from it on is +50% from month 0; the other states where the group operates (states 1
// and 2, 4 a month each) are flat, and the rest (state 3) doubles from month 6.
func TestOneEventByHand(t *testing.T) {
	h := make([][]float64, 40)
	for m := range h {
		h[m] = []float64{10, 4, 4, 7}
		if m >= 12 {
			h[m][0] = 15
		}
		if m >= 18 {
			h[m][3] = 14
		}
	}
	est, err := Run([]Replicate{{Homicides: h, Removals: []Removal{{Month: 12, State: 0, Group: 0b0111}, {Month: 30, State: 1}}}}, Options{Draws: 50})
	if err != nil {
		t.Fatal(err)
	}
	want := map[Window]func(month int) float64{
		Own:    func(m int) float64 { return map[bool]float64{true: 50, false: 0}[m >= 0] },
		Others: func(int) float64 { return 0 },
		Rest:   func(m int) float64 { return map[bool]float64{true: 100, false: 0}[m >= 6] },
	}
	for _, e := range est {
		if w := want[e.Window](e.Month); math.Abs(e.Effect-w) > 1e-12 || e.Events != 1 {
			t.Errorf("%v month %d: %v (%d events), want %v (1 event)", e.Window, e.Month, e.Effect, e.Events, w)
		}
		if e.Lo != e.Effect || e.Hi != e.Effect { // one event: every draw is that event
			t.Errorf("%v month %d: interval [%v, %v] around %v", e.Window, e.Month, e.Lo, e.Hi, e.Effect)
		}
	}
}

// A panel whose removals all lie too near its ends has nothing to estimate.
func TestNoEventsWithinThePanel(t *testing.T) {
	h := make([][]float64, 30)
	for m := range h {
		h[m] = []float64{1, 2}
	}
	if _, err := Run([]Replicate{{Homicides: h, Removals: []Removal{{Month: 5}, {Month: 20}}}}, Options{}); err != ErrNoEvents {
		t.Errorf("got %v, want ErrNoEvents", err)
	}
}
