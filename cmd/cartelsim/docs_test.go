package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/cartelsim/cartelsim/sim"
)

// The commands of the documentation, as a reader copies them: every line of a ```sh block
// in README.md and docs/*.md. A cartelsim command (`cartelsim ...`, `./cartelsim ...` or
// `go run ./cmd/cartelsim ...`) runs in-process, in a scratch directory that links the
// repository's files, and must succeed; a long one (docLongCommands) is only parsed, and
// the files it names must exist. `make T` needs a target T in the Makefile, `cmp A B`
// needs A and B to hold the same bytes, and `go build -o cartelsim ./cmd/cartelsim` is
// what the in-process runs stand for. Anything else (a scheduler, a benchmark) must be in
// docNotRun with the reason. An entry of either list that no document holds any longer
// fails too, so the lists cannot rot.

// docLongCommands take more than a few seconds on two cores: they are parsed and their
// files checked, not run.
var docLongCommands = map[string]string{
	"go run ./cmd/cartelsim run scenarios/prieto-curiel-2023/halve-recruitment.yaml --force":  "400 replicates of 780 weeks",
	"cartelsim experiment experiments/strikes-rebuild.yaml --out out/strikes-rebuild --force": "400 replicates of five years: make experiment, a minute",
	"cartelsim experiment experiments/policy-lhs.yaml --out out/policy-lhs --workers 2":       "5,120 replicates: a quarter of an hour",
	"cartelsim figures --out out/figures --check":                                             "every published output: make figures, minutes",
	"cartelsim robustness out/strikes-rebuild --metric supply --metric homicides":             "reads make experiment's output",
	"cartelsim discover out/strikes-rebuild --output supply_2027 --below -2e7":                "reads make experiment's output",
	"cartelsim discover out/strikes-rebuild --output supply_2027 --below -10 --relative":      "reads make experiment's output",
	"cartelsim discover out/strikes-rebuild --output homicides_2027 --above 0 --clear":        "reads make experiment's output",

	// docs/sensitivity.md
	"cartelsim experiment experiments/sensitivity-policy.yaml --out out/sensitivity-policy --workers 2":         "15,360 replicates: about 40 minutes",
	"cartelsim sensitivity out/sensitivity-policy":                                                              "reads the experiment above's output",
	"cartelsim experiment experiments/sensitivity-calibrated.yaml --out out/sensitivity-calibrated --workers 2": "15,360 replicates: about 45 minutes",
	"cartelsim sensitivity out/sensitivity-calibrated":                                                          "reads the experiment above's output",
	"cartelsim report out/compare-policy --out out/compare-policy.html --force":                                 "needs make policy's output: minutes",
	"cartelsim report out/strikes-rebuild --out out/strikes-rebuild.html --force":                               "needs make experiment's output: a minute",

	// docs/results.md, "Does crowding change the answers?"
	"go run ./cmd/cartelsim calibrate calibrations/mexico-2006-paper-crowding.yaml --out out/calibrate-paper-crowding --workers 2": "a calibration: about twenty minutes",
	"go run ./cmd/cartelsim compare scenarios/policy/status-quo.yaml scenarios/policy/kingpin.yaml scenarios/policy/demand-reduction.yaml scenarios/policy/anti-recruitment.yaml --horizon 2027-01-03 --horizon 2030-01-06 --horizon 2034-01-01 --metrics homicides,members --replicates 60 --posterior out/calibrate-paper-crowding/posterior.csv --set parameters.saturation=4e-08 --set parameters.saturation_sharing=0 --out out/crowding-paper": "reads the calibration above's output; 60 replicates: half a minute",
	"go run ./cmd/cartelsim calibrate calibrations/mexico-2006-crowding-replacement.yaml --out out/calibrate-crowding-replacement --workers 2": "a calibration: about twenty minutes",
	"go run ./cmd/cartelsim compare scenarios/policy/status-quo.yaml scenarios/policy/kingpin.yaml scenarios/policy/demand-reduction.yaml scenarios/policy/anti-recruitment.yaml --horizon 2027-01-03 --horizon 2030-01-06 --horizon 2034-01-01 --metrics homicides,members --replicates 60 --posterior out/calibrate-crowding-replacement/posterior.csv --out out/crowding-variant":                                                                           "reads the calibration above's output; 60 replicates: half a minute",
	"go run ./cmd/cartelsim compare scenarios/policy/status-quo.yaml scenarios/policy/kingpin.yaml scenarios/policy/demand-reduction.yaml scenarios/policy/anti-recruitment.yaml --horizon 2027-01-03 --horizon 2030-01-06 --horizon 2034-01-01 --metrics homicides,members --replicates 60 --posterior out/calibrate-paper-crowding/posterior.csv --set parameters.saturation=4e-08 --set parameters.saturation_sharing=0.73 --out out/crowding-sharing-only": "reads the calibration above's output; 60 replicates: half a minute",
	"go run ./cmd/cartelsim compare scenarios/policy/status-quo.yaml scenarios/policy/kingpin.yaml scenarios/policy/demand-reduction.yaml scenarios/policy/anti-recruitment.yaml --horizon 2027-01-03 --horizon 2030-01-06 --horizon 2034-01-01 --metrics homicides,members --replicates 60 --posterior calibrations/mexico-2006/posterior.csv --out out/crowding-shipped":                                                                                     "60 replicates of the 18-year history and nine years: half a minute",
}

// docNotRun are documented commands this test cannot run, with the reason.
var docNotRun = map[string]string{
	"GOOS=darwin GOARCH=arm64 go build -o cartelsim ./cmd/cartelsim":                                                                   "a cross-build (it would overwrite this platform's binary): make cross builds every platform",
	"GOOS=windows GOARCH=amd64 go build -o cartelsim.exe ./cmd/cartelsim":                                                              "a cross-build: make cross builds every platform",
	"CARTELSIM_SHARDS=4 CARTELSIM_REPLICATES=400 deploy/slurm/submit.sh scenarios/prieto-curiel-2023/baseline.yaml out/slurm-baseline": "needs a Slurm cluster: make slurm-test runs it on a one-node cluster",
	"squeue --me": "needs a Slurm cluster",
	"grep '\"complete\"' out/slurm-baseline/merged/manifest.json":                          "reads the Slurm job's output",
	"go test ./sim -run '^$' -bench PolicyComparison -benchtime 2x -count 6":               "a benchmark of minutes",
	"go test ./experiment -run '^$' -bench ExperimentPolicyLHS -benchtime 1x -timeout 60m": "a benchmark of a quarter of an hour",
	"go test ./experiment -run '^$' -bench ExperimentSmall -benchtime 1x":                  "a benchmark of several seconds",
}

// docCommand is one command line of a ```sh block.
type docCommand struct {
	file string
	line int
	text string
}

func (c docCommand) String() string { return fmt.Sprintf("%s:%d: %s", c.file, c.line, c.text) }

// docFiles are README.md and docs/*.md, relative to the repository's root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	more, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range more {
		files = append(files, filepath.ToSlash(strings.TrimPrefix(f, "../../")))
	}
	return files
}

// shCommands returns the command lines of the ```sh blocks of text: comment lines and
// blank lines dropped, a leading "$ " removed, lines ending in a backslash joined.
func shCommands(file, text string) ([]docCommand, error) {
	var out []docCommand
	in := false
	var pending string
	start := 0
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			if in && trimmed == "```" {
				in = false
				if pending != "" {
					return nil, fmt.Errorf("%s:%d: a ```sh block ends inside a continued line", file, start)
				}
				continue
			}
			in = trimmed == "```sh"
			continue
		}
		if !in {
			continue
		}
		if pending == "" {
			start = n
			trimmed = strings.TrimPrefix(trimmed, "$ ")
		}
		if cont, ok := strings.CutSuffix(trimmed, "\\"); ok {
			pending += strings.TrimSpace(cont) + " "
			continue
		}
		trimmed = pending + trimmed
		pending = ""
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		out = append(out, docCommand{file, start, trimmed})
	}
	if in {
		return nil, fmt.Errorf("%s: a ```sh block is not closed", file)
	}
	return out, sc.Err()
}

// shWord is a word of a command line, and whether any of it was quoted (a quoted word is
// not a glob).
type shWord struct {
	text   string
	quoted bool
}

// shSplit splits a command line into simple commands (separated by && or ;) of words, as
// the shell would for the little the documentation uses: single and double quotes, a
// backslash escape, and a trailing # comment. Pipes, redirections, substitutions and
// variables are refused, so a document that needs them lists the command in docNotRun.
func shSplit(line string) ([][]shWord, error) {
	var cmds [][]shWord
	var cmd []shWord
	var w strings.Builder
	inWord, quoted := false, false
	endWord := func() {
		if inWord {
			cmd = append(cmd, shWord{w.String(), quoted})
		}
		w.Reset()
		inWord, quoted = false, false
	}
	endCmd := func() error {
		endWord()
		if len(cmd) == 0 {
			return fmt.Errorf("an empty command in %q", line)
		}
		cmds = append(cmds, cmd)
		cmd = nil
		return nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			endWord()
		case c == '#' && !inWord:
			i = len(line)
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("an unclosed ' in %q", line)
			}
			w.WriteString(line[i+1 : i+1+j])
			inWord, quoted = true, true
			i += j + 1
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("an unclosed \" in %q", line)
			}
			s := line[i+1 : i+1+j]
			if strings.ContainsAny(s, "$`\\") {
				return nil, fmt.Errorf("a double-quoted word with $, ` or \\ in %q", line)
			}
			w.WriteString(s)
			inWord, quoted = true, true
			i += j + 1
		case c == '\\' && i+1 < len(line):
			w.WriteByte(line[i+1])
			inWord, quoted = true, true
			i++
		case c == '&' && strings.HasPrefix(line[i:], "&&"):
			if err := endCmd(); err != nil {
				return nil, err
			}
			i++
		case c == ';':
			if err := endCmd(); err != nil {
				return nil, err
			}
		case strings.IndexByte("|&<>$`(){}", c) >= 0:
			return nil, fmt.Errorf("shell syntax %q the test does not run, in %q", c, line)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if err := endCmd(); err != nil {
		return nil, err
	}
	return cmds, nil
}

// forLoop matches the one loop the documentation may use: for V in a b c; do ...; done.
var forLoop = regexp.MustCompile(`^for ([a-z]+) in ([^;]+); do (.+); done$`)

// expandLoop returns the loop's body once for each value, with $V and ${V} replaced, or
// the line itself when it is no loop.
func expandLoop(line string) []string {
	m := forLoop.FindStringSubmatch(line)
	if m == nil {
		return []string{line}
	}
	var out []string
	for _, v := range strings.Fields(m[2]) {
		out = append(out, strings.NewReplacer("${"+m[1]+"}", v, "$"+m[1], v).Replace(m[3]))
	}
	return out
}

// cartelsimArgs returns the arguments of a cartelsim command, or ok false for another
// command.
func cartelsimArgs(words []string) (args []string, ok bool) {
	switch {
	case len(words) > 0 && (words[0] == "cartelsim" || words[0] == "./cartelsim"):
		return words[1:], true
	case len(words) > 2 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/cartelsim":
		return words[3:], true
	}
	return nil, false
}

// makeTargets are the Makefile's targets.
func makeTargets(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^([A-Za-z0-9_-]+):`).FindAllStringSubmatch(string(b), -1) {
		targets[m[1]] = true
	}
	return targets
}

// scratchRepo makes a directory that links every top-level entry of the repository but
// out/, so the documented commands find scenarios/, experiments/, seeds/ and deploy/ as
// they would at the root, and write their out/ there.
func scratchRepo(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, e := range entries {
		switch e.Name() {
		case "out", ".git", "cartelsim":
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Skipf("cannot link the repository into a scratch directory: %v", err)
		}
	}
	return dir
}

func TestDocCommands(t *testing.T) {
	var all []docCommand
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(filepath.Join("../..", file))
		if err != nil {
			t.Fatal(err)
		}
		cmds, err := shCommands(file, string(b))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cmds...)
	}
	if len(all) < 20 {
		t.Fatalf("found %d commands in the documents' ```sh blocks, want at least 20", len(all))
	}
	// The README's two commands, as they are.
	for _, want := range []string{"make run", "make test"} {
		if !slices.ContainsFunc(all, func(c docCommand) bool {
			f := strings.Fields(c.text)
			return c.file == "README.md" && len(f) >= 2 && f[0]+" "+f[1] == want && (len(f) == 2 || f[2] == "#")
		}) {
			t.Errorf("README.md has no ```sh line %q", want)
		}
	}
	targets := makeTargets(t)
	seen, done := map[string]bool{}, map[string]bool{}
	dir := scratchRepo(t)
	t.Chdir(dir)
	failed := "" // a document whose command failed: its later commands may lack their input
	for _, c := range all {
		if _, ok := docNotRun[c.text]; ok {
			seen[c.text] = true
			continue
		}
		for _, line := range expandLoop(c.text) {
			cmds, err := shSplit(line)
			if err != nil {
				t.Errorf("%v: %v (list it in docNotRun, with the reason)", c, err)
				continue
			}
			for _, words := range cmds {
				text := words2text(words)
				if _, ok := docLongCommands[text]; ok {
					seen[text] = true
					checkLongCommand(t, c, words)
					continue
				}
				if c.file == failed {
					continue
				}
				if !runDocCommand(t, c, expandGlobs(t, words), targets, done) {
					failed = c.file
				}
			}
		}
	}
	for _, list := range []map[string]string{docLongCommands, docNotRun} {
		for text := range list {
			if !seen[text] {
				t.Errorf("no document has the command %q any longer: remove it from the test's lists", text)
			}
		}
	}
}

// words2text is the command line the lists name: the words joined by spaces, quotes as the
// document wrote them only where a word has a space.
func words2text(words []shWord) string {
	s := make([]string, len(words))
	for i, w := range words {
		s[i] = w.text
	}
	return strings.Join(s, " ")
}

// expandGlobs replaces each unquoted word with a * by the files it matches, in order.
func expandGlobs(t *testing.T, words []shWord) []string {
	var out []string
	for _, w := range words {
		if w.quoted || !strings.Contains(w.text, "*") {
			out = append(out, w.text)
			continue
		}
		m, err := filepath.Glob(w.text)
		if err != nil || len(m) == 0 {
			t.Errorf("%q matches no file", w.text)
		}
		out = append(out, m...)
	}
	return out
}

// checkLongCommand parses a long cartelsim command and checks that the files it names are
// there.
func checkLongCommand(t *testing.T, c docCommand, words []shWord) {
	s := make([]string, len(words))
	for i, w := range words {
		s[i] = w.text
	}
	args, ok := cartelsimArgs(s)
	if !ok {
		return
	}
	inv, err := parseArgs(args)
	if err != nil {
		t.Errorf("%v: %v", c, err)
		return
	}
	for _, a := range inv.args {
		if strings.HasSuffix(a, ".yaml") || strings.HasSuffix(a, ".json") {
			if _, err := os.Stat(a); err != nil {
				t.Errorf("%v: %v", c, err)
			}
		}
	}
}

// runDocCommand runs one simple command and reports whether it succeeded.
func runDocCommand(t *testing.T, c docCommand, words []string, targets map[string]bool, done map[string]bool) bool {
	if args, ok := cartelsimArgs(words); ok {
		key := strings.Join(args, "\x00")
		if done[key] {
			return true // the same command ran before, from the same directory: it does the same
		}
		done[key] = true
		var stdout, stderr bytes.Buffer
		start := time.Now()
		defer func() { t.Logf("%v: %v", c, time.Since(start).Round(time.Millisecond)) }()
		if status := cli(args, &stdout, &stderr); status != exitOK {
			t.Errorf("%v: status %d: %s", c, status, strings.TrimSpace(stderr.String()))
			return false
		}
		return true
	}
	switch {
	case len(words) > 1 && words[0] == "make":
		for _, target := range words[1:] {
			if !targets[target] {
				t.Errorf("%v: the Makefile has no target %q", c, target)
			}
		}
	case slices.Equal(words, []string{"go", "build", "-o", "cartelsim", "./cmd/cartelsim"}):
		// The binary the next commands use: they run in-process here.
	case len(words) == 3 && words[0] == "cmp":
		a, errA := os.ReadFile(words[1])
		b, errB := os.ReadFile(words[2])
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%v: the files differ (%v, %v)", c, errA, errB)
			return false
		}
	case words[0] == "echo":
	default:
		t.Errorf("%v: %q is not a command this test runs: list it in docNotRun or docLongCommands, with the reason", c, strings.Join(words, " "))
	}
	return true
}

// The splitter reads the documentation's shell as the shell would.
func TestShSplit(t *testing.T) {
	for line, want := range map[string]string{
		`cartelsim check a.yaml --set 'interventions[1].intensity=2'`: `[[cartelsim check a.yaml --set interventions[1].intensity=2]]`,
		`cmp a b && echo identical`:                                   `[[cmp a b] [echo identical]]`,
		`cartelsim list groups   # the groups`:                        `[[cartelsim list groups]]`,
		`grep "x y" f; echo z`:                                        `[[grep x y f] [echo z]]`,
	} {
		cmds, err := shSplit(line)
		var got [][]string
		for _, c := range cmds {
			var s []string
			for _, w := range c {
				s = append(s, w.text)
			}
			got = append(got, s)
		}
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("shSplit(%q) = %v, %v; want %s", line, got, err, want)
		}
	}
	for _, line := range []string{"cartelsim run a.yaml | tee log", "echo $HOME", "cartelsim run a.yaml > log", "echo 'open", "a && && b"} {
		if _, err := shSplit(line); err == nil {
			t.Errorf("shSplit(%q) accepted it", line)
		}
	}
	got := expandLoop("for k in 0 1; do ./cartelsim run a.yaml --shard $k --out s-${k}; done")
	if want := []string{"./cartelsim run a.yaml --shard 0 --out s-0", "./cartelsim run a.yaml --shard 1 --out s-1"}; !slices.Equal(got, want) {
		t.Errorf("expandLoop: %q, want %q", got, want)
	}
	cmds, err := shCommands("x.md", "text\n```sh\n# a comment\n$ cartelsim run a.yaml \\\n  --out b\nmake test\n```\n```\ncartelsim not this\n```\n")
	if err != nil || len(cmds) != 2 || cmds[0].text != "cartelsim run a.yaml --out b" || cmds[0].line != 4 || cmds[1].text != "make test" {
		t.Errorf("shCommands: %v, %v", cmds, err)
	}
}

// CITATION.cff is the Citation File Format 1.2.0 file of this version, under the licence
// of LICENSE, citing the paper whose model the core is. (Validated against the CFF 1.2.0
// JSON schema when it was written; this checks what drifts: the version and the licence.)
func TestCitationFile(t *testing.T) {
	b, err := os.ReadFile("../../CITATION.cff")
	if err != nil {
		t.Fatal(err)
	}
	var cff struct {
		CFFVersion     string `yaml:"cff-version"`
		Title          string `yaml:"title"`
		Authors        []struct{ Name string }
		Version        string `yaml:"version"`
		DateReleased   string `yaml:"date-released"`
		License        string `yaml:"license"`
		RepositoryCode string `yaml:"repository-code"`
		References     []struct {
			DOI     string `yaml:"doi"`
			Journal string `yaml:"journal"`
			Volume  int    `yaml:"volume"`
			Start   int    `yaml:"start"`
		} `yaml:"references"`
	}
	if err := yaml.Unmarshal(b, &cff); err != nil {
		t.Fatalf("CITATION.cff: %v", err)
	}
	if cff.CFFVersion != "1.2.0" || cff.Title == "" || len(cff.Authors) != 1 || cff.Authors[0].Name != "cartelsim developers" {
		t.Errorf("CITATION.cff: cff-version %q, title %q, authors %+v", cff.CFFVersion, cff.Title, cff.Authors)
	}
	if cff.Version != sim.Version {
		t.Errorf("CITATION.cff is for version %q, cartelsim is %s", cff.Version, sim.Version)
	}
	if _, err := time.Parse(time.DateOnly, cff.DateReleased); err != nil {
		t.Errorf("CITATION.cff date-released: %v", err)
	}
	if !strings.HasPrefix(cff.RepositoryCode, "https://github.com/cartelsim/cartelsim") {
		t.Errorf("CITATION.cff repository-code %q is not the module's repository", cff.RepositoryCode)
	}
	license, err := os.ReadFile("../../LICENSE")
	if err != nil || cff.License != "MIT" || !strings.HasPrefix(string(license), "MIT License\n") {
		t.Errorf("CITATION.cff licence %q, LICENSE %.20q (%v): want MIT in both", cff.License, license, err)
	}
	if len(cff.References) != 1 || cff.References[0].DOI != "10.1126/science.adh2888" || cff.References[0].Journal != "Science" ||
		cff.References[0].Volume != 381 || cff.References[0].Start != 1312 {
		t.Errorf("CITATION.cff references %+v, want Prieto-Curiel, Campedelli & Hope 2023, Science 381:1312", cff.References)
	}
}

// docs/cli.md is the reference of every command and flag: each command's synopsis line
// and each flag's long name are in it.
func TestCLIDocNamesEveryFlag(t *testing.T) {
	b, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range commands() {
		if !strings.Contains(doc, "cartelsim "+c.usage()) && !strings.Contains(doc, "cartelsim "+c.name()+" ") {
			t.Errorf("docs/cli.md has no synopsis of %q", c.name())
		}
		fs := pflag.NewFlagSet(c.name(), pflag.ContinueOnError)
		c.register(fs)
		fs.VisitAll(func(f *pflag.Flag) {
			if !regexp.MustCompile(`--` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(doc) {
				t.Errorf("docs/cli.md does not name the flag --%s of %s", f.Name, c.name())
			}
		})
	}
}

// docsFromOtherBranches are pages of docs/ that other work on the same issue adds; a link
// to one is not an error until then.
var docsFromOtherBranches = map[string]bool{}

// headingAnchor is the anchor GitHub gives a heading: lower case, letters, digits, '_'
// and '-' kept, spaces as '-', anything else dropped.
func headingAnchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Every relative link and image of README.md and docs/*.md points at a file that is
// there, and every #anchor at a heading of its page.
func TestDocLinks(t *testing.T) {
	fence := regexp.MustCompile("(?ms)^\\s*```.*?^\\s*```")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading := regexp.MustCompile(`(?m)^#+ (.+)$`)
	files := docFiles(t)
	text := map[string]string{}
	anchors := map[string]map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		text[f] = fence.ReplaceAllString(string(b), "")
		anchors[f] = map[string]bool{}
		for _, m := range heading.FindAllStringSubmatch(text[f], -1) {
			anchors[f][headingAnchor(m[1])] = true
		}
	}
	links := 0
	for _, f := range files {
		for _, m := range link.FindAllStringSubmatch(text[f], -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links++
			path, anchor, _ := strings.Cut(target, "#")
			page := f
			if path != "" {
				page = filepath.ToSlash(filepath.Join(filepath.Dir(f), path))
				if docsFromOtherBranches[page] {
					continue
				}
				if _, err := os.Stat(filepath.Join("../..", page)); err != nil {
					t.Errorf("%s: the link %s: %v", f, target, err)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(page, ".md") && !anchors[page][anchor] {
				t.Errorf("%s: the link %s: %s has no heading with the anchor #%s", f, target, page, anchor)
			}
		}
	}
	if links < 30 {
		t.Errorf("found %d relative links in the documents, want at least 30", links)
	}
}

// The README is a front door a newcomer reads in minutes, and no document sends a reader
// to a planning file for a source.
func TestDocsFrontDoor(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > 250 {
		t.Errorf("README.md has %d lines; keep it under 250 and move the rest to docs/", n)
	}
	for _, f := range append(docFiles(t), "CITATION.cff") {
		b, err := os.ReadFile(filepath.Join("../..", f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToUpper(string(b)), "DESIGN.MD") {
			t.Errorf("%s cites a planning file: a source is a publication or a data set, or the value is an assumption", f)
		}
	}
}

// The rows of docs/bad-input.md whose example is a whole command on its small.yaml (or on
// a file every machine has) give the error and the exit status the row says, to the byte.
// The other rows need a file, a mount or a limit described in words.
func TestBadInputTable(t *testing.T) {
	b, err := os.ReadFile("../../docs/bad-input.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, small, ok := strings.Cut(doc, "Each row below is a real run on this `small.yaml`")
	if !ok {
		t.Fatal("docs/bad-input.md has no small.yaml")
	}
	_, small, _ = strings.Cut(small, "```yaml\n")
	small, _, _ = strings.Cut(small, "```")
	t.Chdir(t.TempDir())
	if err := os.WriteFile("small.yaml", []byte(small), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	row := regexp.MustCompile("(?m)^\\| [^|]+ \\| `(cartelsim [^`]+)` \\| `([^`]+)`[^|]* \\| ([0-9]+) \\|$")
	ran := 0
	for _, m := range row.FindAllStringSubmatch(doc, -1) {
		cmds, err := shSplit(m[1])
		if err != nil || len(cmds) != 1 {
			t.Errorf("%q: %v", m[1], err)
			continue
		}
		var args []string
		for _, w := range cmds[0][1:] {
			args = append(args, w.text)
		}
		runnable := true
		for _, a := range args {
			if strings.HasSuffix(a, ".yaml") || strings.HasPrefix(a, "/") {
				if _, err := os.Stat(a); err != nil {
					runnable = false
				}
			}
		}
		if !runnable || slices.Contains(args, "--out") && !strings.HasSuffix(m[1], "--out") {
			continue // a row about an output directory: it needs the directory described
		}
		ran++
		var stdout, stderr bytes.Buffer
		status := cli(args, &stdout, &stderr)
		if got := strings.TrimSpace(stderr.String()); got != m[2] || fmt.Sprint(status) != m[3] {
			t.Errorf("%s: status %d, stderr %q; docs/bad-input.md says status %s, %q", m[1], status, got, m[3], m[2])
		}
	}
	if ran < 12 {
		t.Errorf("ran %d rows of docs/bad-input.md, want at least 12", ran)
	}
}
