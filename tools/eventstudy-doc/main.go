// Command eventstudy-doc writes the event study's numbers into a Markdown file: it reads
// a `cartelsim eventstudy` table (eventstudy.csv) and replaces the lines between the
// markers
//
//	<!-- make eventstudy: begin -->
//	<!-- make eventstudy: end -->
//
// with a table of each window's effects: the mean of the monthly effects over months 0
// to 5 and 0 to 12, the latter minus the rest of the country's (the trend every window
// shares taken out, as a comparison group would), and the effect with its 95% interval
// in months 0, +12 and +24. `make
// eventstudy` runs it on the kingpin history, so that docs/space.md's numbers come from
// the run and nowhere else:
//
//	go run ./tools/eventstudy-doc -csv out/eventstudy/study/eventstudy.csv -doc docs/space.md
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cartelsim/cartelsim/internal/docmarkers"
)

const (
	beginMarker = "<!-- make eventstudy: begin -->"
	endMarker   = "<!-- make eventstudy: end -->"
)

func main() {
	table := flag.String("csv", "out/eventstudy/study/eventstudy.csv", "the event study's eventstudy.csv")
	doc := flag.String("doc", "docs/space.md", "the Markdown file whose marked lines to replace")
	flag.Parse()
	if err := run(*table, *doc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(table, doc string) error {
	f, err := os.Open(table)
	if err != nil {
		return fmt.Errorf("eventstudy-doc: %w (make eventstudy writes it)", err)
	}
	defer f.Close()
	rows, err := readStudy(table, f)
	if err != nil {
		return err
	}
	text, err := os.ReadFile(doc)
	if err != nil {
		return fmt.Errorf("eventstudy-doc: %w", err)
	}
	out, err := replace(doc, text, summary(rows))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(doc), ".eventstudy-doc-*.tmp")
	if err != nil {
		return fmt.Errorf("eventstudy-doc: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return fmt.Errorf("eventstudy-doc: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("eventstudy-doc: %w", err)
	}
	if err := os.Rename(tmp.Name(), doc); err != nil {
		return fmt.Errorf("eventstudy-doc: %w", err)
	}
	return nil
}

// point is one window's effect in one month.
type point struct {
	effect, lo, hi float64
	events         int
}

// study is the table by window, in the order of the file, and month.
type study struct {
	windows []string
	months  map[string]map[int]point
}

func readStudy(path string, r io.Reader) (*study, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 6
	header, err := cr.Read()
	if want := []string{"window", "month", "effect", "lo", "hi", "events"}; err != nil || !slices.Equal(header, want) {
		return nil, fmt.Errorf("eventstudy-doc: %s:1: header %q, want %s", path, strings.Join(header, ","), strings.Join(want, ","))
	}
	s := &study{months: map[string]map[int]point{}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("eventstudy-doc: %s: %w", path, err)
		}
		month, err1 := strconv.Atoi(rec[1])
		events, err2 := strconv.Atoi(rec[5])
		var p point
		var err3 error
		for i, dst := range []*float64{&p.effect, &p.lo, &p.hi} {
			if *dst, err = strconv.ParseFloat(rec[2+i], 64); err != nil {
				err3 = err
			}
		}
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("eventstudy-doc: %s:%d: not a month, three numbers and a count: %q", path, line, strings.Join(rec, ","))
		}
		p.events = events
		if s.months[rec[0]] == nil {
			s.windows = append(s.windows, rec[0])
			s.months[rec[0]] = map[int]point{}
		}
		s.months[rec[0]][month] = p
	}
	if len(s.windows) == 0 {
		return nil, fmt.Errorf("eventstudy-doc: %s has no rows", path)
	}
	return s, nil
}

// windowNames are how the table names the windows of `cartelsim eventstudy`.
var windowNames = map[string]string{
	"own":    "state of the removal",
	"others": "other states of the group",
	"rest":   "all other states",
}

// mean is the mean effect over months from to to, NaN if one is missing.
func (s *study) mean(window string, from, to int) float64 {
	sum := 0.0
	for m := from; m <= to; m++ {
		p, ok := s.months[window][m]
		if !ok {
			return math.NaN()
		}
		sum += p.effect
	}
	return sum / float64(to-from+1)
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f%%", x)
}

func points(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f points", x)
}

// summary is the Markdown table of the study.
func summary(s *study) string {
	var b strings.Builder
	b.WriteString("| window | events | months 0 to 5 (mean) | months 0 to 12 (mean) | months 0 to 12, minus the rest's | month 0 (95% interval) | month +12 | month +24 |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, w := range s.windows {
		name := windowNames[w]
		if name == "" {
			name = w
		}
		vsRest := "" // the rest of the country as the comparison: the trend all windows share
		if _, ok := s.months["rest"]; ok && w != "rest" {
			vsRest = points(s.mean(w, 0, 12) - s.mean("rest", 0, 12))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |", name, s.months[w][0].events, pct(s.mean(w, 0, 5)), pct(s.mean(w, 0, 12)), vsRest)
		for _, m := range []int{0, 12, 24} {
			p, ok := s.months[w][m]
			if !ok {
				b.WriteString(" n/a |")
				continue
			}
			fmt.Fprintf(&b, " %s (%s to %s) |", pct(p.effect), pct(p.lo), pct(p.hi))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// replace puts table between the markers' lines of text (docmarkers.Replace).
func replace(path string, text []byte, table string) ([]byte, error) {
	out, err := docmarkers.Replace(path, text, beginMarker, endMarker, table)
	if err != nil {
		return nil, fmt.Errorf("eventstudy-doc: %w", err)
	}
	return out, nil
}
