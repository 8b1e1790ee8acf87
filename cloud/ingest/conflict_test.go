package ingest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// batchOf encodes movements of qtys[i] as seqs from, from+1 … of r.
func batchOf(t *testing.T, r syncproto.ReplicaID, from uint64, qtys ...int64) []byte {
	t.Helper()
	raws := make([][]byte, len(qtys))
	for i, q := range qtys {
		seq := from + uint64(i)
		ev, err := syncproto.NewEvent(r, seq, syncproto.MakeHLC(1_700_000_000_000+int64(seq), 0), "s",
			&pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A1", Sku: "SKU-1", Qty: q, Reason: "receive"}}})
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = ev.Raw
	}
	wire, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: "t", Site: "s", Replica: r, From: from}, raws)
	if err != nil {
		t.Fatal(err)
	}
	return wire
}

// TestIngestRefusesConflictingBody: a batch whose seq 3 is stored with
// another body (a ledger restored from a backup reusing seqs) is not counted
// as duplicates: it is rejected as conflicting_body, the replica is flagged,
// on-hand keeps the first body, and the ack names the conflict so the agent
// forks.
func TestIngestRefusesConflictingBody(t *testing.T) {
	h := newHarness(t)
	const a = syncproto.ReplicaID(0xa1)
	h.publish(syncproto.UpEvents("t", "s", a), batchOf(t, a, 1, 2, 2, 2))
	var ack pb.Ack
	if err := syncproto.Decode(h.next(syncproto.DownAck("t", "s", a)), &ack); err != nil {
		t.Fatal(err)
	}
	if ack.GetWatermark() != 3 || ack.GetFromSeq() != 1 || ack.GetToSeq() != 3 || ack.GetConflictSeq() != 0 {
		t.Fatalf("ack = %v, want watermark 3 for 1..3", &ack)
	}
	h.publish(syncproto.UpEvents("t", "s", a), batchOf(t, a, 2, 2, 50, 50)) // 2 equal, 3 differs, 4 new
	if err := syncproto.Decode(h.next(syncproto.DownAck("t", "s", a)), &ack); err != nil {
		t.Fatal(err)
	}
	if ack.GetWatermark() != 3 || ack.GetFromSeq() != 2 || ack.GetToSeq() != 4 || ack.GetConflictSeq() != 3 {
		t.Fatalf("ack = %v, want watermark 3 for 2..4 with conflict at 3", &ack)
	}
	testenv.WaitFor(t, 10*time.Second, func() error {
		s := h.in.Stats()
		if s.Rejected[ingest.RejectConflict] != 1 || s.Dups != 1 || s.Inserted != 3 {
			return fmt.Errorf("stats %+v, want one conflicting_body, one duplicate, three inserted", s)
		}
		return nil
	})
	ctx := context.Background()
	rows, err := h.store.Stock(ctx, cloud.StockFilter{})
	if err != nil || len(rows) != 1 || rows[0].Qty != 6 {
		t.Fatalf("stock = %+v, %v; want one row of 6", rows, err)
	}
	reps, err := h.store.Replicas(ctx, "t", "s")
	if err != nil || len(reps) != 1 || reps[0].ConflictSeq != 3 || reps[0].MaxSeq != 3 {
		t.Fatalf("replicas = %+v, %v; want a flagged at 3 with max seq 3", reps, err)
	}
}
