package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// ScenarioSource is a scenario file and its bases (extends:), read once: each Parse
// decodes the same bytes, so that a program that builds a scenario many times (with
// other overrides each time) never mixes versions of a file edited meanwhile.
type ScenarioSource struct {
	Path string
	// Files are the scenario file, then its bases in the order extends: names them, then
	// the files of its world's history (world.history), if it has one.
	Files []SourceFile
}

// SourceFile is one file of a ScenarioSource, as read.
type SourceFile struct {
	Path   string // as opened: the scenario's path, then each base joined to its child's directory
	SHA256 string // of its bytes
	data   []byte
}

// ReadScenarioSource reads a scenario file and its bases with LoadScenario's checks; the
// scenario is validated by Parse, with its overrides.
func ReadScenarioSource(path string) (*ScenarioSource, error) {
	data, err := readScenarioFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := scenarioNodes(path, data)
	if err != nil {
		return nil, err
	}
	c := &chain{}
	top, err := c.load(path, data, doc)
	if err != nil {
		return nil, err
	}
	// A world from a history (world.history): its files are read now too.
	_, _, files, err := c.history(top)
	if err != nil {
		return nil, err
	}
	src := &ScenarioSource{Path: path}
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		src.Files = append(src.Files, SourceFile{Path: f.path, SHA256: hex.EncodeToString(sum[:]), data: f.data})
	}
	return src, nil
}

// Parse decodes the scenario from the bytes read, with overrides applied as
// LoadScenarioWith applies them: the same scenario, Source and SHA256.
func (s *ScenarioSource) Parse(overrides []Override) (*Scenario, error) {
	c := &chain{read: func(path string) ([]byte, error) {
		for _, f := range s.Files[1:] {
			if f.Path == path {
				return f.data, nil
			}
		}
		return nil, fmt.Errorf("sim: %s: a base that was not read with %s", path, s.Path)
	}}
	return parseChain(s.Path, s.Files[0].data, overrides, c)
}

// YAMLError is a YAML syntax error in a file other than a scenario (a design, a
// calibration) as a scenario's would be: a *ScenarioError naming the file and the line,
// counted from 1 (yaml.v3 counts some of its parser's errors from 0).
func YAMLError(file string, err error) error { return yamlError(file, err, nil, nil) }
