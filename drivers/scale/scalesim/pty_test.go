//go:build linux

package scalesim_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/drivers/scale/scalesim"
	"golang.org/x/sys/unix"
)

// openSlave opens the emulator's device as a client would, raw.
func openSlave(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestPTY(t *testing.T) {
	link := filepath.Join(t.TempDir(), "scale")
	sim, err := scalesim.ServePTY(scalesim.Options{Protocol: scalesim.Toledo8217, Link: link})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if sim.Path() != link || sim.Addr() != "" {
		t.Fatalf("Path = %q, Addr = %q", sim.Path(), sim.Addr())
	}
	first, err := os.Readlink(link)
	if err != nil || !strings.HasPrefix(first, "/dev/pts/") {
		t.Fatalf("link -> %q, %v", first, err)
	}
	sim.SetLoad(1234)
	f := openSlave(t, link)
	if _, err := f.Write([]byte("W")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 8)
	if _, err := io.ReadFull(f, got); err != nil {
		t.Fatal(err)
	}
	// 7E1: the eighth bit is the even parity of the other seven.
	for i, c := range got {
		if bits := onesCount(c); bits%2 != 0 {
			t.Errorf("byte %d = %#02x has odd parity", i, c)
		}
	}
	if stripped := strip(got); !bytes.Equal(stripped, []byte("\x0201.234\r")) {
		t.Errorf("reply %q (%q stripped)", got, stripped)
	}

	// Drop hangs up the device and opens another behind the link.
	if err := sim.Drop(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if n, err := f.Read(buf); err == nil && n > 0 {
		t.Errorf("read %q from a hung-up device", buf[:n])
	}
	if second, err := os.Readlink(link); err != nil || !strings.HasPrefix(second, "/dev/pts/") {
		t.Fatalf("link after Drop -> %q, %v", second, err)
	}
	g := openSlave(t, link)
	g.Write([]byte("W"))
	if _, err := io.ReadFull(g, got); err != nil || !bytes.Equal(strip(got), []byte("\x0201.234\r")) {
		t.Errorf("after Drop: %q, %v", got, err)
	}

	// A parity fault flips the eighth bit of the last byte.
	sim.CorruptParity(1)
	g.Write([]byte("W"))
	if _, err := io.ReadFull(g, got); err != nil || onesCount(got[7])%2 == 0 {
		t.Errorf("parity fault: %q, %v", got, err)
	}
	sim.Close()
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("link left after Close: %v", err)
	}
}

func onesCount(c byte) int {
	n := 0
	for ; c != 0; c &= c - 1 {
		n++
	}
	return n
}

func strip(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c & 0x7f
	}
	return out
}
