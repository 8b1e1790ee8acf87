//go:build !(cgo && usb)

package scanner

import (
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

var _ drivers.Scanner = (*USBScanner)(nil)

// USBScanner is a USB HID scanner read through libusb. This binary was
// built without USB support (no cgo, or no -tags usb), so none can be made.
type USBScanner struct {
	*HIDScanner
}

// NewUSB returns an error wrapping ErrNoUSB: this binary was built without
// USB support. Build with cgo and -tags usb, libusb-1.0 installed, to read
// USB scanners. The error wraps ErrConfig instead when cfg is invalid.
func NewUSB(cfg Config) (*USBScanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("scanner %q (%s, usb %04x:%04x): %w", cfg.Name, cfg.Kind, cfg.VendorID, cfg.ProductID, ErrNoUSB)
}
