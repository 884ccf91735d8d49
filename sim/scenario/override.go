package scenario

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Override sets one key of a scenario, as --set key=value does: Key is a dotted path
// (economy.rebuild_weeks, interventions[2].intensity, interventions.2.intensity,
// interventions.kingpin.intensity for the intervention named kingpin) and Value a YAML
// value (a scalar, or a flow list or mapping), read as if written in the file.
type Override struct{ Key, Value string }

// String is the override as written on a command line, key=value.
func (o Override) String() string { return o.Key + "=" + o.Value }

// ParseOverride reads "key=value". The key is checked for its form only; whether the
// scenario has it, and whether the value suits it, is for the scenario to say.
func ParseOverride(s string) (Override, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return Override{}, fmt.Errorf("sim: --set %s: want key=value (economy.rebuild_weeks=52, interventions[0].intensity=0.5)", Printable(s))
	}
	o := Override{Key: strings.TrimSpace(key), Value: value}
	if _, err := o.path(); err != nil {
		return Override{}, fmt.Errorf("sim: --set %s: %v", Printable(s), err)
	}
	return o, nil
}

// pathStep is one step of an override's key: a mapping key, or a list item by index
// (index >= 0) or by name.
type pathStep struct {
	key     string
	index   int  // -1 for a key or a name
	bracket bool // written [i], which only a list has
}

var (
	overrideWord  = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	overrideIndex = regexp.MustCompile(`\[([0-9]+)\]`)
)

// path splits the key into steps: "interventions[2].intensity" and
// "interventions.2.intensity" both give interventions, 2, intensity.
func (o Override) path() ([]pathStep, error) {
	if o.Key == "" {
		return nil, errors.New("no key before '='")
	}
	var steps []pathStep
	for part := range strings.SplitSeq(o.Key, ".") {
		word, rest, _ := strings.Cut(part, "[")
		if rest != "" {
			rest = "[" + rest
		}
		if word == "" && (rest == "" || len(steps) == 0) {
			return nil, fmt.Errorf("key %q has an empty part", o.Key)
		}
		if word != "" {
			if !overrideWord.MatchString(word) {
				return nil, fmt.Errorf("key %q: %q is not a key, an index or a name", o.Key, word)
			}
			steps = append(steps, pathStep{key: word, index: -1})
			if n, err := strconv.Atoi(word); err == nil && len(steps) > 1 {
				steps[len(steps)-1].index = n
			}
		}
		for rest != "" {
			m := overrideIndex.FindStringSubmatchIndex(rest)
			if m == nil || m[0] != 0 {
				return nil, fmt.Errorf("key %q: want [index] after a key, got %q", o.Key, rest)
			}
			n, err := strconv.Atoi(rest[m[2]:m[3]])
			if err != nil {
				return nil, fmt.Errorf("key %q: index %s is too large", o.Key, rest[m[2]:m[3]])
			}
			steps = append(steps, pathStep{key: rest[m[2]:m[3]], index: n, bracket: true})
			rest = rest[m[1]:]
		}
	}
	return steps, nil
}

// overrideLine is the line the nodes of override i carry in the tree: negative, so that
// an error on them is told from one on a file's line and names the override instead.
func overrideLine(i int) int { return -1 - i }

// parseOverrideValue reads an override's value as YAML, its nodes marked with line.
func parseOverrideValue(value string, line int) (*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(value))
	var doc, next yaml.Node
	err := dec.Decode(&doc)
	switch {
	case err == io.EOF:
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!null"}}}
	case err != nil:
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = yamlLine.ReplaceAllString(msg, "$2")
		return nil, fmt.Errorf("the value is not YAML: %s", msg)
	}
	if err := dec.Decode(&next); err != io.EOF {
		return nil, errors.New("the value holds more than one YAML document")
	}
	n := doc.Content[0]
	if a := firstAlias(n); a != nil {
		return nil, fmt.Errorf("YAML aliases (*%s) are not allowed: write the value out", a.Value)
	}
	var mark func(*yaml.Node)
	mark = func(n *yaml.Node) {
		n.Line = line
		for _, c := range n.Content {
			mark(c)
		}
	}
	mark(n)
	return n, nil
}

// applyOverride sets o in the scenario's top mapping, creating the mappings on its path
// that the tree lacks (a section the file leaves out), and returns the dotted key it set
// as an error would name it (interventions[3].intensity for interventions.kingpin.intensity).
func applyOverride(top *yaml.Node, o Override, line int) (string, error) {
	steps, err := o.path()
	if err != nil {
		return "", err
	}
	if steps[0].key == "extends" {
		return "", errors.New("extends cannot be set from the command line: write a scenario that extends the other")
	}
	value, err := parseOverrideValue(o.Value, line)
	if err != nil {
		return "", err
	}
	n, at := top, ""
	for i, s := range steps {
		last := i == len(steps)-1
		join := func(k string) string {
			if at == "" {
				return k
			}
			return at + "." + k
		}
		if isNull(n) && s.index < 0 {
			// key: with no value, which a section reads as its defaults: a mapping now.
			*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line, Column: n.Column}
		}
		switch n.Kind {
		case yaml.MappingNode:
			if s.bracket {
				return "", fmt.Errorf("%s is a mapping, not a list: [%d] does not apply", at, s.index)
			}
			var child *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Kind == yaml.ScalarNode && n.Content[j].Value == s.key {
					child = n.Content[j+1]
					if last {
						// The key now speaks for the override: an error on it names that.
						k := *n.Content[j]
						k.Line = line
						n.Content[j], n.Content[j+1] = &k, value
						child = value
					}
					break
				}
			}
			if child == nil {
				if !last && steps[i+1].index >= 0 {
					return "", fmt.Errorf("index %d is out of range: %s is not in the scenario", steps[i+1].index, join(s.key))
				}
				if last {
					child = value
				} else {
					child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line}
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.key, Line: line}, child)
			}
			at, n = join(s.key), child
		case yaml.SequenceNode:
			k := s.index
			if k < 0 {
				if at != "interventions" {
					return "", fmt.Errorf("%s is a list: want an index ([0] to [%d]), got %q", at, len(n.Content)-1, s.key)
				}
				if k, err = interventionByName(n, s.key); err != nil {
					return "", err
				}
			}
			if k >= len(n.Content) {
				if len(n.Content) == 0 {
					return "", fmt.Errorf("index %d is out of range: %s is empty", k, at)
				}
				return "", fmt.Errorf("index %d is out of range: %s has %s ([0] to [%d])", k, at, Plural(len(n.Content), "item"), len(n.Content)-1)
			}
			if last {
				n.Content[k] = value
			}
			at, n = fmt.Sprintf("%s[%d]", at, k), n.Content[k]
		default:
			return "", fmt.Errorf("%s holds a value (%s), not keys: %s does not apply", at, kindName(n), s.key)
		}
	}
	return at, nil
}

// interventionNames are the name: values of an interventions list (nil or not a list:
// none), sorted.
func interventionNames(list *yaml.Node) []string {
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	var names []string
	for _, item := range list.Content {
		if v := mappingValue(item, "name"); v != nil && v.Kind == yaml.ScalarNode {
			names = append(names, v.Value)
		}
	}
	slices.Sort(names)
	return names
}

// interventionByName finds the item of the interventions list whose name: is name.
func interventionByName(list *yaml.Node, name string) (int, error) {
	var found []int
	for k, item := range list.Content {
		if v := mappingValue(item, "name"); v != nil && v.Kind == yaml.ScalarNode && v.Value == name {
			found = append(found, k)
		}
	}
	names := interventionNames(list)
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return 0, fmt.Errorf("%d interventions are named %q (interventions[%d] and [%d]): a name must be unique", len(found), name, found[0], found[1])
	case len(names) == 0:
		return 0, fmt.Errorf("no intervention is named %q (none has a name: key; give one, or use an index, interventions[0])", name)
	}
	if hint := didYouMean(name, names); hint != "" {
		return 0, fmt.Errorf("no intervention is named %q%s", name, hint)
	}
	return 0, fmt.Errorf("no intervention is named %q (the names are %s)", name, strings.Join(names, ", "))
}

// mappingValue is the value of key in mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		if n.Content[j].Kind == yaml.ScalarNode && n.Content[j].Value == key {
			return n.Content[j+1]
		}
	}
	return nil
}

// locate names the file and line, or the override, an error is in: the nodes of
// override i carry overrideLine(i), those of a base file their line plus a multiple of
// fileLines.
func locate(err error, files []chainFile, overrides []Override) error {
	var se *ScenarioError
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.Line < 0:
		if i := -1 - se.Line; i < len(overrides) {
			se.Set, se.Line = overrides[i].String(), 0
		}
	case se.Line >= fileLines:
		if k := se.Line / fileLines; k < len(files) {
			se.File, se.Line = files[k].path, se.Line%fileLines
		}
	}
	return err
}

// renderScenario writes the scenario as run: a comment naming each file of the chain
// with its sha256 and the overrides, then the tree they made, which reads back as the
// same scenario.
func renderScenario(files []chainFile, doc *yaml.Node, overrides []Override) ([]byte, error) {
	var b bytes.Buffer
	for i, f := range files {
		sum := sha256.Sum256(f.data)
		switch i {
		case 0:
			fmt.Fprintf(&b, "# %s (sha256 %s) as cartelsim ran it", Printable(f.rel), hex.EncodeToString(sum[:]))
		default:
			fmt.Fprintf(&b, "\n#   extends %s (sha256 %s)", Printable(f.rel), hex.EncodeToString(sum[:]))
		}
	}
	b.WriteString("\n")
	for _, o := range overrides {
		fmt.Fprintf(&b, "#   --set %s\n", Printable(o.String()))
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("sim: %s: cannot write the scenario as run: %v", files[0].path, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("sim: %s: cannot write the scenario as run: %v", files[0].path, err)
	}
	return b.Bytes(), nil
}

// LoadScenariosWith reads several scenario files with the same overrides, stopping at
// the first error.
func LoadScenariosWith(paths []string, overrides []Override) ([]*Scenario, error) {
	scs := make([]*Scenario, len(paths))
	for i, p := range paths {
		var err error
		if scs[i], err = LoadScenarioWith(p, overrides); err != nil {
			return nil, err
		}
	}
	return scs, nil
}
