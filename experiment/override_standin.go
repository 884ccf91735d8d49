package experiment

// A minimal private stand-in for sim's scenario overrides (sim.Override and
// sim.LoadScenarioWith, which another branch adds): it sets dotted keys on the file's YAML
// nodes and parses the result with sim.ParseScenario. It goes when that API is merged.

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/sim"
)

type override struct{ Key, Value string }

func loadScenarioWith(path string, ovs []override) (*sim.Scenario, error) {
	if len(ovs) == 0 {
		return sim.LoadScenario(path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return sim.LoadScenario(path) // its message
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) != 1 {
		return sim.LoadScenario(path)
	}
	for _, o := range ovs {
		if err := setKey(doc.Content[0], o); err != nil {
			return nil, err
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	return sim.ParseScenario(path, out)
}

func setKey(root *yaml.Node, o override) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("sim: --set %s=%s: %s", o.Key, o.Value, fmt.Sprintf(format, args...))
	}
	var value yaml.Node
	if err := yaml.Unmarshal([]byte(o.Value), &value); err != nil || len(value.Content) != 1 {
		return fail("not a YAML value")
	}
	parts := strings.Split(strings.NewReplacer("[", ".", "]", "").Replace(o.Key), ".")
	n := root
	for i, p := range parts {
		last := i == len(parts)-1
		switch n.Kind {
		case yaml.MappingNode:
			var child *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == p {
					child = n.Content[j+1]
				}
			}
			if child == nil {
				if !last && (i > 0 || parts[0] == "interventions") {
					return fail("the scenario has no %s", strings.Join(parts[:i+1], "."))
				}
				child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p}, child)
			}
			if last {
				*child = *value.Content[0]
			}
			n = child
		case yaml.SequenceNode:
			k, err := strconv.Atoi(p)
			if err != nil || k < 0 || k >= len(n.Content) {
				return fail("the scenario has no %s", strings.Join(parts[:i+1], "."))
			}
			if last {
				*n.Content[k] = *value.Content[0]
			}
			n = n.Content[k]
		default:
			return fail("the scenario has no %s", strings.Join(parts[:i+1], "."))
		}
		if n.Style == yaml.FlowStyle {
			n.Style = 0
		}
	}
	return nil
}
