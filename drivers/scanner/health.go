package scanner

import (
	"sync"
	"time"

	"github.com/jxc-edge/jxc/drivers"
)

// rateWindow is how many seconds Health.PerSecond averages over.
const rateWindow = 5

// health keeps a scanner's drivers.Health; safe for concurrent use.
type health struct {
	mu   sync.Mutex
	h    drivers.Health
	secs [rateWindow]int64 // the unix second each bucket counts
	n    [rateWindow]uint64
}

func newHealth(cfg Config) *health {
	return &health{h: drivers.Health{Device: cfg.Name, Kind: cfg.Kind}}
}

func (h *health) setConnected(ok bool) {
	h.mu.Lock()
	h.h.Connected = ok
	h.mu.Unlock()
}

func (h *health) event(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.h.Events++
	h.h.LastEvent = t
	s := t.Unix()
	i := int(s % rateWindow)
	if h.secs[i] != s {
		h.secs[i], h.n[i] = s, 0
	}
	h.n[i]++
}

func (h *health) fail(err error) {
	if err == nil {
		return
	}
	h.mu.Lock()
	h.h.Errors++
	h.h.LastError = err.Error()
	h.mu.Unlock()
}

func (h *health) snapshot(now time.Time) drivers.Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.h
	var sum uint64
	for i, s := range h.secs {
		if d := now.Unix() - s; d >= 0 && d < rateWindow {
			sum += h.n[i]
		}
	}
	out.PerSecond = sum / rateWindow
	return out
}
