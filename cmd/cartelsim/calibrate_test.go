package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const calibrationTargets = `target,year,observed,sd,metric,aggregation,source
homicides,2012,5000,500,homicides,sum,a source
`

const smallCalibration = `scenario: small.yaml
parameters:
  - key: parameters.homicide_ratio
targets:
  file: targets.csv
particles: 4
replicates: 1
max_generations: 2
`

// cartelsim calibrate runs a calibration file and prints its summary; a bad file is bad
// input (status 2, one line naming the file and line), and so are bad flags.
func TestCalibrateCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "small.yaml", strings.Replace(smallScenario, "weeks: 52", "weeks: 53", 1))
	writeFile(t, dir, "targets.csv", calibrationTargets)
	good := writeFile(t, dir, "fit.yaml", smallCalibration)
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		status := cli(args, &stdout, &stderr)
		return status, stdout.String(), stderr.String()
	}
	out := filepath.Join(dir, "out")
	status, stdout, stderr := run("calibrate", good, "--out", out, "-j", "2")
	if status != exitOK || !strings.Contains(stdout, "stopped: 2 generations") {
		t.Fatalf("status %d: %s%s", status, stdout, stderr)
	}
	for _, name := range []string{"posterior.csv", "summary.csv", "predictive.csv", "calibration.json", "plots/predictive_homicides.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("no %s: %v", name, err)
		}
	}
	if status, _, stderr := run("calibrate", good, "--out", out); status != exitFailure || !strings.Contains(stderr, "--force") {
		t.Errorf("over an earlier calibration: status %d: %s", status, stderr)
	}
	if status, stdout, _ := run("calibrate", good, "--out", out, "--resume"); status != exitOK || !strings.Contains(stdout, "already complete") {
		t.Errorf("resuming a complete calibration: status %d: %s", status, stdout)
	}
	bad := writeFile(t, dir, "bad.yaml", strings.Replace(smallCalibration, "particles: 4", "particles: many", 1))
	status, _, stderr = run("calibrate", bad, "--out", filepath.Join(dir, "bad"))
	if want := "bad.yaml:6: particles: want a whole number from 2 to 1000000, got \"many\""; status != exitUsage ||
		!strings.Contains(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("bad file: status %d: %q, want %q", status, stderr, want)
	}
	for _, args := range [][]string{{"calibrate", good}, {"calibrate", "--out", out}, {"calibrate", good, "--out", out, "--resume", "--force"},
		{"calibrate", good, "--out", out, "--workers", "0"}} {
		if status, _, stderr := run(args...); status != exitUsage || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: status %d: %s", args, status, stderr)
		}
	}
}

// calibrate interrupted by SIGINT exits with status 130, keeps its checkpoint and says how
// to resume.
func TestInterruptedCalibrateExit130(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI in a child process")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	dir := t.TempDir()
	writeFile(t, dir, "small.yaml", strings.Replace(smallScenario, "weeks: 52", "weeks: 53", 1))
	writeFile(t, dir, "targets.csv", calibrationTargets)
	// A million particles: generation 0 is still running when the signal comes.
	fit := writeFile(t, dir, "fit.yaml", strings.Replace(smallCalibration, "particles: 4", "particles: 1000000", 1))
	out := filepath.Join(dir, "out")
	cmd := exec.Command(os.Args[0], "calibrate", fit, "--out", out, "-j", "1")
	cmd.Env = append(os.Environ(), "CARTELSIM_TEST_CLI=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	awaitChild(t, cmd, &stderr, "the calibration's checkpoint", func() bool {
		_, err := os.Stat(filepath.Join(out, "calibration-checkpoint.json"))
		return err == nil
	})
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted || !strings.Contains(stderr.String(), "resume with --resume") {
		t.Errorf("calibrate after SIGINT: %v (want status %d): %s", err, exitInterrupted, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "calibration-checkpoint.json")); err != nil {
		t.Errorf("no checkpoint after the interruption: %v", err)
	}
}
