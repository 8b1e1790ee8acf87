package scale

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"go.bug.st/serial"
)

// writeTimeout bounds a write to a TCP scale.
const writeTimeout = 2 * time.Second

// port is the byte stream to a scale: a serial port or a TCP connection.
// Read returns errIdle when nothing arrived for the idle time it was
// opened with (if any); Close makes a blocked Read return.
type port interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	Close() error
}

// dialer opens a port to the scale of cfg; idle is the longest silence a
// Read waits for before returning errIdle (0: forever).
func dialer(cfg Config, idle time.Duration) func(ctx context.Context) (port, error) {
	if cfg.Address != "" {
		return func(ctx context.Context) (port, error) { return dialTCP(ctx, cfg.Address, idle) }
	}
	return func(ctx context.Context) (port, error) { return openSerial(cfg, idle) }
}

// tcpPort is a TCP connection with a read deadline renewed before every
// Read (the idle time) and one on every Write.
type tcpPort struct {
	c    net.Conn
	idle time.Duration
}

func dialTCP(ctx context.Context, addr string, idle time.Duration) (port, error) {
	d := net.Dialer{Timeout: 5 * time.Second, KeepAlive: 15 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &tcpPort{c: c, idle: idle}, nil
}

func (p *tcpPort) Read(b []byte) (int, error) {
	if p.idle > 0 {
		if err := p.c.SetReadDeadline(time.Now().Add(p.idle)); err != nil {
			return 0, err
		}
	}
	n, err := p.c.Read(b)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return n, fmt.Errorf("%w for %v", errIdle, p.idle)
	}
	return n, err
}

func (p *tcpPort) Write(b []byte) (int, error) {
	if err := p.c.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return 0, err
	}
	return p.c.Write(b)
}

func (p *tcpPort) Close() error { return p.c.Close() }

// serialPort is a go.bug.st/serial port, whose Read returns (0, nil) when
// its read timeout passes.
type serialPort struct {
	p    serial.Port
	idle time.Duration
}

func openSerial(cfg Config, idle time.Duration) (port, error) {
	mode := &serial.Mode{BaudRate: cfg.Baud, DataBits: cfg.DataBits, StopBits: serial.OneStopBit}
	if cfg.StopBits == 2 {
		mode.StopBits = serial.TwoStopBits
	}
	switch cfg.Parity {
	case "even":
		mode.Parity = serial.EvenParity
	case "odd":
		mode.Parity = serial.OddParity
	}
	p, err := serial.Open(cfg.Port, mode)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.Port, err)
	}
	// Whatever the device sent while nobody listened is stale: a weight
	// from before we connected must never be taken for the current one.
	if err := p.ResetInputBuffer(); err != nil {
		p.Close()
		return nil, fmt.Errorf("flush %s: %w", cfg.Port, err)
	}
	if idle > 0 {
		if err := p.SetReadTimeout(idle); err != nil {
			p.Close()
			return nil, fmt.Errorf("set read timeout on %s: %w", cfg.Port, err)
		}
	}
	return &serialPort{p: p, idle: idle}, nil
}

func (p *serialPort) Read(b []byte) (int, error) {
	n, err := p.p.Read(b)
	if n == 0 && err == nil {
		return 0, fmt.Errorf("%w for %v", errIdle, p.idle)
	}
	return n, err
}

func (p *serialPort) Write(b []byte) (int, error) { return p.p.Write(b) }
func (p *serialPort) Close() error                { return p.p.Close() }

// parityFilter turns the bytes of a 7-bit link into 7-bit characters.
//
// A UART set to 7 data bits strips the parity bit itself and hands a
// character with a parity error over as NUL (Linux, INPCK without PARMRK).
// A pseudo-terminal or a transparent serial server passes the eighth bit
// through instead. Once a byte with the eighth bit set shows that the bit
// reaches us, the filter checks it itself and turns a byte with the wrong
// parity into NUL too, which every frame decoder rejects. Before that it
// cannot tell a stripped bit from a wrong one and checks nothing.
type parityFilter struct {
	parity string // "none", "even" or "odd"
	raw    bool   // the eighth bit has been seen: it is the parity bit
}

func (f *parityFilter) filter(b byte) byte {
	if b&0x80 != 0 {
		f.raw = true
	}
	c := b & 0x7f
	if f.raw && f.parity != "none" && b>>7 != parityBit(c, f.parity) {
		return 0
	}
	return c
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
