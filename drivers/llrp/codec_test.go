package llrp_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/llrp"
)

// ReadFrame reads an annotated hex frame from testdata: '#' starts a
// comment, whitespace is ignored.
func ReadFrame(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var digits strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return b
}

// MustDecodeFrame decodes a testdata frame that must be exactly one message.
func MustDecodeFrame(tb testing.TB, name string) llrp.Message {
	tb.Helper()
	b := ReadFrame(tb, name)
	m, n, err := llrp.DecodeMessage(b, 0)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	if n != len(b) {
		tb.Fatalf("%s: message is %d bytes, file holds %d", name, n, len(b))
	}
	return m
}

// reportTags decodes an RO_ACCESS_REPORT body into copies of its reports.
func reportTags(tb testing.TB, body []byte, st *llrp.ReportState) []llrp.TagReport {
	tb.Helper()
	var got []llrp.TagReport
	_, err := llrp.DecodeROAccessReport(body, st, func(t *llrp.TagReport) error {
		c := *t
		c.EPC = bytes.Clone(t.EPC)
		got = append(got, c)
		return nil
	})
	if err != nil {
		tb.Fatalf("DecodeROAccessReport: %v", err)
	}
	return got
}

func TestRecordedFrames(t *testing.T) {
	const t1, t2 = 1714552200123456, 1714552200373456
	const u1, u2 = 3600000000, 3600100000
	all := llrp.ReportFields
	tests := []struct {
		name    string
		file    string
		version uint8
		typ     llrp.MessageType
		id      uint32
		check   func(t *testing.T, body []byte)
	}{
		{
			name: "connection accepted", file: "reader_event_connect.hex",
			version: llrp.Version101, typ: llrp.MsgReaderEventNotification,
			check: func(t *testing.T, body []byte) {
				got, err := llrp.DecodeReaderEvent(body)
				if err != nil {
					t.Fatal(err)
				}
				want := llrp.ReaderEvent{Timestamp: t1, ConnectionAttempt: true, ConnectionStatus: llrp.ConnSuccess}
				if got != want {
					t.Fatalf("got %+v, want %+v", got, want)
				}
			},
		},
		{
			name: "connection refused", file: "reader_event_busy.hex",
			version: llrp.Version101, typ: llrp.MsgReaderEventNotification,
			check: func(t *testing.T, body []byte) {
				got, err := llrp.DecodeReaderEvent(body)
				if err != nil {
					t.Fatal(err)
				}
				want := llrp.ReaderEvent{Timestamp: u1, Uptime: true, ConnectionAttempt: true, ConnectionStatus: llrp.ConnClientConnectionExists}
				if got != want {
					t.Fatalf("got %+v, want %+v", got, want)
				}
			},
		},
		{
			name: "report", file: "ro_access_report.hex",
			version: llrp.Version101, typ: llrp.MsgROAccessReport, id: 42,
			check: func(t *testing.T, body []byte) {
				got := reportTags(t, body, &llrp.ReportState{})
				want := []llrp.TagReport{
					{
						EPC: mustHex(t, "3074257BF7194E4000001A85"), EPCBits: 96, Antenna: 1, PeakRSSI: -60,
						FirstSeen: t1, LastSeen: t2, SeenCount: 3, Present: all, Known: all,
					},
					{
						// Only PeakRSSI present: the rest carries over.
						EPC: mustHex(t, "3074257BF7194E4000001A86"), EPCBits: 96, Antenna: 1, PeakRSSI: -55,
						FirstSeen: t1, LastSeen: t2, SeenCount: 3, Present: llrp.FieldPeakRSSI, Known: all,
					},
					{
						EPC: mustHex(t, "E2801160600002054A6C1B2F00112233"), EPCBits: 128, Antenna: 2, PeakRSSI: -55,
						FirstSeen: u1, LastSeen: u2, FirstSeenUptime: true, LastSeenUptime: true, SeenCount: 3,
						Present: llrp.FieldAntennaID | llrp.FieldFirstSeen | llrp.FieldLastSeen, Known: all,
					},
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got  %+v\nwant %+v", got, want)
				}
			},
		},
		{
			name: "error message", file: "error_message.hex",
			version: llrp.Version101, typ: llrp.MsgErrorMessage, id: 7,
			check: func(t *testing.T, body []byte) {
				got, err := llrp.DecodeStatus(body)
				if err != nil {
					t.Fatal(err)
				}
				want := llrp.Status{Code: llrp.StatusUnsupportedMessage, Description: "Unsupported message type"}
				if got != want {
					t.Fatalf("got %+v, want %+v", got, want)
				}
			},
		},
		{
			name: "keepalive", file: "keepalive.hex",
			version: llrp.Version101, typ: llrp.MsgKeepalive, id: 7,
			check: func(t *testing.T, body []byte) {
				if len(body) != 0 {
					t.Fatalf("body %X", body)
				}
			},
		},
		{
			name: "supported version", file: "get_supported_version_response.hex",
			version: llrp.Version11, typ: llrp.MsgGetSupportedVersionResponse, id: 1,
			check: func(t *testing.T, body []byte) {
				cur, sup, st, err := llrp.DecodeSupportedVersion(body)
				if err != nil {
					t.Fatal(err)
				}
				if cur != 1 || sup != 2 || st.Code != llrp.StatusSuccess {
					t.Fatalf("got current %d supported %d status %+v", cur, sup, st)
				}
			},
		},
		{
			name: "capabilities", file: "get_reader_capabilities_response.hex",
			version: llrp.Version101, typ: llrp.MsgGetReaderCapabilitiesResponse, id: 2,
			check: func(t *testing.T, body []byte) {
				got, st, err := llrp.DecodeCapabilities(body)
				if err != nil {
					t.Fatal(err)
				}
				want := llrp.Capabilities{
					CountryCode: 840,
					TxPower:     []llrp.PowerLevel{{Index: 1, CdBm: 1000}, {Index: 2, CdBm: 1025}, {Index: 81, CdBm: 3000}},
					Hopping:     true,
					Frequencies: []uint32{903332, 903832},
					Modes:       []uint32{2},
				}
				if st.Code != llrp.StatusSuccess || !reflect.DeepEqual(got, want) {
					t.Fatalf("got %+v %+v, want %+v", got, st, want)
				}
			},
		},
		{
			name: "add rospec refused", file: "add_rospec_response_error.hex",
			version: llrp.Version101, typ: llrp.MsgAddROSpecResponse, id: 5,
			check: func(t *testing.T, body []byte) {
				got, err := llrp.DecodeStatus(body)
				if err != nil {
					t.Fatal(err)
				}
				want := llrp.Status{Code: llrp.StatusParameterError, Description: "AntennaID out of range",
					Detail: "parameter 183: P_FieldError, field 0: A_OutOfRange"}
				if got != want {
					t.Fatalf("got %+v, want %+v", got, want)
				}
				err = got.Err(llrp.MsgAddROSpec)
				if !errors.Is(err, drivers.ErrDevice) {
					t.Fatalf("Err() = %v, want ErrDevice", err)
				}
				for _, s := range []string{"ADD_ROSPEC", "M_ParameterError", "AntennaID out of range", "A_OutOfRange"} {
					if !strings.Contains(err.Error(), s) {
						t.Fatalf("error %q lacks %q", err, s)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MustDecodeFrame(t, tt.file)
			if m.Version != tt.version || m.Type != tt.typ || m.ID != tt.id {
				t.Fatalf("header v%d %v id %d, want v%d %v id %d", m.Version, m.Type, m.ID, tt.version, tt.typ, tt.id)
			}
			tt.check(t, m.Body)
			// Re-framing the decoded message gives the file's bytes.
			if got, want := llrp.AppendMessage(nil, m), ReadFrame(t, tt.file); !bytes.Equal(got, want) {
				t.Fatalf("re-framed %X\nwant       %X", got, want)
			}
		})
	}
}

// goldenROSpec is the configuration testdata/add_rospec.hex encodes.
var goldenROSpec = llrp.ROSpecConfig{
	ID:               7,
	Antennas:         []llrp.AntennaConfig{{ID: 1, TxPowerIndex: 81}, {ID: 2, TxPowerIndex: 81}},
	ModeIndex:        1002,
	Session:          2,
	TagPopulation:    32,
	TagTransitTimeMS: 500,
	SearchMode:       llrp.SearchModeDualTarget,
}

func TestAddROSpecGolden(t *testing.T) {
	cfg, err := goldenROSpec.Normalized()
	if err != nil {
		t.Fatal(err)
	}
	got := llrp.AppendMessage(nil, llrp.Message{Version: llrp.Version11, Type: llrp.MsgAddROSpec, ID: 3,
		Body: llrp.AppendAddROSpec(nil, cfg, llrp.Version11)})
	want := ReadFrame(t, "add_rospec.hex")
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %X\nwant %X", got, want)
	}

	spec, err := llrp.DecodeAddROSpec(MustDecodeFrame(t, "add_rospec.hex").Body)
	if err != nil {
		t.Fatal(err)
	}
	wantSpec := llrp.ROSpec{ROSpecConfig: cfg, ReportTrigger: llrp.ReportTriggerNTagsOrEndAISpec, ReportN: 1,
		Fields: llrp.ReportFields, AntennaIDs: []uint16{1, 2}}
	wantSpec.Antennas = []llrp.AntennaConfig{
		{ID: 1, TxPowerIndex: 81, HopTableID: 1, ChannelIndex: 1},
		{ID: 2, TxPowerIndex: 81, HopTableID: 1, ChannelIndex: 1},
	}
	if !reflect.DeepEqual(spec, wantSpec) {
		t.Fatalf("decoded %+v\nwant    %+v", spec, wantSpec)
	}
}

func TestROSpecEncoding(t *testing.T) {
	tests := []struct {
		name        string
		cfg         llrp.ROSpecConfig
		version     uint8
		wantTrigger uint8
		wantN       uint16
		wantIDs     []uint16
	}{
		{name: "zero config: all antennas", cfg: llrp.ROSpecConfig{}, version: llrp.Version101,
			wantTrigger: llrp.ReportTriggerNTagsOrEndAISpec, wantN: 1, wantIDs: []uint16{0}},
		{name: "every 50 tags, immediate", cfg: llrp.ROSpecConfig{ID: 9, StartImmediate: true, ReportEveryN: 50, Priority: 3},
			version: llrp.Version11, wantTrigger: llrp.ReportTriggerNTagsOrEndAISpec, wantN: 50, wantIDs: []uint16{0}},
		{name: "timeout on 1.1", cfg: llrp.ROSpecConfig{ReportTimeoutMS: 200, Antennas: []llrp.AntennaConfig{{ID: 3, RxSensitivityIndex: 2}}},
			version: llrp.Version11, wantTrigger: llrp.ReportTriggerNMillisOrEndAI, wantN: 200, wantIDs: []uint16{3}},
		{name: "timeout falls back to N on 1.0.1", cfg: llrp.ROSpecConfig{ReportTimeoutMS: 200, ReportEveryN: 5},
			version: llrp.Version101, wantTrigger: llrp.ReportTriggerNTagsOrEndAISpec, wantN: 5, wantIDs: []uint16{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.cfg.Normalized()
			if err != nil {
				t.Fatal(err)
			}
			got, err := llrp.DecodeAddROSpec(llrp.AppendAddROSpec(nil, cfg, tt.version))
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != cfg.ID || got.Priority != cfg.Priority || got.StartImmediate != cfg.StartImmediate ||
				got.ReportTrigger != tt.wantTrigger || got.ReportN != tt.wantN || !reflect.DeepEqual(got.AntennaIDs, tt.wantIDs) {
				t.Fatalf("got %+v", got)
			}
			for i, a := range cfg.Antennas {
				if got.Antennas[i].ID != a.ID || got.Antennas[i].RxSensitivityIndex != a.RxSensitivityIndex {
					t.Fatalf("antenna %d: got %+v, want %+v", i, got.Antennas[i], a)
				}
			}
		})
	}
}

func TestROSpecConfigInvalid(t *testing.T) {
	tests := []struct {
		name string
		cfg  llrp.ROSpecConfig
	}{
		{name: "session 4", cfg: llrp.ROSpecConfig{Session: 4}},
		{name: "priority 8", cfg: llrp.ROSpecConfig{Priority: 8}},
		{name: "antenna 0", cfg: llrp.ROSpecConfig{Antennas: []llrp.AntennaConfig{{ID: 0}}}},
		{name: "antenna twice", cfg: llrp.ROSpecConfig{Antennas: []llrp.AntennaConfig{{ID: 1}, {ID: 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.cfg.Normalized(); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestDecodeMessageErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
	}{
		{name: "short header", in: "043F0000"},
		{name: "version 0", in: "003E 0000000A 00000001"},
		{name: "version 7", in: "DEAD BEEFFFFF 00000001"},
		{name: "length below header", in: "043E 00000009 00000001"},
		{name: "length above limit", in: "043D 7FFFFFFF 00000001", max: 1 << 20},
		{name: "truncated body", in: "043D 00000010 00000001 0000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustHex(t, strings.ReplaceAll(tt.in, " ", ""))
			if _, _, err := llrp.DecodeMessage(b, tt.max); !errors.Is(err, drivers.ErrProtocol) {
				t.Fatalf("DecodeMessage: %v, want ErrProtocol", err)
			}
		})
	}
}

// TestMessageReaderLimit checks an oversized length is refused from the
// header alone: the reader never waits for (or allocates) the body.
func TestMessageReaderLimit(t *testing.T) {
	hdr := mustHex(t, "043D4000000000000001") // RO_ACCESS_REPORT claiming 1 GiB
	pr, pw := io.Pipe()
	go func() {
		// The pipe stays open: a reader waiting for the body would block.
		pw.Write(hdr)
	}()
	mr := llrp.NewMessageReader(pr, 1<<20)
	_, err := mr.Next()
	if !errors.Is(err, drivers.ErrProtocol) || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("Next: %v, want ErrProtocol for the length", err)
	}
	pw.Close()
}

func TestMessageReaderStream(t *testing.T) {
	var stream []byte
	for _, f := range []string{"reader_event_connect.hex", "keepalive.hex", "ro_access_report.hex", "error_message.hex"} {
		stream = append(stream, ReadFrame(t, f)...)
	}
	mr := llrp.NewMessageReader(bytes.NewReader(stream), 0)
	var got []llrp.MessageType
	for {
		m, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.Type)
	}
	want := []llrp.MessageType{llrp.MsgReaderEventNotification, llrp.MsgKeepalive, llrp.MsgROAccessReport, llrp.MsgErrorMessage}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Cut inside a message: io.ErrUnexpectedEOF.
	mr = llrp.NewMessageReader(bytes.NewReader(stream[:len(stream)-3]), 0)
	var err error
	for err == nil {
		_, err = mr.Next()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("cut stream: %v, want ErrUnexpectedEOF", err)
	}
}

// TestMessageReaderUnsupportedVersion: a message in a header version no
// LLRP has is read whole and refused with a *VersionError naming its ID;
// the next message reads normally.
func TestMessageReaderUnsupportedVersion(t *testing.T) {
	stream := llrp.AppendMessage(nil, llrp.Message{Version: 5, Type: llrp.MsgKeepalive, ID: 9, Body: []byte{1, 2, 3}})
	stream = append(stream, ReadFrame(t, "keepalive.hex")...)
	mr := llrp.NewMessageReader(bytes.NewReader(stream), 0)
	_, err := mr.Next()
	var ve *llrp.VersionError
	if !errors.As(err, &ve) || ve.Version != 5 || ve.ID != 9 || ve.Type != llrp.MsgKeepalive || !errors.Is(err, drivers.ErrProtocol) {
		t.Fatalf("Next: %v, want a *VersionError for version 5, ID 9", err)
	}
	if m, err := mr.Next(); err != nil || m.Type != llrp.MsgKeepalive {
		t.Fatalf("next message: %v, %v; want the KEEPALIVE after it", m.Type, err)
	}
	if _, n, err := llrp.DecodeMessage(stream, 0); !errors.As(err, &ve) || n != llrp.HeaderLen+3 {
		t.Fatalf("DecodeMessage: %d bytes, %v; want the message's 13 bytes and a *VersionError", n, err)
	}
}

func TestDecodeROAccessReportErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "TagReportData without EPC", body: "00F0 0007 81 0001"},
		{name: "TLV length beyond body", body: "00F0 00FF 8D 3074257BF7194E4000001A85"},
		{name: "TLV length below header", body: "00F0 0002"},
		{name: "EPCData bits beyond parameter", body: "00F0 000C 00F1 0008 0080 3074"},
		{name: "EPCData of zero bits", body: "00F0 000A 00F1 0006 0000"},
		{name: "two EPCs", body: "00F0 001D 8D 3074257BF7194E4000001A85 8D 3074257BF7194E4000001A85"},
		{name: "unknown TV type", body: "00F0 0013 8D 3074257BF7194E4000001A85 FF 00"},
		{name: "truncated TV", body: "00F0 0012 8D 3074257BF7194E4000001A85 81"},
		{name: "unknown TV at report level", body: "FE 0000"},
		{name: "truncated TLV header", body: "00F0 00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := mustHex(t, strings.ReplaceAll(tt.body, " ", ""))
			_, err := llrp.DecodeROAccessReport(body, &llrp.ReportState{}, func(*llrp.TagReport) error { return nil })
			if !errors.Is(err, drivers.ErrProtocol) {
				t.Fatalf("err = %v, want ErrProtocol", err)
			}
		})
	}
}

func TestTagReportRoundTrip(t *testing.T) {
	in := []struct {
		tr      llrp.TagReport
		fields  llrp.TagField
		epcData bool
	}{
		{tr: llrp.TagReport{EPC: mustHex(t, "3074257BF7194E4000001A85"), Antenna: 3, PeakRSSI: -70, FirstSeen: 10, LastSeen: 20, SeenCount: 2}, fields: llrp.ReportFields},
		{tr: llrp.TagReport{EPC: mustHex(t, "3074257BF7194E4000001A86"), PeakRSSI: -71}, fields: llrp.FieldPeakRSSI, epcData: true},
		{tr: llrp.TagReport{EPC: mustHex(t, "ABCD"), EPCBits: 14, Antenna: 4, FirstSeen: 5, FirstSeenUptime: true}, fields: llrp.FieldAntennaID | llrp.FieldFirstSeen},
	}
	var body []byte
	for _, r := range in {
		body = llrp.AppendTagReportData(body, &r.tr, r.fields, r.epcData)
	}
	got := reportTags(t, body, &llrp.ReportState{})
	want := []llrp.TagReport{
		{EPC: mustHex(t, "3074257BF7194E4000001A85"), EPCBits: 96, Antenna: 3, PeakRSSI: -70, FirstSeen: 10, LastSeen: 20, SeenCount: 2,
			Present: llrp.ReportFields, Known: llrp.ReportFields},
		{EPC: mustHex(t, "3074257BF7194E4000001A86"), EPCBits: 96, Antenna: 3, PeakRSSI: -71, FirstSeen: 10, LastSeen: 20, SeenCount: 2,
			Present: llrp.FieldPeakRSSI, Known: llrp.ReportFields},
		{EPC: mustHex(t, "ABCD"), EPCBits: 14, Antenna: 4, PeakRSSI: -71, FirstSeen: 5, FirstSeenUptime: true, LastSeen: 20, SeenCount: 2,
			Present: llrp.FieldAntennaID | llrp.FieldFirstSeen, Known: llrp.ReportFields},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// The state spans reports: a later report inherits from this one, and
	// a reset forgets.
	st := llrp.ReportState{}
	reportTags(t, body, &st)
	next := llrp.AppendTagReportData(nil, &llrp.TagReport{EPC: mustHex(t, "01")}, 0, false)
	if got := reportTags(t, next, &st); got[0].Antenna != 4 || got[0].Known != llrp.ReportFields {
		t.Fatalf("inherited %+v", got[0])
	}
	st.Reset()
	if got := reportTags(t, next, &st); got[0].Antenna != 0 || got[0].Known != 0 {
		t.Fatalf("after reset %+v", got[0])
	}
}

func TestReaderConfigRoundTrip(t *testing.T) {
	tests := []llrp.ReaderConfig{
		{},
		{SetKeepalive: true, KeepaliveMS: 5000},
		{SetKeepalive: true, ResetToFactoryDefault: true},
	}
	for _, want := range tests {
		got, err := llrp.DecodeReaderConfig(llrp.AppendReaderConfig(nil, want))
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	}
}

func mustHex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func TestNearestPower(t *testing.T) {
	caps := llrp.Capabilities{TxPower: []llrp.PowerLevel{{Index: 1, CdBm: 1000}, {Index: 2, CdBm: 1025}, {Index: 3, CdBm: 1050}}}
	tests := []struct {
		name string
		cdBm int
		want uint16
	}{
		{name: "exact", cdBm: 1025, want: 2},
		{name: "nearest above", cdBm: 1045, want: 3},
		{name: "tie takes the lower", cdBm: 1037, want: 2},
		{name: "below the table", cdBm: -500, want: 1},
		{name: "above the table", cdBm: 3300, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := caps.NearestPower(tt.cdBm); !ok || got != tt.want {
				t.Fatalf("NearestPower(%d) = %d, %v; want %d", tt.cdBm, got, ok, tt.want)
			}
		})
	}
	if _, ok := (llrp.Capabilities{}).NearestPower(3000); ok {
		t.Fatal("empty table gave an index")
	}
}

// TestCapabilitiesRoundTrip: what the emulator encodes decodes back, for
// every RequestedData.
func TestCapabilitiesRoundTrip(t *testing.T) {
	full := llrp.Capabilities{
		General: true, Manufacturer: 10642, Model: 9600, Firmware: "3.10.30", MaxAntennas: 8,
		CountryCode: 156, TxPower: []llrp.PowerLevel{{Index: 1, CdBm: 1000}, {Index: 2, CdBm: 1025}},
		Hopping: true, Frequencies: []uint32{920625, 920875}, Modes: []uint32{0, 1002},
	}
	fixed := full
	fixed.Hopping, fixed.UTCClock, fixed.Frequencies = false, true, []uint32{922000}
	general := llrp.Capabilities{General: true, Manufacturer: 10642, Model: 9600, Firmware: "3.10.30", MaxAntennas: 8}
	regulatory := full
	regulatory.General, regulatory.Manufacturer, regulatory.Model, regulatory.Firmware, regulatory.MaxAntennas = false, 0, 0, "", 0
	tests := []struct {
		name      string
		requested uint8
		in, want  llrp.Capabilities
	}{
		{name: "all", requested: llrp.CapabilitiesAll, in: full, want: full},
		{name: "all, fixed frequency, UTC clock", requested: llrp.CapabilitiesAll, in: fixed, want: fixed},
		{name: "general", requested: llrp.CapabilitiesGeneral, in: full, want: general},
		{name: "regulatory", requested: llrp.CapabilitiesRegulatory, in: full, want: regulatory},
		{name: "LLRP", requested: llrp.CapabilitiesLLRP, in: full, want: llrp.Capabilities{}},
		{name: "air protocol", requested: llrp.CapabilitiesAirProtocol, in: full, want: llrp.Capabilities{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, st, err := llrp.DecodeCapabilities(llrp.AppendCapabilitiesResponse(nil, llrp.Status{}, tt.requested, tt.in))
			if err != nil || st.Code != llrp.StatusSuccess || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, %v, %v; want %+v", got, st, err, tt.want)
			}
		})
	}
}
