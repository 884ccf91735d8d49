package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"math"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

var updateParams = flag.Bool("params.update", false, "rewrite the parameter tables of docs/model.md from the registry")

// runParams runs cartelsim params with args and returns its status and outputs.
func runParams(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	status := cli(append([]string{"params"}, args...), &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

// An unknown section or format, or an argument, is a usage error: status 2, one line on
// stderr naming the command, nothing on stdout.
func TestParamsUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--section", "economics"}, `cartelsim params: --section "economics": want one of parameters, fragmentation, territory, economy, policy` + "\n"},
		{[]string{"--format", "yaml"}, `cartelsim params: --format "yaml": want one of md, csv, json` + "\n"},
		{[]string{"--format="}, `cartelsim params: --format "": want one of md, csv, json` + "\n"},
		{[]string{"economy"}, "cartelsim params: params takes no arguments, got 1\n"},
	} {
		status, stdout, stderr := runParams(c.args...)
		if status != exitUsage || stderr != c.want || stdout != "" {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2 and %q", c.args, status, stdout, stderr, c.want)
		}
	}
}

// The CSV parses with encoding/csv: a header, then one row per registry entry, in order,
// whose numbers parse back to the registry's (max Inf for no upper bound).
func TestParamsCSV(t *testing.T) {
	reg := model.Registry()
	status, stdout, stderr := runParams("--format", "csv")
	if status != exitOK || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(reg)+1 || !reflect.DeepEqual(rows[0], paramsCSVHeader) {
		t.Fatalf("%d rows with header %q, want %d and %q", len(rows), rows[0], len(reg)+1, paramsCSVHeader)
	}
	num := func(s string) float64 {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for i, p := range reg {
		r := rows[i+1]
		got := model.ParamInfo{Section: r[0], Key: r[1], Unit: r[2], Default: num(r[3]), Min: num(r[4]), Max: num(r[5]),
			Low: num(r[6]), High: num(r[7]), Status: model.Status(r[8]), Source: r[9], Description: r[10]}
		if got != p {
			t.Errorf("row %d is %+v, want %+v", i+1, got, p)
		}
	}
	// One section: only its rows.
	_, stdout, _ = runParams("--format", "csv", "--section", "policy")
	rows, err = csv.NewReader(strings.NewReader(stdout)).ReadAll()
	want := 1
	for _, p := range reg {
		if p.Section == "policy" {
			want++
		}
	}
	if err != nil || len(rows) != want || want < 10 {
		t.Errorf("--section policy: %d rows (%v), want %d", len(rows), err, want)
	}
	for _, r := range rows[1:] {
		if r[0] != "policy" {
			t.Errorf("--section policy printed %q", r)
		}
	}
}

// The JSON decodes back into the registry, entry for entry (null max: no upper bound).
func TestParamsJSONRoundTrip(t *testing.T) {
	status, stdout, stderr := runParams("--format", "json")
	if status != exitOK || stderr != "" {
		t.Fatalf("status %d, stderr %q", status, stderr)
	}
	var got []paramJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	reg := model.Registry()
	if len(got) != len(reg) {
		t.Fatalf("%d entries, want %d", len(got), len(reg))
	}
	unbounded := 0
	for i, j := range got {
		if j.Max == nil {
			unbounded++
		}
		if j.info() != reg[i] {
			t.Errorf("entry %d decodes to %+v, want %+v", i, j.info(), reg[i])
		}
	}
	if unbounded == 0 {
		t.Error("no entry without an upper bound: null max is untested")
	}
	// No lower bound, as no registry entry has yet: null min, and back.
	inf := math.Inf(1)
	p := model.ParamInfo{Section: "economy", Key: "k", Min: -inf, Max: inf, Status: model.Assumed}
	var buf bytes.Buffer
	if err := writeParamsJSON(&buf, []model.ParamInfo{p}); err != nil || !strings.Contains(buf.String(), `"min": null`) {
		t.Fatalf("unbounded below: %v, %s", err, buf.String())
	}
	got = nil
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || len(got) != 1 || got[0].info() != p {
		t.Errorf("unbounded below decodes to %+v (%v), want %+v", got, err, p)
	}
}

// The markdown has a table per section, a row per entry, and no heading for one section.
func TestParamsMarkdown(t *testing.T) {
	_, all, _ := runParams()
	_, one, _ := runParams("--section", "fragmentation")
	rows := func(s string) int { return strings.Count(s, "\n| `") }
	n := map[string]int{}
	for _, p := range model.Registry() {
		n[p.Section]++
		n[""]++
	}
	if rows(all) != n[""] || rows(one) != n["fragmentation"] || strings.Count(all, "| key |") != len(model.Sections) ||
		strings.Count(one, "| key |") != 1 || strings.Contains(one, "`fragmentation`") || !strings.Contains(all, "`fragmentation`\n") {
		t.Errorf("all sections: %d rows, one: %d rows; want %d and %d, a table per section under headings and one without:\n%s", rows(all), rows(one), n[""], n["fragmentation"], all)
	}
	inf := math.Inf(1)
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{{0, 1, "0 to 1"}, {1, inf, "≥ 1"}, {-inf, 0.5, "≤ 0.5"}, {-inf, inf, "any"}, {1e-3, 1e12, "0.001 to 1e12"}} {
		if got := mdRange(c.lo, c.hi); got != c.want {
			t.Errorf("mdRange(%v, %v) = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	for x, want := range map[float64]string{2.527474e-3: "0.002527474", 2 * model.WeeksPerYear: "104.357", 432e6: "4.32e8", 1.549231e-8: "1.549231e-8", 1e12: "1e12", 0.5: "0.5"} {
		if got := mdNumber(x); got != want {
			t.Errorf("mdNumber(%v) = %q, want %q", x, got, want)
		}
	}
}

// paramsBlock matches a generated table in docs/model.md and its section's name.
var paramsBlock = regexp.MustCompile("(?s)<!-- params:([a-z]+) -->\n(.*?)<!-- /params:([a-z]+) -->")

// The parameter tables of docs/model.md are the registry's, one per section: a table
// that drifts from the registry fails here. go test ./cmd/cartelsim -run
// TestModelDocParams -params.update rewrites them (as does pasting cartelsim params
// --section S).
func TestModelDocParams(t *testing.T) {
	const file = "../../docs/model.md"
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	var stale []string
	out := paramsBlock.ReplaceAllStringFunc(string(b), func(block string) string {
		m := paramsBlock.FindStringSubmatch(block)
		section, body := m[1], m[2]
		seen[section]++
		_, want, _ := runParams("--section", section)
		if m[3] != section || want == "" {
			t.Errorf("%s: block %q ends as %q, or is not a section", file, section, m[3])
			return block
		}
		if body != want {
			stale = append(stale, section)
		}
		return "<!-- params:" + section + " -->\n" + want + "<!-- /params:" + section + " -->"
	})
	for _, s := range model.Sections {
		if seen[s] != 1 {
			t.Errorf("%s has %d tables of section %s between <!-- params:%s --> markers, want 1", file, seen[s], s, s)
		}
	}
	if len(stale) == 0 {
		return
	}
	if *updateParams {
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the tables of %v in %s", stale, file)
		return
	}
	t.Errorf("the tables of %v in %s differ from the registry; run go test ./cmd/cartelsim -run TestModelDocParams -params.update", stale, file)
}

// info is the registry entry a JSON row describes.
func (j paramJSON) info() model.ParamInfo {
	p := model.ParamInfo{Section: j.Section, Key: j.Key, Unit: j.Unit, Default: j.Default, Min: math.Inf(-1), Max: math.Inf(1),
		Low: j.PlausibleLow, High: j.PlausibleHigh, Status: model.Status(j.Status), Source: j.Source, Description: j.Description}
	if j.Min != nil {
		p.Min = *j.Min
	}
	if j.Max != nil {
		p.Max = *j.Max
	}
	return p
}
