//go:build cgo && usb

package scanner_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/scanner"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// TestUSBAbsent runs a USB scanner whose device is not plugged in: libusb
// enumerates, finds nothing, and the driver keeps retrying and says why.
// (A real scanner cannot be tested without the hardware.)
func TestUSBAbsent(t *testing.T) {
	s, err := scanner.New(scanner.Config{
		Name: "wedge", Kind: scanner.KindUSBHID, VendorID: 0xfffe, ProductID: 0xfffd, Serial: "X1",
		ReconnectMin: 5 * time.Millisecond, ReconnectMax: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*scanner.USBScanner); !ok {
		t.Fatalf("New = %T, want *scanner.USBScanner", s)
	}
	run(t, s)
	testenv.WaitFor(t, waitFor, func() error {
		h := s.Health()
		if h.Errors < 2 || h.Connected || !strings.Contains(h.LastError, "fffe:fffd") {
			return fmt.Errorf("health %+v, want retries naming the device", h)
		}
		return nil
	})
}
