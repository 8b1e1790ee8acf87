package gate

import "time"

// Clock places the agent's time on one reader's clock, so that a Gate,
// whose reads carry the reader's timestamps, is flushed on that same
// clock. A reader's clock may be off the agent's by minutes (no NTP) or
// count from its boot (uptime): Gate compares a tag's last read with
// Flush's now, so a now on another clock splits passes (reader behind:
// every tag looks departed at once) or holds them forever (reader ahead).
//
// The reader's time is estimated from the latest read received: its
// timestamp plus the time elapsed on the agent's monotonic clock since it
// was received. A read is stamped before it is received, so the estimate
// lags the reader's true time by the delivery latency (milliseconds): a
// pass is decided that much later, never earlier. A reader whose clock
// steps is followed at its next read. The zero Clock is ready; it is not
// safe for concurrent use (the goroutine that owns the Gate owns it).
type Clock struct {
	read time.Time // the reader's timestamp of the reference read
	at   time.Time // when it was received, with the monotonic reading
	ok   bool
}

// Observe records a read stamped read by the reader and received at at, a
// time.Now() of the agent (which carries the monotonic clock reading
// Now relies on). Of the reads received at the same at (a batch taken
// off a channel at once) the latest stamp counts. A zero read is ignored.
func (c *Clock) Observe(read, at time.Time) {
	if read.IsZero() {
		return
	}
	if !c.ok || at.After(c.at) || at.Equal(c.at) && read.After(c.read) {
		c.read, c.at, c.ok = read, at, true
	}
}

// Now returns the agent time at on the reader's clock, for Gate.Flush. ok
// is false until a read was observed; there is then nothing to decide.
func (c *Clock) Now(at time.Time) (now time.Time, ok bool) {
	if !c.ok {
		return time.Time{}, false
	}
	return c.read.Add(at.Sub(c.at)), true
}

// Offset returns the reader's clock minus the agent's wall clock, as the
// reference read showed it (latency included), or 0 before any read.
func (c *Clock) Offset() time.Duration {
	if !c.ok {
		return 0
	}
	return c.read.Sub(c.at.Round(0))
}
