package storetest

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// testInvalidContent checks that both stores refuse, as cloud.ErrInvalid and
// without storing anything, events that break syncproto's content rules:
// a NUL byte in a string (PostgreSQL text cannot hold it, SQLite would), a
// quantity beyond the bound, and a batch whose movements overflow on-hand.
func (su *suite) testInvalidContent(t *testing.T) {
	ctx := context.Background()
	move := func(bin, lot string, qty int64) *pb.Event {
		return &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: bin, Sku: "sku", Lot: lot, Qty: qty, Reason: "receive"}}}
	}
	count := func(counted int64) *pb.Event {
		return &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{Bin: "A", Sku: "sku", Counted: counted}}}
	}
	for _, tc := range []struct {
		name   string
		bodies []*pb.Event
	}{
		{"NUL in bin", []*pb.Event{move("A\x00", "", 1)}},
		{"control character in lot", []*pb.Event{move("A", "L\n1", 1)}},
		{"qty beyond bound", []*pb.Event{move("A", "", syncproto.MaxQty+1)}},
		{"overflow to 2^63-1", []*pb.Event{move("A", "", math.MinInt64), move("A", "", -1)}},
		{"negative count", []*pb.Event{count(-1)}},
		{"good then bad", []*pb.Event{move("A", "", 1), move("B\x00", "", 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := su.tenant()
			r := su.replica(tenant, "s1")
			for _, b := range tc.bodies {
				r.Add(t, b)
			}
			_, err := su.s.ApplyBatch(ctx, r.Batch(t, 1, r.Seq()))
			if !errors.Is(err, cloud.ErrInvalid) || !errors.Is(err, syncproto.ErrInvalidEvent) {
				t.Fatalf("got %v, want ErrInvalid wrapping syncproto.ErrInvalidEvent", err)
			}
			if reps, _ := su.s.Replicas(ctx, tenant, ""); len(reps) != 0 {
				t.Errorf("invalid batch made replicas %+v", reps)
			}
			if rows, _ := su.s.Stock(ctx, cloud.StockFilter{Tenant: tenant}); len(rows) != 0 {
				t.Errorf("invalid batch made stock %+v", rows)
			}
		})
	}
}
