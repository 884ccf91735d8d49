// Package sim is cartelsim's run directory and what reads it: Execute runs a scenario
// (read by package scenario) through an ensemble (package ensemble) and writes its tables,
// plots, maps and manifest to a directory it locks, checkpoints as it goes, resumes, and
// merges shards of; Compare, the overlay plots, the event study of a run and the
// published figures are built on it.
//
// Results depend only on the scenario, the master seed and the number of replicates, for
// any number of workers or shard layout: see package ensemble. Nothing is written outside
// the directory named, and nothing half-written looks complete (WriteFileAtomic).
//
// Imports run one way: scenario and ensemble never import sim, and sim drives the model
// through model.World and model.Replicate, never the other way round.
package sim
