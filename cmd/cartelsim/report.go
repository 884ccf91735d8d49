package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cartelsim/cartelsim/report"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// reportCmd writes one self-contained HTML page about a run, comparison or experiment
// directory (package report).
type reportCmd struct {
	out   string
	years []int
	force bool
}

func (*reportCmd) name() string { return "report" }
func (*reportCmd) synopsis() string {
	return "write one self-contained HTML page on a run, comparison or experiment directory"
}
func (*reportCmd) usage() string { return "report DIR --out FILE.html [--year YYYY ...] [--force]" }

func (c *reportCmd) register(fs *pflag.FlagSet) {
	fs.StringVarP(&c.out, "out", "o", "", "the HTML file to write (required); plots are inlined, nothing else is written")
	fs.IntSliceVar(&c.years, "year", nil, "for a run: also give the findings at the end of this calendar year (repeatable; default: up to three years over the run)")
	fs.BoolVar(&c.force, "force", false, "replace an existing file at --out")
}

func (c *reportCmd) validate(args []string) error {
	switch {
	case len(args) != 1:
		return usagef("report takes one directory (a run, comparison or experiment), got %d arguments", len(args))
	case c.out == "":
		return usagef("report needs --out FILE.html")
	}
	return nil
}

func (c *reportCmd) run(_ context.Context, args []string, stdout, _ io.Writer) error {
	dir := args[0]
	info, err := os.Stat(c.out)
	switch {
	case err == nil && info.IsDir():
		return usagef("--out %s is a directory: want the HTML file to write", c.out)
	case err == nil && !c.force:
		return usagef("--out %s exists (--force replaces it)", c.out)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return usagef("--out %s: %v", c.out, err)
	}
	if parent, err := os.Stat(filepath.Dir(c.out)); err != nil || !parent.IsDir() {
		return usagef("--out %s: no directory %s to write it in", c.out, filepath.Dir(c.out))
	}
	// The page is rendered whole before anything is written: a bad --year or a file of
	// the directory that does not parse leaves no file at --out.
	var page bytes.Buffer
	src, err := report.Open(dir, report.Options{Years: c.years, ScenarioSections: scenarioSections})
	if err == nil && len(c.years) > 0 && src.Kind != report.Run {
		article := "a"
		if src.Kind == report.Experiment {
			article = "an"
		}
		return usagef("--year is for a run; %s holds %s %s", dir, article, src.Kind)
	}
	if err == nil {
		err = src.Render(&page)
	}
	var ie *report.InputError
	if errors.As(err, &ie) {
		return usagef("%s", ie.Msg)
	}
	if err != nil {
		return err
	}
	if err := sim.WriteFileAtomic(c.out, func(w io.Writer) error {
		_, err := w.Write(page.Bytes())
		return err
	}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "wrote %s: the %s in %s on one page\n", c.out, src.Kind, dir)
	return err
}

// scenarioSections reads a scenario file as the manifest names it (relative to the
// directory the command ran in) with its --set overrides, and tells which registry
// sections it uses. A file that has changed since the run is an error: its sections
// may not be the run's.
func scenarioSections(ref report.ScenarioRef) ([]string, error) {
	var overrides []scenario.Override
	for _, s := range ref.Overrides {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			return nil, err
		}
		overrides = append(overrides, o)
	}
	sc, err := scenario.LoadScenarioWith(filepath.FromSlash(ref.File), overrides)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(oneLine(err), "sim: "))
	}
	if ref.SHA256 != "" && sc.SHA256 != ref.SHA256 {
		return nil, errors.New("it has changed since the run")
	}
	cfg := sc.Config()
	secs := []string{"parameters"}
	if cfg.Fragmentation != nil {
		secs = append(secs, "fragmentation")
	}
	if cfg.Territory != nil {
		secs = append(secs, "territory")
	}
	if cfg.Economy != nil {
		secs = append(secs, "economy")
	}
	if cfg.Policy != nil {
		secs = append(secs, "policy")
	}
	return secs, nil
}
