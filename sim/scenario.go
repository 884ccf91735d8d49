package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/bacrim"
)

// Limits on scenario files, so that a typo cannot ask for a run that would not fit.
const (
	MaxScenarioBytes = 1 << 20
	MaxWeeks         = 5200 // a century
	MaxReplicates    = 10_000_000
	MaxInitial       = 1e9
)

// Range of dates a scenario may use.
var (
	minDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2200, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ScenarioError locates a problem in a scenario file: file, line (0 when unknown) and the
// dotted key it concerns, as a compiler would print it.
type ScenarioError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *ScenarioError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Scenario is a validated scenario, ready to run.
type Scenario struct {
	Name        string
	Description string
	File        string // path it was read from
	SHA256      string // of the file's bytes
	Clock       Clock
	Replicates  int
	Seed        uint64
	Mode        model.Mode

	config model.Config // the world, validated; Mode is taken from the field above
}

// NewWorld builds the scenario's world in its current Mode (which a command line may
// have overridden).
func (s *Scenario) NewWorld() (*model.World, error) {
	cfg := s.config
	cfg.Mode = s.Mode
	return model.NewWorld(cfg)
}

// scenarioFile mirrors the YAML layout; pointers tell "absent" from zero.
type scenarioFile struct {
	Name          string             `yaml:"name"`
	Description   string             `yaml:"description"`
	Start         string             `yaml:"start"`
	Weeks         int                `yaml:"weeks"`
	Replicates    *int               `yaml:"replicates"`
	Seed          *uint64            `yaml:"seed"`
	Mode          *string            `yaml:"mode"`
	World         worldFile          `yaml:"world"`
	Parameters    parametersFile     `yaml:"parameters"`
	Interventions []interventionFile `yaml:"interventions"`
}

type worldFile struct {
	Dataset        *string  `yaml:"dataset"`
	InitialMembers *float64 `yaml:"initial_members"`
}

type parametersFile struct {
	Recruitment       *float64 `yaml:"recruitment"`
	Incapacitation    *float64 `yaml:"incapacitation"`
	ConflictLethality *float64 `yaml:"conflict_lethality"`
	Saturation        *float64 `yaml:"saturation"`
	HomicideRatio     *float64 `yaml:"homicide_ratio"`
}

type interventionFile struct {
	Kind      string   `yaml:"kind"`
	From      *weekRef `yaml:"from"`
	To        *weekRef `yaml:"to"`
	Intensity *float64 `yaml:"intensity"`
	Actor     string   `yaml:"actor"`
}

// weekRef is a point in time written either as a week number or as a date.
type weekRef struct {
	week int
	date time.Time
	line int
	raw  string
}

func (w *weekRef) UnmarshalYAML(n *yaml.Node) error {
	w.line, w.raw = n.Line, n.Value
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a week number or a date (YYYY-MM-DD)", n.Line)
	}
	if k, err := strconv.Atoi(n.Value); err == nil {
		w.week = k
		return nil
	}
	d, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is neither a week number nor a date (YYYY-MM-DD)", n.Line, n.Value)
	}
	w.date = d
	return nil
}

// LoadScenario reads and validates a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the message
		}
		return nil, &ScenarioError{File: path, Msg: "cannot read scenario: " + err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return nil, &ScenarioError{File: path, Msg: "cannot read scenario: " + err.Error()}
	}
	if len(data) > MaxScenarioBytes {
		return nil, &ScenarioError{File: path, Msg: fmt.Sprintf("scenario file is larger than %d bytes", MaxScenarioBytes)}
	}
	return ParseScenario(path, data)
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
	yamlLine         = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknownField = regexp.MustCompile(`^field (\S+) not found in type`)
	yamlGoType       = regexp.MustCompile(` into \*?(\w+\.)?(\w+)`)
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
// validates it. name is used in error messages and as the default scenario name.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	fail := func(line int, key, format string, args ...any) error {
		return &ScenarioError{File: name, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err, nil)
	}
	if len(root.Content) == 0 {
		return nil, fail(0, "", "empty scenario file")
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, fail(root.Content[0].Line, "", "a scenario is a mapping of keys to values")
	}
	keys := keyLines(root.Content[0], "", map[string]int{})
	line := func(key string) int { return keys[key] }

	var sf scenarioFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sf); err != nil {
		return nil, yamlError(name, err, keys)
	}

	sc := &Scenario{Name: sf.Name, Description: sf.Description, File: name, Replicates: 100, Seed: 1}
	sum := sha256.Sum256(data)
	sc.SHA256 = hex.EncodeToString(sum[:])
	if sc.Name == "" {
		sc.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}

	if _, ok := keys["start"]; !ok {
		return nil, fail(0, "start", "missing: the scenario's first day, YYYY-MM-DD")
	}
	start, err := time.Parse(time.DateOnly, sf.Start)
	if err != nil {
		return nil, fail(line("start"), "start", "%q is not a date (YYYY-MM-DD)", sf.Start)
	}
	if start.Before(minDate) || start.After(maxDate) {
		return nil, fail(line("start"), "start", "%s is out of range (%s to %s)", sf.Start, minDate.Format(time.DateOnly), maxDate.Format(time.DateOnly))
	}
	if _, ok := keys["weeks"]; !ok {
		return nil, fail(0, "weeks", "missing: how many weeks to run")
	}
	if sf.Weeks < 1 || sf.Weeks > MaxWeeks {
		return nil, fail(line("weeks"), "weeks", "%d is out of range (1 to %d)", sf.Weeks, MaxWeeks)
	}
	sc.Clock = Clock{Start: start, Weeks: sf.Weeks}
	if sf.Replicates != nil {
		if *sf.Replicates < 1 || *sf.Replicates > MaxReplicates {
			return nil, fail(line("replicates"), "replicates", "%d is out of range (1 to %d)", *sf.Replicates, MaxReplicates)
		}
		sc.Replicates = *sf.Replicates
	}
	if sf.Seed != nil {
		sc.Seed = *sf.Seed
	}
	if sf.Mode != nil {
		if sc.Mode, err = model.ParseMode(*sf.Mode); err != nil {
			return nil, fail(line("mode"), "mode", "unknown mode %q (want meanfield or stochastic)", *sf.Mode)
		}
	}

	if sf.World.Dataset != nil && *sf.World.Dataset != "bacrim2020" {
		return nil, fail(line("world.dataset"), "world.dataset", "unknown data set %q (want bacrim2020)", *sf.World.Dataset)
	}
	initial := float64(model.DefaultInitialMembers)
	if v := sf.World.InitialMembers; v != nil {
		if math.IsNaN(*v) || *v < 0 || *v > MaxInitial {
			return nil, fail(line("world.initial_members"), "world.initial_members", "%v is out of range (0 to %g)", *v, MaxInitial)
		}
		initial = *v
	}

	params := model.DefaultParams()
	for _, o := range []struct {
		v   *float64
		dst *float64
	}{
		{sf.Parameters.Recruitment, &params.Recruitment},
		{sf.Parameters.Incapacitation, &params.Incapacitation},
		{sf.Parameters.ConflictLethality, &params.ConflictLethality},
		{sf.Parameters.Saturation, &params.Saturation},
		{sf.Parameters.HomicideRatio, &params.HomicideRatio},
	} {
		if o.v != nil {
			*o.dst = *o.v
		}
	}
	if err := params.Validate(); err != nil {
		return nil, fieldError(name, "parameters", err, keys)
	}

	var ivs []model.Intervention
	for i, ivf := range sf.Interventions {
		prefix := fmt.Sprintf("interventions[%d]", i)
		iv := model.Intervention{Kind: model.Kind(ivf.Kind), Actor: model.Actor(ivf.Actor), To: model.Forever}
		for _, req := range []struct {
			key     string
			missing bool
		}{{"kind", ivf.Kind == ""}, {"from", ivf.From == nil}, {"intensity", ivf.Intensity == nil}, {"actor", ivf.Actor == ""}} {
			if req.missing {
				return nil, fail(line(prefix), prefix+"."+req.key, "missing")
			}
		}
		iv.Intensity = *ivf.Intensity
		if iv.From, err = sc.Clock.resolve(ivf.From); err != nil {
			return nil, fail(ivf.From.line, prefix+".from", "%v", err)
		}
		if ivf.To != nil {
			if iv.To, err = sc.Clock.resolve(ivf.To); err != nil {
				return nil, fail(ivf.To.line, prefix+".to", "%v", err)
			}
		}
		if err := iv.Validate(); err != nil {
			return nil, fieldError(name, prefix, err, keys)
		}
		ivs = append(ivs, iv)
	}

	dataset, err := bacrim.Load()
	if err != nil {
		return nil, err
	}
	net, err := dataset.Network()
	if err != nil {
		return nil, err
	}
	sc.config = model.Config{Network: net, Params: params, InitialMembers: initial, Interventions: ivs}
	if _, err := sc.NewWorld(); err != nil {
		return nil, &ScenarioError{File: name, Msg: err.Error()}
	}
	return sc, nil
}

// resolve turns a week number or date into a week index within the run.
func (c Clock) resolve(w *weekRef) (int, error) {
	week, days := w.week, 0
	if !w.date.IsZero() {
		days = int(w.date.Sub(c.Start).Hours() / 24)
		week = days / 7
		if days < 0 {
			week = -1
		}
	}
	if week < 0 || week > c.Weeks {
		return 0, fmt.Errorf("%s is outside the run (weeks 0 to %d, %s to %s)", w.raw, c.Weeks, c.Start.Format(time.DateOnly), c.Date(c.Weeks).Format(time.DateOnly))
	}
	if days%7 != 0 {
		return 0, fmt.Errorf("%s is not a week boundary of the run (the start, %s, plus a multiple of 7 days)", w.raw, c.Start.Format(time.DateOnly))
	}
	return week, nil
}

// keyLines records the line of every mapping key, by dotted path with [i] for sequence
// items, and the line of each sequence item itself.
func keyLines(n *yaml.Node, prefix string, out map[string]int) map[string]int {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if prefix != "" {
				k = prefix + "." + k
			}
			out[k] = n.Content[i].Line
			keyLines(n.Content[i+1], k, out)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			k := fmt.Sprintf("%s[%d]", prefix, i)
			out[k] = item.Line
			keyLines(item, k, out)
		}
	}
	return out
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
func yamlError(file string, err error, keys map[string]int) error {
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
	// Name the key: the one the decoder names, else the key on that line.
	var key string
	if f := yamlUnknownField.FindStringSubmatch(text); f != nil {
		key, text = f[1], "unknown key"
	} else {
		key = keyOnLine(keys, line)
		text = strings.Replace(text, "cannot unmarshal", "wrong type: cannot use", 1)
		text = yamlGoType.ReplaceAllString(text, " as $2")
	}
	return &ScenarioError{File: file, Line: line, Key: key, Msg: text}
}
