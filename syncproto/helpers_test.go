package syncproto_test

import (
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// fataler is what the helpers need of *testing.T, *testing.B and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// MustEvent builds an event with syncproto.NewEvent and fails the test on error.
func MustEvent(tb fataler, r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC, site string, body *pb.Event) syncproto.Event {
	tb.Helper()
	e, err := syncproto.NewEvent(r, seq, hlc, site, body)
	if err != nil {
		tb.Fatalf("new event %s/%d: %v", r, seq, err)
	}
	return e
}

// MustMarshal marshals m deterministically and fails the test on error.
func MustMarshal(tb fataler, m proto.Message) []byte {
	tb.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		tb.Fatalf("marshal %T: %v", m, err)
	}
	return b
}

// Move returns a movement body.
func Move(bin, sku, lot string, qty int64) *pb.Event {
	return &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
		Bin: bin, Sku: sku, Lot: lot, Qty: qty, Reason: "adjust", Operator: "test", Device: "test",
	}}}
}

// MoveEPC returns a movement body of one serialized item.
func MoveEPC(bin, sku, epc string, qty int64) *pb.Event {
	b := Move(bin, sku, "", qty)
	b.GetMovement().Epc = epc
	return b
}

// Count returns a count body with causal context ctx.
func Count(bin, sku, lot string, counted int64, ctx syncproto.VV) *pb.Event {
	return &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{
		Bin: bin, Sku: sku, Lot: lot, Counted: counted, Ctx: ctx.PB(), Operator: "test", Device: "test",
	}}}
}

// Doc returns a document event body.
func Doc(doc, docType, status string) *pb.Event {
	return &pb.Event{Body: &pb.Event_Doc{Doc: &pb.DocEvent{Doc: doc, DocType: docType, Status: status}}}
}

// Raws returns the Raw bodies of events.
func Raws(events []syncproto.Event) [][]byte {
	out := make([][]byte, len(events))
	for i := range events {
		out[i] = events[i].Raw
	}
	return out
}

// MustEncodeBatch encodes a batch and fails the test on error.
func MustEncodeBatch(tb fataler, h syncproto.BatchHeader, raws [][]byte) []byte {
	tb.Helper()
	wire, err := syncproto.EncodeBatch(h, raws)
	if err != nil {
		tb.Fatalf("encode batch: %v", err)
	}
	return wire
}

// EventKey names an event by its identity.
type EventKey struct {
	Replica syncproto.ReplicaID
	Seq     uint64
}

// KeyOfEvent returns e's identity.
func KeyOfEvent(e syncproto.Event) EventKey { return EventKey{e.Replica, e.Seq} }
