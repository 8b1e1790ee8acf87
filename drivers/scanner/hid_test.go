package scanner_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/scanner"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"

	"github.com/jxc-edge/jxc/internal/testenv"
)

func MustHID(tb testing.TB, kind string, dev *scannersim.HID, modify func(c *scanner.Config)) *scanner.HIDScanner {
	tb.Helper()
	cfg := scanner.Config{
		Name: "wedge-1", Kind: kind, VendorID: 0x0c2e, ProductID: 0x0b61,
		ReconnectMin: 5 * time.Millisecond, ReconnectMax: 50 * time.Millisecond,
	}
	if modify != nil {
		modify(&cfg)
	}
	s, err := scanner.NewHID(cfg, dev.Open)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func send(tb testing.TB, dev *scannersim.HID, reports [][]byte) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := dev.Send(ctx, reports...); err != nil {
		tb.Fatal(err)
	}
}

func typed(tb testing.TB, kb scannersim.Keyboard, s string) [][]byte {
	tb.Helper()
	r, err := kb.Reports(s)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestKeyboardWedge(t *testing.T) {
	dev := scannersim.NewHID()
	s := MustHID(t, scanner.KindUSBHID, dev, func(c *scanner.Config) { c.Prefixes = []string{"]"} })
	out := run(t, s)
	connected(t, s, true)

	send(t, dev, typed(t, scannersim.Keyboard{}, "]E06901234567892\r"))
	if got := recv(t, out); got.Data != "]E06901234567892" || got.Device != "wedge-1" {
		t.Errorf("scan %+v", got)
	}
	// GS as Ctrl+] and as Alt+029; rollover; Tab is data.
	send(t, dev, typed(t, scannersim.Keyboard{Rollover: true}, "]d2010950110153000310AB\x1d21C\tD\n"))
	send(t, dev, typed(t, scannersim.Keyboard{AltCodes: true, Keypad: true}, "10X\x1d21Y\r"))
	for _, want := range []string{"]d2010950110153000310AB\x1d21C\tD", "10X\x1d21Y"} {
		if got := recv(t, out); got.Data != want {
			t.Errorf("scan %q, want %q", got.Data, want)
		}
	}
	// A malformed report is counted, and reading goes on.
	send(t, dev, [][]byte{{0, 0, 4}})
	send(t, dev, typed(t, scannersim.Keyboard{}, "OK\r"))
	if got := recv(t, out); got.Data != "OK" {
		t.Errorf("after a short report: %q", got.Data)
	}
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); h.Errors != 1 || h.Events != 4 || h.Kind != scanner.KindUSBHID {
			return fmt.Errorf("health %+v, want 4 events, 1 error", h)
		}
		return nil
	})
}

func TestKeyboardWedgeTabTerminator(t *testing.T) {
	dev := scannersim.NewHID()
	s := MustHID(t, scanner.KindUSBHID, dev, func(c *scanner.Config) { c.Terminator = scanner.TerminatorTab })
	out := run(t, s)
	send(t, dev, typed(t, scannersim.Keyboard{}, "A1\tB2\r"))
	for _, want := range []string{"A1", "B2"} {
		if got := recv(t, out); got.Data != want {
			t.Errorf("scan %q, want %q", got.Data, want)
		}
	}
}

func TestHIDPOSScanner(t *testing.T) {
	dev := scannersim.NewHID()
	s := MustHID(t, scanner.KindHIDPOS, dev, func(c *scanner.Config) { c.GSSubstitute = "<GS>" })
	out := run(t, s)
	l := scanner.DefaultHIDPOSLayout

	long := "]C1" + "0109501101530003" + "10" + "ABCDEFGHIJKLMNOPQRST" + "<GS>" + "21" + "SERIAL0123456789ABCD" + "\r\n"
	send(t, dev, scannersim.HIDPOSReports(l, "]E0", []byte("6901234567892")))
	send(t, dev, scannersim.HIDPOSReports(l, "", []byte(long)))
	want := []string{
		"]E06901234567892",
		"]C1" + "0109501101530003" + "10" + "ABCDEFGHIJKLMNOPQRST" + "\x1d" + "21" + "SERIAL0123456789ABCD",
	}
	for _, w := range want {
		if got := recv(t, out); got.Data != w {
			t.Errorf("scan %q, want %q", got.Data, w)
		}
	}
	bad := scannersim.HIDPOSReports(l, "", []byte("X"))[0]
	bad[1] = 200
	send(t, dev, [][]byte{bad})
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); h.Errors != 1 || h.Events != 2 {
			return fmt.Errorf("health %+v, want 2 events, 1 error", h)
		}
		return nil
	})
}

func TestHIDScannerReconnect(t *testing.T) {
	dev := scannersim.NewHID()
	dev.Unplug()
	s := MustHID(t, scanner.KindUSBHID, dev, nil)
	out := run(t, s)
	// Not there at start: keeps trying.
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); h.Errors < 2 || h.Connected {
			return fmt.Errorf("health %+v, want failed opens", h)
		}
		return nil
	})
	dev.Plug()
	connected(t, s, true)
	send(t, dev, typed(t, scannersim.Keyboard{}, "ONE\r"))
	if got := recv(t, out); got.Data != "ONE" {
		t.Fatalf("got %q", got.Data)
	}

	// Unplugged halfway through a code: the half is dropped.
	send(t, dev, typed(t, scannersim.Keyboard{}, "HAL"))
	opens := dev.Opens()
	dev.Unplug()
	connected(t, s, false)
	dev.Plug()
	testenv.WaitFor(t, waitFor, func() error {
		if dev.Opens() == opens {
			return errors.New("not reopened")
		}
		return nil
	})
	connected(t, s, true)
	send(t, dev, typed(t, scannersim.Keyboard{}, "TWO\r"))
	if got := recv(t, out); got.Data != "TWO" {
		t.Fatalf("after reconnect got %q, want TWO", got.Data)
	}
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); !h.Connected || h.Events != 2 || h.LastError == "" {
			return fmt.Errorf("health %+v, want connected, 2 events, an error", h)
		}
		return nil
	})
}
