package scale

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/drivers"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		value    int64
		decimals int
		err      bool
	}{
		{name: "plain", in: "12.345", value: 12345, decimals: 3},
		{name: "integer", in: "7", value: 7},
		{name: "negative", in: "-0.005", value: -5, decimals: 3},
		{name: "plus", in: "+1.20", value: 120, decimals: 2},
		{name: "leading zeros", in: "0012.30", value: 1230, decimals: 2},
		{name: "18 digits", in: "999999999.999999999", value: 999999999999999999, decimals: 9},
		{name: "19 digits", in: "9999999999999999999", err: true},
		{name: "empty", in: "", err: true},
		{name: "sign only", in: "-", err: true},
		{name: "two points", in: "1.2.3", err: true},
		{name: "point first", in: ".5", err: true},
		{name: "point last", in: "5.", err: true},
		{name: "space", in: "1 2", err: true},
		{name: "comma", in: "1,5", err: true},
		{name: "double sign", in: "--1", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, d, err := parseDecimal(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("parseDecimal(%q) error = %v, want error %v", tt.in, err, tt.err)
			}
			if err != nil {
				return
			}
			if v != tt.value || d != tt.decimals {
				t.Errorf("parseDecimal(%q) = %d, %d; want %d, %d", tt.in, v, d, tt.value, tt.decimals)
			}
			if got := FormatDecimal(v, d); strings.TrimLeft(got, "+") != strings.TrimLeft(tt.in, "+") && tt.name != "leading zeros" {
				t.Errorf("FormatDecimal(%d, %d) = %q, want %q", v, d, got, tt.in)
			}
		})
	}
}

func TestParseSICSLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		want sicsReply
		err  bool
	}{
		{name: "stable", line: "S S      1.234 kg", want: sicsReply{ID: "S", Status: 'S', HasWeight: true, Value: 1234, Decimals: 3, Unit: "kg"}},
		{name: "stable padded", line: "S S   12.345 g  ", want: sicsReply{ID: "S", Status: 'S', HasWeight: true, Value: 12345, Decimals: 3, Unit: "g"}},
		{name: "dynamic", line: "S D      1.237 kg", want: sicsReply{ID: "S", Status: 'D', HasWeight: true, Value: 1237, Decimals: 3, Unit: "kg"}},
		{name: "negative", line: "S S     -0.005 kg", want: sicsReply{ID: "S", Status: 'S', HasWeight: true, Value: -5, Decimals: 3, Unit: "kg"}},
		{name: "no decimals", line: "S S        250 g", want: sicsReply{ID: "S", Status: 'S', HasWeight: true, Value: 250, Unit: "g"}},
		{name: "not executable", line: "S I", want: sicsReply{ID: "S", Status: 'I'}},
		{name: "overload", line: "S +", want: sicsReply{ID: "S", Status: '+'}},
		{name: "underload", line: "S -", want: sicsReply{ID: "S", Status: '-'}},
		{name: "syntax error", line: "ES", want: sicsReply{ID: "ES"}},
		{name: "transmission error", line: "ET", want: sicsReply{ID: "ET"}},
		{name: "logical error", line: "EL", want: sicsReply{ID: "EL"}},
		{name: "zeroed", line: "Z A", want: sicsReply{ID: "Z", Status: 'A'}},
		{name: "zero not executable", line: "Z I", want: sicsReply{ID: "Z", Status: 'I'}},
		{name: "zero above range", line: "Z +", want: sicsReply{ID: "Z", Status: '+'}},
		{name: "zero below range", line: "Z -", want: sicsReply{ID: "Z", Status: '-'}},
		{name: "tare", line: "T S      0.250 kg", want: sicsReply{ID: "T", Status: 'S', HasWeight: true, Value: 250, Decimals: 3, Unit: "kg"}},
		{name: "tare value", line: "TA A      0.000 kg", want: sicsReply{ID: "TA", Status: 'A', HasWeight: true, Decimals: 3, Unit: "kg"}},
		{name: "tare cleared", line: "TAC A", want: sicsReply{ID: "TAC", Status: 'A'}},
		{name: "serial number", line: `I4 A "B123456789"`, want: sicsReply{ID: "I4", Status: 'A', Text: "B123456789"}},
		{name: "serial number empty", line: `I4 A ""`, want: sicsReply{ID: "I4", Status: 'A'}},
		{name: "stable without weight", line: "S S", err: true},
		{name: "dynamic without unit", line: "S D      1.237", err: true},
		{name: "bad number", line: "S S      1,234 kg", err: true},
		{name: "extra field", line: "S S      1.234 kg x", err: true},
		{name: "zero with weight", line: "Z A 1.0 kg", err: true},
		{name: "unknown status", line: "S X", err: true},
		{name: "status glued", line: "S SS 1.0 kg", err: true},
		{name: "no status", line: "S", err: true},
		{name: "lower case command", line: "s S 1.0 kg", err: true},
		{name: "error with payload", line: "ES 1", err: true},
		{name: "control byte", line: "S S \x13 1.0 kg", err: true},
		{name: "NUL", line: "S S 1.0\x00kg", err: true},
		{name: "high byte", line: "S S 1.0 k\xe7", err: true},
		{name: "unterminated text", line: `I4 A "B12`, err: true},
		{name: "leading space", line: " S S 1.0 kg", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSICSLine([]byte(tt.line))
			if tt.err {
				if !errors.Is(err, drivers.ErrProtocol) {
					t.Fatalf("parseSICSLine(%q) = %+v, %v; want ErrProtocol", tt.line, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseSICSLine(%q): %v", tt.line, err)
			}
			if got != tt.want {
				t.Errorf("parseSICSLine(%q) = %+v, want %+v", tt.line, got, tt.want)
			}
		})
	}
}

// feedAll runs a decoder over a stream and collects messages and errors.
func feedAll(d decoder, stream []byte) (msgs []message, errs []error) {
	for _, c := range stream {
		m, err := d.feed(c)
		if err != nil {
			errs = append(errs, err)
		}
		if m != nil {
			msgs = append(msgs, m)
		}
	}
	return msgs, errs
}

func TestSICSDecoderSession(t *testing.T) {
	stream, err := os.ReadFile("testdata/mtsics_session.txt")
	if err != nil {
		t.Fatal(err)
	}
	msgs, errs := feedAll(&sicsDecoder{}, stream)
	if len(msgs) != 17 || len(errs) != 2 {
		t.Fatalf("got %d replies and %d errors, want 17 and 2: %v", len(msgs), len(errs), errs)
	}
	if got, want := msgs[14], (sicsReply{ID: "I4", Status: 'A', Text: "B123456789"}); got != want {
		t.Errorf("reply 15 = %+v, want %+v", got, want)
	}
	if got := msgs[16].(sicsReply); got.Value != 10000 || got.Decimals != 2 || got.Unit != "g" {
		t.Errorf("reply 17 = %+v, want 100.00 g", got)
	}
	// A line too long is dropped whole, and the next one is fine.
	long := strings.Repeat("S", maxSICSLine+10) + "\r\nZ A\r\n"
	msgs, errs = feedAll(&sicsDecoder{}, []byte(long))
	if len(msgs) != 1 || len(errs) != 1 {
		t.Fatalf("long line: got %v and %v, want one reply and one error", msgs, errs)
	}
	// CR alone and LF alone end lines too.
	msgs, _ = feedAll(&sicsDecoder{}, []byte("Z A\rT S 1.0 kg\nS I\r\n"))
	if len(msgs) != 3 {
		t.Errorf("CR or LF line ends: got %d replies, want 3", len(msgs))
	}
}

func frameOf(a, b, c byte, weight, tare string, checksum bool) []byte {
	f := append([]byte{stx, a, b, c}, weight+tare...)
	f = append(f, cr)
	if checksum {
		f = append(f, contChecksum(f))
	}
	return f
}

func TestDecodeContinuousFrame(t *testing.T) {
	tests := []struct {
		name     string
		frame    []byte
		checksum bool
		want     contFrame
		err      string
	}{
		{name: "gross kg", frame: frameOf(0x2d, 0x30, 0x20, "001234", "000000", true), checksum: true,
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "kg"}},
		{name: "no checksum", frame: frameOf(0x2d, 0x30, 0x20, "001234", "000000", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "kg"}},
		{name: "motion", frame: frameOf(0x2d, 0x38, 0x20, "001237", "000000", false),
			want: contFrame{Weight: 1237, Decimals: 3, Increment: 1, Unit: "kg", Motion: true}},
		{name: "net", frame: frameOf(0x2d, 0x31, 0x20, "000500", "000250", false),
			want: contFrame{Weight: 500, Tare: 250, Decimals: 3, Increment: 1, Unit: "kg", Net: true}},
		{name: "negative", frame: frameOf(0x2d, 0x32, 0x20, "000005", "000000", false),
			want: contFrame{Weight: -5, Decimals: 3, Increment: 1, Unit: "kg", Negative: true}},
		{name: "out of range", frame: frameOf(0x2d, 0x34, 0x20, "999999", "000000", false),
			want: contFrame{Weight: 999999, Decimals: 3, Increment: 1, Unit: "kg", OutOfRange: true}},
		{name: "lb one decimal x5", frame: frameOf(0x20|0x18|3, 0x20, 0x20, "012345", "000000", false),
			want: contFrame{Weight: 12345, Decimals: 1, Increment: 5, Unit: "lb"}},
		{name: "grams x2", frame: frameOf(0x20|0x10|2, 0x30, 0x21, "001250", "000000", false),
			want: contFrame{Weight: 1250, Increment: 2, Unit: "g"}},
		{name: "dummy zeros", frame: frameOf(0x20|0x08|0, 0x30, 0x20, "012300", "000000", false),
			want: contFrame{Weight: 12300, Increment: 1, Unit: "kg"}},
		{name: "5 decimals", frame: frameOf(0x20|0x08|7, 0x30, 0x20, "012345", "000000", false),
			want: contFrame{Weight: 12345, Decimals: 5, Increment: 1, Unit: "kg"}},
		{name: "tonnes", frame: frameOf(0x2d, 0x30, 0x22, "001234", "000000", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "t"}},
		{name: "ounces", frame: frameOf(0x2d, 0x30, 0x23, "001234", "000000", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "oz"}},
		{name: "no unit", frame: frameOf(0x2d, 0x30, 0x27, "001234", "000000", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1}},
		{name: "expanded print", frame: frameOf(0x2d, 0x30, 0x38, "001234", "000000", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "kg", Expanded: true, Print: true}},
		{name: "leading blanks", frame: frameOf(0x2d, 0x30, 0x20, "  1234", "     0", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "kg"}},
		{name: "bit 6 of A and C ignored (status 0x60-0x7f)", frame: frameOf(0x6d, 0x30, 0x60, "001234", "000000", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "kg"}},
		{name: "power-up not zeroed (B bit 6)", frame: frameOf(0x2d, 0x70, 0x20, "001234", "000000", false),
			want: contFrame{Weight: 1234, Decimals: 3, Increment: 1, Unit: "kg", PowerUp: true}},
		{name: "bad checksum", frame: append(frameOf(0x2d, 0x30, 0x20, "001234", "000000", false), 0x2b), checksum: true, err: "checksum"},
		{name: "missing checksum", frame: frameOf(0x2d, 0x30, 0x20, "001234", "000000", false), checksum: true, err: "17 bytes"},
		{name: "no CR", frame: []byte("\x02-0 0012340000000X"), checksum: true, err: "CR"},
		{name: "no STX", frame: []byte("X-0 001234000000\r"), err: "STX"},
		{name: "blank after digit", frame: frameOf(0x2d, 0x30, 0x20, "00 234", "000000", false), err: "weight"},
		{name: "letter in tare", frame: frameOf(0x2d, 0x30, 0x20, "001234", "0000O0", false), err: "tare"},
		{name: "all blank", frame: frameOf(0x2d, 0x30, 0x20, "      ", "000000", false), err: "weight"},
		{name: "NUL", frame: frameOf(0x2d, 0x00, 0x20, "001234", "000000", false), err: "NUL"},
		{name: "control status", frame: frameOf(0x2d, 0x10, 0x20, "001234", "000000", false), err: "status word B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeContinuousFrame(tt.frame, tt.checksum)
			if tt.err != "" {
				if !errors.Is(err, drivers.ErrProtocol) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("decode(%q) = %+v, %v; want ErrProtocol about %q", tt.frame, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode(%q): %v", tt.frame, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decode(%q) = %+v, want %+v", tt.frame, got, tt.want)
			}
		})
	}
}

func TestContinuousDecoderSession(t *testing.T) {
	stream, err := os.ReadFile("testdata/continuous_session.bin")
	if err != nil {
		t.Fatal(err)
	}
	msgs, errs := feedAll(&contDecoder{checksum: true}, stream)
	// 7 good frames; the bad checksum, the garbage and the cut frame are
	// rejected, and the decoder finds the last frame after them.
	if len(msgs) != 7 || len(errs) != 3 {
		t.Fatalf("got %d frames and %d errors, want 7 and 3: %v", len(msgs), len(errs), errs)
	}
	if last := msgs[6].(contFrame); last.Weight != 1234 || last.Motion {
		t.Errorf("last frame = %+v, want 1.234 kg stable", last)
	}
	// A checksum byte equal to STX does not start a frame.
	var f []byte
	for w := 0; w < 1000000 && (f == nil || f[17] != stx); w += 7 {
		f = frameOf(0x2d, 0x30, 0x20, fmt.Sprintf("%06d", w), fmt.Sprintf("%06d", w), true)
	}
	if f[17] != stx {
		t.Fatal("no frame with checksum STX found")
	}
	msgs, errs = feedAll(&contDecoder{checksum: true}, append(f, frameOf(0x2d, 0x30, 0x20, "001234", "000000", true)...))
	if len(msgs) != 2 || len(errs) != 0 {
		t.Errorf("checksum STX: got %d frames, errors %v; want 2 frames", len(msgs), errs)
	}
	// Without checksums, frames follow each other directly.
	two := append(frameOf(0x2d, 0x30, 0x20, "001234", "000000", false), frameOf(0x2d, 0x38, 0x20, "001234", "000000", false)...)
	if msgs, errs = feedAll(&contDecoder{}, two); len(msgs) != 2 || len(errs) != 0 {
		t.Errorf("no checksum: got %d frames, errors %v; want 2 frames", len(msgs), errs)
	}
	// A frame with a checksum read by a decoder expecting none: the
	// checksum byte is junk before the next STX.
	withSum := append(frameOf(0x2d, 0x30, 0x20, "001234", "000000", true), frameOf(0x2d, 0x30, 0x20, "001234", "000000", true)...)
	if msgs, errs = feedAll(&contDecoder{}, withSum); len(msgs) != 2 || len(errs) != 1 {
		t.Errorf("unexpected checksum: got %d frames, errors %v; want 2 frames, 1 error", len(msgs), errs)
	}
}

func TestParse8217(t *testing.T) {
	tests := []struct {
		name string
		body string
		want reply8217
		err  bool
	}{
		{name: "kg", body: "01.234", want: reply8217{Value: 1234, Decimals: 3}},
		{name: "lb", body: "012.50", want: reply8217{Value: 1250, Decimals: 2}},
		{name: "net", body: "01.234N", want: reply8217{Value: 1234, Decimals: 3, Net: true}},
		{name: "blanks", body: "   1.234", want: reply8217{Value: 1234, Decimals: 3}},
		{name: "unit", body: "0012.50lb", want: reply8217{Value: 1250, Decimals: 2, Unit: "lb"}},
		{name: "unit then net", body: "1.250 kg N", want: reply8217{Value: 1250, Decimals: 3, Unit: "kg", Net: true}},
		{name: "net then unit", body: "1.250N kg", want: reply8217{Value: 1250, Decimals: 3, Unit: "kg", Net: true}},
		{name: "integer", body: "00125", want: reply8217{Value: 125}},
		{name: "negative", body: "-0.005", want: reply8217{Value: -5, Decimals: 3}},
		{name: "motion", body: "?A", want: reply8217{Status: true, Bits: 0x41}},
		{name: "over", body: "?B", want: reply8217{Status: true, Bits: 0x42}},
		{name: "under zero", body: "?D", want: reply8217{Status: true, Bits: 0x44}},
		{name: "center of zero, net", body: "?p", want: reply8217{Status: true, Bits: 0x70}},
		{name: "status without bit 6", body: "?1", err: true},
		{name: "status missing", body: "?", err: true},
		{name: "status too long", body: "?AB", err: true},
		{name: "no digits", body: "kg", err: true},
		{name: "empty", body: "", err: true},
		{name: "two points", body: "1.2.3", err: true},
		{name: "long unit", body: "1.234 kilo", err: true},
		{name: "upper-case unit", body: "1.234 KG", err: true},
		{name: "control", body: "1.2\x1334", err: true},
		{name: "NUL", body: "1.2\x0034", err: true},
		{name: "garbage after", body: "1.234 ?", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse8217([]byte(tt.body))
			if tt.err {
				if !errors.Is(err, drivers.ErrProtocol) {
					t.Fatalf("parse8217(%q) = %+v, %v; want ErrProtocol", tt.body, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse8217(%q): %v", tt.body, err)
			}
			if got != tt.want {
				t.Errorf("parse8217(%q) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}

func Test8217DecoderSession(t *testing.T) {
	stream, err := os.ReadFile("testdata/toledo8217_session.bin")
	if err != nil {
		t.Fatal(err)
	}
	msgs, errs := feedAll(&decoder8217{}, stream)
	if len(msgs) != 8 || len(errs) != 3 {
		t.Fatalf("got %d replies and %d errors, want 8 and 3: %v", len(msgs), len(errs), errs)
	}
	if got := msgs[7].(reply8217); got.Value != 1000 || got.Status {
		t.Errorf("last reply = %+v, want 1.000", got)
	}
	// Too long a reply is dropped, and the next is read.
	long := "\x02" + strings.Repeat("1", max8217Reply+5) + "\r\x0201.000\r"
	if msgs, errs = feedAll(&decoder8217{}, []byte(long)); len(msgs) != 1 || len(errs) != 1 {
		t.Errorf("long reply: got %v, %v; want one reply, one error", msgs, errs)
	}
}

func TestParityFilter(t *testing.T) {
	even := func(c byte) byte { return c | parityBit(c, "even")<<7 }
	tests := []struct {
		name   string
		parity string
		in     []byte
		want   []byte
	}{
		{name: "7 bits from a UART", parity: "even", in: []byte("W\x02?a\r"), want: []byte("W\x02?a\r")},
		{name: "raw even parity", parity: "even", in: []byte{even(stx), even('1'), even('.'), even(cr)}, want: []byte{stx, '1', '.', cr}},
		{name: "raw bad parity", parity: "even", in: []byte{even(stx), even('1') ^ 0x80, even('2')}, want: []byte{stx, 0, '2'}},
		{name: "odd parity", parity: "odd", in: []byte{0x80 | '1', 0x80 | '3'}, want: []byte{0, '3'}},
		{name: "no parity strips", parity: "none", in: []byte{0x80 | '1', '3'}, want: []byte{'1', '3'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &parityFilter{parity: tt.parity}
			var got []byte
			for _, c := range tt.in {
				got = append(got, f.filter(c))
			}
			if string(got) != string(tt.want) {
				t.Errorf("filter(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
