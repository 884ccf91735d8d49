package figures

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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

	"github.com/cartelsim/cartelsim/experiment"
	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/robust"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

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

// figureExperiment is one `cartelsim experiment` (every experiment entry in a
// directory), with the analyses make policy runs on it that the entries need.
type figureExperiment struct {
	dir         string
	design      string
	seed        uint64
	replicates  int
	robustness  bool
	discoveries []figureDiscovery
	neededBy    string
}

// figureDiscovery is one `cartelsim discover` into <dir>/discovery/<name>.
type figureDiscovery struct {
	name     string
	cond     DiscoverCondition
	neededBy string
}

// experiments groups the experiment entries by directory (entries sharing one must agree
// on the design, seed and replicates, and those sharing a discovery on its condition),
// and refuses a directory that a run, an overlay or a comparison also writes.
func (m *FigureManifest) experiments(runs []figureRun, overlays []figureOverlay, cmps []figureComparison) ([]figureExperiment, error) {
	var groups []figureExperiment
	for _, e := range m.Figures {
		if e.Experiment == "" {
			continue
		}
		dir, file, _ := splitOutput(e.Output)
		g := figureExperiment{dir: dir, design: path.Clean(e.Experiment), seed: e.Seed, replicates: e.Replicates, neededBy: e.Name}
		k := slices.IndexFunc(groups, func(o figureExperiment) bool { return o.dir == dir })
		if k < 0 {
			for _, r := range runs {
				if r.dir == dir {
					return nil, fmt.Errorf("sim: out/%s holds both an experiment and %s's run %s", dir, r.neededBy, r)
				}
			}
			for _, o := range overlays {
				if o.dir == dir {
					return nil, fmt.Errorf("sim: out/%s holds both an experiment and overlays", dir)
				}
			}
			for _, c := range cmps {
				if c.dir == dir {
					return nil, fmt.Errorf("sim: out/%s holds both an experiment and %s's comparison", dir, c.neededBy)
				}
			}
			groups = append(groups, g)
			k = len(groups) - 1
		} else if o := groups[k]; o.design != g.design || o.seed != g.seed || o.replicates != g.replicates {
			return nil, fmt.Errorf("sim: %s and %s need different experiments in out/%s", o.neededBy, e.Name, dir)
		}
		switch analysis, name := experimentAnalysis(file); analysis {
		case robustnessDir:
			groups[k].robustness = true
		case discoveryDir:
			d := figureDiscovery{name: name, cond: *e.Discover, neededBy: e.Name}
			i := slices.IndexFunc(groups[k].discoveries, func(o figureDiscovery) bool { return o.name == name })
			switch {
			case i < 0:
				groups[k].discoveries = append(groups[k].discoveries, d)
			case groups[k].discoveries[i].cond.condition() != d.cond.condition():
				return nil, fmt.Errorf("sim: %s and %s need different discoveries in out/%s/%s/%s", groups[k].discoveries[i].neededBy, e.Name, dir, discoveryDir, name)
			}
		}
	}
	return groups, nil
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
	exps, err := m.experiments(runs, overlays, cmps)
	if err != nil {
		return nil, err
	}
	designs := make([]*experiment.Design, len(exps))
	for i, x := range exps {
		d, err := experiment.LoadDesign(resolve(root, x.design))
		if err != nil {
			return nil, err
		}
		if d.Seed != x.seed || d.Replicates != x.replicates {
			return nil, fmt.Errorf("sim: %s: %s has seed %d and %d replicates, the manifest pins seed %d and %d replicates",
				x.neededBy, x.design, d.Seed, d.Replicates, x.seed, x.replicates)
		}
		designs[i] = d
	}
	scs := make([]*scenario.Scenario, len(runs)) // by run, for the overlays' intervention windows
	for i, r := range runs {
		sc, err := scenario.LoadScenario(resolve(root, r.scenario))
		if err != nil {
			return nil, err
		}
		sc.Seed, sc.Replicates = r.seed, r.replicates
		sc.Mode, _ = model.ParseMode(r.mode) // checked by Validate
		scs[i] = sc
	}
	// The experiments, runs and comparisons are independent: several at a time keep
	// every CPU busy through a run's serial stages (statistics, plots). Experiments and
	// comparisons, the longest, start first.
	progress = &lockedWriter{w: progress}
	var tasks []func(context.Context) error
	for i, x := range exps {
		tasks = append(tasks, func(ctx context.Context) error {
			return regenerateExperiment(ctx, x, designs[i], outDir, workers, progress)
		})
	}
	for _, c := range cmps {
		tasks = append(tasks, func(ctx context.Context) error {
			return regenerateComparison(ctx, c, root, outDir, workers, progress)
		})
	}
	for i, r := range runs {
		tasks = append(tasks, func(ctx context.Context) error {
			dir := filepath.Join(outDir, r.dir)
			fmt.Fprintf(progress, "run %d/%d: %s into %s\n", i+1, len(runs), r, dir)
			_, err := sim.Execute(ctx, scs[i], sim.RunOptions{OutDir: dir, Force: true, Workers: workers})
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
		var overlaid []*scenario.Scenario
		for _, i := range o.runs {
			dirs = append(dirs, filepath.Join(outDir, runs[i].dir))
			overlaid = append(overlaid, scs[i])
		}
		dir := filepath.Join(outDir, o.dir)
		fmt.Fprintf(progress, "overlay %v of %s into %s\n", o.metrics, strings.Join(dirs, ", "), dir)
		if _, err := sim.OverlayPlotsShaded(dirs, o.metrics, dir, sim.InterventionWindows(overlaid)); err != nil {
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
	a, err := sim.CreateAtomic(file)
	if err != nil {
		return false, err
	}
	if err := a.Chmod(perm); err != nil {
		a.Abort()
		return false, fmt.Errorf("sim: %w", err)
	}
	if _, err := a.Write(data); err != nil {
		a.Abort()
		return false, fmt.Errorf("sim: writing %s: %w", filepath.Base(file), err)
	}
	return true, a.Commit()
}

// regenerateComparison runs one comparison of the manifest into outDir/<dir>.
func regenerateComparison(ctx context.Context, c figureComparison, root, outDir string, workers int, progress io.Writer) error {
	paths := make([]string, len(c.scenarios))
	for i, p := range c.scenarios {
		paths[i] = resolve(root, p)
	}
	scs, err := sim.LoadScenarios(paths)
	if err != nil {
		return err
	}
	mode, _ := model.ParseMode(c.mode) // checked by Validate
	for _, sc := range scs {
		sc.Mode = mode
	}
	scs[0].Seed, scs[0].Replicates = c.seed, c.replicates
	opts := sim.CompareOptions{OutDir: filepath.Join(outDir, c.dir), Force: true, Workers: workers, Metrics: c.metrics}
	for _, h := range c.horizons {
		w, err := scs[0].Clock.Week(h)
		if err != nil {
			return fmt.Errorf("sim: %s: horizon %w", c.neededBy, err)
		}
		opts.Horizons = append(opts.Horizons, w)
	}
	fmt.Fprintf(progress, "compare %s (seed %d, %d replicates) into %s\n", strings.Join(c.scenarios, ", "), c.seed, c.replicates, opts.OutDir)
	_, err = sim.Compare(ctx, scs, opts)
	return err
}

// regenerateExperiment runs one experiment of the manifest into outDir/<dir>, then the
// analyses its entries need, as make policy runs them: cartelsim robustness with its
// defaults (every output, into robustness/) and each cartelsim discover with the
// entry's condition and the default PRIM options (into discovery/<name>/).
func regenerateExperiment(ctx context.Context, x figureExperiment, d *experiment.Design, outDir string, workers int, progress io.Writer) error {
	dir := filepath.Join(outDir, x.dir)
	fmt.Fprintf(progress, "experiment %s (seed %d, %d replicates) into %s\n", x.design, x.seed, x.replicates, dir)
	m, err := experiment.Run(ctx, d, experiment.Options{OutDir: dir, Force: true, Workers: workers})
	if err != nil {
		return err
	}
	if len(m.Runaways) > 0 { // the published analyses set them aside: say so
		fmt.Fprintf(progress, "experiment %s: the world ran away at %d of %d points (experiment.json lists them)\n", x.design, len(m.Runaways), m.Points)
	}
	if !x.robustness && len(x.discoveries) == 0 {
		return nil
	}
	e, err := robust.Load(dir)
	if err != nil {
		return err
	}
	if x.robustness {
		fmt.Fprintf(progress, "robustness of %s into %s\n", dir, filepath.Join(dir, robustnessDir))
		if _, err := robust.WriteRobustness(filepath.Join(dir, robustnessDir), e, robust.Analyse(e, nil)); err != nil {
			return err
		}
	}
	for _, dc := range x.discoveries {
		out := filepath.Join(dir, discoveryDir, dc.name)
		fmt.Fprintf(progress, "discover %s into %s\n", dc.cond.condition(), out)
		// The zero PRIMOptions are cartelsim discover's defaults.
		disc, err := robust.Discover(e, dc.cond.condition(), robust.PRIMOptions{})
		if err != nil {
			return fmt.Errorf("%w (figure %s)", err, dc.neededBy)
		}
		if _, err := robust.WriteDiscovery(out, e, disc); err != nil {
			return err
		}
	}
	return nil
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
