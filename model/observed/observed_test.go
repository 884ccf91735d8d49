package observed

import (
	"strings"
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

// The embedded counts are the published ones the documentation and the scenarios cite: fewer
// than 70 groups in 2010 and 198 in 2020 (Crisis Group), about 80 in 2011 (Atuesta &
// Pérez-Dávila); 115,000 members in 2012 and 160,000-185,000 in 2022 (Prieto-Curiel,
// Campedelli & Hope 2023, Science 381:1312).
func TestEmbeddedCounts(t *testing.T) {
	obs, err := All()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		m           model.Metric
		year        int
		bound       bool
		value       float64
		low, high   float64
		sourceStart string
	}
	want := []row{
		{model.Groups, 2010, true, 0, 0, 70, "Crisis Group"},
		{model.Groups, 2011, false, 80, 0, 0, "Atuesta"},
		{model.Groups, 2020, false, 198, 0, 0, "Crisis Group"},
		{model.Members, 2012, false, 115000, 0, 0, "Prieto-Curiel"},
		{model.Members, 2021, false, 0, 160000, 185000, "Prieto-Curiel"}, // the paper's 2022: week 520, 2021-12-19
	}
	if len(obs) != len(want) {
		t.Fatalf("%d observations, want %d", len(obs), len(want))
	}
	for i, w := range want {
		o := obs[i]
		ok := o.Metric == w.m && o.From.Year() == w.year && o.IsBound() == w.bound && strings.HasPrefix(o.Source, w.sourceStart)
		switch {
		case w.bound:
			ok = ok && o.High == w.high
		case w.low > 0:
			ok = ok && o.IsRange() && o.Low == w.low && o.High == w.high
		default:
			ok = ok && o.Value == w.value && !o.IsRange()
		}
		if !ok {
			t.Errorf("observation %d: %+v, want %+v", i, o, w)
		}
	}
	// A year's count of groups covers the year.
	if g := obs[1]; !g.From.Equal(time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)) || !g.To.Equal(time.Date(2011, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("2011 count from %v to %v, want the year", g.From, g.To)
	}
	if !strings.Contains(Provenance, "Science 381") {
		t.Error("the provenance note does not cite the paper")
	}
}

// Bad rows are refused with their line.
func TestParseRefusesBadRows(t *testing.T) {
	const head = "metric,from,to,value,low,high,source\n"
	for _, c := range []struct{ row, want string }{
		{"armies,2010-01-01,,1,,,x", `line 2: unknown metric "armies"`},
		{"groups,2010-13-01,,1,,,x", `line 2: date "2010-13-01"`},
		{"groups,2010-01-01,2009-01-01,1,,,x", `line 2: end date "2009-01-01"`},
		{"groups,2010-01-01,,-1,,,x", `line 2: "-1" is not a count`},
		{"groups,2010-01-01,,,5,,x", "line 2: a range needs low and high"},
		{"groups,2010-01-01,,,9,5,x", "line 2: low above high"},
		{"groups,2010-01-01,,,,,x", "line 2: no count"},
	} {
		_, err := Parse([]byte(head + c.row + "\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "observed: ") {
			t.Errorf("%s: %v, want %q", c.row, err, c.want)
		}
	}
}
