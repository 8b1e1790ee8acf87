package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// testConflicts: two ledgers write under one replica ID (one restored from
// a backup of the other's folder): they share seqs 1..3, then each writes
// its own 4, 5, 6 …. The cloud must never hold two bodies for one key and
// never count the second as a duplicate: it refuses the batch from the
// first differing seq on (cloud.ErrConflict), applies what comes before,
// flags the replica and from then on stores no new event of it at or above
// that seq, whoever sends it.
func (su *suite) testConflicts(t *testing.T) {
	ctx := context.Background()
	type delivery struct {
		lineage  int // 0: the ledger the cloud heard first; 1: the restored one
		from, to uint64
		// want
		conflict  uint64
		watermark uint64
		inserted  []uint64
	}
	tests := []struct {
		name      string
		steps     []delivery
		flagged   uint64
		wantFirst []uint64 // seqs whose stored body is lineage 0's
		wantOther []uint64 // seqs whose stored body is lineage 1's
	}{
		{"restored ledger resends and records", []delivery{
			{0, 1, 6, 0, 6, []uint64{1, 2, 3, 4, 5, 6}},
			{1, 2, 5, 4, 6, nil}, // 2..3 equal, 4 differs
			{1, 7, 8, 7, 6, nil}, // new, but above the conflict
			{0, 1, 6, 0, 6, nil}, // the first ledger's resend is a duplicate
			{0, 7, 7, 7, 6, nil}, // nothing new at or above the conflict, from anyone
			{1, 1, 3, 0, 6, nil}, // the shared prefix is still fine
			{1, 4, 4, 4, 6, nil}, // the conflict is found again, also when it starts the batch
			{1, 5, 6, 5, 6, nil}, // every differing event is refused
			{0, 4, 6, 0, 6, nil}, // the first ledger's own events are stored
		}, 4, []uint64{1, 2, 3, 4, 5, 6}, nil},
		{"restored ledger fills a gap up to the conflict", []delivery{
			{0, 1, 2, 0, 2, []uint64{1, 2}},
			{0, 5, 6, 0, 2, []uint64{5, 6}}, // beyond a gap: 3..4 were lost on the way
			{1, 3, 6, 5, 6, []uint64{3, 4}}, // the restored ledger's 3..4 equal: stored
		}, 5, []uint64{1, 2, 5, 6}, []uint64{3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := su.replica(su.tenant(), "s1")
			lines := [2]*Replica{r, NewReplica(r.ID, r.Tenant, r.Site)}
			for i := range 3 {
				for _, l := range lines {
					l.Move(t, "A", fmt.Sprint("p", i), "", int64(i+1))
				}
			}
			for i := range 5 {
				lines[0].Move(t, "A", "p0", "", 100)
				lines[1].Move(t, "A", "p1", "", int64(-1-i))
			}
			for i, d := range tt.steps {
				what := fmt.Sprintf("step %d: lineage %d %d..%d", i, d.lineage, d.from, d.to)
				got, err := su.s.ApplyBatch(ctx, lines[d.lineage].Batch(t, d.from, d.to))
				switch {
				case d.conflict == 0 && err != nil:
					t.Fatalf("%s: %v", what, err)
				case d.conflict != 0 && !errors.Is(err, cloud.ErrConflict):
					t.Fatalf("%s: err %v, want ErrConflict", what, err)
				}
				if got.Conflict != d.conflict {
					t.Errorf("%s: conflict %d, want %d", what, got.Conflict, d.conflict)
				}
				checkApplied(t, what, got, cloud.Applied{Watermark: d.watermark, Inserted: eventsOf(lines[d.lineage], d.inserted), Gap: got.Gap})
			}
			reps, err := su.s.Replicas(ctx, r.Tenant, r.Site)
			if err != nil || len(reps) != 1 {
				t.Fatalf("replicas: %v %v", reps, err)
			}
			if reps[0].ConflictSeq != tt.flagged {
				t.Errorf("replica's conflict seq %d, want %d", reps[0].ConflictSeq, tt.flagged)
			}
			// Exactly one body per key, the one the cloud heard first.
			var want []syncproto.Event
			want = append(want, eventsOf(lines[0], tt.wantFirst)...)
			want = append(want, eventsOf(lines[1], tt.wantOther)...)
			byseq := map[uint64]syncproto.Event{}
			for _, e := range want {
				byseq[e.Seq] = e
			}
			stored := map[uint64]syncproto.Event{}
			for _, from := range []uint64{0, 4} { // EventsAfter stops at gaps; none is left here
				evs, err := su.s.EventsAfter(ctx, r.ID, from, 100)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range evs {
					stored[e.Seq] = e
				}
			}
			if len(stored) != len(byseq) {
				t.Errorf("stored %d events, want %d", len(stored), len(byseq))
			}
			for seq, w := range byseq {
				if g, ok := stored[seq]; !ok || !bytes.Equal(g.Raw, w.Raw) {
					t.Errorf("seq %d: stored %x, want %x", seq, g.Raw, w.Raw)
				}
			}
			checkStock(t, su.s, "after the conflicts", []string{r.Tenant}, WantStock(want, func(syncproto.ReplicaID) string { return r.Tenant }))
		})
	}
}

func eventsOf(r *Replica, seqs []uint64) []syncproto.Event {
	var out []syncproto.Event
	for _, s := range seqs {
		out = append(out, r.Events[s-1])
	}
	return out
}
