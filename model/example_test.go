package model_test

import (
	"fmt"

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
