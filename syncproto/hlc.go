package syncproto

import (
	"fmt"
	"sync"
	"time"
)

// HLC is a hybrid logical clock timestamp: the top 48 bits are wall-clock
// milliseconds since the Unix epoch, the low 16 bits a logical counter. HLCs
// compare as plain integers, and an event's HLC is greater than the HLC of
// every event its replica had seen when it was written.
type HLC uint64

// MakeHLC builds an HLC from wall milliseconds and a logical counter.
func MakeHLC(wallMS int64, logical uint16) HLC {
	return HLC(uint64(wallMS)<<16 | uint64(logical))
}

// WallMS returns the wall-clock part in milliseconds since the Unix epoch.
func (h HLC) WallMS() int64 { return int64(h >> 16) }

// Logical returns the logical counter.
func (h HLC) Logical() uint16 { return uint16(h) }

// Time returns the wall-clock part as a time.Time.
func (h HLC) Time() time.Time { return time.UnixMilli(h.WallMS()).UTC() }

func (h HLC) String() string {
	return fmt.Sprintf("%s#%d", h.Time().Format("2006-01-02T15:04:05.000Z"), h.Logical())
}

// Clock issues HLC timestamps. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	last HLC
	// Now is the wall clock; tests may replace it before first use.
	Now func() time.Time
}

// NewClock returns a clock that will never issue a timestamp at or below last.
func NewClock(last HLC) *Clock {
	return &Clock{last: last, Now: time.Now}
}

// Tick returns a new timestamp greater than every one issued or observed before.
func (c *Clock) Tick() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.Now().UnixMilli()
	next := MakeHLC(wall, 0)
	if next <= c.last {
		// The wall clock has not moved past what we issued or saw: count up.
		// At 65535 the logical counter carries into the millisecond part.
		next = c.last + 1
	}
	c.last = next
	return next
}

// MaxSkew is how far ahead of the local wall clock an observed timestamp may
// be. A peer whose clock is further ahead (or a corrupt event) would
// otherwise drag every clock of the site into the future for good.
const MaxSkew = time.Hour

// Observe records a timestamp seen on a peer's event, so later ticks order
// after it (that is what makes HLC order respect causality). It returns
// false, and ignores remote, when remote is more than MaxSkew ahead of the
// local wall clock.
func (c *Clock) Observe(remote HLC) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if remote.WallMS() > c.Now().Add(MaxSkew).UnixMilli() {
		return false
	}
	if remote > c.last {
		c.last = remote
	}
	return true
}

// Last returns the greatest timestamp issued or observed.
func (c *Clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
