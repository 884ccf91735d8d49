package sim

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// What the decoder used to misread in silence is refused, each with its line and key:
// null list items and keys (dropped or ignored), numbers with a leading zero (052 was
// read as octal 42), an empty list of groups (which ran the 150-group data set instead),
// world.since off the week grid (truncated to the week before), an empty list of
// targets (all groups or states instead of none).
func TestSilentMisreadingsRefused(t *testing.T) {
	good, kingpin, labs := replacer(t, goodScenario), replacer(t, kingpinScenario), replacer(t, labsScenario)
	for _, c := range []scenarioErrorCase{
		{"null intervention", good("interventions:\n  - kind: recruitment-reduction", "interventions:\n  - ~\n  - kind: recruitment-reduction"), 14, "interventions[0]", "a null item (~)"},
		{"null interventions in flow", strings.SplitAfter(goodScenario, "  incapacitation: 110\n")[0] + "interventions: [~]\n", 13, "interventions[0]", "a null item (~)"},
		{"null group", kingpin("    - {id: b,", "    - ~\n    - {id: b,"), 8, "world.groups[1]", "a null item (~)"},
		{"null rivalry", kingpin("    - {between: [a, b], weight: 2}", "    - null"), 10, "world.rivalries[0]", "a null item (~)"},
		{"null group of a relation", kingpin("[a, b]", "[a, ~]"), 10, "world.rivalries[0].between[1]", "a null item (~)"},
		{"null target", kingpin("{largest: 2}", "{groups: [a, ~]}"), 19, "interventions[0].targets.groups[1]", "a null item (~)"},
		{"null key", good("seed: 42", "seed: 42\n~: 7"), 6, "", "a key that is null (~)"},
		{"null key nested", good("  dataset: bacrim2020", "  dataset: bacrim2020\n  null: 3"), 9, "world", "a key that is null (~)"},
		{"null key in a section", kingpin("  clarity: 0.4", "  clarity: 0.4\n  ~: 1"), 14, "fragmentation", "a key that is null (~)"},
		{"null number in a section", kingpin("  clarity: 0.4", "  clarity: ~"), 13, "fragmentation.clarity", "want a number, got null (~)"},
		{"empty key", good("seed: 42", `"": 42`), 5, "", `a key that is ""`},
		{"octal weeks", good("weeks: 104", "weeks: 0104"), 3, "weeks", "0104 has a leading zero, and YAML 1.1 reads it as octal, 68: write 104"},
		{"octal seed", good("seed: 42", "seed: 042"), 5, "seed", "leading zero"},
		{"octal real", good("incapacitation: 110", "incapacitation: 0110"), 12, "parameters.incapacitation", "leading zero"},
		{"octal week", good("from: 52", "from: 052"), 15, "interventions[0].from", "leading zero"},
		{"octal in a section", kingpin("  clarity: 0.4", "  clarity: 00.4"), 13, "fragmentation.clarity", "leading zero"},
		{"empty groups", good("  dataset: bacrim2020\n  initial_members: 115000", "  groups: []"), 8, "world.groups", "an empty list"},
		{"null groups", good("  dataset: bacrim2020\n  initial_members: 115000", "  groups:"), 8, "world.groups", "an empty list"},
		{"empty targets", kingpin("{largest: 2}", "{groups: []}"), 19, "interventions[0].targets.groups", "an empty list"},
		{"empty target states", labs("{states: [SIN, DUR]}", "{states: []}"), 20, "interventions[0].targets.states", "an empty list"},
		// 2025-01-05 less 52 weeks is 2024-01-07; 2024-01-09 lies between 2024-01-07 and 2024-01-14.
		{"since off the grid", labs("since: 2024-01-07", "since: 2024-01-09"), 11, "world.since",
			"2024-01-09 is not on the week grid (the start, 2025-01-05, minus a multiple of 7 days): the nearest dates on it are 2024-01-07 and 2024-01-14"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// A date off the week grid names the valid dates either side; a window whose end comes
// before its start is refused, ramp_until included. The dates are counted by hand from
// the start, Sunday 2012-01-01: week 104 ends 2013-12-29, week 105 would end 2014-01-05.
func TestWindowsAndTheWeekGrid(t *testing.T) {
	good, labs := replacer(t, goodScenario), replacer(t, labsScenario)
	for _, c := range []scenarioErrorCase{
		{"to off the grid", good("to: 2013-12-29", "to: 2013-12-24"), 16, "interventions[0].to", "the nearest are 2013-12-22 and 2013-12-29"},
		{"from off the grid", good("from: 52", "from: 2012-01-03"), 15, "interventions[0].from", "the nearest are 2012-01-01 and 2012-01-08"},
		{"past the last week", good("to: 2013-12-29", "to: 2013-12-31"), 16, "interventions[0].to", "the nearest is 2013-12-29"},
		// labs: 2025-01-05 plus 10 weeks is 2025-03-16.
		{"ramp before from", labs("ramp_until: 60", "ramp_until: 9"), 24, "interventions[1].ramp_until", "week 9 is before from, week 10: a ramp ends after it starts"},
		{"ramp date before from", labs("ramp_until: 60", "ramp_until: 2025-03-09"), 24, "interventions[1].ramp_until", "2025-03-09 (week 9) is before from, week 10"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
	if _, err := scenario.ParseScenario("l.yaml", []byte(labs("ramp_until: 60", "ramp_until: 2025-03-16"))); err != nil {
		t.Errorf("a ramp ending where it starts: %v", err)
	}
}

// A list's item in flow style ([a, [b]]) is named by its own index, not by its list.
func TestFlowListErrorsNameTheirItem(t *testing.T) {
	kingpin, policy := replacer(t, kingpinScenario), replacer(t, policyScenario)
	for _, c := range []scenarioErrorCase{
		{"target group a list", kingpin("{largest: 2}", "{groups: [a, [b]]}"), 19, "interventions[0].targets.groups[1]", "want text, got a list"},
		{"relation a mapping", kingpin("[a, b]", "[a, {b: 1}]"), 10, "world.rivalries[0].between[1]", "want text, got a mapping"},
		{"intervention not a mapping", policy("  - {kind: cooperation, from: 0, intensity: 0.5, actor: joint}", "  - [cooperation]"), 14, "interventions[0]", "want a mapping of keys to values, got a list"},
		{"number in a flow item", policy("intensity: 0.3, actor: us}", "intensity: x, actor: us}"), 16, "interventions[2].intensity", `want a number, got "x"`},
		{"between not a list", kingpin("{between: [a, b], weight: 2}", "{between: a, weight: 2}"), 10, "world.rivalries[0].between", `want a list, got "a"`},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

// An unknown key names the nearest known one when it is close, in the file's structure and
// in the parameter sections, and none when nothing is; so do an unknown kind and actor,
// listing them all when none is close.
func TestUnknownKeysSuggest(t *testing.T) {
	good, kingpin := replacer(t, goodScenario), replacer(t, kingpinScenario)
	for _, c := range []scenarioErrorCase{
		{"transposed", good("seed: 42", "sede: 42"), 5, "sede", "unknown key (did you mean seed?)"},
		{"nested", good("  initial_members: 115000", "  inital_members: 115000"), 9, "world.inital_members", "(did you mean initial_members?)"},
		{"intervention", good("    intensity: 0.5", "    intesity: 0.5"), 17, "interventions[0].intesity", "(did you mean intensity?)"},
		{"section", kingpin("  clarity: 0.4", "  claritty: 0.4"), 13, "fragmentation.claritty", "unknown key (did you mean clarity?)"},
		{"kind", good("kind: recruitment-reduction", "kind: recruitment-reducton"), 14, "interventions[0].kind", `unknown intervention kind "recruitment-reducton" (did you mean recruitment-reduction?)`},
		{"far from any kind", good("kind: recruitment-reduction", "kind: bombing"), 14, "interventions[0].kind", `unknown intervention kind "bombing" (want one of recruitment-reduction, incapacitation,`},
		{"actor", good("actor: mexico", "actor: mexco"), 18, "interventions[0].actor", `unknown actor "mexco" (did you mean mexico?)`},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
	_, err := scenario.ParseScenario("bad.yaml", []byte(good("seed: 42", "zzzzzz: 42")))
	if err == nil || !strings.HasSuffix(err.Error(), "zzzzzz: unknown key") {
		t.Errorf("a key like no other: %v, want a plain unknown key", err)
	}
}

// goSyntax matches what only Go code says: a package-qualified type, a slice or pointer
// type, a Go number type, the decoder's own wording.
var goSyntax = regexp.MustCompile(`\b(sim|model|yaml)\.[A-Za-z]|\[\][A-Za-z*]|\*[a-z]+\.|\b(float64|float32|int64|uint64|int|uint|bool|string)\b|cannot unmarshal|!!\w`)

// No error says what only the code knows: every value and key of the base scenarios is
// replaced in turn by text, a number, a leading zero, a null, a list and a mapping, and
// a null key is put into every mapping; whatever the error, it names no Go type.
func TestNoGoTypesInMessages(t *testing.T) {
	bad := []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "x"},
		{Kind: yaml.ScalarNode, Value: "7"},
		{Kind: yaml.ScalarNode, Value: "1.5"},
		{Kind: yaml.ScalarNode, Value: "052"},
		{Kind: yaml.ScalarNode, Value: "true"},
		{Kind: yaml.ScalarNode, Tag: "!!null", Value: "~"},
		{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "1"}}},
		{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "a"}, {Kind: yaml.ScalarNode, Value: "1"}}},
	}
	parses, failures := 0, 0
	for _, base := range []string{goodScenario, kingpinScenario, labsScenario, policyScenario, everyNumber} {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(base), &root); err != nil {
			t.Fatal(err)
		}
		var nodes []*yaml.Node
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			nodes = append(nodes, n)
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(root.Content[0])
		try := func(what string) {
			out, err := yaml.Marshal(&root)
			if err != nil {
				return // not a document yaml.v3 writes
			}
			parses++
			if _, err := scenario.ParseScenario("bad.yaml", out); err != nil {
				failures++
				if m := goSyntax.FindString(err.Error()); m != "" {
					t.Errorf("%s: error %q says %q\n%s", what, err, m, out)
				}
			}
		}
		for _, n := range nodes {
			saved := *n
			for _, b := range bad {
				*n = *b
				try(fmt.Sprintf("node at line %d as %q", saved.Line, b.Value))
			}
			*n = saved
			if n.Kind == yaml.MappingNode {
				null := []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!null", Value: "~"}, {Kind: yaml.ScalarNode, Value: "1"}}
				n.Content = append(null, n.Content...)
				try(fmt.Sprintf("null key in the mapping at line %d", saved.Line))
				n.Content = saved.Content
			}
		}
	}
	t.Logf("%d malformed files, %d refused", parses, failures)
	if parses < 500 || failures < parses/2 {
		t.Errorf("%d malformed files, %d refused: the test did not reach the decoder's errors", parses, failures)
	}
}

func TestEditDistanceAndFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"sede", "seed", 1},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a transposed pair
		{"flaw", "lawn", 2}, {"cártel", "cartel", 1},
	} {
		if got := scenario.EditDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
	for in, want := range map[string]string{
		"Cártel Jalisco  Nueva Generación": "cartel jalisco nueva generacion",
		" MICHOACÁN ":                      "michoacan",
		"Nuevo_León":                       "nuevo leon",
		"los-zetas":                        "los zetas",
	} {
		if got := scenario.Fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}
