package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/report"
	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// tinyScenario is small enough to run in a test in well under a second: 60 weeks of the
// paper's world, 4 replicates, and an intervention half way so the plots show one.
const tinyScenario = `name: tiny
start: 2012-01-01
weeks: 60
replicates: 4
seed: 11
interventions:
  - {kind: incapacitation, from: 30, intensity: 1, actor: joint}
`

var (
	runOnce sync.Once
	runDir  string
	runErr  error
)

// tinyRun runs tinyScenario once for the package's tests into a directory of its own.
func tinyRun(t *testing.T) string {
	t.Helper()
	runOnce.Do(func() {
		runDir, runErr = os.MkdirTemp("", "report-run-")
		if runErr != nil {
			return
		}
		var sc *scenario.Scenario
		if sc, runErr = scenario.ParseScenario("tiny.yaml", []byte(tinyScenario)); runErr != nil {
			return
		}
		_, runErr = sim.Execute(context.Background(), sc, sim.RunOptions{OutDir: filepath.Join(runDir, "run"), Workers: 2})
	})
	if runErr != nil {
		t.Fatal(runErr)
	}
	return filepath.Join(runDir, "run")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if runDir != "" {
		os.RemoveAll(runDir)
	}
	os.Exit(code)
}

func render(t *testing.T, dir string, opts report.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := report.Render(&b, dir, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkSelfContained parses the page as a browser would and fails on anything that would
// load from elsewhere or run: a script, a stylesheet link, an http(s) or
// protocol-relative src or href, or a frame. It returns the page's tree.
func checkSelfContained(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "link", "iframe", "object", "embed", "base":
				t.Errorf("the page has a <%s> element", n.Data)
			}
			for _, a := range n.Attr {
				k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				if k == "src" || k == "href" || k == "action" || k == "poster" {
					if strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//") || strings.HasPrefix(v, "file:") {
						t.Errorf("<%s %s=%q> refers outside the page", n.Data, a.Key, a.Val)
					}
					if (k == "src") && !strings.HasPrefix(v, "data:") {
						t.Errorf("<%s src=%q> is not inline", n.Data, a.Val)
					}
				}
				if strings.HasPrefix(k, "on") {
					t.Errorf("<%s> has an event handler %s", n.Data, a.Key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return doc
}

// elements returns the page's elements named tag.
func elements(doc *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func headings(doc *html.Node) []string {
	var out []string
	for _, h := range elements(doc, "h2") {
		out = append(out, text(h))
	}
	return out
}

// A run's page: self-contained, with every section, every SVG plot of plots/ inlined,
// and the end's median and 90% band of members as timeseries.csv gives them.
func TestRunReport(t *testing.T) {
	dir := tinyRun(t)
	page := render(t, dir, report.Options{ScenarioSections: func(report.ScenarioRef) ([]string, error) {
		return []string{"parameters"}, nil
	}})
	doc := checkSelfContained(t, page)
	want := []string{"What was run", "Findings", "Assumptions that matter most", "Plots", "How to reproduce"}
	if got := headings(doc); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sections %q, want %q", got, want)
	}
	svgs, _ := filepath.Glob(filepath.Join(dir, "plots", "*.svg"))
	if len(svgs) == 0 {
		t.Fatal("the run wrote no SVG plots")
	}
	if got := len(elements(doc, "svg")); got != len(svgs) {
		t.Errorf("%d inline <svg>, want one for each of the %d SVG files", got, len(svgs))
	}
	if strings.Contains(page, "<?xml") {
		t.Error("an XML declaration was left in the page")
	}
	// members at the run's last week, read from timeseries.csv here.
	f, err := os.Open(filepath.Join(dir, "timeseries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var last []string
	for _, r := range rows {
		if r[1] == "60" && r[3] == "members" {
			last = r
		}
	}
	if last == nil {
		t.Fatal("no members row for week 60")
	}
	// members are whole people in the thousands: the 4 significant digits with a comma.
	short := func(s string) string {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 10000 || x >= 1e6 {
			t.Fatalf("members %q: want a number from 10,000 to 1e6", s)
		}
		r := int(math.Round(x / 100)) // 4 significant digits: hundreds
		return fmt.Sprintf("%d,%03d", r/10, r%10*100)
	}
	sentence := "at " + last[2] + " the median over replicates is " + short(last[8]) + " people, and 90% of replicates lie between " + short(last[6]) + " and " + short(last[10])
	if !strings.Contains(page, sentence) {
		t.Errorf("the page lacks %q", sentence)
	}
	if !strings.Contains(page, "cartelsim run tiny.yaml --out "+dir+" --seed 11 --replicates 4") {
		t.Error("the page does not say how to run it again")
	}
	// Without a fragmentation section the network is fixed (model.Config): the paper's
	// 150 groups in every week of every replicate.
	if !strings.Contains(page, "groups: at "+last[2]+" the median over replicates is 150 groups, and 90% of replicates lie between 150 and 150. In the first week (to 2012-01-08) the median was 150. The end&#39;s 90% band is that value alone: no change over the run.") {
		t.Error("the page does not say that the groups did not change")
	}
	if !strings.Contains(page, "With only 4 replicates the 90% bands are rough") {
		t.Error("no warning about the few replicates")
	}
}

// --year picks the years a run's findings show; a year outside the run is an input error.
func TestRunReportYears(t *testing.T) {
	dir := tinyRun(t)
	page := render(t, dir, report.Options{Years: []int{2012}})
	// 2012-01-01 is a Sunday, the start; week 52 ends on 2012-12-30, the last of 2012.
	if !strings.Contains(page, "week 52 (to 2012-12-30)") {
		t.Error("the findings lack the last week of 2012")
	}
	var ie *report.InputError
	err := report.Render(&bytes.Buffer{}, dir, report.Options{Years: []int{2030}})
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "year 2030 is outside the run (2012-01-01 to 2013-02-24)") {
		t.Errorf("got %v, want an InputError for 2030", err)
	}
}

// writeFiles makes a directory of the given files.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const comparisonJSON = `{"complete": true, "version": "0.1.0", "command": "cartelsim compare a.yaml b.yaml c.yaml --out=cmp",
 "scenarios": [{"name": "a", "file": "a.yaml"}, {"name": "b", "file": "b.yaml", "overrides": ["parameters.intelligence=0.8"]}, {"name": "c", "file": "c.yaml"}],
 "seed": 3, "replicates": 10, "mode": "stochastic", "start_date": "2025-01-05", "weeks": 104,
 "horizons": [{"week": 52, "date": "2026-01-04"}], "window_weeks": 52, "metrics": ["homicides", "groups", "supply"],
 "files": ["comparison.csv"]}`

// The hand-made table: homicides of b exceed a's 50 by 5 [2, 8] (+10%), c's differ by
// -1 [-5, 3], which includes zero; groups do not differ at all; b's supply exceeds a's
// 1,000 by 5 [2, 8], clearly but by 0.5%.
const comparisonCSV = `metric,week,date,window_weeks,scenario,replicates,mean,p05,p95,versus,diff,diff_lo95,diff_hi95
homicides,52,2026-01-04,52,a,10,50,40,60,,,,
homicides,52,2026-01-04,52,b,10,55,45,65,a,5,2,8
homicides,52,2026-01-04,52,c,10,49,39,59,a,-1,-5,3
groups,52,2026-01-04,52,a,10,150,150,150,,,,
groups,52,2026-01-04,52,b,10,150,150,150,a,0,0,0
groups,52,2026-01-04,52,c,10,150,150,150,a,0,0,0
supply,52,2026-01-04,52,a,10,1000,900,1100,,,,
supply,52,2026-01-04,52,b,10,1005,905,1105,a,5,2,8
supply,52,2026-01-04,52,c,10,1000,900,1100,a,0,0,0
`

// A comparison's words follow its intervals: a clear increase with its percent of the
// reference's mean, "no clear difference" where the interval includes zero, and none at
// all where no replicate differs.
func TestComparisonWords(t *testing.T) {
	dir := writeFiles(t, map[string]string{"comparison.json": comparisonJSON, "comparison.csv": comparisonCSV,
		"a/manifest.json": `{"metrics": [{"name": "homicides", "unit": "people per week", "kind": "flow"}]}`})
	page := html.UnescapeString(render(t, dir, report.Options{}))
	checkSelfContained(t, page)
	for _, want := range []string{
		"b is higher than a by 5 people per week (+10.0%; 95% interval 2 to 8): a clear increase.",
		"c differs from a by −1 people per week (−2.0%), but the 95% interval −5 to 3 includes zero: no clear difference.",
		"b and a do not differ in any replicate.",
		"b is higher than a by 5 (+0.5%; 95% interval 2 to 8): a clear but small increase.",
		"<h3>homicides (people per week)</h3>",
		"mean over the 52 weeks to 2026-01-04 (week 52)",
		// c's cell: its difference, interval and change (-1 of a's 50 is -2%).
		`<td class="n unclear">−1 <span class="small">[−5, 3]</span> −2.0%</td>`,
		"b (b.yaml), with --set parameters.intelligence=0.8",
		"cartelsim compare a.yaml b.yaml c.yaml --out=cmp",
		"cartelsim report " + dir + " --out report.html",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if !strings.Contains(page, "<b>set to 0.8 in this run</b>") {
		t.Error("the assumption set with --set is not marked")
	}
}

const experimentJSON = `{"complete": true, "version": "0.1.0", "command": "cartelsim experiment x.yaml --out=x",
 "design": {"name": "x", "file": "x.yaml", "kind": "grid", "levels": 3},
 "scenarios": [{"name": "ref", "file": "ref.yaml"}, {"name": "act", "file": "act.yaml"}],
 "factors": [{"key": "economy.rebuild_weeks", "range": [2, 104], "scale": "log-uniform", "scenarios": ["act"]}],
 "outputs": [{"name": "supply_2027", "metric": "supply", "window": "mean over 2027"}, {"name": "labs_2027", "metric": "labs", "window": "mean over 2027"}, {"name": "homicides_2027", "metric": "homicides", "window": "mean over 2027"}],
 "points": 3, "replicates": 8, "seed": 1, "complete": true, "files": ["design.csv"]}`

// supply: -10 [-12, -8] at point 0, -2 [-5, 1] at point 1, 4 [1, 7] at point 2; labs: all
// below zero; homicides: below zero at two points, unclear at one.
const experimentEffects = `point,output,scenario,versus,replicates,diff,diff_lo95,diff_hi95
0,supply_2027,act,ref,8,-10,-12,-8
0,labs_2027,act,ref,8,-3,-4,-2
1,supply_2027,act,ref,8,-2,-5,1
1,labs_2027,act,ref,8,-2,-3,-1
2,supply_2027,act,ref,8,4,1,7
2,labs_2027,act,ref,8,-1,-1.5,-0.5
0,homicides_2027,act,ref,8,-3,-4,-2
1,homicides_2027,act,ref,8,-1,-2,0.5
2,homicides_2027,act,ref,8,-2,-3,-1
`

// An experiment's words give the effect's range over the points, where each end occurs,
// and at how many points the interval leaves zero out; the factor varied is marked among
// the assumptions.
func TestExperimentWords(t *testing.T) {
	dir := writeFiles(t, map[string]string{"experiment.json": experimentJSON, "effects.csv": experimentEffects,
		"design.csv": "point,economy.rebuild_weeks\n0,2\n1,14.422205101855956\n2,104\n"})
	page := html.UnescapeString(render(t, dir, report.Options{ScenarioSections: func(report.ScenarioRef) ([]string, error) {
		return []string{"parameters", "economy"}, nil
	}}))
	// A factor's setting as design.csv writes it, to 4 significant digits.
	if want := "the difference ranges from −3 (at economy.rebuild_weeks = 2) to −1 (at economy.rebuild_weeks = 14.42)"; !strings.Contains(page, want) {
		t.Errorf("the page lacks %q", want)
	}
	doc := checkSelfContained(t, page)
	for _, want := range []string{
		"act minus ref, supply_2027 (supply, mean over 2027): the difference ranges from −10 (at economy.rebuild_weeks = 2) to 4 (at economy.rebuild_weeks = 104) over the 3 points.",
		"Its 95% interval is above zero at 1, below zero at 1, and includes zero at 1 of the 3 points: its sign depends on the factors.",
		"Its 95% interval is below zero at every point: a clear decrease throughout.",
		"Its 95% interval is above zero at 0, below zero at 2, and includes zero at 1 of the 3 points: the difference is clear at some points only.",
		"A grid design with 3 levels of each factor: 3 points.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if got := headings(doc); !strings.Contains(strings.Join(got, "|"), "Factors varied") {
		t.Errorf("sections %q lack Factors varied", got)
	}
	var reb model.ParamInfo
	for _, p := range model.Registry() {
		if p.Section == "economy" && p.Key == "rebuild_weeks" {
			reb = p
		}
	}
	if reb.Status == model.Assumed && !strings.Contains(page, "economy.rebuild_weeks</code><br><b>varied in this experiment</b>") {
		t.Error("the factor varied is not marked among the assumptions")
	}
}

// The assumptions are the registry's assumed parameters of the sections the scenarios
// use, and all of them, with the reason, when a scenario file cannot be read.
func TestAssumptions(t *testing.T) {
	dir := writeFiles(t, map[string]string{"comparison.json": comparisonJSON, "comparison.csv": comparisonCSV})
	count := func(sections ...string) (n int, keys []string) {
		for _, p := range model.Registry() {
			if p.Status == model.Assumed && (len(sections) == 0 || contains(sections, p.Section)) {
				n++
				keys = append(keys, p.Section+"."+p.Key)
			}
		}
		return n, keys
	}
	rows := func(page string) int {
		doc, err := html.Parse(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range elements(doc, "section") {
			for _, a := range s.Attr {
				if a.Key == "id" && a.Val == "assumptions" {
					return len(elements(s, "tr")) - 1 // the header
				}
			}
		}
		t.Fatal("no assumptions section")
		return 0
	}
	uses := func(report.ScenarioRef) ([]string, error) { return []string{"parameters", "policy"}, nil }
	page := render(t, dir, report.Options{ScenarioSections: uses})
	n, keys := count("parameters", "policy")
	if n == 0 {
		t.Fatal("the registry has no assumed parameters in parameters and policy")
	}
	if got := rows(page); got != n {
		t.Errorf("%d assumptions listed, want the registry's %d in parameters and policy", got, n)
	}
	for _, k := range keys {
		if !strings.Contains(page, "<code>"+k+"</code>") {
			t.Errorf("%s is not listed", k)
		}
	}
	if strings.Contains(page, "<code>fragmentation.") {
		t.Error("a section the scenarios do not use is listed")
	}
	unreadable := func(report.ScenarioRef) ([]string, error) { return nil, errors.New("gone") }
	page = render(t, dir, report.Options{ScenarioSections: unreadable})
	all, _ := count()
	if got := rows(page); got != all {
		t.Errorf("%d assumptions listed for an unreadable scenario, want all %d", got, all)
	}
	if !strings.Contains(page, "a.yaml could not be read (gone)") {
		t.Error("the page does not say why it lists every assumption")
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// An SVG that could run or load something is not inlined; a PNG without an SVG is
// inlined as a data URI.
func TestPlotsInlinedSafely(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n" + "not really the rest of a PNG"
	dir := writeFiles(t, map[string]string{"comparison.json": comparisonJSON, "comparison.csv": comparisonCSV,
		"plots/evil.svg":   `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		"plots/linked.svg": `<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.org/x.png"/></svg>`,
		"plots/moving.svg": `<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"><set attributeName="fill" to="red"/></rect></svg>`,
		"plots/good.svg":   "<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><path d=\"M0,0L10,10\"/></svg>\n",
		"plots/good.png":   png, // has an SVG: left out
		"plots/only.png":   png,
	})
	page := render(t, dir, report.Options{})
	doc := checkSelfContained(t, page)
	if n := len(elements(doc, "svg")); n != 1 {
		t.Errorf("%d inline SVGs, want only good.svg", n)
	}
	imgs := elements(doc, "img")
	if len(imgs) != 1 {
		t.Fatalf("%d images, want only.png", len(imgs))
	}
	for _, a := range imgs[0].Attr {
		if a.Key == "src" && !strings.HasPrefix(a.Val, "data:image/png;base64,") {
			t.Errorf("only.png is not a data URI: %.40s", a.Val)
		}
	}
	if !strings.Contains(page, "plots/evil.svg, plots/linked.svg, plots/moving.svg") {
		t.Error("the plots left out are not named")
	}
}

// A directory that cannot be reported on gives a one-line InputError naming it, and the
// file and line where a file is at fault.
func TestOpenErrors(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "f.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	unfinished := writeFiles(t, map[string]string{"manifest.json": `{"complete": false}`})
	badJSON := writeFiles(t, map[string]string{"comparison.json": "{\n  \"complete\": true,\n  oops\n}"})
	badCSV := writeFiles(t, map[string]string{"comparison.json": comparisonJSON,
		"comparison.csv": strings.Replace(comparisonCSV, "a,10,50,40", "a,10,fifty,40", 1)})
	noCSV := writeFiles(t, map[string]string{"manifest.json": `{"complete": true}`})
	for _, tt := range []struct{ dir, want string }{
		{filepath.Join(base, "missing"), "report: " + filepath.Join(base, "missing") + ": no such directory"},
		{file, "report: " + file + " is a file, not a run, comparison or experiment directory"},
		{base, "report: " + base + " is not a run, comparison or experiment directory (it has no manifest.json, comparison.json or experiment.json)"},
		{unfinished, "report: " + unfinished + " holds an unfinished run (its manifest.json says complete: false): resume or merge it first"},
		{badJSON, "report: " + filepath.Join(badJSON, "comparison.json") + ":3: not valid JSON"},
		{badCSV, "report: " + filepath.Join(badCSV, "comparison.csv") + ":2: mean: want a number, got \"fifty\""},
		{noCSV, "report: " + filepath.Join(noCSV, "timeseries.csv") + ": no such file or directory"},
	} {
		_, err := report.Open(tt.dir, report.Options{})
		var ie *report.InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: got %v, want an InputError", tt.dir, err)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, tt.want) || strings.Contains(msg, "\n") {
			t.Errorf("got %q, want one line starting %q", msg, tt.want)
		}
	}
}

// A section is added by a function, after the default ones.
func TestExtraSection(t *testing.T) {
	dir := writeFiles(t, map[string]string{"comparison.json": comparisonJSON, "comparison.csv": comparisonCSV})
	extra := func(s *report.Source) (report.Section, error) {
		return report.Section{ID: "robustness", Title: "Robustness", Body: "<p>robust</p>"}, nil
	}
	doc := checkSelfContained(t, render(t, dir, report.Options{Extra: []report.Builder{extra}}))
	got := headings(doc)
	if len(got) == 0 || got[len(got)-1] != "Robustness" {
		t.Errorf("sections %q, want Robustness last", got)
	}
}

// An experiment's scenarios are read without the manifest's checksum, which is of each
// scenario with the design's set: applied and so never the file's.
func TestExperimentScenariosUnchecked(t *testing.T) {
	dir := writeFiles(t, map[string]string{"experiment.json": strings.Replace(experimentJSON, `"file": "ref.yaml"`, `"file": "ref.yaml", "sha256": "abc"`, 1),
		"effects.csv": experimentEffects, "design.csv": "point,economy.rebuild_weeks\n0,2\n1,14.42\n2,104\n"})
	var got []string
	render(t, dir, report.Options{ScenarioSections: func(ref report.ScenarioRef) ([]string, error) {
		got = append(got, ref.File+":"+ref.SHA256)
		return []string{"parameters"}, nil
	}})
	if strings.Join(got, ",") != "ref.yaml:,act.yaml:" {
		t.Errorf("ScenarioSections got %q, want both files without a checksum", got)
	}
}

// The maps cartelsim draws (sim's golden maps) are inlined: the allowed elements cover
// them, as they cover the plots of TestRunReport.
func TestMapsInlined(t *testing.T) {
	maps, _ := filepath.Glob(filepath.Join("..", "sim", "testdata", "maps", "*.svg"))
	if len(maps) == 0 {
		t.Skip("no golden maps in sim/testdata/maps")
	}
	files := map[string]string{"comparison.json": comparisonJSON, "comparison.csv": comparisonCSV}
	for _, m := range maps {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		files["plots/"+filepath.Base(m)] = string(b)
	}
	doc := checkSelfContained(t, render(t, writeFiles(t, files), report.Options{}))
	if n := len(elements(doc, "svg")); n != len(maps) {
		t.Errorf("%d inline SVGs, want the %d maps", n, len(maps))
	}
}

// A point whose world ran away (experiment.json's runaways, NaN effects) is left out of
// the findings: with a fourth such point beside TestExperimentWords's three, the words
// are the same three points' and the page says one more was set aside.
func TestExperimentRunawaySetAside(t *testing.T) {
	js := strings.Replace(strings.Replace(experimentJSON, `"points": 3`, `"points": 4`, 1),
		`"files": ["design.csv"]}`, `"files": ["design.csv"], "runaways": [{"point": 3, "scenario": "ref", "week": 40, "quantity": "groups"}]}`, 1)
	effects := experimentEffects
	for _, o := range []string{"supply_2027", "labs_2027", "homicides_2027"} {
		effects += "3," + o + ",act,ref,0,NaN,NaN,NaN\n"
	}
	dir := writeFiles(t, map[string]string{"experiment.json": js, "effects.csv": effects,
		"design.csv": "point,economy.rebuild_weeks\n0,2\n1,14.422205101855956\n2,104\n3,50\n"})
	page := html.UnescapeString(render(t, dir, report.Options{ScenarioSections: func(report.ScenarioRef) ([]string, error) {
		return []string{"parameters", "economy"}, nil
	}}))
	for _, want := range []string{
		"act minus ref, supply_2027 (supply, mean over 2027): the difference ranges from −10 (at economy.rebuild_weeks = 2) to 4 (at economy.rebuild_weeks = 104) over the 3 points.",
		"Its 95% interval is above zero at 1, below zero at 1, and includes zero at 1 of the 3 points: its sign depends on the factors.",
		"over the 3 points of the design whose world did not run away (1 set aside where it did:",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
