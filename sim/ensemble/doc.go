// Package ensemble runs the replicates of a world and folds their weekly metrics into
// streaming statistics, in replicate order.
//
// Results depend only on the world, the master seed and the number of replicates:
// replicate r draws from its own generator (ReplicateRNG), and Run hands every
// replicate's series to its folders in replicate order, whatever the number of workers.
// Scenarios compared share replicate r's stream, so they agree until their worlds first
// differ (model.FirstDifference): RunBranched simulates that shared past once per
// replicate and carries it over to each (model.Fork), with the same results.
// Memory does not grow with the number of replicates: at most two series per worker are
// held at once, and the statistics of each week and metric are bounded (see
// QuantileAccuracy). Sums are exact (whatever the order they are added in) and quantile
// sketches use a mapping of their own, so that an Ensemble, and its binary layout
// (Encoder, Decoder), are the same on every platform.
//
// The package drives the model through model.World and model.Replicate and writes no
// file.
package ensemble
