package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

const goodScenario = `name: test
start: 2012-01-01
weeks: 104
replicates: 8
seed: 42
mode: stochastic
world:
  dataset: bacrim2020
  initial_members: 115000
parameters:
  recruitment: 2.527474e-3
  incapacitation: 110
interventions:
  - kind: recruitment-reduction
    from: 52
    to: 2013-12-29
    intensity: 0.5
    actor: mexico
`

func TestParseGoodScenario(t *testing.T) {
	sc, err := scenario.ParseScenario("good.yaml", []byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "test" || sc.Clock.Weeks != 104 || sc.Replicates != 8 || sc.Seed != 42 || sc.Mode != model.Stochastic {
		t.Errorf("decoded %+v", sc)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	// to: 2013-12-29 is 728 days = week 104 after 2012-01-01.
	base := model.DefaultParams().Recruitment
	for _, c := range []struct {
		week int
		rho  float64
	}{{52, base}, {53, base / 2}, {104, base / 2}, {105, base}} {
		if got := w.ParamsAt(c.week).Recruitment; got != c.rho {
			t.Errorf("week %d: rho %v, want %v", c.week, got, c.rho)
		}
	}
}

// Every shipped scenario must load.
func TestShippedScenariosLoad(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*/*.yaml")
	if err != nil || len(files) < 4 {
		t.Fatalf("found %v (%v), want the four Prieto-Curiel scenarios at least", files, err)
	}
	for _, f := range files {
		if _, err := scenario.LoadScenario(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// scenarioErrorCase is a bad scenario and the error it must give: a *scenario.ScenarioError for
// bad.yaml at the line and key, with a message containing msg, on one line.
type scenarioErrorCase struct {
	name, yaml string
	line       int
	key, msg   string
}

func (c scenarioErrorCase) check(t *testing.T) {
	t.Helper()
	_, err := scenario.ParseScenario("bad.yaml", []byte(c.yaml))
	var se *scenario.ScenarioError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *scenario.ScenarioError", err, err)
	}
	if se.File != "bad.yaml" || se.Line != c.line || se.Key != c.key || !strings.Contains(se.Msg, c.msg) {
		t.Errorf("got %q (line %d, key %q), want line %d, key %q, message containing %q", err, se.Line, se.Key, c.line, c.key, c.msg)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

// replacer returns a function that makes a variant of base with one substring replaced,
// failing the test if base lacks it.
func replacer(t *testing.T, base string) func(old, new string) string {
	return func(old, new string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("test scenario lacks %q", old)
		}
		return strings.Replace(base, old, new, 1)
	}
}

// Each bad input gives one error naming the file, the line and the key; none panics.
func TestScenarioErrors(t *testing.T) {
	replace := replacer(t, goodScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown key", replace("seed: 42", "sede: 42"), 5, "sede", "unknown key (did you mean seed?)"},
		{"unknown nested key", replace("  dataset: bacrim2020", "  datasett: bacrim2020"), 8, "world.datasett", "unknown key (did you mean dataset?)"},
		{"wrong type", replace("weeks: 104", "weeks: many"), 3, "weeks", `want a whole number, got "many"`},
		{"wrong type nested", replace("  incapacitation: 110", "  incapacitation: [110]"), 12, "parameters.incapacitation", "want a number, got a list"},
		{"negative rate", replace("  recruitment: 2.527474e-3", "  recruitment: -0.1"), 11, "parameters.recruitment", "negative recruitment rate"},
		{"NaN rate", replace("  incapacitation: 110", "  incapacitation: .nan"), 12, "parameters.incapacitation", ".nan is not a finite number"},
		{"infinite rate", replace("  incapacitation: 110", "  incapacitation: 1e999"), 12, "parameters.incapacitation", ""},
		{"probability above 1", replace("intensity: 0.5", "intensity: 1.5"), 17, "interventions[0].intensity", "above 1"},
		{"negative intensity", replace("intensity: 0.5", "intensity: -2"), 17, "interventions[0].intensity", "negative intensity"},
		{"unknown kind", replace("kind: recruitment-reduction", "kind: carpet-bombing"), 14, "interventions[0].kind", `unknown intervention kind "carpet-bombing"`},
		{"unknown actor", replace("actor: mexico", "actor: narnia"), 18, "interventions[0].actor", `unknown actor "narnia"`},
		{"missing actor", replace("    actor: mexico\n", ""), 14, "interventions[0].actor", "missing"},
		{"canada on another kind", replace("actor: mexico", "actor: canada"), 18, "interventions[0].actor", "actor canada dismantles labs abroad only (kind lab-dismantling), not recruitment-reduction"},
		{"strikes at sea, lanes closed", replace("kind: recruitment-reduction", "kind: maritime-strikes") + "economy: {}\n", 14, "interventions[0].kind", "maritime-strikes acts on the sea lanes: open them (economy: {sea_routes: 1})"},
		{"bad date", replace("start: 2012-01-01", "start: 2012-13-45"), 2, "start", "not a date"},
		{"date out of range", replace("start: 2012-01-01", "start: 1812-06-24"), 2, "start", "out of range"},
		{"intervention after the run", replace("from: 52", "from: 2030-01-05"), 15, "interventions[0].from", "outside the run"},
		{"window backwards", replace("to: 2013-12-29", "to: 10"), 16, "interventions[0].to", "before it starts"},
		{"date off the week grid", replace("to: 2013-12-29", "to: 2013-12-30"), 16, "interventions[0].to", "week boundary"},
		{"weeks out of range", replace("weeks: 104", "weeks: 0"), 3, "weeks", "out of range"},
		{"too many weeks", replace("weeks: 104", "weeks: 99999"), 3, "weeks", "out of range"},
		{"negative seed", replace("seed: 42", "seed: -1"), 5, "seed", "-1 is out of range (0 to 18446744073709551615)"},
		{"unknown mode", replace("mode: stochastic", "mode: quantum"), 6, "mode", "unknown mode"},
		{"unknown data set", replace("dataset: bacrim2020", "dataset: bacrim1990"), 8, "world.dataset", "unknown data set"},
		{"truncated", goodScenario[:strings.Index(goodScenario, "world:")] + "world: {dataset: bacr", 7, "", "did not find expected"},
		{"bad indentation", replace("  dataset: bacrim2020", "    dataset: bacrim2020\n  - x"), 9, "", ""},
		{"not a mapping", "- start\n- weeks\n", 1, "", "mapping"},
		{"missing start", replace("start: 2012-01-01\n", ""), 0, "start", "missing"},
		{"empty", "", 0, "", "empty scenario file"},
		{"only a comment", "# nothing here\n", 0, "", "empty scenario file"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
	placeless := "name: p\nstart: 2025-01-05\nweeks: 4\nworld:\n  groups:\n    - {id: a, members: 500, state: SIN}\n" +
		"interventions:\n  - {kind: deployment, from: 0, intensity: 1, actor: mexico, targets: {states: [SIN]}}\n"
	scenarioErrorCase{yaml: placeless, line: 8, key: "interventions[0].kind", msg: "needs the states"}.check(t)
}

func TestLoadScenarioFileErrors(t *testing.T) {
	dir := t.TempDir()
	load := func(path string, want ...string) {
		t.Helper()
		_, err := scenario.LoadScenario(path)
		var se *scenario.ScenarioError
		if !errors.As(err, &se) {
			t.Fatalf("%s: error %v (%T), want a *scenario.ScenarioError", path, err, err)
		}
		for _, w := range append(want, path) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", path, err, w)
			}
		}
	}
	load(filepath.Join(dir, "missing.yaml"), "no such file")

	// One byte over the limit is refused; the limit itself is not (it is only a comment,
	// hence "empty scenario file").
	exact := filepath.Join(dir, "exact.yaml")
	if err := os.WriteFile(exact, []byte("#"+strings.Repeat("x", scenario.MaxScenarioBytes-2)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load(exact, "empty scenario file")
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("#"+strings.Repeat("x", scenario.MaxScenarioBytes-1)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	load(big, "larger than the limit of 1048576 bytes (1 MiB)")
	// A 10 GB file (sparse: it takes no disk) is refused from its size, not read.
	huge := filepath.Join(dir, "huge.yaml")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(10 << 30); err != nil {
		t.Skipf("cannot make a 10 GB sparse file: %v", err)
	}
	f.Close()
	load(huge, "larger than the limit")

	// What is not a regular file is refused before it is read: a directory, and devices
	// that would never end (/dev/zero) or a named pipe that would block the open.
	load(dir, "not a regular file (a directory)")
	for _, dev := range []string{"/dev/zero", "/dev/null", "/dev/urandom"} {
		if _, err := os.Stat(dev); err == nil {
			load(dev, "not a regular file (a device)")
		}
	}
	if mkfifo, err := exec.LookPath("mkfifo"); err == nil {
		fifo := filepath.Join(dir, "pipe.yaml")
		if err := exec.Command(mkfifo, fifo).Run(); err == nil {
			done := make(chan bool)
			go func() {
				load(fifo, "not a regular file (a named pipe)")
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("LoadScenario blocked on a named pipe")
			}
		}
	}
}

// A billion-laughs alias bomb nine levels deep (9^9 leaves if expanded) is refused
// wherever it sits, before the decoder could expand it: scenario files may not use
// aliases at all. The error names the line and key of the first alias.
func TestAliasBombsRefused(t *testing.T) {
	levels := []string{`&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`}
	for c := 'b'; c <= 'i'; c++ {
		prev := "*" + string(c-1)
		levels = append(levels, "&"+string(c)+" ["+strings.TrimSuffix(strings.Repeat(prev+",", 9), ",")+"]")
	}
	bomb := "[" + strings.Join(levels, ", ") + "]"
	// Each base scenario below holds the placeholder BOMB where a value goes.
	for _, c := range []struct{ name, yaml, key string }{
		{"unknown top-level key", "lol: BOMB\n" + goodScenario, "lol[1][0]"},
		{"name", strings.Replace(goodScenario, "name: test", "name: BOMB", 1), "name[1][0]"},
		{"weeks", strings.Replace(goodScenario, "weeks: 104", "weeks: BOMB", 1), "weeks[1][0]"},
		{"world", strings.Replace(goodScenario, "world:\n  dataset: bacrim2020\n  initial_members: 115000", "world: BOMB", 1), "world[1][0]"},
		{"world.initial_members", strings.Replace(goodScenario, "initial_members: 115000", "initial_members: BOMB", 1), "world.initial_members[1][0]"},
		{"parameters.recruitment", strings.Replace(goodScenario, "recruitment: 2.527474e-3", "recruitment: BOMB", 1), "parameters.recruitment[1][0]"},
		{"interventions", strings.Replace(goodScenario, "interventions:\n", "interventions: BOMB\nx:\n", 1), "interventions[1][0]"},
		{"intervention intensity", strings.Replace(goodScenario, "intensity: 0.5", "intensity: BOMB", 1), "interventions[0].intensity[1][0]"},
		{"fragmentation", strings.Replace(kingpinScenario, "fragmentation:\n  clarity: 0.4", "fragmentation: BOMB", 1), "fragmentation[1][0]"},
		{"fragmentation key", strings.Replace(kingpinScenario, "clarity: 0.4", "clarity: BOMB", 1), "fragmentation.clarity[1][0]"},
		{"targets", strings.Replace(kingpinScenario, "targets: {largest: 2}", "targets: {groups: BOMB}", 1), "interventions[0].targets.groups[1][0]"},
		{"economy", strings.Replace(labsScenario, "economy:\n  rebuild_weeks: 6", "economy: BOMB", 1), "economy[1][0]"},
		{"policy key", strings.Replace(policyScenario, "corruption: 0.4", "corruption: BOMB", 1), "policy.corruption[1][0]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(c.yaml, "BOMB") {
				t.Fatal("the base scenario lacks the text replaced")
			}
			line := 1 + strings.Count(c.yaml[:strings.Index(c.yaml, "BOMB")], "\n")
			scenarioErrorCase{c.name, strings.Replace(c.yaml, "BOMB", bomb, 1), line, c.key, "YAML aliases (*a) are not allowed"}.check(t)
		})
	}
	// A single alias, harmless as it is, is refused too; an anchor alone is not.
	scenarioErrorCase{"one alias", strings.Replace(goodScenario, "seed: 42", "seed: &s 42\nsede: *s", 1), 6, "sede", "aliases (*s)"}.check(t)
	if _, err := scenario.ParseScenario("anchor.yaml", []byte(strings.Replace(goodScenario, "seed: 42", "seed: &s 42", 1))); err != nil {
		t.Errorf("an anchor without alias: %v", err)
	}
}

// A file holds one document: a second one is an error, not silently ignored.
func TestSecondDocumentRefused(t *testing.T) {
	scenarioErrorCase{"second document", goodScenario + "---\nweeks: 1\n", 19, "", "second YAML document"}.check(t)
	scenarioErrorCase{"empty second document", goodScenario + "---\n", 19, "", "second YAML document"}.check(t)
}

// Errors stay on one line and bounded whatever the file quotes back.
func TestScenarioErrorPrintable(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"newline in a key", "start: 2012-01-01\nweeks: 1\n\"se\\ned\": 1\n", `se\ned`},
		{"invalid UTF-8 in a mode", "start: 2012-01-01\nweeks: 1\nmode: \"\\xff\"\n", "unknown mode"},
		{"line separator", "start: 2012-01-01\nweeks: 1\nmode: \"a\\u2028b\"\n", `a\u2028b`},
		{"a megabyte value", "start: 2012-01-01\nweeks: 1\nmode: " + strings.Repeat("k", 1<<20-40) + "\n", `unknown mode "kkk`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenario.ParseScenario("p.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r\u2028\u2029") || !utf8.ValidString(msg) || len(msg) > 3*scenario.MaxErrorText {
				t.Errorf("error is not one short printable line: %q", msg)
			}
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q lacks %q", msg, c.want)
			}
		})
	}
}

// FuzzParseScenario: whatever the bytes, the decoder returns a scenario or a
// *scenario.ScenarioError on one line, and never panics; a scenario it accepts has finite numbers
// within their caps and a name that can name a directory.
func FuzzParseScenario(f *testing.F) {
	for _, seed := range []string{
		goodScenario, kingpinScenario, labsScenario, policyScenario, territoryScenario, everyNumber,
		"",
		"start: 2012-01-01\nweeks: 1\n",
		"interventions:\n  - {kind: incapacitation, from: 1, intensity: 1e308, actor: us}\n",
		"a: &a [*a]\n",
		// NaN, infinities, huge and negative numbers, floats for integers.
		strings.Replace(goodScenario, "intensity: 0.5", "intensity: .nan", 1),
		strings.Replace(goodScenario, "incapacitation: 110", "incapacitation: -.inf", 1),
		strings.Replace(goodScenario, "recruitment: 2.527474e-3", "recruitment: 1e999", 1),
		strings.Replace(goodScenario, "weeks: 104", "weeks: 99999999999999999999", 1),
		strings.Replace(goodScenario, "replicates: 8", "replicates: 7.5", 1),
		strings.Replace(goodScenario, "seed: 42", "seed: -0x8000000000000001", 1),
		strings.Replace(goodScenario, "from: 52", "from: -9223372036854775808", 1),
		strings.Replace(kingpinScenario, "weight: 2", "weight: -0.0", 1),
		strings.Replace(policyScenario, "corruption: 0.4", "corruption: 0.4\n  corruption: 1e308", 1),
		// Aliases: the classic bomb, a merge key, an alias as a key.
		"a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
		"base: &base {kind: incapacitation, from: 0, actor: us}\ninterventions:\n  - {<<: *base, intensity: 1}\n",
		"&k start: 2012-01-01\n*k : 3\n",
		// Deep nesting, a second document, tags.
		"world: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
		"world:\n" + strings.Repeat("  ", 200) + "x: 1\n",
		goodScenario + "---\n" + goodScenario,
		"start: !!timestamp 2012-01-01\nweeks: !!float 52\nseed: !!int 0x10\n",
		// Encodings: a BOM, UTF-16, invalid UTF-8, NUL, control characters.
		"\ufeff" + goodScenario,
		"\xff\xfe" + "s\x00t\x00",
		"start: 2012-01-01\nweeks: 1\nname: \xff\xfe\xfd\n",
		"start: 2012-01-01\x00\nweeks: 1\n",
		"start: 2012-01-01\nweeks: 1\nmode: \"\\x1b[31m\\n\"\n",
		// Very long lines and keys.
		"start: 2012-01-01\nweeks: 1\ndescription: " + strings.Repeat("x", 100_000) + "\n",
		"start: 2012-01-01\nweeks: 1\n" + strings.Repeat("k", 2000) + ": 1\n",
		// Names that would leave the output directory; nulls, leading zeros, references.
		strings.Replace(goodScenario, "name: test", "name: ../../escaped", 1),
		strings.Replace(goodScenario, "name: test", `name: "a\0b"`, 1),
		strings.Replace(goodScenario, "interventions:\n", "interventions:\n  - ~\n", 1),
		strings.Replace(goodScenario, "seed: 42", "seed: 42\n~: 1", 1),
		strings.Replace(goodScenario, "weeks: 104", "weeks: 0104", 1),
		strings.Replace(kingpinScenario, "{largest: 2}", "{groups: [Alpha, B, ~]}", 1),
		strings.Replace(policyScenario, "groups: [a, b]", "groups: [cjng, tequileros]", 1),
		// Runaways within the ranges, which the guard stops.
		strings.Replace(goodScenario, "recruitment: 2.527474e-3", "recruitment: 3", 1),
		strings.Replace(strings.Replace(goodScenario, "recruitment: 2.527474e-3", "recruitment: 10", 1), "mode: stochastic", "mode: meanfield", 1),
		strings.Replace(goodScenario, "initial_members: 115000", "initial_members: 1e8\nfragmentation: {births_per_vacancy: 1, founder_members: 0}", 1),
		strings.Replace(strings.Replace(labsScenario, "intensity: 2, actor: mexico", "intensity: 1e12, actor: mexico", 1),
			"economy:", "parameters: {intelligence: 0}\neconomy:", 1),
	} {
		f.Add([]byte(seed))
	}
	files, _ := filepath.Glob("../scenarios/*/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := scenario.ParseScenario("fuzz.yaml", data)
		if err == nil {
			if err := scenario.ValidName(sc.Name); err != nil {
				t.Fatalf("accepted a name that cannot name a directory: %v", err)
			}
			if sc.Clock.Weeks < 1 || sc.Clock.Weeks > scenario.MaxWeeks || sc.Replicates < 1 || sc.Replicates > scenario.MaxReplicates {
				t.Fatalf("accepted an invalid scenario: %+v", sc)
			}
			cfg := sc.Config()
			p := cfg.Params
			numbers := []float64{p.Recruitment, p.Incapacitation, p.ConflictLethality, p.Saturation, p.HomicideRatio, p.Intelligence, cfg.InitialMembers}
			numbers = append(numbers, cfg.InitialSizes...)
			for _, iv := range cfg.Interventions {
				numbers = append(numbers, iv.Intensity, iv.Casualties, iv.Targets.MinMembers)
			}
			for i, x := range numbers {
				if !(x >= 0 && x <= scenario.MaxUnbounded) || math.Signbit(x) {
					t.Fatalf("accepted number %d: %v", i, x)
				}
			}
			runFuzzed(t, cfg, sc.Clock.Weeks)
			return
		}
		var se *scenario.ScenarioError
		if !errors.As(err, &se) {
			t.Fatalf("error %v is a %T, not a *scenario.ScenarioError", err, err)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !utf8.ValidString(msg) {
			t.Fatalf("error is not one printable line: %q", msg)
		}
	})
}

// fuzzDraws bounds the random draws of one fuzzed replicate: the work of a week is
// bounded by the runaway guard's caps, whatever the valid input, so a replicate that
// draws more has hung.
const fuzzDraws = 50_000_000

// countedSource is a random source that fails the test after fuzzDraws draws.
type countedSource struct {
	t     *testing.T
	src   rand.Source
	draws int
}

func (c *countedSource) Uint64() uint64 {
	if c.draws++; c.draws > fuzzDraws {
		c.t.Fatalf("a replicate drew more than %d random numbers in a few weeks: unbounded work", fuzzDraws)
	}
	return c.src.Uint64()
}

// runFuzzed runs one replicate of an accepted scenario for a few weeks (warm-up cut to a
// few weeks too, to keep the fuzzer fast): it either finishes them within the guard's
// caps or is stopped by the guard with a RunawayError, in bounded work.
func runFuzzed(t *testing.T, cfg model.Config, weeks int) {
	t.Helper()
	const most = 12
	cfg.WarmUpWeeks = min(cfg.WarmUpWeeks, most)
	w, err := model.NewWorld(cfg)
	if err != nil {
		t.Fatalf("an accepted scenario's world: %v", err)
	}
	r := w.NewReplicate()
	rng := rand.New(&countedSource{t: t, src: rand.NewPCG(1, 2)})
	r.Reset(rng)
	out := make([]float64, model.NumMetrics)
	for wk := 1; wk <= min(weeks, most) && r.Err() == nil; wk++ {
		r.Step(wk, rng, out)
		if r.Err() == nil && (out[model.Members] > model.MaxMembers || len(r.Sizes()) > model.MaxGroups) {
			t.Fatalf("week %d: %v members, %d group slots: past a cap, and the guard let it through", wk, out[model.Members], len(r.Sizes()))
		}
	}
	var re *model.RunawayError
	if err := r.Err(); err != nil && (!errors.As(err, &re) || strings.Contains(err.Error(), "\n")) {
		t.Fatalf("the replicate stopped with %v, not one line of the runaway guard", err)
	}
}

// kingpinScenario is a small inline world with group dynamics and a decapitation
// campaign, the base of the fragmentation error cases.
const kingpinScenario = `name: kingpin
start: 2006-12-03
weeks: 104
replicates: 4
world:
  groups:
    - {id: a, name: Alpha, members: 20000, lieutenants: 4}
    - {id: b, members: 8000, clarity: 0.5}
  rivalries:
    - {between: [a, b], weight: 2}
  alliances: []
fragmentation:
  clarity: 0.4
interventions:
  - kind: decapitation
    from: 0
    intensity: 5
    mode: kill
    targets: {largest: 2}
    actor: mexico
`

func TestParseKingpinScenario(t *testing.T) {
	sc, err := scenario.ParseScenario("k.yaml", []byte(kingpinScenario))
	if err != nil {
		t.Fatal(err)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if !w.Dynamic() || w.Network().Len() != 2 {
		t.Fatalf("dynamic %v, %d groups", w.Dynamic(), w.Network().Len())
	}
	// a ranks first (same strengths, file order); its lieutenants are as written, b's
	// from the default rule (8000/200 = 40, capped at 8) with the file's clarity.
	lead := w.InitialLeadership()
	want := []model.Leadership{{Lieutenants: 4, Clarity: 0.4, Cohesion: 1}, {Lieutenants: 8, Clarity: 0.5, Cohesion: 1}}
	if lead[0] != want[0] || lead[1] != want[1] {
		t.Errorf("leadership %+v, want %+v", lead, want)
	}
	if got := w.ExpectedInitialSizes(); got[0] != 20000 || got[1] != 8000 {
		t.Errorf("initial sizes %v", got)
	}
	if cfg := sc.Config(); cfg.Fragmentation.Clarity != 0.4 || cfg.Interventions[0].Removal != model.Kill {
		t.Errorf("config %+v", cfg)
	}
}

// TestWrittenWorldRescaled: world.initial_members with written groups keeps their shares
// and brings their total to it (20,000 and 8,000 of 28,000 at 2,800: 2,000 and 800, by
// hand), and b's lieutenants follow its new size (800/200 = 4, where its written 8,000
// gives 8; a's stay as written).
func TestWrittenWorldRescaled(t *testing.T) {
	src := strings.Replace(kingpinScenario, "world:\n", "world:\n  initial_members: 2800\n", 1)
	sc, err := scenario.ParseScenario("k.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	w, err := sc.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	if got := w.ExpectedInitialSizes(); got[0] != 2000 || got[1] != 800 {
		t.Errorf("initial sizes %v, want [2000 800]", got)
	}
	if lead := w.InitialLeadership(); lead[0].Lieutenants != 4 || lead[1].Lieutenants != 4 {
		t.Errorf("lieutenants %v and %v, want 4 (written) and 4", lead[0].Lieutenants, lead[1].Lieutenants)
	}
	zero := strings.Replace(strings.Replace(src, "members: 20000", "members: 0", 1), "members: 8000", "members: 0", 1)
	scenarioErrorCase{yaml: zero, line: 6, key: "world.initial_members", msg: "are all 0"}.check(t)
}

func TestFragmentationScenarioErrors(t *testing.T) {
	replace := replacer(t, kingpinScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown fragmentation key", replace("  clarity: 0.4", "  clearness: 0.4"), 13, "fragmentation.clearness", "unknown key"},
		{"fragmentation value not a number", replace("  clarity: 0.4", "  clarity: high"), 13, "fragmentation.clarity", "want a number"},
		{"fragmentation value out of range", replace("  clarity: 0.4", "  clarity: 1.5"), 13, "fragmentation.clarity", "in [0, 1]"},
		{"fragmentation not a mapping", replace("fragmentation:\n  clarity: 0.4", "fragmentation: [1]"), 12, "fragmentation", "mapping"},
		{"decapitation without fragmentation", replace("fragmentation:\n  clarity: 0.4\n", ""), 13, "interventions[0].kind", "needs group dynamics"},
		{"no targets", replace("    targets: {largest: 2}\n", ""), 15, "interventions[0].targets", "exactly one of"},
		{"two kinds of targets", replace("{largest: 2}", "{largest: 2, min_members: 10}"), 19, "interventions[0].targets", "exactly one of"},
		{"zero largest", replace("{largest: 2}", "{largest: 0}"), 19, "interventions[0].targets.largest", "at least 1"},
		{"unknown target", replace("{largest: 2}", "{groups: [a, zeta]}"), 19, "interventions[0].targets.groups[1]", `unknown group "zeta"`},
		{"unknown removal mode", replace("mode: kill", "mode: persuade"), 18, "interventions[0].mode", "capture or kill"},
		{"targets on another kind", replace("kind: decapitation", "kind: incapacitation"), 19, "interventions[0].targets", "takes no targets"},
		{"mean-field with fragmentation", replace("replicates: 4", "replicates: 4\nmode: meanfield"), 5, "mode", "mean-field"},
		{"dataset with groups", replace("world:\n", "world:\n  dataset: bacrim2020\n"), 6, "world.dataset", "not allowed with world.groups"},
		{"duplicate group", replace("id: b,", "id: a,"), 8, "world.groups[1].id", "duplicate"},
		{"missing members", replace(", members: 8000", ""), 8, "world.groups[1].members", "missing"},
		{"negative members", replace("members: 8000", "members: -8"), 8, "world.groups[1].members", "out of range"},
		{"lieutenants NaN", replace("lieutenants: 4", "lieutenants: .nan"), 7, "world.groups[0].lieutenants", ".nan is not a finite number"},
		{"relation to an unknown group", replace("[a, b]", "[a, c]"), 10, "world.rivalries[0].between[1]", `unknown group "c"`},
		{"relation of one group", replace("[a, b]", "[a]"), 10, "world.rivalries[0].between", "want two groups"},
		{"negative weight", replace("weight: 2", "weight: -2"), 10, "world.rivalries[0].weight", "non-negative"},
		{"intelligence above 1", replace("replicates: 4", "replicates: 4\nparameters: {intelligence: 2}"), 5, "parameters.intelligence", "[0,1]"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
	placeless := "name: p\nstart: 2025-01-05\nweeks: 4\nworld:\n  groups:\n    - {id: a, members: 500, state: SIN}\n" +
		"interventions:\n  - {kind: deployment, from: 0, intensity: 1, actor: mexico, targets: {states: [SIN]}}\n"
	scenarioErrorCase{yaml: placeless, line: 8, key: "interventions[0].kind", msg: "needs the states"}.check(t)
}

// labsScenario is a small inline world with an economy, a warm-up and the four economy
// kinds, the base of the economy error cases.
const labsScenario = `name: labs
start: 2025-01-05
weeks: 104
replicates: 4
world:
  groups:
    - {id: a, members: 5000, state: SIN}
    - {id: b, members: 3000, state: Jalisco}
  rivalries:
    - {between: [a, b], weight: 1}
  since: 2024-01-07
economy:
  rebuild_weeks: 6
interventions:
  - kind: airstrikes
    from: 2025-06-01
    to: 2026-01-04
    intensity: 3
    actor: us
    targets: {states: [SIN, DUR]}
    civilian_casualties: 0.5
  - kind: demand-reduction
    from: 10
    ramp_until: 60
    intensity: 0.3
    actor: us
  - {kind: interdiction, from: 0, intensity: 0.2, actor: mexico, targets: {states: [SON]}}
  - {kind: lab-dismantling, from: 0, intensity: 2, actor: mexico, targets: {groups: [b]}}
`

func TestParseLabsScenario(t *testing.T) {
	sc, err := scenario.ParseScenario("l.yaml", []byte(labsScenario))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	// 2024-01-07 to 2025-01-05 is 364 days: 52 weeks of warm-up.
	if cfg.WarmUpWeeks != 52 || cfg.Economy == nil || cfg.Economy.RebuildWeeks != 6 || cfg.Geography.Len() != 32 {
		t.Fatalf("warm-up %d, economy %+v", cfg.WarmUpWeeks, cfg.Economy)
	}
	strike, dr, interdict, raid := cfg.Interventions[0], cfg.Interventions[1], cfg.Interventions[2], cfg.Interventions[3]
	// 2025-06-01 is 147 days (21 weeks) after the start; 2026-01-04 is 364 days (52).
	if strike.From != 21 || strike.To != 52 || strike.Casualties != 0.5 || len(strike.Targets.States) != 2 {
		t.Errorf("airstrikes %+v", strike)
	}
	if dr.RampUntil != 60 || dr.To != model.Forever {
		t.Errorf("demand reduction %+v", dr)
	}
	if interdict.Casualties != 0 || raid.Casualties != model.DefaultCasualties(model.LabDismantling) {
		t.Errorf("casualties: interdiction %v, dismantling %v (want the default)", interdict.Casualties, raid.Casualties)
	}
	if _, err := sc.NewWorld(); err != nil {
		t.Fatal(err)
	}
}

func TestEconomyScenarioErrors(t *testing.T) {
	replace := replacer(t, labsScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown economy key", replace("  rebuild_weeks: 6", "  rebuild_days: 6"), 13, "economy.rebuild_days", "unknown key"},
		{"economy value out of range", replace("  rebuild_weeks: 6", "  rebuild_weeks: 0"), 13, "economy.rebuild_weeks", "at least 1"},
		{"economy value not a number", replace("  rebuild_weeks: 6", "  rebuild_weeks: soon"), 13, "economy.rebuild_weeks", "want a number"},
		{"border seizure of 1", replace("  rebuild_weeks: 6", "  border_seizure: 1"), 13, "economy.border_seizure", "[0, 0.99]"},
		{"unknown home state", replace("state: Jalisco", "state: Texas"), 8, "world.groups[1].state", `unknown state "Texas", not one of Mexico's 32 states`},
		{"missing home state", replace(", state: Jalisco", ""), 8, "world.groups[1].state", "missing: a world on the states places group b in its home state"},
		{"since after start", replace("since: 2024-01-07", "since: 2026-01-04"), 11, "world.since", "after the start"},
		{"since not a date", replace("since: 2024-01-07", "since: 52"), 11, "world.since", "not a date"},
		{"airstrikes without economy", replace("economy:\n  rebuild_weeks: 6\n", ""), 13, "interventions[0].kind", "add an economy section"},
		{"unknown target state", replace("[SIN, DUR]", "[SIN, Texas]"), 20, "interventions[0].targets.states[1]", `unknown state "Texas"`},
		{"states and groups", replace("{states: [SIN, DUR]}", "{states: [SIN], groups: [a]}"), 20, "interventions[0].targets", "one of them"},
		{"largest for strikes", replace("{states: [SIN, DUR]}", "{largest: 1}"), 20, "interventions[0].targets", "targets states or groups"},
		{"negative casualties", replace("civilian_casualties: 0.5", "civilian_casualties: -1"), 21, "interventions[0].civilian_casualties", "non-negative"},
		{"casualties on demand reduction", replace("    intensity: 0.3\n", "    intensity: 0.3\n    civilian_casualties: 1\n"), 26, "interventions[1].civilian_casualties", "no strikes"},
		{"demand reduction above 1", replace("intensity: 0.3", "intensity: 1.3"), 25, "interventions[1].intensity", "above 1"},
		{"ramp outside the run", replace("ramp_until: 60", "ramp_until: 600"), 24, "interventions[1].ramp_until", "outside the run"},
		{"ramp on strikes", replace("    civilian_casualties: 0.5\n", "    ramp_until: 40\n"), 21, "interventions[0].ramp_until", "only demand-reduction"},
		{"interdiction of everything", replace("intensity: 0.2", "intensity: 1"), 27, "interventions[2].intensity", "less than 1"},
		{"interdiction of groups", replace("targets: {states: [SON]}", "targets: {groups: [a]}"), 27, "interventions[2].targets", "targets states"},
		{"mean-field with an economy", replace("replicates: 4", "replicates: 4\nmode: meanfield"), 5, "mode", "mean-field"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
	placeless := "name: p\nstart: 2025-01-05\nweeks: 4\nworld:\n  groups:\n    - {id: a, members: 500, state: SIN}\n" +
		"interventions:\n  - {kind: deployment, from: 0, intensity: 1, actor: mexico, targets: {states: [SIN]}}\n"
	scenarioErrorCase{yaml: placeless, line: 8, key: "interventions[0].kind", msg: "needs the states"}.check(t)
}

// policyScenario is a small inline world with a policy section and the five policy kinds,
// the base of the policy error cases.
const policyScenario = `name: policy
start: 2025-01-05
weeks: 104
replicates: 4
world:
  groups:
    - {id: a, members: 5000, state: SIN}
    - {id: b, members: 3000, state: Jalisco}
    - {id: c, members: 1000, state: SON}
economy: {}
policy:
  corruption: 0.4
interventions:
  - {kind: cooperation, from: 0, intensity: 0.5, actor: joint}
  - {kind: precursor-control, from: 10, to: 60, intensity: 0.4, actor: mexico}
  - {kind: arms-interdiction, from: 0, intensity: 0.3, actor: us}
  - {kind: anti-corruption, from: 0, ramp_until: 52, intensity: 0.5, actor: mexico}
  - kind: ceasefire
    from: 20
    intensity: 0.9
    actor: mexico
    targets: {groups: [a, b]}
    enforced: true
    halt_shipments: true
`

func TestParsePolicyScenario(t *testing.T) {
	sc, err := scenario.ParseScenario("p.yaml", []byte(policyScenario))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	if cfg.Policy == nil || cfg.Policy.Corruption != 0.4 || cfg.Policy.GunShare != model.DefaultPolicy().GunShare {
		t.Fatalf("policy %+v", cfg.Policy)
	}
	truce, clean := cfg.Interventions[4], cfg.Interventions[3]
	if truce.Kind != model.Ceasefire || !truce.Enforced || !truce.HaltShipments || len(truce.Targets.Groups) != 2 || truce.To != model.Forever {
		t.Errorf("ceasefire %+v", truce)
	}
	if clean.RampUntil != 52 {
		t.Errorf("anti-corruption %+v", clean)
	}
	if _, err := sc.NewWorld(); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyScenarioErrors(t *testing.T) {
	replace := replacer(t, policyScenario)
	for _, c := range []scenarioErrorCase{
		{"unknown policy key", replace("  corruption: 0.4", "  bribery: 0.4"), 12, "policy.bribery", "unknown key"},
		{"corruption of 1", replace("  corruption: 0.4", "  corruption: 1"), 12, "policy.corruption", "[0, 0.99]"},
		{"policy value not a number", replace("  corruption: 0.4", "  corruption: high"), 12, "policy.corruption", "want a number"},
		{"lever without a policy", replace("policy:\n  corruption: 0.4\n", ""), 12, "interventions[0].kind", "add a policy section"},
		{"unknown kind", replace("kind: cooperation", "kind: diplomacy"), 14, "interventions[0].kind", `unknown intervention kind "diplomacy"`},
		{"cooperation above 1", replace("intensity: 0.5, actor: joint", "intensity: 1.5, actor: joint"), 14, "interventions[0].intensity", "above 1"},
		{"precursor control without economy", replace("economy: {}\n", ""), 14, "interventions[1].kind", "add an economy section"},
		{"targets on arms interdiction", replace("intensity: 0.3, actor: us}", "intensity: 0.3, actor: us, targets: {groups: [a]}}"), 16, "interventions[2].targets", "takes no targets"},
		{"ceasefire on states", replace("targets: {groups: [a, b]}", "targets: {states: [SIN]}"), 22, "interventions[4].targets", "targets groups"},
		{"ceasefire on an unknown group", replace("groups: [a, b]", "groups: [a, z]"), 22, "interventions[4].targets.groups[1]", `unknown group "z"`},
		{"enforced airstrikes", replace("{kind: arms-interdiction, from: 0, intensity: 0.3, actor: us}", "{kind: arms-interdiction, from: 0, intensity: 0.3, actor: us, enforced: true}"), 16, "interventions[2].enforced", "only ceasefire"},
		{"halting shipments by cooperation", replace("intensity: 0.5, actor: joint}", "intensity: 0.5, actor: joint, halt_shipments: true}"), 14, "interventions[0].halt_shipments", "only ceasefire"},
		{"enforced not a boolean", replace("enforced: true", "enforced: maybe"), 23, "interventions[4].enforced", `want true or false, got "maybe"`},
		{"mean-field with a policy", replace("replicates: 4", "replicates: 4\nmode: meanfield"), 5, "mode", "mean-field"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
	placeless := "name: p\nstart: 2025-01-05\nweeks: 4\nworld:\n  groups:\n    - {id: a, members: 500, state: SIN}\n" +
		"interventions:\n  - {kind: deployment, from: 0, intensity: 1, actor: mexico, targets: {states: [SIN]}}\n"
	scenarioErrorCase{yaml: placeless, line: 8, key: "interventions[0].kind", msg: "needs the states"}.check(t)
}

// everyNumber holds, in a valid context, every number a scenario can give outside the
// parameter sections (which are empty: their keys are added one at a time), so that each
// can be set to a bad value alone. Group a and intervention 1 are flow mappings, where
// several keys share a line.
const everyNumber = `name: every-number
start: 2025-01-05
weeks: 104
replicates: 4
seed: 7
world:
  groups:
    - {id: a, members: 5000, state: SIN, lieutenants: 4, clarity: 0.5, cohesion: 1}
    - id: b
      members: 3000
      state: SON
    - {id: c, members: 1000, state: DUR}
  rivalries:
    - {between: [a, b], weight: 1}
  alliances:
    - between: [a, c]
      weight: 0.5
  since: 2024-01-07
parameters:
  recruitment: 2.5e-3
  pool_recruitment: 0.01
  replacement: 0.5
  incapacitation: 110
  conflict_lethality: 1.5e-8
  saturation: 4e-8
  saturation_sharing: 0.2
  homicide_ratio: 9.7
  intelligence: 1
  baseline_hostility: 1
  adjacent_weight: 0.25
  baseline_homicide_rate: 10
  oc_homicide_ratio: 3.51
  alliance_division: 1
  deployment_violence: 0.5
  deployment_arrests: 0.001
fragmentation: {}
economy: {}
policy: {}
interventions:
  - kind: decapitation
    from: 0
    to: 52
    intensity: 5
    actor: mexico
    targets:
      min_members: 100
  - {kind: decapitation, from: 0, intensity: 5, actor: mexico, targets: {largest: 2}}
  - kind: airstrikes
    from: 0
    intensity: 3
    actor: us
    civilian_casualties: 0.5
  - kind: demand-reduction
    from: 10
    ramp_until: 60
    intensity: 0.3
    actor: us
  - {kind: breakaway, from: 20, intensity: 0.3, actor: mexico, targets: {groups: [a]}, breakaway: {id: a2, states: [SIN, SON], ceded: [SON], rivalry: 2}}
  - {kind: deployment, from: 0, to: 52, intensity: 1, actor: mexico, targets: {states: [SIN]}}
`

// numberLocations places each numeric key of the file's structure (as numericKeys names
// it, [] for any list item) in a base scenario; keys not listed are at item [0] of
// everyNumber.
var numberLocations = map[string]struct{ base, key string }{
	"world.initial_members":               {goodScenario, "world.initial_members"},
	"interventions[].civilian_casualties": {everyNumber, "interventions[2].civilian_casualties"},
	"interventions[].ramp_until":          {everyNumber, "interventions[3].ramp_until"},
	"interventions[].targets.largest":     {everyNumber, "interventions[1].targets.largest"},
	"interventions[].breakaway.rivalry":   {everyNumber, "interventions[4].breakaway.rivalry"},
}

// numericKeys lists the key of every number in a scenario file's structure, by
// reflection over the decoded types, with the kind of number: "real", "whole" (also
// seeds) or "week". A plain Go number type (float64, int) is listed too, as "real" or
// "whole": the decoder's types exist because those let NaN in or truncate 1.5.
func numericKeys(t reflect.Type, prefix string, out map[string]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeFor[scenario.RealValue]():
		out[prefix] = "real"
		return
	case reflect.TypeFor[scenario.WholeValue](), reflect.TypeFor[scenario.SeedValue]():
		out[prefix] = "whole"
		return
	case reflect.TypeFor[scenario.WeekRef]():
		out[prefix] = "week"
		return
	case reflect.TypeFor[yaml.Node]():
		return // a parameter section, read by key
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		out[prefix] = "real"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		out[prefix] = "whole"
	case reflect.Slice, reflect.Array:
		numericKeys(t.Elem(), prefix+"[]", out)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			key := tag
			if prefix != "" {
				key = prefix + "." + tag
			}
			numericKeys(f.Type, key, out)
		}
	}
}

// withValue returns base with the scalar at key (a dotted path with [i] for list items)
// set to value, and the line it is on. create adds a missing last key to its mapping.
func withValue(t *testing.T, base, key, value string, create bool) (string, int) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(base), &root); err != nil {
		t.Fatal(err)
	}
	n := find(t, &root, key, create)
	*n = yaml.Node{Kind: yaml.ScalarNode, Value: value}
	out, err := yaml.Marshal(&root)
	if err != nil {
		t.Fatal(err)
	}
	var again yaml.Node
	if err := yaml.Unmarshal(out, &again); err != nil {
		t.Fatalf("%s: %v\n%s", key, err, out)
	}
	if got := find(t, &again, key, false); got.Value != value {
		t.Fatalf("%s is %q after encoding, want %q:\n%s", key, got.Value, value, out)
	}
	return string(out), find(t, &again, key, false).Line
}

var pathPart = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

// find returns the node at key in a document's tree.
func find(t *testing.T, root *yaml.Node, key string, create bool) *yaml.Node {
	t.Helper()
	n := root.Content[0]
	parts := pathPart.FindAllStringSubmatch(key, -1)
	for pi, m := range parts {
		if m[2] != "" {
			var i int
			fmt.Sscan(m[2], &i)
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				t.Fatalf("%s: no item %d", key, i)
			}
			n = n.Content[i]
			continue
		}
		if n.Kind != yaml.MappingNode {
			t.Fatalf("%s: %s is not in a mapping", key, m[1])
		}
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == m[1] {
				next = n.Content[j+1]
			}
		}
		if next == nil {
			if !create || pi != len(parts)-1 {
				t.Fatalf("%s: no key %s in the base scenario: give it a valid value there (see numberLocations)", key, m[1])
			}
			next = &yaml.Node{Kind: yaml.ScalarNode}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: m[1]}, next)
		}
		n = next
	}
	return n
}

// Every number a scenario can give, in every section, refuses NaN, infinities, 1e308 and
// the like with an error naming its line and key; integers (weeks, replicates, seed,
// targets.largest) and week numbers refuse floats and overflow. The keys come from the
// decoder's types and the model's lists of section keys, so a new key is covered as soon
// as it exists (a struct key fails here until it is given a place in everyNumber).
func TestEveryNumberRefusesEdgeCases(t *testing.T) {
	for _, base := range []string{everyNumber, goodScenario} {
		if _, err := scenario.ParseScenario("base.yaml", []byte(base)); err != nil {
			t.Fatalf("base scenario: %v", err)
		}
	}
	type field struct{ base, key, kind string }
	var fields []field
	kinds := map[string]string{}
	numericKeys(reflect.TypeFor[scenario.ScenarioFile](), "", kinds)
	for key, kind := range kinds {
		loc, ok := numberLocations[key]
		if !ok {
			loc.base, loc.key = everyNumber, strings.ReplaceAll(key, "[]", "[0]")
		}
		fields = append(fields, field{loc.base, loc.key, kind})
	}
	for _, sec := range []struct {
		name string
		keys []string
	}{{"fragmentation", model.FragmentationFields}, {"economy", model.EconomyFields}, {"policy", model.PolicyFields}} {
		for _, k := range sec.keys {
			fields = append(fields, field{everyNumber, sec.name + "." + k, "section"})
		}
	}
	if len(fields) < 70 {
		t.Fatalf("only %d numeric keys found", len(fields))
	}
	// The message each bad value must give (besides the line and key), by kind of number.
	notFinite := "is not a finite number"
	bad := map[string][][2]string{
		"real": {{".nan", notFinite}, {".inf", notFinite}, {"-.inf", notFinite}, {"1e999", notFinite}, {"-1e999", notFinite},
			{"1e308", "1e+308"}, {"-1e308", "-1e+308"}, {"99999999999999999999", "1e+20"}},
		"whole": {{"1.5", "want a whole number, got 1.5"}, {"1e3", "want a whole number, got 1e3"}, {".nan", "want a whole number"},
			{".inf", "want a whole number"}, {"-.inf", "want a whole number"}, {"1e308", "want a whole number"},
			{"99999999999999999999", "99999999999999999999"}, {"-99999999999999999999", "-99999999999999999999"}, {"-1", "-1"}},
		"week": {{"1.5", "neither a week number nor a date"}, {".nan", "neither"}, {".inf", "neither"}, {"1e308", "neither"},
			{"99999999999999999999", "out of range"}, {"-99999999999999999999", "out of range"}, {"-1", "-1"}},
	}
	bad["section"] = bad["real"]
	for _, f := range fields {
		for _, b := range bad[f.kind] {
			t.Run(f.key+"="+b[0], func(t *testing.T) {
				text, line := withValue(t, f.base, f.key, b[0], f.kind == "section")
				scenarioErrorCase{yaml: text, line: line, key: f.key, msg: b[1]}.check(t)
			})
		}
	}
}

// A value above scenario.MaxUnbounded is refused where no documented bound is lower, and only
// there: the economy's reference_demand is documented up to 1e10.
func TestUnboundedCap(t *testing.T) {
	for _, c := range []struct {
		key, value string
		ok         bool
	}{
		{"parameters.incapacitation", "1e12", true},
		{"parameters.incapacitation", "1.0000001e12", false},
		{"economy.reference_demand", "1e10", true},
		{"economy.reference_demand", "1e11", false},
		{"fragmentation.faction_rivalry", "1e12", true},
		{"fragmentation.faction_rivalry", "2e12", false},
		{"interventions[1].targets.largest", "1000000000000", true},
		{"interventions[1].targets.largest", "1000000000001", false},
	} {
		text, line := withValue(t, everyNumber, c.key, c.value, true)
		_, err := scenario.ParseScenario("cap.yaml", []byte(text))
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %s refused: %v", c.key, c.value, err)
		case !c.ok:
			var se *scenario.ScenarioError
			if !errors.As(err, &se) || se.Line != line || se.Key != c.key || !strings.Contains(se.Msg, "the cap on numbers without a documented upper bound") &&
				!strings.Contains(se.Msg, "want a number in [1, 1e+10]") {
				t.Errorf("%s: %s gives %v, want a refusal at line %d", c.key, c.value, err, line)
			}
		}
	}
}

// -0.0 is read as 0: no negative zero reaches the model, where 1/x or a printed value
// would tell it from 0.
func TestNegativeZeroIsZero(t *testing.T) {
	text := everyNumber
	for _, key := range []string{"world.rivalries[0].weight", "parameters.recruitment", "interventions[2].civilian_casualties",
		"interventions[3].intensity", "policy.corruption"} {
		text, _ = withValue(t, text, key, "-0.0", true)
	}
	sc, err := scenario.ParseScenario("zero.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	cfg := sc.Config()
	for name, v := range map[string]float64{
		"weight": cfg.Network.Rivalry(0, 1), "recruitment": cfg.Params.Recruitment, "casualties": cfg.Interventions[2].Casualties,
		"intensity": cfg.Interventions[3].Intensity, "corruption": cfg.Policy.Corruption,
	} {
		if v != 0 || math.Signbit(v) {
			t.Errorf("%s is %v (sign bit %v), want +0", name, v, math.Signbit(v))
		}
	}
	scenarioErrorCase{"min_members -0", strings.Replace(kingpinScenario, "{largest: 2}", "{min_members: -0.0}", 1), 19,
		"interventions[0].targets.min_members", "0, want a finite positive number"}.check(t)
}

// A breakaway's new group and a deployment's states are read with their codes resolved,
// and their mistakes are one-line errors at their key.
func TestBreakawayAndDeploymentScenario(t *testing.T) {
	sc, err := scenario.ParseScenario("b.yaml", []byte(everyNumber))
	if err != nil {
		t.Fatal(err)
	}
	ivs := sc.Config().Interventions
	b, d := ivs[4], ivs[5]
	if b.Kind != model.Breakaway || b.Split == nil || b.Split.ID != "a2" || !slices.Equal(b.Split.States, []string{"SIN", "SON"}) ||
		!slices.Equal(b.Split.Ceded, []string{"SON"}) || b.Split.Rivalry != 2 || b.Intensity != 0.3 {
		t.Errorf("breakaway read as %+v (%+v)", b, b.Split)
	}
	if d.Kind != model.Deployment || !slices.Equal(d.Targets.States, []string{"SIN"}) || d.To != 52 {
		t.Errorf("deployment read as %+v", d)
	}
	replace := replacer(t, everyNumber)
	line := 1 + strings.Count(everyNumber[:strings.Index(everyNumber, "{kind: breakaway")], "\n")
	for _, c := range []scenarioErrorCase{
		{"breakaway without its group", replace(", breakaway: {id: a2, states: [SIN, SON], ceded: [SON], rivalry: 2}", ""), line, "interventions[4].breakaway", "needs its new group"},
		{"breakaway without an id", replace("{id: a2, ", "{"), line, "interventions[4].breakaway.id", "missing"},
		{"breakaway into an unknown state", replace("states: [SIN, SON]", "states: [SIN, XYZ]"), line, "interventions[4].breakaway.states[1]", "XYZ"},
		{"breakaway ceding a state it does not take", replace("ceded: [SON]", "ceded: [DUR]"), line, "interventions[4].breakaway", "not one of the new group's states"},
		{"breakaway of two groups", replace("targets: {groups: [a]}, breakaway", "targets: {groups: [a, b]}, breakaway"), line, "interventions[4].targets", "one group"},
		{"breakaway share above 1", replace("intensity: 0.3, actor: mexico, targets: {groups: [a]}", "intensity: 1.3, actor: mexico, targets: {groups: [a]}"), line, "interventions[4].intensity", "share"},
		{"deployment targeting groups", replace("targets: {states: [SIN]}}", "targets: {groups: [a]}}"), line + 1, "interventions[5].targets", "targets states"},
		{"deployment violence below -1", replace("deployment_violence: 0.5", "deployment_violence: -2"),
			1 + strings.Count(everyNumber[:strings.Index(everyNumber, "deployment_violence")], "\n"), "parameters.deployment_violence", "from -1"},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
	placeless := "name: p\nstart: 2025-01-05\nweeks: 4\nworld:\n  groups:\n    - {id: a, members: 500, state: SIN}\n" +
		"interventions:\n  - {kind: deployment, from: 0, intensity: 1, actor: mexico, targets: {states: [SIN]}}\n"
	scenarioErrorCase{yaml: placeless, line: 8, key: "interventions[0].kind", msg: "needs the states"}.check(t)
}
