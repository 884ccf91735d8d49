package sim

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// BuildInfo says which build of cartelsim wrote a manifest: the module and its version,
// the commit it was built from (and whether the work tree had changes), the Go version
// and the platform. Manifests carry it so that an output can be traced to its binary;
// the published checksums cover the outputs, never a manifest, so it changes no
// published byte.
type BuildInfo struct {
	Module  string `json:"module"`
	Version string `json:"version"`          // the module version: "(devel)" for a build in a work tree
	Commit  string `json:"commit,omitempty"` // vcs.revision: absent without version control information (-buildvcs=false)
	// CommitTime is the commit's time (vcs.time), RFC 3339.
	CommitTime string `json:"commit_time,omitempty"`
	// Dirty says the work tree had uncommitted changes (vcs.modified).
	Dirty     bool   `json:"dirty,omitempty"`
	GoVersion string `json:"go"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	// Level is the architecture level built for (GOAMD64=v3, GOARM64=v8.0, ...), if the
	// build recorded one: it decides which instructions the compiler may use.
	Level string `json:"level,omitempty"`
}

// Build is this binary's build information, read once.
var Build = sync.OnceValue(func() BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildInfoFrom(bi, runtime.Version(), runtime.GOOS, runtime.GOARCH)
})

// buildInfoFrom extracts a BuildInfo from what the Go toolchain recorded (nil when the
// binary carries none); goVersion, goos and goarch are the running ones, so they are
// right even then.
func buildInfoFrom(bi *debug.BuildInfo, goVersion, goos, goarch string) BuildInfo {
	b := BuildInfo{Module: "github.com/cartelsim/cartelsim", Version: "(unknown)", GoVersion: goVersion, GOOS: goos, GOARCH: goarch}
	if bi == nil {
		return b
	}
	if bi.Main.Path != "" {
		b.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		b.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		b.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.CommitTime = s.Value
		case "vcs.modified":
			b.Dirty = s.Value == "true"
		case "GOOS":
			b.GOOS = s.Value
		case "GOARCH":
			b.GOARCH = s.Value
		case "GOAMD64", "GOARM64", "GOARM", "GO386", "GOPPC64", "GORISCV64", "GOMIPS", "GOMIPS64", "GOWASM":
			b.Level = s.Key + "=" + s.Value
		}
	}
	return b
}

// String is the build in one line, as cartelsim --version prints it: "cartelsim 0.1.0
// (module version (devel), commit 0123456789ab+dirty, go1.26.8 linux/amd64 GOAMD64=v1)".
func (b BuildInfo) String() string {
	s := "cartelsim " + Version + " (module version " + b.Version
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if b.Dirty {
			c += "+dirty"
		}
		s += ", commit " + c
	}
	s += ", " + b.GoVersion + " " + b.GOOS + "/" + b.GOARCH
	if b.Level != "" {
		s += " " + b.Level
	}
	return s + ")"
}
