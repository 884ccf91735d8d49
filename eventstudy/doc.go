// Package eventstudy estimates how homicides change around leadership removals on a
// panel of monthly homicides by state, after the design of Lindo & Padilla-Romo (2018,
// "Kingpin approaches to fighting crime and community violence: evidence from Mexico's
// drug war", J. Health Econ. 58:253-268): for each capture or killing of a leader, the
// homicides of three windows of states, month by month from 12 months before to 24
// after, as a percent change against the mean of the 12 months before.
//
// The windows are the state of the removal (Own), the other states where the same group
// operates (Others), and the remaining states (Rest). A window's effect in month t is
// the percent change of its homicides summed over the events against their baselines
// summed over the events:
//
//	effect(t) = 100 x (sum_e H_e(t) / sum_e B_e - 1),  B_e = mean of H_e(-12..-1),
//
// a ratio of sums, so that events whose window had few or no homicides before do not
// dominate (a mean of per-event percent changes is undefined for a baseline of 0). Only
// events whose whole window, months -12 to +24, lies within the panel are used, and a
// window with no states (a group that operates in one state has no Others) is left out
// for that event. The 95% interval is a percentile bootstrap clustered by replicate:
// whole replicates (all their events) are drawn with replacement, as replicates are
// independent while the events of one replicate share its history; with fewer than two
// replicates that have events, the events themselves are drawn. The bootstrap's draws
// come from a fixed seed, so that the same panel gives the same bytes.
//
// The package is pure: no I/O and no goroutines; package sim builds the panel from a
// run, re-simulating its replicates.
package eventstudy
