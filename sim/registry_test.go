package sim

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// The keys a scenario file's sections accept are the registry's, in the same order: a
// key added to a section without its registry entry, or the reverse, fails here.
func TestScenarioKeysAreTheRegistry(t *testing.T) {
	want := map[string][]string{}
	for _, p := range model.Registry() {
		want[p.Section] = append(want[p.Section], p.Key)
	}
	var params []string
	typ := reflect.TypeOf(scenario.ParametersFile{})
	for i := 0; i < typ.NumField(); i++ {
		params = append(params, strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0])
	}
	for section, keys := range map[string][]string{
		"parameters":    params,
		"fragmentation": model.FragmentationFields,
		"territory":     model.TerritoryFields,
		"economy":       model.EconomyFields,
		"policy":        model.PolicyFields,
	} {
		if !slices.Equal(keys, want[section]) {
			t.Errorf("section %s: the scenario accepts %q, the registry has %q", section, keys, want[section])
		}
	}
}
