package scenario

import (
	"time"

	"github.com/cartelsim/cartelsim/model"
)

// Limits on scenario files, so that a typo cannot ask for a run that would not fit.
const (
	MaxScenarioBytes = 1 << 20
	MaxWeeks         = 5200 // a century
	MaxReplicates    = 10_000_000
	MaxInitial       = model.MaxMembers // the runaway guard's cap on members
	// MaxUnbounded caps every number whose documented range has no upper bound (rates,
	// intensities counted per week or year, casualties, weights, lieutenants, durations
	// in weeks): far above any real value, it keeps 1e308 and the like, whose sums and
	// products overflow, out of the model.
	MaxUnbounded = 1e12
)

// Range of dates a scenario may use.
var (
	minDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2200, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Scenario is a validated scenario, ready to run.
type Scenario struct {
	Name        string
	Description string
	File        string     // path it was read from
	SHA256      string     // of Source
	Source      []byte     // the file's bytes, or the scenario as run (see ParseScenarioWith); a shard keeps it for merge
	Overrides   []Override // applied to the file, in order (--set)
	Bases       []string   // the files it extends, its own base first, as opened
	Clock       Clock
	Replicates  int
	Seed        uint64
	Mode        model.Mode

	config  model.Config     // the world, validated; Mode is taken from the field above
	history *scenarioHistory // world.history's, if the world is one (history.go)
}

// NewWorld builds the scenario's world in its current Mode (which a command line may
// have overridden).
func (s *Scenario) NewWorld() (*model.World, error) { return model.NewWorld(s.Config()) }

// WithConfig returns a copy of the scenario with the world configuration cfg, which
// must come from a parse of the same file with other values (a posterior's draw): the
// run directory then records that draw's world in place of the file's.
func (s *Scenario) WithConfig(cfg model.Config) *Scenario {
	c := *s
	c.config = cfg
	return &c
}

// Config returns the scenario's world configuration, in its current Mode, for callers
// that vary it (calibration, sweeps) before building a world.
func (s *Scenario) Config() model.Config {
	cfg := s.config
	cfg.Mode = s.Mode
	return cfg
}
