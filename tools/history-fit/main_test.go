package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The rescoring's targets are the calibration's own, from the calibration.json beside its
// posterior, not every row of the targets file; without that file it says so.
func TestFittedTargets(t *testing.T) {
	dir := t.TempDir()
	post := filepath.Join(dir, "posterior.csv")
	if _, err := fittedTargets(post); err == nil || !strings.Contains(err.Error(), "calibration.json beside its posterior") {
		t.Errorf("without calibration.json: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "calibration.json"), []byte(`{"name":"x","targets":["homicides_2007","groups_2010"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := fittedTargets(post)
	if err != nil || !slices.Equal(got, []string{"homicides_2007", "groups_2010"}) {
		t.Errorf("got %v, %v; want [homicides_2007 groups_2010]", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "calibration.json"), []byte(`{"name":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fittedTargets(post); err == nil || !strings.Contains(err.Error(), "names no targets") {
		t.Errorf("no targets: %v", err)
	}
}

// -set's overrides replace a particle's value of the same key and follow its others, a
// later one winning, and leave the particle itself as it was.
func TestSetFlagsOver(t *testing.T) {
	var f setFlags
	for _, s := range []string{"a=2", "c=3", "c=4"} {
		if err := f.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	theta := []float64{0.5, 0.25}
	keys, apply := f.over([]string{"a", "b"})
	if got := apply(theta); !slices.Equal(keys, []string{"a", "b", "c"}) || !slices.Equal(got, []float64{2, 0.25, 4}) {
		t.Errorf("got %v %v, want [a b c] [2 0.25 4]", keys, got)
	}
	if keys, apply := f.over(nil); !slices.Equal(keys, []string{"a", "c"}) || !slices.Equal(apply(nil), []float64{2, 4}) {
		t.Errorf("without a particle: got %v %v, want [a c] [2 4]", keys, apply(nil))
	}
	if !slices.Equal(theta, []float64{0.5, 0.25}) {
		t.Errorf("the particle changed: %v", theta)
	}
	if err := f.Set("d"); err == nil {
		t.Error("want an error for a -set without a value")
	}
}
