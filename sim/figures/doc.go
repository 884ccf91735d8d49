// Package figures regenerates cartelsim's published figures and tables from their
// manifest (seeds/figures.json): each output is pinned to a scenario, seed, replicate
// count and mode, run through package sim (a run, an overlay of runs or a comparison),
// and checked against its recorded sha256; UpdateFigures records new checksums after a
// deliberate change to the model.
package figures
