package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

// formAlliances keeps its rows of rivals and rivals' rivals from week to week, updates
// them with the rival links made and rebuilds them only when one is removed. On the BACRIM world with alliances
// forming, ten years give the same metrics, bit for bit, every week, as rebuilding the
// rows every week, in two worlds: a kingpin campaign (splits, sibling and inherited
// rivalries) with feuds that fade away, and one without a campaign where groups below
// 3,000 members end (their rivalries with them). The alliances do form (the run without
// them differs), and the rivalries do change (splits and ends are counted).
func TestRivalBitRowsKept(t *testing.T) {
	net := bacrimNetwork(t)
	run := func(campaign bool, formation float64, always bool) ([][]float64, [2]float64) {
		*model.RebuildRivalBitsAlways = always
		defer func() { *model.RebuildRivalBitsAlways = false }()
		frag := model.DefaultFragmentation()
		frag.AllianceFormationRate, frag.FactionRivalryHalfLife, frag.AllianceBreakRate = formation, 2, 0.005
		frag.ViableMembers = 60
		var ivs []model.Intervention
		if campaign {
			ivs = append(ivs, model.Intervention{Kind: model.Decapitation, From: 1, To: 300, Intensity: 8, Actor: model.Mexico,
				Targets: model.Targets{Largest: 10}})
		} else {
			frag.ViableMembers, frag.FactionRivalryHalfLife = 3000, 0
		}
		w := allianceWorld(t, net, frag, ivs)
		r := w.NewReplicate()
		rng := rand.New(rand.NewPCG(20, 6))
		r.Reset(rng)
		var weeks [][]float64
		var changes [2]float64 // splits, groups ended
		for wk := 1; wk <= 520; wk++ {
			out := make([]float64, model.NumMetrics)
			r.Step(wk, rng, out)
			weeks = append(weeks, out)
			changes[0] += out[model.Splits]
			changes[1] += out[model.Dissolutions]
		}
		return weeks, changes
	}
	for _, campaign := range []bool{true, false} {
		kept, changes := run(campaign, 0.005, false)
		rebuilt, _ := run(campaign, 0.005, true)
		none, _ := run(campaign, 0, false)
		if changes[0]+changes[1] == 0 || (campaign && changes[0] == 0) || (!campaign && changes[1] == 0) {
			t.Fatalf("campaign %v: %v splits and %v groups ended in ten years: the rivalries hardly changed", campaign, changes[0], changes[1])
		}
		differs := false
		for wk := range kept {
			for m := range kept[wk] {
				if math.Float64bits(kept[wk][m]) != math.Float64bits(rebuilt[wk][m]) {
					t.Fatalf("campaign %v, week %d, metric %v: %v with the rows kept, %v rebuilt every week", campaign, wk+1, model.Metric(m), kept[wk][m], rebuilt[wk][m])
				}
				differs = differs || kept[wk][m] != none[wk][m]
			}
		}
		if !differs {
			t.Errorf("campaign %v: the run with alliances forming is the run without: nothing was tested", campaign)
		}
	}
}

// The rows formAlliances keeps, updated from the links made since the last week when none
// was removed, equal the rows rebuilt from the rivals' lists, every week of ten years of
// splits, their feuds and ends, twice over.
func TestRivalBitRowsUpdated(t *testing.T) {
	net := bacrimNetwork(t)
	for _, viable := range []float64{60, 3000} {
		t.Run(fmt.Sprint("viable ", viable), func(t *testing.T) {
			frag := model.DefaultFragmentation()
			frag.AllianceFormationRate, frag.FactionRivalryHalfLife, frag.AllianceBreakRate = 0.005, 8, 0.005
			frag.ViableMembers = viable
			ivs := []model.Intervention{{Kind: model.Decapitation, From: 1, To: 520, Intensity: 8, Actor: model.Mexico,
				Targets: model.Targets{Largest: 10}}}
			w := allianceWorld(t, net, frag, ivs)
			r := w.NewReplicate()
			rng := rand.New(rand.NewPCG(20, 7))
			wk, updated, rebuilt := 0, 0, 0
			stop := model.CheckRivalBitRows(func(u, equal bool) {
				if !equal {
					t.Fatalf("viable %v, week %d (updated %v): the rows kept differ from the rows rebuilt", viable, wk, u)
				}
				if u {
					updated++
				} else {
					rebuilt++
				}
			})
			defer stop()
			// Two replicates in turn: the second reuses the first's arrays, rows and all.
			for range 2 {
				r.Reset(rng)
				for wk = 1; wk <= 520; wk++ {
					r.Step(wk, rng, make([]float64, model.NumMetrics))
				}
			}
			if updated < 10 || rebuilt < 10 {
				t.Errorf("viable %v: %d weeks updated, %d rebuilt: want both ways taken", viable, updated, rebuilt)
			}
			t.Logf("viable %v: %d weeks updated, %d rebuilt", viable, updated, rebuilt)
		})
	}
}

// allianceWorld is the BACRIM world at the default parameters with frag and ivs.
func allianceWorld(t *testing.T, net *model.Network, frag model.Fragmentation, ivs []model.Intervention) *model.World {
	t.Helper()
	w, err := model.NewWorld(model.Config{Network: net, Params: model.DefaultParams(),
		InitialMembers: model.DefaultInitialMembers, Fragmentation: &frag, Interventions: ivs})
	if err != nil {
		t.Fatal(err)
	}
	return w
}
