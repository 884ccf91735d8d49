package docmarkers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cartelsim/cartelsim/internal/docmarkers"
)

const begin, end = "<!-- b -->", "<!-- e -->"

// The lines between the markers are replaced; everything else, markers included, is kept.
func TestReplaceKeepsTheRest(t *testing.T) {
	in := "head\n" + begin + "\nold\nold too\n" + end + "\ntail\n"
	got, err := docmarkers.Replace("d.md", []byte(in), begin, end, "new\n")
	if want := "head\n" + begin + "\nnew\n" + end + "\ntail\n"; err != nil || string(got) != want {
		t.Errorf("got %q (%v), want %q", got, err, want)
	}
}

// Missing, doubled or reversed markers are refused, naming the file and line.
func TestReplaceRefusesBadMarkers(t *testing.T) {
	for in, msg := range map[string]string{
		"no markers\n":                           "d.md: want a line " + begin,
		end + "\n" + begin + "\n":                "d.md: want a line " + begin,
		begin + "\n" + begin + "\n" + end + "\n": "d.md:2: a second " + begin,
		begin + "\n" + end + "\n" + end + "\n":   "d.md:3: a second " + end,
	} {
		if _, err := docmarkers.Replace("d.md", []byte(in), begin, end, "x\n"); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: got %v, want %q", in, err, msg)
		}
	}
}

func ExampleReplace() {
	out, _ := docmarkers.Replace("doc.md", []byte("# Title\n<!-- b -->\nold\n<!-- e -->\n"), "<!-- b -->", "<!-- e -->", "42\n")
	fmt.Print(string(out))
	// Output:
	// # Title
	// <!-- b -->
	// 42
	// <!-- e -->
}
