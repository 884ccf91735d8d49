package mexico

import (
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
	"github.com/cartelsim/cartelsim/model/bacrim"
)

func TestLoad(t *testing.T) {
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 32 {
		t.Fatalf("%d states, want 32", g.Len())
	}
	// INEGI's published total for the 2020 census.
	total := 0.0
	border, ports := 0, 0
	for _, s := range g.States {
		total += s.Population
		if s.USBorder {
			border++
		}
		if s.PacificPort {
			ports++
		}
	}
	if total != 126014024 {
		t.Errorf("population %v, want INEGI's 126,014,024", total)
	}
	if border != 6 {
		t.Errorf("%d border states, want the 6 that border the US", border)
	}
	if ports == 0 {
		t.Error("no Pacific port")
	}
	// Known borders and non-borders, from the map.
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Sinaloa", "Durango", true}, {"Jalisco", "Michoacán", true}, {"CMX", "MEX", true},
		{"BCS", "BCN", true}, {"SON", "CHH", true}, {"YUC", "ROO", true},
		{"SIN", "JAL", false}, {"BCS", "SON", false}, {"CMX", "PUE", false}, {"TAM", "COA", false},
	} {
		a, _ := g.Lookup(c.a)
		b, _ := g.Lookup(c.b)
		if g.Adjacent(a, b) != c.want || g.Adjacent(b, a) != c.want {
			t.Errorf("%s-%s adjacent = %v, want %v both ways", c.a, c.b, g.Adjacent(a, b), c.want)
		}
	}
	// Baja California Sur touches only Baja California.
	if i, _ := g.Lookup("BCS"); g.Degree(i) != 1 {
		t.Errorf("BCS has %d neighbours, want 1", g.Degree(i))
	}
}

// Every BACRIM group's home state must be found, or it could not be placed.
func TestBACRIMHomeStates(t *testing.T) {
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	d, err := bacrim.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, grp := range d.Groups {
		if _, ok := g.Lookup(grp.State); !ok {
			t.Errorf("group %s: home state %q not in the geography", grp.ID, grp.State)
		}
	}
}

func TestParseErrors(t *testing.T) {
	head := "code,inegi,name,population_2020,region,us_border,pacific_port,adjacent\n"
	for _, c := range []struct{ name, csv, want string }{
		{"header", "a,b\n", "header"},
		{"population", head + "A,01,Aa,x,north,1,0,\n", "population"},
		{"zone", head + "A,01,Aa,1,west,1,0,\n", "unknown zone"},
		{"flag", head + "A,01,Aa,1,north,2,0,\n", "us_border"},
		{"unknown neighbour", head + "A,01,Aa,1,north,1,0,B\n", "unknown state"},
		{"disconnected", head + "A,01,Aa,1,north,1,0,\nB,02,Bb,1,north,0,0,\n", "separate parts"},
		{"no border", head + "A,01,Aa,1,north,0,0,\n", "US border"},
	} {
		_, err := Parse(strings.NewReader(c.csv))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// Routes on the real map: with no costs but transit, a state's path is its fewest-state
// path to the border; seizures multiply along it.
func TestRoutes(t *testing.T) {
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := g.Len()
	cost := make([]float64, n)
	seize := make([]float64, n)
	for i := range cost {
		cost[i] = 1
	}
	var r model.Routes
	router := g.NewRouter()
	router.Route(cost, seize, 0.1, &r)
	sin, _ := g.Lookup("SIN")
	son, _ := g.Lookup("SON")
	chh, _ := g.Lookup("CHH")
	if r.Next[son] != -1 {
		t.Errorf("Sonora ships straight across, got next state %d", r.Next[son])
	}
	// Sinaloa borders Sonora and Chihuahua: two edges, (1+1)/2 into the border state and
	// (1+1)/2 across, cost 2.
	if r.Next[sin] != son && r.Next[sin] != chh {
		t.Errorf("Sinaloa ships through state %d, want Sonora or Chihuahua", r.Next[sin])
	}
	if r.Cost[sin] != 2 {
		t.Errorf("Sinaloa's route costs %v, want 2", r.Cost[sin])
	}
	if r.Pass[sin] != 0.9 {
		t.Errorf("Sinaloa's pass %v, want 0.9 (only the border seizes)", r.Pass[sin])
	}
	// Raise Sonora's and Chihuahua's seizures and costs: Sinaloa's shipments divert
	// (through Durango and Coahuila) and avoid the seizures.
	for _, s := range []int{son, chh} {
		cost[s], seize[s] = 20, 0.5
	}
	router.Route(cost, seize, 0.1, &r)
	if next := r.Next[sin]; next == son || next == chh {
		t.Errorf("Sinaloa still ships through %s", g.States[next].Code)
	}
	if r.Pass[sin] != 0.9 {
		t.Errorf("diverted pass %v, want 0.9", r.Pass[sin])
	}
	if r.Pass[son] != 0.9*0.5 {
		t.Errorf("Sonora's own shipments pass %v, want 0.45", r.Pass[son])
	}
}

// The ports file gives the seven states with a port of data/ports.csv their coast (the
// brief's list: Ensenada, Mazatlán, Manzanillo, Lázaro Cárdenas on the Pacific; Veracruz,
// Altamira and Tampico, Progreso on the Gulf), and bad rows are refused by line.
func TestPorts(t *testing.T) {
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]model.Coast{"BCN": model.PacificCoast, "SIN": model.PacificCoast, "COL": model.PacificCoast,
		"MIC": model.PacificCoast, "VER": model.GulfCoast, "TAM": model.GulfCoast, "YUC": model.GulfCoast}
	for _, s := range g.States {
		if s.Coast != want[s.Code] {
			t.Errorf("%s on coast %q, want %q", s.Code, s.Coast, want[s.Code])
		}
	}
	const states = "code,inegi,name,population_2020,region,us_border,pacific_port,adjacent\nA,01,Aa,1,north,1,0,\n"
	const head = "port,state,coast,source\n"
	for _, c := range []struct{ name, csv, want string }{
		{"header", "port,state\n", "ports header"},
		{"state", head + "X,B,gulf,s\n", `ports line 2: port X is in unknown state "B"`},
		{"coast", head + "X,A,atlantic,s\n", `ports line 2: model: unknown coast "atlantic"`},
		{"source", head + "X,A,gulf,\n", "ports line 2: a port needs a name and a source"},
		{"two coasts", head + "X,A,gulf,s\nY,A,pacific,s\n", "ports line 3: port Y puts state A on the pacific coast, an earlier port on the gulf"},
	} {
		_, err := ParseWithPorts(strings.NewReader(states), strings.NewReader(c.csv))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// The national counts: INEGI's four, by date, the last the 2020 census whose total the
// states' population_2020 sum to (TestLoad); a malformed file is refused by line.
func TestNationalCounts(t *testing.T) {
	counts, err := NationalCounts()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, s := range g.States {
		total += s.Population
	}
	if len(counts) != 4 || counts[3].People != total || counts[3].Date.Format("2006-01-02") != "2020-03-15" {
		t.Fatalf("counts %v: want 4, the last the 2020 census of %v people on 2020-03-15", counts, total)
	}
	for _, bad := range []string{
		"date,people,count\n",
		"date,population,count\n",
		"date,population,count\n2010-06-12,112336538,a\n2005-10-17,103263388,b\n",
		"date,population,count\n2010-13-12,112336538,a\n",
		"date,population,count\n2010-06-12,-1,a\n",
	} {
		if _, err := parseCounts(strings.NewReader(bad)); err == nil || !strings.HasPrefix(err.Error(), "mexico: ") {
			t.Errorf("%q: %v, want a mexico: error", bad, err)
		}
	}
}
