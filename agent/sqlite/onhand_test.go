package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

func marshal(m *pb.Event) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}

// fakeNow is a settable wall clock in milliseconds.
type fakeNow struct{ ms atomic.Int64 }

func newFakeNow() *fakeNow {
	f := new(fakeNow)
	f.ms.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	return f
}

func (f *fakeNow) at(skew int64) func() time.Time {
	return func() time.Time { return time.UnixMilli(f.ms.Load() + skew) }
}

// checkAll compares the ledger's stock with syncproto.OnHandAll over its own
// events and the peers' events it has applied, then rebuilds and compares
// again.
func checkAll(tb testing.TB, l *sqlite.Ledger, peers []*peerSim, rebuild bool) []syncproto.Event {
	tb.Helper()
	vv := l.PeerVV()
	all := ownEvents(tb, l)
	for _, p := range peers {
		all = append(all, p.upTo(vv[p.id])...)
	}
	want := syncproto.OnHandAll(all)
	if d := diffStock(stockMap(tb, l), want); d != "" {
		tb.Fatalf("incremental stock vs OnHandAll: %s", d)
	}
	if rebuild {
		if err := l.Rebuild(context.Background()); err != nil {
			tb.Fatalf("rebuild: %v", err)
		}
		if d := diffStock(stockMap(tb, l), want); d != "" {
			tb.Fatalf("rebuilt stock vs OnHandAll: %s", d)
		}
	}
	return all
}

// TestCountSemantics walks DESIGN.md §3's count rules with own and peer
// counts and movements.
func TestCountSemantics(t *testing.T) {
	key := syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1"}
	// Each scenario gets a ledger L whose clock stands at 0 ms skew, and
	// peers P and Q with the given skews (a later clock wins concurrent
	// counts).
	type env struct {
		t    *testing.T
		l    *sqlite.Ledger
		p, q *peerSim
	}
	apply := func(e env, evs ...syncproto.Event) {
		e.t.Helper()
		if _, err := e.l.ApplyPeer(context.Background(), evs); err != nil {
			e.t.Fatal(err)
		}
	}
	// seeOwn makes peer p have seen all of L's events so far.
	seeOwn := func(e env, p *peerSim) {
		evs := ownEvents(e.t, e.l)
		if len(evs) > 0 {
			p.see(e.l.Replica(), evs[len(evs)-1].Seq, evs[len(evs)-1].HLC)
		}
	}
	for _, tc := range []struct {
		name         string
		pSkew, qSkew int64
		run          func(e env)
		want         int64
	}{
		{"movements sum", 0, 0, func(e env) {
			mustMove(e.t, e.l, move("A1", "sku1", "", 10))
			mustMove(e.t, e.l, move("A1", "sku1", "", -3))
			apply(e, e.p.move(e.t, "A1", "sku1", "", 5))
		}, 12},
		{"count resets what it saw", 0, 0, func(e env) {
			mustMove(e.t, e.l, move("A1", "sku1", "", 10))
			apply(e, e.p.move(e.t, "A1", "sku1", "", 5))
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
			mustMove(e.t, e.l, move("A1", "sku1", "", 2))
		}, 9},
		{"concurrent peer movement is kept", 0, 0, func(e env) {
			mustMove(e.t, e.l, move("A1", "sku1", "", 10))
			m := e.p.move(e.t, "A1", "sku1", "", 5)
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
			apply(e, m)
		}, 12},
		{"concurrent counts: later peer count wins", 1000, 0, func(e env) {
			mustMove(e.t, e.l, move("A1", "sku1", "", 10))
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
			mustMove(e.t, e.l, move("A1", "sku1", "", 1))
			apply(e, e.p.count(e.t, "A1", "sku1", "", 3))
		}, 3 + 10 + 1},
		{"concurrent counts: later own count wins", -1000, 0, func(e env) {
			mustMove(e.t, e.l, move("A1", "sku1", "", 10))
			c := e.p.count(e.t, "A1", "sku1", "", 3)
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
			mustMove(e.t, e.l, move("A1", "sku1", "", 1))
			apply(e, c)
		}, 7 + 1},
		{"own count supersedes a seen later-stamped peer count", 5000, 0, func(e env) {
			apply(e, e.p.count(e.t, "A1", "sku1", "", 3))
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
		}, 7},
		{"peer count that saw ours supersedes it despite an older stamp", -5000, 0, func(e env) {
			mustMove(e.t, e.l, move("A1", "sku1", "", 10))
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
			seeOwn(e, e.p)
			mustMove(e.t, e.l, move("A1", "sku1", "", 2)) // not seen by P
			apply(e, e.p.count(e.t, "A1", "sku1", "", 4))
		}, 4 + 2},
		{"late movement the winning count had seen is not added", 0, -1000, func(e env) {
			qm := e.q.move(e.t, "A1", "sku1", "", 5)
			e.p.see(e.q.id, 1, qm.HLC)
			apply(e, e.p.count(e.t, "A1", "sku1", "", 10))
			apply(e, qm)
		}, 10},
		{"superseded count arriving late does not win", 0, 60000, func(e env) {
			// Q counts n; P saw n and counts d; L saw d (not n) and counts e.
			// n arrives last with the greatest HLC, but d superseded it.
			n := e.q.count(e.t, "A1", "sku1", "", 100)
			e.p.see(e.q.id, 1, n.HLC)
			d := e.p.count(e.t, "A1", "sku1", "", 50)
			apply(e, d)
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
			apply(e, n)
		}, 7},
		{"three concurrent counts", 2000, 1000, func(e env) {
			mustMove(e.t, e.l, move("A1", "sku1", "", 10))
			pc := e.p.count(e.t, "A1", "sku1", "", 30)
			qc := e.q.count(e.t, "A1", "sku1", "", 20)
			mustCount(e.t, e.l, count("A1", "sku1", "", 7))
			apply(e, qc)
			apply(e, pc)
		}, 30 + 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := newFakeNow()
			l := MustOpenLedgerDir(t, t.TempDir(), sqlite.Options{Now: now.at(0)})
			p, q := newPeer(t, testSite), newPeer(t, testSite)
			p.clock.Now, q.clock.Now = now.at(tc.pSkew), now.at(tc.qSkew)
			tc.run(env{t, l, p, q})
			if got := stockMap(t, l)[key]; got != tc.want {
				t.Errorf("on-hand: got %d, want %d", got, tc.want)
			}
			checkAll(t, l, []*peerSim{p, q}, true)
		})
	}
}

// TestOnHandRandomized mixes own movements and counts with peer events
// from two simulated peers delivered in shuffled, duplicated, gappy chunks,
// and checks after every few steps that the incremental on-hand equals
// syncproto.OnHandAll over the events, and that Rebuild and a reopen give
// the same rows.
func TestOnHandRandomized(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			runRandomized(t, seed, 300)
		})
	}
}

func runRandomized(t *testing.T, seed uint64, steps int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	now := newFakeNow()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{Now: now.at(0), MaxBatch: 1 + rng.IntN(8)})
	peers := []*peerSim{newPeer(t, testSite), newPeer(t, testSite)}
	for _, p := range peers {
		p.clock.Now = now.at(int64(rng.IntN(200)) - 100)
	}
	keys := []struct{ bin, sku, lot string }{
		{"A1", "sku1", ""}, {"A1", "sku1", "L1"}, {"A1", "sku2", ""}, {"B1", "sku1", ""},
	}
	pick := func() (string, string, string) {
		k := keys[rng.IntN(len(keys))]
		return k.bin, k.sku, k.lot
	}
	qty := func() int64 {
		q := int64(rng.IntN(20)) - 8
		if q == 0 {
			q = 1
		}
		return q
	}
	deliver := func(p *peerSim) {
		have := l.PeerVV()[p.id]
		if len(p.events) == 0 {
			return
		}
		start := max(1, int(have)-2+rng.IntN(6))
		if start > len(p.events) {
			return
		}
		end := min(len(p.events), start+rng.IntN(6))
		chunk := append([]syncproto.Event(nil), p.events[start-1:end]...)
		if rng.IntN(3) == 0 {
			chunk = append(chunk, chunk[rng.IntN(len(chunk))])
		}
		rng.Shuffle(len(chunk), func(i, j int) { chunk[i], chunk[j] = chunk[j], chunk[i] })
		n, err := l.ApplyPeer(ctx, chunk)
		if err != nil {
			t.Fatal(err)
		}
		wantHave, wantN := have, 0
		if uint64(start) <= have+1 && uint64(end) > have {
			wantHave, wantN = uint64(end), end-int(have)
		}
		if got := l.PeerVV()[p.id]; got != wantHave || n != wantN {
			t.Fatalf("deliver %d..%d with %d applied: vv %d, n %d; want %d, %d", start, end, have, got, n, wantHave, wantN)
		}
	}
	step := func(i int) {
		now.ms.Add(int64(rng.IntN(3)))
		switch r := rng.IntN(100); {
		case r < 30:
			b, s, lot := pick()
			mustMove(t, l, move(b, s, lot, qty()))
		case r < 40:
			b, s, lot := pick()
			// A lot-less count of a sku that has lots in the bin is
			// refused (count per lot); peers' such counts still merge.
			if _, err := l.RecordCount(ctx, count(b, s, lot, int64(rng.IntN(50)))); err != nil &&
				(lot != "" || !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), "stocked by lot")) {
				t.Fatalf("record count: %v", err)
			}
		case r < 58:
			b, s, lot := pick()
			peers[rng.IntN(2)].move(t, b, s, lot, qty())
		case r < 66:
			b, s, lot := pick()
			peers[rng.IntN(2)].count(t, b, s, lot, int64(rng.IntN(50)))
		case r < 76:
			// A peer learns a prefix of L's or the other peer's events.
			p, o := peers[0], peers[1]
			if rng.IntN(2) == 0 {
				p, o = o, p
			}
			if rng.IntN(2) == 0 {
				if last := l.LastSeq(); last > 0 {
					k := 1 + uint64(rng.IntN(int(last)))
					evs, err := l.Events(ctx, k, 1, 0)
					if err != nil {
						t.Fatal(err)
					}
					p.see(l.Replica(), k, evs[0].HLC)
				}
			} else if n := len(o.events); n > 0 {
				k := 1 + rng.IntN(n)
				p.see(o.id, uint64(k), o.events[k-1].HLC)
			}
		default:
			deliver(peers[rng.IntN(2)])
		}
		if i%10 == 0 {
			checkAll(t, l, peers, i%50 == 0)
		}
	}
	for i := 0; i < steps; i++ {
		step(i)
	}
	// Deliver everything, check, reopen, continue, check.
	for _, p := range peers {
		if _, err := l.ApplyPeer(ctx, p.events); err != nil {
			t.Fatal(err)
		}
	}
	before := checkAll(t, l, peers, false)
	wantStock := stockMap(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = MustOpenLedgerDir(t, dir, sqlite.Options{Now: now.at(0)})
	if d := diffStock(stockMap(t, l), wantStock); d != "" {
		t.Fatalf("after reopen: %s", d)
	}
	if after := checkAll(t, l, peers, true); len(after) != len(before) {
		t.Fatalf("events after reopen: %d, before %d", len(after), len(before))
	}
	for i := 0; i < 40; i++ {
		step(i + 1)
	}
	checkAll(t, l, peers, true)
	t.Logf("seed %d: %d own events, peers %v, stats %+v", seed, l.LastSeq(), l.PeerVV(), l.Stats())
}

// TestOnHandConcurrent runs own writers (movements and counts on shared
// keys) concurrently with two peers that write movements and counts and
// deliver them in shuffled chunks, then checks incremental == Rebuild ==
// OnHandAll, also after a reopen.
func TestOnHandConcurrent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	keys := []string{"sku1", "sku2", "sku3"}
	const ownWriters, ownOps, peerOps = 6, 60, 120
	peers := []*peerSim{newPeer(t, testSite), newPeer(t, testSite)}
	var published [2]atomic.Uint64 // how many events each peer has written
	var wg sync.WaitGroup
	errc := make(chan error, ownWriters+2)
	for w := 0; w < ownWriters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; i < ownOps; i++ {
				sku := keys[rng.IntN(len(keys))]
				var err error
				if rng.IntN(5) == 0 {
					_, err = l.RecordCount(ctx, count("A1", sku, "", int64(rng.IntN(100))))
				} else {
					_, err = l.RecordMovement(ctx, move("A1", sku, "", int64(rng.IntN(9)+1)))
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	for i, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(100+i), 2))
			other := peers[1-i]
			delivered := 0
			for op := 0; op < peerOps; op++ {
				sku := keys[rng.IntN(len(keys))]
				if rng.IntN(4) == 0 {
					// The peer has seen what L has committed and part of what
					// the other peer has published.
					p.seen[l.Replica()] = l.LastSeq()
					if n := published[1-i].Load(); n > 0 {
						p.seen[other.id] = uint64(rng.IntN(int(n)) + 1)
					}
					p.count(t, "A1", sku, "", int64(rng.IntN(100)))
				} else {
					p.move(t, "A1", sku, "", int64(rng.IntN(9)+1))
				}
				published[i].Store(p.seq)
				if rng.IntN(3) == 0 || op == peerOps-1 {
					chunk := append([]syncproto.Event(nil), p.events[delivered:]...)
					if delivered > 0 && rng.IntN(2) == 0 {
						chunk = append(chunk, p.events[delivered-1]) // duplicate
					}
					rng.Shuffle(len(chunk), func(a, b int) { chunk[a], chunk[b] = chunk[b], chunk[a] })
					if _, err := l.ApplyPeer(ctx, chunk); err != nil {
						errc <- err
						return
					}
					delivered = len(p.events)
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if got := l.LastSeq(); got != ownWriters*ownOps {
		t.Fatalf("last seq %d, want %d", got, ownWriters*ownOps)
	}
	for _, p := range peers {
		if got := l.PeerVV()[p.id]; got != peerOps {
			t.Fatalf("peer vv %d, want %d", got, peerOps)
		}
	}
	checkAll(t, l, peers, true)
	want := stockMap(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = MustOpenLedgerDir(t, dir, sqlite.Options{})
	if d := diffStock(stockMap(t, l), want); d != "" {
		t.Fatalf("after reopen: %s", d)
	}
	checkAll(t, l, peers, true)
	t.Logf("stats %+v", l.Stats())
}
