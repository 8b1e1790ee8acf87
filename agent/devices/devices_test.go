package devices_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/devices"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/llrp/llrpsim"
	"github.com/jxc-edge/jxc/drivers/scale/scalesim"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

func openLedger(t *testing.T) *sqlite.Ledger {
	t.Helper()
	l, err := sqlite.Open(t.TempDir(), sqlite.Options{Tenant: "t", Site: "wh"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// run starts a manager on the profiles in dir and stops it at cleanup.
func run(t *testing.T, l devices.Ledger, dir string) *devices.Manager {
	t.Helper()
	return runWith(t, l, dir, devices.Options{})
}

// runWith is run with opts (Dir and Reload set by it).
func runWith(t *testing.T, l devices.Ledger, dir string, opts devices.Options) *devices.Manager {
	t.Helper()
	opts.Dir, opts.Reload = dir, 200*time.Millisecond
	m := devices.New(l, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	testenv.WaitFor(t, 10*time.Second, func() error {
		if m.Version() == "" {
			return fmt.Errorf("profiles not applied (errors: %d)", m.Stats().ProfileErrors)
		}
		return nil
	})
	return m
}

func writeProfile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ledgerEvents returns every own event of l.
func ledgerEvents(t *testing.T, l *sqlite.Ledger) []syncproto.Event {
	t.Helper()
	var out []syncproto.Event
	for from := uint64(1); from <= l.LastSeq(); {
		evs, err := l.Events(context.Background(), from, 10000, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, evs...)
		from += uint64(len(evs))
	}
	return out
}

// TestGatePortal500Tags: a scripted population of 500 tagged cartons passes
// an emulated dock-door portal in and, later, out, among weak reads of
// stock staged nearby. The reader is driven over real LLRP on TCP; the
// ledger must end with exactly one receipt and one shipment per EPC.
func TestGatePortal500Tags(t *testing.T) {
	l := openLedger(t)
	var gtins []string
	for i := range 5 {
		gtins = append(gtins, "0"+ean13(fmt.Sprintf("69012340000%d", i)))
	}
	var products []agent.Product
	for i, g := range gtins {
		products = append(products, agent.Product{GTIN: g, SKU: fmt.Sprintf("CARTON-%d", i), Unit: "pcs"})
	}
	if err := l.PutProducts(context.Background(), products); err != nil {
		t.Fatal(err)
	}
	var passes []llrpsim.Pass
	epcs := map[string]string{} // EPC hex → SKU
	for i := range 500 {
		epc, err := gs1.EncodeSGTIN96(gtins[i%5], uint64(1000+i), 1, 7)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := gs1.DecodeEPC(epc)
		epcs[e.Hex] = products[i%5].SKU
		start := time.Duration(i) * 4 * time.Millisecond
		passes = append(passes,
			llrpsim.GatePass(epc, start, 1, 3),               // outer, then inner: in
			llrpsim.GatePass(epc, 4*time.Second+start, 4, 2)) // inner, then outer: out
	}
	sim, err := llrpsim.Listen("127.0.0.1:0", llrpsim.Options{Antennas: 4, Passes: passes,
		Noise: llrpsim.Noise{Tags: 50, ReadsPerSecond: 2000, MinRSSI: -80, MaxRSSI: -72}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	writeProfile(t, dir, "dock.yaml", fmt.Sprintf(`kind: reader
address: %s
keepalive: 1s
antennas:
  - {port: 1, role: outer}
  - {port: 2, role: outer}
  - {port: 3, role: inner}
  - {port: 4, role: inner}
gate:
  bin: DOCK-1
  rssi_threshold_dbm: -68
  hold_off: 500ms
  departure_timeout: 400ms
  min_reads: 2
`, sim.Addr()))
	m := run(t, l, dir)
	testenv.WaitFor(t, 60*time.Second, func() error {
		if n := l.LastSeq(); n < 1000 {
			return fmt.Errorf("%d movements recorded, want 1000 (passes %d)", n, m.Stats().Passes)
		}
		return nil
	})
	evs := ledgerEvents(t, l)
	if len(evs) != 1000 {
		t.Fatalf("%d movements, want exactly 1000", len(evs))
	}
	type seen struct{ in, out int }
	got := map[string]*seen{}
	for _, e := range evs {
		mv := e.Msg.GetMovement()
		sku, ok := epcs[mv.GetEpc()]
		if !ok {
			t.Fatalf("movement of an EPC that never passed: %v", mv)
		}
		if mv.GetSku() != sku || mv.GetBin() != "DOCK-1" || mv.GetDevice() != "dock" {
			t.Fatalf("movement %v: want sku %s, bin DOCK-1, device dock", mv, sku)
		}
		s := got[mv.GetEpc()]
		if s == nil {
			s = &seen{}
			got[mv.GetEpc()] = s
		}
		switch {
		case mv.GetQty() == 1 && mv.GetReason() == "receive" && s.out == 0:
			s.in++
		case mv.GetQty() == -1 && mv.GetReason() == "ship" && s.in == 1:
			s.out++
		default:
			t.Fatalf("unexpected movement %v after %+v", mv, *s)
		}
	}
	for epc, s := range got {
		if s.in != 1 || s.out != 1 {
			t.Errorf("EPC %s: %d in, %d out", epc, s.in, s.out)
		}
	}
	if len(got) != 500 {
		t.Errorf("%d EPCs moved, want 500", len(got))
	}
	rows, err := l.Stock(context.Background(), agent.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Qty != 0 {
			t.Errorf("on-hand %+v after every carton went in and out", r)
		}
	}
	hs := m.Health()
	if len(hs) != 1 || !hs[0].Connected || hs[0].Events == 0 {
		t.Errorf("health = %+v, want the reader connected with reads", hs)
	}
}

func ean13(first12 string) string {
	sum := 0
	for i, c := range first12 {
		v := int(c - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	return first12 + string(rune('0'+(10-sum%10)%10))
}

// TestReceivingStation: a serial scanner and an MT-SICS scale, both
// emulated on pseudo-terminals, make a receiving station. Each scan books
// the item with the quantity its code carries, its stable weight when it is
// sold by weight, or 1; an unknown GTIN is booked under GTIN-…; a code that
// is no GS1 code is refused and counted.
func TestReceivingStation(t *testing.T) {
	l := openLedger(t)
	pieces, cheese, loose := ean13("690123456001"), ean13("690123456002"), ean13("210012300000")
	unknown := ean13("690123456099")
	err := l.PutProducts(context.Background(), []agent.Product{
		{GTIN: pieces, SKU: "TEA-250", Unit: "pcs"},
		{GTIN: cheese, SKU: "CHEESE", Unit: "g"},
		{GTIN: loose, SKU: "APPLES", Unit: "g"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scannersim.New()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	sc.SetTerminator("\r")
	sim, err := scalesim.ServePTY(scalesim.Options{Protocol: scalesim.MTSICS, Unit: "kg", Decimals: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	dir := t.TempDir()
	writeProfile(t, dir, "bench.yaml", fmt.Sprintf("kind: scale\nprotocol: mt-sics\nport: %s\nunit: kg\nstable_timeout: 3s\n", sim.Path()))
	writeProfile(t, dir, "desk.yaml", fmt.Sprintf(`kind: scanner
transport: serial
port: %s
symbology_prefixes: ["]E0", "]C1"]
terminator: cr
station:
  bin: RCV-01
  reason: receive
  scale: bench
`, sc.Path()))
	m := run(t, l, dir)
	testenv.WaitFor(t, 10*time.Second, func() error {
		for _, h := range m.Health() {
			if !h.Connected {
				return fmt.Errorf("%s not connected: %s", h.Device, h.LastError)
			}
		}
		return nil
	})

	type want struct {
		sku string
		qty int64
	}
	steps := []struct {
		name string
		load int64 // scale load in g (3 decimals of kg)
		code string
		want *want
	}{
		{"counted item", 0, "]E0" + pieces, &want{"TEA-250", 1}},
		{"weighed on the scale", 1234, "]E0" + cheese, &want{"CHEESE", 1234}},
		{"count in the code", 0, "]C1" + "01" + "0" + pieces + "30" + "12", &want{"TEA-250", 12}},
		{"in-store weight label", 0, "]E0" + ean13("210012301500"), &want{"APPLES", 1500}},
		{"unknown GTIN", 0, "]E0" + unknown, &want{"GTIN-0" + unknown, 1}},
		{"not a GS1 code", 0, "hello", nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			sim.SetLoad(st.load)
			before, rejected := l.LastSeq(), m.Stats().ScanRejected
			if err := sc.Scan(st.code); err != nil {
				t.Fatal(err)
			}
			testenv.WaitFor(t, 10*time.Second, func() error {
				if l.LastSeq() == before && m.Stats().ScanRejected == rejected {
					return fmt.Errorf("scan %q not handled yet", st.code)
				}
				return nil
			})
			if st.want == nil {
				if l.LastSeq() != before {
					t.Fatalf("%q was recorded", st.code)
				}
				return
			}
			evs, err := l.Events(context.Background(), before+1, 1, 0)
			if err != nil || len(evs) != 1 {
				t.Fatalf("events after %d: %v, %v", before, evs, err)
			}
			mv := evs[0].Msg.GetMovement()
			if mv.GetSku() != st.want.sku || mv.GetQty() != st.want.qty || mv.GetBin() != "RCV-01" || mv.GetReason() != "receive" {
				t.Errorf("recorded %v, want %s ×%d into RCV-01", mv, st.want.sku, st.want.qty)
			}
		})
	}
}

func TestGrams(t *testing.T) {
	tests := []struct {
		name string
		w    drivers.Weight
		want int64
	}{
		{"kg 3 decimals", drivers.Weight{Value: 1234, Decimals: 3, Unit: "kg"}, 1234},
		{"kg 2 decimals", drivers.Weight{Value: 125, Decimals: 2, Unit: "kg"}, 1250},
		{"g", drivers.Weight{Value: 5005, Decimals: 1, Unit: "g"}, 500},
		{"g half to even up", drivers.Weight{Value: 5015, Decimals: 1, Unit: "g"}, 502},
		{"lb", drivers.Weight{Value: 100, Decimals: 2, Unit: "lb"}, 454},
		{"negative", drivers.Weight{Value: -1234, Decimals: 3, Unit: "kg"}, -1234},
		{"oz", drivers.Weight{Value: 16, Unit: "oz"}, 454},
		{"tonnes", drivers.Weight{Value: 1, Decimals: 3, Unit: "t"}, 1000},
		{"jin", drivers.Weight{Value: 15, Decimals: 1, Unit: "斤"}, 750},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := devices.Grams(tt.w)
			if err != nil || got != tt.want {
				t.Errorf("Grams(%+v) = %d, %v; want %d", tt.w, got, err, tt.want)
			}
		})
	}
	if _, err := devices.Grams(drivers.Weight{Value: 1, Unit: "stone"}); err == nil {
		t.Error("Grams of an unknown unit: no error")
	}
}

// TestProfilesReloadOnChange: a profile added to the folder starts its
// device; a broken profile is reported and counted while the devices keep
// running on the last good profiles; the health goes to the status message.
func TestProfilesReloadOnChange(t *testing.T) {
	l := openLedger(t)
	var sims []*scannersim.Sim
	for range 2 {
		s, err := scannersim.New()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sims = append(sims, s)
	}
	dir := t.TempDir()
	scannerYAML := "kind: scanner\ntransport: serial\nport: %s\n"
	writeProfile(t, dir, "a.yaml", fmt.Sprintf(scannerYAML, sims[0].Path()))
	m := run(t, l, dir)
	first := m.Version()
	if got := len(m.Health()); got != 1 {
		t.Fatalf("%d devices, want 1", got)
	}

	writeProfile(t, dir, "b.yaml", fmt.Sprintf(scannerYAML, sims[1].Path()))
	testenv.WaitFor(t, 10*time.Second, func() error {
		if m.Version() == first || len(m.Health()) != 2 {
			return fmt.Errorf("version %s, %d devices: the new profile is not running", m.Version()[:8], len(m.Health()))
		}
		return nil
	})
	second := m.Version()

	writeProfile(t, dir, "c.yaml", "kind: scanner\ntransport: bluetooth\n")
	testenv.WaitFor(t, 10*time.Second, func() error {
		if m.Stats().ProfileErrors == 0 {
			return fmt.Errorf("the broken profile was not reported")
		}
		return nil
	})
	if m.Version() != second || len(m.Health()) != 2 {
		t.Fatalf("after a broken profile: version changed or devices stopped (%d running)", len(m.Health()))
	}
	testenv.WaitFor(t, 10*time.Second, func() error {
		st := m.StatusDevices()
		if len(st) != 2 || st[0].GetDevice() != "a" || st[1].GetDevice() != "b" || !st[0].GetConnected() || st[0].GetKind() == "" {
			return fmt.Errorf("status devices = %v", st)
		}
		return nil
	})
}
