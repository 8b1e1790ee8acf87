package scalesim_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/scale/scalesim"
)

// MustServeTCP starts an emulator on TCP and dials it.
func MustServeTCP(tb testing.TB, opts scalesim.Options) (*scalesim.Sim, net.Conn) {
	tb.Helper()
	sim, err := scalesim.ServeTCP("127.0.0.1:0", opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sim.Close() })
	c, err := net.Dial("tcp", sim.Addr())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return sim, c
}

// readUntil reads up to and including the byte end.
func readUntil(tb testing.TB, r *bufio.Reader, end byte) string {
	tb.Helper()
	s, err := r.ReadString(end)
	if err != nil {
		tb.Fatalf("read: %v (got %q)", err, s)
	}
	return s
}

func TestMTSICS(t *testing.T) {
	sim, c := MustServeTCP(t, scalesim.Options{Protocol: scalesim.MTSICS, StableWait: 200 * time.Millisecond, SerialNumber: "SN42"})
	r := bufio.NewReader(c)
	ask := func(cmd string) string {
		t.Helper()
		if _, err := io.WriteString(c, cmd+"\r\n"); err != nil {
			t.Fatal(err)
		}
		return readUntil(t, r, '\n')
	}
	sim.SetLoad(1234)
	tests := []struct {
		name, cmd, want string
		before          func()
	}{
		{name: "stable", cmd: "S", want: "S S      1.234 kg\r\n"},
		{name: "immediate", cmd: "SI", want: "S S      1.234 kg\r\n"},
		{name: "not settled", cmd: "S", want: "S I\r\n", before: func() { sim.SetMotion(true) }},
		{name: "settled", cmd: "S", want: "S S      1.234 kg\r\n", before: func() { sim.SetMotion(false) }},
		{name: "zero out of range", cmd: "Z", want: "Z +\r\n"},
		{name: "zero", cmd: "Z", want: "Z A\r\n", before: func() { sim.SetLoad(100) }},
		{name: "zero below range", cmd: "Z", want: "Z -\r\n", before: func() { sim.SetLoad(-800) }},
		{name: "tare", cmd: "T", want: "T S      0.500 kg\r\n", before: func() { sim.SetLoad(600) }},
		{name: "tare value", cmd: "TA", want: "TA A      0.500 kg\r\n"},
		{name: "net", cmd: "SI", want: "S S      0.250 kg\r\n", before: func() { sim.SetLoad(850) }},
		{name: "clear tare", cmd: "TAC", want: "TAC A\r\n"},
		{name: "gross", cmd: "SI", want: "S S      0.750 kg\r\n"},
		{name: "negative", cmd: "SI", want: "S S     -0.200 kg\r\n", before: func() { sim.SetLoad(-100) }},
		{name: "underload", cmd: "SI", want: "S -\r\n", before: func() { sim.SetLoad(-5000) }},
		{name: "overload", cmd: "S", want: "S +\r\n", before: func() { sim.SetLoad(40000) }},
		{name: "serial number", cmd: "I4", want: "I4 A \"SN42\"\r\n"},
		{name: "unknown", cmd: "XYZ", want: "ES\r\n"},
		{name: "garbled", cmd: "S\x01", want: "ET\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			if got := ask(tt.cmd); got != tt.want {
				t.Errorf("%q: got %q, want %q", tt.cmd, got, tt.want)
			}
		})
	}
	t.Run("SIR", func(t *testing.T) {
		sim.SetLoad(300)
		io.WriteString(c, "SIR\r\n")
		for i := 0; i < 3; i++ {
			if got := readUntil(t, r, '\n'); !strings.HasPrefix(got, "S S ") {
				t.Fatalf("SIR reply %d: %q", i, got)
			}
		}
		// The next command stops the repetition; SIR lines sent before it
		// may still be in flight.
		io.WriteString(c, "I4\r\n")
		for {
			got := readUntil(t, r, '\n')
			if strings.HasPrefix(got, "I4 ") {
				break
			}
		}
		if got := ask("TAC"); got != "TAC A\r\n" {
			t.Errorf("after SIR: %q", got)
		}
	})
	if cmds := sim.Commands(); len(cmds) < len(tests) || cmds[0] != "S" {
		t.Errorf("Commands = %q", cmds)
	}
}

// parseFrame checks the layout of a continuous frame and returns its parts.
func parseFrame(t *testing.T, f []byte) (a, b, c byte, weight, tare string) {
	t.Helper()
	if len(f) != 18 || f[0] != 0x02 || f[16] != '\r' {
		t.Fatalf("frame %q: bad layout", f)
	}
	var sum byte
	for _, x := range f {
		sum += x
	}
	if sum&0x7f != 0 {
		t.Fatalf("frame %q: checksum does not add up", f)
	}
	return f[1], f[2], f[3], string(f[4:10]), string(f[10:16])
}

func TestContinuous(t *testing.T) {
	sim, c := MustServeTCP(t, scalesim.Options{Protocol: scalesim.ToledoContinuous, Checksum: true, Interval: 10 * time.Millisecond})
	r := bufio.NewReader(c)
	next := func() []byte {
		t.Helper()
		readUntil(t, r, 0x02) // resynchronise on STX
		rest := make([]byte, 17)
		if _, err := io.ReadFull(r, rest); err != nil {
			t.Fatal(err)
		}
		return append([]byte{0x02}, rest...)
	}
	// frame returns the next frame after the state change (frames built
	// before it may be in flight).
	frame := func() []byte {
		t.Helper()
		next()
		next()
		return next()
	}
	sim.SetLoad(1234)
	a, b, cc, w, tare := parseFrame(t, frame())
	if a != 0x2d || b != 0x30 || cc != 0x20 || w != "001234" || tare != "000000" {
		t.Errorf("gross: %02x %02x %02x %s %s", a, b, cc, w, tare)
	}
	sim.SetMotion(true)
	if _, b, _, _, _ := parseFrame(t, frame()); b&0x08 == 0 {
		t.Errorf("motion bit not set: %02x", b)
	}
	sim.SetMotion(false)
	sim.PressTare()
	sim.SetLoad(1500)
	if _, b, _, w, tare := parseFrame(t, frame()); b != 0x31 || w != "000266" || tare != "001234" {
		t.Errorf("net: %02x %s %s", b, w, tare)
	}
	sim.PressClearTare()
	sim.SetLoad(-20)
	if _, b, _, w, _ := parseFrame(t, frame()); b != 0x32 || w != "000020" {
		t.Errorf("negative: %02x %s", b, w)
	}
	sim.SetLoad(30001)
	if _, b, _, _, _ := parseFrame(t, frame()); b&0x04 == 0 {
		t.Errorf("out of range bit not set: %02x", b)
	}
	sim.SetLoad(5)
	frame()
	sim.CorruptChecksum(1)
	f := next()
	var sum byte
	for _, x := range f {
		sum += x
	}
	if sum&0x7f == 0 {
		t.Errorf("corrupted frame %q has a good checksum", f)
	}
	sim.InjectGarbage([]byte("junk"))
	if got := readUntil(t, r, 0x02); !strings.HasSuffix(got, "junk\x02") {
		t.Errorf("garbage not sent: %q", got)
	}
}

func Test8217(t *testing.T) {
	sim, c := MustServeTCP(t, scalesim.Options{Protocol: scalesim.Toledo8217})
	r := bufio.NewReader(c)
	ask := func(cmd string) string {
		t.Helper()
		if _, err := io.WriteString(c, cmd); err != nil {
			t.Fatal(err)
		}
		return readUntil(t, r, '\r')
	}
	tests := []struct {
		name, cmd, want string
		before          func()
	}{
		{name: "weight", cmd: "W", want: "\x0201.234\r", before: func() { sim.SetLoad(1234) }},
		{name: "motion", cmd: "W", want: "\x02?I\r", before: func() { sim.SetMotion(true) }},
		{name: "zero refused in motion", cmd: "Z", want: "\x02?I\r"},
		{name: "zero out of range", cmd: "Z", want: "\x02?H\r", before: func() { sim.SetMotion(false) }},
		{name: "zero", cmd: "Z", want: "\x02?P\r", before: func() { sim.SetLoad(100) }},
		{name: "tare", cmd: "T\r", want: "\x02?p\r", before: func() { sim.SetLoad(600) }},
		{name: "net", cmd: "W", want: "\x0200.000N\r"},
		{name: "net under zero", cmd: "W", want: "\x02?d\r", before: func() { sim.SetLoad(0) }},
		{name: "clear tare", cmd: "C", want: "\x02?P\r", before: func() { sim.SetLoad(100) }},
		{name: "over", cmd: "W", want: "\x02?J\r", before: func() { sim.SetLoad(30200) }},
		{name: "unknown", cmd: "Q", want: "\x02?J\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			if got := ask(tt.cmd); got != tt.want {
				t.Errorf("%q: got %q, want %q", tt.cmd, got, tt.want)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	for _, opts := range []scalesim.Options{
		{Protocol: "x"},
		{Protocol: scalesim.MTSICS, Unit: "g", Decimals: 6},
		{Protocol: scalesim.MTSICS, Capacity: 1000000},
		{Protocol: scalesim.MTSICS, Min: 5},
		{Protocol: scalesim.MTSICS, Parity: "mark"},
	} {
		if sim, err := scalesim.ServeTCP("127.0.0.1:0", opts); err == nil {
			sim.Close()
			t.Errorf("ServeTCP(%+v) succeeded", opts)
		}
	}
}
