package scanner_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// waitFor is how long a test waits for something a scanner does.
const waitFor = 10 * time.Second

// run runs s until the test ends, and checks that Run then returns the
// context's error.
func run(tb testing.TB, s drivers.Scanner) <-chan drivers.Scan {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan drivers.Scan, 16)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, out) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				tb.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(waitFor):
			tb.Errorf("Run did not return after cancel")
		}
	})
	return out
}

// recv returns the next scan, failing the test if none comes.
func recv(tb testing.TB, out <-chan drivers.Scan) drivers.Scan {
	tb.Helper()
	select {
	case s := <-out:
		return s
	case <-time.After(waitFor):
		tb.Fatalf("no scan after %v", waitFor)
		return drivers.Scan{}
	}
}

// connected waits until s reports itself connected (or not).
func connected(tb testing.TB, s drivers.Scanner, want bool) {
	tb.Helper()
	testenv.WaitFor(tb, waitFor, func() error {
		if h := s.Health(); h.Connected != want {
			return errors.New("connected is not " + map[bool]string{true: "true", false: "false"}[want] + "; last error: " + h.LastError)
		}
		return nil
	})
}
