package yamlmap

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Errors name the file, the key's line (the mapping's for a key it lacks) and the key
// with its prefix.
func TestMappingErrors(t *testing.T) {
	read := func(text string) (*Mapping, error) {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatal(err)
		}
		return Read("d.yaml", "top.", doc.Content[0], "a", "b")
	}
	if _, err := read("a: 1\nc: 2\n"); err == nil || !strings.Contains(err.Error(), "d.yaml:2: top.c: unknown key (known: a, b)") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := read("a: 1\na: 2\n"); err == nil || !strings.Contains(err.Error(), "d.yaml:2: top.a: given twice") {
		t.Errorf("duplicate: %v", err)
	}
	m, err := read("\na: 7\nb: [1]\n")
	if err != nil {
		t.Fatal(err)
	}
	if k, ok, err := m.Whole("a", 1, 10); k != 7 || !ok || err != nil {
		t.Errorf("a: %d %v %v, want 7", k, ok, err)
	}
	if _, _, err := m.Whole("a", 1, 5); err == nil || !strings.Contains(err.Error(), `d.yaml:2: top.a: want a whole number from 1 to 5, got "7"`) {
		t.Errorf("out of range: %v", err)
	}
	if _, _, err := m.Scalar("b"); err == nil || !strings.Contains(err.Error(), "d.yaml:3: top.b: want a single value") {
		t.Errorf("a list: %v", err)
	}
	if _, ok, err := m.Scalar("missing"); ok || err != nil {
		t.Errorf("a key it lacks: %v %v", ok, err)
	}
	if err := m.Fail("missing", "needed"); err == nil || !strings.Contains(err.Error(), "d.yaml:2: top.missing: needed") {
		t.Errorf("the mapping's line: %v", err)
	}
}
