package devices_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent/devices"
	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/llrp"
	"github.com/jxc-edge/jxc/drivers/llrp/llrpsim"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// zebraPEN is Zebra Technologies' IANA enterprise number: what a Zebra
// reader gives as its manufacturer.
const zebraPEN = 10642

// shippedReader returns the shipped reader profile named name.
func shippedReader(t *testing.T, name string) profiles.Reader {
	t.Helper()
	set, err := profiles.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range set.Readers() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no shipped reader %s", name)
	return profiles.Reader{}
}

// TestReaderProfilesConnect: the shipped reader profiles and the default
// one connect, on the first attempt, to a reader of their kind that follows
// the spec, and start their ROSpec. A reader that is not an Impinj one gets
// no Impinj extension (it would refuse it with an ERROR_MESSAGE). Before,
// the Zebra FX9600 profile and every profile with the default search mode
// sent IMPINJ_ENABLE_EXTENSIONS, took the refusal as fatal and reconnected
// forever.
func TestReaderProfilesConnect(t *testing.T) {
	defaultProfile := func(t *testing.T) profiles.Reader {
		set, err := profiles.Parse("shelf.yaml", []byte("kind: reader\naddress: 127.0.0.1\nantennas: [{port: 1}]\n"))
		if err != nil {
			t.Fatal(err)
		}
		return set.Readers()[0]
	}
	tests := []struct {
		name       string
		profile    func(*testing.T) profiles.Reader
		reader     llrpsim.Options
		wantImpinj bool
	}{
		{name: "shipped Zebra FX9600 gate on a Zebra reader", profile: func(t *testing.T) profiles.Reader { return shippedReader(t, "gate-2") },
			reader: llrpsim.Options{Manufacturer: zebraPEN, Antennas: 8}},
		{name: "default profile on a Zebra reader", profile: defaultProfile, reader: llrpsim.Options{Manufacturer: zebraPEN}},
		{name: "shipped Impinj R420 dock on an Impinj reader", profile: func(t *testing.T) profiles.Reader { return shippedReader(t, "dock-1") },
			reader: llrpsim.Options{Antennas: 4}, wantImpinj: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, err := llrpsim.Listen("127.0.0.1:0", tt.reader)
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			p := tt.profile(t)
			if p.ROSpec.SearchMode == profiles.SearchReaderSelected || p.ROSpec.SearchMode == "" {
				t.Fatalf("profile %s sets no search mode: the test needs one", p.Name)
			}
			p.Address = sim.Addr()
			r, err := llrp.NewReader(devices.ReaderConfig(p))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { r.Run(ctx, make(chan drivers.TagRead, 1024)); close(done) }()
			defer func() { cancel(); <-done }()
			testenv.WaitFor(t, 10*time.Second, func() error {
				if st := sim.Stats(); !st.Started || !r.Health().Connected {
					return fmt.Errorf("ROSpec not started: sim %+v, health %+v", st, r.Health())
				}
				return nil
			})
			st := sim.Stats()
			if st.Connections != 1 || st.ErrorsSent != 0 || st.ImpinjExtensions != tt.wantImpinj || (st.ROSpec.SearchMode != llrp.SearchModeUnset) != tt.wantImpinj {
				t.Fatalf("sim %+v, ROSpec search mode %v: want one connection, no refusal, Impinj extensions %v", st, st.ROSpec.SearchMode, tt.wantImpinj)
			}
		})
	}
}

// TestGateReaderClock drives a gate through an emulated reader over LLRP
// on TCP whose clock is off the agent's, or counts only uptime: the passes
// booked must be exactly one movement per pass, in its direction, whatever
// the offset; and an offset beyond drivers.MaxClockOffset shows in the
// reader's health. Before, the gate was flushed with the agent's clock: a
// reader 5 s behind booked nothing (every tag looked gone after its first
// read), one ahead booked nothing until the agent stopped.
func TestGateReaderClock(t *testing.T) {
	tests := []struct {
		name       string
		offset     time.Duration
		uptime     bool
		wantSkewed bool
	}{
		{name: "in step"},
		{name: "5s ahead", offset: 5 * time.Second, wantSkewed: true},
		{name: "5s behind", offset: -5 * time.Second, wantSkewed: true},
		{name: "10min ahead", offset: 10 * time.Minute, wantSkewed: true},
		{name: "10min behind", offset: -10 * time.Minute, wantSkewed: true},
		{name: "uptime only", uptime: true},
	}
	epc := func(serial uint64) []byte {
		b, err := gs1.EncodeSGTIN96("06901234000016", serial, 1, 7)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Tag 1 goes in, out and in again; tag 2 goes in, tag 3 out. Outer
	// antenna 1, inner antenna 2.
	type move struct {
		serial uint64
		qty    int64
	}
	passes := []llrpsim.Pass{
		llrpsim.GatePass(epc(1), 0, 1, 2),
		llrpsim.GatePass(epc(2), 100*time.Millisecond, 1, 2),
		llrpsim.GatePass(epc(3), 200*time.Millisecond, 2, 1),
		llrpsim.GatePass(epc(1), 1500*time.Millisecond, 2, 1),
		llrpsim.GatePass(epc(1), 3000*time.Millisecond, 1, 2),
	}
	want := []move{{1, 1}, {2, 1}, {3, -1}, {1, -1}, {1, 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := openLedger(t)
			sim, err := llrpsim.Listen("127.0.0.1:0", llrpsim.Options{Antennas: 2, Passes: passes,
				ClockOffset: tt.offset, UptimeTimestamps: tt.uptime})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			dir := t.TempDir()
			writeProfile(t, dir, "door.yaml", fmt.Sprintf(`kind: reader
address: %s
keepalive: 1s
rospec: {search_mode: reader-selected}
antennas:
  - {port: 1, role: outer}
  - {port: 2, role: inner}
gate:
  bin: DOOR
  hold_off: 300ms
  departure_timeout: 300ms
  min_reads: 2
`, sim.Addr()))
			m := devices.New(l, devices.Options{Dir: dir, Reload: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { m.Run(ctx); close(done) }()
			stopped := false
			stop := func() {
				if !stopped {
					stopped = true
					cancel()
					<-done
				}
			}
			defer stop()
			testenv.WaitFor(t, 30*time.Second, func() error {
				if n := l.LastSeq(); n < uint64(len(want)) {
					return fmt.Errorf("%d movements booked, want %d (passes %d, health %+v)", n, len(want), m.Stats().Passes, m.Health())
				}
				return nil
			})
			var h drivers.Health
			for _, d := range m.Health() {
				h = d
			}
			// The sync status message (up/status) carries the same.
			if sd := m.StatusDevices(); len(sd) != 1 || sd[0].GetClockOffsetMs() != h.ClockOffsetMS || sd[0].GetClockSkewed() != h.ClockSkewed {
				t.Fatalf("status devices %v, want the clock of health %+v", sd, h)
			}
			// Stopping the pipeline decides every tag still tracked: what is
			// booked then is all the gate ever books.
			stop()
			evs := ledgerEvents(t, l)
			got := map[string][]int64{}
			for _, e := range evs {
				mv := e.Msg.GetMovement()
				got[mv.GetEpc()] = append(got[mv.GetEpc()], mv.GetQty())
			}
			wantBy := map[string][]int64{}
			for _, w := range want {
				e, _ := gs1.DecodeEPC(epc(w.serial))
				wantBy[e.Hex] = append(wantBy[e.Hex], w.qty)
			}
			if len(evs) != len(want) || fmt.Sprint(got) != fmt.Sprint(wantBy) {
				t.Fatalf("booked %d movements %v, want %v", len(evs), got, wantBy)
			}
			off := time.Duration(h.ClockOffsetMS) * time.Millisecond
			if h.ClockSkewed != tt.wantSkewed || off < tt.offset-time.Second || off > tt.offset+time.Second {
				t.Fatalf("health %+v: want clock offset about %v, skewed %v", h, tt.offset, tt.wantSkewed)
			}
		})
	}
}
