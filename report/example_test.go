package report_test

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"

	"github.com/cartelsim/cartelsim/report"
)

// Render reads a comparison directory (here a hand-made one: cartelsim compare writes
// comparison.json and comparison.csv) and writes the page; its findings say in words
// what each difference's 95% interval shows.
func ExampleRender() {
	dir, err := os.MkdirTemp("", "report-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "comparison.json"), []byte(`{"complete": true,
 "scenarios": [{"name": "status-quo", "file": "status-quo.yaml"}, {"name": "kingpin", "file": "kingpin.yaml"}, {"name": "demand", "file": "demand.yaml"}],
 "seed": 1, "replicates": 20, "horizons": [{"week": 52, "date": "2026-01-04"}], "metrics": ["homicides"]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "comparison.csv"), []byte(`metric,week,date,window_weeks,scenario,replicates,mean,p05,p95,versus,diff,diff_lo95,diff_hi95
homicides,52,2026-01-04,52,status-quo,20,400,350,450,,,,
homicides,52,2026-01-04,52,kingpin,20,440,380,500,status-quo,40,25,55
homicides,52,2026-01-04,52,demand,20,394,340,450,status-quo,-6,-21,9
`), 0o644)
	var page bytes.Buffer
	if err := report.Render(&page, dir, report.Options{}); err != nil {
		panic(err)
	}
	for _, m := range regexp.MustCompile(`<li class="[a-z-]+">([^<]*)</li>`).FindAllStringSubmatch(page.String(), -1) {
		fmt.Println(html.UnescapeString(m[1]))
	}
	// Output:
	// kingpin is higher than status-quo by 40 (+10.0%; 95% interval 25 to 55): a clear increase.
	// demand differs from status-quo by −6 (−1.5%), but the 95% interval −21 to 9 includes zero: no clear difference.
}
