package mqtt

import (
	"testing"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

func TestVerifiedSeqAndForkPoint(t *testing.T) {
	tests := []struct {
		name         string
		ack          *pb.Ack
		acked, last  uint64
		wantVerified uint64
		wantFork     bool
		wantSeq      uint64
	}{
		{"batch stored", &pb.Ack{Watermark: 20, FromSeq: 11, ToSeq: 20}, 10, 30, 20, false, 0},
		{"batch after unverified seqs", &pb.Ack{Watermark: 20, FromSeq: 15, ToSeq: 20}, 10, 30, 10, false, 0},
		{"watermark beyond the batch is not ours", &pb.Ack{Watermark: 25, FromSeq: 11, ToSeq: 20}, 10, 30, 20, false, 0},
		{"batch beyond a gap", &pb.Ack{Watermark: 10, FromSeq: 21, ToSeq: 30, ResendFrom: 11}, 10, 30, 10, false, 0},
		{"older cloud", &pb.Ack{Watermark: 25}, 10, 30, 25, false, 0},
		{"older cloud above last", &pb.Ack{Watermark: 40}, 10, 30, 10, false, 0},
		{"cloud ahead, all ours verified", &pb.Ack{Watermark: 40, FromSeq: 21, ToSeq: 30}, 20, 30, 30, true, 30},
		{"cloud ahead, ours not all verified", &pb.Ack{Watermark: 40, FromSeq: 11, ToSeq: 20}, 10, 30, 20, false, 0},
		{"cloud ahead, nothing unacked", &pb.Ack{Watermark: 40}, 30, 30, 30, true, 30},
		{"conflict after verified seqs", &pb.Ack{Watermark: 40, FromSeq: 11, ToSeq: 15, ConflictSeq: 13}, 10, 15, 12, true, 12},
		{"conflict at the batch's start", &pb.Ack{Watermark: 40, FromSeq: 11, ToSeq: 15, ConflictSeq: 11}, 10, 15, 10, true, 10},
		{"conflict after unverified seqs", &pb.Ack{Watermark: 40, FromSeq: 13, ToSeq: 15, ConflictSeq: 14}, 10, 15, 10, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := max(tt.acked, verifiedSeq(tt.ack, tt.acked, tt.last))
			if v != tt.wantVerified {
				t.Errorf("verified %d, want %d", v, tt.wantVerified)
			}
			seq, _, ok := forkPoint(tt.ack, v, tt.last)
			if ok != tt.wantFork || seq != tt.wantSeq {
				t.Errorf("fork %v at %d, want %v at %d", ok, seq, tt.wantFork, tt.wantSeq)
			}
		})
	}
}

// TestAcksOutOfOrder: acks of consecutive batches that arrive out of order
// (the cloud's publishes are not kept in order) verify everything once the
// gap is filled, not only up to the first ack that came late.
func TestAcksOutOfOrder(t *testing.T) {
	var v ackRanges
	ack := func(from, to uint64) *pb.Ack { return &pb.Ack{Watermark: to, FromSeq: from, ToSeq: to} }
	acked := v.verified(ack(1, 10), 0, 50)
	if acked != 10 {
		t.Fatalf("in order: %d, want 10", acked)
	}
	for _, step := range []struct {
		a    *pb.Ack
		want uint64
	}{
		{ack(21, 30), 10}, // ahead of 11..20: kept
		{ack(31, 40), 10},
		{ack(11, 20), 40}, // fills the gap: everything kept counts
		{ack(11, 20), 40}, // a duplicate changes nothing
		{ack(41, 60), 40}, // beyond our last seq: not ours
		{ack(41, 50), 50},
	} {
		acked = v.verified(step.a, acked, 50)
		if acked != step.want {
			t.Fatalf("after ack %d..%d: verified %d, want %d", step.a.GetFromSeq(), step.a.GetToSeq(), acked, step.want)
		}
	}
	if len(v.pending) != 0 {
		t.Fatalf("pending %v after everything was verified", v.pending)
	}
}
