package scenario

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/mexico"
)

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
	if err := checkShape(name, root.Content[0], reflect.TypeFor[ScenarioFile](), ""); err != nil {
		return nil, err
	}
	var sf ScenarioFile
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
		overriding{sf.Parameters.PoolRecruitment, &params.PoolRecruitment},
		overriding{sf.Parameters.Replacement, &params.Replacement},
		overriding{sf.Parameters.Incapacitation, &params.Incapacitation},
		overriding{sf.Parameters.ConflictLethality, &params.ConflictLethality},
		overriding{sf.Parameters.Saturation, &params.Saturation},
		overriding{sf.Parameters.SaturationSharing, &params.SaturationSharing},
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
	if e := cfg.Economy; e != nil {
		cfg.FentanylWeekOne = fentanylWeekOne(e.FentanylYear, start)
	}
	if cfg.Territory, err = p.territory(&sf.Territory, cfg.Economy != nil); err != nil {
		return nil, err
	}
	if err := p.placed(&sf.World, cfg, geo); err != nil {
		return nil, err
	}
	if cfg.Economy != nil || cfg.Territory != nil {
		cfg.Geography = geo
		if cfg.Population, err = populationPath(start); err != nil {
			return nil, err
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
	if err := p.capped(sf.numbers()); err != nil {
		return nil, err
	}
	if cfg.Params.PoolRecruitment > 0 && cfg.Geography == nil {
		return nil, p.fail("parameters.pool_recruitment", "pool recruitment needs a world on the states (a territory or an economy): the population it recruits from")
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
	value *RealValue
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
	value *RealValue
}

// numbers lists the real numbers of the file outside the parameter sections (which
// section checks itself), by key.
func (sf *ScenarioFile) numbers() []givenNumber {
	ps := &sf.Parameters
	out := []givenNumber{
		{"world.initial_members", sf.World.InitialMembers},
		{"parameters.recruitment", ps.Recruitment},
		{"parameters.pool_recruitment", ps.PoolRecruitment},
		{"parameters.replacement", ps.Replacement},
		{"parameters.incapacitation", ps.Incapacitation},
		{"parameters.conflict_lethality", ps.ConflictLethality},
		{"parameters.saturation", ps.Saturation},
		{"parameters.saturation_sharing", ps.SaturationSharing},
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
			return p.fail(g.key, "%s", aboveCap(FormatG(float64(*g.value))))
		}
	}
	return nil
}

// aboveCap is the message for a number above MaxUnbounded.
func aboveCap(value string) string {
	return fmt.Sprintf("%s is above %g, the cap on numbers without a documented upper bound", value, MaxUnbounded)
}

func FormatG(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

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
			return nil, p.fail(name+"."+l.field, "%s", aboveCap(FormatG(l.v)))
		}
	}
	return &v, nil
}

// fentanylWeekOne is the time in weeks from the start of year (a fraction of a year counted
// as that share of 365.25 days: 2012.5 is 182.625 days after 1 January 2012) to start,
// week 1's first day.
func fentanylWeekOne(year float64, start time.Time) *float64 {
	whole := math.Floor(year)
	jan1 := time.Date(int(whole), time.January, 1, 0, 0, 0, 0, time.UTC)
	w := (float64(daysFrom(jan1, start)) - float64((year-whole)*365.25)) / 7
	return &w
}
