package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
)

// TestRecountAcrossClockSkew: two replicas whose clocks are hours apart
// count, sync and recount. The recount saw the first count, so it wins
// whatever the clocks say (DESIGN.md §3: causality decides), on the
// incremental path, after Rebuild and after reopening. A peer clock too far
// ahead is neither adopted nor persisted.
func TestRecountAcrossClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{2 * time.Hour, 48 * time.Hour} {
		t.Run("peer ahead "+skew.String(), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			now := newFakeNow()
			l := MustOpenLedgerDir(t, dir, sqlite.Options{Now: now.at(0)})
			p := newPeer(t, testSite)
			p.clock.Now = now.at(skew.Milliseconds())
			p.move(t, "A1", "sku1", "", 100)
			p.count(t, "A1", "sku1", "", 100)
			if _, err := l.ApplyPeer(ctx, p.events); err != nil {
				t.Fatal(err)
			}
			if st := l.Stats(); st.ClockRefused != 2 {
				t.Fatalf("ClockRefused = %d, want 2", st.ClockRefused)
			}
			rc := mustCount(t, l, count("A1", "sku1", "", 7))
			if rc.HLC >= p.events[1].HLC {
				t.Fatalf("recount HLC %v not below the skewed peer's %v: the test shows nothing", rc.HLC, p.events[1].HLC)
			}
			mustMove(t, l, move("A1", "sku1", "", -2))
			checkOnHand(t, l, p, 5)

			// Reopen: the clock resumes after the ledger's own events, not
			// after the refused peer clock.
			l.Close()
			l = MustOpenLedgerDir(t, dir, sqlite.Options{Now: now.at(0)})
			r := mustMove(t, l, move("A1", "sku1", "", 1))
			if r.HLC >= p.events[0].HLC {
				t.Fatalf("after reopen the clock resumed at %v, after the refused peer HLC %v", r.HLC, p.events[0].HLC)
			}
			checkOnHand(t, l, p, 6)
		})
		t.Run("ledger ahead "+skew.String(), func(t *testing.T) {
			ctx := context.Background()
			now := newFakeNow()
			l := MustOpenLedgerDir(t, t.TempDir(), sqlite.Options{Now: now.at(skew.Milliseconds())})
			p := newPeer(t, testSite)
			p.clock.Now = now.at(0)
			mustMove(t, l, move("A1", "sku1", "", 100))
			rc := mustCount(t, l, count("A1", "sku1", "", 100))
			// The peer syncs the ledger's work (its clock refuses the HLC)
			// and recounts.
			p.see(l.Replica(), rc.Seq, rc.HLC)
			recount := p.count(t, "A1", "sku1", "", 7)
			if recount.HLC >= rc.HLC {
				t.Fatalf("peer recount HLC %v not below the ledger's count %v", recount.HLC, rc.HLC)
			}
			if _, err := l.ApplyPeer(ctx, p.events); err != nil {
				t.Fatal(err)
			}
			checkOnHand(t, l, p, 7)
		})
	}
}

// checkOnHand checks the ledger's on-hand of A1/sku1 incrementally, against
// syncproto.OnHandAll and after a rebuild.
func checkOnHand(t *testing.T, l *sqlite.Ledger, p *peerSim, want int64) {
	t.Helper()
	k := syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1"}
	if got := stockMap(t, l)[k]; got != want {
		t.Fatalf("on-hand %d, want %d", got, want)
	}
	checkAll(t, l, []*peerSim{p}, true)
	if got := stockMap(t, l)[k]; got != want {
		t.Fatalf("on-hand after rebuild %d, want %d", got, want)
	}
}
