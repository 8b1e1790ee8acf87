package scanner_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/drivers/scanner"
)

// frame feeds input to a Framer for cfg, in one piece, and returns the
// codes and errors it gave.
func frame(cfg scanner.Config, chunks ...[]byte) (codes []scanner.Code, errs []error, pending int) {
	f := scanner.NewFramer(cfg)
	for _, c := range chunks {
		f.Feed(c, func(c scanner.Code) { codes = append(codes, c) }, func(err error) { errs = append(errs, err) })
	}
	return codes, errs, f.Pending()
}

func codes(data ...string) []scanner.Code {
	var out []scanner.Code
	for _, d := range data {
		out = append(out, scanner.Code{Data: d})
	}
	return out
}

func TestFramer(t *testing.T) {
	tests := []struct {
		name    string
		cfg     scanner.Config
		in      string
		want    []scanner.Code
		tooLong int
		pending int
	}{
		{name: "CR, LF, CRLF, LFCR", in: "A\rB\nC\r\nD\n\rE", want: codes("A", "B", "C", "D"), pending: 1},
		{name: "empty lines are skipped", in: "\r\n\r\n\nA\r\n\r", want: codes("A")},
		{name: "tab is data by default", in: "A\tB\r", want: codes("A\tB")},
		{name: "tab terminator", cfg: scanner.Config{Terminator: scanner.TerminatorTab}, in: "A\tB\r\t", want: codes("A", "B")},
		{name: "binary data passes", in: "\x00\x1d\xff\r", want: codes("\x00\x1d\xff")},
		{name: "exactly the maximum", cfg: scanner.Config{MaxLength: 5}, in: "12345\r", want: codes("12345")},
		{name: "too long: dropped, resync at the terminator", cfg: scanner.Config{MaxLength: 5}, in: "123456789\rOK\r", want: codes("OK"), tooLong: 1},
		{name: "too long twice", cfg: scanner.Config{MaxLength: 2}, in: "abc\nabcd\r\nab\n", want: codes("ab"), tooLong: 2},
		{name: "too long and unterminated", cfg: scanner.Config{MaxLength: 2}, in: "abcdef", pending: 6},
		{
			name: "custom prefix and suffix",
			cfg:  scanner.Config{Prefixes: []string{"\x02"}, Suffixes: []string{"\x03"}},
			in:   "\x02ABC\x03\rABC\r",
			want: codes("ABC", "ABC"),
		},
		{
			name: "AIM identifiers listed as prefixes",
			cfg:  scanner.Config{Prefixes: []string{"]E0", "]C1"}},
			in:   "]E06901234567892\r]C110ABC\r]d2X\r",
			want: []scanner.Code{{Symbology: "]E0", Data: "6901234567892"}, {Symbology: "]C1", Data: "10ABC"}, {Data: "]d2X"}},
		},
		{
			name: "any AIM identifier, after a custom prefix",
			cfg:  scanner.Config{Prefixes: []string{"]", "SCN:"}},
			in:   "SCN:]d2010950110153000310A\r]Q1hello\r]1AB\r",
			want: []scanner.Code{{Symbology: "]d2", Data: "010950110153000310A"}, {Symbology: "]Q1", Data: "hello"}, {Data: "]1AB"}},
		},
		{
			name: "longest prefix first, each once",
			cfg:  scanner.Config{Prefixes: []string{"A", "AB"}, Suffixes: []string{"Z", "YZ"}},
			in:   "ABXYZ\rAAXZZ\r",
			want: codes("X", "AXZ"),
		},
		{
			name: "GS substitute",
			cfg:  scanner.Config{Prefixes: []string{"]"}, GSSubstitute: "<GS>"},
			in:   "]C1010950110153000310ABC<GS>21XYZ<GS>\r",
			want: []scanner.Code{{Symbology: "]C1", Data: "010950110153000310ABC\x1d21XYZ\x1d"}},
		},
		{
			name: "single-character GS substitute",
			cfg:  scanner.Config{GSSubstitute: "~"},
			in:   "10A~21B\r",
			want: codes("10A\x1d21B"),
		},
		{name: "prefix alone is no code", cfg: scanner.Config{Prefixes: []string{"]"}}, in: "]C1\r", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs, pending := frame(tt.cfg, []byte(tt.in))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("codes %q, want %q", got, tt.want)
			}
			if len(errs) != tt.tooLong {
				t.Errorf("errors %v, want %d", errs, tt.tooLong)
			}
			for _, err := range errs {
				if !errors.Is(err, scanner.ErrTooLong) {
					t.Errorf("error %v is not ErrTooLong", err)
				}
			}
			if pending != tt.pending {
				t.Errorf("pending %d, want %d", pending, tt.pending)
			}
		})
	}
}

func TestCodeString(t *testing.T) {
	if got := (scanner.Code{Symbology: "]C1", Data: "10A"}).String(); got != "]C110A" {
		t.Errorf("String() = %q", got)
	}
}

// FuzzSerialLines feeds arbitrary bytes to a Framer, whole and one byte at
// a time: both must give the same codes and errors, no code may hold a
// terminator or be longer than the maximum, and every byte must be
// accounted for.
func FuzzSerialLines(f *testing.F) {
	f.Add([]byte("6901234567892\r\n]C110ABC<GS>21X\r"), uint8(0))
	f.Add([]byte("\r\n\n\r\t\t"), uint8(3))
	f.Add([]byte(strings.Repeat("x", 40)+"\rOK\n"), uint8(8))
	f.Add([]byte("SCN:]E0123\x03\r"), uint8(255))
	f.Fuzz(func(t *testing.T, data []byte, opt uint8) {
		cfg := scanner.Config{MaxLength: int(opt%32) + 1}
		if opt&32 != 0 {
			cfg.Terminator = scanner.TerminatorTab
		}
		if opt&64 != 0 {
			cfg.Prefixes = []string{"]", "SCN:"}
			cfg.Suffixes = []string{"\x03"}
		}
		if opt&128 != 0 {
			cfg.GSSubstitute = "<GS>"
		}
		whole, wholeErrs, wholePending := frame(cfg, data)
		var chunks [][]byte
		for i := range data {
			chunks = append(chunks, data[i:i+1])
		}
		bytewise, byteErrs, bytePending := frame(cfg, chunks...)
		if !reflect.DeepEqual(whole, bytewise) || len(wholeErrs) != len(byteErrs) || wholePending != bytePending {
			t.Fatalf("whole: %q %v %d; byte by byte: %q %v %d", whole, wholeErrs, wholePending, bytewise, byteErrs, bytePending)
		}
		terms := "\r\n"
		if cfg.Terminator == scanner.TerminatorTab {
			terms += "\t"
		}
		for _, c := range whole {
			if c.Data == "" {
				t.Fatalf("empty code")
			}
			if strings.ContainsAny(c.Data, terms) {
				t.Fatalf("code %q holds a terminator", c.Data)
			}
			if len(c.Data)+len(c.Symbology) > cfg.MaxLength {
				t.Fatalf("code %q is longer than %d", c, cfg.MaxLength)
			}
		}
		if cfg.GSSubstitute == "" && cfg.Prefixes == nil {
			// Without cleaning, the codes are the data between terminators.
			var want [][]byte
			for _, line := range bytes.FieldsFunc(data, func(r rune) bool { return strings.ContainsRune(terms, r) }) {
				if len(line) <= cfg.MaxLength {
					want = append(want, line)
				}
			}
			if wholePending > 0 {
				if len(want) > 0 && wholePending <= cfg.MaxLength {
					want = want[:len(want)-1]
				}
			}
			if len(want) != len(whole) {
				t.Fatalf("%d codes, want %d (%q)", len(whole), len(want), want)
			}
			for i := range want {
				if string(want[i]) != whole[i].Data {
					t.Fatalf("code %d is %q, want %q", i, whole[i].Data, want[i])
				}
			}
		}
	})
}
