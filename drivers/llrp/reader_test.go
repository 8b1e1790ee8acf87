package llrp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/llrp"
	"github.com/jxc-edge/jxc/drivers/llrp/llrpsim"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// MustListenSim starts an emulated reader on a free local port.
func MustListenSim(tb testing.TB, opts llrpsim.Options) *llrpsim.Server {
	tb.Helper()
	s, err := llrpsim.Listen("127.0.0.1:0", opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// DriverConfig is a driver configuration with short timings for tests.
func DriverConfig(addr string) llrp.Config {
	return llrp.Config{
		Name:      "dock-1",
		Address:   addr,
		KeepAlive: 250 * time.Millisecond,
		// Generous: other test binaries load this machine. The stall test
		// sets its own.
		ReadTimeout:    2 * time.Second,
		RequestTimeout: 3 * time.Second,
		CloseTimeout:   time.Second,
		RetryMin:       10 * time.Millisecond,
		RetryMax:       100 * time.Millisecond,
		ROSpec: llrp.ROSpecConfig{
			ID:            7,
			Antennas:      []llrp.AntennaConfig{{ID: 1, TxPowerIndex: 81}, {ID: 2, TxPowerIndex: 81}},
			Session:       2,
			TagPopulation: 32,
		},
	}
}

// runningReader is a Reader running in a goroutine.
type runningReader struct {
	*llrp.Reader
	reads  chan drivers.TagRead
	cancel context.CancelFunc
	done   chan error
}

// MustRunReader starts a Reader; the test's cleanup stops it.
func MustRunReader(tb testing.TB, cfg llrp.Config) *runningReader {
	tb.Helper()
	r, err := llrp.NewReader(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rr := &runningReader{Reader: r, reads: make(chan drivers.TagRead, 100000), cancel: cancel, done: make(chan error, 1)}
	go func() { rr.done <- r.Run(ctx, rr.reads) }()
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("reader health %+v, last error %v", r.Health(), r.LastError())
		}
		cancel()
		select {
		case <-rr.done:
		case <-time.After(5 * time.Second):
			tb.Error("Run did not return")
		}
	})
	return rr
}

// waitRunning waits until the reader is connected and its ROSpec runs.
func waitRunning(tb testing.TB, s *llrpsim.Server, r *runningReader) {
	tb.Helper()
	testenv.WaitFor(tb, 5*time.Second, func() error {
		if h := r.Health(); !h.Connected || !s.Stats().Started {
			return fmt.Errorf("not running: health %+v, sim %+v", h, s.Stats())
		}
		return nil
	})
}

// collect receives n tag reads.
func collect(tb testing.TB, r *runningReader, n int) []drivers.TagRead {
	tb.Helper()
	var got []drivers.TagRead
	timeout := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case tr := <-r.reads:
			got = append(got, tr)
		case <-timeout:
			tb.Fatalf("got %d of %d reads; health %+v", len(got), n, r.Health())
		}
	}
	return got
}

func mustSGTIN(tb testing.TB, serial uint64) []byte {
	tb.Helper()
	epc, err := gs1.EncodeSGTIN96("80614141123458", serial, 1, 7)
	if err != nil {
		tb.Fatal(err)
	}
	return epc
}

// expectedReads lists the reads a Pass produces, in time order, with
// timestamps at the microsecond resolution LLRP carries.
type expectedRead struct {
	epc     []byte
	antenna uint16
	rssi    int8
	at      time.Time
}

func expectReads(base time.Time, passes ...llrpsim.Pass) []expectedRead {
	var out []expectedRead
	for _, p := range passes {
		for _, a := range p.Antennas {
			n := max(a.Reads, 1)
			for k := range n {
				at := base.Add(p.Start + a.At)
				if n > 1 {
					at = at.Add(a.Span * time.Duration(k) / time.Duration(n-1))
				}
				out = append(out, expectedRead{epc: p.EPC, antenna: a.Antenna, rssi: a.RSSI, at: at})
			}
		}
	}
	return out
}

func TestReaderDeliversPasses(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{})
	r := MustRunReader(t, DriverConfig(sim.Addr()))
	waitRunning(t, sim, r)

	in := llrpsim.GatePass(mustSGTIN(t, 1), 0, 1, 2)                     // outer → inner: inbound
	out := llrpsim.GatePass(mustSGTIN(t, 2), 800*time.Millisecond, 2, 1) // inner → outer: outbound
	base := sim.Play(in, out)
	want := expectReads(base, in, out)
	got := collect(t, r, len(want))

	for i, w := range want {
		g := got[i]
		wantAt := time.UnixMicro(w.at.UnixMicro())
		if !bytes.Equal(g.EPC, w.epc) || g.Antenna != w.antenna || g.RSSI != w.rssi ||
			!g.FirstSeen.Equal(wantAt) || !g.LastSeen.Equal(wantAt) || g.Count != 1 || g.Reader != "dock-1" {
			t.Fatalf("read %d: got %+v\nwant epc %X antenna %d rssi %d at %v", i, g, w.epc, w.antenna, w.rssi, wantAt)
		}
		if g.FirstSeen.Location() != time.UTC {
			t.Fatalf("read %d: time in %v, want UTC", i, g.FirstSeen.Location())
		}
	}

	if v := r.Version(); v != llrp.Version11 {
		t.Fatalf("version %d, want LLRP 1.1", v)
	}
	st := sim.Stats()
	spec := st.ROSpec
	if spec == nil || spec.ID != 7 || spec.Session != 2 || spec.TagPopulation != 32 || len(spec.AntennaIDs) != 2 ||
		spec.StartImmediate || spec.Fields != llrp.ReportFields || spec.Antennas[0].TxPowerIndex != 81 {
		t.Fatalf("sim got ROSpec %+v", spec)
	}
	testenv.WaitFor(t, time.Second, func() error {
		if h := r.Health(); h.Events != uint64(len(want)) || h.LastEvent.IsZero() || h.Kind != "llrp" || h.Device != "dock-1" {
			return fmt.Errorf("health %+v", h)
		}
		return nil
	})
}

// TestReaderAntennaFilter checks the ROSpec's antenna list is honoured:
// reads on antennas outside it never arrive.
func TestReaderAntennaFilter(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{})
	r := MustRunReader(t, DriverConfig(sim.Addr())) // antennas 1 and 2
	waitRunning(t, sim, r)
	sim.Play(
		llrpsim.Pass{EPC: mustSGTIN(t, 3), Antennas: []llrpsim.AntennaSighting{{Antenna: 3, RSSI: -40}}},
		llrpsim.Pass{EPC: mustSGTIN(t, 4), Start: 50 * time.Millisecond, Antennas: []llrpsim.AntennaSighting{{Antenna: 2, RSSI: -41}}},
	)
	got := collect(t, r, 1)
	if !bytes.Equal(got[0].EPC, mustSGTIN(t, 4)) || got[0].Antenna != 2 {
		t.Fatalf("got %+v", got[0])
	}
}

func TestReaderVersion(t *testing.T) {
	tests := []struct {
		name        string
		simVersion  uint8
		maxVersion  uint8
		wantVersion uint8
		wantTrigger uint8
		wantErrors  bool
	}{
		{name: "1.1 reader", simVersion: llrp.Version11, wantVersion: llrp.Version11, wantTrigger: llrp.ReportTriggerNMillisOrEndAI},
		{name: "1.0.1 reader: fallback", simVersion: llrp.Version101, wantVersion: llrp.Version101, wantTrigger: llrp.ReportTriggerNTagsOrEndAISpec, wantErrors: true},
		{name: "1.1 reader, 1.0.1 configured", simVersion: llrp.Version11, maxVersion: llrp.Version101, wantVersion: llrp.Version101, wantTrigger: llrp.ReportTriggerNTagsOrEndAISpec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := MustListenSim(t, llrpsim.Options{MaxVersion: tt.simVersion})
			cfg := DriverConfig(sim.Addr())
			cfg.MaxVersion = tt.maxVersion
			cfg.ROSpec.ReportTimeoutMS = 100
			r := MustRunReader(t, cfg)
			waitRunning(t, sim, r)
			if got := r.Version(); got != tt.wantVersion {
				t.Fatalf("driver version %d, want %d", got, tt.wantVersion)
			}
			st := sim.Stats()
			if st.Version != tt.wantVersion || st.ROSpec.ReportTrigger != tt.wantTrigger || st.Connections != 1 {
				t.Fatalf("sim stats %+v, ROSpec %+v", st, st.ROSpec)
			}
			if (st.ErrorsSent > 0) != tt.wantErrors {
				t.Fatalf("sim sent %d errors", st.ErrorsSent)
			}
			// Reads flow on whatever version was agreed.
			sim.Play(llrpsim.Pass{EPC: mustSGTIN(t, 9), Antennas: []llrpsim.AntennaSighting{{Antenna: 1, RSSI: -50}}})
			if got := collect(t, r, 1); !bytes.Equal(got[0].EPC, mustSGTIN(t, 9)) {
				t.Fatalf("got %+v", got[0])
			}
			if h := r.Health(); h.Errors != 0 {
				t.Fatalf("health %+v", h)
			}
		})
	}
}

// TestReaderUptimeAndOmittedFields runs a reader that stamps reads with its
// uptime, sends EPCData, and leaves out unchanged fields.
func TestReaderUptimeAndOmittedFields(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{UptimeTimestamps: true, OmitUnchanged: true, EPCData: true, BootedAgo: 30 * time.Hour})
	r := MustRunReader(t, DriverConfig(sim.Addr()))
	waitRunning(t, sim, r)
	p := llrpsim.Pass{EPC: mustSGTIN(t, 5), Antennas: []llrpsim.AntennaSighting{
		{Antenna: 2, RSSI: -61, Reads: 4, Span: 30 * time.Millisecond},
		{Antenna: 1, At: 100 * time.Millisecond, RSSI: -61, Reads: 3},
	}}
	base := sim.Play(p)
	want := expectReads(base, p)
	got := collect(t, r, len(want))
	for i, w := range want {
		g := got[i]
		// Uptime is placed on the local clock from the connection event:
		// late by the time that event took to arrive (loopback, but this
		// machine may be busy).
		if d := g.FirstSeen.Sub(w.at); d < -5*time.Millisecond || d > 300*time.Millisecond {
			t.Fatalf("read %d at %v, want %v (off %v)", i, g.FirstSeen, w.at, d)
		}
		if !bytes.Equal(g.EPC, w.epc) || g.Antenna != w.antenna || g.RSSI != w.rssi || g.Count != 1 || !g.LastSeen.Equal(g.FirstSeen) {
			t.Fatalf("read %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestReaderAnswersKeepalives(t *testing.T) {
	// The sim hangs up after ten unanswered keepalives in a row.
	sim := MustListenSim(t, llrpsim.Options{MaxMissedAcks: 10})
	cfg := DriverConfig(sim.Addr())
	cfg.KeepAlive = 50 * time.Millisecond
	r := MustRunReader(t, cfg)
	waitRunning(t, sim, r)
	testenv.WaitFor(t, 5*time.Second, func() error {
		if st := sim.Stats(); st.KeepaliveAcks < 8 || st.KeepaliveMS != 50 {
			return fmt.Errorf("sim stats %+v", st)
		}
		return nil
	})
	if st := sim.Stats(); st.Connections != 1 || st.KeepaliveAcks+10 < st.KeepalivesSent {
		t.Fatalf("sim stats %+v", st)
	}
}

func TestReaderReconnects(t *testing.T) {
	tests := []struct {
		name    string
		fault   func(*llrpsim.Server)
		wantErr func(error) bool
	}{
		{
			name:    "dropped connection",
			fault:   (*llrpsim.Server).DropConnection,
			wantErr: func(err error) bool { return err != nil },
		},
		{
			name:  "garbage",
			fault: (*llrpsim.Server).SendGarbage,
			wantErr: func(err error) bool {
				return errors.Is(err, drivers.ErrProtocol) && strings.Contains(err.Error(), "version 7")
			},
		},
		{
			// A stalled reader sends nothing: the read deadline (two
			// keepalive intervals) finds it dead.
			name:    "stalled reader",
			fault:   (*llrpsim.Server).Stall,
			wantErr: func(err error) bool { return err != nil && strings.Contains(err.Error(), "no message from the reader") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := MustListenSim(t, llrpsim.Options{})
			cfg := DriverConfig(sim.Addr())
			cfg.KeepAlive = 100 * time.Millisecond
			cfg.ReadTimeout = 0 // two keepalive intervals
			r := MustRunReader(t, cfg)
			waitRunning(t, sim, r)

			tt.fault(sim)
			testenv.WaitFor(t, 5*time.Second, func() error {
				st, h := sim.Stats(), r.Health()
				if st.Connections < 2 || !st.Started || !h.Connected || h.Errors < 1 {
					return fmt.Errorf("not reconnected: sim %+v, health %+v", st, h)
				}
				return nil
			})
			if err := r.LastError(); !tt.wantErr(err) {
				t.Fatalf("last error %v", err)
			}
			if h := r.Health(); h.LastError == "" {
				t.Fatalf("health %+v", h)
			}
			sim.Play(llrpsim.Pass{EPC: mustSGTIN(t, 6), Antennas: []llrpsim.AntennaSighting{{Antenna: 1, RSSI: -45}}})
			if got := collect(t, r, 1); !bytes.Equal(got[0].EPC, mustSGTIN(t, 6)) {
				t.Fatalf("after reconnect got %+v", got[0])
			}
		})
	}
}

// TestReaderSkipsUnsupportedVersion: a message whose header names an LLRP
// version that does not exist is skipped by its length and counted; the
// connection goes on.
func TestReaderSkipsUnsupportedVersion(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{})
	r := MustRunReader(t, DriverConfig(sim.Addr()))
	waitRunning(t, sim, r)
	sim.SendUnsupportedVersion(5)
	sim.Play(llrpsim.Pass{EPC: mustSGTIN(t, 8), Antennas: []llrpsim.AntennaSighting{{Antenna: 1, RSSI: -45}}})
	if got := collect(t, r, 1); !bytes.Equal(got[0].EPC, mustSGTIN(t, 8)) {
		t.Fatalf("got %+v", got[0])
	}
	var ve *llrp.VersionError
	if err := r.LastError(); !errors.As(err, &ve) || ve.Version != 5 {
		t.Fatalf("last error %v, want the skipped message's *VersionError", err)
	}
	if st, h := sim.Stats(), r.Health(); st.Connections != 1 || !h.Connected || h.Errors != 1 {
		t.Fatalf("sim %+v, health %+v: want one connection, one error counted", st, h)
	}
}

// TestReaderClockOffset: the reader's clock offset, from its reports' UTC
// timestamps, is in Health and flagged beyond drivers.MaxClockOffset; a
// reader counting uptime has its times placed on the agent's clock.
func TestReaderClockOffset(t *testing.T) {
	tests := []struct {
		name       string
		opts       llrpsim.Options
		want       time.Duration
		wantSkewed bool
	}{
		{name: "10 minutes behind", opts: llrpsim.Options{ClockOffset: -10 * time.Minute}, want: -10 * time.Minute, wantSkewed: true},
		{name: "5 s ahead", opts: llrpsim.Options{ClockOffset: 5 * time.Second}, want: 5 * time.Second, wantSkewed: true},
		{name: "1 s ahead", opts: llrpsim.Options{ClockOffset: time.Second}, want: time.Second},
		{name: "uptime", opts: llrpsim.Options{UptimeTimestamps: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := MustListenSim(t, tt.opts)
			r := MustRunReader(t, DriverConfig(sim.Addr()))
			waitRunning(t, sim, r)
			sim.Play(llrpsim.Pass{EPC: mustSGTIN(t, 9), Antennas: []llrpsim.AntennaSighting{{Antenna: 1, RSSI: -45}}})
			collect(t, r, 1)
			// The report is counted just after its reads are handed over.
			testenv.WaitFor(t, 5*time.Second, func() error {
				if h := r.Health(); h.Events == 0 {
					return fmt.Errorf("report not counted: %+v", h)
				}
				return nil
			})
			h := r.Health()
			// The offset includes the delivery latency: the reader's time
			// at the read minus the agent's at its arrival.
			got := time.Duration(h.ClockOffsetMS) * time.Millisecond
			if got < tt.want-time.Second/2 || got > tt.want+time.Second/2 || h.ClockSkewed != tt.wantSkewed {
				t.Fatalf("health %+v: want an offset of about %v, skewed %v", h, tt.want, tt.wantSkewed)
			}
		})
	}
}

func TestReaderBusy(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{})
	// Someone else holds the reader.
	other, err := net.Dial("tcp", sim.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mr := llrp.NewMessageReader(other, 0)
	if m, err := mr.Next(); err != nil || m.Type != llrp.MsgReaderEventNotification {
		t.Fatalf("first client: %v %v", m.Type, err)
	}

	r := MustRunReader(t, DriverConfig(sim.Addr()))
	testenv.WaitFor(t, 5*time.Second, func() error {
		if err := r.LastError(); !errors.Is(err, drivers.ErrBusy) || !strings.Contains(err.Error(), "client-initiated connection already exists") {
			return fmt.Errorf("last error %v", err)
		}
		return nil
	})
	// The first client hears of the attempt.
	m, err := mr.Next()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := llrp.DecodeReaderEvent(m.Body)
	if err != nil || !ev.ConnectionAttempt || ev.ConnectionStatus != llrp.ConnAnotherAttempted {
		t.Fatalf("first client got %+v, %v", ev, err)
	}
	if h := r.Health(); h.Connected {
		t.Fatalf("health %+v", h)
	}

	// Once the other client leaves, the driver gets in.
	other.Close()
	waitRunning(t, sim, r)
	if st := sim.Stats(); st.Rejected < 1 {
		t.Fatalf("sim stats %+v", st)
	}
}

func TestReaderAddROSpecRefused(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{AddROSpecError: llrp.Status{Code: llrp.StatusOutOfRange, Description: "antenna 9 does not exist"}})
	r := MustRunReader(t, DriverConfig(sim.Addr()))
	testenv.WaitFor(t, 5*time.Second, func() error {
		var se *llrp.StatusError
		err := r.LastError()
		if !errors.As(err, &se) || se.Message != llrp.MsgAddROSpec || !errors.Is(err, drivers.ErrDevice) ||
			!strings.Contains(err.Error(), "ADD_ROSPEC") || !strings.Contains(err.Error(), "antenna 9 does not exist") {
			return fmt.Errorf("last error %v", err)
		}
		return nil
	})
	if h := r.Health(); h.Connected || h.Errors < 1 {
		t.Fatalf("health %+v", h)
	}
	sim.SetAddROSpecError(llrp.Status{})
	waitRunning(t, sim, r)
}

// TestReaderPowerInCdBm gives antenna powers in hundredths of a dBm, as
// profiles do: the driver reads the reader's power table and sends the
// nearest indices.
func TestReaderPowerInCdBm(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{})
	cfg := DriverConfig(sim.Addr())
	cfg.ROSpec.ModeIndex = 1002
	cfg.ROSpec.Antennas = []llrp.AntennaConfig{{ID: 1, TxPowerCdBm: 3000}, {ID: 2, TxPowerCdBm: 2710}, {ID: 3, TxPowerIndex: 5, TxPowerCdBm: 3000}, {ID: 4}}
	r := MustRunReader(t, cfg)
	waitRunning(t, sim, r)
	var got []uint16
	for _, a := range sim.Stats().ROSpec.Antennas {
		got = append(got, a.TxPowerIndex)
	}
	// 30.00 dBm is entry 81; 27.10 is nearest 27.00, entry 69; an index
	// given wins; antenna 4 keeps the reader's power (no RFTransmitter).
	if want := []uint16{81, 69, 5, 0}; !slices.Equal(got, want) {
		t.Fatalf("power indices %v, want %v", got, want)
	}
}

// TestReaderImpinjSearchMode: Impinj's search mode is sent, after
// IMPINJ_ENABLE_EXTENSIONS, only to a reader that is an Impinj one by its
// capabilities or by the profile. Any other reader gets a ROSpec without
// it, and a refused extension is skipped: the connection comes up on the
// first attempt either way. Before, a non-Impinj reader refused the
// extension and the driver reconnected forever.
func TestReaderImpinjSearchMode(t *testing.T) {
	const zebra = 10642 // Zebra Technologies' IANA enterprise number
	tests := []struct {
		name         string
		manufacturer uint32
		vendor       llrp.Vendor
		wantImpinj   bool // extensions enabled, search mode in the ROSpec
		wantRefusals int  // ERROR_MESSAGEs the reader sent
	}{
		{name: "impinj reader", wantImpinj: true},
		{name: "other maker", manufacturer: zebra},
		{name: "other maker, profile says impinj", manufacturer: zebra, vendor: llrp.VendorImpinj, wantRefusals: 1},
		{name: "impinj reader, profile says other", vendor: llrp.VendorOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := MustListenSim(t, llrpsim.Options{Manufacturer: tt.manufacturer})
			cfg := DriverConfig(sim.Addr())
			cfg.ROSpec.SearchMode = llrp.SearchModeDualTarget
			cfg.Vendor = tt.vendor
			r := MustRunReader(t, cfg)
			waitRunning(t, sim, r)
			st := sim.Stats()
			want := llrp.SearchModeUnset
			if tt.wantImpinj {
				want = llrp.SearchModeDualTarget
			}
			if st.ImpinjExtensions != tt.wantImpinj || st.ROSpec.SearchMode != want || st.ErrorsSent != tt.wantRefusals || st.Connections != 1 {
				t.Fatalf("sim stats %+v, ROSpec %+v; want extensions %v, search mode %v, %d refusals, one connection",
					st, st.ROSpec, tt.wantImpinj, want, tt.wantRefusals)
			}
			if h := r.Health(); h.Errors != 0 {
				t.Fatalf("health %+v, want no errors", h)
			}
		})
	}
}

func TestReaderShutdownClosesConnection(t *testing.T) {
	tests := []struct {
		name string
		stop func(*runningReader)
	}{
		{name: "Close", stop: func(r *runningReader) { r.Close() }},
		{name: "context cancelled", stop: func(r *runningReader) { r.cancel() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := MustListenSim(t, llrpsim.Options{Noise: llrpsim.Noise{Tags: 50, ReadsPerSecond: 2000}})
			r := MustRunReader(t, DriverConfig(sim.Addr()))
			waitRunning(t, sim, r)
			collect(t, r, 10)
			tt.stop(r)
			select {
			case err := <-r.done:
				if err != nil {
					t.Fatalf("Run returned %v", err)
				}
				r.done <- nil // for the cleanup
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not return")
			}
			if st := sim.Stats(); st.CloseRequests != 1 {
				t.Fatalf("sim stats %+v", st)
			}
			if h := r.Health(); h.Connected {
				t.Fatalf("health %+v", h)
			}
		})
	}
}

func TestNewReaderInvalid(t *testing.T) {
	tests := []struct {
		name string
		cfg  llrp.Config
	}{
		{name: "no address", cfg: llrp.Config{}},
		{name: "keepalive below 1ms", cfg: llrp.Config{Address: "r", KeepAlive: time.Microsecond}},
		{name: "version 3", cfg: llrp.Config{Address: "r", MaxVersion: 3}},
		{name: "bad rospec", cfg: llrp.Config{Address: "r", ROSpec: llrp.ROSpecConfig{Session: 9}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := llrp.NewReader(tt.cfg); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// BenchmarkReaderOverTCP measures tag reads/s from an emulated reader
// through the driver to the out channel, over loopback TCP.
func BenchmarkReaderOverTCP(b *testing.B) {
	sim := MustListenSim(b, llrpsim.Options{Noise: llrpsim.Noise{Tags: 500, ReadsPerSecond: 400000}, MaxReportTags: 2000})
	r := MustRunReader(b, DriverConfig(sim.Addr()))
	waitRunning(b, sim, r)
	b.ResetTimer()
	for range b.N {
		<-r.reads
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}

// retryLog is a slog handler that keeps the retry_in of every "reader
// connection failed" record: the backoff the driver chose.
type retryLog struct {
	mu    *sync.Mutex
	waits *[]time.Duration
}

func newRetryLog() retryLog { return retryLog{mu: &sync.Mutex{}, waits: new([]time.Duration)} }

func (retryLog) Enabled(context.Context, slog.Level) bool { return true }
func (l retryLog) WithAttrs([]slog.Attr) slog.Handler     { return l }
func (l retryLog) WithGroup(string) slog.Handler          { return l }
func (l retryLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "retry_in" {
			l.mu.Lock()
			*l.waits = append(*l.waits, a.Value.Duration())
			l.mu.Unlock()
		}
		return true
	})
	return nil
}

func (l retryLog) get() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(*l.waits)
}

// TestReaderBackoffResetsOnConnect: a reader that reboots again and again
// (the connection drops after a complete connect sequence) is retried
// after RetryMin each time; the backoff grows only over attempts that
// fail. Before the fix it grew until a connection had stayed up 30 s, so
// a rebooted reader left the door blind for seconds.
func TestReaderBackoffResetsOnConnect(t *testing.T) {
	sim := MustListenSim(t, llrpsim.Options{})
	cfg := DriverConfig(sim.Addr())
	cfg.RetryMin, cfg.RetryMax = 50*time.Millisecond, time.Minute
	log := newRetryLog()
	cfg.Logger = slog.New(log)
	r := MustRunReader(t, cfg)
	waitRunning(t, sim, r)
	const reboots = 5
	for i := range reboots {
		sim.DropConnection()
		testenv.WaitFor(t, 10*time.Second, func() error {
			if st := sim.Stats(); st.Connections < i+2 || !st.Started || !r.Health().Connected {
				return fmt.Errorf("reboot %d: not reconnected: sim %+v", i+1, st)
			}
			return nil
		})
	}
	waits := log.get()
	if len(waits) != reboots {
		t.Fatalf("%d retries logged (%v), want %d", len(waits), waits, reboots)
	}
	// RetryMin with at most +20% jitter; a backoff that grew would be
	// 100ms, 200ms, 400ms… after the first.
	for i, w := range waits {
		if w > cfg.RetryMin*6/5 {
			t.Errorf("retry %d after %v, want RetryMin (%v ±20%%): %v", i+1, w, cfg.RetryMin, waits)
		}
	}
}
