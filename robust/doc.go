// Package robust analyses a finished experiment directory (design.csv, effects.csv and
// experiment.json, as cartelsim experiment writes them) across its points, each point
// read as one plausible future:
//
//   - Robustness: for each policy (every scenario after the first) and output, the share
//     of points in which the policy beats the reference (the direction of "better" per
//     metric is the table Directions), with a Wilson interval; the share where the
//     effect's own replicate interval lies wholly on the better side; quantiles of the
//     effect over the points; and each policy's regret against the best option in each
//     future, with a minimax-regret ranking.
//   - Discovery: PRIM (Friedman and Fisher 1999, Statistics and Computing 9:123-143), the
//     patient rule induction method, as used for scenario discovery in robust decision
//     making (Bryant and Lempert 2010, Technological Forecasting and Social Change
//     77:34-49): the box of factor values in which a condition on the effect holds,
//     with its peeling trajectory of coverage against density.
//
// Load reads the directory; Analyse, PRIM and Discover compute and hold no I/O;
// WriteRobustness and WriteDiscovery write robustness.csv, discovery.csv and their plots,
// each file whole (renamed into place). The commands cartelsim robustness and cartelsim
// discover (cmd/cartelsim) parse the flags and print the summaries; docs/robustness.md
// describes both.
package robust
