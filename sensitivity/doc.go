// Package sensitivity estimates global sensitivity indices from an experiment run with a
// morris or sobol design (package experiment): Morris's elementary effects (mu, mu* and
// sigma, Morris 1991 and Campolongo et al. 2007) and Sobol's first-order and total
// indices (Saltelli et al. 2010's estimator of the first order, Jansen 1999's of the
// total), each with bootstrap intervals, for every output of results.csv and every
// policy's paired effect (effects.csv's diff). Each point's output is its mean over the
// replicates, and the replicate-noise share of the output's variance is reported with the
// indices, so that indices of an output the replicates' noise dominates are seen for what
// they are.
//
// The estimators (Sobol, Morris, NoiseShare) are pure functions of numbers; Analyze reads
// an experiment's directory, and Write writes sensitivity.csv and the plots. docs/
// sensitivity.md describes the method, the files and the sample sizes to use.
package sensitivity
