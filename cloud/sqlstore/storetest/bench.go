package storetest

import (
	"context"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// countBenchHistory writes counts of one key by 100 replicas in turn, each
// count having seen every count before it; contexts also name 900 more
// replicas of the site (that send nothing here), so each names 1,000.
type countBenchHistory struct {
	ids  []syncproto.ReplicaID
	seen syncproto.VV
	hlc  syncproto.HLC
	next int
}

func newCountBenchHistory() *countBenchHistory {
	h := &countBenchHistory{seen: syncproto.VV{}, hlc: syncproto.MakeHLC(1_700_000_000_000, 0)}
	for i := range 1000 {
		id := syncproto.ReplicaID(0x7c00_0000_0000_0000 + uint64(i)*104729)
		if i < 100 {
			h.ids = append(h.ids, id)
		} else {
			h.seen[id] = 5
		}
	}
	return h
}

// batch returns the next n counts, of one replica, as a batch.
func (h *countBenchHistory) batch(tb testing.TB, n int) *syncproto.Batch {
	r := h.ids[h.next%len(h.ids)]
	h.next++
	evs := make([]syncproto.Event, n)
	for i := range evs {
		h.hlc++
		seq := h.seen[r] + 1
		e, err := syncproto.NewEvent(r, seq, h.hlc, "s1", &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{
			Bin: "A-01", Sku: "RICE-5KG", Counted: int64(seq % 97), Ctx: h.seen.PB(), Operator: "bench", Device: "hh"}}})
		if err != nil {
			tb.Fatal(err)
		}
		h.seen[r] = seq
		evs[i] = e
	}
	return MustBatch(tb, "bench-counts", "s1", r, evs)
}

// BenchCountMerge measures ApplyBatch of counts of one key that already
// has prior counts, each count having seen every one before it, with
// contexts of 1,000 replicas, in batches of 15 counts of one replica. It
// reports counts/s. Before counts were merged incrementally, each new count
// re-read and re-merged the key's every count (about 1 s for 300 such
// counts).
func BenchCountMerge(b *testing.B, s cloud.Store, prior int) {
	const perBatch = 15
	ctx := context.Background()
	h := newCountBenchHistory()
	for n := 0; n < prior; n += perBatch {
		if _, err := s.ApplyBatch(ctx, h.batch(b, perBatch)); err != nil {
			b.Fatal(err)
		}
	}
	batches := make([]*syncproto.Batch, (b.N+perBatch-1)/perBatch)
	for i := range batches {
		batches[i] = h.batch(b, perBatch)
	}
	b.ResetTimer()
	for _, bt := range batches {
		if _, err := s.ApplyBatch(ctx, bt); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(batches)*perBatch)/b.Elapsed().Seconds(), "counts/s")
}
