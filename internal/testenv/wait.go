// Package testenv starts and finds the real services tests run against: a
// Mosquitto broker of the test's own on a free port, and a fresh PostgreSQL
// database. A missing service fails the test; it never skips.
package testenv

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// WaitFor polls check every few milliseconds until it returns nil, and fails
// the test with check's last error once timeout has passed.
func WaitFor(tb testing.TB, timeout time.Duration, check func() error) {
	tb.Helper()
	if err := Poll(timeout, check); err != nil {
		tb.Fatalf("waited %s: %v", timeout, err)
	}
}

// Poll calls check until it returns nil or timeout passes; it returns check's
// last error in that case.
func Poll(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
		if wait < 100*time.Millisecond {
			wait *= 2
		}
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func dial(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return fmt.Errorf("dial %s: %w", addr, err)
	}
	return c.Close()
}
