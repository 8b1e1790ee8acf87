package scalesim

import (
	"fmt"
	"io"
	"time"
)

const (
	stx = 0x02
	cr  = 0x0d
)

// serveContinuous sends a Toledo continuous-output frame every
// Options.Interval and ignores what it receives.
func (s *Sim) serveContinuous(w io.Writer, in <-chan byte, stop <-chan struct{}) error {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return errStopped
		case _, ok := <-in:
			if !ok {
				return io.EOF
			}
		case <-t.C:
			if err := s.emit(w, s.continuousFrame()); err != nil {
				return err
			}
		}
	}
}

// continuousFrame builds STX A B C wwwwww tttttt CR [checksum] from the
// present state.
func (s *Sim) continuousFrame() []byte {
	r := s.read()
	shown := s.shown(r)
	a := byte(0x20 | 0x08 | (s.opts.Decimals + 2)) // x1 increment, decimal point
	b := byte(0x20)
	if r.tare != 0 {
		b |= 0x01
	}
	if shown < 0 {
		b |= 0x02
		shown = -shown
	}
	if r.over || r.under || shown > 999999 {
		b |= 0x04
		shown %= 1000000
	}
	if r.motion {
		b |= 0x08
	}
	s.mu.Lock()
	if s.powerUp {
		b |= 0x40
	}
	s.mu.Unlock()
	c := byte(0x20)
	switch s.opts.Unit {
	case "kg":
		b |= 0x10
	case "lb":
	case "g":
		c |= 1
	case "t":
		c |= 2
	case "oz":
		c |= 3
	default:
		c |= 7
	}
	f := []byte{stx, a, b, c}
	f = fmt.Appendf(f, "%06d%06d", shown, r.tare%1000000)
	f = append(f, cr)
	if s.opts.Checksum {
		var sum byte
		for _, x := range f {
			sum += x
		}
		cks := -sum & 0x7f
		s.mu.Lock()
		if s.badSum > 0 {
			s.badSum--
			cks ^= 0x2a
		}
		s.mu.Unlock()
		f = append(f, cks)
	}
	return f
}

// serve8217 answers the Toledo 8217 commands W, Z, T CR (and T with five
// digits and CR, a digital tare) and C; anything else gets the status.
func (s *Sim) serve8217(w io.Writer, in <-chan byte, stop <-chan struct{}) error {
	var tare []byte
	inTare := false
	for {
		var c byte
		var ok bool
		select {
		case <-stop:
			return errStopped
		case c, ok = <-in:
			if !ok {
				return io.EOF
			}
		}
		if inTare {
			if c != '\r' && c != '\n' {
				if len(tare) < 8 {
					tare = append(tare, c)
				}
				continue
			}
			inTare = false
			s.noteCommand("T" + string(tare))
			if err := s.emit(w, s.tare8217(tare)); err != nil {
				return err
			}
			continue
		}
		var reply []byte
		switch c {
		case '\r', '\n', ' ':
			continue
		case 'T':
			inTare, tare = true, tare[:0]
			continue
		case 'W':
			reply = s.weight8217()
		case 'Z':
			s.update(func() {
				if s.tare == 0 {
					s.zeroLocked(false)
				}
			})
			reply = s.status8217()
		case 'C':
			s.update(func() {
				if !s.readLocked(time.Now()).motion {
					s.tare = 0
				}
			})
			reply = s.status8217()
		default:
			reply = s.status8217()
		}
		s.noteCommand(string(c))
		if err := s.emit(w, reply); err != nil {
			return err
		}
	}
}

// tare8217 takes the tare (T CR) or sets a digital tare (T wwwww CR).
func (s *Sim) tare8217(digits []byte) []byte {
	s.update(func() {
		r := s.readLocked(time.Now())
		if len(digits) == 0 {
			if !r.motion && !r.over && r.gross > 0 {
				s.tare = r.gross
			}
			return
		}
		var v int64
		for _, d := range digits {
			if d < '0' || d > '9' {
				return
			}
			v = v*10 + int64(d-'0')
		}
		s.tare = v
	})
	return s.status8217()
}

// status8217 is STX ? status CR, the status bits as a Mettler Toledo 8217
// scale sets them (bit 5 is net, bit 6 always 1).
func (s *Sim) status8217() []byte {
	r := s.read()
	b := byte(0x40)
	if r.motion {
		b |= 0x01
	}
	if r.over {
		b |= 0x02
	}
	if r.under || r.net < 0 {
		b |= 0x04
	}
	if r.gross > s.opts.ZeroRange || r.gross < -s.opts.ZeroRange {
		b |= 0x08
	}
	if r.net == 0 && !r.motion {
		b |= 0x10
	}
	if r.tare != 0 {
		b |= 0x20
	}
	return []byte{stx, '?', b, cr}
}

// weight8217 answers W: the weight, five digits and the decimal point
// ("01.234", "01.234N" when net), or the status when there is no weight to
// give (motion, out of range, negative).
func (s *Sim) weight8217() []byte {
	r := s.read()
	if r.motion || r.over || r.under || r.net < 0 {
		return s.status8217()
	}
	digits := fmt.Sprintf("%05d", r.net)
	for len(digits) <= s.opts.Decimals {
		digits = "0" + digits
	}
	if d := s.opts.Decimals; d > 0 {
		digits = digits[:len(digits)-d] + "." + digits[len(digits)-d:]
	}
	out := append([]byte{stx}, digits...)
	if r.tare != 0 {
		out = append(out, 'N')
	}
	return append(out, cr)
}
