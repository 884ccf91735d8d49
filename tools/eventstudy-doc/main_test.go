package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A two-window table whose means are worked out by hand: own's effect is 10 x month in
// months 0 to 12 (mean over 0..5: 10 x 2.5 = 25; over 0..12: 10 x 6 = 60), others' is 30
// in months 0 to 5 and 0 after (mean over 0..12: 30 x 6/13 = 13.8, printed +14); rest's
// is -20 throughout, so own's 0..12 mean minus rest's is 80 points, others' 33.8 (+34).
func TestTableByHand(t *testing.T) {
	var b strings.Builder
	b.WriteString("window,month,effect,lo,hi,events\n")
	for m := -12; m <= 24; m++ {
		own, others := 0.0, 0.0
		if m >= 0 && m <= 12 {
			own = 10 * float64(m)
		}
		if m >= 0 && m <= 5 {
			others = 30
		}
		b.WriteString("own," + itoa(m) + "," + ftoa(own) + "," + ftoa(own-5) + "," + ftoa(own+5) + ",40\n")
		b.WriteString("others," + itoa(m) + "," + ftoa(others) + ",-1,61,35\n")
		b.WriteString("rest," + itoa(m) + ",-20,-22,-18,50\n")
	}
	dir := t.TempDir()
	table, doc := filepath.Join(dir, "eventstudy.csv"), filepath.Join(dir, "doc.md")
	os.WriteFile(table, []byte(b.String()), 0o644)
	os.WriteFile(doc, []byte("# Title\n\ntext before\n"+beginMarker+"\nold table\n"+endMarker+"\ntext after\n"), 0o644)
	if err := run(table, doc); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(doc)
	want := "# Title\n\ntext before\n" + beginMarker + "\n" +
		"| window | events | months 0 to 5 (mean) | months 0 to 12 (mean) | months 0 to 12, minus the rest's | month 0 (95% interval) | month +12 | month +24 |\n" +
		"|---|---:|---:|---:|---:|---:|---:|---:|\n" +
		"| state of the removal | 40 | +25% | +60% | +80 points | +0% (-5% to +5%) | +120% (+115% to +125%) | +0% (-5% to +5%) |\n" +
		"| other states of the group | 35 | +30% | +14% | +34 points | +30% (-1% to +61%) | +0% (-1% to +61%) | +0% (-1% to +61%) |\n" +
		"| all other states | 50 | -20% | -20% |  | -20% (-22% to -18%) | -20% (-22% to -18%) | -20% (-22% to -18%) |\n" +
		endMarker + "\ntext after\n"
	if string(got) != want {
		t.Errorf("the document reads\n%s\nwant\n%s", got, want)
	}
}

// Bad input is one line naming the file, and leaves the document as it was.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	table, doc := filepath.Join(dir, "eventstudy.csv"), filepath.Join(dir, "doc.md")
	good := "window,month,effect,lo,hi,events\nown,0,1,0,2,3\n"
	for _, c := range []struct{ name, table, doc, want string }{
		{"no markers", good, "text\n", "want a line " + beginMarker},
		{"end before begin", good, endMarker + "\n" + beginMarker + "\n", "want a line"},
		{"two begins", good, beginMarker + "\n" + beginMarker + "\n" + endMarker + "\n", "doc.md:2: a second"},
		{"bad header", "window,month\n", beginMarker + "\n" + endMarker + "\n", "eventstudy.csv:1: header"},
		{"bad number", "window,month,effect,lo,hi,events\nown,0,x,0,2,3\n", beginMarker + "\n" + endMarker + "\n", "eventstudy.csv:2: not a month"},
	} {
		os.WriteFile(table, []byte(c.table), 0o644)
		os.WriteFile(doc, []byte(c.doc), 0o644)
		err := run(table, doc)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "eventstudy-doc: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", c.name, err, c.want)
		}
		if got, _ := os.ReadFile(doc); string(got) != c.doc {
			t.Errorf("%s: the document changed to %q", c.name, got)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
