package scanner

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/jxc-edge/jxc/drivers"
)

// session is one connection to a device: it returns when the connection
// fails or ctx is done. connected is true once the device was opened, so
// the backoff starts over.
type session func(ctx context.Context, out chan<- drivers.Scan) (connected bool, err error)

// runSessions runs sessions until ctx is done, counting each failure in h
// and waiting between attempts with exponential backoff bounded by cfg's
// ReconnectMin and ReconnectMax. It returns ctx.Err().
func runSessions(ctx context.Context, cfg Config, h *health, out chan<- drivers.Scan, s session) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = cfg.ReconnectMin
	b.MaxInterval = cfg.ReconnectMax
	b.MaxElapsedTime = 0
	b.Reset()
	for {
		connected, err := s(ctx, out)
		h.setConnected(false)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		h.fail(err)
		if connected {
			b.Reset()
		}
		t := time.NewTimer(b.NextBackOff())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// deliver sends c to out as a drivers.Scan, counting it in h. It returns
// false if ctx ended first.
func deliver(ctx context.Context, cfg Config, h *health, out chan<- drivers.Scan, c Code) bool {
	now := time.Now().UTC()
	select {
	case out <- drivers.Scan{Device: cfg.Name, Data: c.String(), Time: now}:
		h.event(now)
		return true
	case <-ctx.Done():
		return false
	}
}
