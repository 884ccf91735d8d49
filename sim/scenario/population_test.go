package scenario

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

// INEGI's national counts, as published (model/mexico/data/PROVENANCE.md).
const (
	pop2005 = 103263388 // II Conteo de Población y Vivienda, 17 October 2005
	pop2010 = 112336538 // Censo de Población y Vivienda, 12 June 2010
	pop2015 = 119530753 // Encuesta Intercensal, 15 March 2015
	pop2020 = 126014024 // Censo de Población y Vivienda, 15 March 2020
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// The population factor of a world whose week 1 starts on a date, by hand: exactly 1 on
// the 2020 census day, exactly a count over the 2020 census on the day of that count, and
// between two counts their geometric interpolation (computed with math.Pow, a second
// method): 2012-06-10 is 729 days after 12 June 2010 (2010-06-12 to 2012-06-12 is 365 +
// 366 days, less 2) of the 1,737 to 15 March 2015 (365 x 4 + 2012's 29 February = 1,461
// to 2014-06-12, then 19 + 31 + 31 + 30 + 31 + 30 + 31 + 31 + 28 + 15 = 277). Week 0, a
// warm-up week, starts 7 days before the start.
func TestPopulationPathByHand(t *testing.T) {
	factor := func(start string, wk int) float64 {
		p, err := populationPath(date(start))
		if err != nil {
			t.Fatal(err)
		}
		return p.Factor(wk)
	}
	for _, c := range []struct {
		start string
		want  float64
	}{{"2020-03-15", 1}, {"2010-06-12", float64(pop2010) / pop2020}, {"2005-10-17", float64(pop2005) / pop2020}, {"2015-03-15", float64(pop2015) / pop2020}} {
		if got := factor(c.start, 1); got != c.want {
			t.Errorf("week 1 starting on %s: factor %v, want exactly %v", c.start, got, c.want)
		}
	}
	if got := factor("2020-03-22", 0); got != 1 {
		t.Errorf("warm-up week 0 of a run starting 2020-03-22: factor %v, want exactly 1 (it starts on census day)", got)
	}
	want := pop2010 * math.Pow(float64(pop2015)/pop2010, 729.0/1737) / pop2020
	if got := factor("2012-06-10", 1); math.Abs(got/want-1) > 1e-13 {
		t.Errorf("2012-06-10: factor %v, want %v", got, want)
	}
	// After the 2020 census: the 2015-2020 rate, 1,827 days (365 x 5 + 2016's and
	// 2020's 29 February); 2023-03-15 is 1,095 days after it.
	want = math.Pow(float64(pop2020)/pop2015, 1095.0/1827)
	if got := factor("2023-03-15", 1); math.Abs(got/want-1) > 1e-13 {
		t.Errorf("2023-03-15: factor %v, want %v", got, want)
	}
}

// A scenario on the states that starts 2007-01-07, with no conflict (conflict_lethality
// 0), has in its first week the baseline homicides of Mexico's population on 2007-01-07:
// rate x national(2007-01-07) / 100,000 / WeeksPerYear, national(2007-01-07) the 2005
// count grown at the 2005-2010 rate for 447 of the 1,699 days between the counts
// (2005-10-17 to 2006-01-01 is 76 days, then 365 to 2007-01-01, then 6; to 2010-01-01,
// 76 + 365 x 4 + 1 = 1,537, then 151 to 1 June and 11). A placeless world of the same
// file has no population path.
func TestBaselineHomicidesFollowTheCalendar(t *testing.T) {
	const file = `name: pop
start: 2007-01-07
weeks: 1
replicates: 1
world:
  groups:
    - {id: a, members: 3000, states: [SIN]}
parameters:
  conflict_lethality: 0
  baseline_homicide_rate: 10
territory: {}
`
	sc, err := ParseScenario("pop.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(1, 2)))
	out := make([]float64, model.NumMetrics)
	r.Step(1, rand.New(rand.NewPCG(3, 4)), out)
	national := pop2005 * math.Pow(float64(pop2010)/pop2005, 447.0/1699)
	want := 10 * national / 1e5 / model.WeeksPerYear
	if out[model.Deaths] != 0 {
		t.Fatalf("%v deaths with conflict_lethality 0", out[model.Deaths])
	}
	if got := out[model.Homicides]; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("week 1: %v homicides, want %v (Mexico's %.0f people on 2007-01-07)", got, want, national)
	}

	placeless, err := ParseScenario("pop.yaml", []byte(file[:len(file)-len("territory: {}\n")]))
	if err != nil {
		t.Fatal(err)
	}
	if cfg := placeless.Config(); cfg.Population != nil || cfg.Geography != nil {
		t.Errorf("a placeless world has population path %v", cfg.Population)
	}
}

// The adulterated share's clock, by hand: 2013-01-06 is 366 days (2012 is a leap year)
// and 5 more after 1 January 2012, 53 weeks; mid-2012 is 182.625 days after it.
func TestFentanylWeekOne(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		year  float64
		start string
		want  float64
	}{
		{2012, "2012-01-01", 0},
		{2012, "2013-01-06", 53},
		{2012, "2006-12-03", -(5*365 + 1 + 29) / 7.0}, // 2007-2011 with 2008's leap day, and December's last 29 days
		{2012.5, "2012-01-01", -182.625 / 7},
	} {
		if got := *fentanylWeekOne(c.year, day(c.start)); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("year %v, week 1 on %s: %v weeks, want %v", c.year, c.start, got, c.want)
		}
	}
}
