package sim

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// An OwnedDir refuses earlier files unless told to replace them, says when they are an
// incomplete run's, and removes only its own files, manifest first.
func TestOwnedDir(t *testing.T) {
	dir := t.TempDir()
	od := OwnedDir{Dir: dir, Names: []string{"m.json", "cp.json", "out.csv", "plots"}, Checkpoint: "cp.json", Prefix: "pkg", Noun: "thing"}
	if err := od.Clear(false); err != nil {
		t.Fatalf("an empty directory: %v", err)
	}
	if ok, err := od.ReadCheckpoint(&struct{}{}); ok || err != nil {
		t.Fatalf("no checkpoint: %v, %v", ok, err)
	}
	for _, name := range []string{"out.csv", "m.json", "other.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if found, err := ExistingFiles(dir, od.Names); err != nil || !slices.Equal(found, []string{"m.json", "out.csv"}) {
		t.Errorf("found %v, %v; want m.json, out.csv in the order of the names", found, err)
	}
	want := "pkg: " + dir + " already holds m.json, out.csv (replace it with --force)"
	if err := od.Clear(false); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "cp.json"), []byte(`{"n": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var cp struct{ N int }
	if ok, err := od.ReadCheckpoint(&cp); !ok || err != nil || cp.N != 3 {
		t.Errorf("checkpoint %+v, %v, %v; want n 3", cp, ok, err)
	}
	want = "pkg: " + dir + " has an incomplete thing (continue it with --resume, or replace it with --force)"
	if err := od.Clear(false); err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := od.Clear(true); err != nil {
		t.Fatal(err)
	}
	if found, _ := ExistingFiles(dir, append(od.Names, "other.txt")); !slices.Equal(found, []string{"other.txt"}) {
		t.Errorf("left %v, want only other.txt", found)
	}
}
