// Command calibrate-history runs the two history scenarios over a grid of fragmentation
// parameters and prints, for each point, the medians the calibration targets: groups
// alive at the end of 2011 and of 2020, members in 2020, and conflict deaths 2007-2012.
//
//	go run ./tools/calibrate-history -n 100 -set births_per_saturation_exit=1e-3,3e-3
//
// docs/results.md ("Calibration") records how the defaults were chosen with it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/sim/ensemble"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

type grid []struct {
	key    string
	values []float64
}

func (g *grid) String() string { return fmt.Sprint(*g) }

func (g *grid) Set(s string) error {
	key, list, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("want key=v1,v2,...")
	}
	var vs []float64
	for _, f := range strings.Split(list, ",") {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return err
		}
		vs = append(vs, v)
	}
	*g = append(*g, struct {
		key    string
		values []float64
	}{key, vs})
	return nil
}

// Weeks of the history scenarios (start 2006-12-03) at which the targets are read.
const (
	week2011 = 264 // 2011-12-25
	week2012 = 313 // 2012-12-02, end of Calderon's term
	week2020 = 734 // 2020-12-27
)

// probes are what the calibration reads from each replicate.
var probes = []ensemble.Probe{
	{Metric: model.Groups, From: week2011, To: week2011},
	{Metric: model.Groups, From: week2020, To: week2020},
	{Metric: model.Members, From: week2020, To: week2020},
	{Metric: model.Deaths, From: 1, To: week2012},
}

func median(x []float64) float64 {
	x = slices.Clone(x)
	slices.Sort(x)
	return stat.Quantile(0.5, stat.Empirical, x, nil)
}

func main() {
	var g grid
	n := flag.Int("n", 100, "replicates per point")
	dir := flag.String("dir", "scenarios/history", "folder of the history scenarios")
	flag.Var(&g, "set", "fragmentation key=v1,v2,... (repeatable: the grid is their product)")
	flag.Parse()
	if err := run(g, *n, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "calibrate-history:", err)
		os.Exit(1)
	}
}

func run(g grid, n int, dir string) error {
	var scs [2]*scenario.Scenario
	for i, name := range []string{"2006-kingpin", "2006-no-kingpin"} {
		sc, err := scenario.LoadScenario(dir + "/" + name + ".yaml")
		if err != nil {
			return err
		}
		scs[i] = sc
	}
	fmt.Println("point\tkingpin groups 2011\tkingpin groups 2020\tno-kingpin groups 2020\tkingpin members 2020\tno-kingpin members 2020\tdeaths 2007-12 kingpin\tno-kingpin")
	idx := make([]int, len(g))
	for {
		var label []string
		var res [2]ensemble.Collector
		for i, sc := range scs {
			cfg := sc.Config()
			frag := *cfg.Fragmentation
			for k, axis := range g {
				if !frag.Set(axis.key, axis.values[idx[k]]) {
					return fmt.Errorf("unknown key %q", axis.key)
				}
				if i == 0 {
					label = append(label, fmt.Sprintf("%s=%g", axis.key, axis.values[idx[k]]))
				}
			}
			cfg.Fragmentation = &frag
			w, err := model.NewWorld(cfg)
			if err != nil {
				return err
			}
			res[i].Probes = probes
			job := ensemble.Job{World: w, Weeks: sc.Clock.Weeks, Replicates: n, Seed: sc.Seed}
			if err := ensemble.Run(context.Background(), job, &res[i]); err != nil {
				return err
			}
		}
		kp, nk := res[0].Values, res[1].Values
		fmt.Printf("%s\t%g\t%g\t%g\t%.0f\t%.0f\t%.0f\t%.0f\n", strings.Join(label, " "),
			median(kp[0]), median(kp[1]), median(nk[1]), median(kp[2]), median(nk[2]), median(kp[3]), median(nk[3]))
		k := 0
		for ; k < len(g); k++ {
			if idx[k]++; idx[k] < len(g[k].values) {
				break
			}
			idx[k] = 0
		}
		if k == len(g) {
			return nil
		}
	}
}
