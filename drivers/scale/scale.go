// Package scale drives weighing scales on a serial line (go.bug.st/serial)
// or TCP in three protocols: Mettler Toledo MT-SICS, Toledo continuous
// output and the Toledo 8217 polled protocol.
//
// Open starts a connection that is kept up in the background and rebuilt
// with exponential backoff when it fails. Stable returns a weight only when
// the scale itself says it is stable; DESIGN.md explains what that means in
// each protocol and how the byte streams are resynchronised. The emulator in
// scalesim speaks the same bytes.
package scale

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/jxc-edge/jxc/drivers"
)

var _ drivers.Scale = (*Scale)(nil)

var (
	// ErrInvalidConfig means Open was given a Config it cannot use; the
	// text names the field.
	ErrInvalidConfig = errors.New("invalid scale config")
	// ErrNotSupported means the scale's protocol has no command for the
	// operation (e.g. Tare on toledo-continuous).
	ErrNotSupported = errors.New("not supported")
	// ErrNotConnected means the scale could not be reached within the
	// operation's time; the text has the last connection error.
	ErrNotConnected = errors.New("scale not connected")
	// ErrNoResponse means the scale did not answer a command, or a
	// continuous scale sent nothing, in time.
	ErrNoResponse = errors.New("no response from scale")
	// ErrUnitMismatch means the scale weighs in another unit than
	// Config.Unit; no weight is delivered.
	ErrUnitMismatch = errors.New("unit mismatch")
	// ErrNotZeroed means a toledo-continuous scale reports that it was
	// powered up and has not been zeroed since (status B bit 6): its
	// weights are not delivered until it is zeroed on its keys. It comes
	// wrapped with drivers.ErrDevice.
	ErrNotZeroed = errors.New("power-up: scale not zeroed")

	// errOpTimeout is the cause of an operation's context ending at
	// Config.StableTimeout (rather than the caller's context ending).
	errOpTimeout = errors.New("stable timeout")
	// errLinkDown means the connection was lost during an operation; the
	// operation may be retried on the next connection.
	errLinkDown = errors.New("connection lost")
	// errReplyTimeout means no message came within the reply time.
	errReplyTimeout = errors.New("no reply")
	// errIdle means a link sent nothing for its idle timeout.
	errIdle = errors.New("no data")
	// errJunk marks bytes thrown away between frames: they cost no frame.
	errJunk = errors.New("outside a frame")
)

// Timing of the polled protocols.
const (
	// garbleGrace is how long to keep waiting for a good answer after a
	// mangled line arrived instead.
	garbleGrace = 200 * time.Millisecond
	// pollInterval is the pause between two polls while the load moves.
	pollInterval = 100 * time.Millisecond
)

// protocol is one scale protocol: its stream decoder and how to get a
// stable weight. Zero, tare, clearing the tare and the serial number are
// optional capabilities (zeroer, tarer…), checked by assertion.
type protocol interface {
	newDecoder() decoder
	// continuous says whether the scale talks all the time, so that a
	// silent link is a dead one.
	continuous() bool
	stable(ctx context.Context, l *link) (drivers.Weight, error)
}

type zeroer interface {
	zero(ctx context.Context, l *link) error
}

type tarer interface {
	tare(ctx context.Context, l *link) error
}

type tareClearer interface {
	clearTare(ctx context.Context, l *link) error
}

type serialNumberer interface {
	serialNumber(ctx context.Context, l *link) (string, error)
}

// Scale is one scale. Its methods are safe for concurrent use; commands go
// to the scale one at a time.
type Scale struct {
	cfg   Config
	proto protocol
	dial  func(ctx context.Context) (port, error)
	ops   chan struct{} // one slot: the operation talking to the scale

	mu     sync.Mutex
	link   *link
	linkCh chan struct{} // closed and replaced whenever link changes
	stats  stats

	cancel context.CancelFunc
	done   chan struct{}
}

// Open checks cfg, fills its defaults and starts connecting to the scale in
// the background; it does not wait for the connection, whose state Health
// reports. It returns an error wrapping ErrInvalidConfig, naming the field,
// when cfg is unusable. Close stops the scale.
func Open(cfg Config) (*Scale, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var proto protocol
	switch cfg.Protocol {
	case ProtocolMTSICS:
		proto = &mtsics{unit: cfg.Unit, replyTimeout: cfg.ReplyTimeout}
	case ProtocolToledoContinuous:
		proto = &continuous{unit: cfg.Unit, checksum: cfg.Checksum}
	case ProtocolToledo8217:
		proto = &toledo8217{unit: cfg.Unit, replyTimeout: cfg.ReplyTimeout}
	}
	idle := time.Duration(0)
	if proto.continuous() {
		idle = cfg.IdleTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scale{
		cfg:    cfg,
		proto:  proto,
		dial:   dialer(cfg, idle),
		ops:    make(chan struct{}, 1),
		linkCh: make(chan struct{}),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go s.run(ctx)
	return s, nil
}

// Close stops the connection and waits for its goroutine. Operations under
// way fail.
func (s *Scale) Close() error {
	s.cancel()
	s.mu.Lock()
	if s.link != nil {
		s.link.stop(errors.New("scale closed"))
	}
	s.mu.Unlock()
	<-s.done
	return nil
}

// run keeps a connection up until ctx ends: it dials with exponential
// backoff, decodes until the link fails, and starts over.
func (s *Scale) run(ctx context.Context) {
	defer close(s.done)
	dial := backoff.NewExponentialBackOff()
	dial.InitialInterval = 100 * time.Millisecond
	dial.MaxInterval = 5 * time.Second
	dial.MaxElapsedTime = 0
	// flap spaces out reconnections when links keep dying before the
	// scale said anything, which the dial backoff (reset by every
	// successful dial) would not.
	flap := backoff.NewExponentialBackOff()
	flap.InitialInterval = 100 * time.Millisecond
	flap.MaxInterval = 5 * time.Second
	flap.MaxElapsedTime = 0
	for ctx.Err() == nil {
		var p port
		err := backoff.RetryNotify(func() error {
			var err error
			p, err = s.dial(ctx)
			return err
		}, backoff.WithContext(dial, ctx), func(err error, _ time.Duration) {
			s.stats.noteError(fmt.Errorf("connect: %w", err))
		})
		if err != nil {
			return // ctx ended
		}
		var filter *parityFilter
		if s.cfg.DataBits == 7 {
			filter = &parityFilter{parity: s.cfg.Parity}
		}
		l := newLink(p, filter, &s.stats)
		s.setLink(l)
		if ctx.Err() != nil { // Close ran before setLink: it could not stop l
			l.stop(ctx.Err())
		}
		l.run(s.proto.newDecoder())
		s.setLink(nil)
		if ctx.Err() != nil {
			return
		}
		s.stats.noteError(fmt.Errorf("connection lost: %w", l.err()))
		if l.healthy() {
			flap.Reset()
			continue
		}
		t := time.NewTimer(flap.NextBackOff())
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

func (s *Scale) setLink(l *link) {
	s.mu.Lock()
	s.link = l
	close(s.linkCh)
	s.linkCh = make(chan struct{})
	s.mu.Unlock()
}

// awaitLink returns the current live link, waiting for one until ctx ends.
func (s *Scale) awaitLink(ctx context.Context) (*link, error) {
	for {
		s.mu.Lock()
		l, changed := s.link, s.linkCh
		s.mu.Unlock()
		if l != nil {
			select {
			case <-l.done: // dead, not yet replaced
			default:
				return l, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			last := s.Health().LastError
			if last == "" {
				last = "not connected yet"
			}
			return nil, expired(ctx, fmt.Errorf("%w: %s", ErrNotConnected, last))
		}
	}
}

// do runs fn on the live link within Config.StableTimeout, one operation at
// a time. When the link is lost under fn, fn runs again on the next link as
// long as time is left.
func (s *Scale) do(ctx context.Context, op string, fn func(ctx context.Context, l *link) error) error {
	ctx, cancel := context.WithTimeoutCause(ctx, s.cfg.StableTimeout, errOpTimeout)
	defer cancel()
	select {
	case s.ops <- struct{}{}:
	case <-ctx.Done():
		return s.fail(op, expired(ctx, errors.New("waited for another operation to finish")))
	}
	defer func() { <-s.ops }()
	for {
		l, err := s.awaitLink(ctx)
		if err != nil {
			return s.fail(op, err)
		}
		err = fn(ctx, l)
		if errors.Is(err, errLinkDown) {
			if ctx.Err() == nil {
				continue
			}
			err = expired(ctx, fmt.Errorf("%w: %v", ErrNotConnected, err))
		}
		return s.fail(op, err)
	}
}

// fail counts err in Health (unless it is the scale's state rather than a
// fault: motion, overload, underload, or the caller giving up) and names
// the scale and operation in it.
func (s *Scale) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, drivers.ErrUnstable), errors.Is(err, drivers.ErrOverload),
		errors.Is(err, drivers.ErrUnderload), errors.Is(err, context.Canceled):
	default:
		s.stats.noteError(err)
	}
	return fmt.Errorf("scale %s: %s: %w", s.cfg.Name, op, err)
}

// expired turns the end of an operation's context into its error: why
// itself when Config.StableTimeout passed, or the caller's context error
// (wrapping why as well) when the caller gave up first.
func expired(ctx context.Context, why error) error {
	if errors.Is(context.Cause(ctx), errOpTimeout) {
		return why
	}
	return fmt.Errorf("%w (%w)", ctx.Err(), why)
}

// Stable returns the next weight the scale reports as stable: MT-SICS
// "S S", a toledo-continuous frame without the motion bit repeated
// identically in 3 consecutive frames, or a toledo-8217 weight reply. It
// waits at most Config.StableTimeout and ctx. It fails with
// drivers.ErrUnstable when the load is still moving at the end,
// drivers.ErrOverload or drivers.ErrUnderload when the load is out of
// range, drivers.ErrDevice (with the scale's code) when the scale refuses
// or, on toledo-continuous, says it has not been zeroed since power-up
// (ErrNotZeroed as well), drivers.ErrProtocol when only garbled data came,
// ErrUnitMismatch when the scale weighs in another unit than Config.Unit
// (on toledo-8217: when the reply has the format of the other unit), and
// ErrNoResponse or
// ErrNotConnected when the scale cannot be reached. A weight in motion is
// never returned.
func (s *Scale) Stable(ctx context.Context) (drivers.Weight, error) {
	var w drivers.Weight
	err := s.do(ctx, "stable weight", func(ctx context.Context, l *link) error {
		var err error
		w, err = s.proto.stable(ctx, l)
		return err
	})
	if err != nil {
		return drivers.Weight{}, err
	}
	return w, nil
}

// Zero sets the scale's zero to the present load (MT-SICS Z, 8217 Z),
// waiting for the load to be stable as the scale does. It fails with
// ErrNotSupported on toledo-continuous, drivers.ErrUnstable when the load
// did not settle within Config.StableTimeout, and drivers.ErrDevice when
// the scale refuses (e.g. the load is outside its zero-setting range).
func (s *Scale) Zero(ctx context.Context) error {
	z, ok := s.proto.(zeroer)
	if !ok {
		return fmt.Errorf("scale %s: zero: %w by %s", s.cfg.Name, ErrNotSupported, s.cfg.Protocol)
	}
	return s.do(ctx, "zero", z.zero)
}

// Tare stores the present stable load as the tare (MT-SICS T, 8217 T), so
// that later weights are net. It fails like Zero; toledo-continuous has no
// command for it (ErrNotSupported).
func (s *Scale) Tare(ctx context.Context) error {
	t, ok := s.proto.(tarer)
	if !ok {
		return fmt.Errorf("scale %s: tare: %w by %s", s.cfg.Name, ErrNotSupported, s.cfg.Protocol)
	}
	return s.do(ctx, "tare", t.tare)
}

// ClearTare clears the tare (MT-SICS TAC, 8217 C). It fails like Tare.
func (s *Scale) ClearTare(ctx context.Context) error {
	c, ok := s.proto.(tareClearer)
	if !ok {
		return fmt.Errorf("scale %s: clear tare: %w by %s", s.cfg.Name, ErrNotSupported, s.cfg.Protocol)
	}
	return s.do(ctx, "clear tare", c.clearTare)
}

// SerialNumber asks the scale for its serial number (MT-SICS I4). Other
// protocols fail with ErrNotSupported.
func (s *Scale) SerialNumber(ctx context.Context) (string, error) {
	q, ok := s.proto.(serialNumberer)
	if !ok {
		return "", fmt.Errorf("scale %s: serial number: %w by %s", s.cfg.Name, ErrNotSupported, s.cfg.Protocol)
	}
	var sn string
	err := s.do(ctx, "serial number", func(ctx context.Context, l *link) error {
		var err error
		sn, err = q.serialNumber(ctx, l)
		return err
	})
	return sn, err
}

// Health reports the connection state, the readings decoded (weights in
// replies or frames, whether stable or not) and the errors met: connection
// failures, rejected frames, and failed operations other than motion and
// out-of-range loads.
func (s *Scale) Health() drivers.Health {
	s.mu.Lock()
	connected := s.link != nil
	s.mu.Unlock()
	h := s.stats.snapshot(time.Now())
	h.Device = s.cfg.Name
	h.Kind = "scale"
	h.Connected = connected
	return h
}

// rateWindow is the number of whole seconds Health.PerSecond averages.
const rateWindow = 5

// stats counts what the links see; it is the links' observer.
type stats struct {
	mu        sync.Mutex
	events    uint64
	errors    uint64
	lastEvent time.Time
	lastError string
	// perSec counts readings by unix second, in a ring.
	perSec [rateWindow + 1]struct {
		sec int64
		n   uint64
	}
}

func (st *stats) noteReading(t time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.events++
	st.lastEvent = t
	sec := t.Unix()
	b := &st.perSec[sec%int64(len(st.perSec))]
	if b.sec != sec {
		b.sec, b.n = sec, 0
	}
	b.n++
}

func (st *stats) noteError(err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.errors++
	st.lastError = err.Error()
}

func (st *stats) snapshot(now time.Time) drivers.Health {
	st.mu.Lock()
	defer st.mu.Unlock()
	var sum uint64
	sec := now.Unix()
	for _, b := range st.perSec {
		if b.sec < sec && b.sec >= sec-rateWindow {
			sum += b.n
		}
	}
	return drivers.Health{
		LastEvent: st.lastEvent,
		Events:    st.events,
		Errors:    st.errors,
		LastError: st.lastError,
		PerSecond: (sum + rateWindow/2) / rateWindow,
	}
}
