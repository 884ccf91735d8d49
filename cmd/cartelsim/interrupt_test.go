package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// hangAfterSignal is the child of TestSecondSignalExitsAtOnce: it watches signals as cli
// does, says when the first has cancelled its context, and then, like a run whose
// shutdown is stuck (a slow disk, a replicate that will not stop), never returns.
func hangAfterSignal() {
	ctx, stop := withSignals(os.Stderr)
	defer stop()
	os.Stdout.WriteString("ready\n")
	<-ctx.Done()
	os.Stdout.WriteString("cancelled\n")
	select {}
}

// The first SIGINT or SIGTERM cancels the run's context; a second one exits at once,
// however long the first one's shutdown would take, with the second signal's status
// (130 for SIGINT, 143 for SIGTERM: 128 + their numbers). Without that this test never
// ends.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	for _, c := range []struct {
		sig    syscall.Signal
		status int
		says   string
	}{{syscall.SIGINT, 130, "interrupt again: quitting at once"}, {syscall.SIGTERM, 143, "terminated again: quitting at once"}} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "CARTELSIM_TEST_CLI=hang")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		expect := func(want string) {
			t.Helper()
			if !lines.Scan() || lines.Text() != want {
				cmd.Process.Kill()
				t.Fatalf("%v: child said %q (%v), want %q", c.sig, lines.Text(), lines.Err(), want)
			}
		}
		expect("ready")
		cmd.Process.Signal(c.sig)
		expect("cancelled")
		cmd.Process.Signal(c.sig)
		io.Copy(io.Discard, stdout)
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != c.status {
			t.Fatalf("after the second %v: %v, want exit status %d", c.sig, err, c.status)
		}
		if msg := strings.TrimSpace(stderr.String()); strings.Count(msg, "\n") != 0 || !strings.Contains(msg, c.says) {
			t.Errorf("%v: stderr %q, want one line saying it quits", c.sig, msg)
		}
	}
}

// figures interrupted by SIGINT part-way through a run exits with status 130, as run does.
func TestInterruptedFiguresExit130(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI in a child process")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT to send on Windows")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "small.yaml"), []byte(smallScenario), 0o644)
	manifest := filepath.Join(dir, "figures.json")
	// A run of ten million replicates: still going when the signal comes.
	os.WriteFile(manifest, []byte(`{"figures": [{"name": "small", "scenario": "small.yaml", "seed": 7, "replicates": 10000000,
  "mode": "stochastic", "output": "out/small/timeseries.csv", "sha256": "`+strings.Repeat("0", 64)+`"}]}`), 0o644)
	cmd := exec.Command(os.Args[0], "figures", "--manifest", manifest, "--out", filepath.Join(dir, "out"), "-j", "1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CARTELSIM_TEST_CLI=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "run 1/1: small.yaml") {
		cmd.Process.Kill()
		t.Fatalf("figures said %q, want its first run's line", lines.Text())
	}
	// The run has begun once its directory has a checkpoint.
	awaitChild(t, cmd, &strings.Builder{}, "the run's checkpoint", func() bool {
		_, err := os.Stat(filepath.Join(dir, "out", "small", "checkpoint.bin"))
		return err == nil
	})
	cmd.Process.Signal(os.Interrupt)
	var rest strings.Builder
	for lines.Scan() {
		rest.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted || !strings.Contains(rest.String(), "interrupted") {
		t.Errorf("figures after SIGINT: %v (want status %d): %s", err, exitInterrupted, rest.String())
	}
}
