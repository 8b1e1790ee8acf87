package llrpsim_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/llrp"
	"github.com/jxc-edge/jxc/drivers/llrp/llrpsim"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// rawClient speaks LLRP to the emulator by hand.
type rawClient struct {
	tb testing.TB
	nc net.Conn
	mr *llrp.MessageReader
	id uint32
}

func dial(tb testing.TB, s *llrpsim.Server) *rawClient {
	tb.Helper()
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close() })
	return &rawClient{tb: tb, nc: nc, mr: llrp.NewMessageReader(nc, 0)}
}

// next returns the next message that is not a keepalive or report.
func (c *rawClient) next() llrp.Message {
	c.tb.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		m, err := c.mr.Next()
		if err != nil {
			c.tb.Fatal(err)
		}
		if m.Type != llrp.MsgKeepalive && m.Type != llrp.MsgROAccessReport {
			return m
		}
	}
}

// call sends a message and returns the answer with its ID.
func (c *rawClient) call(version uint8, t llrp.MessageType, body []byte) llrp.Message {
	c.tb.Helper()
	c.id++
	if _, err := c.nc.Write(llrp.AppendMessage(nil, llrp.Message{Version: version, Type: t, ID: c.id, Body: body})); err != nil {
		c.tb.Fatal(err)
	}
	m := c.next()
	if m.ID != c.id {
		c.tb.Fatalf("answer %v has ID %d, want %d", m.Type, m.ID, c.id)
	}
	return m
}

func status(tb testing.TB, m llrp.Message) llrp.Status {
	tb.Helper()
	st, err := llrp.DecodeStatus(m.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func listen(tb testing.TB, opts llrpsim.Options) *llrpsim.Server {
	tb.Helper()
	s, err := llrpsim.Listen("127.0.0.1:0", opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestServerProtocol(t *testing.T) {
	s := listen(t, llrpsim.Options{})
	c := dial(t, s)
	if m := c.next(); m.Type != llrp.MsgReaderEventNotification {
		t.Fatalf("first message %v", m.Type)
	}
	steps := []struct {
		name     string
		version  uint8
		typ      llrp.MessageType
		body     []byte
		wantType llrp.MessageType
		wantCode llrp.StatusCode
	}{
		{name: "1.1 message before negotiation", version: 2, typ: llrp.MsgSetReaderConfig, body: llrp.AppendReaderConfig(nil, llrp.ReaderConfig{}),
			wantType: llrp.MsgErrorMessage, wantCode: llrp.StatusUnsupportedVersion},
		{name: "unknown message", version: 1, typ: 2 /* GET_READER_CONFIG */, wantType: llrp.MsgErrorMessage, wantCode: llrp.StatusUnsupportedMessage},
		// A header version no LLRP has: refused with M_UnsupportedVersion,
		// and the connection goes on (the steps after it).
		{name: "header version 5", version: 5, typ: llrp.MsgSetReaderConfig, body: llrp.AppendReaderConfig(nil, llrp.ReaderConfig{}),
			wantType: llrp.MsgErrorMessage, wantCode: llrp.StatusUnsupportedVersion},
		{name: "start a ROSpec that does not exist", version: 1, typ: llrp.MsgStartROSpec, body: llrp.AppendROSpecID(nil, 5),
			wantType: llrp.MsgStartROSpecResponse, wantCode: llrp.StatusInvalid},
		{name: "add a ROSpec on antenna 9", version: 1, typ: llrp.MsgAddROSpec,
			body:     llrp.AppendAddROSpec(nil, llrp.ROSpecConfig{ID: 5, Antennas: []llrp.AntennaConfig{{ID: 9}}}, 1),
			wantType: llrp.MsgAddROSpecResponse, wantCode: llrp.StatusOutOfRange},
		{name: "add a ROSpec", version: 1, typ: llrp.MsgAddROSpec, body: llrp.AppendAddROSpec(nil, llrp.ROSpecConfig{ID: 5}, 1),
			wantType: llrp.MsgAddROSpecResponse},
		{name: "add it twice", version: 1, typ: llrp.MsgAddROSpec, body: llrp.AppendAddROSpec(nil, llrp.ROSpecConfig{ID: 5}, 1),
			wantType: llrp.MsgAddROSpecResponse, wantCode: llrp.StatusInvalid},
		{name: "start before enable", version: 1, typ: llrp.MsgStartROSpec, body: llrp.AppendROSpecID(nil, 5),
			wantType: llrp.MsgStartROSpecResponse, wantCode: llrp.StatusInvalid},
		{name: "negotiate 1.1", version: 2, typ: llrp.MsgSetProtocolVersion, body: []byte{2}, wantType: llrp.MsgSetProtocolVersionResponse},
		{name: "1.0.1 message after negotiation", version: 1, typ: llrp.MsgEnableROSpec, body: llrp.AppendROSpecID(nil, 5),
			wantType: llrp.MsgErrorMessage, wantCode: llrp.StatusUnsupportedVersion},
		{name: "enable", version: 2, typ: llrp.MsgEnableROSpec, body: llrp.AppendROSpecID(nil, 5), wantType: llrp.MsgEnableROSpecResponse},
		{name: "start", version: 2, typ: llrp.MsgStartROSpec, body: llrp.AppendROSpecID(nil, 5), wantType: llrp.MsgStartROSpecResponse},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			m := c.call(st.version, st.typ, st.body)
			if m.Type != st.wantType {
				t.Fatalf("answer %v, want %v", m.Type, st.wantType)
			}
			if got := status(t, m); got.Code != st.wantCode {
				t.Fatalf("status %+v, want %v", got, st.wantCode)
			}
		})
	}
	if got := s.Stats(); !got.Started || got.Version != 2 {
		t.Fatalf("stats %+v", got)
	}
}

// TestServerReportsOnlyWhileStarted plays a pass before and after a ROSpec
// starts: only the second is reported.
func TestServerReportsOnlyWhileStarted(t *testing.T) {
	s := listen(t, llrpsim.Options{ReportInterval: 5 * time.Millisecond})
	c := dial(t, s)
	c.next()
	epc := []byte{0x30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	pass := llrpsim.Pass{EPC: epc, Antennas: []llrpsim.AntennaSighting{{Antenna: 1, RSSI: -50, Reads: 3}}}
	s.Play(pass)
	testenv.WaitFor(t, 5*time.Second, func() error {
		if st := s.Stats(); st.ReadsDropped != 3 {
			return fmt.Errorf("stats %+v", st)
		}
		return nil
	})
	for _, step := range []struct {
		t    llrp.MessageType
		body []byte
	}{
		{llrp.MsgAddROSpec, llrp.AppendAddROSpec(nil, llrp.ROSpecConfig{ID: 1, StartImmediate: true}, 1)},
		{llrp.MsgEnableROSpec, llrp.AppendROSpecID(nil, 1)},
	} {
		if st := status(t, c.call(1, step.t, step.body)); st.Code != llrp.StatusSuccess {
			t.Fatalf("%v: %+v", step.t, st)
		}
	}
	s.Play(pass)
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	reads := 0
	for reads < 3 {
		m, err := c.mr.Next()
		if err != nil {
			t.Fatal(err)
		}
		if m.Type != llrp.MsgROAccessReport {
			continue
		}
		n, err := llrp.DecodeROAccessReport(m.Body, &llrp.ReportState{}, func(tr *llrp.TagReport) error {
			if tr.Antenna != 1 || tr.PeakRSSI != -50 || tr.Known != llrp.ReportFields {
				return fmt.Errorf("report %+v", tr)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		reads += n
	}
	if st := s.Stats(); st.ReadsSent != 3 || st.ReadsDropped != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestServerRefusesSecondClient(t *testing.T) {
	s := listen(t, llrpsim.Options{})
	first := dial(t, s)
	first.next()
	second := dial(t, s)
	m := second.next()
	ev, err := llrp.DecodeReaderEvent(m.Body)
	if err != nil || ev.ConnectionStatus != llrp.ConnClientConnectionExists {
		t.Fatalf("second client got %+v, %v", ev, err)
	}
	second.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := second.mr.Next(); err == nil {
		t.Fatal("second connection still open")
	}
	if ev, err := llrp.DecodeReaderEvent(first.next().Body); err != nil || ev.ConnectionStatus != llrp.ConnAnotherAttempted {
		t.Fatalf("first client got %+v, %v", ev, err)
	}
}

// capsRule is one line of a parameter's grammar in the LLRP spec: a
// sub-parameter type and how many times it must appear, in order.
type capsRule struct {
	typ      uint16
	min, max int // max 0: no limit
}

// capsShape is a parameter's grammar: the length of its fields (given the
// body, for variable-length fields) and its sub-parameters.
type capsShape struct {
	fields   func(b []byte) int
	children []capsRule
}

func fixed(n int) func([]byte) int { return func([]byte) int { return n } }

// vec is the length of a vector field at off: a 16-bit count of size-byte
// items.
func vec(off, size int) func([]byte) int {
	return func(b []byte) int {
		if len(b) < off+2 {
			return len(b) + 1
		}
		return off + 2 + size*int(b[off])<<8 + size*int(b[off+1])
	}
}

// capsGrammar is GET_READER_CAPABILITIES_RESPONSE's part of the LLRP 1.1
// spec (§17.2.3.2 and §16.2.3.2), as an independent client checks it.
var capsGrammar = map[uint16]capsShape{
	287: {fields: vec(2, 1), children: []capsRule{{288, 0, 1}, {289, 0, 1}}}, // LLRPStatus
	137: {fields: vec(12, 1), children: []capsRule{{139, 1, 0}, {149, 0, 0}, {141, 1, 1}, {140, 1, 0}}},
	139: {fields: fixed(4)},
	149: {fields: fixed(6)},
	141: {fields: fixed(4)},
	140: {fields: vec(2, 1)},
	142: {fields: fixed(24)},
	143: {fields: fixed(4), children: []capsRule{{144, 0, 1}, {1023, 0, 0}}},
	144: {fields: fixed(0), children: []capsRule{{145, 1, 0}, {146, 1, 1}, {328, 1, 0}}},
	145: {fields: fixed(4)},
	146: {fields: fixed(1), children: []capsRule{{147, 0, 0}, {148, 0, 1}}},
	147: {fields: vec(2, 4)},
	148: {fields: vec(0, 4)},
	328: {fields: fixed(0), children: []capsRule{{329, 1, 0}}},
	329: {fields: fixed(28)},
	327: {fields: fixed(3)},
}

// checkParams checks that the parameters in b follow rules, each one's
// body following its grammar.
func checkParams(t *testing.T, where string, b []byte, rules []capsRule) {
	t.Helper()
	var got []llrp.Param
	for len(b) > 0 {
		p, rest, err := llrp.NextParam(b)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		got = append(got, p)
		b = rest
	}
	i := 0
	for _, r := range rules {
		n := 0
		for i < len(got) && got[i].Type == r.typ {
			p := got[i]
			shape, ok := capsGrammar[p.Type]
			if !ok {
				t.Fatalf("%s: no grammar for parameter %d", where, p.Type)
			}
			f := shape.fields(p.Body)
			if f > len(p.Body) {
				t.Fatalf("%s: parameter %d: fields need %d bytes, body has %d", where, p.Type, f, len(p.Body))
			}
			checkParams(t, fmt.Sprintf("%s/%d", where, p.Type), p.Body[f:], shape.children)
			n, i = n+1, i+1
		}
		if n < r.min || r.max > 0 && n > r.max {
			t.Fatalf("%s: parameter %d appears %d times, want %d to %d", where, r.typ, n, r.min, r.max)
		}
	}
	if i < len(got) {
		t.Fatalf("%s: unexpected parameter %d at position %d", where, got[i].Type, i)
	}
}

// TestServerCapabilitiesFollowSpec: the emulator answers
// GET_READER_CAPABILITIES as the spec makes a reader answer, with every
// mandatory parameter (FrequencyInformation among them, which it used to
// leave out), in order, for each RequestedData.
func TestServerCapabilitiesFollowSpec(t *testing.T) {
	s := listen(t, llrpsim.Options{Manufacturer: 10642, Model: 9600, Firmware: "3.10.30", Antennas: 8})
	c := dial(t, s)
	c.next() // the connection event
	tests := []struct {
		name      string
		requested uint8
		want      []capsRule
	}{
		{name: "all", requested: llrp.CapabilitiesAll, want: []capsRule{{287, 1, 1}, {137, 1, 1}, {142, 1, 1}, {143, 1, 1}, {327, 1, 1}}},
		{name: "general", requested: llrp.CapabilitiesGeneral, want: []capsRule{{287, 1, 1}, {137, 1, 1}}},
		{name: "llrp", requested: llrp.CapabilitiesLLRP, want: []capsRule{{287, 1, 1}, {142, 1, 1}}},
		{name: "regulatory", requested: llrp.CapabilitiesRegulatory, want: []capsRule{{287, 1, 1}, {143, 1, 1}}},
		{name: "air protocol", requested: llrp.CapabilitiesAirProtocol, want: []capsRule{{287, 1, 1}, {327, 1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := c.call(llrp.Version101, llrp.MsgGetReaderCapabilities, []byte{tt.requested})
			if m.Type != llrp.MsgGetReaderCapabilitiesResponse {
				t.Fatalf("answer %v", m.Type)
			}
			checkParams(t, "response", m.Body, tt.want)
			caps, st, err := llrp.DecodeCapabilities(m.Body)
			if err != nil || st.Code != llrp.StatusSuccess {
				t.Fatalf("decode: %v, %+v", err, st)
			}
			if tt.requested == llrp.CapabilitiesAll {
				if caps.Manufacturer != 10642 || caps.Model != 9600 || caps.MaxAntennas != 8 || !caps.Hopping || len(caps.Frequencies) != 16 {
					t.Fatalf("capabilities %+v", caps)
				}
			}
		})
	}
	m := c.call(llrp.Version101, llrp.MsgGetReaderCapabilities, []byte{9})
	if st := status(t, m); st.Code != llrp.StatusFieldError {
		t.Fatalf("RequestedData 9: status %+v, want a field error", st)
	}
}
