package scale

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jxc-edge/jxc/drivers"
)

// message is one decoded frame or reply.
type message interface {
	// reading reports whether the message carries a weight (counted in
	// Health as a reading).
	reading() bool
}

// decodeError is a frame or line the decoder rejected. It is passed on to
// the waiting operation like a message, so that an operation can tell "the
// answer was mangled" from "no answer".
type decodeError struct{ err error }

func (decodeError) reading() bool { return false }

// decoder splits a byte stream into messages. feed takes one 7- or 8-bit
// character and returns a message when one is complete, or an error
// (wrapping drivers.ErrProtocol) when bytes had to be thrown away; it
// resynchronises by itself on the next start of a frame.
type decoder interface {
	feed(c byte) (message, error)
}

// observer receives what a link sees, for Health.
type observer interface {
	noteReading(t time.Time)
	noteError(err error)
}

// msgQueue is the number of decoded messages kept for an operation; when it
// is full the oldest is dropped, so a late reader sees the newest.
const msgQueue = 64

// link is one open connection: a reader goroutine decodes what the scale
// sends into msgs, and operations send commands and receive messages.
// An operation flushes msgs before it starts, so it never sees a message
// older than itself.
type link struct {
	p      port
	filter *parityFilter // nil on 8-bit links
	obs    observer
	msgs   chan message
	done   chan struct{} // closed when the reader has stopped

	mu    sync.Mutex
	cause error // why the link stopped; set before done is closed
	// spoke is set once the scale sent a well-formed message.
	spoke bool
}

func newLink(p port, filter *parityFilter, obs observer) *link {
	return &link{p: p, filter: filter, obs: obs, msgs: make(chan message, msgQueue), done: make(chan struct{})}
}

// run reads and decodes until the port fails or the link is stopped, then
// records why and closes done.
func (l *link) run(dec decoder) {
	buf := make([]byte, 512)
	var err error
	for err == nil {
		var n int
		n, err = l.p.Read(buf)
		now := time.Now()
		for _, b := range buf[:n] {
			if l.filter != nil {
				b = l.filter.filter(b)
			}
			m, derr := dec.feed(b)
			if derr != nil {
				l.obs.noteError(derr)
				l.deliver(decodeError{derr})
			}
			if m != nil {
				if m.reading() {
					l.obs.noteReading(now)
				}
				l.mu.Lock()
				l.spoke = true
				l.mu.Unlock()
				l.deliver(m)
			}
		}
	}
	l.stop(err)
	close(l.done)
}

func (l *link) deliver(m message) {
	for {
		select {
		case l.msgs <- m:
			return
		default:
		}
		select {
		case <-l.msgs: // drop the oldest
		default:
		}
	}
}

// stop closes the port with err as the reason, unless the link already
// stopped for another one. The reader then ends.
func (l *link) stop(err error) {
	l.mu.Lock()
	if l.cause == nil {
		l.cause = err
	}
	l.mu.Unlock()
	l.p.Close()
}

// healthy reports whether the scale sent a well-formed message on l.
func (l *link) healthy() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.spoke
}

func (l *link) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cause
}

// flush drops every message received so far.
func (l *link) flush() {
	for {
		select {
		case <-l.msgs:
		default:
			return
		}
	}
}

// send writes b to the scale.
func (l *link) send(b []byte) error {
	select {
	case <-l.done:
		return fmt.Errorf("%w: %v", errLinkDown, l.err())
	default:
	}
	if _, err := l.p.Write(b); err != nil {
		l.stop(err)
		return fmt.Errorf("%w: write: %v", errLinkDown, err)
	}
	return nil
}

// recv returns the next message. It fails with errReplyTimeout when
// timeout (if > 0) passes first, with ctx's error when ctx ends, and with
// errLinkDown when the connection is lost.
func (l *link) recv(ctx context.Context, timeout time.Duration) (message, error) {
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case m := <-l.msgs:
		return m, nil
	default:
	}
	select {
	case m := <-l.msgs:
		return m, nil
	case <-l.done:
		return nil, fmt.Errorf("%w: %v", errLinkDown, l.err())
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-expired:
		return nil, errReplyTimeout
	}
}

// await waits for a message that match accepts, skipping the others (late
// answers to earlier commands). wait bounds the wait (0: until ctx ends).
// A mangled message does not end the wait, but shortens it to
// garbleGrace: if nothing good comes by then, its decode error is returned
// instead of errReplyTimeout.
func await(ctx context.Context, l *link, wait time.Duration, match func(message) bool) (message, error) {
	var deadline time.Time
	if wait > 0 {
		deadline = time.Now().Add(wait)
	}
	var garbled error
	for {
		var left time.Duration
		if !deadline.IsZero() {
			if left = time.Until(deadline); left <= 0 {
				left = time.Nanosecond
			}
		}
		m, err := l.recv(ctx, left)
		switch {
		case errors.Is(err, errReplyTimeout) && garbled != nil:
			return nil, garbled
		case err != nil:
			return nil, err
		}
		if de, ok := m.(decodeError); ok {
			garbled = de.err
			if g := time.Now().Add(garbleGrace); deadline.IsZero() || g.Before(deadline) {
				deadline = g
			}
			continue
		}
		if match(m) {
			return m, nil
		}
	}
}

// pause waits d, or until ctx ends (reporting ctx's error).
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// noResponse stops l, whose scale did not answer cmd within wait, so that
// the connection is rebuilt (a half-open TCP connection, a serial server
// that lost its port), and returns the error for the operation.
func noResponse(l *link, cmd string, wait time.Duration) error {
	err := fmt.Errorf("%w to %q within %v", ErrNoResponse, cmd, wait)
	l.stop(err)
	return err
}

// junkErr reports n bytes skipped while looking for the start of a frame.
func junkErr(n int, proto string) error {
	return fmt.Errorf("%w: %d bytes %w of %s", drivers.ErrProtocol, n, errJunk, proto)
}

// parityErr reports a NUL: a character received with a parity or framing
// error (see parityFilter). The frame it is in is lost at once, without
// waiting for an end that may be the corrupted byte itself.
func parityErr(proto string, at int) error {
	return protoErr("NUL at byte %d of %s (parity or framing error)", at, proto)
}

// protoErr returns a drivers.ErrProtocol error with a reason.
func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", drivers.ErrProtocol, fmt.Sprintf(format, args...))
}
