package scanner_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/scanner"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
)

// printable is every character a US keyboard types without Ctrl.
var printable = func() string {
	var b strings.Builder
	for c := byte(0x20); c < 0x7f; c++ {
		b.WriteByte(c)
	}
	return b.String()
}()

func decodeAll(tb testing.TB, reports [][]byte) string {
	tb.Helper()
	var d scanner.KeyboardDecoder
	var out []byte
	for _, r := range reports {
		var err error
		if out, err = d.Decode(out, r); err != nil {
			tb.Fatalf("Decode(% x): %v", r, err)
		}
	}
	return string(out)
}

func TestKeyboardDecoderGenerated(t *testing.T) {
	keyboards := []struct {
		name string
		kb   scannersim.Keyboard
	}{
		{"one key at a time", scannersim.Keyboard{}},
		{"rollover", scannersim.Keyboard{Rollover: true}},
		{"shift first", scannersim.Keyboard{ShiftFirst: true}},
		{"right modifiers", scannersim.Keyboard{Right: true}},
		{"keypad digits", scannersim.Keyboard{Keypad: true}},
		{"alt codes", scannersim.Keyboard{AltCodes: true}},
		{"rollover, keypad, alt codes", scannersim.Keyboard{Rollover: true, Keypad: true, AltCodes: true}},
	}
	texts := []struct{ name, s string }{
		{"EAN-13 and Enter", "6901234567892\r"},
		{"every printable character", printable + "\r"},
		{"repeated keys", "0011112222222AAAaa!!\r"},
		{"GS1 with GS", "]C1010950110153000310ABC\x1d21XYZ\r"},
		{"control characters", "\x01\x1b\x1c\x1d\x1e\x1f\r"},
		{"tab", "A\tB\r"},
	}
	for _, kb := range keyboards {
		for _, tt := range texts {
			t.Run(kb.name+"/"+tt.name, func(t *testing.T) {
				reports, err := kb.kb.Reports(tt.s)
				if err != nil {
					t.Fatal(err)
				}
				if got := decodeAll(t, reports); got != tt.s {
					t.Errorf("decoded %q, want %q", got, tt.s)
				}
			})
		}
	}
}

func report(mod byte, keys ...byte) []byte {
	r := make([]byte, 8)
	r[0] = mod
	copy(r[2:], keys)
	return r
}

func TestKeyboardDecoderReports(t *testing.T) {
	const (
		a, b, c = 0x04, 0x05, 0x06
		lShift  = 0x02
		rShift  = 0x20
		lCtrl   = 0x01
		lAlt    = 0x04
		rAlt    = 0x40
	)
	up := report(0)
	tests := []struct {
		name    string
		reports [][]byte
		want    string
	}{
		{"held key types once", [][]byte{report(0, a), report(0, a), report(0, a), up}, "a"},
		{"key released and pressed again types twice", [][]byte{report(0, a), up, report(0, a), up}, "aa"},
		{"rollover: second key while first held", [][]byte{report(0, a), report(0, a, b), report(0, b), up}, "ab"},
		{"two new keys in one report, in array order", [][]byte{report(0, b, a), up}, "ba"},
		{"key moved to another slot is still held", [][]byte{report(0, a, b), report(0, b, a), up}, "ab"},
		{"phantom state is ignored", [][]byte{report(0, a), report(0, 1, 1, 1, 1, 1, 1), report(0, a, b), up}, "ab"},
		{"POST fail and undefined error are ignored", [][]byte{report(0, 2, 2, 2, 2, 2, 2), report(0, 3, 3, 3, 3, 3, 3), report(0, c), up}, "c"},
		{"left shift", [][]byte{report(lShift, a), up}, "A"},
		{"right shift", [][]byte{report(rShift, 0x1e), up}, "!"},
		{"shift applies only to the key pressed with it", [][]byte{report(0, a), report(lShift, a, b), up}, "aB"},
		{"shift released before the key", [][]byte{report(lShift), report(lShift, a), report(0, a), up}, "A"},
		{"enter and keypad enter type CR", [][]byte{report(0, 0x28), up, report(0, 0x58), up}, "\r\r"},
		{"shift enter is still enter", [][]byte{report(lShift, 0x28), up}, "\r"},
		{"tab", [][]byte{report(0, 0x2b), up}, "\t"},
		{"keypad digits and symbols", [][]byte{report(0, 0x59), up, report(0, 0x62), up, report(0, 0x63), up, report(0, 0x56), up}, "10.-"},
		{"ctrl+] is GS", [][]byte{report(lCtrl, 0x30), up}, "\x1d"},
		{"ctrl+shift+6 is RS", [][]byte{report(lCtrl|lShift, 0x23), up}, "\x1e"},
		{"ctrl with a digit types nothing", [][]byte{report(lCtrl, 0x1f), up}, ""},
		{"alt+029 on the keypad is GS, on release of alt", [][]byte{
			report(lAlt), report(lAlt, 0x62), report(lAlt), report(lAlt, 0x5a), report(lAlt), report(lAlt, 0x61), report(lAlt), up,
		}, "\x1d"},
		{"right alt code, released with the next key", [][]byte{report(rAlt, 0x5b), report(rAlt), report(rAlt, 0x5b), report(0, a), up}, "!a"},
		{"alt with a letter types nothing", [][]byte{report(lAlt, a), up}, ""},
		{"function keys, caps lock and escape type nothing", [][]byte{report(0, 0x3a), report(0, 0x39), report(0, 0x29), report(0, 0x2a), up}, ""},
		{"bytes after the eighth are ignored", [][]byte{append(report(0, a), 0x05, 0x06), up}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeAll(t, tt.reports); got != tt.want {
				t.Errorf("decoded %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("short report", func(t *testing.T) {
		var d scanner.KeyboardDecoder
		if _, err := d.Decode(nil, []byte{0, 0, a}); !errors.Is(err, drivers.ErrProtocol) {
			t.Errorf("err = %v, want ErrProtocol", err)
		}
	})
	t.Run("reset forgets held keys", func(t *testing.T) {
		var d scanner.KeyboardDecoder
		out, _ := d.Decode(nil, report(0, a))
		d.Reset()
		out, _ = d.Decode(out, report(0, a))
		if string(out) != "aa" {
			t.Errorf("got %q, want %q", out, "aa")
		}
	})
}

func TestKeyboardReportsRejectsUntypable(t *testing.T) {
	if _, err := scannersim.KeyboardReports("é"); err == nil {
		t.Error("KeyboardReports of a non-ASCII character: no error")
	}
	if _, err := scannersim.KeyboardReports("\x00"); err == nil {
		t.Error("KeyboardReports of NUL without AltCodes: no error")
	}
}

// FuzzBootKeyboardReports decodes arbitrary bytes as boot keyboard reports
// (which must not panic and type at most one character per new key, plus
// an Alt code), then checks that text typed by the emulator in the way the
// first byte chooses decodes to itself.
func FuzzBootKeyboardReports(f *testing.F) {
	reports, _ := scannersim.KeyboardReports("]C1010950110153000310A\x1d21B\r")
	var seed []byte
	for _, r := range reports {
		seed = append(seed, r...)
	}
	f.Add(seed)
	f.Add(append(report(0, 4, 5, 6, 7, 8, 9), report(0x04, 0x62, 0x5a)...))
	f.Add(append([]byte{0x0f}, printable...))
	f.Add([]byte{0x10, 0x1d, 0x00, 'A', '\t', 0x7f})
	f.Fuzz(func(t *testing.T, data []byte) {
		var d scanner.KeyboardDecoder
		for i := 0; i+8 <= len(data); i += 8 {
			out, err := d.Decode(nil, data[i:i+8])
			if err != nil {
				t.Fatalf("Decode(% x): %v", data[i:i+8], err)
			}
			if len(out) > 7 {
				t.Fatalf("Decode(% x) typed %d characters", data[i:i+8], len(out))
			}
		}
		if len(data) == 0 {
			return
		}
		opt := data[0]
		kb := scannersim.Keyboard{Rollover: opt&1 != 0, ShiftFirst: opt&2 != 0, Right: opt&4 != 0, Keypad: opt&8 != 0, AltCodes: opt&16 != 0}
		var text []byte
		for _, c := range data[1:] {
			switch {
			case c == '\n':
				text = append(text, '\r') // Enter types CR
			case c >= 0x20 && c < 0x7f, c == '\r', c == '\t', c >= 0x01 && c < 0x20 && c != '\n':
				text = append(text, c)
			case kb.AltCodes:
				text = append(text, c)
			}
		}
		if !kb.AltCodes {
			// NUL and DEL need Alt codes; any byte does with them.
			text = []byte(strings.Map(func(r rune) rune {
				if r == 0 || r == 0x7f {
					return -1
				}
				return r
			}, string(text)))
		}
		reports, err := kb.Reports(string(text))
		if err != nil {
			t.Fatalf("Reports(%q): %v", text, err)
		}
		if got := decodeAll(t, reports); got != string(text) {
			t.Fatalf("keyboard %+v typed %q, decoded %q", kb, text, got)
		}
	})
}

func ExampleKeyboardDecoder() {
	reports, _ := scannersim.KeyboardReports("Ab1\r")
	var d scanner.KeyboardDecoder
	var typed []byte
	for _, r := range reports {
		typed, _ = d.Decode(typed, r)
	}
	fmt.Printf("%q\n", typed)
	// Output: "Ab1\r"
}
