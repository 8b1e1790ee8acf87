package scanner_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/scanner"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
)

type posCode struct {
	sym  string
	data string
}

// decodePOS decodes reports and returns the codes completed and the errors.
func decodePOS(d *scanner.HIDPOSDecoder, reports [][]byte) (got []posCode, errs []error) {
	for _, r := range reports {
		sym, data, done, err := d.Decode(r)
		if err != nil {
			errs = append(errs, err)
		}
		if done {
			got = append(got, posCode{sym, string(data)})
		}
	}
	return got, errs
}

// microscan is a layout with no symbology and no continuation bit: report
// ID 1, length, 62 data bytes.
var microscan = scanner.HIDPOSLayout{ReportID: 1, LengthOffset: 1, DataOffset: 2, MaxData: 62}

func TestHIDPOSDecoder(t *testing.T) {
	def := scanner.DefaultHIDPOSLayout
	long := strings.Repeat("M1GATHERGOOD/MICHAEL ", 3)[:60] // 60 bytes: two reports
	tests := []struct {
		name    string
		layout  scanner.HIDPOSLayout
		reports [][]byte
		want    []posCode
	}{
		{"EAN-13 with AIM", def, scannersim.HIDPOSReports(def, "]E0", []byte("6901234567892")), []posCode{{"]E0", "6901234567892"}}},
		{"no AIM identifier", def, scannersim.HIDPOSReports(def, "", []byte("ABC")), []posCode{{"", "ABC"}}},
		{"code over two reports", def, scannersim.HIDPOSReports(def, "]Q0", []byte(long)), []posCode{{"]Q0", long}}},
		{"exactly one full report", def, scannersim.HIDPOSReports(def, "]C0", bytes.Repeat([]byte("7"), 56)), []posCode{{"]C0", strings.Repeat("7", 56)}}},
		{"binary data with GS", def, scannersim.HIDPOSReports(def, "]d2", []byte("0109501101530003\x1d10A\x00B")), []posCode{{"]d2", "0109501101530003\x1d10A\x00B"}}},
		{"two codes", def, append(scannersim.HIDPOSReports(def, "]E0", []byte("1")), scannersim.HIDPOSReports(def, "]E4", []byte("2"))...), []posCode{{"]E0", "1"}, {"]E4", "2"}}},
		{"other report IDs are skipped", def, append([][]byte{{0x04, 1, 2, 3}, {}}, scannersim.HIDPOSReports(def, "", []byte("X"))...), []posCode{{"", "X"}}},
		{"non-AIM symbology bytes", def, scannersim.HIDPOSReports(def, "abc", []byte("X")), []posCode{{"", "X"}}},
		{"other layout", microscan, scannersim.HIDPOSReports(microscan, "", []byte("A]002374938")), []posCode{{"", "A]002374938"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.layout.Validate(); err != nil {
				t.Fatal(err)
			}
			got, errs := decodePOS(scanner.NewHIDPOSDecoder(tt.layout, 0), tt.reports)
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("code %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestHIDPOSDecoderErrors(t *testing.T) {
	def := scanner.DefaultHIDPOSLayout
	good := scannersim.HIDPOSReports(def, "]E0", []byte("6901234567892"))
	claims := func(n byte) []byte { r := append([]byte(nil), good[0]...); r[1] = n; return r }
	tests := []struct {
		name    string
		max     int
		reports [][]byte
		want    error
	}{
		{"length over the data field", 0, [][]byte{claims(57)}, drivers.ErrProtocol},
		{"length past the report", 0, [][]byte{claims(20)[:20]}, drivers.ErrProtocol},
		{"no length byte", 0, [][]byte{{0x02}}, drivers.ErrProtocol},
		{"no more-data byte", 0, [][]byte{claims(3)[:10]}, drivers.ErrProtocol},
		{"code over the maximum", 100, scannersim.HIDPOSReports(def, "", bytes.Repeat([]byte("x"), 150)), scanner.ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := scanner.NewHIDPOSDecoder(def, tt.max)
			got, errs := decodePOS(d, tt.reports)
			if len(got) != 0 || len(errs) != 1 || !errors.Is(errs[0], tt.want) {
				t.Fatalf("got %q, errors %v; want one error %v", got, errs, tt.want)
			}
			// The decoder recovers: the next code reads.
			got, errs = decodePOS(d, good)
			if len(errs) != 0 || len(got) != 1 || got[0].data != "6901234567892" {
				t.Errorf("after the error: got %q, %v", got, errs)
			}
		})
	}

	t.Run("a broken continuation drops the partial code", func(t *testing.T) {
		d := scanner.NewHIDPOSDecoder(def, 0)
		reports := scannersim.HIDPOSReports(def, "]Q0", bytes.Repeat([]byte("a"), 100))
		got, errs := decodePOS(d, [][]byte{reports[0], claims(99)})
		if len(got) != 0 || len(errs) != 1 {
			t.Fatalf("got %q, %v", got, errs)
		}
		got, _ = decodePOS(d, good)
		if len(got) != 1 || got[0] != (posCode{"]E0", "6901234567892"}) {
			t.Errorf("got %q", got)
		}
	})
}

func TestHIDPOSLayoutValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(l *scanner.HIDPOSLayout)
		field  string
	}{
		{"default", func(l *scanner.HIDPOSLayout) {}, ""},
		{"length on the report ID", func(l *scanner.HIDPOSLayout) { l.LengthOffset = 0 }, "LengthOffset"},
		{"symbology of 2 bytes", func(l *scanner.HIDPOSLayout) { l.SymbologyLength = 2 }, "SymbologyLength"},
		{"symbology on the report ID", func(l *scanner.HIDPOSLayout) { l.SymbologyOffset = 0 }, "SymbologyOffset"},
		{"data on the report ID", func(l *scanner.HIDPOSLayout) { l.DataOffset = 0 }, "DataOffset"},
		{"no data", func(l *scanner.HIDPOSLayout) { l.MaxData = 0 }, "MaxData"},
		{"more than a length byte counts", func(l *scanner.HIDPOSLayout) { l.MaxData = 256 }, "MaxData"},
		{"length inside the data", func(l *scanner.HIDPOSLayout) { l.LengthOffset = 10 }, "LengthOffset"},
		{"symbology inside the data", func(l *scanner.HIDPOSLayout) { l.SymbologyOffset = 4 }, "SymbologyOffset"},
		{"more bit inside the data", func(l *scanner.HIDPOSLayout) { l.MoreOffset = 60 }, "MoreOffset"},
		{"more bit on the report ID", func(l *scanner.HIDPOSLayout) { l.MoreOffset = 0 }, "MoreOffset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := scanner.DefaultHIDPOSLayout
			tt.modify(&l)
			err := l.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate = %v, want an error naming %s", err, tt.field)
			}
		})
	}
	if got := scanner.DefaultHIDPOSLayout.Size(); got != 64 {
		t.Errorf("default layout size %d, want 64", got)
	}
}

// FuzzHIDPOSReport decodes arbitrary bytes as one report and as a series
// of 64-byte reports (no panic, errors are ErrProtocol or ErrTooLong, no
// code over the maximum), then checks that a code cut into reports by the
// emulator decodes to itself.
func FuzzHIDPOSReport(f *testing.F) {
	def := scanner.DefaultHIDPOSLayout
	for _, r := range scannersim.HIDPOSReports(def, "]Q0", bytes.Repeat([]byte("ab"), 40)) {
		f.Add(r)
	}
	f.Add([]byte{0x02, 0xff})
	f.Add([]byte{0x02})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxLen = 200
		d := scanner.NewHIDPOSDecoder(def, maxLen)
		check := func(r []byte) {
			_, code, done, err := d.Decode(r)
			if err != nil && !errors.Is(err, drivers.ErrProtocol) && !errors.Is(err, scanner.ErrTooLong) {
				t.Fatalf("Decode(% x): %v", r, err)
			}
			if done && len(code) > maxLen {
				t.Fatalf("code of %d bytes", len(code))
			}
		}
		check(data)
		for i := 0; i < len(data); i += 64 {
			check(data[i:min(i+64, len(data))])
		}

		payload := data[:min(len(data), maxLen)]
		sym := ""
		if len(data) > 0 && data[0]&1 == 1 {
			sym = "]d2"
		}
		d = scanner.NewHIDPOSDecoder(def, maxLen)
		got, errs := decodePOS(d, scannersim.HIDPOSReports(def, sym, payload))
		if len(errs) != 0 || len(got) != 1 || got[0] != (posCode{sym, string(payload)}) {
			t.Fatalf("round trip of %q: got %q, %v", payload, got, errs)
		}
	})
}

// TestHIDPOSDocumentedReports decodes reports built byte by byte as the
// Access-IS manuals show their example (a 60-byte boarding pass over two
// reports: ID 2, length, "]Q0", data, vendor symbology 's' at byte 61,
// more-data bit in byte 63), independently of the emulator.
func TestHIDPOSDocumentedReports(t *testing.T) {
	data := []byte("M1GATHERGOOD/MICHAEL YABCDEF LHRDURAK 3542 052Y003D23 XYZW")
	data = append(data, "  "...)[:60]
	first := make([]byte, 64)
	first[0], first[1] = 0x02, 0x38
	copy(first[2:], "]Q0")
	copy(first[5:61], data[:56])
	first[61], first[63] = 's', 0x01
	second := make([]byte, 64)
	second[0], second[1] = 0x02, 4
	copy(second[2:], "]Q0")
	copy(second[5:], data[56:])
	second[61] = 's'

	got, errs := decodePOS(scanner.NewHIDPOSDecoder(scanner.DefaultHIDPOSLayout, 0), [][]byte{first, second})
	if len(errs) != 0 || len(got) != 1 || got[0] != (posCode{"]Q0", string(data)}) {
		t.Fatalf("got %q, %v; want ]Q0 %q", got, errs, data)
	}
}
