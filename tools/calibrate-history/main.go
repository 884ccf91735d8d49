// Command calibrate-history runs the two history scenarios over a grid of fragmentation
// parameters and prints, for each point, the medians the calibration targets: groups
// alive at the end of 2011 and of 2020, members in 2020, and conflict deaths 2007-2012.
//
//	go run ./tools/calibrate-history -n 100 -set births_per_saturation_exit=1e-3,3e-3
//
// The README's "Fragmentation" section records how the defaults were chosen with it.
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
	"github.com/cartelsim/cartelsim/sim"
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

// collector keeps, per replicate, the values the calibration reads.
type collector struct {
	groups2011, groups2020, members2020, deaths0712 []float64
}

func (c *collector) Fold(_ int, s []float64) error {
	nm := int(model.NumMetrics)
	at := func(wk int, m model.Metric) float64 { return s[(wk-1)*nm+int(m)] }
	c.groups2011 = append(c.groups2011, at(week2011, model.Groups))
	c.groups2020 = append(c.groups2020, at(week2020, model.Groups))
	c.members2020 = append(c.members2020, at(week2020, model.Members))
	d := 0.0
	for wk := 1; wk <= week2012; wk++ {
		d += at(wk, model.Deaths)
	}
	c.deaths0712 = append(c.deaths0712, d)
	return nil
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
	var scs [2]*sim.Scenario
	for i, name := range []string{"2006-kingpin", "2006-no-kingpin"} {
		sc, err := sim.LoadScenario(dir + "/" + name + ".yaml")
		if err != nil {
			return err
		}
		scs[i] = sc
	}
	fmt.Println("point\tkingpin groups 2011\tkingpin groups 2020\tno-kingpin groups 2020\tkingpin members 2020\tno-kingpin members 2020\tdeaths 2007-12 kingpin\tno-kingpin")
	idx := make([]int, len(g))
	for {
		var label []string
		var res [2]collector
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
			job := sim.Job{World: w, Weeks: sc.Clock.Weeks, Replicates: n, Seed: sc.Seed}
			if err := sim.Run(context.Background(), job, &res[i]); err != nil {
				return err
			}
		}
		fmt.Printf("%s\t%g\t%g\t%g\t%.0f\t%.0f\t%.0f\t%.0f\n", strings.Join(label, " "),
			median(res[0].groups2011), median(res[0].groups2020), median(res[1].groups2020),
			median(res[0].members2020), median(res[1].members2020), median(res[0].deaths0712), median(res[1].deaths0712))
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
