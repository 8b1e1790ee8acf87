package sqlite_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

const (
	testTenant = "t1"
	testSite   = "s1"
)

// MustOpenLedger opens a ledger in a fresh temporary directory and closes
// it when the test ends.
func MustOpenLedger(tb testing.TB) *sqlite.Ledger {
	tb.Helper()
	return MustOpenLedgerDir(tb, tb.TempDir(), sqlite.Options{})
}

// MustOpenLedgerDir opens the ledger in dir with opts (tenant and site
// defaulted) and closes it when the test ends.
func MustOpenLedgerDir(tb testing.TB, dir string, opts sqlite.Options) *sqlite.Ledger {
	tb.Helper()
	if opts.Tenant == "" {
		opts.Tenant = testTenant
	}
	if opts.Site == "" {
		opts.Site = testSite
	}
	l, err := sqlite.Open(dir, opts)
	if err != nil {
		tb.Fatalf("open ledger: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func move(bin, sku, lot string, qty int64) agent.MovementInput {
	reason := "receive"
	if qty < 0 {
		reason = "ship"
	}
	return agent.MovementInput{SKU: sku, Bin: bin, Lot: lot, Qty: qty, Reason: reason, Operator: "op1", Device: "dev1"}
}

func count(bin, sku, lot string, n int64) agent.CountInput {
	return agent.CountInput{SKU: sku, Bin: bin, Lot: lot, Counted: n, Operator: "op1"}
}

func mustMove(tb testing.TB, l agent.Ledger, in agent.MovementInput) agent.Receipt {
	tb.Helper()
	r, err := l.RecordMovement(context.Background(), in)
	if err != nil {
		tb.Fatalf("record movement %+v: %v", in, err)
	}
	return r
}

func mustCount(tb testing.TB, l agent.Ledger, in agent.CountInput) agent.Receipt {
	tb.Helper()
	r, err := l.RecordCount(context.Background(), in)
	if err != nil {
		tb.Fatalf("record count %+v: %v", in, err)
	}
	return r
}

// ownEvents returns every own event of l.
func ownEvents(tb testing.TB, l agent.Ledger) []syncproto.Event {
	tb.Helper()
	evs, err := l.Events(context.Background(), 1, 1<<30, 0)
	if err != nil {
		tb.Fatalf("events: %v", err)
	}
	return evs
}

// stockMap returns l's stock rows as a map.
func stockMap(tb testing.TB, l agent.Ledger) map[syncproto.Key]int64 {
	tb.Helper()
	rows, err := l.Stock(context.Background(), agent.StockFilter{})
	if err != nil {
		tb.Fatalf("stock: %v", err)
	}
	out := make(map[syncproto.Key]int64, len(rows))
	for _, r := range rows {
		k := syncproto.Key{Site: r.Site, Bin: r.Bin, SKU: r.SKU, Lot: r.Lot}
		if _, dup := out[k]; dup {
			tb.Fatalf("stock: key %s twice", k)
		}
		out[k] = r.Qty
	}
	return out
}

// diffStock describes how got differs from want, "" if it does not.
func diffStock(got, want map[syncproto.Key]int64) string {
	var diffs []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: missing, want %d", k, w))
		} else if g != w {
			diffs = append(diffs, fmt.Sprintf("%s: got %d, want %d", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: got %d, want no row", k, g))
		}
	}
	sort.Strings(diffs)
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprint(diffs)
}

// peerSim is a simulated peer replica of the same site.
type peerSim struct {
	id     syncproto.ReplicaID
	site   string
	seq    uint64
	clock  *syncproto.Clock
	events []syncproto.Event // all it wrote, index i has seq i+1
	seen   syncproto.VV      // what it has seen of other replicas
}

func newPeer(tb testing.TB, site string) *peerSim {
	tb.Helper()
	id, err := syncproto.NewReplicaID()
	if err != nil {
		tb.Fatal(err)
	}
	return &peerSim{id: id, site: site, clock: syncproto.NewClock(0), seen: syncproto.VV{}}
}

func (p *peerSim) add(tb testing.TB, body *pb.Event) syncproto.Event {
	tb.Helper()
	p.seq++
	ev, err := syncproto.NewEvent(p.id, p.seq, p.clock.Tick(), p.site, body)
	if err != nil {
		tb.Fatal(err)
	}
	p.events = append(p.events, ev)
	return ev
}

func (p *peerSim) move(tb testing.TB, bin, sku, lot string, qty int64) syncproto.Event {
	tb.Helper()
	return p.add(tb, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
		Bin: bin, Sku: sku, Lot: lot, Qty: qty, Reason: "adjust"}}})
}

// count records a count whose context is the peer's own seqs so far and
// what it has seen of others.
func (p *peerSim) count(tb testing.TB, bin, sku, lot string, n int64) syncproto.Event {
	tb.Helper()
	ctx := syncproto.VV{p.id: p.seq}
	for r, s := range p.seen {
		ctx[r] = s
	}
	return p.add(tb, &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{
		Bin: bin, Sku: sku, Lot: lot, Counted: n, Ctx: ctx.PB()}}})
}

// see makes the peer have seen replica r up to seq (knowledge only grows).
func (p *peerSim) see(r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC) {
	if seq > p.seen[r] {
		p.seen[r] = seq
	}
	p.clock.Observe(hlc)
}

// upTo returns the peer's events up to seq.
func (p *peerSim) upTo(seq uint64) []syncproto.Event { return p.events[:seq] }
