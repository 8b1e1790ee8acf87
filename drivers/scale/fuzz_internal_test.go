package scale

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/jxc-edge/jxc/drivers"
)

// seedLines adds the lines of a testdata stream as seeds.
func seedFile(f *testing.F, path string, sep []byte) {
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, part := range bytes.Split(data, sep) {
		f.Add(part)
	}
}

// FuzzMTSICSReply checks that no line crashes the parser, that whatever it
// accepts prints back to the same reply, and that the decoder finds a good
// reply after any bytes.
func FuzzMTSICSReply(f *testing.F) {
	seedFile(f, "testdata/mtsics_session.txt", []byte("\r\n"))
	f.Add([]byte(`I4 A "x"`))
	f.Add([]byte("S S 99999999999999999999 g"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseSICSLine(data)
		if err != nil {
			if !errors.Is(err, drivers.ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
		} else if r.HasWeight {
			line := r.ID + " " + string(r.Status) + " " + FormatDecimal(r.Value, r.Decimals) + " " + r.Unit
			again, err := parseSICSLine([]byte(line))
			if err != nil || again != r {
				t.Fatalf("%q parsed to %+v; printed back as %q it parses to %+v, %v", data, r, line, again, err)
			}
		}
		good := sicsReply{ID: "S", Status: 'S', HasWeight: true, Value: 1000, Decimals: 3, Unit: "kg"}
		msgs, _ := feedAll(&sicsDecoder{}, append(append([]byte(nil), data...), "\r\nS S      1.000 kg\r\n"...))
		if len(msgs) == 0 || msgs[len(msgs)-1] != good {
			t.Fatalf("after %q the decoder did not find the good reply: %v", data, msgs)
		}
	})
}

// FuzzToledoContinuousFrame checks the frame decoder on any bytes: a frame
// it accepts has sane fields, and after any bytes it finds the good frames
// that follow.
func FuzzToledoContinuousFrame(f *testing.F) {
	seedFile(f, "testdata/continuous_session.bin", []byte{stx})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, checksum := range []bool{false, true} {
			if fr, err := decodeContinuousFrame(data, checksum); err == nil {
				if fr.Decimals < 0 || fr.Decimals > 5 || fr.Weight > 999999 || fr.Weight < -999999 || fr.Tare < 0 || fr.Tare > 999999 {
					t.Fatalf("%q decoded to insane %+v", data, fr)
				}
				if fr.Negative != (fr.Weight < 0) && fr.Weight != 0 {
					t.Fatalf("%q: sign bit and weight disagree: %+v", data, fr)
				}
			} else if !errors.Is(err, drivers.ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			good := frameOf(0x2d, 0x30, 0x20, "001234", "000000", checksum)
			stream := append(append(append([]byte(nil), data...), good...), good...)
			d := &contDecoder{checksum: checksum}
			msgs, _ := feedAll(d, stream)
			if len(msgs) == 0 {
				t.Fatalf("checksum %v: after %q no frame decoded", checksum, data)
			}
			last := msgs[len(msgs)-1].(contFrame)
			if last.Weight != 1234 || last.Decimals != 3 || last.Unit != "kg" || last.Motion {
				t.Fatalf("checksum %v: after %q the last frame is %+v", checksum, data, last)
			}
			for _, m := range msgs {
				if fr := m.(contFrame); fr.Decimals > 5 || fr.Weight > 999999 || fr.Weight < -999999 {
					t.Fatalf("insane frame %+v in stream %q", fr, stream)
				}
			}
		}
	})
}

// Fuzz8217Reply checks the 8217 parser and decoder on any bytes.
func Fuzz8217Reply(f *testing.F) {
	seedFile(f, "testdata/toledo8217_session.bin", []byte{stx})
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := parse8217(data); err == nil {
			if r.Status && r.Bits&st8217One == 0 {
				t.Fatalf("%q: status without bit 6 accepted: %+v", data, r)
			}
			if !r.Status && (len(r.Unit) > 3 || r.Decimals < 0) {
				t.Fatalf("%q: insane %+v", data, r)
			}
		} else if !errors.Is(err, drivers.ErrProtocol) {
			t.Fatalf("error %v does not wrap ErrProtocol", err)
		}
		msgs, _ := feedAll(&decoder8217{}, append(append([]byte(nil), data...), "\x0201.234N\r"...))
		want := reply8217{Value: 1234, Decimals: 3, Net: true}
		if len(msgs) == 0 || msgs[len(msgs)-1] != want {
			t.Fatalf("after %q the decoder did not find the good reply: %v", data, msgs)
		}
	})
}
