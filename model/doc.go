// Package model is the cartel domain of cartelsim: groups and their rivalries and
// alliances, the parameters of the Prieto-Curiel, Campedelli & Hope (2023) model,
// time-bounded interventions, and one week's transition in two modes, a deterministic
// mean-field integration and a stochastic draw of every flow. With a Fragmentation, groups
// also have leaders and successions: decapitation campaigns remove leaders, succession wars
// split groups into factions, leaderless and unviable groups end, new groups appear, and a
// replicate keeps the lineage of them all (stochastic mode only). With an Economy, groups
// hold states of a Geography, run labs that strikes destroy and groups rebuild or move,
// ship along least-cost routes (gonum/graph) to a US market whose price and revenue feed
// back on recruitment (stochastic mode only); with a Territory instead, groups hold states
// and spread or withdraw with their size, without labs or a market. Groups placed on states
// fight where they meet, and deaths and homicides are recorded by state (StateWeek). A
// replicate can also keep a log of leadership removals, splits, strikes and ceasefires
// (RecordEvents). With a Policy, the states act with side
// effects: a US-Mexico cooperation index sets intelligence, extraditions and precursor
// control, unilateral action and civilian casualties erode it, casualties draw recruits
// and US action invites retaliation, corruption filters Mexico's enforcement, and levers
// cut precursors, guns and corruption or broker ceasefires that may break down.
//
// The package is pure: it does no file or terminal I/O, starts no goroutines and has no
// global random source. Every stochastic function takes a *rand.Rand (math/rand/v2), so a
// replicate's results depend only on the random stream it is given.
package model
