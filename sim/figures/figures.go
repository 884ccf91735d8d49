package figures

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cartelsim/cartelsim/experiment"
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/robust"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// FigureManifest lists the published figures and tables (seeds/figures.json): each is
// pinned to a scenario, seed, replicate count and mode, so that anyone can regenerate
// it byte for byte and check it against the recorded sha256.
type FigureManifest struct {
	About   string        `json:"about,omitempty"`
	Figures []FigureEntry `json:"figures"`
}

// FigureEntry is one published output. A plain entry is a file that `cartelsim run` of
// Scenario writes; an overlay entry is the plot of Metric that OverlayPlots draws from
// the runs of the Overlay scenarios (all with this entry's seed, replicates and mode); a
// comparison entry is comparison.csv, or plots/<Metric>.png or .svg, of `cartelsim
// compare` on the Compare scenarios at Horizons (dates or weeks; none: the defaults); an
// experiment entry is a file that `cartelsim experiment` of the design file Experiment
// writes (design.csv, results.csv, effects.csv, plots/), or that `cartelsim robustness`
// (robustness/) or `cartelsim discover` with the entry's Discover condition
// (discovery/<name>/) writes from it, with their default options, as make policy runs
// them.
type FigureEntry struct {
	Name string
	// File, if set, is the copy of the output shipped in the repository (for the README),
	// kept equal to the output by UpdateFigures.
	File string
	// Command is the make target that writes the output where Output says; documentation
	// only.
	Command  string
	Scenario string
	Overlay  []string
	Metric   string
	Compare  []string
	Horizons []string
	// Experiment is a design file; its Seed and Replicates must be the design's, and an
	// experiment entry has no Mode (its scenarios have theirs).
	Experiment string
	// Discover is the condition of the scenario discovery that writes the entry's
	// output, for an output under discovery/<name>/ of an experiment.
	Discover   *DiscoverCondition
	Seed       uint64
	Replicates int
	Mode       string
	// Output is out/<dir>/<file>: where the output lands in a run of the make target,
	// and, with out/ replaced by RegenerateFigures' outDir, where it is regenerated.
	// <dir> names the run of Scenario, or the overlay group.
	Output string
	SHA256 string

	// keys are the JSON keys in the order the file had them, so that rewriting the
	// manifest after a checksum update changes only the checksum lines.
	keys []string
}

// DiscoverCondition is an experiment entry's scenario discovery, as cartelsim discover
// takes it: --policy, --output, --below or --above (one of them), --relative and --clear.
type DiscoverCondition struct {
	Policy   string   `json:"policy"`
	Output   string   `json:"output"`
	Below    *float64 `json:"below,omitempty"`
	Above    *float64 `json:"above,omitempty"`
	Relative bool     `json:"relative,omitempty"`
	Clear    bool     `json:"clear,omitempty"`
}

// condition is the robust.Condition that cartelsim discover builds from the same flags.
func (c DiscoverCondition) condition() robust.Condition {
	rc := robust.Condition{Policy: c.Policy, Output: c.Output, Relative: c.Relative, Clear: c.Clear}
	if c.Above != nil {
		rc.Above, rc.Threshold = true, *c.Above
	} else if c.Below != nil {
		rc.Threshold = *c.Below
	}
	return rc
}

// figureKeys are the JSON keys of an entry, in the order a new key is written.
var figureKeys = []string{"name", "file", "command", "scenario", "overlay", "metric", "compare", "horizons",
	"experiment", "discover", "seed", "replicates", "mode", "output", "sha256"}

// figureEntryJSON is FigureEntry as JSON, for strict decoding (unknown keys are errors).
type figureEntryJSON struct {
	Name       string             `json:"name"`
	File       string             `json:"file"`
	Command    string             `json:"command"`
	Scenario   string             `json:"scenario"`
	Overlay    []string           `json:"overlay"`
	Metric     string             `json:"metric"`
	Compare    []string           `json:"compare"`
	Horizons   []string           `json:"horizons"`
	Experiment string             `json:"experiment"`
	Discover   *DiscoverCondition `json:"discover"`
	Seed       uint64             `json:"seed"`
	Replicates int                `json:"replicates"`
	Mode       string             `json:"mode"`
	Output     string             `json:"output"`
	SHA256     string             `json:"sha256"`
}

// MarshalJSON writes the entry's keys in the order it was read with (new keys follow in
// the order of figureKeys); optional keys that are empty and were not in the file are
// left out.
func (e FigureEntry) MarshalJSON() ([]byte, error) {
	values := map[string]any{
		"name": e.Name, "file": e.File, "command": e.Command, "scenario": e.Scenario,
		"overlay": e.Overlay, "metric": e.Metric, "compare": e.Compare, "horizons": e.Horizons,
		"experiment": e.Experiment, "discover": e.Discover, "seed": e.Seed, "replicates": e.Replicates,
		"mode": e.Mode, "output": e.Output, "sha256": e.SHA256,
	}
	optional := map[string]bool{
		"file": e.File == "", "command": e.Command == "", "scenario": e.Scenario == "",
		"overlay": len(e.Overlay) == 0, "metric": e.Metric == "",
		"compare": len(e.Compare) == 0, "horizons": len(e.Horizons) == 0,
		"experiment": e.Experiment == "", "discover": e.Discover == nil, "mode": e.Mode == "",
	}
	keys := append([]string(nil), e.keys...)
	for _, k := range figureKeys {
		if !slices.Contains(keys, k) && !optional[k] {
			keys = append(keys, k)
		}
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		v, err := marshalNoEscape(values[k])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%q:%s", k, v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal without the HTML escaping of <, > and &, which would
// turn a hand-written "&" in the manifest into "\u0026".
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Encode writes the manifest as seeds/figures.json is laid out: two-space indentation,
// each entry's keys in the order they were read. Loading and encoding an unchanged
// manifest gives back the same bytes.
func (m *FigureManifest) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return fmt.Errorf("sim: encoding figure manifest: %w", err)
	}
	return nil
}

// LoadFigureManifest reads and checks a figure manifest. Unknown keys are errors (a
// misspelt "replicate" would otherwise silently pin nothing), and so is an entry that
// does not say everything needed to regenerate it.
func LoadFigureManifest(file string) (*FigureManifest, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	var raw struct {
		About   string            `json:"about"`
		Figures []json.RawMessage `json:"figures"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return nil, fmt.Errorf("sim: %s: %w", file, err)
	}
	m := &FigureManifest{About: raw.About}
	for i, r := range raw.Figures {
		var e figureEntryJSON
		if err := decodeStrict(r, &e); err != nil {
			return nil, fmt.Errorf("sim: %s: figures[%d]: %w", file, i, err)
		}
		keys, err := objectKeys(r)
		if err != nil {
			return nil, fmt.Errorf("sim: %s: figures[%d]: %w", file, i, err)
		}
		m.Figures = append(m.Figures, FigureEntry{
			Name: e.Name, File: e.File, Command: e.Command, Scenario: e.Scenario,
			Overlay: e.Overlay, Metric: e.Metric, Compare: e.Compare, Horizons: e.Horizons,
			Experiment: e.Experiment, Discover: e.Discover, Seed: e.Seed, Replicates: e.Replicates,
			Mode: e.Mode, Output: e.Output, SHA256: e.SHA256, keys: keys,
		})
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("sim: %s: %s", file, strings.TrimPrefix(err.Error(), "sim: "))
	}
	return m, nil
}

// decodeStrict decodes one JSON value, rejecting unknown keys and trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the manifest's closing brace")
	}
	return nil
}

// objectKeys lists the keys of a JSON object in their order (a duplicate key is an
// error: which value would count is not obvious to a reader).
func objectKeys(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k := t.(string)
		if slices.Contains(keys, k) {
			return nil, fmt.Errorf("key %q appears twice", k)
		}
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// Validate checks that every entry can be regenerated and checked, and that no two
// entries need different runs in the same directory.
func (m *FigureManifest) Validate() error {
	if len(m.Figures) == 0 {
		return errors.New("sim: the manifest lists no figures")
	}
	names := map[string]bool{}
	outputs := map[string]string{}
	for i, e := range m.Figures {
		where := fmt.Sprintf("figures[%d]", i)
		if e.Name == "" {
			return fmt.Errorf("sim: %s: no name", where)
		}
		where += " (" + e.Name + ")"
		if names[e.Name] {
			return fmt.Errorf("sim: %s: the name is used twice", where)
		}
		names[e.Name] = true
		// A seed of 0 is a seed, so only a manifest read from a file can lack one.
		if e.keys != nil && !slices.Contains(e.keys, "seed") {
			return fmt.Errorf("sim: %s: no seed", where)
		}
		if len(e.SHA256) != 64 || strings.ToLower(e.SHA256) != e.SHA256 {
			return fmt.Errorf("sim: %s: sha256 %q is not 64 lowercase hex digits", where, e.SHA256)
		}
		if _, err := hex.DecodeString(e.SHA256); err != nil {
			return fmt.Errorf("sim: %s: sha256 %q is not 64 lowercase hex digits", where, e.SHA256)
		}
		if e.Replicates < 1 || e.Replicates > scenario.MaxReplicates {
			return fmt.Errorf("sim: %s: replicates %d is out of range (1 to %d)", where, e.Replicates, scenario.MaxReplicates)
		}
		if e.Experiment != "" {
			if e.Mode != "" {
				return fmt.Errorf("sim: %s: mode %q: an experiment's scenarios give their own mode", where, e.Mode)
			}
		} else if _, err := model.ParseMode(e.Mode); err != nil {
			return fmt.Errorf("sim: %s: mode %q: want meanfield or stochastic", where, e.Mode)
		}
		dir, file, ok := splitOutput(e.Output)
		if !ok {
			return fmt.Errorf("sim: %s: output %q is not out/<dir>/<file>", where, e.Output)
		}
		if err := checkManifestPaths(e); err != nil {
			return fmt.Errorf("sim: %s: %w", where, err)
		}
		if other, dup := outputs[e.Output]; dup {
			return fmt.Errorf("sim: %s: output %s is also %s's", where, e.Output, other)
		}
		outputs[e.Output] = e.Name
		kinds := 0
		for _, set := range []bool{e.Scenario != "", len(e.Overlay) > 0, len(e.Compare) > 0, e.Experiment != ""} {
			if set {
				kinds++
			}
		}
		switch {
		case kinds == 0:
			return fmt.Errorf("sim: %s: needs a scenario, overlay scenarios and a metric, compared scenarios, or an experiment", where)
		case kinds > 1:
			return fmt.Errorf("sim: %s: has more than one of a scenario, overlay scenarios, compared scenarios and an experiment", where)
		case e.Discover != nil && e.Experiment == "":
			return fmt.Errorf("sim: %s: a discover condition is only for experiments", where)
		case e.Experiment != "":
			if err := validateExperimentEntry(e, file); err != nil {
				return fmt.Errorf("sim: %s: %w", where, err)
			}
		case len(e.Compare) > 0:
			if err := validateComparisonEntry(e, file); err != nil {
				return fmt.Errorf("sim: %s: %w", where, err)
			}
		case len(e.Horizons) > 0:
			return fmt.Errorf("sim: %s: horizons are only for comparisons", where)
		case len(e.Overlay) > 0:
			if e.Metric == "" {
				return fmt.Errorf("sim: %s: an overlay needs a metric", where)
			}
			if _, ok := model.ParseMetric(e.Metric); !ok {
				return fmt.Errorf("sim: %s: unknown metric %q", where, e.Metric)
			}
			if file != e.Metric+".png" && file != e.Metric+".svg" {
				return fmt.Errorf("sim: %s: an overlay of %s is written to out/%s/%s.png or .svg, not %s", where, e.Metric, dir, e.Metric, e.Output)
			}
			for _, s := range e.Overlay {
				if s == "" {
					return fmt.Errorf("sim: %s: an overlay scenario is empty", where)
				}
			}
		case e.Metric != "":
			return fmt.Errorf("sim: %s: a metric is only for overlays", where)
		}
	}
	runs, overlays, cmps, err := m.plan()
	if err != nil {
		return err
	}
	_, err = m.experiments(runs, overlays, cmps)
	return err
}

// validateExperimentEntry checks an experiment entry: an output that the experiment, or
// robustness or a discovery over it, writes; a discover condition exactly for the
// discoveries.
func validateExperimentEntry(e FigureEntry, file string) error {
	if e.Metric != "" || len(e.Horizons) > 0 {
		return errors.New("a metric and horizons are not for experiments")
	}
	switch a, _ := experimentAnalysis(file); a {
	case "":
		return fmt.Errorf("an experiment's output is %s, %s, %s or %s/..., %s/%s or %s/%s/..., or %s/<name>/%s or %s/<name>/%s/..., not %s",
			experiment.DesignFile, experiment.ResultsFile, experiment.EffectsFile, experiment.PlotsDir,
			robustnessDir, robust.RobustnessFile, robustnessDir, robust.PlotsDir,
			discoveryDir, robust.DiscoveryFile, discoveryDir, robust.PlotsDir, file)
	case discoveryDir:
		if e.Discover == nil {
			return fmt.Errorf("%s is a discovery's: give its discover condition", file)
		}
		c := e.Discover
		switch {
		case c.Policy == "" || c.Output == "":
			return errors.New("a discover condition needs a policy and an output")
		case (c.Below == nil) == (c.Above == nil):
			return errors.New("a discover condition needs one of below and above")
		}
	default:
		if e.Discover != nil {
			return fmt.Errorf("a discover condition is only for the outputs under %s/<name>/, not %s", discoveryDir, file)
		}
	}
	return nil
}

// The folders of an experiment's directory that make policy's analyses write into:
// cartelsim robustness's default --out, and discover's --out under discovery/.
const (
	robustnessDir = "robustness"
	discoveryDir  = "discovery"
)

// experimentAnalysis says what writes file, a path in an experiment's directory: "the
// experiment" itself, robustnessDir, or discoveryDir and the discovery's folder name;
// "" if none does.
func experimentAnalysis(file string) (analysis, name string) {
	parts := strings.Split(file, "/")
	underPlots := func(rest []string, table string) bool {
		return len(rest) == 1 && rest[0] == table || len(rest) == 2 && rest[0] == robust.PlotsDir
	}
	switch {
	case len(parts) == 1 && slices.Contains([]string{experiment.DesignFile, experiment.ResultsFile, experiment.EffectsFile}, file),
		len(parts) == 2 && parts[0] == experiment.PlotsDir:
		return "the experiment", ""
	case parts[0] == robustnessDir && underPlots(parts[1:], robust.RobustnessFile):
		return robustnessDir, ""
	case parts[0] == discoveryDir && len(parts) > 2 && underPlots(parts[2:], robust.DiscoveryFile):
		return discoveryDir, parts[1]
	}
	return "", ""
}

// validateComparisonEntry checks a comparison entry: at least two scenarios, and an
// output that compare writes (the table, or the plot of the entry's metric).
func validateComparisonEntry(e FigureEntry, file string) error {
	if len(e.Compare) < 2 || slices.Contains(e.Compare, "") {
		return errors.New("a comparison needs at least two scenarios, none empty")
	}
	if file == sim.ComparisonFile {
		if e.Metric != "" {
			return fmt.Errorf("a metric is only for a comparison's plots, not %s", sim.ComparisonFile)
		}
		return nil
	}
	if _, ok := model.ParseMetric(e.Metric); !ok {
		return fmt.Errorf("a comparison's output is %s or %s/<metric>.png or .svg with the metric given; metric %q", sim.ComparisonFile, sim.PlotsDir, e.Metric)
	}
	if file != sim.PlotsDir+"/"+e.Metric+".png" && file != sim.PlotsDir+"/"+e.Metric+".svg" {
		return fmt.Errorf("a comparison plots %s in %s/%s.png or .svg, not %s", e.Metric, sim.PlotsDir, e.Metric, file)
	}
	return nil
}

// checkManifestPaths refuses an entry's file and scenario paths unless each is relative,
// clean and free of "..": a manifest names files inside the repository and nothing else.
// The shipped copy must also be a file of the output's kind (a .png for a .png), so that
// --update cannot write over a source file, the manifest or anything but a figure.
func checkManifestPaths(e FigureEntry) error {
	paths := append(append([]string{e.Scenario, e.Experiment}, e.Overlay...), e.Compare...)
	for _, p := range append(paths, e.File) {
		if p == "" {
			continue
		}
		if !localPath(p) {
			return fmt.Errorf("path %q must be relative to the repository, clean and without \"..\"", p)
		}
	}
	if e.File != "" && path.Ext(e.File) != path.Ext(e.Output) {
		return fmt.Errorf("file %q is not a %s file like its output %s", e.File, path.Ext(e.Output), e.Output)
	}
	return nil
}

// localPath says whether p is a slash-separated relative path that stays where it is
// joined: clean, no ".." or "." element, no backslash or volume name.
func localPath(p string) bool {
	if path.Clean(p) != p || strings.Contains(p, `\`) || !filepath.IsLocal(filepath.FromSlash(p)) {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." {
			return false
		}
	}
	return true
}

// shippedPath is where UpdateFigures may write an entry's shipped copy: root/File, which
// must lie in the manifest's own folder (seeds/ for seeds/figures.json), even after
// symbolic links are followed, and must not be a link or anything but a regular file.
func shippedPath(root, manifestPath, file string) (string, error) {
	dst := resolve(root, file)
	refuse := func(why string) (string, error) {
		return "", fmt.Errorf("sim: will not write %s: %s", dst, why)
	}
	base, err := filepath.Abs(filepath.Dir(manifestPath))
	if err != nil {
		return "", fmt.Errorf("sim: %w", err)
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return "", fmt.Errorf("sim: %w", err)
	}
	if rel, err := filepath.Rel(base, abs); err != nil || !filepath.IsLocal(rel) {
		return refuse("shipped files must lie in the manifest's folder " + base)
	}
	if abs == filepath.Join(base, filepath.Base(manifestPath)) {
		return refuse("it is the manifest")
	}
	if st, err := os.Lstat(abs); err == nil && !st.Mode().IsRegular() {
		return refuse("it is " + scenario.FileKind(st.Mode()))
	}
	// Follow links: the deepest folder that exists must still be in the manifest's.
	realBase, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", fmt.Errorf("sim: %w", err)
	}
	dir := filepath.Dir(abs)
	for {
		if _, err := os.Lstat(dir); err == nil || dir == base {
			break
		}
		dir = filepath.Dir(dir)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("sim: %w", err)
	}
	if rel, err := filepath.Rel(realBase, realDir); err != nil || !(rel == "." || filepath.IsLocal(rel)) {
		return refuse("its folder leads, through a symbolic link, to " + realDir + ", outside the manifest's folder")
	}
	return dst, nil
}

// splitOutput splits out/<dir>/<file> (file may have folders), refusing paths that
// would escape the output directory.
func splitOutput(output string) (dir, file string, ok bool) {
	parts := strings.SplitN(output, "/", 3)
	if len(parts) != 3 || parts[0] != "out" || path.Clean(output) != output {
		return "", "", false
	}
	for _, p := range strings.Split(output, "/") {
		if p == ".." || p == "." {
			return "", "", false
		}
	}
	return parts[1], parts[2], true
}
