package scannersim

import (
	"fmt"

	"github.com/jxc-edge/jxc/drivers/scanner"
)

// Modifier bits of a boot keyboard report.
const (
	lCtrl  = 0x01
	lShift = 0x02
	lAlt   = 0x04
	rCtrl  = 0x10
	rShift = 0x20
)

// key is how a US keyboard types one character: a usage and modifiers.
type key struct {
	usage byte
	shift bool
	ctrl  bool
}

// usKeys is the US layout as a typist sees it, written out for the
// emulator on its own so that it checks the driver's decoder tables.
var usKeys = func() map[byte]key {
	m := map[byte]key{}
	for i := 0; i < 26; i++ {
		m['a'+byte(i)] = key{usage: 0x04 + byte(i)}
		m['A'+byte(i)] = key{usage: 0x04 + byte(i), shift: true}
		m[1+byte(i)] = key{usage: 0x04 + byte(i), ctrl: true} // Ctrl+A … Ctrl+Z
	}
	for i, c := range "1234567890" {
		m[byte(c)] = key{usage: 0x1e + byte(i)}
	}
	for i, c := range "!@#$%^&*()" {
		m[byte(c)] = key{usage: 0x1e + byte(i), shift: true}
	}
	for _, k := range []struct {
		plain, shifted byte
		usage          byte
	}{
		{' ', 0, 0x2c}, {'-', '_', 0x2d}, {'=', '+', 0x2e}, {'[', '{', 0x2f}, {']', '}', 0x30},
		{'\\', '|', 0x31}, {';', ':', 0x33}, {'\'', '"', 0x34}, {'`', '~', 0x35},
		{',', '<', 0x36}, {'.', '>', 0x37}, {'/', '?', 0x38},
	} {
		m[k.plain] = key{usage: k.usage}
		if k.shifted != 0 {
			m[k.shifted] = key{usage: k.usage, shift: true}
		}
	}
	m['\r'] = key{usage: 0x28} // Enter
	m['\n'] = key{usage: 0x28}
	m['\t'] = key{usage: 0x2b}                          // Tab
	m[0x1b] = key{usage: 0x2f, ctrl: true}              // Ctrl+[
	m[0x1c] = key{usage: 0x31, ctrl: true}              // Ctrl+\
	m[0x1d] = key{usage: 0x30, ctrl: true}              // Ctrl+]: GS
	m[0x1e] = key{usage: 0x23, ctrl: true, shift: true} // Ctrl+^
	m[0x1f] = key{usage: 0x2d, ctrl: true, shift: true} // Ctrl+_
	return m
}()

// keypad maps what the numeric keypad types to its usages.
var keypad = map[byte]byte{
	'/': 0x54, '*': 0x55, '-': 0x56, '+': 0x57, '\r': 0x58, '\n': 0x58,
	'1': 0x59, '2': 0x5a, '3': 0x5b, '4': 0x5c, '5': 0x5d, '6': 0x5e, '7': 0x5f, '8': 0x60, '9': 0x61,
	'0': 0x62, '.': 0x63,
}

// Keyboard says how a simulated keyboard-wedge scanner types. The zero
// Keyboard presses and releases one key at a time with left modifiers.
type Keyboard struct {
	// Rollover presses each key before releasing the one before, as fast
	// scanners do; the same key twice in a row is released in between.
	Rollover bool
	// ShiftFirst presses Shift (or Ctrl) in a report of its own before the
	// key and releases the key before it. Ignored with Rollover.
	ShiftFirst bool
	// Right uses the right Shift and Ctrl keys.
	Right bool
	// Keypad types digits, . / * - + and Enter on the numeric keypad.
	Keypad bool
	// AltCodes types control characters (GS, …) as Alt held while their
	// decimal code is typed on the keypad (Alt+029), not as Ctrl+key.
	AltCodes bool
}

// KeyboardReports returns the boot keyboard reports the zero Keyboard
// sends for s. See Keyboard.Reports.
func KeyboardReports(s string) ([][]byte, error) { return Keyboard{}.Reports(s) }

// Reports returns the 8-byte boot keyboard input reports a wedge scanner
// sends to type s on a US layout, ending with every key released. CR or
// LF is Enter, a tab is Tab, GS (0x1D) is Ctrl+] (or Alt+029). It fails on
// a byte a US keyboard cannot type.
func (k Keyboard) Reports(s string) ([][]byte, error) {
	var out [][]byte
	report := func(mod byte, keys ...byte) {
		r := make([]byte, scanner.BootReportSize)
		r[0] = mod
		copy(r[2:], keys)
		out = append(out, r)
	}
	shift, ctrl := byte(lShift), byte(lCtrl)
	if k.Right {
		shift, ctrl = rShift, rCtrl
	}
	var held byte // the key still down (Rollover)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if k.AltCodes && (c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c >= 0x7f) {
			if held != 0 {
				report(0)
				held = 0
			}
			report(lAlt)
			for _, d := range fmt.Sprintf("%03d", c) {
				report(lAlt, keypad[byte(d)])
				report(lAlt)
			}
			report(0)
			continue
		}
		kk, ok := usKeys[c]
		if u, kp := keypad[c]; k.Keypad && kp {
			kk, ok = key{usage: u}, true
		}
		if !ok {
			return nil, fmt.Errorf("scannersim: %q cannot be typed on a US keyboard", c)
		}
		var mod byte
		if kk.shift {
			mod |= shift
		}
		if kk.ctrl {
			mod |= ctrl
		}
		switch {
		case k.Rollover:
			if held == kk.usage {
				report(mod)
				held = 0
			}
			if held != 0 {
				report(mod, held, kk.usage)
			}
			report(mod, kk.usage)
			held = kk.usage
		case k.ShiftFirst && mod != 0:
			report(mod)
			report(mod, kk.usage)
			report(mod)
			report(0)
		default:
			report(mod, kk.usage)
			report(0)
		}
	}
	if held != 0 {
		report(0)
	}
	return out, nil
}

// HIDPOSReports returns the input reports a HID-POS scanner laid out as l
// sends for one code: symbology identifier sym ("" for none) and data,
// split over as many reports as l.MaxData needs, each but the last with
// the more-data bit set.
func HIDPOSReports(l scanner.HIDPOSLayout, sym string, data []byte) [][]byte {
	var out [][]byte
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), l.MaxData)
		r := make([]byte, l.Size())
		r[0] = l.ReportID
		r[l.LengthOffset] = byte(n)
		if l.SymbologyLength > 0 {
			copy(r[l.SymbologyOffset:l.SymbologyOffset+l.SymbologyLength], sym)
		}
		copy(r[l.DataOffset:], data[:n])
		data = data[n:]
		if len(data) > 0 && l.MoreMask != 0 {
			r[l.MoreOffset] |= l.MoreMask
		}
		out = append(out, r)
	}
	return out
}
