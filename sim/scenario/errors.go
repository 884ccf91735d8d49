package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/model"
)

// ScenarioError locates a problem in a scenario file: file, line (0 when unknown) and the
// dotted key it concerns, as a compiler would print it.
type ScenarioError struct {
	File string
	Line int
	Key  string
	Msg  string
	Set  string // the override (key=value) the problem is in, if one is; then Line is 0
}

// Error is one line whatever the file holds: control characters (a newline in a key,
// say) are escaped and overlong keys and messages are cut.
func (e *ScenarioError) Error() string {
	var b strings.Builder
	b.WriteString(Printable(e.File))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Set != "" {
		b.WriteString(": --set " + Printable(e.Set))
	}
	if setKey, _, _ := strings.Cut(e.Set, "="); e.Key != "" && (e.Set == "" || e.Key != strings.TrimSpace(setKey)) {
		b.WriteString(": " + Printable(e.Key))
	}
	b.WriteString(": " + Printable(e.Msg))
	return b.String()
}

// MaxErrorText bounds each part of a ScenarioError's message, which may quote a file's
// text: a key or value of a megabyte is cut to this many bytes.
const MaxErrorText = 1000

// Printable escapes control characters, line and paragraph separators and invalid UTF-8
// (as %q would) and cuts s to MaxErrorText bytes.
func Printable(s string) string {
	unsafe := func(r rune) bool {
		return r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}
	if len(s) <= MaxErrorText && !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= MaxErrorText {
			b.WriteString("...")
			break
		}
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case unsafe(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nodePos is a node's line and column.
type nodePos struct{ line, column int }

// keyLines records the line of every mapping key, by dotted path with [i] for sequence
// items, and the line of each sequence item itself; and in values, the path of the value
// at each position (a mapping value or sequence item).
func keyLines(n *yaml.Node, prefix string, out map[string]int, values map[nodePos]string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if prefix != "" {
				k = prefix + "." + k
			}
			out[k] = n.Content[i].Line
			values[nodePos{n.Content[i+1].Line, n.Content[i+1].Column}] = k
			keyLines(n.Content[i+1], k, out, values)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			k := fmt.Sprintf("%s[%d]", prefix, i)
			out[k] = item.Line
			values[nodePos{item.Line, item.Column}] = k
			keyLines(item, k, out, values)
		}
	}
}

// firstAlias returns the first alias in the tree (nil if none), without following any.
func firstAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := firstAlias(c); a != nil {
			return a
		}
	}
	return nil
}

// fieldError attaches a model validation error to the key it concerns.
func fieldError(file, prefix string, err error, keys map[string]int) error {
	var fe *model.FieldError
	if !errors.As(err, &fe) {
		return &ScenarioError{File: file, Line: keys[prefix], Key: prefix, Msg: err.Error()}
	}
	key := prefix + "." + fe.Field
	line, ok := keys[key]
	if !ok {
		line = keys[prefix]
	}
	return &ScenarioError{File: file, Line: line, Key: key, Msg: fe.Msg}
}

// yamlError rewrites the decoder's first complaint as one "file:line: key: message" line.
func yamlError(file string, err error, keys map[string]int, values map[nodePos]string) error {
	var ve *valueError
	if errors.As(err, &ve) {
		key, ok := values[nodePos{ve.line, ve.column}]
		if !ok {
			key = keyOnLine(keys, ve.line)
		}
		return &ScenarioError{File: file, Line: ve.line, Key: key, Msg: ve.msg}
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	m := yamlLine.FindStringSubmatch(strings.TrimPrefix(msg, "yaml: "))
	if m == nil {
		return &ScenarioError{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if yamlParserErrors[text] {
		line++ // yaml.v3 reports parser (not scanner) errors with a 0-based line
	}
	// Unknown keys and wrong kinds never reach here: checkShape refuses them first, each
	// in words of its own.
	return &ScenarioError{File: file, Line: line, Key: keyOnLine(keys, line), Msg: text}
}
