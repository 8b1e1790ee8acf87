package scale

import (
	"context"
	"errors"
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// Control characters of the Toledo protocols.
const (
	stx = 0x02
	cr  = 0x0d
)

// contFrameLen is the length of a continuous-output frame without its
// optional checksum: STX, status words A, B, C, six weight digits, six
// tare digits, CR.
const contFrameLen = 17

// stableFrames is N: a continuous-output weight is stable when N
// consecutive frames have the motion bit clear and the same weight, tare,
// unit and mode. At the usual 10 to 20 frames a second that is 150 to
// 300 ms of standstill on top of the indicator's own motion detection.
const stableFrames = 3

// Status word bits of the continuous output.
const (
	contADecimals  = 0x07 // A bits 0-2: decimal point or dummy zeros
	contAIncrement = 0x18 // A bits 3-4: increment x1, x2, x5
	contBNet       = 0x01 // B bit 0: net (else gross)
	contBNegative  = 0x02 // B bit 1: weight is negative
	contBRange     = 0x04 // B bit 2: out of range (over capacity or under zero)
	contBMotion    = 0x08 // B bit 3: in motion
	contBKg        = 0x10 // B bit 4: kg (else lb), when C bits 0-2 are 0
	contBPowerUp   = 0x40 // B bit 6: power-up, not zeroed yet
	contCUnit      = 0x07 // C bits 0-2: unit
	contCPrint     = 0x08 // C bit 3: print requested
	contCExpanded  = 0x10 // C bit 4: display expanded x10
)

// contUnits names the units of status word C bits 0-2 (0 is kg or lb per
// status word B). 1-3 and 6-7 agree across the Mettler Toledo and Ohaus
// manuals; 4 and 5 are troy ounces and pennyweight on Mettler Toledo
// terminals and unused on others. 7 is custom or no unit.
var contUnits = [8]string{"", "g", "t", "oz", "ozt", "dwt", "ton", ""}

// contFrame is one decoded continuous-output frame.
type contFrame struct {
	// Weight is the displayed weight (gross or net), signed; Tare the tare
	// digits. Both have Decimals decimals.
	Weight, Tare int64
	Decimals     int
	// Increment is the display increment 1, 2 or 5 (0 when not given).
	Increment  int
	Unit       string
	Net        bool
	Negative   bool
	Motion     bool
	OutOfRange bool
	Expanded   bool
	Print      bool
	// PowerUp is status B bit 6: the scale has been powered up and not
	// zeroed since, so its zero (and every weight) is not to be trusted.
	PowerUp bool
}

func (f contFrame) reading() bool { return !f.OutOfRange }

// weight is what a stable frame delivers.
func (f contFrame) weight() drivers.Weight {
	w := drivers.Weight{Value: f.Weight, Decimals: f.Decimals, Unit: f.Unit, Net: f.Net}
	if f.Net {
		w.Tare = f.Tare
	}
	return w
}

// contChecksum returns the checksum byte of a frame: the two's complement
// of the sum of its bytes (STX to CR), seven bits.
func contChecksum(frame []byte) byte {
	var sum byte
	for _, c := range frame {
		sum += c
	}
	return -sum & 0x7f
}

// decodeContinuousFrame decodes one frame, STX to CR, followed by its
// checksum byte when checksum is set. It fails with drivers.ErrProtocol
// and the reason on any byte out of place.
func decodeContinuousFrame(b []byte, checksum bool) (contFrame, error) {
	want := contFrameLen
	if checksum {
		want++
	}
	if len(b) != want {
		return contFrame{}, protoErr("continuous frame of %d bytes, want %d", len(b), want)
	}
	if b[0] != stx {
		return contFrame{}, protoErr("continuous frame starts with 0x%02x, not STX", b[0])
	}
	if b[16] != cr {
		return contFrame{}, protoErr("continuous frame has 0x%02x where CR belongs", b[16])
	}
	for i, c := range b[:16] {
		if c == 0 {
			return contFrame{}, protoErr("NUL byte at %d of continuous frame (parity or framing error)", i)
		}
	}
	if checksum {
		if got, want := b[17]&0x7f, contChecksum(b[:17]); got != want {
			return contFrame{}, protoErr("continuous frame checksum 0x%02x, want 0x%02x", got, want)
		}
	}
	a, sb, sc := b[1], b[2], b[3]
	for i, c := range []byte{a, sb, sc} {
		if c < 0x20 || c > 0x7f {
			return contFrame{}, protoErr("status word %c is 0x%02x, not a status", 'A'+i, c)
		}
	}
	w, err := contDigits(b[4:10])
	if err != nil {
		return contFrame{}, protoErr("continuous frame weight %q: %v", b[4:10], err)
	}
	t, err := contDigits(b[10:16])
	if err != nil {
		return contFrame{}, protoErr("continuous frame tare %q: %v", b[10:16], err)
	}
	f := contFrame{
		Weight:     w,
		Tare:       t,
		Net:        sb&contBNet != 0,
		Motion:     sb&contBMotion != 0,
		OutOfRange: sb&contBRange != 0,
		Expanded:   sc&contCExpanded != 0,
		Print:      sc&contCPrint != 0,
		PowerUp:    sb&contBPowerUp != 0,
	}
	// Codes 0-2 are XXXX00, XXXXX0 and XXXXXX: no decimals. The digits
	// are the displayed ones, dummy zeros included (see DESIGN.md).
	if dp := int(a & contADecimals); dp > 2 {
		f.Decimals = dp - 2
	}
	f.Increment = [4]int{0, 1, 2, 5}[(a&contAIncrement)>>3]
	if sb&contBNegative != 0 {
		f.Negative = true
		f.Weight = -f.Weight
	}
	if u := sc & contCUnit; u != 0 {
		f.Unit = contUnits[u]
	} else if sb&contBKg != 0 {
		f.Unit = "kg"
	} else {
		f.Unit = "lb"
	}
	return f, nil
}

// contDigits reads a six-digit field; leading blanks count as zeros.
func contDigits(b []byte) (int64, error) {
	var v int64
	digits := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits = true
			v = v*10 + int64(c-'0')
		case c == ' ' && !digits:
		default:
			return 0, fmt.Errorf("byte 0x%02x is not a digit", c)
		}
	}
	if !digits {
		return 0, errors.New("no digits")
	}
	return v, nil
}

// contDecoder finds frames in the stream: it waits for STX, and restarts
// on any STX inside a frame, so one lost or extra byte costs one frame.
type contDecoder struct {
	checksum bool
	frame    [contFrameLen + 1]byte
	n        int // bytes of the frame so far; 0 while looking for STX
	skipped  int // bytes thrown away while looking for STX
}

func (d *contDecoder) feed(c byte) (message, error) {
	if d.n == 0 {
		if c != stx {
			d.skipped++
			return nil, nil
		}
		d.frame[0], d.n = c, 1
		if skipped := d.skipped; skipped > 0 {
			d.skipped = 0
			return nil, junkErr(skipped, "continuous frames")
		}
		return nil, nil
	}
	if c == 0 && d.n < contFrameLen {
		n := d.n
		d.n = 0
		return nil, parityErr("continuous frame", n)
	}
	// The checksum byte may be any value, STX included.
	if c == stx && d.n < contFrameLen {
		n := d.n
		d.frame[0], d.n = c, 1
		return nil, protoErr("continuous frame cut after %d bytes by STX", n)
	}
	d.frame[d.n] = c
	d.n++
	if d.n == contFrameLen && d.frame[d.n-1] != cr {
		// Out of step: drop it now rather than eat into the next frame.
		n := d.n
		d.n = 0
		_, err := decodeContinuousFrame(d.frame[:n], false)
		return nil, err
	}
	if d.n < contFrameLen || d.checksum && d.n == contFrameLen {
		return nil, nil
	}
	n := d.n
	d.n = 0
	f, err := decodeContinuousFrame(d.frame[:n], d.checksum)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// continuous is the Toledo continuous output: the scale sends a frame per
// display update and takes no commands (none that this driver uses).
type continuous struct {
	unit     string
	checksum bool
}

func (p *continuous) newDecoder() decoder { return &contDecoder{checksum: p.checksum} }
func (p *continuous) continuous() bool    { return true }

// stable watches the frames that arrive after the call until stableFrames
// consecutive ones show no motion and the same weight.
func (p *continuous) stable(ctx context.Context, l *link) (drivers.Weight, error) {
	l.flush()
	var (
		run     int
		last    drivers.Weight
		frames  int
		motion  bool
		changed bool
		garbled error
	)
	for {
		m, err := l.recv(ctx, 0)
		if err != nil {
			if ctx.Err() == nil {
				return drivers.Weight{}, err
			}
			var why error
			switch {
			case frames == 0 && garbled != nil:
				why = garbled
			case frames == 0:
				why = fmt.Errorf("%w: no continuous frame", ErrNoResponse)
			case motion:
				why = fmt.Errorf("%w: motion bit set", drivers.ErrUnstable)
			case changed:
				why = fmt.Errorf("%w: the weight kept changing", drivers.ErrUnstable)
			default:
				why = fmt.Errorf("%w: %d equal frames without motion, %d needed", drivers.ErrUnstable, run, stableFrames)
			}
			return drivers.Weight{}, expired(ctx, why)
		}
		f, ok := m.(contFrame)
		if !ok {
			if de, ok := m.(decodeError); ok && !errors.Is(de.err, errJunk) {
				garbled = de.err
				run = 0 // a lost frame breaks the run
			}
			continue
		}
		frames++
		switch {
		case f.OutOfRange && f.Negative:
			return drivers.Weight{}, fmt.Errorf("%w (continuous output out of range, negative)", drivers.ErrUnderload)
		case f.OutOfRange:
			return drivers.Weight{}, fmt.Errorf("%w (continuous output out of range)", drivers.ErrOverload)
		case f.PowerUp:
			return drivers.Weight{}, fmt.Errorf("%w: %w", drivers.ErrDevice, ErrNotZeroed)
		case f.Motion:
			motion = true
			run = 0
			continue
		}
		w := f.weight()
		switch {
		case run > 0 && w == last:
			run++
		case run > 0:
			changed = true
			fallthrough
		default:
			run, last = 1, w
		}
		if run < stableFrames {
			continue
		}
		if f.Expanded {
			return drivers.Weight{}, fmt.Errorf("%w: display expanded x10 (service mode), not a legal weight", drivers.ErrDevice)
		}
		if p.unit != "" && w.Unit != p.unit {
			return drivers.Weight{}, fmt.Errorf("%w: the scale weighs in %q, Config.Unit is %q", ErrUnitMismatch, w.Unit, p.unit)
		}
		return w, nil
	}
}
