package scanner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.bug.st/serial"

	"github.com/jxc-edge/jxc/drivers"
)

var _ drivers.Scanner = (*Scanner)(nil)

var parities = map[string]serial.Parity{
	"":      serial.NoParity,
	"none":  serial.NoParity,
	"odd":   serial.OddParity,
	"even":  serial.EvenParity,
	"mark":  serial.MarkParity,
	"space": serial.SpaceParity,
}

// Scanner is a serial barcode scanner: it sends each code as a line ended
// by CR, LF or CRLF.
type Scanner struct {
	cfg    Config
	health *health
}

// NewSerial returns the serial scanner cfg describes. It opens nothing:
// Run does. The error wraps ErrConfig when cfg is invalid or not of
// KindSerial.
func NewSerial(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Kind != KindSerial {
		return nil, fmt.Errorf("%w: scanner %q: Kind %q is not %q", ErrConfig, cfg.Name, cfg.Kind, KindSerial)
	}
	cfg = cfg.withDefaults()
	return &Scanner{cfg: cfg, health: newHealth(cfg)}, nil
}

// Run opens the port and sends every code read to out until ctx is done,
// then returns ctx.Err(). When the port cannot be opened or fails (the
// scanner is unplugged) it reopens it with backoff; a partial line is then
// discarded. A line longer than MaxLength is dropped and counted as an
// error. Only one Run may be active at a time.
func (s *Scanner) Run(ctx context.Context, out chan<- drivers.Scan) error {
	return runSessions(ctx, s.cfg, s.health, out, s.session)
}

// Health returns the scanner's state.
func (s *Scanner) Health() drivers.Health { return s.health.snapshot(time.Now()) }

func (s *Scanner) session(ctx context.Context, out chan<- drivers.Scan) (bool, error) {
	c := s.cfg
	mode := &serial.Mode{
		BaudRate: c.Baud,
		DataBits: c.DataBits,
		Parity:   parities[c.Parity],
		StopBits: map[int]serial.StopBits{1: serial.OneStopBit, 2: serial.TwoStopBits}[c.StopBits],
	}
	port, err := serial.Open(c.Port, mode)
	if err != nil {
		return false, fmt.Errorf("open %s: %w", c.Port, err)
	}
	defer port.Close()
	// Closing the port is what ends a blocked Read.
	stop := context.AfterFunc(ctx, func() { port.Close() })
	defer stop()
	s.health.setConnected(true)

	f := NewFramer(c)
	buf := make([]byte, 512)
	for {
		n, err := port.Read(buf)
		if ctx.Err() != nil {
			return true, nil
		}
		ok := true
		f.Feed(buf[:n], func(code Code) {
			ok = ok && deliver(ctx, c, s.health, out, code)
		}, s.health.fail)
		if !ok {
			return true, nil
		}
		if err != nil {
			var pe *serial.PortError
			if errors.As(err, &pe) && pe.Code() == serial.PortClosed {
				err = errors.New("port closed")
			}
			return true, fmt.Errorf("read %s: %w", c.Port, err)
		}
	}
}
