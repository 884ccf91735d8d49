// Command policy-questions writes the answers of the policy experiment into a Markdown
// file: it reads a finished `cartelsim experiment` directory (make policy runs
// experiments/policy-robustness.yaml: every policy against the status quo over plausible
// futures) and replaces the lines between the markers
//
//	<!-- make policy: begin -->
//	<!-- make policy: end -->
//
// with, for each policy, its effect on homicides in Mexico and US overdose deaths in each
// year the outputs give (the median over the futures and the range of the middle 90%),
// the share of futures in which it lowers and raises each (with a 95% Wilson interval),
// and, for one year, the region of the parameters where the less common answer holds
// (PRIM, as cartelsim discover finds it), in plain words from the parameter registry; then
// a table of every output of that year. Everything comes from the experiment's files: the
// policies are its scenarios after the first, the years and metrics its outputs, so a
// scenario or output added to the design appears without a change here.
//
//	go run ./tools/policy-questions -exp out/policy-robustness -doc docs/results.md
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cartelsim/cartelsim/internal/docmarkers"
	"github.com/cartelsim/cartelsim/robust"
)

const (
	beginMarker = "<!-- make policy: begin -->"
	endMarker   = "<!-- make policy: end -->"
)

func main() {
	exp := flag.String("exp", "out/policy-robustness", "the finished experiment's directory")
	doc := flag.String("doc", "docs/results.md", "the Markdown file whose marked lines to replace")
	metrics := flag.String("metrics", "homicides,overdose_deaths", "the metrics each policy's answer gives, comma-separated")
	year := flag.Int("year", 0, "the year whose deciding parameters (PRIM) and table to give (default: the middle year of the outputs)")
	flag.Parse()
	if err := run(*exp, *doc, strings.Split(*metrics, ","), *year); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir, doc string, metrics []string, year int) error {
	e, err := robust.Load(dir)
	if err != nil {
		return fmt.Errorf("policy-questions: %w (make policy writes it)", err)
	}
	text, err := os.ReadFile(doc)
	if err != nil {
		return fmt.Errorf("policy-questions: %w", err)
	}
	a, err := analyse(e, metrics, year, describeScenarios(e))
	if err != nil {
		return err
	}
	out, err := replace(doc, text, a.markdown())
	if err != nil {
		return err
	}
	return writeAtomic(doc, out)
}

// writeAtomic replaces path with data through a temporary file renamed into place.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".policy-questions-*.tmp")
	if err != nil {
		return fmt.Errorf("policy-questions: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("policy-questions: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("policy-questions: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("policy-questions: %w", err)
	}
	return nil
}

// replace puts body between the markers' lines of text (docmarkers.Replace).
func replace(path string, text []byte, body string) ([]byte, error) {
	out, err := docmarkers.Replace(path, text, beginMarker, endMarker, body)
	if err != nil {
		return nil, fmt.Errorf("policy-questions: %w", err)
	}
	return out, nil
}
