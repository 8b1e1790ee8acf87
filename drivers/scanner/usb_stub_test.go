//go:build !(cgo && usb)

package scanner_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/drivers/scanner"
)

// TestNoUSB checks what a build without USB support says about a USB
// scanner: it cannot make one, and the error says how to build one that can.
func TestNoUSB(t *testing.T) {
	for _, kind := range []string{scanner.KindUSBHID, scanner.KindHIDPOS} {
		cfg := scanner.Config{Name: "wedge", Kind: kind, VendorID: 0x0c2e, ProductID: 0x0b61}
		s, err := scanner.New(cfg)
		if s != nil || !errors.Is(err, scanner.ErrNoUSB) {
			t.Fatalf("New(%s) = %v, %v; want nil, ErrNoUSB", kind, s, err)
		}
		if !strings.Contains(err.Error(), "-tags usb") || !strings.Contains(err.Error(), "0c2e:0b61") {
			t.Errorf("error %q does not say how to build with USB, or which device", err)
		}
		if _, err := scanner.NewUSB(cfg); !errors.Is(err, scanner.ErrNoUSB) {
			t.Errorf("NewUSB(%s) error = %v, want ErrNoUSB", kind, err)
		}
	}
	if _, err := scanner.NewUSB(scanner.Config{Name: "wedge", Kind: scanner.KindUSBHID}); !errors.Is(err, scanner.ErrConfig) {
		t.Errorf("NewUSB(invalid) error = %v, want ErrConfig", err)
	}
}
