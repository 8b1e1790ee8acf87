package sqlstore

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

func batchOf(t *testing.T, r syncproto.ReplicaID, from uint64, bodies ...*pb.Event) *syncproto.Batch {
	t.Helper()
	b := &syncproto.Batch{Version: syncproto.Version, Tenant: "t", Site: "s", Replica: r, From: from, To: from + uint64(len(bodies)) - 1}
	for i, body := range bodies {
		e, err := syncproto.NewEvent(r, from+uint64(i), syncproto.HLC(from+uint64(i))<<16, "s", body)
		if err != nil {
			t.Fatal(err)
		}
		b.Events = append(b.Events, e)
	}
	return b
}

func mv(qty int64) *pb.Event {
	return &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A", Sku: "S", Qty: qty, Reason: "receive"}}}
}

// TestApplyOnHandOverflow checks that a batch whose movements would take a
// stored on-hand beyond int64 is refused as malformed (ErrInvalid wrapping
// syncproto.ErrOverflow), stores nothing and leaves on-hand as it was; it
// wrapped before. The on-hand is set near the limit directly, as if
// millions of events had been stored.
func TestApplyOnHandOverflow(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	if _, err := s.ApplyBatch(ctx, batchOf(t, 1, 1, mv(1))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE on_hand SET qty = ?`, int64(math.MaxInt64-3)); err != nil {
		t.Fatal(err)
	}
	_, err := s.ApplyBatch(ctx, batchOf(t, 1, 2, mv(2), mv(2)))
	if !errors.Is(err, cloud.ErrInvalid) || !errors.Is(err, syncproto.ErrOverflow) {
		t.Fatalf("got %v, want ErrInvalid wrapping ErrOverflow", err)
	}
	rows, err := s.Stock(ctx, cloud.StockFilter{})
	if err != nil || len(rows) != 1 || rows[0].Qty != math.MaxInt64-3 {
		t.Fatalf("stock %+v, %v after the refused batch", rows, err)
	}
	reps, err := s.Replicas(ctx, "t", "s")
	if err != nil || len(reps) != 1 || reps[0].Watermark != 1 || reps[0].MaxSeq != 1 {
		t.Fatalf("replicas %+v, %v: the refused batch moved the watermark", reps, err)
	}
	// What fits is taken, up to the limit, from either side of it.
	if _, err := s.ApplyBatch(ctx, batchOf(t, 1, 2, mv(2), mv(-1), mv(2))); err != nil {
		t.Fatal(err)
	}
	if rows, _ := s.Stock(ctx, cloud.StockFilter{}); rows[0].Qty != math.MaxInt64 {
		t.Fatalf("stock %+v, want MaxInt64", rows)
	}
}
