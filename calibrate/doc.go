// Package calibrate fits a model's free parameters to observed data by Approximate
// Bayesian Computation with sequential Monte Carlo (ABC-SMC): the population Monte Carlo
// of Beaumont, Cornuet, Marin & Robert (2009, Biometrika 96:983), with the tolerance of
// each generation set adaptively, as the alpha-quantile of the previous generation's
// distances (Del Moral, Doucet & Jasra 2012, Stat. Comput. 22:1009).
//
// Generation 0 draws its particles from the prior (uniform, or log-uniform, over each
// parameter's range). Each later generation draws every particle's ancestor from the
// previous generation by weight, perturbs it with a multivariate normal kernel whose
// covariance is twice the previous generation's weighted covariance (Beaumont et al.
// 2009), simulates, and keeps the proposal when its distance to the data is within the
// tolerance; the kept particle's importance weight is its prior density over the kernel
// mixture's density. The run stops at the final tolerance, when a generation's
// acceptance rate falls below the minimum, or after the maximum number of generations.
//
// The engine takes a Simulator: ScenarioSimulator runs a cartelsim scenario with the
// parameters set as --set would; any model whose outputs are numbers (the tests use a
// conjugate normal model whose posterior is known) fits the same way. Random numbers come
// from streams derived from (seed, generation, particle, attempt), never from the order
// in which workers finish, so a calibration's files are the same bytes for any number
// of workers, and each finished generation is kept in its own checkpoint file, written
// atomically, and each finished particle of the generation in progress in a ledger, from
// which an interrupted calibration resumes to the same bytes.
package calibrate
