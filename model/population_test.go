package model

import (
	"math"
	"strings"
	"testing"
)

// The population path by hand: counts of a quarter on day 0 and 1 on day 14 grow by a
// factor of 4 in 14 days, 2 a week: the count's ratio on its day, exactly; their geometric
// mean, 1/2, at the midpoint, day 7; and the same rate beyond them: 2 on day 21 and 1/8
// on day -7.
func TestPopulationByHand(t *testing.T) {
	p := &Population{Counts: []PopulationCount{{0, 0.25}, {14, 1}}}
	for _, c := range []struct {
		day  int
		want float64
	}{{0, 0.25}, {14, 1}, {7, 0.5}, {21, 2}, {-7, 0.125}, {28, 4}} {
		got := p.At(c.day)
		if c.day == 0 || c.day == 14 {
			if got != c.want {
				t.Errorf("day %d: %v, want exactly %v", c.day, got, c.want)
			}
		} else if math.Abs(got/c.want-1) > 1e-14 {
			t.Errorf("day %d: %v, want %v", c.day, got, c.want)
		}
	}
	one := &Population{Counts: []PopulationCount{{5, 0.9}}}
	if got := one.At(-100); got != 0.9 {
		t.Errorf("a single count: %v on day -100, want 0.9", got)
	}
}

// A world with a Population scales each state's baseline homicides by the week's factor:
// with no conflict, week wk (starting on day 7(wk-1)) has 600 x 7/365.25 homicides (the
// line's 6 million people at 10 per 100,000 a year, TestHomicidesByHand) times 1/4, 1/2,
// 1, 2 in weeks 1 to 4 (the counts of TestPopulationByHand), and the states' homicides
// still sum to the national ones exactly.
func TestPopulationScalesHomicides(t *testing.T) {
	p := DefaultParams()
	p.ConflictLethality = 0
	p.BaselineHomicideRate = 10
	base := lineWorld(t, p, map[string]string{"x": "A", "y": "M"}, nil, nil)
	cfg := base.cfg
	cfg.Population = &Population{Counts: []PopulationCount{{0, 0.25}, {14, 1}}}
	w, err := NewWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	metrics, states := stepWeeks(w, w.NewReplicate(), 19, 4)
	k := int(NumStateMetrics)
	for wk, f := range []float64{0.25, 0.5, 1, 2} {
		want := 600 * 7 / 365.25 * f
		if got := metrics[wk][Homicides]; math.Abs(got/want-1) > 1e-12 {
			t.Errorf("week %d: %v homicides, want %v", wk+1, got, want)
		}
		sum := 0.0
		for v := range 3 {
			sum += states[wk][v*k+int(StateHomicides)]
		}
		if sum != metrics[wk][Homicides] {
			t.Errorf("week %d: states sum to %v, nationally %v", wk+1, sum, metrics[wk][Homicides])
		}
	}

	cfg.Population = &Population{Counts: []PopulationCount{{0, 1}, {0, 2}}}
	if _, err := NewWorld(cfg); err == nil || !strings.Contains(err.Error(), "not after") {
		t.Errorf("counts on one day: %v, want an error", err)
	}
	cfg.Population = &Population{Counts: []PopulationCount{{0, 1}}}
	cfg.Economy, cfg.Geography = nil, nil
	if _, err := NewWorld(cfg); err == nil || !strings.Contains(err.Error(), "needs a geography") {
		t.Errorf("a population without a geography: %v, want an error", err)
	}
}
