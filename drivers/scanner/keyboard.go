package scanner

import (
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// Modifier bits of a boot keyboard report's first byte (HID 1.11 §8.3).
const (
	modLCtrl  = 0x01
	modLShift = 0x02
	modLAlt   = 0x04
	modRCtrl  = 0x10
	modRShift = 0x20
	modRAlt   = 0x40

	modCtrl  = modLCtrl | modRCtrl
	modShift = modLShift | modRShift
	modAlt   = modLAlt | modRAlt
)

// Keyboard usages (HID Usage Tables, page 0x07) with a meaning of their own.
const (
	usageErrorRollOver = 0x01 // phantom state: too many keys held
	usageErrorUndef    = 0x03 // 0x01–0x03 are error codes, not keys
	usageEnter         = 0x28
	usageTab           = 0x2b
	usageKPEnter       = 0x58
	usageKP1           = 0x59 // keypad 1–9 are 0x59–0x61, keypad 0 is 0x62
	usageKP0           = 0x62
)

// BootReportSize is the size of a HID boot keyboard input report: modifier
// byte, reserved byte, six key usage codes.
const BootReportSize = 8

// usUnshifted and usShifted map keyboard usages to what a US keyboard types.
var usUnshifted, usShifted [256]byte

func init() {
	for i := 0; i < 26; i++ {
		usUnshifted[0x04+i] = 'a' + byte(i)
		usShifted[0x04+i] = 'A' + byte(i)
	}
	row := "1234567890"
	shiftedRow := "!@#$%^&*()"
	for i := 0; i < 10; i++ {
		usUnshifted[0x1e+i] = row[i]
		usShifted[0x1e+i] = shiftedRow[i]
	}
	// Space and punctuation from 0x2C; 0x32 (non-US # and ~) types like
	// 0x31 on a US layout.
	punct := " -=[]\\\\;'`,./"
	shiftedPunct := " _+{}||:\"~<>?"
	for i := 0; i < len(punct); i++ {
		usUnshifted[0x2c+i] = punct[i]
		usShifted[0x2c+i] = shiftedPunct[i]
	}
	// The keypad, with Num Lock on.
	kp := "/*-+"
	for i := 0; i < len(kp); i++ {
		usUnshifted[0x54+i], usShifted[0x54+i] = kp[i], kp[i]
	}
	for i := 0; i < 9; i++ {
		usUnshifted[usageKP1+i], usShifted[usageKP1+i] = '1'+byte(i), '1'+byte(i)
	}
	usUnshifted[usageKP0], usShifted[usageKP0] = '0', '0'
	usUnshifted[0x63], usShifted[0x63] = '.', '.'
	for _, u := range []byte{usageEnter, usageKPEnter} {
		usUnshifted[u], usShifted[u] = '\r', '\r'
	}
	usUnshifted[usageTab], usShifted[usageTab] = '\t', '\t'
}

// KeyboardDecoder turns HID boot keyboard input reports into the
// characters a keyboard-wedge scanner types, as a US-layout keyboard would.
//
// A key types when its usage appears in a report and was not in the one
// before, so a held key or keys held together (rollover) type once. Shift
// (left or right) gives upper case and symbols. Enter and keypad Enter type
// CR, Tab types a tab. Ctrl with a letter or [ \ ] ^ _ types the control
// character (Ctrl+] is GS, how many wedges send FNC1), and a decimal code
// typed on the keypad while Alt is held types that byte when Alt is
// released (Alt+029 is GS). Reports in the phantom state (ErrorRollOver)
// are ignored. Other keys type nothing.
//
// The zero KeyboardDecoder is ready to use; it is not safe for concurrent
// use.
type KeyboardDecoder struct {
	prev    [6]byte
	alt     bool // an Alt code is being typed
	altCode int
}

// Reset forgets the keys held and any Alt code in progress, as after a
// reconnect.
func (d *KeyboardDecoder) Reset() { *d = KeyboardDecoder{} }

// Decode appends to dst the characters report types and returns the
// extended slice. A report shorter than BootReportSize is an error wrapping
// drivers.ErrProtocol; bytes past the eighth are ignored.
func (d *KeyboardDecoder) Decode(dst, report []byte) ([]byte, error) {
	if len(report) < BootReportSize {
		return dst, fmt.Errorf("%w: keyboard report of %d bytes, want %d", drivers.ErrProtocol, len(report), BootReportSize)
	}
	mod := report[0]
	var keys [6]byte
	copy(keys[:], report[2:8])
	for _, k := range keys {
		if k >= usageErrorRollOver && k <= usageErrorUndef {
			// Phantom state: the key array is meaningless, keep the last.
			return dst, nil
		}
	}
	if d.alt && mod&modAlt == 0 {
		dst = append(dst, byte(d.altCode))
		d.alt, d.altCode = false, 0
	}
	for _, k := range keys {
		if k == 0 || held(d.prev, k) {
			continue
		}
		switch {
		case mod&modAlt != 0:
			if digit, ok := keypadDigit(k); ok {
				d.alt, d.altCode = true, (d.altCode*10+digit)%1000
			}
		case k == usageEnter || k == usageKPEnter || k == usageTab:
			dst = append(dst, usUnshifted[k])
		case mod&modCtrl != 0:
			if c, ok := ctrlChar(k, mod&modShift != 0); ok {
				dst = append(dst, c)
			}
		case mod&modShift != 0:
			if c := usShifted[k]; c != 0 {
				dst = append(dst, c)
			}
		default:
			if c := usUnshifted[k]; c != 0 {
				dst = append(dst, c)
			}
		}
	}
	d.prev = keys
	return dst, nil
}

func held(prev [6]byte, k byte) bool {
	for _, p := range prev {
		if p == k {
			return true
		}
	}
	return false
}

func keypadDigit(k byte) (int, bool) {
	switch {
	case k == usageKP0:
		return 0, true
	case k >= usageKP1 && k < usageKP0:
		return int(k-usageKP1) + 1, true
	}
	return 0, false
}

// ctrlChar is the control character Ctrl with key k types: Ctrl+A–Z are
// 0x01–0x1A, Ctrl+[ \ ] are 0x1B–0x1D, Ctrl+^ (Shift+6) and Ctrl+_
// (Shift+-) are 0x1E and 0x1F.
func ctrlChar(k byte, shift bool) (byte, bool) {
	c := usUnshifted[k]
	switch {
	case c >= 'a' && c <= 'z' && k < 0x1e:
		return c - 'a' + 1, true
	case c == '[' && k == 0x2f:
		return 0x1b, true
	case c == '\\':
		return 0x1c, true
	case c == ']' && k == 0x30:
		return 0x1d, true
	case c == '6' && shift && k == 0x23:
		return 0x1e, true
	case c == '-' && shift && k == 0x2d:
		return 0x1f, true
	}
	return 0, false
}
