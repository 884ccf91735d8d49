package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cartelsim/cartelsim/model"
)

// list prints aligned columns under a header: every row's cells start where the
// header's do, two spaces at least after the cell before.
func TestListCommand(t *testing.T) {
	for _, c := range []struct {
		list    string
		header  []string
		rows    int
		contain []string // cells of one row, in order
	}{
		// 150 groups in BACRIM2020_Nodes.csv; N10025's row as the file gives it.
		{"groups", []string{"id", "short name", "name", "home state"}, 150, []string{"N10025", "CJNG", "Cártel Jalisco Nueva Generación (CJNG)", "Jalisco"}},
		{"states", []string{"code", "name"}, 32, []string{"MIC", "Michoacán"}},
		{"metrics", []string{"metric", "unit", "description"}, int(model.NumMetrics), []string{"supply", "doses per week", "doses that reached the US"}},
	} {
		t.Run(c.list, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if status := cli([]string{"list", c.list}, &stdout, &stderr); status != exitOK || stderr.Len() != 0 {
				t.Fatalf("status %d, stderr %q", status, stderr.String())
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(lines) != c.rows+1 {
				t.Fatalf("%d lines, want a header and %d rows", len(lines), c.rows)
			}
			// Where each header cell starts, in runes.
			var starts []int
			off := 0
			for _, h := range c.header {
				i := off + strings.Index(lines[0][off:], h)
				starts = append(starts, utf8.RuneCountInString(lines[0][:i]))
				off = i + len(h)
			}
			found := false
			for _, line := range lines {
				r := []rune(line)
				var cells []string
				for k, s := range starts {
					if s >= len(r) || k > 0 && (r[s-1] != ' ' || r[s-2] != ' ') {
						t.Fatalf("row %q: column %d does not start at rune %d", line, k, s)
					}
					end := len(r)
					if k+1 < len(starts) {
						end = starts[k+1]
					}
					cells = append(cells, strings.TrimSpace(string(r[s:end])))
				}
				if strings.Join(cells, "|") == strings.Join(c.contain, "|") {
					found = true
				}
				if strings.HasSuffix(line, " ") {
					t.Errorf("row %q ends in spaces", line)
				}
			}
			if !found {
				t.Errorf("no row %q", c.contain)
			}
		})
	}
	for _, args := range [][]string{{"list"}, {"list", "grups"}, {"list", "groups", "states"}} {
		var stdout, stderr bytes.Buffer
		if status := cli(args, &stdout, &stderr); status != exitUsage || !strings.HasPrefix(stderr.String(), "cartelsim list: ") {
			t.Errorf("%v: status %d, stderr %q", args, status, stderr.String())
		}
	}
}

// Every metric has a description, and it is the one of the table of metrics in
// docs/outputs.md, for the metrics the table gives a row of their own.
func TestMetricDescriptionsMatchTheDocs(t *testing.T) {
	const file = "../../docs/outputs.md"
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "\nMetrics (names are stable")
	if !ok || !strings.Contains(table, "| metric |") {
		t.Fatalf("%s has no table of metrics", file)
	}
	table, _, _ = strings.Cut(strings.SplitN(table, "| metric |", 2)[1], "\n\n")
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| [^|]+ \\| (.+) \\|$")
	inDoc := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		inDoc[m[1]] = strings.ReplaceAll(m[2], "`", "")
	}
	compared := 0
	for m := range model.NumMetrics {
		d := metricDescriptions[m]
		if d == "" {
			t.Errorf("metric %s has no description", m)
		}
		if want, ok := inDoc[m.String()]; ok {
			compared++
			if d != want {
				t.Errorf("metric %s: list says %q, %s %q", m, d, file, want)
			}
		}
	}
	if compared < int(model.NumMetrics)-4 {
		t.Errorf("compared %d metrics with the table of %s, want all but the four zones' (%d)", compared, file, int(model.NumMetrics)-4)
	}
}
