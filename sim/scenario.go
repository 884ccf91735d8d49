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
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/bacrim"
	"github.com/cartelsim/cartelsim/model/mexico"
)

// Limits on scenario files, so that a typo cannot ask for a run that would not fit.
const (
	MaxScenarioBytes = 1 << 20
	MaxWeeks         = 5200 // a century
	MaxReplicates    = 10_000_000
	MaxInitial       = model.MaxMembers // the runaway guard's cap on members
	// MaxUnbounded caps every number whose documented range has no upper bound (rates,
	// intensities counted per week or year, casualties, weights, lieutenants, durations
	// in weeks): far above any real value, it keeps 1e308 and the like, whose sums and
	// products overflow, out of the model.
	MaxUnbounded = 1e12
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
	Set  string // the override (key=value) the problem is in, if one is; then Line is 0
}

// Error is one line whatever the file holds: control characters (a newline in a key,
// say) are escaped and overlong keys and messages are cut.
func (e *ScenarioError) Error() string {
	var b strings.Builder
	b.WriteString(printable(e.File))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Set != "" {
		b.WriteString(": --set " + printable(e.Set))
	}
	if setKey, _, _ := strings.Cut(e.Set, "="); e.Key != "" && (e.Set == "" || e.Key != strings.TrimSpace(setKey)) {
		b.WriteString(": " + printable(e.Key))
	}
	b.WriteString(": " + printable(e.Msg))
	return b.String()
}

// maxErrorText bounds each part of a ScenarioError's message, which may quote a file's
// text: a key or value of a megabyte is cut to this many bytes.
const maxErrorText = 1000

// printable escapes control characters, line and paragraph separators and invalid UTF-8
// (as %q would) and cuts s to maxErrorText bytes.
func printable(s string) string {
	unsafe := func(r rune) bool {
		return r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}
	if len(s) <= maxErrorText && !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= maxErrorText {
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

// Scenario is a validated scenario, ready to run.
type Scenario struct {
	Name        string
	Description string
	File        string     // path it was read from
	SHA256      string     // of Source
	Source      []byte     // the file's bytes, or the scenario as run (see ParseScenarioWith); a shard keeps it for merge
	Overrides   []Override // applied to the file, in order (--set)
	Bases       []string   // the files it extends, its own base first, as opened
	Clock       Clock
	Replicates  int
	Seed        uint64
	Mode        model.Mode

	config model.Config // the world, validated; Mode is taken from the field above
}

// NewWorld builds the scenario's world in its current Mode (which a command line may
// have overridden).
func (s *Scenario) NewWorld() (*model.World, error) { return model.NewWorld(s.Config()) }

// Config returns the scenario's world configuration, in its current Mode, for callers
// that vary it (calibration, sweeps) before building a world.
func (s *Scenario) Config() model.Config {
	cfg := s.config
	cfg.Mode = s.Mode
	return cfg
}

// scenarioFile mirrors the YAML layout; pointers tell "absent" from zero.
// Numbers are decoded as realValue, wholeValue or seedValue, never as float64 or int: yaml.v3 would
// truncate 1.5 to 1 for an int and lets NaN and infinities into a float64.
type scenarioFile struct {
	Extends       string             `yaml:"extends"` // merged in before decoding (see chain)
	Name          string             `yaml:"name"`
	Description   string             `yaml:"description"`
	Start         string             `yaml:"start"`
	Weeks         wholeValue         `yaml:"weeks"`
	Replicates    *wholeValue        `yaml:"replicates"`
	Seed          *seedValue         `yaml:"seed"`
	Mode          *string            `yaml:"mode"`
	World         worldFile          `yaml:"world"`
	Parameters    parametersFile     `yaml:"parameters"`
	Fragmentation yaml.Node          `yaml:"fragmentation"`
	Territory     yaml.Node          `yaml:"territory"`
	Economy       yaml.Node          `yaml:"economy"`
	Policy        yaml.Node          `yaml:"policy"`
	Interventions []interventionFile `yaml:"interventions"`
}

type worldFile struct {
	Dataset        *string        `yaml:"dataset"`
	InitialMembers *realValue     `yaml:"initial_members"`
	Since          *weekRef       `yaml:"since"`
	Groups         []groupFile    `yaml:"groups"`
	Rivalries      []relationFile `yaml:"rivalries"`
	Alliances      []relationFile `yaml:"alliances"`
}

// groupFile is one group of a world written out in the scenario.
type groupFile struct {
	ID          string     `yaml:"id"`
	Name        string     `yaml:"name"`
	State       string     `yaml:"state"`
	States      []string   `yaml:"states"` // instead of state: the first is the home state
	Members     *realValue `yaml:"members"`
	Lieutenants *realValue `yaml:"lieutenants"`
	Clarity     *realValue `yaml:"clarity"`
	Cohesion    *realValue `yaml:"cohesion"`
}

type relationFile struct {
	Between []string   `yaml:"between"`
	Weight  *realValue `yaml:"weight"`
}

type parametersFile struct {
	Recruitment       *realValue `yaml:"recruitment"`
	Incapacitation    *realValue `yaml:"incapacitation"`
	ConflictLethality *realValue `yaml:"conflict_lethality"`
	Saturation        *realValue `yaml:"saturation"`
	HomicideRatio     *realValue `yaml:"homicide_ratio"`
	Intelligence      *realValue `yaml:"intelligence"`
	// The spatial kernel's and the homicides' parameters (model.Params).
	BaselineHostility    *realValue `yaml:"baseline_hostility"`
	AdjacentWeight       *realValue `yaml:"adjacent_weight"`
	BaselineHomicideRate *realValue `yaml:"baseline_homicide_rate"`
	OCHomicideRatio      *realValue `yaml:"oc_homicide_ratio"`
	AllianceDivision     *realValue `yaml:"alliance_division"`
	DeploymentViolence   *realValue `yaml:"deployment_violence"`
	DeploymentArrests    *realValue `yaml:"deployment_arrests"`
}

type interventionFile struct {
	Name       string       `yaml:"name"` // optional, for --set interventions.<name>.<key>
	Kind       string       `yaml:"kind"`
	From       *weekRef     `yaml:"from"`
	To         *weekRef     `yaml:"to"`
	Intensity  *realValue   `yaml:"intensity"`
	Actor      string       `yaml:"actor"`
	Targets    *targetsFile `yaml:"targets"`
	Mode       string       `yaml:"mode"`
	Casualties *realValue   `yaml:"civilian_casualties"`
	RampUntil  *weekRef     `yaml:"ramp_until"`
	// Ceasefires only.
	Enforced      bool `yaml:"enforced"`
	HaltShipments bool `yaml:"halt_shipments"`
	// Breakaways only: the new group (model.BreakawayGroup).
	Breakaway *breakawayFile `yaml:"breakaway"`
}

type breakawayFile struct {
	ID      string     `yaml:"id"`
	Name    string     `yaml:"name"`
	States  []string   `yaml:"states"`
	Ceded   []string   `yaml:"ceded"`
	Rivalry *realValue `yaml:"rivalry"`
}

type targetsFile struct {
	Largest    *wholeValue `yaml:"largest"`
	Groups     []string    `yaml:"groups"`
	MinMembers *realValue  `yaml:"min_members"`
	States     []string    `yaml:"states"`
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
		return valueErrorf(n, "want a week number or a date (YYYY-MM-DD), got %s", kindName(n))
	}
	k, err := strconv.Atoi(n.Value)
	if err == nil {
		if err := leadingZero(n); err != nil {
			return err
		}
		w.week = k
		return nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return valueErrorf(n, "week %s is out of range (a run has at most %d weeks)", n.Value, MaxWeeks)
	}
	d, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return valueErrorf(n, "%q is neither a week number nor a date (YYYY-MM-DD)", n.Value)
	}
	w.date = d
	return nil
}

// describe names a resolved point in time as the file wrote it, with its week if that was
// a date: "week 20", "2030-01-06 (week 208)".
func (w *weekRef) describe(week int) string {
	if w.date.IsZero() {
		return fmt.Sprintf("week %d", week)
	}
	return fmt.Sprintf("%s (week %d)", w.raw, week)
}

// valueError is a problem with one value the decoder met, located by its line and column
// so that ParseScenario can name its key even in a flow mapping ({a: 1, b: x}).
type valueError struct {
	line, column int
	msg          string
}

func (e *valueError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func valueErrorf(n *yaml.Node, format string, args ...any) error {
	return &valueError{line: n.Line, column: n.Column, msg: fmt.Sprintf(format, args...)}
}

// kindName describes a node as an error message quotes it: its kind, or a scalar's text.
func kindName(n *yaml.Node) string {
	if isNull(n) {
		return "null (~)"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return strconv.Quote(n.Value)
}

// realValue is a real number a file gives. It must be finite (.nan, .inf and 1e999 are
// refused where they are written) and is never -0: -0.0 is 0.
type realValue float64

func (x *realValue) UnmarshalYAML(n *yaml.Node) error {
	v, err := decodeNumber(n)
	*x = realValue(v)
	return err
}

func decodeNumber(n *yaml.Node) (float64, error) {
	var v float64
	switch {
	case n.Kind != yaml.ScalarNode || isNull(n): // the decoder would read null as 0
		return 0, wrongType(n, "a number")
	case n.ShortTag() == "!!str" && n.Style == 0:
		// yaml.v3 leaves a number too large for a float64 (1e999) a string.
		if _, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); errors.Is(err, strconv.ErrRange) {
			return 0, valueErrorf(n, "%s is not a finite number", n.Value)
		}
	}
	if err := leadingZero(n); err != nil {
		return 0, err
	}
	if err := n.Decode(&v); err != nil {
		return 0, wrongType(n, "a number")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, valueErrorf(n, "%s is not a finite number", n.Value)
	}
	if v == 0 {
		v = 0 // -0.0 is 0
	}
	return v, nil
}

// wrongType says what n should have been (want: "a number") and what it is.
func wrongType(n *yaml.Node, want string) error {
	return valueErrorf(n, "want %s, got %s", want, kindName(n))
}

// leadingZero refuses a plain number written with a leading zero (052, -007): YAML 1.1,
// which the decoder follows, reads 052 as the octal number 42, and a reader as 52.
func leadingZero(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Style != 0 || !leadingZeros.MatchString(n.Value) {
		return nil
	}
	sign, digits := "", n.Value
	if digits[0] == '-' || digits[0] == '+' {
		sign, digits = digits[:1], digits[1:]
	}
	decimal := strings.TrimLeft(digits, "0_")
	if decimal == "" || decimal[0] < '0' || decimal[0] > '9' {
		decimal = "0" + decimal
	}
	if sign == "-" {
		decimal = "-" + decimal
	}
	how := "YAML 1.1 marks octal numbers with it"
	if v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 8, 64); err == nil {
		how = fmt.Sprintf("YAML 1.1 reads it as octal, %d", v)
	}
	return valueErrorf(n, "%s has a leading zero, and %s: write %s for the decimal number", n.Value, how, decimal)
}

var leadingZeros = regexp.MustCompile(`^[-+]?0[0-9_]`)

// wholeValue is an integer a file gives, written as one: 1.5, 1e3 and .nan are refused (yaml.v3
// would truncate them into an int). One too large for an int saturates, and raw keeps
// the text for the range checks' messages.
type wholeValue struct {
	n   int
	raw string
}

func (w *wholeValue) UnmarshalYAML(n *yaml.Node) error {
	i, err := decodeInteger(n)
	if err != nil {
		return err
	}
	w.raw = n.Value
	switch {
	case i.IsInt64() && int64(int(i.Int64())) == i.Int64():
		w.n = int(i.Int64())
	case i.Sign() > 0:
		w.n = math.MaxInt
	default:
		w.n = math.MinInt
	}
	return nil
}

// String is the number as the file wrote it.
func (w wholeValue) String() string {
	if w.raw == "" {
		return strconv.Itoa(w.n)
	}
	return w.raw
}

// seedValue is a master seed: a whole number from 0 to 2^64-1.
type seedValue uint64

func (s *seedValue) UnmarshalYAML(n *yaml.Node) error {
	i, err := decodeInteger(n)
	if err != nil {
		return err
	}
	if i.Sign() < 0 || !i.IsUint64() {
		return valueErrorf(n, "%s is out of range (0 to %d)", n.Value, uint64(math.MaxUint64))
	}
	*s = seedValue(i.Uint64())
	return nil
}

// decodeInteger reads a scalar written as an integer (104, 0x68, 1_000), of any size:
// yaml.v3 resolves one beyond 64 bits as a float, which this tells from 1.5 or 1e3.
func decodeInteger(n *yaml.Node) (*big.Int, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, wrongType(n, "a whole number")
	}
	if err := leadingZero(n); err != nil {
		return nil, err
	}
	tag := n.ShortTag()
	if tag == "!!int" {
		var i int64
		if n.Decode(&i) == nil {
			return big.NewInt(i), nil
		}
		var u uint64
		if n.Decode(&u) == nil {
			return new(big.Int).SetUint64(u), nil
		}
	}
	if tag == "!!int" || tag == "!!float" {
		if i, ok := new(big.Int).SetString(n.Value, 0); ok {
			return i, nil
		}
		if tag == "!!float" {
			return nil, valueErrorf(n, "want a whole number, got %s", n.Value)
		}
	}
	return nil, wrongType(n, "a whole number")
}

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
		return nil, fail("not a regular file (%s): a scenario is a YAML file", fileKind(info.Mode()))
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
		return nil, fail("not a regular file (%s): a scenario is a YAML file", fileKind(info.Mode()))
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

// fileKind names the kind of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
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
		if _, err := applyOverride(doc.Content[0], o, overrideLine(i)); err != nil {
			return nil, &ScenarioError{File: name, Set: o.String(), Msg: err.Error()}
		}
	}
	sc, err := parseTree(name, doc)
	if err != nil {
		return nil, locate(err, c.files, overrides)
	}
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

// parseTree decodes and validates a scenario's tree (a document node) strictly. Source
// and SHA256 are left for the caller.
func parseTree(name string, root *yaml.Node) (*Scenario, error) {
	fail := func(line int, key, format string, args ...any) error {
		return &ScenarioError{File: name, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
	}
	keys, values := map[string]int{}, map[nodePos]string{}
	keyLines(root.Content[0], "", keys, values)
	line := func(key string) int { return keys[key] }
	// checkShape refuses unknown keys everywhere, which the node decoder below ignores.
	if err := checkShape(name, root.Content[0], reflect.TypeFor[scenarioFile](), ""); err != nil {
		return nil, err
	}
	var sf scenarioFile
	if err := root.Decode(&sf); err != nil {
		return nil, yamlError(name, err, keys, values)
	}

	sc := &Scenario{Name: sf.Name, Description: sf.Description, File: name, Replicates: 100, Seed: 1}
	if _, ok := keys["name"]; ok {
		if err := ValidName(sf.Name); err != nil {
			return nil, fail(line("name"), "name", "%v", err)
		}
	} else {
		sc.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		if err := ValidName(sc.Name); err != nil {
			return nil, fail(0, "name", "missing, and the file's name will not do: %v; add a name: key", err)
		}
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
	if sf.Weeks.n < 1 || sf.Weeks.n > MaxWeeks {
		return nil, fail(line("weeks"), "weeks", "%s is out of range (1 to %d)", sf.Weeks, MaxWeeks)
	}
	sc.Clock = Clock{Start: start, Weeks: sf.Weeks.n}
	if r := sf.Replicates; r != nil {
		if r.n < 1 || r.n > MaxReplicates {
			return nil, fail(line("replicates"), "replicates", "%s is out of range (1 to %d)", r, MaxReplicates)
		}
		sc.Replicates = r.n
	}
	if sf.Seed != nil {
		sc.Seed = uint64(*sf.Seed)
	}
	if sf.Mode != nil {
		if sc.Mode, err = model.ParseMode(*sf.Mode); err != nil {
			return nil, fail(line("mode"), "mode", "unknown mode %q (want meanfield or stochastic)", *sf.Mode)
		}
	}

	params := model.DefaultParams()
	override(
		overriding{sf.Parameters.Recruitment, &params.Recruitment},
		overriding{sf.Parameters.Incapacitation, &params.Incapacitation},
		overriding{sf.Parameters.ConflictLethality, &params.ConflictLethality},
		overriding{sf.Parameters.Saturation, &params.Saturation},
		overriding{sf.Parameters.HomicideRatio, &params.HomicideRatio},
		overriding{sf.Parameters.Intelligence, &params.Intelligence},
		overriding{sf.Parameters.BaselineHostility, &params.BaselineHostility},
		overriding{sf.Parameters.AdjacentWeight, &params.AdjacentWeight},
		overriding{sf.Parameters.BaselineHomicideRate, &params.BaselineHomicideRate},
		overriding{sf.Parameters.OCHomicideRatio, &params.OCHomicideRatio},
		overriding{sf.Parameters.AllianceDivision, &params.AllianceDivision},
		overriding{sf.Parameters.DeploymentViolence, &params.DeploymentViolence},
		overriding{sf.Parameters.DeploymentArrests, &params.DeploymentArrests},
	)
	if err := params.Validate(); err != nil {
		return nil, fieldError(name, "parameters", err, keys)
	}

	geo, err := mexico.Load()
	if err != nil {
		return nil, err
	}
	p := scenarioParser{file: name, keys: keys, clock: sc.Clock, states: stateRefs(geo)}
	frag, err := p.fragmentation(&sf.Fragmentation)
	if err != nil {
		return nil, err
	}
	cfg, err := p.world(&sf.World, frag)
	if err != nil {
		return nil, err
	}
	p.groups = groupRefs(cfg.Network, "cartelsim list groups")
	if len(sf.World.Groups) > 0 {
		p.groups = groupRefs(cfg.Network, "world.groups")
	}
	cfg.Params = params
	cfg.Fragmentation = frag
	if cfg.Economy, err = p.economy(&sf.Economy); err != nil {
		return nil, err
	}
	if cfg.Territory, err = p.territory(&sf.Territory, cfg.Economy != nil); err != nil {
		return nil, err
	}
	if err := p.placed(&sf.World, cfg, geo); err != nil {
		return nil, err
	}
	if cfg.Economy != nil || cfg.Territory != nil {
		cfg.Geography = geo
	}
	if cfg.Policy, err = p.policy(&sf.Policy); err != nil {
		return nil, err
	}
	if cfg.WarmUpWeeks, err = p.since(sf.World.Since); err != nil {
		return nil, err
	}
	if cfg.Interventions, err = p.interventions(sf.Interventions, cfg, frag != nil); err != nil {
		return nil, err
	}
	if err := p.capped(sf.numbers()); err != nil {
		return nil, err
	}
	sc.config = cfg
	if _, err := sc.NewWorld(); err != nil {
		if errors.Is(err, model.ErrMeanFieldFragmentation) {
			return nil, p.fail("mode", "%s", strings.TrimPrefix(err.Error(), "model: "))
		}
		return nil, &ScenarioError{File: name, Msg: err.Error()}
	}
	return sc, nil
}

// overriding is a value a file may give (nil when absent) and the default it replaces.
type overriding struct {
	value *realValue
	dst   *float64
}

// override sets each default the file gives a value for.
func override(overrides ...overriding) {
	for _, o := range overrides {
		if o.value != nil {
			*o.dst = float64(*o.value)
		}
	}
}

// givenNumber is a real number a file may give (nil when absent) and its key.
type givenNumber struct {
	key   string
	value *realValue
}

// numbers lists the real numbers of the file outside the parameter sections (which
// section checks itself), by key.
func (sf *scenarioFile) numbers() []givenNumber {
	ps := &sf.Parameters
	out := []givenNumber{
		{"world.initial_members", sf.World.InitialMembers},
		{"parameters.recruitment", ps.Recruitment},
		{"parameters.incapacitation", ps.Incapacitation},
		{"parameters.conflict_lethality", ps.ConflictLethality},
		{"parameters.saturation", ps.Saturation},
		{"parameters.homicide_ratio", ps.HomicideRatio},
		{"parameters.intelligence", ps.Intelligence},
		{"parameters.baseline_hostility", ps.BaselineHostility},
		{"parameters.adjacent_weight", ps.AdjacentWeight},
		{"parameters.baseline_homicide_rate", ps.BaselineHomicideRate},
		{"parameters.oc_homicide_ratio", ps.OCHomicideRatio},
		{"parameters.alliance_division", ps.AllianceDivision},
		{"parameters.deployment_violence", ps.DeploymentViolence},
		{"parameters.deployment_arrests", ps.DeploymentArrests},
	}
	for i, g := range sf.World.Groups {
		key := fmt.Sprintf("world.groups[%d].", i)
		out = append(out, givenNumber{key + "members", g.Members}, givenNumber{key + "lieutenants", g.Lieutenants},
			givenNumber{key + "clarity", g.Clarity}, givenNumber{key + "cohesion", g.Cohesion})
	}
	for r, rel := range [2][]relationFile{sf.World.Rivalries, sf.World.Alliances} {
		for i, e := range rel {
			out = append(out, givenNumber{fmt.Sprintf("%s[%d].weight", [2]string{"world.rivalries", "world.alliances"}[r], i), e.Weight})
		}
	}
	for i, iv := range sf.Interventions {
		key := fmt.Sprintf("interventions[%d].", i)
		out = append(out, givenNumber{key + "intensity", iv.Intensity}, givenNumber{key + "civilian_casualties", iv.Casualties})
		if iv.Targets != nil {
			out = append(out, givenNumber{key + "targets.min_members", iv.Targets.MinMembers})
		}
		if iv.Breakaway != nil {
			out = append(out, givenNumber{key + "breakaway.rivalry", iv.Breakaway.Rivalry})
		}
	}
	return out
}

// capped refuses a number above MaxUnbounded. It runs after the range checks, so it
// speaks only for numbers whose documented range has no upper bound.
func (p *scenarioParser) capped(numbers []givenNumber) error {
	for _, g := range numbers {
		if g.value != nil && math.Abs(float64(*g.value)) > MaxUnbounded {
			return p.fail(g.key, "%s", aboveCap(formatG(float64(*g.value))))
		}
	}
	return nil
}

// aboveCap is the message for a number above MaxUnbounded.
func aboveCap(value string) string {
	return fmt.Sprintf("%s is above %g, the cap on numbers without a documented upper bound", value, MaxUnbounded)
}

func formatG(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// scenarioParser turns the decoded sections of one file into model values, naming the
// file, line and key of the first problem.
type scenarioParser struct {
	file   string
	keys   map[string]int
	clock  Clock
	states *refs // Mexico's states, by code, ISO code or name
	groups *refs // the world's groups, once it is built
}

func (p *scenarioParser) fail(key, format string, args ...any) error {
	line, ok := p.keys[key]
	for k := key; !ok && k != ""; {
		k = k[:max(0, strings.LastIndexAny(k, ".["))]
		line, ok = p.keys[k]
	}
	return &ScenarioError{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// paramSection is a section of named parameters with defaults, such as *model.Policy.
type paramSection[T any] interface {
	*T
	Set(field string, v float64) bool
	Validate() error
}

// readSection reads an optional section of named numbers (fragmentation, economy, policy):
// absent, it returns nil; present (even empty or null), the defaults with each key the
// file gives set, validated. A number above MaxUnbounded is refused for a key whose
// documented range has no upper bound, which the model's check tells by accepting the
// largest float64.
func readSection[T any, P paramSection[T]](p *scenarioParser, name string, n *yaml.Node, defaults func() T, fields []string) (*T, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	v := defaults()
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return &v, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, p.fail(name, "want a mapping of %s parameters ({} for the defaults)", name)
	}
	type large struct {
		field string
		v     float64
	}
	var larges []large
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		key := name + "." + k.Value
		if k.Kind != yaml.ScalarNode || isNull(k) || k.Value == "" {
			return nil, &ScenarioError{File: p.file, Line: k.Line, Key: name,
				Msg: fmt.Sprintf("a key that is %s: every key is a name (one of %s)", kindName(k), strings.Join(fields, ", "))}
		}
		if first, dup := seen[k.Value]; dup {
			return nil, &ScenarioError{File: p.file, Line: k.Line, Key: key, Msg: fmt.Sprintf("given twice (first on line %d)", first)}
		}
		seen[k.Value] = k.Line
		x, err := decodeNumber(n.Content[i+1])
		if err != nil {
			return nil, &ScenarioError{File: p.file, Line: n.Content[i+1].Line, Key: key, Msg: err.(*valueError).msg}
		}
		if !P(&v).Set(k.Value, x) {
			if hint := didYouMean(k.Value, fields); hint != "" {
				return nil, p.fail(key, "unknown key%s", hint)
			}
			return nil, p.fail(key, "unknown key (want one of %s)", strings.Join(fields, ", "))
		}
		if math.Abs(x) > MaxUnbounded {
			larges = append(larges, large{k.Value, x})
		}
	}
	if err := P(&v).Validate(); err != nil {
		return nil, fieldError(p.file, name, err, p.keys)
	}
	for _, l := range larges {
		probe := defaults()
		P(&probe).Set(l.field, math.MaxFloat64)
		if P(&probe).Validate() == nil {
			return nil, p.fail(name+"."+l.field, "%s", aboveCap(formatG(l.v)))
		}
	}
	return &v, nil
}

// fragmentation reads the optional fragmentation section: present (even empty), it
// switches group dynamics on with the defaults it overrides.
func (p *scenarioParser) fragmentation(n *yaml.Node) (*model.Fragmentation, error) {
	return readSection(p, "fragmentation", n, model.DefaultFragmentation, model.FragmentationFields)
}

// economy reads the optional economy section: present (even empty), it places groups on
// Mexico's states and runs labs, trafficking and the market.
func (p *scenarioParser) economy(n *yaml.Node) (*model.Economy, error) {
	return readSection(p, "economy", n, model.DefaultEconomy, model.EconomyFields)
}

// territory reads the optional territory section: present (even empty), it places
// groups on Mexico's states, where they spread and withdraw with their size, without
// labs or a market. An economy does that itself, with the same keys.
func (p *scenarioParser) territory(n *yaml.Node, economy bool) (*model.Territory, error) {
	if n.Kind != 0 && economy {
		return nil, p.fail("territory", "not with an economy section, which places the groups itself: give members_per_state and expansion_weeks under economy")
	}
	return readSection(p, "territory", n, model.DefaultTerritory, model.TerritoryFields)
}

// placed checks that every group of a world on the states has a home state there, and
// that only such a world gives groups several states.
func (p *scenarioParser) placed(wf *worldFile, cfg model.Config, geo *model.Geography) error {
	onStates := cfg.Economy != nil || cfg.Territory != nil
	for i, g := range wf.Groups {
		if len(g.States) > 1 && !onStates {
			return p.fail(fmt.Sprintf("world.groups[%d].states", i), "several states need the groups on the states: add a territory section (territory: {} for the defaults) or an economy section")
		}
	}
	if !onStates {
		return nil
	}
	if len(wf.Groups) == 0 {
		for _, g := range cfg.Network.Groups {
			if _, ok := geo.Lookup(g.State); !ok {
				return p.fail("world.dataset", "group %s has home state %q, not one of Mexico's states", g.ID, g.State)
			}
		}
		return nil
	}
	// A written group's states are resolved already: only a missing one is left.
	for i, g := range wf.Groups {
		if g.State == "" && len(g.States) == 0 {
			return p.fail(fmt.Sprintf("world.groups[%d].state", i), "missing: a world on the states places group %s in its home state (state: a code such as SIN or a name such as Sinaloa, or states: [home, others])", g.ID)
		}
	}
	return nil
}

// policy reads the optional policy section: present (even empty), it gives the states a
// cooperation index, corruption and the side effects of their actions.
func (p *scenarioParser) policy(n *yaml.Node) (*model.Policy, error) {
	return readSection(p, "policy", n, model.DefaultPolicy, model.PolicyFields)
}

// world builds the network and initial state: a data set, or groups written out.
func (p *scenarioParser) world(wf *worldFile, frag *model.Fragmentation) (model.Config, error) {
	if len(wf.Groups) == 0 {
		if _, ok := p.keys["world.groups"]; ok {
			return model.Config{}, p.fail("world.groups", "an empty list: write out at least one group, or remove the key to take the data set")
		}
		return p.datasetWorld(wf)
	}
	for _, key := range []string{"dataset", "initial_members"} {
		if _, ok := p.keys["world."+key]; ok {
			return model.Config{}, p.fail("world."+key, "not allowed with world.groups (the groups give their own members)")
		}
	}
	defaults := model.DefaultFragmentation()
	if frag != nil {
		defaults = *frag
	}
	groups := make([]model.Group, len(wf.Groups))
	seen := make(map[string]bool, len(wf.Groups))
	for i, g := range wf.Groups {
		key := fmt.Sprintf("world.groups[%d]", i)
		switch {
		case g.ID == "":
			return model.Config{}, p.fail(key+".id", "missing")
		case seen[g.ID]:
			return model.Config{}, p.fail(key+".id", "duplicate group id %q", g.ID)
		case g.Members == nil:
			return model.Config{}, p.fail(key+".members", "missing")
		case !(*g.Members >= 0 && *g.Members <= MaxInitial):
			return model.Config{}, p.fail(key+".members", "%v is out of range (0 to %g)", *g.Members, MaxInitial)
		}
		seen[g.ID] = true
		name := g.Name
		if name == "" {
			name = g.ID
		}
		state := g.State
		if state != "" {
			var err error
			if state, err = p.states.resolve(g.State); err != nil {
				return model.Config{}, p.fail(key+".state", "%v", err)
			}
		}
		holds, err := p.groupStates(key, g)
		if err != nil {
			return model.Config{}, err
		}
		if len(holds) > 0 {
			state, holds = holds[0], holds[1:]
		}
		groups[i] = model.Group{ID: g.ID, Name: name, State: state, Holds: holds}
	}
	written := &refs{what: "group", where: "world.groups"}
	for _, g := range groups {
		written.entries = append(written.entries, refEntry{id: g.ID, forms: []string{g.ID, g.Name}})
	}
	var edges [2][]model.Edge
	for r, rel := range [2][]relationFile{wf.Rivalries, wf.Alliances} {
		section := [2]string{"world.rivalries", "world.alliances"}[r]
		for i, e := range rel {
			key := fmt.Sprintf("%s[%d]", section, i)
			if len(e.Between) != 2 {
				return model.Config{}, p.fail(key+".between", "want two groups, [a, b] (ids or names)")
			}
			var ends [2]string
			for j, ref := range e.Between {
				id, err := written.resolve(ref)
				if err != nil {
					return model.Config{}, p.fail(fmt.Sprintf("%s.between[%d]", key, j), "%v", err)
				}
				ends[j] = id
			}
			if e.Weight == nil {
				return model.Config{}, p.fail(key+".weight", "missing")
			}
			if w := float64(*e.Weight); !(w >= 0) || math.IsInf(w, 0) {
				return model.Config{}, p.fail(key+".weight", "%v, want a finite non-negative number", w)
			}
			edges[r] = append(edges[r], model.Edge{From: ends[0], To: ends[1], Weight: float64(*e.Weight)})
		}
	}
	net, err := model.NewNetwork(groups, edges[0], edges[1])
	if err != nil {
		return model.Config{}, p.fail("world.groups", "%v", strings.TrimPrefix(err.Error(), "model: "))
	}
	sizes := make([]float64, net.Len())
	leaders := make([]model.Leadership, net.Len())
	for i, g := range wf.Groups {
		k, _ := net.Lookup(g.ID)
		sizes[k] = float64(*g.Members)
		l := defaults.DefaultLeadership(float64(*g.Members))
		override(overriding{g.Lieutenants, &l.Lieutenants}, overriding{g.Clarity, &l.Clarity}, overriding{g.Cohesion, &l.Cohesion})
		if err := l.Validate(); err != nil {
			return model.Config{}, fieldError(p.file, fmt.Sprintf("world.groups[%d]", i), err, p.keys)
		}
		leaders[k] = l
	}
	return model.Config{Network: net, InitialSizes: sizes, Leadership: leaders}, nil
}

// groupStates resolves a written group's states (its home state first), nil when it
// gives none.
func (p *scenarioParser) groupStates(key string, g groupFile) ([]string, error) {
	if _, ok := p.keys[key+".states"]; !ok {
		return nil, nil
	}
	switch {
	case g.State != "":
		return nil, p.fail(key+".states", "not with state: give the home state alone as state, or every state as states, the home state first")
	case len(g.States) == 0:
		return nil, p.fail(key+".states", "an empty list: give the group's states, its home state first")
	}
	codes := make([]string, len(g.States))
	first := make(map[string]int, len(g.States))
	for j, ref := range g.States {
		code, err := p.states.resolve(ref)
		if err != nil {
			return nil, p.fail(fmt.Sprintf("%s.states[%d]", key, j), "%v", err)
		}
		if k, dup := first[code]; dup {
			return nil, p.fail(fmt.Sprintf("%s.states[%d]", key, j), "%s is given twice (states[%d] is the same state)", ref, k)
		}
		first[code] = j
		codes[j] = code
	}
	return codes, nil
}

func (p *scenarioParser) datasetWorld(wf *worldFile) (model.Config, error) {
	for _, key := range []string{"rivalries", "alliances"} {
		if _, ok := p.keys["world."+key]; ok {
			return model.Config{}, p.fail("world."+key, "only allowed with world.groups")
		}
	}
	if wf.Dataset != nil && *wf.Dataset != "bacrim2020" {
		return model.Config{}, p.fail("world.dataset", "unknown data set %q (want bacrim2020)", *wf.Dataset)
	}
	initial := float64(model.DefaultInitialMembers)
	if v := wf.InitialMembers; v != nil {
		if !(*v >= 0 && *v <= MaxInitial) {
			return model.Config{}, p.fail("world.initial_members", "%v is out of range (0 to %g)", *v, MaxInitial)
		}
		initial = float64(*v)
	}
	dataset, err := bacrim.Load()
	if err != nil {
		return model.Config{}, err
	}
	net, err := dataset.Network()
	if err != nil {
		return model.Config{}, err
	}
	return model.Config{Network: net, InitialMembers: initial}, nil
}

// since reads world.since, the date the world's initial state describes, and returns the
// whole weeks from it to the scenario's start: the warm-up that brings the world forward.
func (p *scenarioParser) since(ref *weekRef) (int, error) {
	if ref == nil {
		return 0, nil
	}
	fail := func(format string, args ...any) error {
		return &ScenarioError{File: p.file, Line: ref.line, Key: "world.since", Msg: fmt.Sprintf(format, args...)}
	}
	if ref.date.IsZero() {
		return 0, fail("%q is not a date (YYYY-MM-DD)", ref.raw)
	}
	if ref.date.After(p.clock.Start) {
		return 0, fail("%s is after the start, %s: the world must be given for an earlier date", ref.raw, p.clock.Start.Format(time.DateOnly))
	}
	days := int(p.clock.Start.Sub(ref.date).Hours() / 24)
	if days > 7*MaxWeeks {
		return 0, fail("%s is more than %d weeks before the start", ref.raw, MaxWeeks)
	}
	if days%7 != 0 {
		start := p.clock.Start
		return 0, fail("%s is not on the week grid (the start, %s, minus a multiple of 7 days): the nearest dates on it are %s and %s",
			ref.raw, start.Format(time.DateOnly), start.AddDate(0, 0, -7*(days/7+1)).Format(time.DateOnly), start.AddDate(0, 0, -7*(days/7)).Format(time.DateOnly))
	}
	return days / 7, nil
}

// interventions reads the interventions of a world with the given network; dynamic says
// whether its groups can split (decapitation needs it).
func (p *scenarioParser) interventions(list []interventionFile, cfg model.Config, dynamic bool) ([]model.Intervention, error) {
	var ivs []model.Intervention
	named := map[string]int{}
	for i, ivf := range list {
		prefix := fmt.Sprintf("interventions[%d]", i)
		if _, ok := p.keys[prefix+".name"]; ok {
			if !interventionName.MatchString(ivf.Name) {
				return nil, p.fail(prefix+".name", "%q is not a name: want letters, digits, '_' and '-', starting with a letter (--set interventions.<name>.<key> names it)", ivf.Name)
			}
			if first, dup := named[ivf.Name]; dup {
				return nil, p.fail(prefix+".name", "duplicate intervention name %q (interventions[%d] has it): a name must be unique", ivf.Name, first)
			}
			named[ivf.Name] = i
		}
		iv := model.Intervention{Kind: model.Kind(ivf.Kind), Actor: model.Actor(ivf.Actor), To: model.Forever, Removal: model.Removal(ivf.Mode),
			Enforced: ivf.Enforced, HaltShipments: ivf.HaltShipments}
		for _, req := range []struct {
			key     string
			missing bool
		}{{"kind", ivf.Kind == ""}, {"from", ivf.From == nil}, {"intensity", ivf.Intensity == nil}, {"actor", ivf.Actor == ""}} {
			if req.missing {
				return nil, p.fail(prefix+"."+req.key, "missing")
			}
		}
		if !slices.Contains(model.Kinds, iv.Kind) {
			return nil, p.fail(prefix+".kind", "%s", unknownWord("intervention kind", ivf.Kind, model.Kinds))
		}
		if !slices.Contains(model.Actors, iv.Actor) {
			return nil, p.fail(prefix+".actor", "%s", unknownWord("actor", ivf.Actor, model.Actors))
		}
		iv.Intensity = float64(*ivf.Intensity)
		var err error
		if iv.From, err = p.clock.resolve(ivf.From); err != nil {
			return nil, &ScenarioError{File: p.file, Line: ivf.From.line, Key: prefix + ".from", Msg: err.Error()}
		}
		if ivf.To != nil {
			if iv.To, err = p.clock.resolve(ivf.To); err != nil {
				return nil, &ScenarioError{File: p.file, Line: ivf.To.line, Key: prefix + ".to", Msg: err.Error()}
			}
		}
		if t := ivf.Targets; t != nil {
			for _, list := range []struct {
				key string
				n   int
			}{{"groups", len(t.Groups)}, {"states", len(t.States)}} {
				if _, ok := p.keys[prefix+".targets."+list.key]; ok && list.n == 0 {
					return nil, p.fail(prefix+".targets."+list.key, "an empty list: name at least one, or remove the key")
				}
			}
			iv.Targets.Groups = t.Groups
			if l := t.Largest; l != nil {
				switch {
				case l.n < 1:
					return nil, p.fail(prefix+".targets.largest", "%s, want at least 1", l)
				case l.n > MaxUnbounded:
					return nil, p.fail(prefix+".targets.largest", "%s", aboveCap(l.String()))
				}
				iv.Targets.Largest = l.n
			}
			if m := t.MinMembers; m != nil {
				if !(*m > 0) {
					return nil, p.fail(prefix+".targets.min_members", "%v, want a finite positive number", *m)
				}
				iv.Targets.MinMembers = float64(*m)
			}
			iv.Targets.States = t.States
		}
		iv.Casualties = model.DefaultCasualties(iv.Kind)
		if ivf.Casualties != nil {
			iv.Casualties = float64(*ivf.Casualties)
		}
		if r := ivf.RampUntil; r != nil {
			if iv.RampUntil, err = p.clock.resolve(r); err != nil {
				return nil, &ScenarioError{File: p.file, Line: r.line, Key: prefix + ".ramp_until", Msg: err.Error()}
			}
			if iv.RampUntil < iv.From {
				return nil, &ScenarioError{File: p.file, Line: r.line, Key: prefix + ".ramp_until",
					Msg: fmt.Sprintf("%s is before from, %s: a ramp ends after it starts", r.describe(iv.RampUntil), ivf.From.describe(iv.From))}
			}
		}
		if b := ivf.Breakaway; b != nil {
			if iv.Split, err = p.breakaway(prefix+".breakaway", b); err != nil {
				return nil, err
			}
		}
		if err := iv.Validate(); err != nil {
			return nil, fieldError(p.file, prefix, err, p.keys)
		}
		switch {
		case iv.Kind == model.Breakaway && !dynamic:
			return nil, p.fail(prefix+".kind", "a breakaway needs group dynamics: add a fragmentation section (fragmentation: {} for the defaults)")
		case iv.Kind == model.Deployment && cfg.Economy == nil && cfg.Territory == nil:
			return nil, p.fail(prefix+".kind", "a deployment needs the states: add a territory section (territory: {} for the defaults)")
		case iv.Kind == model.Decapitation && !dynamic:
			return nil, p.fail(prefix+".kind", "decapitation needs group dynamics: add a fragmentation section (fragmentation: {} for the defaults)")
		case iv.Kind.NeedsEconomy() && cfg.Economy == nil:
			return nil, p.fail(prefix+".kind", "%s needs territory, labs and the market: add an economy section (economy: {} for the defaults)", iv.Kind)
		case iv.HaltShipments && cfg.Economy == nil:
			return nil, p.fail(prefix+".halt_shipments", "halting shipments needs territory, labs and the market: add an economy section (economy: {} for the defaults)")
		case iv.Kind.NeedsPolicy() && cfg.Policy == nil:
			return nil, p.fail(prefix+".kind", "%s acts through the states' policy: add a policy section (policy: {} for the defaults)", iv.Kind)
		}
		iv.Targets.Groups = slices.Clone(iv.Targets.Groups)
		for j, g := range iv.Targets.Groups {
			id, err := p.groups.resolve(g)
			if err != nil {
				return nil, p.fail(fmt.Sprintf("%s.targets.groups[%d]", prefix, j), "%v", err)
			}
			iv.Targets.Groups[j] = id
		}
		iv.Targets.States = slices.Clone(iv.Targets.States)
		for j, st := range iv.Targets.States {
			code, err := p.states.resolve(st)
			if err != nil {
				return nil, p.fail(fmt.Sprintf("%s.targets.states[%d]", prefix, j), "%v", err)
			}
			iv.Targets.States[j] = code
		}
		ivs = append(ivs, iv)
	}
	return ivs, nil
}

// breakaway reads a breakaway's new group, resolving its states to their codes.
func (p *scenarioParser) breakaway(key string, b *breakawayFile) (*model.BreakawayGroup, error) {
	g := &model.BreakawayGroup{ID: b.ID, Name: b.Name}
	if b.ID == "" {
		return nil, p.fail(key+".id", "missing: the new group needs an id")
	}
	if b.Rivalry != nil {
		g.Rivalry = float64(*b.Rivalry)
	}
	for _, list := range []struct {
		name string
		in   []string
		out  *[]string
	}{{"states", b.States, &g.States}, {"ceded", b.Ceded, &g.Ceded}} {
		for j, st := range list.in {
			code, err := p.states.resolve(st)
			if err != nil {
				return nil, p.fail(fmt.Sprintf("%s.%s[%d]", key, list.name, j), "%v", err)
			}
			*list.out = append(*list.out, code)
		}
	}
	return g, nil
}

// interventionName is what an intervention's name may be: an identifier that is no
// index and holds no '.', so that interventions.<name>.intensity reads one way.
var interventionName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// unknownWord is the message for a word that is none of known: the nearest when it is
// close, else the list.
func unknownWord[T ~string](what, word string, known []T) string {
	words := make([]string, len(known))
	for i, k := range known {
		words[i] = string(k)
	}
	if hint := didYouMean(word, words); hint != "" {
		return fmt.Sprintf("unknown %s %q%s", what, word, hint)
	}
	return fmt.Sprintf("unknown %s %q (want one of %s)", what, word, strings.Join(words, ", "))
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
		var near []string
		for _, k := range []int{week, week + 1} {
			if k <= c.Weeks {
				near = append(near, c.Date(k).Format(time.DateOnly))
			}
		}
		nearest := "the nearest is " + near[0]
		if len(near) == 2 {
			nearest = "the nearest are " + near[0] + " and " + near[1]
		}
		return 0, fmt.Errorf("%s is not a week boundary of the run (the start, %s, plus a multiple of 7 days): %s", w.raw, c.Start.Format(time.DateOnly), nearest)
	}
	return week, nil
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
