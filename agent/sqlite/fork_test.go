package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// TestFork: a ledger forked at seq 2 keeps its events 1..2 under the old
// ID, writes 3.. again under a new ID (a count's context renamed to match),
// makes the old ID a peer at 2 so the cloud's own 3.. of it apply as a
// peer's, keeps on-hand equal to the merge of its events, and reopens as the
// new replica.
func TestFork(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := sqlite.Open(dir, sqlite.Options{Tenant: testTenant, Site: testSite})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.Close() }()
	old := l.Replica()
	mustMove(t, l, move("A", "X", "", 5))
	mustMove(t, l, move("A", "X", "", 3))
	mustMove(t, l, move("A", "X", "", 4))
	mustCount(t, l, count("A", "X", "", 10)) // has seen old 1..3
	mustMove(t, l, move("A", "X", "", -2))
	before := ownEvents(t, l)
	stockBefore := stockMap(t, l)

	if _, err := l.Fork(ctx, 6, "test"); !errors.Is(err, agent.ErrInvalid) {
		t.Fatalf("fork beyond the last seq: %v, want ErrInvalid", err)
	}
	f, err := l.Fork(ctx, 2, "test")
	if err != nil {
		t.Fatal(err)
	}
	nw := l.Replica()
	if f.Old != old || f.New != nw || nw == old || f.Seq != 2 || f.Moved != 3 || f.Reason != "test" {
		t.Fatalf("fork %+v (old %s, now %s)", f, old, nw)
	}
	if got, ok := l.LastFork(); !ok || got != f {
		t.Fatalf("LastFork = %+v %v, want %+v", got, ok, f)
	}
	if l.LastSeq() != 3 || l.AckedSeq() != 0 || l.PeerVV()[old] != 2 {
		t.Fatalf("last %d acked %d peer vv %v", l.LastSeq(), l.AckedSeq(), l.PeerVV())
	}
	after := ownEvents(t, l)
	if len(after) != 3 {
		t.Fatalf("%d own events after the fork, want 3", len(after))
	}
	for i, e := range after {
		b := before[i+2]
		if e.Replica != nw || e.Seq != uint64(i+1) || e.HLC != b.HLC || e.Kind() != b.Kind() {
			t.Fatalf("event %d is %s/%d hlc %d, want %s/%d hlc %d", i, e.Replica, e.Seq, e.HLC, nw, i+1, b.HLC)
		}
		if e.Kind() == syncproto.KindMovement && !bytes.Equal(e.Raw, b.Raw) {
			t.Errorf("movement %d changed its body", i)
		}
	}
	if got, want := after[1].CountContext(), (syncproto.VV{old: 2, nw: 1}); len(got) != 2 || got[old] != want[old] || got[nw] != want[nw] {
		t.Errorf("moved count's context %v, want %v", got, want)
	}
	if d := diffStock(stockMap(t, l), stockBefore); d != "" {
		t.Fatalf("on-hand changed by the fork: %s", d)
	}

	// The cloud's events 3..4 of the old ID (another ledger's) arrive as a
	// peer's; the fork's count had not seen them.
	var theirs []syncproto.Event
	for i, q := range []int64{100, 1} {
		e, err := syncproto.NewEvent(old, uint64(3+i), before[1].HLC+syncproto.HLC(1+i), testSite,
			&pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A", Sku: "X", Qty: q, Reason: "adjust"}}})
		if err != nil {
			t.Fatal(err)
		}
		theirs = append(theirs, e)
	}
	if n, err := l.ApplyPeer(ctx, theirs); err != nil || n != 2 {
		t.Fatalf("apply the old ID's later events: %d, %v", n, err)
	}
	rc := mustMove(t, l, move("A", "X", "", 7))
	if rc.Replica != nw || rc.Seq != 4 {
		t.Fatalf("receipt after the fork %s/%d, want %s/4", rc.Replica, rc.Seq, nw)
	}
	all := append(append(append([]syncproto.Event{}, before[:2]...), ownEvents(t, l)...), theirs...)
	want := map[syncproto.Key]int64{}
	for k, q := range syncproto.OnHandAll(all) {
		want[k] = q
	}
	if d := diffStock(stockMap(t, l), want); d != "" {
		t.Fatalf("on-hand after the old ID's events: %s", d)
	}

	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = sqlite.Open(dir, sqlite.Options{Tenant: testTenant, Site: testSite})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := l.LastFork(); l.Replica() != nw || !ok || got.Old != old || got.Seq != 2 || l.LastSeq() != 4 || l.PeerVV()[old] != 4 {
		t.Fatalf("reopened: replica %s, fork %+v %v, last %d, vv %v", l.Replica(), got, ok, l.LastSeq(), l.PeerVV())
	}
	if err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if d := diffStock(stockMap(t, l), want); d != "" {
		t.Fatalf("on-hand after reopen and rebuild: %s", d)
	}
}
