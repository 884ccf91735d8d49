package model_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/bacrim"
)

func bacrimNetwork(t testing.TB) *model.Network {
	t.Helper()
	d, err := bacrim.Load()
	if err != nil {
		t.Fatal(err)
	}
	net, err := d.Network()
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// paperScenarios are the paper's four futures from 2022 (week 520), as in Prieto-Curiel et al. (2023).
var paperScenarios = []struct {
	name string
	ivs  []model.Intervention
}{
	{"baseline", nil},
	{"double-incapacitation", []model.Intervention{{Kind: model.Incapacitation, From: 520, To: model.Forever, Intensity: 1, Actor: model.Mexico}}},
	{"halve-recruitment", []model.Intervention{{Kind: model.RecruitmentReduction, From: 520, To: model.Forever, Intensity: 0.5, Actor: model.Mexico}}},
	{"zero-recruitment", []model.Intervention{{Kind: model.RecruitmentReduction, From: 520, To: model.Forever, Intensity: 1, Actor: model.Mexico}}},
}

func newWorld(t testing.TB, mode model.Mode, ivs []model.Intervention) *model.World {
	t.Helper()
	w, err := model.NewWorld(model.Config{
		Network: bacrimNetwork(t), Params: model.DefaultParams(),
		InitialMembers: model.DefaultInitialMembers, Interventions: ivs, Mode: mode,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// runWeeks steps a replicate and returns every week's metrics.
func runWeeks(w *model.World, rng *rand.Rand, weeks int) [][]float64 {
	r := w.NewReplicate()
	r.Reset(rng)
	out := make([][]float64, weeks+1)
	for wk := 1; wk <= weeks; wk++ {
		out[wk] = make([]float64, model.NumMetrics)
		r.Step(wk, rng, out[wk])
	}
	return out
}

// The paper (Prieto-Curiel et al. 2023, Science 381:1312) reports about 174,000 members
// in 2022 and, from its calibration, about 124 model deaths a week then.
func TestMeanFieldReproducesPaper2022(t *testing.T) {
	out := runWeeks(newWorld(t, model.MeanField, nil), nil, 520)
	members, deaths := out[520][model.Members], out[520][model.Deaths]
	if math.Abs(members/174000-1) > 0.01 {
		t.Errorf("members at week 520 = %.0f, want 174,000 within 1%%", members)
	}
	if math.Abs(deaths/124-1) > 0.01 {
		t.Errorf("deaths in week 520 = %.1f, want 124 within 1%%", deaths)
	}
}

// independentTotals integrates the same equations by a different route: the dense
// kernel built element by element from its definition (no sparse-plus-rank-one form),
// Heun's second-order method at 1/64 week, and parameters switched by time. It returns
// members at week 780 and deaths integrated over the week ending then.
func independentTotals(net *model.Network, c0 []float64, rhoAfter, etaAfter float64) (members, deaths float64) {
	p := model.DefaultParams()
	n := net.Len()
	K := make([][]float64, n)
	for i := range K {
		K[i] = make([]float64, n)
		for j := range K[i] {
			if i != j {
				K[i][j] = (net.Rivalry(i, j) + 1) / (net.AllianceStrength[i] + 1)
			}
		}
	}
	rate := func(t float64, c, dc []float64) float64 {
		rho, eta := p.Recruitment, p.Incapacitation
		if t >= 520 {
			rho, eta = rhoAfter, etaAfter
		}
		s := 0.0
		for _, x := range c {
			s += x
		}
		d := 0.0
		for i := range c {
			kc := 0.0
			for j := range c {
				kc += K[i][j] * c[j]
			}
			dc[i] = c[i] * (rho - eta/s - p.ConflictLethality*kc - p.Saturation*c[i])
			d += p.ConflictLethality * c[i] * kc
		}
		return d
	}
	const steps = 64
	const h = 1.0 / steps
	c := append([]float64(nil), c0...)
	d1, d2, mid := make([]float64, n), make([]float64, n), make([]float64, n)
	for k := 0; k < 780*steps; k++ {
		t := float64(k) * h
		dStart := rate(t, c, d1)
		for i := range c {
			mid[i] = c[i] + h*d1[i]
		}
		dEnd := rate(t+h, mid, d2)
		for i := range c {
			c[i] += h / 2 * (d1[i] + d2[i])
		}
		if k >= 779*steps {
			deaths += h / 2 * (dStart + dEnd)
		}
	}
	for _, x := range c {
		members += x
	}
	return members, deaths
}

// The four futures agree with the independent integration to 0.1% in 2027 (week 780),
// and with the paper's statements: no change grows, doubled incapacitation still grows,
// halved recruitment shrinks, zero recruitment shrinks most.
func TestMeanFieldFuturesAgreeWithIndependentIntegration(t *testing.T) {
	net := bacrimNetwork(t)
	members2027 := map[string]float64{}
	var members2022 float64
	for _, sc := range paperScenarios {
		w := newWorld(t, model.MeanField, sc.ivs)
		out := runWeeks(w, nil, 780)
		members2022 = out[520][model.Members]
		members := out[780][model.Members]
		after := w.ParamsAt(521)
		wantMembers, wantDeaths := independentTotals(net, w.ExpectedInitialSizes(), after.Recruitment, after.Incapacitation)
		if math.Abs(members/wantMembers-1) > 1e-3 {
			t.Errorf("%s: members in 2027 %.1f, independent integration %.1f", sc.name, members, wantMembers)
		}
		if got := out[780][model.Deaths]; math.Abs(got/wantDeaths-1) > 1e-3 {
			t.Errorf("%s: deaths in week 780 %.3f, independent integration %.3f", sc.name, got, wantDeaths)
		}
		members2027[sc.name] = members
	}
	if !(members2027["baseline"] > members2022) {
		t.Errorf("no change: members %.0f in 2027, not above %.0f in 2022", members2027["baseline"], members2022)
	}
	if !(members2027["double-incapacitation"] > members2022) {
		t.Errorf("double incapacitation: members %.0f in 2027, paper says they still grow from %.0f", members2027["double-incapacitation"], members2022)
	}
	if !(members2027["halve-recruitment"] < members2022) {
		t.Errorf("halve recruitment: members %.0f in 2027, paper says they shrink from %.0f", members2027["halve-recruitment"], members2022)
	}
	if !(members2027["zero-recruitment"] < members2027["halve-recruitment"]) {
		t.Errorf("zero recruitment (%.0f) should shrink more than halving it (%.0f)", members2027["zero-recruitment"], members2027["halve-recruitment"])
	}
}

// DefaultHomicideRatio is what its comment says: national homicides plus missing persons
// per week, 2012-2021, over the mean-field baseline's mean weekly deaths in weeks 1-520.
func TestHomicideRatioCalibration(t *testing.T) {
	d, err := bacrim.Load()
	if err != nil {
		t.Fatal(err)
	}
	national := 0.0
	for _, tr := range d.Trends {
		national += tr.Homicides + tr.MissingPersons
	}
	if national != 469671 {
		t.Fatalf("homicides plus missing persons 2012-2021 = %v, want 469,671 (sum of the file's columns)", national)
	}
	perWeek := national / (float64(len(d.Trends)) * 365.25 / 7)
	out := runWeeks(newWorld(t, model.MeanField, nil), nil, 520)
	deaths := 0.0
	for wk := 1; wk <= 520; wk++ {
		deaths += out[wk][model.Deaths]
	}
	ratio := perWeek / (deaths / 520)
	if math.Abs(ratio/model.DefaultHomicideRatio-1) > 1e-4 {
		t.Errorf("calibrated ratio %.5f, DefaultHomicideRatio %.5f", ratio, model.DefaultHomicideRatio)
	}
	// The paper fits model deaths to a tenth of homicides plus missing persons.
	if ratio < 8 || ratio > 12 {
		t.Errorf("ratio %.2f is far from the paper's factor of about 10", ratio)
	}
	if h := out[520][model.Homicides]; h != out[520][model.Deaths]*model.DefaultHomicideRatio {
		t.Errorf("homicides %v != deaths x ratio", h)
	}
}

// Stochastic mode is an unbiased draw of the same dynamics: its mean over 400 replicates
// stays within 3% of mean-field for members at week 520.
func TestStochasticMeanMatchesMeanField(t *testing.T) {
	mf := runWeeks(newWorld(t, model.MeanField, nil), nil, 520)[520][model.Members]
	w := newWorld(t, model.Stochastic, nil)
	r := w.NewReplicate()
	out := make([]float64, model.NumMetrics)
	const reps = 400
	sum := 0.0
	for rep := range reps {
		rng := rand.New(rand.NewPCG(7, uint64(rep)))
		r.Reset(rng)
		for wk := 1; wk <= 520; wk++ {
			r.Step(wk, rng, out)
		}
		sum += out[model.Members]
	}
	if mean := sum / reps; math.Abs(mean/mf-1) > 0.03 {
		t.Errorf("stochastic mean members %.0f, mean-field %.0f: more than 3%% apart", mean, mf)
	}
}

// Every member who leaves is counted once: the change in members is recruits minus
// deaths, arrests and saturation exits, exactly in stochastic mode (whole numbers) and to
// rounding in mean-field mode. Sizes stay whole and non-negative in stochastic mode.
func TestFlowsBalanceMembers(t *testing.T) {
	for _, mode := range []model.Mode{model.Stochastic, model.MeanField} {
		for _, sc := range paperScenarios {
			w := newWorld(t, mode, sc.ivs)
			rng := rand.New(rand.NewPCG(3, 4))
			r := w.NewReplicate()
			r.Reset(rng)
			prev := 0.0
			for _, x := range r.Sizes() {
				prev += x
			}
			out := make([]float64, model.NumMetrics)
			for wk := 1; wk <= 780; wk++ {
				r.Step(wk, rng, out)
				change := out[model.Recruits] - out[model.Deaths] - out[model.Incapacitated] - out[model.SaturationExits]
				if math.Abs(out[model.Members]-prev-change) > 1e-6*prev {
					t.Fatalf("%v %s week %d: members moved %v, flows say %v", mode, sc.name, wk, out[model.Members]-prev, change)
				}
				prev = out[model.Members]
				if mode == model.Stochastic {
					for i, x := range r.Sizes() {
						if x < 0 || x != math.Floor(x) {
							t.Fatalf("week %d: cartel %d has %v members", wk, i, x)
						}
					}
				}
			}
		}
	}
}

func TestInterventionWindow(t *testing.T) {
	w, err := model.NewWorld(model.Config{
		Network: bacrimNetwork(t), Params: model.DefaultParams(), InitialMembers: 1000,
		Interventions: []model.Intervention{
			{Kind: model.RecruitmentReduction, From: 10, To: 20, Intensity: 0.5, Actor: model.Mexico},
			{Kind: model.RecruitmentReduction, From: 15, To: model.Forever, Intensity: 0.5, Actor: model.Joint},
			{Kind: model.Incapacitation, From: 0, To: 5, Intensity: 2, Actor: model.US},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	base := model.DefaultParams()
	for _, c := range []struct {
		week     int
		rho, eta float64
	}{
		{1, 1, 3}, {5, 1, 3}, {6, 1, 1}, {10, 1, 1}, {11, 0.5, 1}, {16, 0.25, 1}, {20, 0.25, 1}, {21, 0.5, 1}, {10000, 0.5, 1},
	} {
		p := w.ParamsAt(c.week)
		if p.Recruitment != base.Recruitment*c.rho || p.Incapacitation != base.Incapacitation*c.eta {
			t.Errorf("week %d: rho x%v eta x%v, want x%v x%v", c.week, p.Recruitment/base.Recruitment, p.Incapacitation/base.Incapacitation, c.rho, c.eta)
		}
	}
}

func TestConstructorsRejectBadInput(t *testing.T) {
	net := bacrimNetwork(t)
	good := model.Intervention{Kind: model.Incapacitation, From: 1, To: 2, Intensity: 1, Actor: model.Mexico}
	for _, c := range []struct {
		name string
		cfg  model.Config
		want string
	}{
		{"no network", model.Config{Params: model.DefaultParams()}, "no network"},
		{"negative rate", model.Config{Network: net, Params: model.Params{Recruitment: -1}}, "negative recruitment rate"},
		{"NaN rate", model.Config{Network: net, Params: model.Params{Saturation: math.NaN()}}, "saturation rate is NaN"},
		{"adjacent weight above 1", model.Config{Network: net, Params: model.Params{AdjacentWeight: 2}}, "adjacent weight (relative to a shared state) is 2, want a number from 0 to 1"},
		{"NaN hostility", model.Config{Network: net, Params: model.Params{BaselineHostility: math.NaN()}}, "baseline hostility is NaN"},
		{"huge homicide rate", model.Config{Network: net, Params: model.Params{BaselineHomicideRate: 1e7}}, "baseline homicide rate is 1e+07, want a number from 0 to 1e+06"},
		{"Inf members", model.Config{Network: net, InitialMembers: math.Inf(1)}, "initial members"},
		{"bad kind", model.Config{Network: net, Interventions: []model.Intervention{{Kind: "bombing", From: 1, To: 2, Actor: model.US}}}, `unknown intervention kind "bombing"`},
		{"bad actor", model.Config{Network: net, Interventions: []model.Intervention{{Kind: model.Incapacitation, From: 1, To: 2, Actor: "un"}}}, `unknown actor "un"`},
		{"fraction above 1", model.Config{Network: net, Interventions: []model.Intervention{{Kind: model.RecruitmentReduction, From: 1, To: 2, Intensity: 1.5, Actor: model.Mexico}}}, "above 1"},
		{"backwards window", model.Config{Network: net, Interventions: []model.Intervention{{Kind: model.Incapacitation, From: 5, To: 5, Actor: model.Mexico}}}, "before it starts"},
		{"negative intensity", model.Config{Network: net, Interventions: []model.Intervention{{Kind: model.Incapacitation, From: 1, To: 2, Intensity: -1, Actor: model.Mexico}}}, "negative intensity"},
	} {
		_, err := model.NewWorld(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "model: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := model.NewIntervention(good.Kind, good.From, good.To, good.Intensity, good.Actor); err != nil {
		t.Errorf("valid intervention rejected: %v", err)
	}
	if _, err := model.ParseMode("montecarlo"); err == nil {
		t.Error("unknown mode accepted")
	}
}

// The weekly step allocates nothing, in both modes.
func TestStepAllocatesNothing(t *testing.T) {
	for _, mode := range []model.Mode{model.Stochastic, model.MeanField} {
		w := newWorld(t, mode, paperScenarios[2].ivs)
		rng := rand.New(rand.NewPCG(1, 1))
		r := w.NewReplicate()
		r.Reset(rng)
		out := make([]float64, model.NumMetrics)
		wk := 0
		if a := testing.AllocsPerRun(200, func() { wk++; r.Step(wk, rng, out) }); a != 0 {
			t.Errorf("%v: %v allocations per step", mode, a)
		}
	}
}
