package devices_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/devices"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/scale/scalesim"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

// stationRig is a scanning station driven through the agent: an emulated
// serial scanner and, optionally, an emulated scale, both on
// pseudo-terminals, a manager running their profiles, and its ledger.
type stationRig struct {
	l     *sqlite.Ledger
	m     *devices.Manager
	sc    *scannersim.Sim
	scale *scalesim.Sim // nil without a scale
}

// startStation starts a station whose profile's station section is
// station (indented YAML lines after "station:"). With sim.Protocol set it
// gets a scale of that protocol whose profile has unit scaleUnit.
func startStation(t *testing.T, products []agent.Product, sim scalesim.Options, scaleUnit, station string) *stationRig {
	t.Helper()
	r := &stationRig{l: openLedger(t)}
	if len(products) > 0 {
		if err := r.l.PutProducts(context.Background(), products); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if r.sc, err = scannersim.New(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sc.Close() })
	r.sc.SetTerminator("\r")
	dir := t.TempDir()
	if sim.Protocol != "" {
		if r.scale, err = scalesim.ServePTY(sim); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.scale.Close() })
		writeProfile(t, dir, "bench.yaml", fmt.Sprintf("kind: scale\nprotocol: %s\nport: %s\nunit: %s\nstable_timeout: 3s\n",
			sim.Protocol, r.scale.Path(), scaleUnit))
		station += "  scale: bench\n"
	}
	writeProfile(t, dir, "desk.yaml", fmt.Sprintf("kind: scanner\ntransport: serial\nport: %s\nterminator: cr\nstation:\n%s", r.sc.Path(), station))
	r.m = run(t, r.l, dir)
	testenv.WaitFor(t, 10*time.Second, func() error {
		for _, h := range r.m.Health() {
			if !h.Connected {
				return fmt.Errorf("%s not connected: %s", h.Device, h.LastError)
			}
		}
		return nil
	})
	return r
}

// booked is what one scan did: the movement it recorded, or the reason it
// was refused for.
type booked struct {
	sku      string
	qty      int64
	rejected string
}

// scan scans code and waits for the station to book or refuse it.
func (r *stationRig) scan(t *testing.T, code string) booked {
	t.Helper()
	before, rejected := r.l.LastSeq(), r.m.Stats().ScanRejections
	if err := r.sc.Scan(code); err != nil {
		t.Fatal(err)
	}
	var got booked
	testenv.WaitFor(t, 10*time.Second, func() error {
		if r.l.LastSeq() != before {
			return nil
		}
		for reason, n := range r.m.Stats().ScanRejections {
			if n != rejected[reason] {
				got.rejected = reason
				return nil
			}
		}
		return fmt.Errorf("scan %q neither booked nor refused yet", code)
	})
	if got.rejected != "" {
		if r.l.LastSeq() != before {
			t.Fatalf("scan %q both refused (%s) and booked", code, got.rejected)
		}
		return got
	}
	evs, err := r.l.Events(context.Background(), before+1, 10, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events after %d: %v, %v; want exactly one", before, evs, err)
	}
	mv := evs[0].Msg.GetMovement()
	return booked{sku: mv.GetSku(), qty: mv.GetQty()}
}

// onHand is the SKU's stock over every bin.
func (r *stationRig) onHand(t *testing.T, sku string) int64 {
	t.Helper()
	rows, err := r.l.Stock(context.Background(), agent.StockFilter{SKU: sku})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, row := range rows {
		n += row.Qty
	}
	return n
}

// TestStationRefusesNonPositiveWeight: a stable weight ≤ 0 (a crate tared
// and lifted off: MT-SICS "S S -0.500 kg", a continuous frame with the sign
// bit; an empty pan) is never booked, at a receiving station nor at a
// sale station, where the sign flip would make stock rise. 8217 reports a
// negative load as under zero, refused as well.
func TestStationRefusesNonPositiveWeight(t *testing.T) {
	cheese := ean13("690123456002")
	products := []agent.Product{{GTIN: cheese, SKU: "CHEESE", Unit: "kg"}}
	tests := []struct {
		protocol, reason string
		negative         string // the reason a negative load is refused for
	}{
		{scalesim.MTSICS, "receive", devices.RejectWeightNotPositive},
		{scalesim.MTSICS, "sale", devices.RejectWeightNotPositive},
		{scalesim.ToledoContinuous, "receive", devices.RejectWeightNotPositive},
		{scalesim.ToledoContinuous, "sale", devices.RejectWeightNotPositive},
		{scalesim.Toledo8217, "receive", devices.RejectScaleRange},
		{scalesim.Toledo8217, "sale", devices.RejectScaleRange},
	}
	for _, tt := range tests {
		t.Run(tt.protocol+"/"+tt.reason, func(t *testing.T) {
			r := startStation(t, products, scalesim.Options{Protocol: tt.protocol}, "kg",
				fmt.Sprintf("  bin: B1\n  reason: %s\n", tt.reason))
			for _, load := range []struct {
				name  string
				value int64
				want  string
			}{{"negative", -500, tt.negative}, {"zero", 0, devices.RejectWeightNotPositive}} {
				r.scale.SetLoad(load.value)
				if got := r.scan(t, cheese); got.rejected != load.want {
					t.Errorf("%s load: got %+v, want refused for %s", load.name, got, load.want)
				}
			}
			if n := r.onHand(t, "CHEESE"); n != 0 {
				t.Fatalf("on-hand %d after refused scans", n)
			}
			want := int64(750)
			if tt.reason == "sale" {
				want = -750
			}
			r.scale.SetLoad(750)
			if got := r.scan(t, cheese); got != (booked{sku: "CHEESE", qty: want}) {
				t.Errorf("750 g: got %+v, want %d", got, want)
			}
			if got := r.m.Stats().ScanRejections; got[tt.negative] == 0 || got[devices.RejectWeightNotPositive] == 0 {
				t.Errorf("rejections %v: the refusals are not counted", got)
			}
		})
	}
}

// TestStationWeighsEveryWeightUnit: goods catalogued in any weight unit
// are weighed and booked in grams, not booked as 1 without weighing.
func TestStationWeighsEveryWeightUnit(t *testing.T) {
	units := []string{"g", "kg", "KG", "千克", "公斤", "斤", "两", "lb"}
	var products []agent.Product
	for i, u := range units {
		products = append(products, agent.Product{GTIN: ean13(fmt.Sprintf("69012345610%d", i)), SKU: "SKU-" + u, Unit: u})
	}
	products = append(products, agent.Product{GTIN: ean13("690123456200"), SKU: "TEA", Unit: "盒"})
	r := startStation(t, products, scalesim.Options{Protocol: scalesim.MTSICS}, "kg", "  bin: B1\n")
	r.scale.SetLoad(1234)
	for _, p := range products[:len(units)] {
		t.Run(p.Unit, func(t *testing.T) {
			if got := r.scan(t, p.GTIN); got != (booked{sku: p.SKU, qty: 1234}) {
				t.Errorf("got %+v, want %s ×1234 g", got, p.SKU)
			}
		})
	}
	t.Run("counted", func(t *testing.T) {
		if got := r.scan(t, ean13("690123456200")); got != (booked{sku: "TEA", qty: 1}) {
			t.Errorf("got %+v, want TEA ×1", got)
		}
	})
}

// TestStationLogisticUnits: a pallet or case label names its contents by
// AI 02 and their count by AI 37 (GS1: AI 37 only with AI 02); the station
// books the contained item.
func TestStationLogisticUnits(t *testing.T) {
	tea := "0" + ean13("690123456001")
	r := startStation(t, []agent.Product{{GTIN: tea, SKU: "TEA-250", Unit: "pcs"}}, scalesim.Options{}, "", "  bin: B1\n")
	tests := []struct {
		name, code string
		want       booked
	}{
		{"pallet: SSCC, content and count", "]C1" + "00106141411234567897" + "02" + tea + "3724", booked{sku: "TEA-250", qty: 24}},
		{"case: content and count", "(02)" + tea + "(37)12(10)L7", booked{sku: "TEA-250", qty: 12}},
		{"count of nothing", "]C1" + "00106141411234567897" + "02" + tea + "370", booked{rejected: devices.RejectCountNotPositive}},
		{"AI 37 with AI 01 breaks GS1", "]C1" + "01" + tea + "3724", booked{rejected: devices.RejectBadCode}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.scan(t, tt.code); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestStationPacks: a case's barcode (a pack GTIN in the catalogue) books
// the pack's size of its SKU: counted, times a count the code carries, and
// a fixed-weight case of goods sold by weight in grams, not weighed.
func TestStationPacks(t *testing.T) {
	water, waterCase := ean13("697000000001"), "1"+ean13("697000000001")[:12]
	waterCase += string(syncproto.GTINCheckDigit(waterCase))
	appleCase := ean13("697000000002")
	r := startStation(t, []agent.Product{
		{GTIN: water, SKU: "WATER", Unit: "瓶"},
		{GTIN: waterCase, SKU: "WATER", Unit: "瓶", Factor: 24},
		{GTIN: appleCase, SKU: "APPLE", Unit: "kg", Factor: 10000},
	}, scalesim.Options{Protocol: scalesim.MTSICS}, "kg", "  bin: B1\n")
	r.scale.SetLoad(1234)
	tests := []struct {
		name, code string
		want       booked
	}{
		{"a bottle", "]E0" + water, booked{sku: "WATER", qty: 1}},
		{"a case of 24", "]C1" + "01" + waterCase, booked{sku: "WATER", qty: 24}},
		{"three cases (AI 30)", "]C1" + "01" + waterCase + "303", booked{sku: "WATER", qty: 72}},
		{"a 10 kg case of apples, not weighed", "]E0" + appleCase, booked{sku: "APPLE", qty: 10000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.scan(t, tt.code); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestStationLabelLayouts: the site's label scales print price labels
// (金额码) with flag 22 and weight labels with flag 21, as its profile says.
// A price label books price ÷ unit price; one that cannot is refused.
func TestStationLabelLayouts(t *testing.T) {
	item := func(first7 string) string { return ean13(first7 + "00000") } // a PLU's catalogue GTIN
	products := []agent.Product{
		{GTIN: item("2212345"), SKU: "PORK", Unit: "kg", Price: 2980}, // ¥29.80/kg
		{GTIN: item("2200777"), SKU: "BUN", Unit: "个", Price: 250},    // ¥2.50 each
		{GTIN: item("2200888"), SKU: "FISH", Unit: "kg"},              // no price
		{GTIN: item("2112345"), SKU: "APPLE", Unit: "kg"},
		{GTIN: item("2300555"), SKU: "LOAF", Unit: "个", Price: 300}, // ¥3 each
	}
	r := startStation(t, products, scalesim.Options{}, "", `  bin: FRESH
  reason: sale
  labels:
    - {prefix: "22", measure: price}
    - {prefix: "21", measure: weight}
    - {prefix: "23", measure: price, decimals: 0}
`)
	tests := []struct {
		name, label string // the first 12 digits
		want        booked
	}{
		{"price label, weighed goods", "221234501490", booked{sku: "PORK", qty: -500}},
		{"price label rounded to the gram", "221234501000", booked{sku: "PORK", qty: -336}}, // 335.57 g
		{"price label, counted goods", "220077700750", booked{sku: "BUN", qty: -3}},
		{"price not a whole number of pieces", "220077700800", booked{rejected: devices.RejectPriceNotWhole}},
		{"no unit price", "220088801490", booked{rejected: devices.RejectNoUnitPrice}},
		{"zero amount", "221234500000", booked{rejected: devices.RejectCountNotPositive}},
		{"weight label", "211234501500", booked{sku: "APPLE", qty: -1500}},
		{"zero weight label", "211234500000", booked{rejected: devices.RejectWeightNotPositive}},
		{"price label in whole yuan", "230055500006", booked{sku: "LOAF", qty: -2}}, // ¥6
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.scan(t, "]E0"+ean13(tt.label)); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestStationScaleStates: an 8217 scale switched to lb and a continuous
// scale not zeroed since power-up are not weighed; the scan is refused with
// the reason.
func TestStationScaleStates(t *testing.T) {
	cheese := ean13("690123456002")
	products := []agent.Product{{GTIN: cheese, SKU: "CHEESE", Unit: "kg"}}
	t.Run("8217 in lb, profile in kg", func(t *testing.T) {
		r := startStation(t, products, scalesim.Options{Protocol: scalesim.Toledo8217, Unit: "lb", Decimals: 2}, "kg", "  bin: B1\n")
		r.scale.SetLoad(325) // 3.25 lb, once booked as 3250 g
		if got := r.scan(t, cheese); got.rejected != devices.RejectScaleUnit {
			t.Errorf("got %+v, want refused for %s", got, devices.RejectScaleUnit)
		}
	})
	t.Run("continuous, power-up not zeroed", func(t *testing.T) {
		r := startStation(t, products, scalesim.Options{Protocol: scalesim.ToledoContinuous}, "kg", "  bin: B1\n")
		r.scale.SetLoad(1500)
		r.scale.SetPowerUpNotZeroed(true)
		if got := r.scan(t, cheese); got.rejected != devices.RejectScaleNotZeroed {
			t.Errorf("got %+v, want refused for %s", got, devices.RejectScaleNotZeroed)
		}
	})
}

func TestPriceQuantity(t *testing.T) {
	pork := agent.Product{SKU: "PORK", Unit: "kg", Price: 4000} // ¥40.00/kg: 1 fen is 0.25 g
	tests := []struct {
		name   string
		amount gs1.Price
		p      agent.Product
		want   int64
		reason string
	}{
		{"exact grams", gs1.Price{Value: 2000, Decimals: 2}, pork, 500, ""},
		{"half to even, down", gs1.Price{Value: 2, Decimals: 2}, pork, 0, devices.RejectCountNotPositive}, // 0.5 g
		{"half to even, up", gs1.Price{Value: 6, Decimals: 2}, pork, 2, ""},                               // 1.5 g
		{"below half", gs1.Price{Value: 5, Decimals: 2}, pork, 1, ""},                                     // 1.25 g
		{"one decimal (jiao)", gs1.Price{Value: 200, Decimals: 1}, pork, 500, ""},
		{"per jin", gs1.Price{Value: 1000, Decimals: 2}, agent.Product{Unit: "斤", Price: 1000}, 500, ""},
		{"per lb", gs1.Price{Value: 100, Decimals: 2}, agent.Product{Unit: "lb", Price: 100}, 454, ""},
		{"pieces", gs1.Price{Value: 750, Decimals: 2}, agent.Product{Unit: "pcs", Price: 250}, 3, ""},
		{"pieces, not whole", gs1.Price{Value: 700, Decimals: 2}, agent.Product{Unit: "pcs", Price: 250}, 0, devices.RejectPriceNotWhole},
		{"no unit price", gs1.Price{Value: 700, Decimals: 2}, agent.Product{Unit: "kg"}, 0, devices.RejectNoUnitPrice},
		{"euro", gs1.Price{Value: 700, Decimals: 2, Currency: "EUR"}, pork, 0, devices.RejectCurrency},
		{"ISO numeric yuan", gs1.Price{Value: 2000, Decimals: 2, Currency: "156"}, pork, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := devices.PriceQuantity(tt.amount, tt.p)
			if tt.reason != "" {
				var r *devices.Rejection
				if !errors.As(err, &r) || r.Reason != tt.reason || r.MsgZH == "" || !errors.Is(err, devices.ErrScanRejected) {
					t.Fatalf("PriceQuantity = %d, %v; want refused for %s with a Chinese message", got, err, tt.reason)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("PriceQuantity = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}
