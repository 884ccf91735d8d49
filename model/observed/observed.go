// Package observed holds the published counts the plots draw beside the model (see
// data/PROVENANCE.md): numbers of criminal groups and of cartel members at a few dates.
// The file is embedded in the binary; parsing does no file I/O.
package observed

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/cartelsim/cartelsim/model"
)

//go:embed data/observed.csv
var data []byte

// Provenance is the data's provenance note.
//
//go:embed data/PROVENANCE.md
var Provenance string

// Observation is one published count of a metric: a value, a range from Low to High,
// or an upper bound High alone (missing parts are NaN), at a date (To is From) or over
// a period, such as the groups active in a year.
type Observation struct {
	Metric           model.Metric
	From, To         time.Time
	Value, Low, High float64
	Source           string
}

// IsRange says whether the count is a range; IsBound whether it is an upper bound.
func (o Observation) IsRange() bool { return !math.IsNaN(o.Low) && !math.IsNaN(o.High) }
func (o Observation) IsBound() bool {
	return math.IsNaN(o.Value) && math.IsNaN(o.Low) && !math.IsNaN(o.High)
}

// All parses the embedded observations.
func All() ([]Observation, error) { return Parse(data) }

// Parse reads observations in the layout of data/observed.csv.
func Parse(b []byte) ([]Observation, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 7
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("observed: %w", err)
	}
	if len(recs) == 0 || recs[0][0] != "metric" {
		return nil, fmt.Errorf("observed: no header")
	}
	var out []Observation
	for i, rec := range recs[1:] {
		line := i + 2
		m, ok := model.ParseMetric(rec[0])
		if !ok {
			return nil, fmt.Errorf("observed: line %d: unknown metric %q", line, rec[0])
		}
		o := Observation{Metric: m, Source: rec[6]}
		if o.From, err = time.Parse(time.DateOnly, rec[1]); err != nil {
			return nil, fmt.Errorf("observed: line %d: date %q", line, rec[1])
		}
		o.To = o.From
		if rec[2] != "" {
			if o.To, err = time.Parse(time.DateOnly, rec[2]); err != nil || o.To.Before(o.From) {
				return nil, fmt.Errorf("observed: line %d: end date %q", line, rec[2])
			}
		}
		for k, p := range []*float64{&o.Value, &o.Low, &o.High} {
			*p = math.NaN()
			if rec[3+k] == "" {
				continue
			}
			if *p, err = strconv.ParseFloat(rec[3+k], 64); err != nil || *p < 0 || math.IsInf(*p, 0) {
				return nil, fmt.Errorf("observed: line %d: %q is not a count", line, rec[3+k])
			}
		}
		switch {
		case math.IsNaN(o.Low) != math.IsNaN(o.High) && !o.IsBound():
			return nil, fmt.Errorf("observed: line %d: a range needs low and high", line)
		case o.IsRange() && o.Low > o.High:
			return nil, fmt.Errorf("observed: line %d: low above high", line)
		case math.IsNaN(o.Value) && math.IsNaN(o.High):
			return nil, fmt.Errorf("observed: line %d: no count", line)
		}
		out = append(out, o)
	}
	return out, nil
}
