package sqlite_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

func TestApplyPeerOrderGapsDuplicates(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	p, q := newPeer(t, testSite), newPeer(t, testSite)
	for i := 0; i < 8; i++ {
		p.move(t, "A1", "sku1", "", int64(i+1))
		q.move(t, "A1", "sku1", "", 100)
	}
	ev := func(s *peerSim, seqs ...uint64) []syncproto.Event {
		var out []syncproto.Event
		for _, n := range seqs {
			out = append(out, s.events[n-1])
		}
		return out
	}
	join := func(lists ...[]syncproto.Event) []syncproto.Event {
		var out []syncproto.Event
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	for _, step := range []struct {
		name           string
		events         []syncproto.Event
		wantN          int
		wantP, wantQ   uint64
		wantHeldAtMost uint64
	}{
		{"first two", ev(p, 1, 2), 2, 2, 0, 0},
		{"again: idempotent", ev(p, 1, 2), 0, 2, 0, 0},
		{"gap held back", ev(p, 4, 5), 0, 2, 0, 2},
		{"fill and more, with a duplicate", ev(p, 3, 4, 4, 5), 3, 5, 0, 2},
		{"out of order", ev(p, 8, 6, 7), 3, 8, 0, 2},
		{"two replicas, one with a gap", join(ev(q, 1, 2, 3), ev(p, 1), ev(q, 5)), 3, 8, 3, 3},
		{"rest", ev(q, 4, 5, 6, 7, 8), 5, 8, 8, 3},
	} {
		n, err := l.ApplyPeer(ctx, step.events)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		vv := l.PeerVV()
		if n != step.wantN || vv[p.id] != step.wantP || vv[q.id] != step.wantQ {
			t.Fatalf("%s: applied %d, vv p=%d q=%d; want %d, %d, %d", step.name, n, vv[p.id], vv[q.id], step.wantN, step.wantP, step.wantQ)
		}
		all := append(ownEvents(t, l), p.upTo(vv[p.id])...)
		all = append(all, q.upTo(vv[q.id])...)
		if d := diffStock(stockMap(t, l), syncproto.OnHandAll(all)); d != "" {
			t.Fatalf("%s: stock: %s", step.name, d)
		}
	}
	if got := stockMap(t, l)[syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1"}]; got != 36+800 {
		t.Fatalf("on-hand %d, want 836", got)
	}
	if evs := ownEvents(t, l); len(evs) != 0 {
		t.Fatalf("peer events in Events: %d", len(evs))
	}
	if st := l.Stats(); st.PeerApplied != 16 || st.PeerSkipped == 0 || st.PeerHeld == 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestApplyPeerRejects(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	p := newPeer(t, testSite)
	good := p.move(t, "A1", "sku1", "", 5)
	other := newPeer(t, "s2")
	own := newPeer(t, testSite)
	own.id = l.Replica()
	withSite, err := syncproto.NewEvent(p.id, 2, 7, testSite, &pb.Event{})
	if err != nil {
		t.Fatal(err)
	}
	withSite.Msg.Site = "s1"
	withSite.Raw, _ = marshal(withSite.Msg)
	for _, tc := range []struct {
		name string
		ev   syncproto.Event
		text string
	}{
		{"other site", other.move(t, "A1", "sku1", "", 1), `site "s2"`},
		{"own replica", own.move(t, "A1", "sku1", "", 1), "own replica"},
		{"replica 0", syncproto.Event{Seq: 1, Site: testSite, Raw: good.Raw}, "replica 0"},
		{"seq 0", syncproto.Event{Replica: p.id, Site: testSite, Raw: good.Raw, HLC: good.HLC}, "seq 0"},
		{"no body", syncproto.Event{Replica: p.id, Seq: 1, Site: testSite}, "no body"},
		{"corrupt body", syncproto.Event{Replica: p.id, Seq: 1, Site: testSite, Raw: []byte{0xff, 0xff}}, "malformed"},
		{"body sets site", withSite, "sets replica, seq or site"},
		{"hlc differs", syncproto.Event{Replica: p.id, Seq: 1, Site: testSite, Raw: good.Raw, HLC: good.HLC + 1}, "hlc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := l.Stats().PeerRejected
			n, err := l.ApplyPeer(ctx, []syncproto.Event{tc.ev})
			if n != 0 || !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %d, %v; want 0 and ErrInvalid mentioning %q", n, err, tc.text)
			}
			if got := l.Stats().PeerRejected; got != before+1 {
				t.Fatalf("rejected count %d, want %d", got, before+1)
			}
		})
	}
	// A call mixing good and bad events applies the good ones and reports
	// the bad.
	n, err := l.ApplyPeer(ctx, []syncproto.Event{other.move(t, "A1", "sku1", "", 1), good})
	if n != 1 || !errors.Is(err, agent.ErrInvalid) {
		t.Fatalf("mixed: got %d, %v", n, err)
	}
	if got := l.PeerVV()[p.id]; got != 1 {
		t.Fatalf("vv %d, want 1", got)
	}
	if l.LastSeq() != 0 {
		t.Fatal("peer events moved own seq")
	}
}

// TestApplyPeerUnknownKind checks that an event of a kind this build does
// not know is stored and counted in the version vector.
func TestApplyPeerUnknownKind(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	p := newPeer(t, testSite)
	ev := p.add(t, &pb.Event{})
	// Field 99 (bytes "x"), unknown to this build, after the hlc.
	ev.Raw = append(append([]byte(nil), ev.Raw...), 0x9a, 0x06, 0x01, 'x')
	if n, err := l.ApplyPeer(ctx, []syncproto.Event{ev, p.move(t, "A1", "sku1", "", 2)}); n != 2 || err != nil {
		t.Fatalf("got %d, %v", n, err)
	}
	if err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
}
