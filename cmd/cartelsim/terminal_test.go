package main

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// The progress bar is drawn only on a terminal: not into /dev/null (a character device,
// which a job's stderr often is), a pipe, a file or a buffer.
func TestIsTerminalOnlyForTerminals(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(t.TempDir() + "/stderr.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for name, out := range map[string]io.Writer{os.DevNull: null, "a pipe": w, "a file": file, "a buffer": &bytes.Buffer{}} {
		if isTerminal(out) {
			t.Errorf("%s taken for a terminal", name)
		}
	}
	if pty := openPseudoTerminal(t); pty != nil && !isTerminal(pty) {
		t.Errorf("the pseudo-terminal %s not taken for a terminal", pty.Name())
	}
}
