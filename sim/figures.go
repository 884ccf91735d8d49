package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/cartelsim/cartelsim/model"
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
// compare` on the Compare scenarios at Horizons (dates or weeks; none: the defaults).
type FigureEntry struct {
	Name string
	// File, if set, is the copy of the output shipped in the repository (for the README),
	// kept equal to the output by UpdateFigures.
	File string
	// Command is the make target that writes the output where Output says; documentation
	// only.
	Command    string
	Scenario   string
	Overlay    []string
	Metric     string
	Compare    []string
	Horizons   []string
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

// figureKeys are the JSON keys of an entry, in the order a new key is written.
var figureKeys = []string{"name", "file", "command", "scenario", "overlay", "metric", "compare", "horizons",
	"seed", "replicates", "mode", "output", "sha256"}

// figureEntryJSON is FigureEntry as JSON, for strict decoding (unknown keys are errors).
type figureEntryJSON struct {
	Name       string   `json:"name"`
	File       string   `json:"file"`
	Command    string   `json:"command"`
	Scenario   string   `json:"scenario"`
	Overlay    []string `json:"overlay"`
	Metric     string   `json:"metric"`
	Compare    []string `json:"compare"`
	Horizons   []string `json:"horizons"`
	Seed       uint64   `json:"seed"`
	Replicates int      `json:"replicates"`
	Mode       string   `json:"mode"`
	Output     string   `json:"output"`
	SHA256     string   `json:"sha256"`
}

// MarshalJSON writes the entry's keys in the order it was read with (new keys follow in
// the order of figureKeys); optional keys that are empty and were not in the file are
// left out.
func (e FigureEntry) MarshalJSON() ([]byte, error) {
	values := map[string]any{
		"name": e.Name, "file": e.File, "command": e.Command, "scenario": e.Scenario,
		"overlay": e.Overlay, "metric": e.Metric, "compare": e.Compare, "horizons": e.Horizons, "seed": e.Seed, "replicates": e.Replicates,
		"mode": e.Mode, "output": e.Output, "sha256": e.SHA256,
	}
	optional := map[string]bool{
		"file": e.File == "", "command": e.Command == "", "scenario": e.Scenario == "",
		"overlay": len(e.Overlay) == 0, "metric": e.Metric == "",
		"compare": len(e.Compare) == 0, "horizons": len(e.Horizons) == 0,
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
			Overlay: e.Overlay, Metric: e.Metric, Compare: e.Compare, Horizons: e.Horizons, Seed: e.Seed, Replicates: e.Replicates,
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
		if e.Replicates < 1 || e.Replicates > MaxReplicates {
			return fmt.Errorf("sim: %s: replicates %d is out of range (1 to %d)", where, e.Replicates, MaxReplicates)
		}
		if _, err := model.ParseMode(e.Mode); err != nil {
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
		for _, set := range []bool{e.Scenario != "", len(e.Overlay) > 0, len(e.Compare) > 0} {
			if set {
				kinds++
			}
		}
		switch {
		case kinds == 0:
			return fmt.Errorf("sim: %s: needs a scenario, overlay scenarios and a metric, or compared scenarios", where)
		case kinds > 1:
			return fmt.Errorf("sim: %s: has more than one of a scenario, overlay scenarios and compared scenarios", where)
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
	_, _, _, err := m.plan()
	return err
}

// validateComparisonEntry checks a comparison entry: at least two scenarios, and an
// output that compare writes (the table, or the plot of the entry's metric).
func validateComparisonEntry(e FigureEntry, file string) error {
	if len(e.Compare) < 2 || slices.Contains(e.Compare, "") {
		return errors.New("a comparison needs at least two scenarios, none empty")
	}
	if file == ComparisonFile {
		if e.Metric != "" {
			return fmt.Errorf("a metric is only for a comparison's plots, not %s", ComparisonFile)
		}
		return nil
	}
	if _, ok := model.ParseMetric(e.Metric); !ok {
		return fmt.Errorf("a comparison's output is %s or %s/<metric>.png or .svg with the metric given; metric %q", ComparisonFile, PlotsDir, e.Metric)
	}
	if file != PlotsDir+"/"+e.Metric+".png" && file != PlotsDir+"/"+e.Metric+".svg" {
		return fmt.Errorf("a comparison plots %s in %s/%s.png or .svg, not %s", e.Metric, PlotsDir, e.Metric, file)
	}
	return nil
}

// checkManifestPaths refuses an entry's file and scenario paths unless each is relative,
// clean and free of "..": a manifest names files inside the repository and nothing else.
// The shipped copy must also be a file of the output's kind (a .png for a .png), so that
// --update cannot write over a source file, the manifest or anything but a figure.
func checkManifestPaths(e FigureEntry) error {
	paths := append(append([]string{e.Scenario}, e.Overlay...), e.Compare...)
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
		return refuse("it is " + fileKind(st.Mode()))
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

// figureRun is one `cartelsim run` that the manifest's entries need.
type figureRun struct {
	scenario, mode string
	seed           uint64
	replicates     int
	dir            string // under the output directory
	neededBy       string
}

func (r figureRun) same(o figureRun) bool {
	return r.scenario == o.scenario && r.mode == o.mode && r.seed == o.seed && r.replicates == o.replicates
}

func (r figureRun) String() string {
	return fmt.Sprintf("%s (seed %d, %d replicates, %s)", r.scenario, r.seed, r.replicates, r.mode)
}

// figureOverlay is one OverlayPlots call: the metrics of every overlay entry in a
// directory.
type figureOverlay struct {
	dir     string
	runs    []int // indexes into the plan's runs
	metrics []model.Metric
}

// figureComparison is one Compare call: every comparison entry in a directory.
type figureComparison struct {
	dir        string
	scenarios  []string
	horizons   []string
	seed       uint64
	replicates int
	mode       string
	metrics    []model.Metric
	neededBy   string
}

// comparisons groups the comparison entries by directory; entries sharing one must
// agree on everything but the metric.
func (m *FigureManifest) comparisons() ([]figureComparison, error) {
	var groups []figureComparison
	for _, e := range m.Figures {
		if len(e.Compare) == 0 {
			continue
		}
		dir, _, _ := splitOutput(e.Output)
		g := figureComparison{dir: dir, scenarios: e.Compare, horizons: e.Horizons, seed: e.Seed,
			replicates: e.Replicates, mode: e.Mode, neededBy: e.Name}
		k := slices.IndexFunc(groups, func(o figureComparison) bool { return o.dir == dir })
		if k < 0 {
			groups = append(groups, g)
			k = len(groups) - 1
		} else if o := groups[k]; !slices.Equal(o.scenarios, g.scenarios) || !slices.Equal(o.horizons, g.horizons) ||
			o.seed != g.seed || o.replicates != g.replicates || o.mode != g.mode {
			return nil, fmt.Errorf("sim: %s and %s need different comparisons in out/%s", o.neededBy, e.Name, dir)
		}
		if metric, ok := model.ParseMetric(e.Metric); ok && !slices.Contains(groups[k].metrics, metric) {
			groups[k].metrics = append(groups[k].metrics, metric)
		}
	}
	return groups, nil
}

// plan lists the distinct runs (each is done once however many entries read it), the
// overlay groups and the comparisons. A plain entry's run goes to out/<dir> of its
// output; a scenario that only overlays use goes to the directory named after its file,
// unless a plain entry already placed the same run.
func (m *FigureManifest) plan() ([]figureRun, []figureOverlay, []figureComparison, error) {
	var runs []figureRun
	add := func(r figureRun) (int, error) {
		for i, o := range runs {
			switch {
			case o.same(r) && (r.dir == "" || o.dir == r.dir):
				return i, nil
			case o.same(r):
				return 0, fmt.Errorf("sim: %s and %s need the same run %s in out/%s and out/%s; use one directory",
					o.neededBy, r.neededBy, r, o.dir, r.dir)
			case r.dir != "" && o.dir == r.dir:
				return 0, fmt.Errorf("sim: %s and %s need different runs in out/%s: %s and %s",
					o.neededBy, r.neededBy, r.dir, o, r)
			}
		}
		runs = append(runs, r)
		return len(runs) - 1, nil
	}
	for _, e := range m.Figures {
		if e.Scenario == "" {
			continue
		}
		dir, _, _ := splitOutput(e.Output)
		if _, err := add(figureRun{scenario: path.Clean(e.Scenario), mode: e.Mode, seed: e.Seed, replicates: e.Replicates, dir: dir, neededBy: e.Name}); err != nil {
			return nil, nil, nil, err
		}
	}
	var overlays []figureOverlay
	for _, e := range m.Figures {
		if len(e.Overlay) == 0 {
			continue
		}
		var idx []int
		for _, s := range e.Overlay {
			r := figureRun{scenario: path.Clean(s), mode: e.Mode, seed: e.Seed, replicates: e.Replicates, neededBy: e.Name}
			i, err := add(r)
			if err != nil {
				return nil, nil, nil, err
			}
			if runs[i].dir == "" {
				base := path.Base(filepath.ToSlash(s))
				runs[i].dir = strings.TrimSuffix(base, path.Ext(base))
				for j, o := range runs {
					if j != i && o.dir == runs[i].dir {
						return nil, nil, nil, fmt.Errorf("sim: %s: the run of %s would go to out/%s, which holds %s's run %s",
							e.Name, r, runs[i].dir, o.neededBy, o)
					}
				}
			}
			idx = append(idx, i)
		}
		dir, _, _ := splitOutput(e.Output)
		metric, _ := model.ParseMetric(e.Metric)
		k := -1
		for j, o := range overlays {
			if o.dir == dir {
				k = j
			}
		}
		if k < 0 {
			overlays = append(overlays, figureOverlay{dir: dir, runs: idx})
			k = len(overlays) - 1
		} else if !slices.Equal(overlays[k].runs, idx) {
			return nil, nil, nil, fmt.Errorf("sim: %s: out/%s already holds overlays of other runs", e.Name, dir)
		}
		if !slices.Contains(overlays[k].metrics, metric) {
			overlays[k].metrics = append(overlays[k].metrics, metric)
		}
	}
	for _, o := range overlays {
		for _, r := range runs {
			if r.dir == o.dir {
				return nil, nil, nil, fmt.Errorf("sim: out/%s holds both overlays and %s's run %s", o.dir, r.neededBy, r)
			}
		}
	}
	cmps, err := m.comparisons()
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range cmps {
		for _, r := range runs {
			if r.dir == c.dir {
				return nil, nil, nil, fmt.Errorf("sim: out/%s holds both a comparison and %s's run %s", c.dir, r.neededBy, r)
			}
		}
		for _, o := range overlays {
			if o.dir == c.dir {
				return nil, nil, nil, fmt.Errorf("sim: out/%s holds both a comparison and overlays", c.dir)
			}
		}
	}
	return runs, overlays, cmps, nil
}

// FigureResult is one regenerated entry.
type FigureResult struct {
	Name  string
	Path  string // the file regenerated, under outDir
	Got   string // its sha256
	Want  string // the manifest's sha256
	Match bool
}

// resolve makes a manifest path (slash-separated, relative to root; Validate refuses
// others) a file path.
func resolve(root, p string) string {
	return filepath.Join(root, filepath.FromSlash(p))
}

// figurePath is where RegenerateFigures writes an entry's output: its Output with the
// leading out/ replaced by outDir.
func figurePath(outDir string, e FigureEntry) string {
	return filepath.Join(outDir, filepath.FromSlash(strings.TrimPrefix(e.Output, "out/")))
}

// RegenerateFigures runs each distinct (scenario, mode, seed, replicates) of the
// manifest once, into outDir/<dir>/ (replacing an earlier run there), draws the overlays
// into outDir/<dir>/, and returns each entry's checksum against the manifest's, in the
// manifest's order. Scenario paths are relative to root (the repository root). The
// outputs do not depend on workers (<= 0: one per CPU), since Execute's do not. A line
// per run goes to progress, if not nil.
//
// A mismatch is a result, not an error: the caller decides whether it is a failure
// (checking) or the news (after a deliberate model change).
func RegenerateFigures(ctx context.Context, m *FigureManifest, root, outDir string, workers int, progress io.Writer) ([]FigureResult, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = io.Discard
	}
	runs, overlays, cmps, err := m.plan()
	if err != nil {
		return nil, err
	}
	scs := make([]*Scenario, len(runs)) // by run, for the overlays' intervention windows
	for i, r := range runs {
		sc, err := LoadScenario(resolve(root, r.scenario))
		if err != nil {
			return nil, err
		}
		sc.Seed, sc.Replicates = r.seed, r.replicates
		sc.Mode, _ = model.ParseMode(r.mode) // checked by Validate
		scs[i] = sc
	}
	// The runs and comparisons are independent: several at a time keep every CPU busy
	// through a run's serial stages (statistics, plots). Comparisons, the longest,
	// start first.
	progress = &lockedWriter{w: progress}
	var tasks []func(context.Context) error
	for _, c := range cmps {
		tasks = append(tasks, func(ctx context.Context) error {
			return regenerateComparison(ctx, c, root, outDir, workers, progress)
		})
	}
	for i, r := range runs {
		tasks = append(tasks, func(ctx context.Context) error {
			dir := filepath.Join(outDir, r.dir)
			fmt.Fprintf(progress, "run %d/%d: %s into %s\n", i+1, len(runs), r, dir)
			_, err := Execute(ctx, scs[i], RunOptions{OutDir: dir, Force: true, Workers: workers})
			return err
		})
	}
	jobs := workers
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	if err := runAll(ctx, jobs, tasks); err != nil {
		return nil, err
	}
	for _, o := range overlays {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		var dirs []string
		var overlaid []*Scenario
		for _, i := range o.runs {
			dirs = append(dirs, filepath.Join(outDir, runs[i].dir))
			overlaid = append(overlaid, scs[i])
		}
		dir := filepath.Join(outDir, o.dir)
		fmt.Fprintf(progress, "overlay %v of %s into %s\n", o.metrics, strings.Join(dirs, ", "), dir)
		if _, err := overlayPlots(dirs, o.metrics, dir, interventionWindows(overlaid)); err != nil {
			return nil, err
		}
	}
	results := make([]FigureResult, len(m.Figures))
	for i, e := range m.Figures {
		p := figurePath(outDir, e)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("sim: figure %s: the run did not write %s: %w", e.Name, e.Output, err)
		}
		sum := sha256.Sum256(b)
		got := hex.EncodeToString(sum[:])
		results[i] = FigureResult{Name: e.Name, Path: p, Got: got, Want: e.SHA256, Match: got == e.SHA256}
	}
	return results, nil
}

// UpdateFigures accepts regenerated outputs as the published ones: it records their
// checksums in m, copies each output that has a shipped File (relative to root) over
// it, and rewrites the manifest at manifestPath. Files whose content would not change
// are not touched, so an update with nothing new is a no-op. It returns the files it
// wrote.
func UpdateFigures(m *FigureManifest, manifestPath, root string, results []FigureResult) ([]string, error) {
	byName := map[string]FigureResult{}
	for _, r := range results {
		byName[r.Name] = r
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	dsts := make([]string, len(m.Figures))
	for i, e := range m.Figures {
		if _, ok := byName[e.Name]; !ok {
			return nil, fmt.Errorf("sim: no regenerated output for figure %s", e.Name)
		}
		if e.File != "" {
			dst, err := shippedPath(root, manifestPath, e.File)
			if err != nil {
				return nil, fmt.Errorf("%w (figure %s)", err, e.Name)
			}
			dsts[i] = dst
		}
	}
	var written []string
	for i := range m.Figures {
		e := &m.Figures[i]
		r := byName[e.Name]
		e.SHA256 = r.Got
		if e.File == "" {
			continue
		}
		b, err := os.ReadFile(r.Path)
		if err != nil {
			return written, fmt.Errorf("sim: %w", err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != r.Got {
			return written, fmt.Errorf("sim: %s changed since it was regenerated", r.Path)
		}
		dst := dsts[i]
		changed, err := writeIfChanged(dst, b)
		if err != nil {
			return written, err
		}
		if changed {
			written = append(written, dst)
		}
	}
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		return written, err
	}
	changed, err := writeIfChanged(manifestPath, buf.Bytes())
	if err != nil {
		return written, err
	}
	if changed {
		written = append(written, manifestPath)
	}
	return written, nil
}

// writeIfChanged replaces file's content with data, atomically and keeping its
// permissions (0644 for a new file, in folders it creates), unless it already holds
// data.
func writeIfChanged(file string, data []byte) (bool, error) {
	perm := fs.FileMode(0o644)
	old, err := os.ReadFile(file)
	switch {
	case err == nil && bytes.Equal(old, data):
		return false, nil
	case err == nil:
		if st, err := os.Stat(file); err == nil {
			perm = st.Mode().Perm()
		}
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("sim: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return false, fmt.Errorf("sim: %w", err)
	}
	a, err := CreateAtomic(file)
	if err != nil {
		return false, err
	}
	if err := a.f.Chmod(perm); err != nil {
		a.Abort()
		return false, fmt.Errorf("sim: %w", err)
	}
	if _, err := a.Write(data); err != nil {
		a.Abort()
		return false, fmt.Errorf("sim: writing %s: %w", filepath.Base(file), err)
	}
	return true, a.Commit()
}

// runAll runs tasks, at most jobs at a time, starting them in their order. The first
// to fail cancels the others' context, no more start, and its error is returned.
func runAll(parent context.Context, jobs int, tasks []func(context.Context) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, max(jobs, 1))
	for _, task := range tasks {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := task(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil && parent.Err() != nil {
		return fmt.Errorf("sim: %w", parent.Err())
	}
	return first
}

// lockedWriter lets tasks running at once write whole lines to one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// regenerateComparison runs one comparison of the manifest into outDir/<dir>.
func regenerateComparison(ctx context.Context, c figureComparison, root, outDir string, workers int, progress io.Writer) error {
	paths := make([]string, len(c.scenarios))
	for i, p := range c.scenarios {
		paths[i] = resolve(root, p)
	}
	scs, err := LoadScenarios(paths)
	if err != nil {
		return err
	}
	mode, _ := model.ParseMode(c.mode) // checked by Validate
	for _, sc := range scs {
		sc.Mode = mode
	}
	scs[0].Seed, scs[0].Replicates = c.seed, c.replicates
	opts := CompareOptions{OutDir: filepath.Join(outDir, c.dir), Force: true, Workers: workers, Metrics: c.metrics}
	for _, h := range c.horizons {
		w, err := scs[0].Clock.Week(h)
		if err != nil {
			return fmt.Errorf("sim: %s: horizon %w", c.neededBy, err)
		}
		opts.Horizons = append(opts.Horizons, w)
	}
	fmt.Fprintf(progress, "compare %s (seed %d, %d replicates) into %s\n", strings.Join(c.scenarios, ", "), c.seed, c.replicates, opts.OutDir)
	_, err = Compare(ctx, scs, opts)
	return err
}
