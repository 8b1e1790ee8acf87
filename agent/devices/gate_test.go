package devices_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent/devices"
	"github.com/jxc-edge/jxc/drivers"
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
