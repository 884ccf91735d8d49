package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/cartelsim/cartelsim/sim/scenario"
)

// A scenario.ScenarioSource parses the bytes it read, whatever happens to the files since: each
// Parse gives what scenario.LoadScenarioWith gave before the files were edited, and its files'
// checksums are those of the bytes written.
func TestScenarioSourceReadsOnce(t *testing.T) {
	dir := writeFiles(t, map[string]string{"base/status-quo.yaml": extendsBase, "child.yaml": extendsChild})
	path := filepath.Join(dir, "child.yaml")
	ovs := []scenario.Override{{Key: "economy.rebuild_weeks", Value: "52"}}
	want, err := scenario.LoadScenarioWith(path, ovs)
	if err != nil {
		t.Fatal(err)
	}
	src, err := scenario.ReadScenarioSource(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	wantFiles := []scenario.SourceFile{{Path: path, SHA256: sum(extendsChild)}, {Path: filepath.Join(dir, "base", "status-quo.yaml"), SHA256: sum(extendsBase)}}
	if len(src.Files) != len(wantFiles) {
		t.Fatalf("files %+v, want %+v", src.Files, wantFiles)
	}
	for i, f := range src.Files {
		if f.Path != wantFiles[i].Path || f.SHA256 != wantFiles[i].SHA256 {
			t.Errorf("file %d: %s %s, want %s %s", i, f.Path, f.SHA256, wantFiles[i].Path, wantFiles[i].SHA256)
		}
	}
	// Edit both files: the source still parses what it read.
	for _, f := range wantFiles {
		if err := os.WriteFile(f.Path, []byte("name: [edited\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		got, err := src.Parse(ovs)
		if err != nil {
			t.Fatal(err)
		}
		if got.SHA256 != want.SHA256 || !bytes.Equal(got.Source, want.Source) || got.Config().Economy.RebuildWeeks != 52 {
			t.Errorf("parsed %s (rebuild %g), want %s as scenario.LoadScenarioWith read it", got.SHA256, got.Config().Economy.RebuildWeeks, want.SHA256)
		}
	}
	if _, err := scenario.LoadScenarioWith(path, ovs); err == nil {
		t.Error("the edited file loads: the test edits nothing")
	}
}

// A scenario.ScenarioSource of a scenario whose world is a history reads the history's files as
// well, and parses what it read after they are edited.
func TestScenarioSourceReadsTheHistory(t *testing.T) {
	dir := t.TempDir()
	writeHistoryFiles(t, dir, map[string]string{"past.yaml": pastScenario, "future.yaml": futureScenario})
	path := filepath.Join(dir, "future.yaml")
	want, err := scenario.LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	src, err := scenario.ReadScenarioSource(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Files) != 2 || src.Files[1].Path != filepath.Join(dir, "past.yaml") {
		t.Fatalf("files %+v, want future.yaml and past.yaml", src.Files)
	}
	if err := os.WriteFile(filepath.Join(dir, "past.yaml"), []byte("name: [edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := src.Parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.SHA256 != want.SHA256 || got.Config().WarmUpWeeks != 40 {
		t.Errorf("parsed %s (warm-up %d weeks), want %s as scenario.LoadScenario read it", got.SHA256, got.Config().WarmUpWeeks, want.SHA256)
	}
}
