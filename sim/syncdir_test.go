package sim

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// recordDirSyncs replaces syncDir for the test with one that records, in order, the
// directories synced and the entries each held then.
func recordDirSyncs(t *testing.T) *[]string {
	var synced []string
	old := syncDir
	syncDir = func(dir string) error {
		synced = append(synced, dir)
		return old(dir)
	}
	t.Cleanup(func() { syncDir = old })
	return &synced
}

// An atomic write syncs the directory after the rename, so that the new entry survives a
// crash: the file is in place when its directory is synced.
func TestAtomicWriteSyncsDirectoryAfterRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "table.csv")
	var inPlace []bool
	old := syncDir
	syncDir = func(d string) error {
		_, err := os.Stat(path)
		inPlace = append(inPlace, d == dir && err == nil)
		return old(d)
	}
	t.Cleanup(func() { syncDir = old })
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if len(inPlace) != 1 || !inPlace[0] {
		t.Errorf("directory syncs %v, want one, of %s, with table.csv in place", inPlace, dir)
	}
}

// A run syncs the directories of the files it renames into place: the output directory
// (tables, manifest, checkpoint) and plots/.
func TestRunSyncsItsDirectories(t *testing.T) {
	synced := recordDirSyncs(t)
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Execute(context.Background(), testScenario(t, 2), RunOptions{OutDir: dir, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, d := range *synced {
		count[d]++
	}
	// At least timeseries.csv, cumulative.csv, replicates.csv, lineage.csv and the
	// manifest in the directory, and every plot in plots/.
	plots, _ := filepath.Glob(filepath.Join(dir, PlotsDir, "*"))
	if count[dir] < 5 || len(plots) == 0 || count[filepath.Join(dir, PlotsDir)] < len(plots) {
		t.Errorf("directory syncs %v; want at least 5 of %s and %d of its plots", count, dir, len(plots))
	}
}

// syncDirectory really syncs a directory where the system can, and says when it cannot
// open it.
func TestSyncDirectory(t *testing.T) {
	if err := syncDirectory(t.TempDir()); err != nil {
		t.Errorf("syncing a directory: %v", err)
	}
	if err := syncDirectory(filepath.Join(t.TempDir(), "missing")); err == nil && runtime.GOOS != "windows" {
		t.Error("syncing a missing directory succeeded")
	}
}
