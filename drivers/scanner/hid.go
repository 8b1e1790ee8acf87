package scanner

import (
	"context"
	"fmt"
	"time"

	"github.com/jxc-edge/jxc/drivers"
)

var _ drivers.Scanner = (*HIDScanner)(nil)

// Device is an open HID interface of a scanner: the one read the driver
// needs from libusb, so tests and the emulator can stand in for it.
type Device interface {
	// ReadReport reads one input report into p (at least 64 bytes) and
	// returns its length. It blocks until a report arrives or ctx is done;
	// any error ends the connection and Run opens the device again.
	ReadReport(ctx context.Context, p []byte) (int, error)
	Close() error
}

// Opener opens a scanner's Device. Run calls it again, with backoff, after
// it fails or the open device fails.
type Opener func(ctx context.Context) (Device, error)

// maxReport is the largest input report read: a full-speed interrupt
// endpoint's largest packet is 64 bytes, a high-speed one's 1024.
const maxReport = 1024

// HIDScanner is a USB HID scanner, keyboard wedge (KindUSBHID) or HID-POS
// (KindHIDPOS), reading input reports from whatever its Opener opens.
// USBScanner is one whose Opener is libusb.
type HIDScanner struct {
	cfg    Config
	open   Opener
	health *health
}

// NewHID returns the HID scanner cfg describes, reading reports from the
// devices open opens. It opens nothing: Run does. The error wraps ErrConfig
// when cfg is invalid or not a HID kind.
func NewHID(cfg Config, open Opener) (*HIDScanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Kind != KindUSBHID && cfg.Kind != KindHIDPOS {
		return nil, fmt.Errorf("%w: scanner %q: Kind %q is not %q or %q", ErrConfig, cfg.Name, cfg.Kind, KindUSBHID, KindHIDPOS)
	}
	cfg = cfg.withDefaults()
	return &HIDScanner{cfg: cfg, open: open, health: newHealth(cfg)}, nil
}

// Run opens the device and sends every code read to out until ctx is done,
// then returns ctx.Err(). When the device cannot be opened or fails (it is
// unplugged) it opens it again with backoff; a partial code is then
// discarded. Malformed reports and codes longer than MaxLength are dropped
// and counted as errors. Only one Run may be active at a time.
func (s *HIDScanner) Run(ctx context.Context, out chan<- drivers.Scan) error {
	return runSessions(ctx, s.cfg, s.health, out, s.session)
}

// Health returns the scanner's state.
func (s *HIDScanner) Health() drivers.Health { return s.health.snapshot(time.Now()) }

func (s *HIDScanner) session(ctx context.Context, out chan<- drivers.Scan) (bool, error) {
	c := s.cfg
	dev, err := s.open(ctx)
	if err != nil {
		return false, fmt.Errorf("open: %w", err)
	}
	defer dev.Close()
	s.health.setConnected(true)

	f := NewFramer(c)
	var kbd KeyboardDecoder
	pos := NewHIDPOSDecoder(*c.HIDPOS, c.MaxLength)
	report := make([]byte, maxReport)
	var chars []byte
	for {
		n, err := dev.ReadReport(ctx, report)
		if ctx.Err() != nil {
			return true, nil
		}
		if err != nil {
			return true, fmt.Errorf("read: %w", err)
		}
		ok := true
		send := func(code Code) { ok = ok && deliver(ctx, c, s.health, out, code) }
		if c.Kind == KindUSBHID {
			chars, err = kbd.Decode(chars[:0], report[:n])
			f.Feed(chars, send, s.health.fail)
		} else {
			var sym string
			var data []byte
			var done bool
			if sym, data, done, err = pos.Decode(report[:n]); done {
				if code, found := f.Clean(string(trimEOL(data))); found {
					if code.Symbology == "" {
						code.Symbology = sym
					}
					send(code)
				}
			}
		}
		s.health.fail(err)
		if !ok {
			return true, nil
		}
	}
}

// trimEOL removes the CR, LF or CRLF a scanner may be set to add to a
// code even when the reports already delimit it.
func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}
