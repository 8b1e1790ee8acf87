package syncproto_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/jxc-edge/jxc/syncproto"
)

// refCount is a count for the reference rule: its identity, clock and the
// context as it carries it.
type refCount struct {
	ref syncproto.CountRef
	ctx syncproto.VV
}

// referenceWinner applies DESIGN.md §3 by its definition, quadratically: a
// count is live unless another count's effective context contains it; the
// greatest live count wins, or the greatest of all when none is live.
func referenceWinner(cs []refCount) (syncproto.CountRef, []syncproto.CountRef) {
	later := func(a, b syncproto.CountRef) bool {
		if a.HLC != b.HLC {
			return a.HLC > b.HLC
		}
		if a.Replica != b.Replica {
			return a.Replica > b.Replica
		}
		return a.Seq > b.Seq
	}
	var live []syncproto.CountRef
	for i, c := range cs {
		seen := false
		for j, d := range cs {
			if i != j && syncproto.EffectiveContext(d.ref.Replica, d.ref.Seq, d.ctx).Contains(c.ref.Replica, c.ref.Seq) {
				seen = true
			}
		}
		if !seen {
			live = append(live, c.ref)
		}
	}
	pool := live
	if len(pool) == 0 {
		for _, c := range cs {
			pool = append(pool, c.ref)
		}
	}
	w := pool[0]
	for _, c := range pool[1:] {
		if later(c, w) {
			w = c
		}
	}
	slices.SortFunc(live, func(a, b syncproto.CountRef) int {
		if a.Replica != b.Replica {
			if a.Replica < b.Replica {
				return -1
			}
			return 1
		}
		return int(int64(a.Seq) - int64(b.Seq))
	})
	return w, live
}

// drawCounts draws counts of one key by a few replicas with arbitrary
// contexts (forged ones too: cycles, contexts naming the future) and
// arbitrary clocks.
func drawCounts(t *rapid.T) []refCount {
	ids := []syncproto.ReplicaID{1, 2, 3, 1 << 63}
	n := rapid.IntRange(1, 12).Draw(t, "counts")
	seqs := map[syncproto.ReplicaID]uint64{}
	out := make([]refCount, 0, n)
	for range n {
		r := rapid.SampledFrom(ids).Draw(t, "replica")
		seqs[r] += rapid.Uint64Range(1, 3).Draw(t, "seq step")
		ctx := syncproto.VV{}
		for _, p := range ids {
			if rapid.Bool().Draw(t, "has entry") {
				ctx[p] = rapid.Uint64Range(0, 12).Draw(t, "entry")
			}
		}
		out = append(out, refCount{
			ref: syncproto.CountRef{Replica: r, Seq: seqs[r], HLC: syncproto.HLC(rapid.Uint64Range(1, 6).Draw(t, "hlc")),
				Counted: rapid.Int64Range(0, 100).Draw(t, "counted")},
			ctx: ctx,
		})
	}
	return out
}

func TestCountStateMatchesDefinition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cs := drawCounts(t)
		wantW, wantLive := referenceWinner(cs)
		var st syncproto.CountState
		for _, c := range rapid.Permutation(cs).Draw(t, "order") {
			st.Add(c.ref, c.ctx)
		}
		gotW, ok := st.Winner()
		if !ok || gotW != wantW {
			t.Fatalf("winner = %+v, want %+v", gotW, wantW)
		}
		if !slices.Equal(st.Live, wantLive) && !(len(st.Live) == 0 && len(wantLive) == 0) {
			t.Fatalf("live = %+v, want %+v", st.Live, wantLive)
		}
		// The stored form gives the same state.
		b, err := st.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back syncproto.CountState
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if w, _ := back.Winner(); w != gotW || back.N != st.N || len(back.Live) != len(st.Live) || len(back.Seen.PB()) != len(st.Seen.PB()) {
			t.Fatalf("decoded state %+v differs from %+v", back, st)
		}
	})
}

func TestCountStateAddReportsWinnerChange(t *testing.T) {
	var st syncproto.CountState
	if !st.Add(syncproto.CountRef{Replica: 1, Seq: 1, HLC: 100, Counted: 5}, nil) {
		t.Fatal("first count: winner change not reported")
	}
	// Concurrent, earlier clock: loses, a conflict.
	if st.Add(syncproto.CountRef{Replica: 2, Seq: 1, HLC: 50, Counted: 6}, nil) {
		t.Fatal("losing concurrent count reported a winner change")
	}
	if c := st.Conflicts(); len(c) != 1 || c[0].Replica != 2 {
		t.Fatalf("conflicts = %+v, want replica 2's count", c)
	}
	// A recount that saw both, with the earliest clock of all: wins.
	if !st.Add(syncproto.CountRef{Replica: 3, Seq: 1, HLC: 1, Counted: 7}, syncproto.VV{1: 1, 2: 1}) {
		t.Fatal("recount: winner change not reported")
	}
	if w, _ := st.Winner(); w.Replica != 3 || len(st.Conflicts()) != 0 {
		t.Fatalf("winner %+v conflicts %+v, want replica 3's count alone", w, st.Conflicts())
	}
}

func TestCountStateUnmarshalRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, {0}, {1}, {1, 1}, {1, 0, 1, 2, 3}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
		var st syncproto.CountState
		if err := st.UnmarshalBinary(b); err == nil {
			t.Errorf("UnmarshalBinary(%x) = nil, want an error", b)
		}
	}
}

func FuzzCountStateUnmarshal(f *testing.F) {
	var st syncproto.CountState
	st.Add(syncproto.CountRef{Replica: 1, Seq: 2, HLC: 3, Counted: 4}, syncproto.VV{1: 1, 9: 7})
	b, _ := st.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var st syncproto.CountState
		if st.UnmarshalBinary(b) != nil {
			return
		}
		again, _ := st.MarshalBinary()
		var back syncproto.CountState
		if err := back.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
	})
}

// BenchmarkCountStateAdd merges counts into a key that has 10,000 prior
// counts, each having seen the one before, with 1,000-entry contexts.
func BenchmarkCountStateAdd(b *testing.B) {
	ids := make([]syncproto.ReplicaID, 1000)
	for i := range ids {
		ids[i] = syncproto.ReplicaID(i + 1)
	}
	seen := syncproto.VV{}
	var st syncproto.CountState
	next := func(i int) (syncproto.CountRef, syncproto.VV) {
		r := ids[i%len(ids)]
		c := syncproto.CountRef{Replica: r, Seq: seen[r] + 1, HLC: syncproto.HLC(i + 1), Counted: int64(i)}
		ctx := make(syncproto.VV, len(seen))
		for k, v := range seen {
			ctx[k] = v
		}
		seen[r]++
		return c, ctx
	}
	for i := range 10_000 {
		st.Add(next(i))
	}
	refs := make([]syncproto.CountRef, b.N)
	ctxs := make([]syncproto.VV, b.N)
	for i := range refs {
		refs[i], ctxs[i] = next(10_000 + i)
	}
	b.ResetTimer()
	for i := range refs {
		st.Add(refs[i], ctxs[i])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "counts/s")
}
