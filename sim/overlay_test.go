package sim

import (
	"testing"
	"time"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// An overlay's time axis spans every run: the earlier start to the later end, in whole
// weeks (worked out by hand from the calendar).
func TestClockUnionSpansBothRuns(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	a := scenario.Clock{Start: day("2025-01-05"), Weeks: 52} // to 2026-01-04
	b := scenario.Clock{Start: day("2024-12-29"), Weeks: 10} // to 2025-03-09
	c := scenario.Clock{Start: day("2025-06-01"), Weeks: 60} // to 2026-07-26
	for _, tc := range []struct {
		x, y scenario.Clock
		want scenario.Clock
	}{
		{a, a, a},
		{a, b, scenario.Clock{Start: day("2024-12-29"), Weeks: 53}}, // 2024-12-29 to 2026-01-04: 371 days
		{b, a, scenario.Clock{Start: day("2024-12-29"), Weeks: 53}},
		{a, c, scenario.Clock{Start: day("2025-01-05"), Weeks: 81}}, // to 2026-07-26: 567 days
	} {
		if got := tc.x.Union(tc.y); !got.Start.Equal(tc.want.Start) || got.Weeks != tc.want.Weeks {
			t.Errorf("%v ∪ %v = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
}
