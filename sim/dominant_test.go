package sim

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// dominantScenario is a hand-built world on the states whose dominant groups are known:
// a (3,000 members) holds Sinaloa, its home, and Durango: it places floor(3000/3) =
// 1,000 members in Durango and 2,000 at home; c has 1,500 in Durango alone, b 2,000 in
// Tamaulipas. members_per_state is so large that no group takes or leaves a state (a
// group leaves one only when it holds two more than 1 + floor(members/members_per_state)
// = 1), there is no fragmentation, and ten weeks of conflict cost a few members (of the
// order of lethality x exposure a week), far from the 500 that separate a and c in
// Durango. So in both years (2006 and 2007) Sinaloa is a's, Durango c's, Tamaulipas b's in
// every replicate, and the other 29 states have no group.
const dominantScenario = `name: dominant-test
start: 2006-12-03
weeks: 10
replicates: 5
seed: 3
world:
  groups:
    - {id: a, name: Alpha cartel, members: 3000, states: [SIN, DUR]}
    - {id: b, name: Beta cartel, members: 2000, state: TAM}
    - {id: c, name: Gamma cartel, members: 1500, state: DUR}
territory:
  members_per_state: 1e9
`

func TestDominantByHand(t *testing.T) {
	sc, err := scenario.ParseScenario("dominant.yaml", []byte(dominantScenario))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	m, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Files, DominantFile) {
		t.Errorf("the manifest lists %v, without %s", m.Files, DominantFile)
	}
	rows := readCSV(t, filepath.Join(dir, DominantFile))
	if !slices.Equal(rows[0], dominantHeader) {
		t.Fatalf("header %v, want %v", rows[0], dominantHeader)
	}
	want := map[string][2]string{"SIN": {"a", "Alpha cartel"}, "DUR": {"c", "Gamma cartel"}, "TAM": {"b", "Beta cartel"}}
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		year, state := row[1], row[2]
		if year != "2006" && year != "2007" || seen[year+state] {
			t.Errorf("row %v: want one row per state in 2006 and 2007", row)
		}
		seen[year+state] = true
		w := want[state] // none: no group
		if row[4] != w[0] || row[5] != w[1] || row[6] != "1" {
			t.Errorf("%s %s: group %q (%q), share %s; want %q (%q) in every replicate", year, state, row[4], row[5], row[6], w[0], w[1])
		}
	}
	if len(rows)-1 != 2*32 {
		t.Errorf("%d rows, want 64 (two years, 32 states)", len(rows)-1)
	}
	// The map reads it back.
	if _, err := DrawMap(dir, MapOptions{Metric: DominantGroupMetric, Year: 2006, Out: filepath.Join(t.TempDir(), "m.svg")}); err != nil {
		t.Errorf("the dominant map of dominant.csv: %v", err)
	}
}

// On the BACRIM world (150 groups that move, fight and split), dominant.csv has one row
// per state and year of states.csv, a share in (0, 1] that is a whole number of
// replicates over their number, and no group exactly where the median of groups_present
// is 0 when the share of no group is above one half (then more than half the replicates
// have none, so the median, the lower middle order statistic, is 0).
func TestDominantInvariants(t *testing.T) {
	const reps = 5
	sc := geoTestScenario(t, reps, 30)
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Execute(context.Background(), sc, RunOptions{OutDir: dir, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	present := map[string]float64{}
	var keys []string
	for _, row := range readCSV(t, filepath.Join(dir, StatesFile))[1:] {
		if row[4] == "groups_present" {
			present[row[1]+row[2]], _ = strconv.ParseFloat(row[8], 64)
			keys = append(keys, row[1]+row[2])
		}
	}
	var got []string
	groups := map[string]bool{}
	for _, row := range readCSV(t, filepath.Join(dir, DominantFile))[1:] {
		k := row[1] + row[2]
		got = append(got, k)
		share, err := strconv.ParseFloat(row[6], 64)
		votes := share * reps
		if err != nil || !(share > 0 && share <= 1) || votes != float64(int(votes+0.5)) && !near(votes, float64(int(votes+0.5))) {
			t.Errorf("%s: share %q is not k/%d in (0, 1]", k, row[6], reps)
		}
		if row[4] == "" && share > 0.5 && present[k] != 0 || row[4] != "" && share > 0.5 && present[k] == 0 {
			t.Errorf("%s: dominant %q with share %v, but the median of groups_present is %v", k, row[4], share, present[k])
		}
		if row[4] != "" {
			groups[row[4]] = true
		}
	}
	if !slices.Equal(got, keys) {
		t.Errorf("dominant.csv's years and states %v, states.csv's %v", got, keys)
	}
	if len(groups) < 2 {
		t.Errorf("dominant groups %v: the test shows little", groups)
	}
	if _, err := os.Stat(filepath.Join(dir, PlotsDir)); err != nil {
		t.Error(err)
	}
}
