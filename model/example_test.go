package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/bacrim"
)

// The paper's baseline in mean-field mode: about 174,000 members and 124 conflict deaths
// a week by 2022 (week 520).
func Example() {
	data, err := bacrim.Load()
	if err != nil {
		panic(err)
	}
	net, err := data.Network()
	if err != nil {
		panic(err)
	}
	world, err := model.NewWorld(model.Config{
		Network:        net,
		Params:         model.DefaultParams(),
		InitialMembers: model.DefaultInitialMembers,
		Mode:           model.MeanField,
	})
	if err != nil {
		panic(err)
	}
	r := world.NewReplicate()
	r.Reset(nil) // mean-field mode draws nothing
	week := make([]float64, model.NumMetrics)
	for w := 1; w <= 520; w++ {
		r.Step(w, nil, week)
	}
	fmt.Printf("largest group: %s\n", net.Groups[0].Name)
	fmt.Printf("members %.0f, deaths %.1f a week, %.0f groups\n", week[model.Members], week[model.Deaths], week[model.Groups])
	// Output:
	// largest group: Cártel Jalisco Nueva Generación (CJNG)
	// members 173837, deaths 124.2 a week, 150 groups
}

// Interventions are validated when made.
func ExampleNewIntervention() {
	_, err := model.NewIntervention(model.RecruitmentReduction, 520, model.Forever, 1.5, model.Mexico)
	fmt.Println(err)
	// Output:
	// model: recruitment-reduction intensity 1.5 is a fraction of recruitment prevented, above 1
}

// A kingpin campaign on one large cartel: with group dynamics switched on, removing its
// leaders splits it into factions, each with a lineage back to it.
func ExampleFragmentation() {
	net, err := model.NewNetwork([]model.Group{{ID: "big"}, {ID: "rival"}}, []model.Edge{{From: "big", To: "rival", Weight: 2}}, nil)
	if err != nil {
		panic(err)
	}
	frag := model.DefaultFragmentation()
	campaign := model.Intervention{Kind: model.Decapitation, From: 0, To: model.Forever, Intensity: 12,
		Actor: model.Joint, Removal: model.Kill, Targets: model.Targets{Groups: []string{"big"}}}
	world, err := model.NewWorld(model.Config{Network: net, Params: model.DefaultParams(), InitialSizes: []float64{30000, 10000},
		Fragmentation: &frag, Interventions: []model.Intervention{campaign}})
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	r := world.NewReplicate()
	r.Reset(rng)
	week := make([]float64, model.NumMetrics)
	removed, splits := 0.0, 0.0
	for w := 1; w <= 260; w++ {
		r.Step(w, rng, week)
		removed += week[model.LeadersRemoved]
		splits += week[model.Splits]
	}
	// Every faction descends from big, and was born after its parent.
	lineage := r.Lineage()
	factions, wellBorn := 0, true
	for _, rec := range lineage {
		if rec.Origin == model.Faction {
			factions++
			wellBorn = wellBorn && world.LineageID(lineage, rec.Root) == "big" && lineage[rec.Parent].BornWeek < rec.BornWeek
		}
	}
	// The campaign removes 12 leaders a year: about 60 in five years.
	fmt.Printf("leaders removed in five years: about %.0f\n", math.Round(removed/10)*10)
	fmt.Printf("each split made at least one faction: %v\n", float64(factions) >= splits && splits > 0)
	fmt.Printf("factions descend from big, born after their parents: %v\n", wellBorn)
	// Output:
	// leaders removed in five years: about 60
	// each split made at least one faction: true
	// factions descend from big, born after their parents: true
}
