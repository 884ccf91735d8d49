package scenario

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Clock maps week numbers to dates: week w ends Start + 7w days.
type Clock struct {
	Start time.Time
	Weeks int
}

// union is the clock from the earlier start to the later end of c and o, in whole weeks.
func (c Clock) Union(o Clock) Clock {
	start, end := c.Start, c.Date(c.Weeks)
	if o.Start.Before(start) {
		start = o.Start
	}
	if e := o.Date(o.Weeks); e.After(end) {
		end = e
	}
	days := int(end.Sub(start).Hours()/24 + 0.5)
	return Clock{Start: start, Weeks: (days + 6) / 7}
}

// Date returns the date at the end of week w (week 0 is the start).
func (c Clock) Date(w int) time.Time { return c.Start.AddDate(0, 0, 7*w) }

// Week reads a point of the run written as a week number or a date (YYYY-MM-DD): a date
// names the last week that ends on or before it. It must fall within weeks 1 to Weeks.
func (c Clock) Week(s string) (int, error) {
	w, err := strconv.Atoi(s)
	if err != nil {
		d, derr := time.Parse(time.DateOnly, s)
		if derr != nil {
			return 0, fmt.Errorf("sim: %q is neither a week number nor a date (YYYY-MM-DD)", s)
		}
		w = int(math.Floor(d.Sub(c.Start).Hours() / 24 / 7))
	}
	if w < 1 || w > c.Weeks {
		return 0, fmt.Errorf("sim: %s is outside the run (weeks 1 to %d, %s to %s)", s, c.Weeks,
			c.Date(1).Format(time.DateOnly), c.Date(c.Weeks).Format(time.DateOnly))
	}
	return w, nil
}
