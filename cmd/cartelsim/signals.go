package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exit ends the process; a variable for tests.
var exit = os.Exit

// signalled is the cause of a context that a signal cancelled.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string { return "received " + s.sig.String() }

// signalStatus is the exit status for a run stopped by sig: the shell's 128 + its number,
// 130 for SIGINT and 143 for SIGTERM.
func signalStatus(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}

// interruptStatus is the exit status for a command that stopped because ctx was
// cancelled: that of the signal that cancelled it, or 130.
func interruptStatus(ctx context.Context) int {
	var s signalled
	if errors.As(context.Cause(ctx), &s) {
		return signalStatus(s.sig)
	}
	return exitInterrupted
}

// withSignals returns a context that the first SIGINT or SIGTERM cancels: a run then stops
// at once, saves its checkpoint and returns, and cli exits with status 130 (SIGINT) or 143
// (SIGTERM). A second signal does not wait for that: it exits at once with the status of
// that signal (a checkpoint being written is left as a temporary file, which the next run
// in that directory removes, and the previous checkpoint stands). stop ends the watch.
func withSignals(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			cancel(signalled{sig})
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "cartelsim: %v again: quitting at once; the last checkpoint saved stands\n", sig)
			exit(signalStatus(sig))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}
