// Command overlay draws the runs of several `cartelsim run` output directories on shared
// plots, one per metric (median and 90% band of each run), for the documentation's comparisons:
//
//	go run ./tools/overlay -out out/labs-compare -metrics labs,supply out/baseline-2025 out/airstrikes-2026
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim"
)

func main() {
	out := flag.String("out", "out/overlay", "directory for the plots")
	names := flag.String("metrics", "members,labs,supply,revenue", "comma-separated metrics")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "overlay: name at least one run directory")
		os.Exit(2)
	}
	var metrics []model.Metric
	for _, name := range strings.Split(*names, ",") {
		m, ok := model.ParseMetric(name)
		if !ok {
			fmt.Fprintf(os.Stderr, "overlay: unknown metric %q\n", name)
			os.Exit(2)
		}
		metrics = append(metrics, m)
	}
	files, err := sim.OverlayPlots(flag.Args(), metrics, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(strings.Join(files, "\n"))
}
