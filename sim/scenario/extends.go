package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxExtends is the longest chain of bases a scenario may have (extends: of extends:).
const MaxExtends = 16

// fileLines separates the files of a chain in the merged tree: the nodes of the chain's
// file k carry line k*fileLines + their line, so that an error on them names that file
// and line. A scenario file of at most MaxScenarioBytes has fewer lines.
const fileLines = 1 << 22

// chainFile is one file of a scenario and its bases.
type chainFile struct {
	path string // as opened: the scenario's name, then each base joined to its child's directory
	rel  string // relative to the scenario's directory, for the scenario as run
	data []byte
}

// chain reads a scenario's bases (extends:) and merges each file onto its base.
type chain struct {
	files []chainFile
	read  func(path string) ([]byte, error) // a base's bytes; nil: readScenarioFile
	// histories are the files of the scenarios whose world this chain's is a history of
	// (world.history), to refuse a cycle; tree is the merged tree once parsed.
	histories []chainFile
	tree      *yaml.Node
	// historySets are the overrides of the history's own interventions
	// (interventions.NAME... naming none of this scenario's), which apply to the history.
	historySets []Override
}

// load returns the top mapping of doc (the file at path, data) merged onto its bases,
// its nodes marked with their file (see fileLines). extends: is resolved relative to the
// file's directory; a base that cannot be read, one already in the chain, and a chain
// longer than MaxExtends are errors at the line of the extends key.
func (c *chain) load(path string, data []byte, doc *yaml.Node) (*yaml.Node, error) {
	index := len(c.files)
	rel := filepath.Base(path)
	if index > 0 {
		if r, err := filepath.Rel(filepath.Dir(c.files[0].path), path); err == nil {
			rel = r
		}
	}
	c.files = append(c.files, chainFile{path: path, rel: filepath.ToSlash(rel), data: data})
	top := doc.Content[0]
	var key, value *yaml.Node
	for j := 0; j+1 < len(top.Content); j += 2 {
		if k := top.Content[j]; k.Kind == yaml.ScalarNode && k.Value == "extends" {
			key, value = k, top.Content[j+1]
			top.Content = append(top.Content[:j:j], top.Content[j+2:]...)
			break
		}
	}
	if key == nil && index == 0 {
		return top, nil // a file on its own: its checks stay the decoder's
	}
	// Duplicate keys would be lost in the merge: refuse them in each file first.
	if err := duplicateKeys(path, top, ""); err != nil {
		return nil, err
	}
	var base *yaml.Node
	if key != nil {
		fail := func(format string, args ...any) error {
			return &ScenarioError{File: path, Line: key.Line, Key: "extends", Msg: fmt.Sprintf(format, args...)}
		}
		if value.Kind != yaml.ScalarNode || isNull(value) || value.ShortTag() != "!!str" || value.Value == "" {
			return nil, fail("want a scenario file (a path relative to this file's directory), got %s", kindName(value))
		}
		if filepath.IsAbs(value.Value) {
			return nil, fail("%s is an absolute path: want one relative to this file's directory, so that the scenarios can move together", value.Value)
		}
		next := filepath.Join(filepath.Dir(path), filepath.FromSlash(value.Value))
		for k, f := range c.files {
			if samePath(f.path, next) {
				names := make([]string, 0, len(c.files)-k+1)
				for _, g := range c.files[k:] {
					names = append(names, g.path)
				}
				return nil, fail("%s is already in the chain, a cycle: %s extends %s", value.Value, strings.Join(names, " extends "), next)
			}
		}
		if len(c.files) > MaxExtends {
			return nil, fail("a chain of more than %d bases", MaxExtends)
		}
		read := c.read
		if read == nil {
			read = readScenarioFile
		}
		bdata, err := read(next)
		if err != nil {
			var se *ScenarioError
			if errors.As(err, &se) {
				return nil, fail("%s: %s", next, se.Msg)
			}
			return nil, err
		}
		bdoc, err := scenarioNodes(next, bdata)
		if err != nil {
			return nil, err
		}
		if base, err = c.load(next, bdata, bdoc); err != nil {
			return nil, err
		}
	}
	if index > 0 {
		shiftLines(top, index*fileLines)
	}
	if base == nil {
		return top, nil
	}
	return mergeMapping(base, top, true), nil
}

// samePath reports whether a and b name the same file: the same path once absolute and
// clean, or the same file on disk (through a link).
func samePath(a, b string) bool {
	x, errx := filepath.Abs(a)
	y, erry := filepath.Abs(b)
	if errx == nil && erry == nil && x == y {
		return true
	}
	fa, erra := os.Stat(a)
	fb, errb := os.Stat(b)
	return erra == nil && errb == nil && os.SameFile(fa, fb)
}

// shiftLines adds by to the line of every node of the tree.
func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// duplicateKeys refuses a key given twice in any mapping of the tree, as the decoder's
// checks would.
func duplicateKeys(file string, n *yaml.Node, prefix string) error {
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			key := k.Value
			if prefix != "" {
				key = prefix + "." + key
			}
			if k.Kind == yaml.ScalarNode && !isNull(k) {
				if first, dup := seen[k.Value]; dup {
					return &ScenarioError{File: file, Line: k.Line, Key: key, Msg: fmt.Sprintf("given twice (first on line %d)", first)}
				}
				seen[k.Value] = k.Line
			}
			if err := duplicateKeys(file, n.Content[i+1], key); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if err := duplicateKeys(file, item, fmt.Sprintf("%s[%d]", prefix, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeMapping lays child over base: a key both give takes the child's value, or, when
// both values are mappings, their merge; the top level's interventions lists are joined,
// the base's first. name and description belong to the file that gives them, and are
// not inherited. The base's keys keep their order, the child's new keys follow.
func mergeMapping(base, child *yaml.Node, top bool) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: child.Tag, Style: base.Style & child.Style, Line: child.Line, Column: child.Column,
		HeadComment: child.HeadComment, LineComment: child.LineComment, FootComment: child.FootComment}
	given := map[string]int{}
	for j := 0; j+1 < len(child.Content); j += 2 {
		given[child.Content[j].Value] = j
	}
	for j := 0; j+1 < len(base.Content); j += 2 {
		k, v := base.Content[j], base.Content[j+1]
		if top && (k.Value == "name" || k.Value == "description") {
			continue
		}
		c, ok := given[k.Value]
		if !ok {
			out.Content = append(out.Content, k, v)
			continue
		}
		ck, cv := child.Content[c], child.Content[c+1]
		switch {
		case v.Kind == yaml.MappingNode && cv.Kind == yaml.MappingNode:
			cv = mergeMapping(v, cv, false)
		case top && k.Value == "interventions" && v.Kind == yaml.SequenceNode && cv.Kind == yaml.SequenceNode:
			joined := *cv
			joined.Style = v.Style & cv.Style
			joined.Content = append(append([]*yaml.Node(nil), v.Content...), cv.Content...)
			cv = &joined
		}
		out.Content = append(out.Content, ck, cv)
		delete(given, k.Value)
	}
	for j := 0; j+1 < len(child.Content); j += 2 {
		if _, ok := given[child.Content[j].Value]; ok {
			out.Content = append(out.Content, child.Content[j], child.Content[j+1])
		}
	}
	return out
}
