// Package scalesim emulates a weighing scale for tests and the demo. It
// speaks the real bytes of the three protocols of drivers/scale
// (mt-sics, toledo-continuous, toledo-8217) on a pseudo-terminal, which a
// client opens as a serial port, or on TCP.
//
// The emulated scale has a load that tests set (SetLoad), motion (SetMotion,
// or Options.Settle after each SetLoad), a capacity beyond which it reports
// overload and a minimum below which it reports underload, and zero and
// tare state changed by the protocol's commands or the Press* methods (the
// scale's keys). Faults are injected on demand: garbage bytes, frames with a
// bad checksum or parity, silence, and dropping the connection.
//
// Weights are integers in display units: with the default Options (kg, 3
// decimals) SetLoad(1234) puts 1.234 kg on the scale.
package scalesim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Protocol names, the same as drivers/scale's Config.Protocol.
const (
	MTSICS           = "mt-sics"
	ToledoContinuous = "toledo-continuous"
	Toledo8217       = "toledo-8217"
)

// Options describes the emulated scale. Zero fields take the defaults
// given on each.
type Options struct {
	// Protocol is "mt-sics", "toledo-continuous" or "toledo-8217".
	Protocol string
	// Unit is the weighing unit. toledo-continuous encodes kg, lb, g, t
	// and oz (any other unit is sent as "no unit"). When Unit is empty the
	// scale weighs in kg with 3 decimals, whatever Decimals says.
	Unit string
	// Decimals is the number of decimals shown, 0 to 5.
	Decimals int
	// Capacity is the largest gross load in range; default 30000
	// (30.000 kg). Above it the scale reports overload.
	Capacity int64
	// Min is the smallest gross load in range, a negative number; default
	// -Capacity/10. Below it the scale reports underload (on toledo-8217
	// any negative weight is "under zero").
	Min int64
	// ZeroRange is how far from the zero the gross load may be for a zero
	// command to be accepted; default Capacity/50 (2 %).
	ZeroRange int64
	// Settle is how long the scale moves after each SetLoad; 0 means it is
	// stable at once.
	Settle time.Duration
	// StableWait is how long MT-SICS S, Z and T wait for a stable load
	// before answering "I" (not executable); default 3s.
	StableWait time.Duration
	// Interval is the period of toledo-continuous frames and of MT-SICS
	// SIR replies; default 50ms.
	Interval time.Duration
	// Checksum appends the checksum byte to toledo-continuous frames.
	Checksum bool
	// SerialNumber is the MT-SICS I4 answer; default "0123456789".
	SerialNumber string
	// Parity is "none", "even" or "odd": on a pseudo-terminal, when not
	// "none", the scale sends 7-bit characters with the parity in the
	// eighth bit, as a 7E1/7O1 line carries them, and ignores the eighth
	// bit of what it receives. Default "even" for the Toledo protocols,
	// "none" for mt-sics. On TCP it is ignored: serial servers strip it.
	Parity string
	// Link, on a pseudo-terminal, is a path where a symlink to the slave
	// device is kept, also across Drop (which opens a new device, like a
	// USB adapter plugged in again). Path returns it when set.
	Link string
	// Logger receives connection events; default: discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	switch o.Protocol {
	case MTSICS, ToledoContinuous, Toledo8217:
	default:
		return o, fmt.Errorf("scalesim: Protocol %q: want %s, %s or %s", o.Protocol, MTSICS, ToledoContinuous, Toledo8217)
	}
	if o.Unit == "" {
		o.Unit, o.Decimals = "kg", 3
	}
	if o.Decimals < 0 || o.Decimals > 5 {
		return o, fmt.Errorf("scalesim: Decimals %d: want 0 to 5", o.Decimals)
	}
	if o.Capacity == 0 {
		o.Capacity = 30000
	}
	if o.Capacity < 0 || o.Capacity > 999999 {
		return o, fmt.Errorf("scalesim: Capacity %d: want 1 to 999999", o.Capacity)
	}
	if o.Min == 0 {
		o.Min = -o.Capacity / 10
	}
	if o.Min > 0 {
		return o, fmt.Errorf("scalesim: Min %d is positive", o.Min)
	}
	if o.ZeroRange == 0 {
		o.ZeroRange = o.Capacity / 50
	}
	if o.StableWait == 0 {
		o.StableWait = 3 * time.Second
	}
	if o.Interval == 0 {
		o.Interval = 50 * time.Millisecond
	}
	if o.SerialNumber == "" {
		o.SerialNumber = "0123456789"
	}
	if o.Parity == "" {
		o.Parity = "even"
		if o.Protocol == MTSICS {
			o.Parity = "none"
		}
	}
	switch o.Parity {
	case "none", "even", "odd":
	default:
		return o, fmt.Errorf("scalesim: Parity %q: want none, even or odd", o.Parity)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Sim is an emulated scale serving one protocol on a pseudo-terminal or
// TCP. Its methods are safe for concurrent use.
type Sim struct {
	opts Options
	log  *slog.Logger
	// parity is the parity put in the eighth bit of what is sent ("none":
	// bytes go out as they are).
	parity string

	mu       sync.Mutex
	load     int64     // raw load
	zero     int64     // raw load that reads as zero
	tare     int64     // tare, gross units
	motion   bool      // forced by SetMotion
	settle   time.Time // moving until then after SetLoad
	changed  chan struct{}
	garbage  []byte
	badSum   int
	badPar   int
	silent   bool
	commands []string
	jitter   int64
	powerUp  bool // not zeroed since power-up (toledo-continuous status B bit 6)

	closed    chan struct{}
	closeOnce sync.Once
	transport transport
}

// transport is where the scale is served: a pseudo-terminal or TCP.
type transport interface {
	path() string
	addr() string
	drop() error
	close() error
}

func newSim(opts Options) (*Sim, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Sim{
		opts:    opts,
		log:     opts.Logger.With("component", "scalesim", "protocol", opts.Protocol),
		parity:  "none",
		changed: make(chan struct{}),
		closed:  make(chan struct{}),
	}, nil
}

// Path returns the device a client opens as its serial port: Options.Link
// when set, else the slave of the pseudo-terminal (e.g. /dev/pts/3). It is
// "" on TCP.
func (s *Sim) Path() string { return s.transport.path() }

// Addr returns the TCP address the scale listens on ("" on a
// pseudo-terminal).
func (s *Sim) Addr() string { return s.transport.addr() }

// Close stops serving and releases the device or port.
func (s *Sim) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		err = s.transport.close()
	})
	return err
}

// Drop breaks the connection as an unplugged cable or a rebooted scale
// does: on TCP every client connection is closed (the scale keeps
// listening); on a pseudo-terminal the device is hung up and a new one
// opened, with Options.Link pointed at it.
func (s *Sim) Drop() error { return s.transport.drop() }

// SetLoad puts a raw load on the scale, in display units. With
// Options.Settle the scale is in motion for that long.
func (s *Sim) SetLoad(v int64) {
	s.update(func() {
		s.load = v
		if s.opts.Settle > 0 {
			s.settle = time.Now().Add(s.opts.Settle)
		}
	})
}

// SetMotion forces the scale in motion, or lets it settle.
func (s *Sim) SetMotion(moving bool) {
	s.update(func() { s.motion = moving })
}

// SetPowerUpNotZeroed puts the scale in the state of one just switched on
// with a load outside its power-up zero range: toledo-continuous frames
// then have status B bit 6 (power-up, not zeroed) set until the scale is
// zeroed (PressZero). The other protocols do not show it.
func (s *Sim) SetPowerUpNotZeroed(on bool) {
	s.update(func() { s.powerUp = on })
}

// PressZero is the zero key: it sets the zero to the present load and
// clears the tare, when the load is stable and within Options.ZeroRange.
// It reports whether the zero was set.
func (s *Sim) PressZero() bool {
	var ok bool
	s.update(func() { ok = s.zeroLocked(false) == zeroDone })
	return ok
}

// PressTare is the tare key: it stores the present gross load as the tare
// when the load is stable and in range. It reports whether it did.
func (s *Sim) PressTare() bool {
	var ok bool
	s.update(func() { ok = s.tareLocked() == tareDone })
	return ok
}

// PressClearTare clears the tare.
func (s *Sim) PressClearTare() {
	s.update(func() { s.tare = 0 })
}

// State is a snapshot of the emulated scale, in display units.
type State struct {
	// Load is the raw load; Gross = Load - zero; Net = Gross - Tare.
	Load, Gross, Tare, Net int64
	Motion                 bool
	Overload, Underload    bool
}

// State returns the present state.
func (s *Sim) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.readLocked(time.Now())
	return State{Load: s.load, Gross: r.gross, Tare: s.tare, Net: r.net, Motion: r.motion, Overload: r.over, Underload: r.under}
}

// Commands returns the commands received so far, in order, without their
// terminators (e.g. "SI", "Z", "W", "T").
func (s *Sim) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// InjectGarbage sends b, as it is, before the next reply or frame: bytes
// out of sync with the protocol.
func (s *Sim) InjectGarbage(b []byte) {
	s.mu.Lock()
	s.garbage = append(s.garbage, b...)
	s.mu.Unlock()
}

// CorruptChecksum gives the next n toledo-continuous frames a wrong
// checksum byte (with Options.Checksum).
func (s *Sim) CorruptChecksum(n int) {
	s.mu.Lock()
	s.badSum += n
	s.mu.Unlock()
}

// CorruptParity flips the parity bit of one byte in each of the next n
// replies or frames (on a pseudo-terminal with parity).
func (s *Sim) CorruptParity(n int) {
	s.mu.Lock()
	s.badPar += n
	s.mu.Unlock()
}

// SetSilent makes the scale send nothing (no replies, no frames) until it
// is called with false.
func (s *Sim) SetSilent(silent bool) {
	s.mu.Lock()
	s.silent = silent
	s.mu.Unlock()
}

// update changes the state under the lock and wakes whoever waits for a
// change.
func (s *Sim) update(f func()) {
	s.mu.Lock()
	f()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// reading is the scale's state as its display shows it.
type reading struct {
	gross, net          int64
	motion, over, under bool
	tare                int64
}

func (s *Sim) readLocked(now time.Time) reading {
	gross := s.load - s.zero
	return reading{
		gross:  gross,
		net:    gross - s.tare,
		tare:   s.tare,
		motion: s.motion || now.Before(s.settle),
		over:   gross > s.opts.Capacity,
		under:  gross < s.opts.Min,
	}
}

func (s *Sim) read() reading {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readLocked(time.Now())
}

// shown is the displayed weight: the net, jittering while in motion.
func (s *Sim) shown(r reading) int64 {
	if !r.motion {
		return r.net
	}
	s.mu.Lock()
	s.jitter++
	j := s.jitter%7 - 3
	s.mu.Unlock()
	return r.net + j
}

type zeroResult int

const (
	zeroDone zeroResult = iota
	zeroMoving
	zeroAbove
	zeroBelow
)

// zeroLocked sets the zero, if the load is in the zero range and (unless
// anyway) stable, and clears the tare.
func (s *Sim) zeroLocked(anyway bool) zeroResult {
	r := s.readLocked(time.Now())
	switch {
	case r.motion && !anyway:
		return zeroMoving
	case r.gross > s.opts.ZeroRange:
		return zeroAbove
	case r.gross < -s.opts.ZeroRange:
		return zeroBelow
	}
	s.zero, s.tare, s.powerUp = s.load, 0, false
	return zeroDone
}

type tareResult int

const (
	tareDone tareResult = iota
	tareMoving
	tareAbove
	tareBelow
)

func (s *Sim) tareLocked() tareResult {
	r := s.readLocked(time.Now())
	switch {
	case r.motion:
		return tareMoving
	case r.over:
		return tareAbove
	case r.gross < 0:
		return tareBelow
	}
	s.tare = r.gross
	return tareDone
}

// waitStable waits until the load is stable, for at most max; false when it
// is still moving then or stop is closed.
func (s *Sim) waitStable(stop <-chan struct{}, max time.Duration) bool {
	deadline := time.Now().Add(max)
	for {
		s.mu.Lock()
		now := time.Now()
		moving := s.motion || now.Before(s.settle)
		wake := deadline
		if !s.motion && s.settle.Before(wake) {
			wake = s.settle
		}
		changed := s.changed
		s.mu.Unlock()
		if !moving {
			return true
		}
		if !now.Before(deadline) {
			return false
		}
		t := time.NewTimer(time.Until(wake))
		select {
		case <-changed:
		case <-t.C:
		case <-stop:
			t.Stop()
			return false
		}
		t.Stop()
	}
}

func (s *Sim) noteCommand(cmd string) {
	s.mu.Lock()
	s.commands = append(s.commands, cmd)
	s.mu.Unlock()
}

// emit sends one reply or frame with the pending faults applied.
func (s *Sim) emit(w io.Writer, msg []byte) error {
	s.mu.Lock()
	if s.silent {
		s.mu.Unlock()
		return nil
	}
	out := append(s.garbage, msg...)
	s.garbage = nil
	flip := s.badPar > 0 && s.parity != "none"
	if flip {
		s.badPar--
	}
	s.mu.Unlock()
	if s.parity != "none" {
		for i, c := range out {
			out[i] = c&0x7f | parityBit(c, s.parity)<<7
		}
		if flip {
			out[len(out)-1] ^= 0x80
		}
	}
	_, err := w.Write(out)
	return err
}

// parityBit returns the parity bit of the 7-bit character c.
func parityBit(c byte, parity string) byte {
	ones := byte(0)
	for x := c & 0x7f; x != 0; x &= x - 1 {
		ones++
	}
	if parity == "odd" {
		return (ones + 1) & 1
	}
	return ones & 1
}

// serve speaks the protocol on one connection until stop is closed or the
// connection fails.
func (s *Sim) serve(rw io.ReadWriter, stop <-chan struct{}) {
	in := make(chan byte, 256)
	go func() {
		defer close(in)
		r := bufio.NewReader(rw)
		for {
			c, err := r.ReadByte()
			if err != nil {
				return
			}
			if s.parity != "none" {
				c &= 0x7f
			}
			select {
			case in <- c:
			case <-stop:
				return
			}
		}
	}()
	var err error
	switch s.opts.Protocol {
	case MTSICS:
		err = s.serveSICS(rw, in, stop)
	case ToledoContinuous:
		err = s.serveContinuous(rw, in, stop)
	case Toledo8217:
		err = s.serve8217(rw, in, stop)
	}
	if err != nil && !errors.Is(err, errStopped) {
		s.log.Debug("connection ended", "err", err)
	}
}

// errStopped ends a session that was told to stop.
var errStopped = errors.New("stopped")
