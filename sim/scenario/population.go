package scenario

import (
	"time"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/mexico"
)

// populationPath is the national population's path for a world on the states whose week
// 1 starts on start: INEGI's counts (mexico.NationalCounts), by day from the census day
// of the states' populations (the last count's), each over that census's count.
func populationPath(start time.Time) (*model.Population, error) {
	counts, err := mexico.NationalCounts()
	if err != nil {
		return nil, err
	}
	census := counts[len(counts)-1]
	p := &model.Population{Start: daysFrom(census.Date, start)}
	for _, c := range counts {
		p.Counts = append(p.Counts, model.PopulationCount{Day: daysFrom(census.Date, c.Date), Ratio: c.People / census.People})
	}
	return p, nil
}

// daysFrom counts the days from a to b (negative if b is before a), both dates at midnight
// UTC.
func daysFrom(a, b time.Time) int {
	return int(b.Sub(a).Round(time.Hour).Hours()) / 24
}
