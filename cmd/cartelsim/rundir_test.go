package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/cartelsim/cartelsim/sim"
	"github.com/cartelsim/cartelsim/sim/scenario"
)

// While a run is alive in a directory, another run there is refused, --force included;
// once it has died (kill -9: no chance to clean up) its lock is gone and the directory
// can be used again.
func TestLockDiesWithTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI in a child process")
	}
	if runtime.GOOS == "windows" {
		t.Skip("uses kill -9")
	}
	root := t.TempDir()
	scenario := filepath.Join(root, "small.yaml")
	os.WriteFile(scenario, []byte(smallScenario), 0o644)
	dir := filepath.Join(root, "out")
	// A run that would take hours, checkpointing every 10 ms.
	cmd, out := startCLI(t, nil, "run", scenario, "--out", dir, "-n", "10000000", "-q", "--workers", "1", "--checkpoint-every", "10ms")
	defer cmd.Process.Kill()
	awaitChild(t, cmd, out, "a checkpoint", func() bool { done, _ := replicatesDone(dir); return done >= 1 })
	var stderr bytes.Buffer
	status := cli([]string{"run", scenario, "--out", dir, "-n", "3", "--force", "-q"}, io.Discard, &stderr)
	if status != exitFailure || !strings.Contains(stderr.String(), "is in use by another cartelsim run or merge (process ") {
		t.Errorf("a second run while the first is alive: status %d: %s", status, &stderr)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	runCLI(t, "run", scenario, "--out", dir, "-n", "3", "--force", "-q")
	if done, complete := replicatesDone(dir); !complete || done != 3 {
		t.Errorf("after the first run died: %d done, complete %v", done, complete)
	}
}

// The command an interrupted run's manifest gives to resume it does resume it, when the
// run's seed, replicates and lineage setting came from flags, not from the file.
func TestResumeHintResumes(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "small.yaml")
	os.WriteFile(file, []byte(smallScenario), 0o644)
	ref := filepath.Join(root, "ref")
	flags := []string{"--seed", "8", "-n", "24", "--lineage", "--mode", "stochastic", "-q"}
	runCLI(t, append([]string{"run", file, "--out", ref}, flags...)...)

	sc, err := scenario.LoadScenario(file)
	if err != nil {
		t.Fatal(err)
	}
	sc.Seed, sc.Replicates = 8, 24
	dir := filepath.Join(root, "out")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = sim.Execute(ctx, sc, sim.RunOptions{OutDir: dir, Workers: 1, AllLineages: true, Progress: func(done, _ int) {
		if done == 5 {
			cancel()
		}
	}})
	var ie *sim.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("interrupted run: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, sim.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m sim.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(m.Resume) // the test's paths need no quotes
	if len(args) < 2 || args[0] != "cartelsim" || m.Resume != ie.Resume {
		t.Fatalf("resume hint %q (error's %q)", m.Resume, ie.Resume)
	}
	runCLI(t, append(args[1:], "-q")...)
	compareRuns(t, ref, dir)
}

// Under ulimit -v, a run whose statistics would not fit in the address space left is
// refused in one line, before it starts, instead of dying part-way with a runtime stack
// trace.
func TestRunOverAddressSpaceLimitIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI in a child process")
	}
	if runtime.GOOS != "linux" {
		t.Skip("needs ulimit -v and /proc")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	root := t.TempDir()
	scenario := filepath.Join(root, "long.yaml")
	// 5,200 weeks x 1,000 replicates: about 4.1 GB at the peak (sim/resources.go).
	os.WriteFile(scenario, []byte(strings.Replace(smallScenario, "weeks: 52", "weeks: 5200", 1)), 0o644)
	cmd := exec.Command(sh, "-c", `ulimit -v 3000000 && exec "$0" "$@"`, os.Args[0], "run", scenario, "-n", "1000", "--out", filepath.Join(root, "out"), "-q")
	cmd.Env = append(os.Environ(), "CARTELSIM_TEST_CLI=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	msg := strings.TrimSpace(stderr.String())
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailure || strings.Contains(msg, "\n") ||
		!strings.Contains(msg, "of memory at its peak") || !strings.Contains(msg, "ulimit -v") {
		t.Fatalf("under ulimit -v 3000000: %v: %s", err, msg)
	}
}

// The documents' order of commands (docs/cli.md): a stochastic run into the default directory, then the
// same scenario in mean-field mode without --out. The mean-field run has a default
// directory of its own; a second run into a taken one says how to choose another.
func TestMeanFieldRunHasItsOwnDefaultDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	os.WriteFile("small.yaml", []byte(smallScenario), 0o644)
	runCLI(t, "run", "small.yaml", "-q")
	runCLI(t, "run", "small.yaml", "--mode", "meanfield", "-q")
	for dir, mode := range map[string]string{"out/small": "stochastic", "out/small-meanfield": "meanfield"} {
		data, err := os.ReadFile(filepath.Join(dir, sim.ManifestFile))
		var m sim.Manifest
		if err != nil || json.Unmarshal(data, &m) != nil || !m.Complete || m.Mode != mode {
			t.Errorf("%s: %v, manifest %+v; want a complete %s run", dir, err, m, mode)
		}
	}
	var stderr bytes.Buffer
	if status := cli([]string{"run", "small.yaml", "-q"}, io.Discard, &stderr); status != exitFailure || !strings.Contains(stderr.String(), "or --out for another directory") {
		t.Errorf("a second run into out/small: status %d: %s", status, &stderr)
	}
}
