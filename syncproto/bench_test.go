package syncproto_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// StoreDay returns n movements as one store's ledger would write them:
// receipt sessions against purchase orders, shipments against sales orders,
// transfers between bins and a few adjustments, by a handful of operators on
// handhelds and a gate. About 50 SKUs, some lot-tracked, in 6 bins; HLCs move
// on a few milliseconds per line, several lines share a millisecond (the
// logical counter counts them) and sessions are seconds apart.
func StoreDay(tb fataler, n int) []syncproto.Event {
	tb.Helper()
	rng := rand.New(rand.NewPCG(20250114, 42))
	bins := []string{"A-01-03", "A-01-04", "A-02-01", "B-03-02", "B-03-05", "C-01-01"}
	operators := []string{"zhang.wei", "li.na", "wang.fang", "liu.yang", "chen.jie"}
	devices := []string{"hh-01", "hh-02", "hh-03", "gate-01"}

	type sku struct {
		code, bin string
		lots      []string
		cost      int64 // fen
	}
	skus := make([]sku, 50)
	for i := range skus {
		s := sku{
			code: fmt.Sprintf("SKU-%06d", 100+rng.IntN(4900)),
			bin:  bins[rng.IntN(len(bins))],
			cost: 350 + rng.Int64N(12000),
		}
		if rng.IntN(3) == 0 {
			for l := range 1 + rng.IntN(2) {
				s.lots = append(s.lots, fmt.Sprintf("L2501%02d-%02d", 1+rng.IntN(14), l+1))
			}
		}
		skus[i] = s
	}
	lotOf := func(s sku) string {
		if len(s.lots) == 0 {
			return ""
		}
		return s.lots[rng.IntN(len(s.lots))]
	}

	wall := time.Date(2025, 1, 14, 8, 0, 0, 0, time.UTC)
	clock := syncproto.NewClock(0)
	clock.Now = func() time.Time { return wall }
	var out []syncproto.Event
	write := func(m *pb.Movement) {
		if len(out) == n {
			return
		}
		// A few ms per line; a gate burst or a quick double scan lands in
		// the same millisecond.
		wall = wall.Add(time.Duration(rng.IntN(5)) * time.Millisecond)
		seq := uint64(len(out)) + 1
		out = append(out, MustEvent(tb, testReplica, seq, clock.Tick(), "store-1", &pb.Event{Body: &pb.Event_Movement{Movement: m}}))
	}
	for doc := 1; len(out) < n; doc++ {
		wall = wall.Add(time.Duration(1+rng.IntN(30)) * time.Second)
		op, dev := operators[rng.IntN(len(operators))], devices[rng.IntN(len(devices))]
		switch r := rng.IntN(20); {
		case r < 7: // receive against a purchase order
			ref := fmt.Sprintf("PO-20250114-%04d", doc)
			for range 5 + rng.IntN(25) {
				s := skus[rng.IntN(len(skus))]
				write(&pb.Movement{Bin: s.bin, Sku: s.code, Lot: lotOf(s), Qty: int64(6 * (1 + rng.IntN(20))),
					UnitCost: s.cost, Currency: "CNY", Reason: "receive", Doc: ref, Operator: op, Device: dev})
			}
		case r < 16: // ship a sales order
			ref := fmt.Sprintf("SO-20250114-%04d", doc)
			for range 3 + rng.IntN(17) {
				s := skus[rng.IntN(len(skus))]
				write(&pb.Movement{Bin: s.bin, Sku: s.code, Lot: lotOf(s), Qty: -int64(1 + rng.IntN(12)),
					Reason: "ship", Doc: ref, Operator: op, Device: dev})
			}
		case r < 18: // move stock between bins: one line out, one in
			ref := fmt.Sprintf("TR-20250114-%04d", doc)
			for range 1 + rng.IntN(5) {
				s, to := skus[rng.IntN(len(skus))], bins[rng.IntN(len(bins))]
				lot, qty := lotOf(s), int64(1+rng.IntN(24))
				write(&pb.Movement{Bin: s.bin, Sku: s.code, Lot: lot, Qty: -qty, Reason: "transfer", Doc: ref, Operator: op, Device: dev})
				write(&pb.Movement{Bin: to, Sku: s.code, Lot: lot, Qty: qty, Reason: "transfer", Doc: ref, Operator: op, Device: dev})
			}
		default: // adjust after a damage or a found item
			for range 1 + rng.IntN(3) {
				s := skus[rng.IntN(len(skus))]
				write(&pb.Movement{Bin: s.bin, Sku: s.code, Lot: lotOf(s), Qty: int64(rng.IntN(7) - 3),
					Reason: "adjust", Operator: op, Device: dev})
			}
		}
	}
	return out
}

// BenchmarkBatchWireSize reports the wire bytes per movement of a batch of
// 1000 store movements (the target is 32 or fewer).
func BenchmarkBatchWireSize(b *testing.B) {
	const n = 1000
	raws := Raws(StoreDay(b, n))
	var wire []byte
	for b.Loop() {
		wire = MustEncodeBatch(b, testHeader, raws)
	}
	b.ReportMetric(float64(len(wire))/n, "wire-B/movement")
	b.ReportMetric(float64(syncproto.BatchBodySize(raws))/n, "body-B/movement")
}

// The throughput benchmarks count the uncompressed batch body as their bytes,
// so their MB/s compare.

func BenchmarkEncodeBatch(b *testing.B) {
	raws := Raws(StoreDay(b, 1000))
	b.SetBytes(int64(syncproto.BatchBodySize(raws)))
	b.ReportAllocs()
	for b.Loop() {
		MustEncodeBatch(b, testHeader, raws)
	}
}

func BenchmarkDecodeBatch(b *testing.B) {
	raws := Raws(StoreDay(b, 1000))
	wire := MustEncodeBatch(b, testHeader, raws)
	b.SetBytes(int64(syncproto.BatchBodySize(raws)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := syncproto.DecodeBatch(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func TestStoreDayIsValid(t *testing.T) {
	events := StoreDay(t, 1000)
	if len(events) != 1000 {
		t.Fatalf("%d events, want 1000", len(events))
	}
	skus := make(map[string]bool)
	for i, e := range events {
		if i > 0 && e.HLC <= events[i-1].HLC {
			t.Fatalf("event %d: HLC %v not after %v", i, e.HLC, events[i-1].HLC)
		}
		skus[e.Msg.GetMovement().GetSku()] = true
	}
	if len(skus) < 40 || len(skus) > 50 {
		t.Errorf("%d SKUs, want about 50", len(skus))
	}
	wire := MustEncodeBatch(t, testHeader, Raws(events))
	b, err := syncproto.DecodeBatch(wire)
	if err != nil {
		t.Fatalf("DecodeBatch: %v", err)
	}
	CheckBatch(t, b, testHeader, events)
}
