package scale

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/drivers"
)

// max8217Reply bounds the bytes between STX and CR of an 8217 reply.
const max8217Reply = 24

// Status byte bits of an 8217 status reply (STX ? status CR).
const (
	st8217Motion      = 0x01 // bit 0: scale in motion
	st8217Over        = 0x02 // bit 1: over capacity
	st8217Under       = 0x04 // bit 2: under zero
	st8217OutsideZero = 0x08 // bit 3: outside the zero capture range
	st8217CenterZero  = 0x10 // bit 4: center of zero
	st8217Net         = 0x20 // bit 5: net weight (Mettler Toledo; "always 1" on some compatibles)
	st8217One         = 0x40 // bit 6: always 1
)

// reply8217 is one 8217 reply: a weight ("STX 01.234 CR", "STX 01.234N CR"
// when net) or a status ("STX ? status CR") when the scale has no weight to
// give.
type reply8217 struct {
	Status   bool // a status reply; Bits holds the status byte
	Bits     byte
	Value    int64
	Decimals int
	Unit     string // rarely sent; "" when absent
	Net      bool
}

func (r reply8217) reading() bool { return !r.Status }

// describe8217 spells out the set bits of a status byte.
func describe8217(bits byte) string {
	var s []string
	for _, b := range []struct {
		bit  byte
		what string
	}{
		{st8217Motion, "in motion"},
		{st8217Over, "over capacity"},
		{st8217Under, "under zero"},
		{st8217OutsideZero, "outside zero capture range"},
		{st8217CenterZero, "center of zero"},
		{st8217Net, "net"},
	} {
		if bits&b.bit != 0 {
			s = append(s, b.what)
		}
	}
	if len(s) == 0 {
		return fmt.Sprintf("status 0x%02x", bits)
	}
	return fmt.Sprintf("status 0x%02x: %s", bits, strings.Join(s, ", "))
}

// parse8217 parses what an 8217 scale sends between STX and CR.
func parse8217(body []byte) (reply8217, error) {
	for i, c := range body {
		if c < 0x20 || c > 0x7e {
			if c == 0 {
				return reply8217{}, protoErr("NUL byte at %d of 8217 reply (parity or framing error)", i)
			}
			return reply8217{}, protoErr("byte 0x%02x in 8217 reply %q", c, body)
		}
	}
	if len(body) > 0 && body[0] == '?' {
		if len(body) != 2 {
			return reply8217{}, protoErr("8217 status reply %q is not ? and one status byte", body)
		}
		if body[1]&st8217One == 0 {
			return reply8217{}, protoErr("8217 status byte 0x%02x lacks bit 6", body[1])
		}
		return reply8217{Status: true, Bits: body[1]}, nil
	}
	s := strings.TrimLeft(string(body), " ")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || end == 0 && (s[end] == '-' || s[end] == '+')) {
		end++
	}
	v, d, err := parseDecimal(s[:end])
	if err != nil {
		return reply8217{}, protoErr("8217 weight %q: %v", body, err)
	}
	r := reply8217{Value: v, Decimals: d}
	// After the number: an optional N (net) and an optional unit, in either
	// order, with optional blanks.
	suffix := strings.ReplaceAll(s[end:], " ", "")
	if strings.HasPrefix(suffix, "N") {
		r.Net, suffix = true, suffix[1:]
	} else if strings.HasSuffix(suffix, "N") {
		r.Net, suffix = true, suffix[:len(suffix)-1]
	}
	if len(suffix) > 3 {
		return reply8217{}, protoErr("8217 weight %q: %q is not a unit", body, suffix)
	}
	for _, c := range []byte(suffix) {
		if c < 'a' || c > 'z' {
			return reply8217{}, protoErr("8217 weight %q: %q is not a unit", body, suffix)
		}
	}
	r.Unit = suffix
	return r, nil
}

// decoder8217 finds STX … CR replies, restarting on any STX.
type decoder8217 struct {
	body     []byte
	in       bool // inside a reply
	overflow bool
	skipped  int
}

func (d *decoder8217) feed(c byte) (message, error) {
	switch {
	case c == stx:
		in, n, skipped := d.in, len(d.body), d.skipped
		d.in, d.body, d.overflow, d.skipped = true, d.body[:0], false, 0
		if in {
			return nil, protoErr("8217 reply cut after %d bytes by STX", n+1)
		}
		if skipped > 0 {
			return nil, junkErr(skipped, "8217 replies")
		}
		return nil, nil
	case !d.in:
		d.skipped++
		return nil, nil
	case c == 0:
		d.in = false
		return nil, parityErr("8217 reply", len(d.body)+1)
	case c == cr:
		d.in = false
		if d.overflow {
			return nil, protoErr("8217 reply longer than %d bytes", max8217Reply)
		}
		r, err := parse8217(d.body)
		if err != nil {
			return nil, err
		}
		return r, nil
	case len(d.body) >= max8217Reply:
		d.overflow = true
		return nil, nil
	default:
		d.body = append(d.body, c)
		return nil, nil
	}
}

// toledo8217 is the Toledo 8217 polled protocol (Mettler Toledo "8217
// weight-only" mode, POS scales): single-letter commands W (weight), Z
// (zero), T CR (tare), C (clear tare); each is answered by one reply.
type toledo8217 struct {
	unit         string
	replyTimeout time.Duration
}

func (p *toledo8217) newDecoder() decoder { return &decoder8217{} }
func (p *toledo8217) continuous() bool    { return false }

// ask sends cmd and returns its reply, or ErrNoResponse (stopping the
// link) when none comes within the reply timeout.
func (p *toledo8217) ask(ctx context.Context, l *link, cmd string) (reply8217, error) {
	l.flush()
	if err := l.send([]byte(cmd)); err != nil {
		return reply8217{}, err
	}
	m, err := await(ctx, l, p.replyTimeout, func(m message) bool {
		_, ok := m.(reply8217)
		return ok
	})
	if err != nil {
		if errors.Is(err, errReplyTimeout) {
			return reply8217{}, noResponse(l, cmd, p.replyTimeout)
		}
		return reply8217{}, err
	}
	return m.(reply8217), nil
}

// rangeError maps the out-of-range bits of a status to the drivers errors.
func rangeError(bits byte) error {
	switch {
	case bits&st8217Over != 0:
		return fmt.Errorf("%w (8217 %s)", drivers.ErrOverload, describe8217(bits))
	case bits&st8217Under != 0:
		return fmt.Errorf("%w (8217 %s)", drivers.ErrUnderload, describe8217(bits))
	}
	return nil
}

// poll sends cmd until the scale answers with something else than "in
// motion" or a mangled reply, pausing pollInterval in between. When time
// runs out it reports the last reason.
func (p *toledo8217) poll(ctx context.Context, l *link, cmd string) (reply8217, error) {
	// Until the scale answers, running out of time means it did not.
	var why error = fmt.Errorf("%w to %q", ErrNoResponse, cmd)
	for {
		r, err := p.ask(ctx, l, cmd)
		switch {
		case err != nil && ctx.Err() != nil:
			return reply8217{}, expired(ctx, why)
		case err != nil && !retryable(err):
			return reply8217{}, err
		case err != nil:
			why = err
		case r.Status && r.Bits&(st8217Over|st8217Under) != 0:
			return reply8217{}, rangeError(r.Bits)
		case r.Status && r.Bits&st8217Motion != 0:
			why = fmt.Errorf("%w (8217 %s)", drivers.ErrUnstable, describe8217(r.Bits))
		default:
			return r, nil
		}
		if err := pause(ctx, pollInterval); err != nil {
			return reply8217{}, expired(ctx, why)
		}
	}
}

// stable polls W: the scale answers with a weight only when it is stable
// and in range, and with a status otherwise.
func (p *toledo8217) stable(ctx context.Context, l *link) (drivers.Weight, error) {
	r, err := p.poll(ctx, l, "W")
	if err != nil {
		return drivers.Weight{}, err
	}
	if r.Status {
		return drivers.Weight{}, fmt.Errorf("%w: no weight (8217 %s)", drivers.ErrDevice, describe8217(r.Bits))
	}
	return p.weight(r)
}

// decimals8217 are the decimals of a weight reply in each unit: the 8217
// formats differ by unit (lb "0WW.WW", kg "WW.WWW"), which is the only sign
// a scale switched to the other unit on its keys gives, since the reply
// names no unit.
var decimals8217 = map[string]int{"lb": 2, "kg": 3}

func (p *toledo8217) weight(r reply8217) (drivers.Weight, error) {
	unit := r.Unit
	if unit == "" {
		unit = p.unit
	}
	if unit != p.unit {
		return drivers.Weight{}, fmt.Errorf("%w: the scale weighs in %q, Config.Unit is %q", ErrUnitMismatch, unit, p.unit)
	}
	if want, ok := decimals8217[unit]; ok && r.Decimals != want {
		other := ""
		for u, d := range decimals8217 {
			if d == r.Decimals {
				other = fmt.Sprintf(", the format of %s", u)
			}
		}
		return drivers.Weight{}, fmt.Errorf("%w: 8217 weight %s has %d decimals%s; in %s it has %d (lb 0WW.WW, kg WW.WWW): is the scale set to another unit than Config.Unit %q?",
			ErrUnitMismatch, FormatDecimal(r.Value, r.Decimals), r.Decimals, other, unit, want, p.unit)
	}
	return drivers.Weight{Value: r.Value, Decimals: r.Decimals, Unit: unit, Net: r.Net}, nil
}

// zero sends Z. The scale captures zero only when the load is stable,
// within the zero capture range and in gross mode, and answers with its
// status either way: center of zero in it is success; so is a zero weight
// (or center of zero) asked for afterwards, for scales that capture zero
// on their next reading. Under zero is no error here: a slightly negative
// load is what zeroing is for.
func (p *toledo8217) zero(ctx context.Context, l *link) error {
	var why error = fmt.Errorf("%w to %q", ErrNoResponse, "Z")
	for {
		r, err := p.ask(ctx, l, "Z")
		switch {
		case err != nil && ctx.Err() != nil:
			return expired(ctx, why)
		case err != nil && !retryable(err):
			return err
		case err != nil:
			why = err
		case !r.Status:
			return protoErr("8217 answered Z with a weight")
		case r.Bits&st8217Motion != 0:
			why = fmt.Errorf("%w: zero not taken while the load moves (8217 %s)", drivers.ErrUnstable, describe8217(r.Bits))
		case r.Bits&st8217Over != 0:
			return rangeError(r.Bits)
		case r.Bits&st8217CenterZero != 0:
			return nil
		case r.Bits&st8217OutsideZero != 0:
			return fmt.Errorf("%w: zero refused: load outside the zero capture range (8217 %s)", drivers.ErrDevice, describe8217(r.Bits))
		default:
			w, err := p.ask(ctx, l, "W")
			if err == nil && (!w.Status && w.Value == 0 || w.Status && w.Bits&st8217CenterZero != 0) {
				return nil
			}
			return fmt.Errorf("%w: zero not taken (8217 %s; is the scale in net mode?)", drivers.ErrDevice, describe8217(r.Bits))
		}
		if err := pause(ctx, pollInterval); err != nil {
			return expired(ctx, why)
		}
	}
}

// tare sends T CR and checks with W that the scale now weighs net.
func (p *toledo8217) tare(ctx context.Context, l *link) error {
	if _, err := p.poll(ctx, l, "T\r"); err != nil {
		return err
	}
	w, err := p.poll(ctx, l, "W")
	if err != nil {
		return err
	}
	if w.Status || !w.Net {
		return fmt.Errorf("%w: tare not taken: the scale still weighs gross (is taring enabled in its setup?)", drivers.ErrDevice)
	}
	return nil
}

// clearTare sends C and checks with W that the scale no longer weighs net.
// A status answer to W is taken as cleared: bit 5 cannot tell, since some
// compatible scales set it always.
func (p *toledo8217) clearTare(ctx context.Context, l *link) error {
	if _, err := p.poll(ctx, l, "C"); err != nil && !errors.Is(err, drivers.ErrUnderload) && !errors.Is(err, drivers.ErrOverload) {
		return err
	}
	w, err := p.ask(ctx, l, "W")
	if err != nil {
		return err
	}
	if !w.Status && w.Net {
		return fmt.Errorf("%w: tare not cleared", drivers.ErrDevice)
	}
	return nil
}
