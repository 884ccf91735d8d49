package experiment

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReadDesign gives the design matrix as written, and refuses a file that does not match
// its manifest, naming the line.
func TestReadDesignChecksTheManifest(t *testing.T) {
	m := &Manifest{Points: 2, Factors: []ManifestFactor{{Key: "a"}, {Key: "b"}}}
	cases := []struct{ name, body, want string }{
		{"good", "point,a,b\n0,1,2\n1,3.5,-4\n", ""},
		{"out of order", "point,a,b\n1,1,2\n0,3,4\n", `design.csv:2: point "1" out of order`},
		{"not a number", "point,a,b\n0,1,2\n1,x,4\n", `design.csv:3: a: not a number: "x"`},
		{"NaN", "point,a,b\n0,1,NaN\n1,3,4\n", `design.csv:2: b: not a number: "NaN"`},
		{"a point missing", "point,a,b\n0,1,2\n", "design.csv: 1 points, the manifest says 2"},
		{"a column missing", "point,a,b\n0,1\n1,3,4\n", "design.csv:2: wrong number of fields"},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), DesignFile)
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := ReadDesign(path, m)
		if c.want == "" {
			if err != nil || len(d) != 2 || d[0][1] != 2 || d[1][0] != 3.5 || d[1][1] != -4 {
				t.Errorf("%s: %v, %v", c.name, d, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "experiment: ") {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}
