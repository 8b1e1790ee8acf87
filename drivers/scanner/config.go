package scanner

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	// ErrConfig means a Config is invalid; the text names the field.
	ErrConfig = errors.New("invalid scanner config")
	// ErrNoUSB means the binary was built without USB support: USB
	// scanners need cgo and libusb, and a build with -tags usb.
	ErrNoUSB = errors.New("built without USB support (rebuild with cgo and -tags usb, libusb-1.0 installed)")
	// ErrTooLong means a code was longer than Config.MaxLength; it was
	// dropped and reading resumed at the next terminator.
	ErrTooLong = errors.New("code too long")
)

// Kinds of scanner (Config.Kind).
const (
	// KindUSBHID is a USB keyboard-wedge scanner: it types the code as HID
	// boot keyboard reports, one key at a time.
	KindUSBHID = "usb-hid"
	// KindHIDPOS is a USB HID point-of-sale scanner (usage page 0x8C): each
	// code comes whole in one or a few input reports.
	KindHIDPOS = "hid-pos"
	// KindSerial is an RS-232 (or USB virtual COM port) scanner sending one
	// line per code.
	KindSerial = "serial"
)

// Terminators (Config.Terminator). CR, LF and CRLF always end a code (Enter
// and keypad Enter on a keyboard wedge); TerminatorTab makes Tab end one
// too. "cr", "lf" and "crlf" are accepted as names for the default.
const (
	TerminatorEnter = "enter"
	TerminatorTab   = "tab"
)

// Defaults for zero Config fields.
const (
	DefaultBaud         = 9600
	DefaultMaxLength    = 4096
	DefaultReconnectMin = 250 * time.Millisecond
	DefaultReconnectMax = 30 * time.Second
)

// Config describes one scanner, as a device profile sets it.
type Config struct {
	// Name names the scanner in Scan.Device and its health.
	Name string
	// Kind is KindUSBHID, KindHIDPOS or KindSerial.
	Kind string

	// VendorID and ProductID select a USB scanner; Serial, if set, picks
	// one of several with the same IDs by its serial number string.
	VendorID, ProductID uint16
	Serial              string
	// HIDPOS is the report layout of a HID-POS scanner; nil means
	// DefaultHIDPOSLayout.
	HIDPOS *HIDPOSLayout

	// Port is a serial scanner's device, e.g. /dev/ttyUSB0 or a stable
	// /dev/serial/by-id/… link. Baud defaults to 9600; Parity is "none"
	// (default), "odd", "even", "mark" or "space"; DataBits 5–8 (default 8);
	// StopBits 1 (default) or 2.
	Port     string
	Baud     int
	Parity   string
	DataBits int
	StopBits int

	// Terminator is TerminatorEnter (default) or TerminatorTab.
	Terminator string
	// MaxLength is the longest code accepted, in bytes before prefixes are
	// stripped; 0 means DefaultMaxLength.
	MaxLength int
	// Prefixes are what the scanner is set to send before each code, and
	// Suffixes after it (before the terminator). Each is removed when
	// present, the longest first. A prefix that is an AIM symbology
	// identifier ("]C1", "]E0"…) is reported as the code's Symbology, and
	// the entry "]" stands for any AIM identifier.
	Prefixes, Suffixes []string
	// GSSubstitute is what the scanner sends for the GS1 group separator
	// (FNC1) when it cannot send GS itself, e.g. "<GS>" or "~"; every
	// occurrence in a code becomes GS (0x1D). Keyboard wedges that send GS
	// as Ctrl+] or as Alt+029 on the keypad need no substitute.
	GSSubstitute string

	// ReconnectMin and ReconnectMax bound the exponential backoff between
	// attempts to reopen the device; 0 means the defaults.
	ReconnectMin, ReconnectMax time.Duration
}

// Validate reports whether c is usable. The error wraps ErrConfig and names
// the field at fault.
func (c Config) Validate() error {
	bad := func(field string, format string, args ...any) error {
		return fmt.Errorf("%w: scanner %q: %s: %s", ErrConfig, c.Name, field, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(c.Name) == "" {
		return bad("Name", "empty")
	}
	switch c.Kind {
	case KindUSBHID, KindHIDPOS:
		if c.VendorID == 0 {
			return bad("VendorID", "0; set the scanner's USB vendor ID")
		}
		if c.ProductID == 0 {
			return bad("ProductID", "0; set the scanner's USB product ID")
		}
		if c.HIDPOS != nil {
			if err := c.HIDPOS.Validate(); err != nil {
				return bad("HIDPOS", "%v", err)
			}
		}
	case KindSerial:
		if c.Port == "" {
			return bad("Port", "empty; set the serial device, e.g. /dev/ttyUSB0")
		}
		if c.Baud < 0 {
			return bad("Baud", "%d is negative", c.Baud)
		}
		if _, ok := parities[c.Parity]; !ok {
			return bad("Parity", "%q; want none, odd, even, mark or space", c.Parity)
		}
		if c.DataBits != 0 && (c.DataBits < 5 || c.DataBits > 8) {
			return bad("DataBits", "%d; want 5 to 8", c.DataBits)
		}
		if c.StopBits != 0 && c.StopBits != 1 && c.StopBits != 2 {
			return bad("StopBits", "%d; want 1 or 2", c.StopBits)
		}
	default:
		return bad("Kind", "%q; want %q, %q or %q", c.Kind, KindUSBHID, KindHIDPOS, KindSerial)
	}
	switch c.Terminator {
	case "", TerminatorEnter, TerminatorTab, "cr", "lf", "crlf":
	default:
		return bad("Terminator", "%q; want %q or %q", c.Terminator, TerminatorEnter, TerminatorTab)
	}
	if c.MaxLength < 0 {
		return bad("MaxLength", "%d is negative", c.MaxLength)
	}
	for i, p := range c.Prefixes {
		if p == "" || strings.ContainsAny(p, "\r\n") {
			return bad(fmt.Sprintf("Prefixes[%d]", i), "%q: empty or holds CR/LF", p)
		}
	}
	for i, s := range c.Suffixes {
		if s == "" || strings.ContainsAny(s, "\r\n") {
			return bad(fmt.Sprintf("Suffixes[%d]", i), "%q: empty or holds CR/LF", s)
		}
	}
	if strings.ContainsAny(c.GSSubstitute, "\r\n") || (c.Terminator == TerminatorTab && strings.Contains(c.GSSubstitute, "\t")) {
		return bad("GSSubstitute", "%q holds a terminator", c.GSSubstitute)
	}
	if c.ReconnectMin < 0 || c.ReconnectMax < 0 {
		return bad("ReconnectMin/ReconnectMax", "negative")
	}
	if c.ReconnectMax != 0 && c.ReconnectMax < c.ReconnectMin {
		return bad("ReconnectMax", "%v is below ReconnectMin %v", c.ReconnectMax, c.ReconnectMin)
	}
	return nil
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Baud == 0 {
		c.Baud = DefaultBaud
	}
	if c.DataBits == 0 {
		c.DataBits = 8
	}
	if c.StopBits == 0 {
		c.StopBits = 1
	}
	if c.MaxLength == 0 {
		c.MaxLength = DefaultMaxLength
	}
	if c.ReconnectMin == 0 {
		c.ReconnectMin = DefaultReconnectMin
	}
	if c.ReconnectMax == 0 {
		c.ReconnectMax = max(DefaultReconnectMax, c.ReconnectMin)
	}
	if c.HIDPOS == nil {
		l := DefaultHIDPOSLayout
		c.HIDPOS = &l
	}
	return c
}
