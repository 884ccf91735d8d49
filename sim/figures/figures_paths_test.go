package figures

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --update writes a shipped copy only inside the manifest's folder of the repository, as
// a file of its output's kind: an absolute path, "..", a path that leaves the folder
// (lexically or through a symbolic link), a link in place of the file, the manifest
// itself or a file of another kind (a source file) are refused before anything is
// written.
func TestUpdateFiguresRefusesPathsOutside(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	seeds := filepath.Join(root, "seeds")
	os.MkdirAll(filepath.Join(seeds, "figures"), 0o755)
	os.Symlink(outside, filepath.Join(seeds, "link"))
	os.WriteFile(filepath.Join(outside, "victim.png"), []byte("keep me"), 0o644)
	os.Symlink(filepath.Join(outside, "victim.png"), filepath.Join(seeds, "figures", "linked.png"))
	output := filepath.Join(t.TempDir(), "groups.png")
	os.WriteFile(output, []byte("a regenerated plot"), 0o644)
	sum := sha256.Sum256([]byte("a regenerated plot"))
	got := hex.EncodeToString(sum[:])

	for _, c := range []struct {
		file, scenario, manifest, want string
	}{
		{"seeds/figures/ok.png", "a.yaml", "figures.json", ""},
		{filepath.ToSlash(filepath.Join(outside, "x.png")), "a.yaml", "figures.json", "must be relative"},
		{"../x.png", "a.yaml", "figures.json", "must be relative"},
		{"seeds/../sim/x.png", "a.yaml", "figures.json", "must be relative"},
		{"seeds/./x.png", "a.yaml", "figures.json", "must be relative"},
		{"seeds/figures.go", "a.yaml", "figures.json", `is not a .png file like its output`},
		{"seeds/figures/ok.png", "/etc/a.yaml", "figures.json", "must be relative"},
		{"seeds/figures/ok.png", "../a.yaml", "figures.json", "must be relative"},
		{"sim/evil.png", "a.yaml", "figures.json", "must lie in the manifest's folder"},
		{"seeds/link/x.png", "a.yaml", "figures.json", "through a symbolic link"},
		{"seeds/figures/linked.png", "a.yaml", "figures.json", "will not write"},
		{"seeds/m.png", "a.yaml", "m.png", "it is the manifest"},
	} {
		manifestPath := filepath.Join(seeds, c.manifest)
		os.WriteFile(manifestPath, []byte("before"), 0o644)
		m := &FigureManifest{Figures: []FigureEntry{{Name: "groups", File: c.file, Scenario: c.scenario, Seed: 1, Replicates: 2,
			Mode: "stochastic", Output: "out/run/plots/groups.png", SHA256: strings.Repeat("0", 64)}}}
		written, err := UpdateFigures(m, manifestPath, root, []FigureResult{{Name: "groups", Path: output, Got: got}})
		if c.want == "" {
			if err != nil || len(written) != 2 {
				t.Errorf("%s: wrote %v, %v; want the file and the manifest", c.file, written, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || len(written) != 0 {
			t.Errorf("file %s, scenario %s: wrote %v, %v; want nothing written and %q", c.file, c.scenario, written, err, c.want)
		}
		if b, _ := os.ReadFile(manifestPath); string(b) != "before" {
			t.Errorf("file %s: the manifest was rewritten", c.file)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "victim.png")); string(b) != "keep me" {
		t.Error("the file behind a link was overwritten")
	}
	for _, p := range []string{filepath.Join(outside, "x.png"), filepath.Join(root, "x.png"), filepath.Join(root, "sim", "evil.png"), filepath.Join(root, "seeds", "figures.go")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
}
