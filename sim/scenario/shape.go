package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkShape walks a scenario's nodes against the layout of t (ScenarioFile) before the
// decoder sees them, in the file's order, so that every problem of shape is named by its
// own key and line, even inside a flow list ({groups: [a, [b]]}), and worded without the
// decoder's Go types: a mapping where a list belongs, a list item or a key that is null
// (~), which the decoder would drop or ignore, a key given twice, an unknown key (with the
// nearest known one when it is close). Numbers and dates are checked by their own
// decoders, called here so that they too are met in order.
func checkShape(file string, n *yaml.Node, t reflect.Type, key string) error {
	fail := func(n *yaml.Node, format string, args ...any) error {
		return &ScenarioError{File: file, Line: n.Line, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	if t == nodeType { // a section read by its own reader
		return nil
	}
	pointer := t.Kind() == reflect.Pointer
	if pointer {
		if isNull(n) {
			return nil // absent
		}
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		err := reflect.New(t).Interface().(yaml.Unmarshaler).UnmarshalYAML(n)
		var ve *valueError
		if errors.As(err, &ve) {
			return &ScenarioError{File: file, Line: ve.line, Key: key, Msg: ve.msg}
		}
		return err
	}
	switch t.Kind() {
	case reflect.Struct:
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return fail(n, "want a mapping of keys to values, got %s", kindName(n))
		}
		fields := yamlFields(t)
		names := slices.Sorted(func(yield func(string) bool) {
			for name := range fields {
				if !yield(name) {
					return
				}
			}
		})
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || isNull(k) || k.Value == "" {
				return fail(k, "a key that is %s: every key is a name (one of %s)", kindName(k), strings.Join(names, ", "))
			}
			sub := k.Value
			if key != "" {
				sub = key + "." + sub
			}
			if first, dup := seen[k.Value]; dup {
				return &ScenarioError{File: file, Line: k.Line, Key: sub, Msg: fmt.Sprintf("given twice (first on line %d)", first)}
			}
			seen[k.Value] = k.Line
			ft, ok := fields[k.Value]
			if !ok {
				return &ScenarioError{File: file, Line: k.Line, Key: sub, Msg: "unknown key" + didYouMean(k.Value, names)}
			}
			if err := checkShape(file, v, ft, sub); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if isNull(n) {
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return fail(n, "want a list, got %s", kindName(n))
		}
		for i, item := range n.Content {
			sub := fmt.Sprintf("%s[%d]", key, i)
			if isNull(item) {
				return &ScenarioError{File: file, Line: item.Line, Key: sub, Msg: "a null item (~): remove it or write it out"}
			}
			if err := checkShape(file, item, t.Elem(), sub); err != nil {
				return err
			}
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			return fail(n, "want text, got %s", kindName(n))
		}
	case reflect.Bool:
		if !isNull(n) && (n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool") {
			return fail(n, "want true or false, got %s", kindName(n))
		}
	}
	return nil
}

var (
	nodeType        = reflect.TypeFor[yaml.Node]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
)

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// yamlFields maps the YAML keys of a struct to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			out[name] = f.Type
		}
	}
	return out
}
