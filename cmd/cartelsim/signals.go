package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exit ends the process; a variable for tests.
var exit = os.Exit

// withSignals returns a context that the first SIGINT or SIGTERM cancels: a run then stops
// at once, saves its checkpoint and returns, and cli exits with status 130. A second
// signal does not wait for that: it exits with status 130 at once (a checkpoint being
// written is left as a temporary file, which the next run in that directory removes, and
// the previous checkpoint stands). stop ends the watch.
func withSignals(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "cartelsim: %v again: quitting at once; the last checkpoint saved stands\n", sig)
			exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
