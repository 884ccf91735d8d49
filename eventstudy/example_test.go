package eventstudy_test

import (
	"fmt"

	"github.com/cartelsim/cartelsim/eventstudy"
)

// A leader is captured in month 12 in state 0, where homicides go from 10 to 15 a month;
// the group also operates in state 1, where they stay at 4, and state 2 is the rest.
func Example() {
	var panel [][]float64
	for m := range 40 {
		own := 10.0
		if m >= 12 {
			own = 15
		}
		panel = append(panel, []float64{own, 4, 7})
	}
	rep := eventstudy.Replicate{Homicides: panel, Removals: []eventstudy.Removal{{Month: 12, State: 0, Group: 0b011}}}
	est, err := eventstudy.Run([]eventstudy.Replicate{rep}, eventstudy.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range est {
		if e.Month == -1 || e.Month == 0 {
			fmt.Printf("%s %+d: %+.0f%% (%d event)\n", e.Window, e.Month, e.Effect, e.Events)
		}
	}
	// Output:
	// own -1: +0% (1 event)
	// own +0: +50% (1 event)
	// others -1: +0% (1 event)
	// others +0: +0% (1 event)
	// rest -1: +0% (1 event)
	// rest +0: +0% (1 event)
}
