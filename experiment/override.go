package experiment

import "github.com/cartelsim/cartelsim/sim/scenario"

// Factor values and the design's fixed settings reach a scenario as sim's overrides
// (what --set does), so they are validated exactly as the file's own keys.
type override = scenario.Override
