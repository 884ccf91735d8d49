package bacrim

import (
	"strings"
	"testing"
)

// Values checked against an independent reading of the files with Python's csv module
// (utf-8-sig), applying Prieto-Curiel et al. (2023)'s construction by hand.
func TestLoadRealData(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Groups) != 150 || len(d.Rivalries) != 127 || len(d.Alliances) != 130 || len(d.Trends) != 10 {
		t.Fatalf("rows: %d groups, %d rivalries, %d alliances, %d trends; want 150, 127, 130, 10",
			len(d.Groups), len(d.Rivalries), len(d.Alliances), len(d.Trends))
	}
	if d.Groups[0].ID != "N10001" {
		t.Errorf("first id %q: byte-order mark not stripped?", d.Groups[0].ID)
	}
	if got := d.Groups[76].Name; got != "La Reina del Sur, Cecilia “V\"" {
		t.Errorf("quoted name with comma and escaped quote read as %q", got)
	}
	net, err := d.Network()
	if err != nil {
		t.Fatal(err)
	}
	top := []struct {
		id             string
		rivals, allies float64
	}{{"N10025", 77, 55}, {"N10013", 19, 34}, {"N10076", 21, 13}, {"N10019", 16, 10}, {"N10081", 13, 9}}
	for k, want := range top {
		g := net.Groups[k]
		if g.ID != want.id || net.RivalryStrength[k] != want.rivals || net.AllianceStrength[k] != want.allies {
			t.Errorf("rank %d: %s %v/%v, want %s %v/%v", k+1, g.ID, net.RivalryStrength[k], net.AllianceStrength[k], want.id, want.rivals, want.allies)
		}
	}
	if net.RivalryEdges() != 184 {
		t.Errorf("%d off-diagonal rivalry entries, want 184", net.RivalryEdges())
	}
	if w := net.Rivalry(0, 1); w != 7 {
		t.Errorf("CJNG-Sinaloa rivalry %v, want 7", w)
	}
	if d.Trends[0].Year != 2012 || d.Trends[0].Homicides != 25967 || d.Trends[9].MissingPersons != 22470 {
		t.Errorf("trends misread: %+v ... %+v", d.Trends[0], d.Trends[9])
	}
	if !strings.Contains(Provenance(), "doi:10.5061/dryad.zw3r228d7") {
		t.Error("provenance note missing its DOI")
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"missing column", "Node,Group\nN1,A\n", `missing column "State"`},
		{"bad weight", "Node,RNode,weight\nN1,N2,heavy\n", `bad weight "heavy"`},
		{"ragged", "Node,Group,State\nN1,A\n", "wrong number of fields"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if strings.Contains(c.in, "weight") {
				_, err = ParseEdges(strings.NewReader(c.in))
			} else {
				_, err = ParseGroups(strings.NewReader(c.in))
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bacrim: ") {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// The node file's ShortName column is read when present (N10025's is CJNG, line 26 of
// BACRIM2020_Nodes.csv) and optional, "" without it.
func TestShortNames(t *testing.T) {
	d, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	short := map[string]string{}
	for _, g := range d.Groups {
		short[g.ID] = g.ShortName
	}
	if short["N10025"] != "CJNG" || short["N10013"] != "Sinaloa" || len(short) != 150 {
		t.Errorf("short names: N10025 %q, N10013 %q, %d groups", short["N10025"], short["N10013"], len(short))
	}
	gs, err := ParseGroups(strings.NewReader("Node,Group,State\nN1,A,Sonora\n"))
	if err != nil || len(gs) != 1 || gs[0].ShortName != "" || gs[0].Name != "A" {
		t.Errorf("without the column: %+v, %v", gs, err)
	}
}
