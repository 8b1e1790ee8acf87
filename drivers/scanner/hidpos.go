package scanner

import (
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// HIDPOSLayout says where the fields of a HID-POS scanned-data input report
// are. Offsets count from the first byte read from the interrupt endpoint,
// which is the report ID. A code longer than one report's data field comes
// in several reports, each but the last with the "more data" bit set.
//
// The HID Point of Sale Usage Tables (usage page 0x8C) name the fields but
// leave their order to the report descriptor; DefaultHIDPOSLayout is the
// order Honeywell and Access-IS scanners document, and other vendors are
// described by a layout of their own.
type HIDPOSLayout struct {
	// ReportID is the first byte of a scanned-data report. Reports with
	// another first byte (status, other collections) are skipped.
	ReportID byte
	// LengthOffset is the byte holding how many data bytes this report
	// carries.
	LengthOffset int
	// SymbologyOffset and SymbologyLength locate the AIM symbology
	// identifier ("]" and two characters, so the length is 3); length 0
	// means the reports carry none. Zero bytes there mean the scanner sent no identifier.
	SymbologyOffset, SymbologyLength int
	// DataOffset is where the data starts and MaxData the most data bytes
	// one report can carry.
	DataOffset, MaxData int
	// MoreOffset and MoreMask locate the "more data follows" bit; MoreMask
	// 0 means every report holds a whole code.
	MoreOffset int
	MoreMask   byte
}

// DefaultHIDPOSLayout is the 64-byte scanned-data report of Honeywell and
// Access-IS HID-POS scanners:
//
//	byte  0      report ID 0x02
//	byte  1      number of data bytes in this report (0–56)
//	bytes 2–4    AIM symbology identifier, e.g. "]E0"
//	bytes 5–60   data, zero-padded
//	bytes 61–62  vendor symbology code, reserved (ignored)
//	byte  63     bit 0: more data follows in the next report
var DefaultHIDPOSLayout = HIDPOSLayout{
	ReportID:        0x02,
	LengthOffset:    1,
	SymbologyOffset: 2,
	SymbologyLength: 3,
	DataOffset:      5,
	MaxData:         56,
	MoreOffset:      63,
	MoreMask:        0x01,
}

// Validate reports whether the layout's fields are in place and do not
// overlap the data.
func (l HIDPOSLayout) Validate() error {
	switch {
	case l.LengthOffset < 1:
		return fmt.Errorf("LengthOffset %d: want 1 or more (byte 0 is the report ID)", l.LengthOffset)
	case l.SymbologyLength != 0 && l.SymbologyLength != 3:
		return fmt.Errorf("SymbologyLength %d: want 0 or 3", l.SymbologyLength)
	case l.SymbologyLength > 0 && l.SymbologyOffset < 1:
		return fmt.Errorf("SymbologyOffset %d: want 1 or more", l.SymbologyOffset)
	case l.DataOffset < 1:
		return fmt.Errorf("DataOffset %d: want 1 or more", l.DataOffset)
	case l.MaxData < 1 || l.MaxData > 255:
		return fmt.Errorf("MaxData %d: want 1 to 255", l.MaxData)
	case l.MoreMask != 0 && l.MoreOffset < 1:
		return fmt.Errorf("MoreOffset %d: want 1 or more", l.MoreOffset)
	}
	inData := func(off, n int) bool { return off < l.DataOffset+l.MaxData && off+n > l.DataOffset }
	switch {
	case inData(l.LengthOffset, 1):
		return fmt.Errorf("LengthOffset %d lies in the data", l.LengthOffset)
	case l.SymbologyLength > 0 && inData(l.SymbologyOffset, l.SymbologyLength):
		return fmt.Errorf("SymbologyOffset %d lies in the data", l.SymbologyOffset)
	case l.MoreMask != 0 && inData(l.MoreOffset, 1):
		return fmt.Errorf("MoreOffset %d lies in the data", l.MoreOffset)
	}
	return nil
}

// Size returns the report size the layout needs: one past its last field.
func (l HIDPOSLayout) Size() int {
	n := max(l.LengthOffset+1, l.DataOffset+l.MaxData)
	if l.SymbologyLength > 0 {
		n = max(n, l.SymbologyOffset+l.SymbologyLength)
	}
	if l.MoreMask != 0 {
		n = max(n, l.MoreOffset+1)
	}
	return n
}

// HIDPOSDecoder assembles codes from HID-POS scanned-data reports. It is not
// safe for concurrent use.
type HIDPOSDecoder struct {
	l       HIDPOSLayout
	max     int
	sym     string
	buf     []byte
	partial bool // a code continues in the next report
	skip    bool // drop reports up to the end of a broken code
}

// NewHIDPOSDecoder returns a decoder for reports laid out as l, which
// should be valid, that refuses codes longer than maxLen bytes (0 means
// DefaultMaxLength).
func NewHIDPOSDecoder(l HIDPOSLayout, maxLen int) *HIDPOSDecoder {
	if maxLen <= 0 {
		maxLen = DefaultMaxLength
	}
	return &HIDPOSDecoder{l: l, max: maxLen}
}

// Reset forgets a code in progress.
func (d *HIDPOSDecoder) Reset() { d.sym, d.buf, d.partial, d.skip = "", d.buf[:0], false, false }

// Decode reads one input report. When the report completes a code it
// returns done true with the code's symbology identifier ("" if none) and
// data; data is valid until the next call. Reports of another report ID
// are skipped (done false, nil error). A report too short for its fields
// or claiming more data than it holds is an error wrapping
// drivers.ErrProtocol, a code longer than the maximum one wrapping
// ErrTooLong; either way the code in progress is dropped, up to the report
// that ends it.
func (d *HIDPOSDecoder) Decode(report []byte) (sym string, data []byte, done bool, err error) {
	l := d.l
	if len(report) == 0 || report[0] != l.ReportID {
		return "", nil, false, nil
	}
	// more is read first, so that after an error the rest of the broken
	// code is skipped rather than taken for a new one.
	more := false
	if l.MoreMask != 0 {
		if l.MoreOffset >= len(report) {
			d.Reset()
			return "", nil, false, fmt.Errorf("%w: HID-POS report of %d bytes has no more-data byte at %d", drivers.ErrProtocol, len(report), l.MoreOffset)
		}
		more = report[l.MoreOffset]&l.MoreMask != 0
	}
	if d.skip {
		d.skip = more
		return "", nil, false, nil
	}
	fail := func(err error) (string, []byte, bool, error) {
		d.Reset()
		d.skip = more
		return "", nil, false, err
	}
	if len(report) <= l.LengthOffset {
		return fail(fmt.Errorf("%w: HID-POS report of %d bytes has no length byte at %d", drivers.ErrProtocol, len(report), l.LengthOffset))
	}
	n := int(report[l.LengthOffset])
	if n > l.MaxData || l.DataOffset+n > len(report) {
		return fail(fmt.Errorf("%w: HID-POS report of %d bytes claims %d data bytes at %d (at most %d)", drivers.ErrProtocol, len(report), n, l.DataOffset, l.MaxData))
	}
	if !d.partial {
		d.sym = ""
		if end := l.SymbologyOffset + l.SymbologyLength; l.SymbologyLength > 0 && end <= len(report) {
			if s := string(report[l.SymbologyOffset:end]); isAIM(s) {
				d.sym = s
			}
		}
		d.buf = d.buf[:0]
	}
	if len(d.buf)+n > d.max {
		return fail(fmt.Errorf("%w: HID-POS code of more than %d bytes; dropped", ErrTooLong, d.max))
	}
	d.buf = append(d.buf, report[l.DataOffset:l.DataOffset+n]...)
	if more {
		d.partial = true
		return "", nil, false, nil
	}
	d.partial = false
	return d.sym, d.buf, true, nil
}
