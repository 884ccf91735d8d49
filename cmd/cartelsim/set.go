package main

import (
	"strings"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// registerSet adds --set to a command that reads scenarios. Its values are kept whole
// (a StringArray, not a StringSlice): a value may hold commas, as in states=[SIN, DUR].
func registerSet(fs *pflag.FlagSet, sets *[]string) {
	fs.StringArrayVar(sets, "set", nil, "set a scenario key as if the file gave it, `key=value` (repeatable): economy.rebuild_weeks=52, interventions[0].intensity=0.5, interventions.<name>.from=2026-01-04")
}

// parseSets reads the --set values, refusing one that is not key=value.
func parseSets(sets []string) ([]scenario.Override, error) {
	var out []scenario.Override
	for _, s := range sets {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			return nil, usagef("%s", strings.TrimPrefix(err.Error(), "sim: "))
		}
		out = append(out, o)
	}
	return out, nil
}
