package scanner

import (
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// New returns the scanner cfg describes: a *Scanner for KindSerial, a
// *USBScanner for KindUSBHID and KindHIDPOS. Nothing is opened until Run.
// The error wraps ErrConfig when cfg is invalid, and ErrNoUSB for a USB
// scanner when the binary was built without USB support.
func New(cfg Config) (drivers.Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Return a nil interface, not a nil pointer in one, on error.
	switch cfg.Kind {
	case KindSerial:
		s, err := NewSerial(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	case KindUSBHID, KindHIDPOS:
		s, err := NewUSB(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("%w: scanner %q: Kind %q", ErrConfig, cfg.Name, cfg.Kind)
}
