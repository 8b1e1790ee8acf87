package scannersim_test

import (
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
)

// TestSimRaw reads the terminal's slave side without setting it up, as a
// plain file: in raw mode a code and its CR arrive as sent, without the
// line discipline turning CR into LF or waiting for a line.
func TestSimRaw(t *testing.T) {
	sim, err := scannersim.New()
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	f, err := os.OpenFile(sim.Path(), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sim.SetTerminator("\r")
	if err := sim.Scan("69\x1d01"); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Write([]byte("\x03")); err != nil {
		t.Fatal(err)
	}
	if err := f.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 7)
	if _, err := io.ReadFull(f, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != "69\x1d01\r\x03" {
		t.Errorf("read %q, want %q", got, "69\x1d01\r\x03")
	}
	if err := sim.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sim.Scan("x"); err == nil {
		t.Error("Scan after Close: no error")
	}
}
