package sqlite_test

import (
	"context"
	"testing"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// countHistory writes counts of one key by `replicas` peers in turn, each
// count having seen every count before it (so its context names every
// peer): the history of a key counted again and again by a site's
// handhelds.
type countHistory struct {
	ids  []syncproto.ReplicaID
	seqs syncproto.VV
	hlc  syncproto.HLC
}

func newCountHistory(replicas int) *countHistory {
	h := &countHistory{seqs: syncproto.VV{}, hlc: syncproto.MakeHLC(1_700_000_000_000, 0)}
	for i := range replicas {
		h.ids = append(h.ids, syncproto.ReplicaID(0x5000_0000_0000_0000+uint64(i)*7919))
	}
	return h
}

// next returns the i-th count of the history.
func (h *countHistory) next(tb testing.TB, i int) syncproto.Event {
	r := h.ids[i%len(h.ids)]
	h.hlc++
	ev, err := syncproto.NewEvent(r, h.seqs[r]+1, h.hlc, testSite, &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{
		Bin: "A-01", Sku: "RICE-5KG", Counted: int64(i % 97), Ctx: h.seqs.PB(), Operator: "u", Device: "hh"}}})
	if err != nil {
		tb.Fatal(err)
	}
	h.seqs[r]++
	return ev
}

// applyInOrder applies events to l in batches of n (peer events must be
// applied in each replica's seq order, which a history's order is).
func applyInOrder(tb testing.TB, l interface {
	ApplyPeer(context.Context, []syncproto.Event) (int, error)
}, evs []syncproto.Event, n int) {
	tb.Helper()
	for i := 0; i < len(evs); i += n {
		if _, err := l.ApplyPeer(context.Background(), evs[i:min(i+n, len(evs))]); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkCountMerge measures peer counts merged into a key that already
// has 10,000 counts, in peer batches of 150 (issue: one such batch with
// 1,000-entry contexts held the writer for 11.6 s when every new count
// re-merged the key's whole history). Contexts name 1,000 replicas.
func BenchmarkCountMerge(b *testing.B) {
	l := MustOpenLedger(b)
	b.ReportAllocs()
	h := newCountHistory(1000)
	prior := make([]syncproto.Event, 10_000)
	for i := range prior {
		prior[i] = h.next(b, i)
	}
	applyInOrder(b, l, prior, 500)
	evs := make([]syncproto.Event, b.N)
	for i := range evs {
		evs[i] = h.next(b, len(prior)+i)
	}
	c0 := l.Stats().Commits
	b.ResetTimer()
	applyInOrder(b, l, evs, 150)
	b.StopTimer()
	commits := l.Stats().Commits - c0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "counts/s")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(max(1, b.N/150)), "ms/batch-150")
	// A local scan waits for at most the commit in progress: peer batches
	// are applied in commits of about 128 KiB.
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(max(1, commits)), "ms/commit")
}

// BenchmarkRawSQLiteInsertCounts inserts the same count events' rows into
// the raw events table, 150 rows per transaction: the engine's limit for
// storing them, to set BenchmarkCountMerge against.
func BenchmarkRawSQLiteInsertCounts(b *testing.B) {
	db, stmt, _ := openRawDB(b)
	h := newCountHistory(1000)
	for i := range 10_000 {
		h.next(b, i)
	}
	evs := make([]syncproto.Event, b.N)
	for i := range evs {
		evs[i] = h.next(b, 10_000+i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		s := tx.Stmt(stmt)
		for j := 0; j < 150 && i < b.N; j++ {
			e := &evs[i]
			if _, err := s.Exec(int64(e.Replica), int64(e.Seq), int64(e.HLC), 2, 1, e.Msg.GetCount().GetCounted(), e.Raw); err != nil {
				b.Fatal(err)
			}
			i++
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestLargePeerBatchCommitsInChunks: a peer batch of 150 counts with
// 1,000-entry contexts is applied in several group commits, so a local
// scan queued meanwhile is written after at most one chunk, and the result
// is the same as OnHandAll.
func TestLargePeerBatchCommitsInChunks(t *testing.T) {
	l := MustOpenLedger(t)
	h := newCountHistory(1000)
	evs := make([]syncproto.Event, 1150)
	for i := range evs {
		evs[i] = h.next(t, i)
	}
	// The first 1,000 (each peer's first count) make every later context
	// name 1,000 replicas.
	applyInOrder(t, l, evs[:1000], 500)
	c0 := l.Stats().Commits
	if n, err := l.ApplyPeer(context.Background(), evs[1000:]); err != nil || n != 150 {
		t.Fatalf("ApplyPeer = %d, %v", n, err)
	}
	if commits := l.Stats().Commits - c0; commits < 5 {
		t.Fatalf("150 counts of 12 KiB applied in %d commits, want them split", commits)
	}
	if d := diffStock(stockMap(t, l), syncproto.OnHandAll(evs)); d != "" {
		t.Fatalf("stock vs OnHandAll: %s", d)
	}
}
