package llrp_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/llrp"
)

var frameFiles = []string{
	"reader_event_connect.hex", "reader_event_busy.hex", "ro_access_report.hex", "error_message.hex",
	"keepalive.hex", "get_supported_version_response.hex", "add_rospec_response_error.hex", "add_rospec.hex",
	"get_reader_capabilities_response.hex",
}

// FuzzDecodeMessage feeds untrusted bytes to the message decoder and to the
// body decoder of the message's type. Nothing may panic, every error must
// be a protocol error, and a decoded header must frame back to its bytes.
func FuzzDecodeMessage(f *testing.F) {
	for _, name := range frameFiles {
		f.Add(ReadFrame(f, name))
	}
	f.Add([]byte{})
	f.Add(mustHex(f, "043D4000000000000001"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, n, err := llrp.DecodeMessage(b, 1<<16)
		if err != nil {
			if !errors.Is(err, drivers.ErrProtocol) {
				t.Fatalf("DecodeMessage error %v is not ErrProtocol", err)
			}
			return
		}
		if n < llrp.HeaderLen || n > len(b) || len(m.Body) != n-llrp.HeaderLen {
			t.Fatalf("DecodeMessage took %d of %d bytes, body %d", n, len(b), len(m.Body))
		}
		if b[0]&0xe0 == 0 && !bytes.Equal(llrp.AppendMessage(nil, m), b[:n]) {
			t.Fatalf("re-framed %X, want %X", llrp.AppendMessage(nil, m), b[:n])
		}
		switch m.Type {
		case llrp.MsgROAccessReport:
			_, err = llrp.DecodeROAccessReport(m.Body, &llrp.ReportState{}, func(tr *llrp.TagReport) error {
				if len(tr.EPC) == 0 || int(tr.EPCBits+7)/8 != len(tr.EPC) {
					t.Fatalf("EPC %X of %d bits", tr.EPC, tr.EPCBits)
				}
				return nil
			})
		case llrp.MsgReaderEventNotification:
			_, err = llrp.DecodeReaderEvent(m.Body)
		case llrp.MsgGetSupportedVersionResponse:
			_, _, _, err = llrp.DecodeSupportedVersion(m.Body)
		case llrp.MsgAddROSpec:
			_, err = llrp.DecodeAddROSpec(m.Body)
		case llrp.MsgSetReaderConfig:
			_, err = llrp.DecodeReaderConfig(m.Body)
		case llrp.MsgCustomMessage:
			_, _, _, err = llrp.DecodeCustomMessage(m.Body)
		case llrp.MsgGetReaderCapabilitiesResponse:
			_, _, err = llrp.DecodeCapabilities(m.Body)
		default:
			_, err = llrp.DecodeStatus(m.Body)
		}
		if err != nil && !errors.Is(err, drivers.ErrProtocol) {
			t.Fatalf("%v body decoder error %v is not ErrProtocol", m.Type, err)
		}
	})
}

// FuzzDecodeReport feeds untrusted RO_ACCESS_REPORT bodies to the report
// decoder. What it accepts, re-encoded with the same fields present,
// decodes to the same reports (carried-over fields included).
func FuzzDecodeReport(f *testing.F) {
	f.Add(MustDecodeFrame(f, "ro_access_report.hex").Body)
	f.Add(llrp.AppendTagReportData(nil, &llrp.TagReport{EPC: mustHex(f, "3074257BF7194E4000001A85"), Antenna: 1}, llrp.ReportFields, false))
	f.Add(mustHex(f, "00F0000781000100"))
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []llrp.TagReport
		_, err := llrp.DecodeROAccessReport(body, &llrp.ReportState{}, func(tr *llrp.TagReport) error {
			c := *tr
			c.EPC = bytes.Clone(tr.EPC)
			got = append(got, c)
			return nil
		})
		if err != nil {
			if !errors.Is(err, drivers.ErrProtocol) {
				t.Fatalf("error %v is not ErrProtocol", err)
			}
			return
		}
		var again []byte
		for i := range got {
			again = llrp.AppendTagReportData(again, &got[i], got[i].Present, got[i].EPCBits != 96)
		}
		got2 := reportTags(t, again, &llrp.ReportState{})
		if len(got) == 0 && len(got2) == 0 {
			return
		}
		if !reflect.DeepEqual(got, got2) {
			t.Fatalf("decoded  %+v\nre-coded %+v", got, got2)
		}
	})
}

func BenchmarkDecodeROAccessReport(b *testing.B) {
	const tags = 1000
	var body []byte
	for i := range tags {
		tr := llrp.TagReport{
			EPC:     mustHex(b, "3074257BF7194E4000001A85"),
			Antenna: uint16(1 + i%4), PeakRSSI: int8(-50 - i%30),
			FirstSeen: 1714552200123456 + uint64(i), LastSeen: 1714552200123456 + uint64(i),
			SeenCount: 1,
		}
		tr.EPC[11] = byte(i)
		body = llrp.AppendTagReportData(body, &tr, llrp.ReportFields, false)
	}
	msg := llrp.AppendMessage(nil, llrp.Message{Version: 1, Type: llrp.MsgROAccessReport, ID: 1, Body: body})
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	var st llrp.ReportState
	var sum uint64
	for b.Loop() {
		m, _, err := llrp.DecodeMessage(msg, 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := llrp.DecodeROAccessReport(m.Body, &st, func(tr *llrp.TagReport) error {
			sum += uint64(tr.Antenna)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*tags/b.Elapsed().Seconds(), "reads/s")
	_ = sum
}
