package robust

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/model"
)

// docs/robustness.md's table of which way is better names every metric once, in the row
// of its direction in Directions.
func TestDirectionTableMatchesDocs(t *testing.T) {
	b, err := os.ReadFile("../docs/robustness.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (lower|higher|none) \| (.+) \|$`)
	documented := map[string]Direction{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		list := m[2]
		if _, after, ok := strings.Cut(list, ": "); ok { // "every other metric: ..."
			list = after
		}
		for _, name := range strings.Split(list, ", ") {
			name, _, _ = strings.Cut(name, " (") // "price (a dearer dose ...)"
			if _, dup := documented[name]; dup {
				t.Errorf("%s is in the table twice", name)
			}
			documented[name] = Direction(m[1])
		}
	}
	for m := range model.NumMetrics {
		name := m.String()
		got, ok := documented[name]
		if !ok {
			t.Errorf("docs/robustness.md's table has no row for %s", name)
		} else if want := DirectionOf(name); got != want {
			t.Errorf("docs/robustness.md puts %s under %s; Directions says %s", name, got, want)
		}
		delete(documented, name)
	}
	for name := range documented {
		t.Errorf("docs/robustness.md's table names %q, which is no metric", name)
	}
	for name := range Directions {
		if _, ok := model.ParseMetric(name); !ok {
			t.Errorf("Directions names %q, which is no metric", name)
		}
	}
}

// Fewer US overdose deaths, and less fentanyl consumed, are better: a policy that lowers
// them beats the reference.
func TestOverdoseDeathsLowerIsBetter(t *testing.T) {
	for _, m := range []string{"overdose_deaths", "us_consumption"} {
		if d := DirectionOf(m); d != Lower {
			t.Errorf("%s: direction %v, want lower", m, d)
		}
	}
}
