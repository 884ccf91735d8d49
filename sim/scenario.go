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
	"github.com/cartelsim/cartelsim/model/mexico"
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
func (s *Scenario) NewWorld() (*model.World, error) { return model.NewWorld(s.Config()) }

// Config returns the scenario's world configuration, in its current Mode, for callers
// that vary it (calibration, sweeps) before building a world.
func (s *Scenario) Config() model.Config {
	cfg := s.config
	cfg.Mode = s.Mode
	return cfg
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
	Fragmentation yaml.Node          `yaml:"fragmentation"`
	Economy       yaml.Node          `yaml:"economy"`
	Policy        yaml.Node          `yaml:"policy"`
	Interventions []interventionFile `yaml:"interventions"`
}

type worldFile struct {
	Dataset        *string        `yaml:"dataset"`
	InitialMembers *float64       `yaml:"initial_members"`
	Since          *weekRef       `yaml:"since"`
	Groups         []groupFile    `yaml:"groups"`
	Rivalries      []relationFile `yaml:"rivalries"`
	Alliances      []relationFile `yaml:"alliances"`
}

// groupFile is one group of a world written out in the scenario.
	Source      []byte // the file's bytes, which a shard keeps for merge
type groupFile struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	State       string   `yaml:"state"`
	Members     *float64 `yaml:"members"`
	Lieutenants *float64 `yaml:"lieutenants"`
	Clarity     *float64 `yaml:"clarity"`
	Cohesion    *float64 `yaml:"cohesion"`
}

type relationFile struct {
	Between []string `yaml:"between"`
	Weight  *float64 `yaml:"weight"`
}

type parametersFile struct {
	Recruitment       *float64 `yaml:"recruitment"`
	Incapacitation    *float64 `yaml:"incapacitation"`
	ConflictLethality *float64 `yaml:"conflict_lethality"`
	Saturation        *float64 `yaml:"saturation"`
	HomicideRatio     *float64 `yaml:"homicide_ratio"`
	Intelligence      *float64 `yaml:"intelligence"`
}

type interventionFile struct {
	Kind       string       `yaml:"kind"`
	From       *weekRef     `yaml:"from"`
	To         *weekRef     `yaml:"to"`
	Intensity  *float64     `yaml:"intensity"`
	Actor      string       `yaml:"actor"`
	Targets    *targetsFile `yaml:"targets"`
	Mode       string       `yaml:"mode"`
	Casualties *float64     `yaml:"civilian_casualties"`
	RampUntil  *weekRef     `yaml:"ramp_until"`
	// Ceasefires only.
	Enforced      bool `yaml:"enforced"`
	HaltShipments bool `yaml:"halt_shipments"`
}

type targetsFile struct {
	Largest    *int     `yaml:"largest"`
	Groups     []string `yaml:"groups"`
	MinMembers *float64 `yaml:"min_members"`
	States     []string `yaml:"states"`
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

	params := model.DefaultParams()
	override(
		overriding{sf.Parameters.Recruitment, &params.Recruitment},
		overriding{sf.Parameters.Incapacitation, &params.Incapacitation},
		overriding{sf.Parameters.ConflictLethality, &params.ConflictLethality},
		overriding{sf.Parameters.Saturation, &params.Saturation},
		overriding{sf.Parameters.HomicideRatio, &params.HomicideRatio},
		overriding{sf.Parameters.Intelligence, &params.Intelligence},
	)
	if err := params.Validate(); err != nil {
		return nil, fieldError(name, "parameters", err, keys)
	}

	p := scenarioParser{file: name, keys: keys, clock: sc.Clock}
	frag, err := p.fragmentation(&sf.Fragmentation)
	if err != nil {
		return nil, err
	}
	cfg, err := p.world(&sf.World, frag)
	if err != nil {
		return nil, err
	}
	cfg.Params = params
	cfg.Fragmentation = frag
	if cfg.Economy, err = p.economy(&sf.Economy); err != nil {
		return nil, err
	}
	if cfg.Economy != nil {
		if cfg.Geography, err = mexico.Load(); err != nil {
			return nil, err
		}
		for i, g := range cfg.Network.Groups {
			if _, ok := cfg.Geography.Lookup(g.State); !ok {
				key := "world.dataset"
				if len(sf.World.Groups) > 0 {
					key = fmt.Sprintf("world.groups[%d].state", i)
				}
				return nil, p.fail(key, "group %s has home state %q, not one of Mexico's states (a code such as SIN or a name such as Sinaloa)", g.ID, g.State)
			}
		}
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
type overriding struct{ value, dst *float64 }

// override sets each default the file gives a value for.
func override(overrides ...overriding) {
	for _, o := range overrides {
		if o.value != nil {
			*o.dst = *o.value
		}
	}
}

// scenarioParser turns the decoded sections of one file into model values, naming the
// file, line and key of the first problem.
type scenarioParser struct {
	file  string
	keys  map[string]int
	clock Clock
}

func (p *scenarioParser) fail(key, format string, args ...any) error {
	line, ok := p.keys[key]
	for k := key; !ok && k != ""; {
		k = k[:max(0, strings.LastIndexAny(k, ".["))]
		line, ok = p.keys[k]
	}
	return &ScenarioError{File: p.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// section reads an optional section of named numbers (fragmentation, economy): absent,
// it returns false; present (even empty or null), true, after setting each key given.
func (p *scenarioParser) section(name string, n *yaml.Node, set func(string, float64) bool, keys []string) (bool, error) {
	if n.Kind == 0 {
		return false, nil
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return true, nil
	}
	if n.Kind != yaml.MappingNode {
		return false, p.fail(name, "want a mapping of %s parameters ({} for the defaults)", name)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := name + "." + n.Content[i].Value
		var v float64
		if err := n.Content[i+1].Decode(&v); err != nil {
			return false, p.fail(key, "want a number, got %q", n.Content[i+1].Value)
		}
		if !set(n.Content[i].Value, v) {
			return false, p.fail(key, "unknown key (want one of %s)", strings.Join(keys, ", "))
		}
	}
	return true, nil
}

// fragmentation reads the optional fragmentation section: present (even empty), it
// switches group dynamics on with the defaults it overrides.
func (p *scenarioParser) fragmentation(n *yaml.Node) (*model.Fragmentation, error) {
	f := model.DefaultFragmentation()
	if ok, err := p.section("fragmentation", n, f.Set, model.FragmentationFields); !ok {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, fieldError(p.file, "fragmentation", err, p.keys)
	}
	return &f, nil
}

// economy reads the optional economy section: present (even empty), it places groups on
// Mexico's states and runs labs, trafficking and the market.
func (p *scenarioParser) economy(n *yaml.Node) (*model.Economy, error) {
	e := model.DefaultEconomy()
	if ok, err := p.section("economy", n, e.Set, model.EconomyFields); !ok {
		return nil, err
	}
	if err := e.Validate(); err != nil {
		return nil, fieldError(p.file, "economy", err, p.keys)
	}
	return &e, nil
}

// policy reads the optional policy section: present (even empty), it gives the states a
// cooperation index, corruption and the side effects of their actions.
func (p *scenarioParser) policy(n *yaml.Node) (*model.Policy, error) {
	pol := model.DefaultPolicy()
	if ok, err := p.section("policy", n, pol.Set, model.PolicyFields); !ok {
		return nil, err
	}
	if err := pol.Validate(); err != nil {
		return nil, fieldError(p.file, "policy", err, p.keys)
	}
	return &pol, nil
}

// world builds the network and initial state: a data set, or groups written out.
func (p *scenarioParser) world(wf *worldFile, frag *model.Fragmentation) (model.Config, error) {
	if len(wf.Groups) == 0 {
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
		groups[i] = model.Group{ID: g.ID, Name: name, State: g.State}
	}
	var edges [2][]model.Edge
	for r, rel := range [2][]relationFile{wf.Rivalries, wf.Alliances} {
		section := [2]string{"world.rivalries", "world.alliances"}[r]
		for i, e := range rel {
			key := fmt.Sprintf("%s[%d]", section, i)
			if len(e.Between) != 2 {
				return model.Config{}, p.fail(key+".between", "want two group ids, [a, b]")
			}
			for _, id := range e.Between {
				if !seen[id] {
					return model.Config{}, p.fail(key+".between", "unknown group %q", id)
				}
			}
			if e.Weight == nil {
				return model.Config{}, p.fail(key+".weight", "missing")
			}
			if w := *e.Weight; !(w >= 0) || math.IsInf(w, 0) {
				return model.Config{}, p.fail(key+".weight", "%v, want a finite non-negative number", w)
			}
			edges[r] = append(edges[r], model.Edge{From: e.Between[0], To: e.Between[1], Weight: *e.Weight})
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
		sizes[k] = *g.Members
		l := defaults.DefaultLeadership(*g.Members)
		override(overriding{g.Lieutenants, &l.Lieutenants}, overriding{g.Clarity, &l.Clarity}, overriding{g.Cohesion, &l.Cohesion})
		if err := l.Validate(); err != nil {
			return model.Config{}, fieldError(p.file, fmt.Sprintf("world.groups[%d]", i), err, p.keys)
		}
	sc.Source = data
		leaders[k] = l
	}
	return model.Config{Network: net, InitialSizes: sizes, Leadership: leaders}, nil
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
		if math.IsNaN(*v) || *v < 0 || *v > MaxInitial {
			return model.Config{}, p.fail("world.initial_members", "%v is out of range (0 to %g)", *v, MaxInitial)
		}
		initial = *v
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
	return days / 7, nil
}

// interventions reads the interventions of a world with the given network; dynamic says
// whether its groups can split (decapitation needs it).
func (p *scenarioParser) interventions(list []interventionFile, cfg model.Config, dynamic bool) ([]model.Intervention, error) {
	net := cfg.Network
	var ivs []model.Intervention
	for i, ivf := range list {
		prefix := fmt.Sprintf("interventions[%d]", i)
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
		iv.Intensity = *ivf.Intensity
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
			iv.Targets.Groups = t.Groups
			if t.Largest != nil {
				if *t.Largest < 1 {
					return nil, p.fail(prefix+".targets.largest", "%d, want at least 1", *t.Largest)
				}
				iv.Targets.Largest = *t.Largest
			}
			if t.MinMembers != nil {
				if !(*t.MinMembers > 0) || math.IsInf(*t.MinMembers, 0) {
					return nil, p.fail(prefix+".targets.min_members", "%v, want a finite positive number", *t.MinMembers)
				}
				iv.Targets.MinMembers = *t.MinMembers
			}
			iv.Targets.States = t.States
		}
		iv.Casualties = model.DefaultCasualties(iv.Kind)
		if ivf.Casualties != nil {
			iv.Casualties = *ivf.Casualties
		}
		if ivf.RampUntil != nil {
			if iv.RampUntil, err = p.clock.resolve(ivf.RampUntil); err != nil {
				return nil, &ScenarioError{File: p.file, Line: ivf.RampUntil.line, Key: prefix + ".ramp_until", Msg: err.Error()}
			}
		}
		if err := iv.Validate(); err != nil {
			return nil, fieldError(p.file, prefix, err, p.keys)
		}
		switch {
		case iv.Kind == model.Decapitation && !dynamic:
			return nil, p.fail(prefix+".kind", "decapitation needs group dynamics: add a fragmentation section (fragmentation: {} for the defaults)")
		case iv.Kind.NeedsEconomy() && cfg.Economy == nil:
			return nil, p.fail(prefix+".kind", "%s needs territory, labs and the market: add an economy section (economy: {} for the defaults)", iv.Kind)
		case iv.HaltShipments && cfg.Economy == nil:
			return nil, p.fail(prefix+".halt_shipments", "halting shipments needs territory, labs and the market: add an economy section (economy: {} for the defaults)")
		case iv.Kind.NeedsPolicy() && cfg.Policy == nil:
			return nil, p.fail(prefix+".kind", "%s acts through the states' policy: add a policy section (policy: {} for the defaults)", iv.Kind)
		}
		for j, g := range iv.Targets.Groups {
			if _, ok := net.Lookup(g); !ok {
				return nil, p.fail(fmt.Sprintf("%s.targets.groups[%d]", prefix, j), "unknown group %q", g)
			}
		}
		for j, st := range iv.Targets.States {
			if _, ok := cfg.Geography.Lookup(st); !ok {
				return nil, p.fail(fmt.Sprintf("%s.targets.states[%d]", prefix, j), "unknown state %q (a code such as SIN or a name such as Sinaloa)", st)
			}
		}
		ivs = append(ivs, iv)
	}
	return ivs, nil
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
