package scanner_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/scanner"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// MustSim starts a serial scanner emulator, closed when the test ends.
func MustSim(tb testing.TB) *scannersim.Sim {
	tb.Helper()
	sim, err := scannersim.New()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sim.Close() })
	return sim
}

// MustSerial makes a serial scanner on port with a fast backoff.
func MustSerial(tb testing.TB, port string, modify func(c *scanner.Config)) *scanner.Scanner {
	tb.Helper()
	cfg := scanner.Config{
		Name: "gun-1", Kind: scanner.KindSerial, Port: port, Baud: 115200,
		ReconnectMin: 5 * time.Millisecond, ReconnectMax: 50 * time.Millisecond,
	}
	if modify != nil {
		modify(&cfg)
	}
	s, err := scanner.NewSerial(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestSerialScanner(t *testing.T) {
	sim := MustSim(t)
	s := MustSerial(t, sim.Path(), func(c *scanner.Config) { c.Parity, c.DataBits, c.StopBits = "even", 7, 2 })
	out := run(t, s)
	connected(t, s, true)

	start := time.Now()
	terms := []string{"\r\n", "\r", "\n"}
	codes := []string{"6901234567892", "4006381333931", "036000291452"}
	for i, code := range codes {
		sim.SetTerminator(terms[i])
		if err := sim.Scan(code); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range codes {
		got := recv(t, out)
		if got.Data != want || got.Device != "gun-1" || got.Time.Before(start.Add(-time.Second)) || got.Time.Location() != time.UTC {
			t.Errorf("scan %+v, want data %q from gun-1 now", got, want)
		}
	}
	// A code sent in pieces is one code.
	for _, piece := range []string{"960", "1234567", "89\r", "\n"} {
		if _, err := sim.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	if got := recv(t, out); got.Data != "960123456789" {
		t.Errorf("code in pieces: %q", got.Data)
	}
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); h.Events != 4 || h.Errors != 0 || h.LastEvent.IsZero() {
			return fmt.Errorf("health %+v, want 4 events, no errors", h)
		}
		return nil
	})
}

func TestSerialScannerTooLong(t *testing.T) {
	sim := MustSim(t)
	s := MustSerial(t, sim.Path(), func(c *scanner.Config) { c.MaxLength = 16 })
	out := run(t, s)
	connected(t, s, true)

	if err := sim.Scan(strings.Repeat("9", 100)); err != nil {
		t.Fatal(err)
	}
	if err := sim.Scan("OK-1234"); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, out); got.Data != "OK-1234" {
		t.Errorf("after a long line got %q, want OK-1234", got.Data)
	}
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); h.Errors != 1 || !strings.Contains(h.LastError, "too long") || h.Events != 1 {
			return fmt.Errorf("health %+v, want 1 event and 1 too-long error", h)
		}
		return nil
	})
}

// TestSerialScannerGS1 reads a GS1-128 code from a scanner set to send AIM
// identifiers and "<GS>" for the group separator, and parses it.
func TestSerialScannerGS1(t *testing.T) {
	sim := MustSim(t)
	s := MustSerial(t, sim.Path(), func(c *scanner.Config) {
		c.Prefixes, c.Suffixes, c.GSSubstitute = []string{"]"}, []string{"\x03"}, "<GS>"
	})
	out := run(t, s)
	connected(t, s, true)

	if err := sim.Scan("]C1010950110153000317250131" + "10ABC123<GS>21XYZ\x03"); err != nil {
		t.Fatal(err)
	}
	got := recv(t, out)
	if want := "]C1010950110153000317250131" + "10ABC123\x1d21XYZ"; got.Data != want {
		t.Fatalf("scan %q, want %q", got.Data, want)
	}
	code, err := gs1.Parse(got.Data)
	if err != nil {
		t.Fatal(err)
	}
	if code.Symbology != "]C1" || code.GTIN != "09501101530003" || code.Lot != "ABC123" || code.Serial != "XYZ" ||
		!code.Expiry.Equal(time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("parsed %+v", code)
	}
}

// TestSerialScannerReconnect unplugs the scanner and plugs another in at
// the same path (a /dev/serial/by-id style link): the driver notices,
// counts the error, reopens with backoff and reads again.
func TestSerialScannerReconnect(t *testing.T) {
	link := filepath.Join(t.TempDir(), "usb-Honeywell_Scanner-if00")
	relink := func(target string) {
		t.Helper()
		tmp := link + ".new"
		if err := os.Symlink(target, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, link); err != nil {
			t.Fatal(err)
		}
	}
	sim1 := MustSim(t)
	relink(sim1.Path())
	s := MustSerial(t, link, nil)
	out := run(t, s)
	connected(t, s, true)
	if err := sim1.Scan("ONE"); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, out); got.Data != "ONE" {
		t.Fatalf("got %q", got.Data)
	}

	if _, err := sim1.Write([]byte("PARTIAL")); err != nil {
		t.Fatal(err)
	}
	sim1.Close()
	connected(t, s, false)
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); h.Errors == 0 {
			return errors.New("unplug not counted as an error")
		}
		return nil
	})

	sim2 := MustSim(t)
	relink(sim2.Path())
	connected(t, s, true)
	if err := sim2.Scan("TWO"); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, out); got.Data != "TWO" {
		t.Fatalf("after reconnect got %q, want TWO (the partial line is dropped)", got.Data)
	}
}

// TestSerialScannerNoPort keeps trying a port that is not there and
// counts each failure.
func TestSerialScannerNoPort(t *testing.T) {
	s := MustSerial(t, filepath.Join(t.TempDir(), "ttyNONE"), nil)
	run(t, s)
	testenv.WaitFor(t, waitFor, func() error {
		if h := s.Health(); h.Errors < 3 || h.Connected || !strings.Contains(h.LastError, "ttyNONE") {
			return fmt.Errorf("health %+v, want 3 errors naming the port", h)
		}
		return nil
	})
}
