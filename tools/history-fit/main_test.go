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
