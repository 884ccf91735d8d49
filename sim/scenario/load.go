package scenario

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadScenario reads and validates a scenario file. It refuses what is not a regular file
// (a directory, a device such as /dev/zero, a named pipe, which would block) and a file
// larger than MaxScenarioBytes, of which it reads at most one byte more than the limit.
func LoadScenario(path string) (*Scenario, error) {
	return LoadScenarioWith(path, nil)
}

// readScenarioFile reads a scenario file's bytes with LoadScenario's checks.
func readScenarioFile(path string) ([]byte, error) {
	fail := func(format string, args ...any) error {
		return &ScenarioError{File: path, Msg: fmt.Sprintf(format, args...)}
	}
	cannotRead := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the message
		}
		return fail("cannot read scenario: %v", err)
	}
	tooBig := fail("scenario file is larger than the limit of %d bytes (1 MiB)", MaxScenarioBytes)
	// Stat before opening: opening a named pipe blocks until something writes to it.
	info, err := os.Stat(path)
	if err != nil {
		return nil, cannotRead(err)
	}
	if !info.Mode().IsRegular() {
		return nil, fail("not a regular file (%s): a scenario is a YAML file", FileKind(info.Mode()))
	}
	if info.Size() > MaxScenarioBytes {
		return nil, tooBig
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cannotRead(err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !info.Mode().IsRegular() { // replaced since
		return nil, fail("not a regular file (%s): a scenario is a YAML file", FileKind(info.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return nil, cannotRead(err)
	}
	if len(data) > MaxScenarioBytes {
		return nil, tooBig // it grew since
	}
	return data, nil
}

// FileKind names the kind of a file that is not a regular one.
func FileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// yamlParserErrors are the messages of yaml.v3's parser, whose line is 0-based.
var yamlParserErrors = map[string]bool{
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"did not find expected ',' or '}'":       true,
	"did not find expected ',' or ']'":       true,
	"did not find expected <document start>": true,
	"did not find expected '-' indicator":    true,
}

var (
	yamlLine = regexp.MustCompile(`^(?:yaml: )?line (-?\d+): (.*)$`)
)

// keyOnLine names the key written on a line: the deepest mapping key there, or a
// sequence item when no mapping key is (as in "  - 3"); "" if none.
func keyOnLine(keys map[string]int, line int) string {
	var best string
	rank := func(k string) int {
		if strings.HasSuffix(k, "]") {
			return len(k) // items lose to any mapping key
		}
		return 1<<20 + len(k)
	}
	for k, l := range keys {
		if l == line && (best == "" || rank(k) > rank(best) || rank(k) == rank(best) && k < best) {
			best = k
		}
	}
	return best
}

// ParseScenario decodes a scenario strictly (unknown keys and wrong types are errors) and
// validates it. name is used in error messages and as the default scenario name, and its
// directory is where an extends: base is looked for.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	return ParseScenarioWith(name, data, nil)
}

// LoadScenarioWith reads a scenario file as LoadScenario does and applies overrides to
// it, as --set does.
func LoadScenarioWith(path string, overrides []Override) (*Scenario, error) {
	data, err := readScenarioFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenarioWith(path, data, overrides)
}

// ParseScenarioWith is ParseScenario with overrides applied, in order, to the file's
// tree before it is decoded, so that each value is checked exactly as if the file held
// it. An error on an overridden value names the override (--set key=value) instead of a
// line. A key the file leaves out is added, and so is a section (fragmentation: {} and
// the like), which switches that part of the model on as writing it in the file would.
// Overrides apply after the file's bases (extends:) are merged in. With overrides or
// bases, Source is the scenario as run (the merged tree with the overrides applied, under
// a comment naming each file with its sha256 and the overrides) and SHA256 that text's,
// so that a run with overrides is never taken for one of the plain file, and a change to
// any file of the chain changes it.
func ParseScenarioWith(name string, data []byte, overrides []Override) (*Scenario, error) {
	return parseChain(name, data, overrides, &chain{})
}

// parseChain is ParseScenarioWith, reading the bases through c.
func parseChain(name string, data []byte, overrides []Override, c *chain) (*Scenario, error) {
	doc, err := scenarioNodes(name, data)
	if err != nil {
		return nil, err
	}
	if doc.Content[0], err = c.load(name, data, doc); err != nil {
		return nil, err
	}
	for i, o := range overrides {
		if ofHistory(doc.Content[0], o) {
			c.historySets = append(c.historySets, o)
			continue
		}
		if _, err := applyOverride(doc.Content[0], o, overrideLine(i)); err != nil {
			return nil, &ScenarioError{File: name, Set: o.String(), Msg: err.Error()}
		}
	}
	tree, hist, files, err := c.history(doc.Content[0])
	if err != nil {
		return nil, err
	}
	sc, err := parseTree(name, &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{tree}})
	if err == nil && hist != nil {
		err = hist.apply(sc)
	}
	if err != nil {
		return nil, locate(err, files, overrides)
	}
	c.tree = tree
	sc.Source = data
	if len(overrides) > 0 || len(c.files) > 1 {
		sc.Overrides = slices.Clone(overrides)
		for _, f := range c.files[1:] {
			sc.Bases = append(sc.Bases, f.path)
		}
		if sc.Source, err = renderScenario(c.files, doc, overrides); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(sc.Source)
	sc.SHA256 = hex.EncodeToString(sum[:])
	if hist != nil {
		sc.SHA256 = historySHA256(sc.Source, hist)
	}
	return sc, nil
}

// scenarioNodes reads a file's YAML nodes, aliases unexpanded: they locate every key, and
// let aliases and a second document be refused before the decoder could expand anything.
func scenarioNodes(name string, data []byte) (*yaml.Node, error) {
	fail := func(line int, key, format string, args ...any) error {
		return &ScenarioError{File: name, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	nodes := yaml.NewDecoder(bytes.NewReader(data))
	var root, next yaml.Node
	if err := nodes.Decode(&root); err != nil && err != io.EOF {
		return nil, yamlError(name, err, nil, nil)
	}
	if len(root.Content) == 0 {
		return nil, fail(0, "", "empty scenario file")
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, fail(root.Content[0].Line, "", "a scenario is a mapping of keys to values")
	}
	keys, values := map[string]int{}, map[nodePos]string{}
	keyLines(root.Content[0], "", keys, values)
	if a := firstAlias(&root); a != nil {
		key := values[nodePos{a.Line, a.Column}]
		return nil, fail(a.Line, key, "YAML aliases (*%s) are not allowed in scenario files: write the value out", a.Value)
	}
	switch err := nodes.Decode(&next); {
	case err == nil:
		return nil, fail(next.Line, "", "a second YAML document: a scenario file holds one (remove the '---' line)")
	case err != io.EOF:
		return nil, yamlError(name, err, keys, values)
	}
	return &root, nil
}
