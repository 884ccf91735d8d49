// Package report renders one self-contained HTML page from a directory that cartelsim
// wrote: a run (cartelsim run), a comparison (cartelsim compare) or an experiment
// (cartelsim experiment). Open tells which from the directory's files (experiment.json,
// comparison.json or manifest.json) and reads what it needs; Render writes the page.
//
// The page says what was run, the findings in plain words with their intervals, the
// assumptions that matter most (the registry's parameters with status "assumed" in the
// sections the scenarios use, see model.Registry), the plots the run wrote (SVG inlined;
// PNG only where there is no SVG, as a data URI) and the commands that reproduce it. It
// has no script, loads nothing from the network and keeps its CSS inline.
//
// The page is a list of sections, each made by a Builder from the Source: the defaults
// come from DefaultSections, and Options.Extra adds more (a later analysis adds its
// section by writing one function).
//
// The package only reads the directory; it writes nothing but the page to the writer it
// is given. How the scenario files are read (to know which sections they use) is left to
// the caller, through Options.ScenarioSections.
package report
