package ensemble

import "github.com/cartelsim/cartelsim/model"

// Probe picks one number from a replicate's series: a metric summed over the weeks From
// to To, both included (From == To reads one week).
type Probe struct {
	Metric   model.Metric
	From, To int
}

// Collector is a Folder that keeps every replicate's probed values, for calibration and
// tests that need whole distributions rather than streaming summaries. Values[p][r] is
// probe p of replicate r. Memory grows with replicates x probes.
type Collector struct {
	Probes []Probe
	Values [][]float64
}

// Fold reads the probes from one replicate's series.
func (c *Collector) Fold(_ int, series []float64) error {
	if c.Values == nil {
		c.Values = make([][]float64, len(c.Probes))
	}
	nm := int(model.NumMetrics)
	for p, pr := range c.Probes {
		sum := 0.0
		for wk := pr.From; wk <= pr.To; wk++ {
			sum += series[(wk-1)*nm+int(pr.Metric)]
		}
		c.Values[p] = append(c.Values[p], sum)
	}
	return nil
}
