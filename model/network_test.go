package model

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// A four-group network worked by hand:
//
//	rivalries A->B 3 and 1 (summed: 4), B->A 5, so A-B = max(4,5) = 5; C->C 2, a self-loop
//	alliances A->C 1 in one direction only, so A-C = 1
//
// strengths: rivalry A 5, B 5, C 2*2 = 4, D 0; alliance A 1, C 1, so totals A 6, B 5,
// C 5, D 0. The file lists C, A, D, B: B and C tie, C comes first in the file, so the
// ranking is A, C, B, D.
func handNetwork(t *testing.T) *Network {
	t.Helper()
	groups := []Group{{ID: "C"}, {ID: "A"}, {ID: "D"}, {ID: "B"}}
	net, err := NewNetwork(groups,
		[]Edge{{"A", "B", 3}, {"A", "B", 1}, {"B", "A", 5}, {"C", "C", 2}},
		[]Edge{{"A", "C", 1}})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func TestNetworkByHand(t *testing.T) {
	net := handNetwork(t)
	var ids []string
	for _, g := range net.Groups {
		ids = append(ids, g.ID)
	}
	if got := strings.Join(ids, ","); got != "A,C,B,D" {
		t.Fatalf("rank order %s, want A,C,B,D (ties kept in file order)", got)
	}
	wantR := []float64{5, 4, 5, 0}
	wantA := []float64{1, 1, 0, 0}
	for i := range wantR {
		if net.RivalryStrength[i] != wantR[i] || net.AllianceStrength[i] != wantA[i] {
			t.Errorf("%s: strengths %v/%v, want %v/%v", ids[i], net.RivalryStrength[i], net.AllianceStrength[i], wantR[i], wantA[i])
		}
	}
	// Symmetric, and the self-loop is not a rivalry with oneself.
	if net.Rivalry(0, 2) != 5 || net.Rivalry(2, 0) != 5 || net.Rivalry(1, 1) != 0 || net.RivalryEdges() != 2 {
		t.Errorf("rivalry A-B %v, B-A %v, C-C %v, edges %d; want 5, 5, 0, 2",
			net.Rivalry(0, 2), net.Rivalry(2, 0), net.Rivalry(1, 1), net.RivalryEdges())
	}
	// Sizes A=10, C=30, B=20, D=40, S=100; (Kc)_i = (sum_j R_ij c_j + S - c_i)/(A_i+1):
	// A: (5*20 + 90)/2 = 95; C: (0 + 70)/2 = 35; B: (5*10 + 80)/1 = 130; D: 60/1 = 60.
	// A replicate computes them on its own copy of the network.
	w, err := NewWorld(Config{Network: net, Params: DefaultParams(), InitialSizes: make([]float64, 4)})
	if err != nil {
		t.Fatal(err)
	}
	r := w.NewReplicate()
	r.Reset(rand.New(rand.NewPCG(1, 1)))
	copy(r.Sizes(), []float64{10, 30, 20, 40})
	got := make([]float64, 4)
	if s := r.ConflictExposure(got); s != 100 {
		t.Errorf("S = %v, want 100", s)
	}
	for i, want := range []float64{95, 35, 130, 60} {
		if got[i] != want {
			t.Errorf("(Kc)_%s = %v, want %v", ids[i], got[i], want)
		}
	}
}

func TestNetworkRejectsBadInput(t *testing.T) {
	g := []Group{{ID: "A"}, {ID: "B"}}
	for _, c := range []struct {
		name   string
		groups []Group
		rivals []Edge
		want   string
	}{
		{"no groups", nil, nil, "no groups"},
		{"duplicate id", []Group{{ID: "A"}, {ID: "A"}}, nil, "duplicate group id"},
		{"unknown group", g, []Edge{{"A", "Z", 1}}, `unknown group "Z"`},
		{"negative weight", g, []Edge{{"A", "B", -1}}, "weight -1"},
	} {
		_, err := NewNetwork(c.groups, c.rivals, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "model: ") {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
