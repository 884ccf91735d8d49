package sim

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
)

// The build information comes from what the toolchain records (go version -m prints the
// same keys): the module's version, vcs.revision, vcs.modified and the architecture
// level; without any, the running Go version and platform still stand.
func TestBuildInfoFromToolchainRecord(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/cartelsim/cartelsim", Version: "v0.1.0"},
		Settings: []debug.BuildSetting{
			{Key: "-buildmode", Value: "exe"}, {Key: "GOARCH", Value: "amd64"}, {Key: "GOOS", Value: "linux"},
			{Key: "GOAMD64", Value: "v3"}, {Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-11-30T12:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}
	got := buildInfoFrom(bi, "go0", "plan9", "386")
	want := BuildInfo{Module: "github.com/cartelsim/cartelsim", Version: "v0.1.0", Commit: "0123456789abcdef0123456789abcdef01234567",
		CommitTime: "2026-11-30T12:00:00Z", Dirty: true, GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64", Level: "GOAMD64=v3"}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if s := got.String(); s != "cartelsim "+Version+" (module version v0.1.0, commit 0123456789ab+dirty, go1.26.8 linux/amd64 GOAMD64=v3)" {
		t.Errorf("String: %s", s)
	}
	none := buildInfoFrom(nil, "go1.26.8", "darwin", "arm64")
	if none.Version != "(unknown)" || none.Commit != "" || none.GoVersion != "go1.26.8" || none.GOOS != "darwin" || none.GOARCH != "arm64" {
		t.Errorf("without build information: %+v", none)
	}
	if s := none.String(); s != "cartelsim "+Version+" (module version (unknown), go1.26.8 darwin/arm64)" {
		t.Errorf("String without build information: %s", s)
	}
}

// A run's manifest, checkpointed or complete, names the build that wrote it: the Go
// version and platform the runtime reports.
func TestRunManifestRecordsBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := Execute(context.Background(), testScenario(t, 2), RunOptions{OutDir: dir, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Build *BuildInfo `json:"build"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Build == nil || m.Build.GoVersion != runtime.Version() || m.Build.GOOS != runtime.GOOS || m.Build.GOARCH != runtime.GOARCH ||
		m.Build.Module != "github.com/cartelsim/cartelsim" || m.Build.Version == "" {
		t.Errorf("manifest build: %+v\n%s", m.Build, data)
	}
}
