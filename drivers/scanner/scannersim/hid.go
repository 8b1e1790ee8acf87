package scannersim

import (
	"context"
	"errors"
	"sync"

	"github.com/jxc-edge/jxc/drivers/scanner"
)

// ErrUnplugged is what an unplugged HID fails with, as libusb fails with
// "no device".
var ErrUnplugged = errors.New("scannersim: device unplugged")

// HID is a USB HID scanner without the USB: Open returns a scanner.Device
// that reads the reports Send gives it. It is safe for concurrent use.
type HID struct {
	reports chan []byte
	mu      sync.Mutex
	plugged bool
	gone    chan struct{} // closed when unplugged
	opens   int
}

// NewHID returns a plugged-in HID scanner.
func NewHID() *HID {
	return &HID{reports: make(chan []byte), plugged: true, gone: make(chan struct{})}
}

// Open is a scanner.Opener: it opens the device, or fails with
// ErrUnplugged.
func (h *HID) Open(ctx context.Context) (scanner.Device, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.plugged {
		return nil, ErrUnplugged
	}
	h.opens++
	return &hidConn{h: h, gone: h.gone}, nil
}

// Opens returns how many times the device was opened.
func (h *HID) Opens() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.opens
}

// Send hands reports to the driver, one per ReadReport, and returns when
// it has read them all, or with ctx's error, or ErrUnplugged.
func (h *HID) Send(ctx context.Context, reports ...[]byte) error {
	h.mu.Lock()
	gone := h.gone
	h.mu.Unlock()
	for _, r := range reports {
		select {
		case h.reports <- r:
		case <-gone:
			return ErrUnplugged
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Unplug pulls the device out: reads on it fail and Open fails until Plug.
func (h *HID) Unplug() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.plugged {
		h.plugged = false
		close(h.gone)
	}
}

// Plug plugs the device back in.
func (h *HID) Plug() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.plugged {
		h.plugged = true
		h.gone = make(chan struct{})
	}
}

type hidConn struct {
	h    *HID
	gone chan struct{}
}

func (c *hidConn) ReadReport(ctx context.Context, p []byte) (int, error) {
	select {
	case <-c.gone:
		return 0, ErrUnplugged
	default:
	}
	select {
	case r := <-c.h.reports:
		return copy(p, r), nil
	case <-c.gone:
		return 0, ErrUnplugged
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (c *hidConn) Close() error { return nil }
