// Package sim is cartelsim's engine: it reads scenario files, seeds replicates, runs them
// in parallel, folds their weekly metrics into streaming statistics in replicate order,
// and writes tables, plots and a manifest.
//
// Results depend only on the scenario, the master seed and the number of replicates:
// replicate r draws from its own generator (ReplicateRNG), and Run hands every
// replicate's series to its folders in replicate order, whatever the number of workers.
// Scenarios compared share replicate r's stream, so they agree until their worlds first
// differ (model.FirstDifference): RunBranched simulates that shared past once per
// replicate and carries it over to each (model.Fork), with the same results.
// Memory does not grow with the number of replicates: at most two series per worker are
// held at once, and the statistics of each week and metric are bounded (see
// QuantileAccuracy).
//
// The package drives the model through model.World and model.Replicate and never the
// other way round.
package sim
