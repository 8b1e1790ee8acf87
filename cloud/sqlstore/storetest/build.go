// Package storetest is the one test suite every cloud.Store implementation
// runs (cloud/sqlite, cloud/postgres), in the spirit of Litestream's
// RunWithReplicaClient, and the event and batch builders it and the
// benchmarks use. Events are made with syncproto.NewEvent and batches go
// through syncproto.EncodeBatch and DecodeBatch, so they are what ingest
// hands a store.
package storetest

import (
	"fmt"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Replica builds the events of one replica: seqs 1, 2, 3 … and an HLC that
// ticks by one per event unless a test sets Clock.
type Replica struct {
	ID           syncproto.ReplicaID
	Tenant, Site string
	// Events are the replica's events so far; Events[i] has seq i+1.
	Events []syncproto.Event
	// Clock is the HLC of the last event; the next one gets Clock+1.
	Clock syncproto.HLC
}

// NewReplica returns a replica with no events whose clock starts at a
// fixed time, so runs are reproducible.
func NewReplica(id syncproto.ReplicaID, tenant, site string) *Replica {
	return &Replica{ID: id, Tenant: tenant, Site: site, Clock: syncproto.MakeHLC(1_700_000_000_000, 0)}
}

// Seq returns the replica's last seq.
func (r *Replica) Seq() uint64 { return uint64(len(r.Events)) }

// Add appends an event with body and returns it.
func (r *Replica) Add(tb testing.TB, body *pb.Event) syncproto.Event {
	tb.Helper()
	r.Clock++
	e, err := syncproto.NewEvent(r.ID, r.Seq()+1, r.Clock, r.Site, body)
	if err != nil {
		tb.Fatalf("new event: %v", err)
	}
	r.Events = append(r.Events, e)
	return e
}

// Move appends a movement of qty.
func (r *Replica) Move(tb testing.TB, bin, sku, lot string, qty int64) syncproto.Event {
	tb.Helper()
	return r.Add(tb, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
		Bin: bin, Sku: sku, Lot: lot, Qty: qty, Reason: "adjust", Operator: "test", Device: "storetest",
	}}})
}

// Count appends a count of counted having seen ctx.
func (r *Replica) Count(tb testing.TB, bin, sku, lot string, counted int64, ctx syncproto.VV) syncproto.Event {
	tb.Helper()
	return r.Add(tb, &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{
		Bin: bin, Sku: sku, Lot: lot, Counted: counted, Ctx: ctx.PB(), Operator: "test", Device: "storetest",
	}}})
}

// Doc appends a document event.
func (r *Replica) Doc(tb testing.TB, doc, status string) syncproto.Event {
	tb.Helper()
	return r.Add(tb, &pb.Event{Body: &pb.Event_Doc{Doc: &pb.DocEvent{Doc: doc, DocType: "receipt", Status: status, Payload: []byte(`{"lines":[]}`)}}})
}

// Unknown appends an event of a kind this build does not know: a body
// field numbered 20 holding payload, as a later protocol version might send.
func (r *Replica) Unknown(tb testing.TB, payload []byte) syncproto.Event {
	tb.Helper()
	m := new(pb.Event)
	m.ProtoReflect().SetUnknown(protowire.AppendBytes(protowire.AppendTag(nil, 20, protowire.BytesType), payload))
	return r.Add(tb, m)
}

// Batch returns the replica's events from..to as a decoded wire batch.
func (r *Replica) Batch(tb testing.TB, from, to uint64) *syncproto.Batch {
	tb.Helper()
	if from < 1 || to < from || to > r.Seq() {
		tb.Fatalf("batch %d..%d of a replica with %d events", from, to, r.Seq())
	}
	return MustBatch(tb, r.Tenant, r.Site, r.ID, r.Events[from-1:to])
}

// MustBatch encodes events (consecutive seqs of one replica) with
// syncproto.EncodeBatch and decodes them with syncproto.DecodeBatch.
func MustBatch(tb testing.TB, tenant, site string, replica syncproto.ReplicaID, events []syncproto.Event) *syncproto.Batch {
	tb.Helper()
	raws := make([][]byte, len(events))
	for i := range events {
		raws[i] = events[i].Raw
	}
	wire, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: tenant, Site: site, Replica: replica, From: events[0].Seq}, raws)
	if err != nil {
		tb.Fatalf("encode batch: %v", err)
	}
	b, err := syncproto.DecodeBatch(wire)
	if err != nil {
		tb.Fatalf("decode batch: %v", err)
	}
	return b
}

// MovementBatch returns a batch of n movements of replica from seq from on,
// spread over keys keys (bins × SKUs) of one site, for benchmarks.
func MovementBatch(tb testing.TB, tenant, site string, replica syncproto.ReplicaID, from uint64, n, keys int) *syncproto.Batch {
	tb.Helper()
	events := make([]syncproto.Event, n)
	for i := range events {
		seq := from + uint64(i)
		k := int(seq) % keys
		body := &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
			Bin: fmt.Sprintf("B%02d", k%10), Sku: fmt.Sprintf("SKU-%05d", k/10), Qty: int64(seq%7) - 2,
			Reason: "receive", Operator: "bench", Device: "gate-1",
		}}}
		e, err := syncproto.NewEvent(replica, seq, syncproto.MakeHLC(1_700_000_000_000+int64(seq), 0), site, body)
		if err != nil {
			tb.Fatalf("new event: %v", err)
		}
		events[i] = e
	}
	return MustBatch(tb, tenant, site, replica, events)
}

// WantStock returns the on-hand rows syncproto.OnHandAll gives for events,
// per tenant (tenantOf names each replica's), sorted as Store.Stock sorts.
func WantStock(events []syncproto.Event, tenantOf func(syncproto.ReplicaID) string) []cloud.StockRow {
	byTenant := make(map[string][]syncproto.Event)
	for _, e := range events {
		t := tenantOf(e.Replica)
		byTenant[t] = append(byTenant[t], e)
	}
	var out []cloud.StockRow
	for tenant, evs := range byTenant {
		for k, qty := range syncproto.OnHandAll(evs) {
			out = append(out, cloud.StockRow{Tenant: tenant, Site: k.Site, Bin: k.Bin, SKU: k.SKU, Lot: k.Lot, Qty: qty})
		}
	}
	SortStock(out)
	return out
}

// SortStock sorts rows by tenant, site, bin, sku, lot.
func SortStock(rows []cloud.StockRow) {
	slices.SortFunc(rows, func(a, b cloud.StockRow) int {
		for _, c := range [][2]string{{a.Tenant, b.Tenant}, {a.Site, b.Site}, {a.Bin, b.Bin}, {a.SKU, b.SKU}, {a.Lot, b.Lot}} {
			if c[0] != c[1] {
				if c[0] < c[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
}
