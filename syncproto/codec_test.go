package syncproto_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// The first byte of an encoded batch names its format (codec.go).
const (
	formatRaw  byte = 0
	formatZstd byte = 1
)

var testHeader = syncproto.BatchHeader{Tenant: "acme", Site: "store-1", Replica: testReplica, From: 1}

// MakeEvents returns n events of testReplica at site store-1 with seqs from
// from on, cycling through movements (with and without lot or EPC), counts
// and document events.
func MakeEvents(tb fataler, from uint64, n int) []syncproto.Event {
	tb.Helper()
	out := make([]syncproto.Event, n)
	for i := range out {
		seq := from + uint64(i)
		hlc := syncproto.MakeHLC(t0.UnixMilli()+int64(seq)*3, uint16(seq%4))
		var body *pb.Event
		switch seq % 5 {
		case 0:
			body = Move("A-01-03", fmt.Sprintf("SKU-%06d", seq%50), "", int64(seq%7)+1)
		case 1:
			body = Move("A-01-04", fmt.Sprintf("SKU-%06d", seq%50), "L20250114", -int64(seq%3)-1)
		case 2:
			body = MoveEPC("DOCK-1", "SKU-000007", fmt.Sprintf("3034257BF7194E40%08X", seq), 1)
		case 3:
			body = Count("A-01-03", fmt.Sprintf("SKU-%06d", seq%50), "", int64(seq%11), syncproto.VV{testReplica: seq - 1, 0x77: 12})
		case 4:
			body = Doc(fmt.Sprintf("RC-%d", seq/10), "receipt", "open")
		}
		out[i] = MustEvent(tb, testReplica, seq, hlc, "store-1", body)
	}
	return out
}

// CheckBatch fails the test unless b is the batch of events under h.
func CheckBatch(tb fataler, b *syncproto.Batch, h syncproto.BatchHeader, events []syncproto.Event) {
	tb.Helper()
	if b.Version != syncproto.Version {
		tb.Fatalf("Version = %d, want %d", b.Version, syncproto.Version)
	}
	if b.Tenant != h.Tenant || b.Site != h.Site || b.Replica != h.Replica {
		tb.Fatalf("batch names %q/%q/%v, want %q/%q/%v", b.Tenant, b.Site, b.Replica, h.Tenant, h.Site, h.Replica)
	}
	if b.From != h.From || b.To != h.From+uint64(len(events))-1 {
		tb.Fatalf("batch is %d..%d, want %d..%d", b.From, b.To, h.From, h.From+uint64(len(events))-1)
	}
	if len(b.Events) != len(events) {
		tb.Fatalf("%d events, want %d", len(b.Events), len(events))
	}
	for i, got := range b.Events {
		want := events[i]
		if got.Replica != want.Replica || got.Seq != want.Seq || got.Site != want.Site || got.HLC != want.HLC {
			tb.Fatalf("event %d is %v/%d at %q hlc %v, want %v/%d at %q hlc %v",
				i, got.Replica, got.Seq, got.Site, got.HLC, want.Replica, want.Seq, want.Site, want.HLC)
		}
		if !bytes.Equal(got.Raw, want.Raw) {
			tb.Fatalf("event %d Raw = %x, want %x", i, got.Raw, want.Raw)
		}
		if got.Kind() != want.Kind() {
			tb.Fatalf("event %d Kind() = %v, want %v", i, got.Kind(), want.Kind())
		}
		if want.Msg != nil && !proto.Equal(got.Msg, want.Msg) {
			tb.Fatalf("event %d Msg = %v, want %v", i, got.Msg, want.Msg)
		}
	}
}

func TestBatchRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		header     syncproto.BatchHeader
		n          int
		wantFormat byte
	}{
		{name: "one event", header: testHeader, n: 1, wantFormat: formatRaw},
		{name: "small", header: syncproto.BatchHeader{Tenant: "acme", Site: "store-1", Replica: testReplica, From: 41}, n: 4, wantFormat: formatRaw},
		{name: "no tenant", header: syncproto.BatchHeader{Site: "上海仓", Replica: 1, From: 1}, n: 3, wantFormat: formatRaw},
		{name: "large", header: syncproto.BatchHeader{Tenant: "acme", Site: "store-1", Replica: testReplica, From: 1001}, n: 500, wantFormat: formatZstd},
		{name: "max replica and far seq", header: syncproto.BatchHeader{Site: "s", Replica: 1<<64 - 1, From: 1 << 40}, n: 20, wantFormat: formatZstd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := MakeEvents(t, tt.header.From, tt.n)
			for i := range events {
				events[i].Replica, events[i].Site = tt.header.Replica, tt.header.Site
			}
			wire := MustEncodeBatch(t, tt.header, Raws(events))
			if wire[0] != tt.wantFormat {
				t.Errorf("format byte = %d, want %d (body %d bytes)", wire[0], tt.wantFormat, syncproto.BatchBodySize(Raws(events)))
			}
			b, err := syncproto.DecodeBatch(wire)
			if err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			CheckBatch(t, b, tt.header, events)
		})
	}
}

func TestBatchCompresses(t *testing.T) {
	events := MakeEvents(t, 1, 1000)
	body := syncproto.BatchBodySize(Raws(events))
	wire := MustEncodeBatch(t, testHeader, Raws(events))
	if len(wire) >= body/2 {
		t.Errorf("1000 events: %d bytes on the wire for a %d-byte body, want under half", len(wire), body)
	}
}

// TestBatchIsPBBatch checks that the hand-written batch encoding is the
// Batch message of jxc.proto, so other languages can read it.
func TestBatchIsPBBatch(t *testing.T) {
	events := MakeEvents(t, 7, 3)
	wire := MustEncodeBatch(t, syncproto.BatchHeader{Tenant: "acme", Site: "store-1", Replica: testReplica, From: 7}, Raws(events))
	if wire[0] != formatRaw {
		t.Fatalf("format byte = %d, want raw", wire[0])
	}
	var got pb.Batch
	if err := proto.Unmarshal(wire[1:], &got); err != nil {
		t.Fatalf("unmarshal as pb.Batch: %v", err)
	}
	want := &pb.Batch{Version: syncproto.Version, Tenant: "acme", Site: "store-1", Replica: uint64(testReplica), FromSeq: 7, ToSeq: 9}
	for _, e := range events {
		want.Events = append(want.Events, e.Msg)
	}
	if !proto.Equal(&got, want) {
		t.Errorf("pb.Batch = %v, want %v", &got, want)
	}
}

func TestDecodeBatchRawIsIndependent(t *testing.T) {
	for _, format := range []struct {
		name string
		n    int
	}{{"raw", 3}, {"zstd", 60}} {
		t.Run(format.name, func(t *testing.T) {
			events := MakeEvents(t, 1, format.n)
			wire := MustEncodeBatch(t, testHeader, Raws(events))
			b, err := syncproto.DecodeBatch(wire)
			if err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			// The decoded Raw must not alias the wire ...
			for i := range wire {
				wire[i] = 0xff
			}
			// ... nor the next event's bytes: appending to one Raw (say, a
			// signature) must leave its neighbour alone.
			_ = append(b.Events[0].Raw, 0xde, 0xad, 0xbe, 0xef)
			CheckBatch(t, b, testHeader, events)
		})
	}
}

// FutureEvent returns the body of an event of a kind this build does not
// know: known fields, then field num holding payload.
func FutureEvent(tb fataler, hlc syncproto.HLC, num protowire.Number, payload []byte) []byte {
	tb.Helper()
	raw := MustMarshal(tb, &pb.Event{Hlc: uint64(hlc)})
	raw = protowire.AppendTag(raw, num, protowire.BytesType)
	return protowire.AppendBytes(raw, payload)
}

func TestUnknownEventsPreserved(t *testing.T) {
	hlc := syncproto.MakeHLC(t0.UnixMilli(), 3)
	// Movement is field 10 of Event: a movement with a field 30 inside it.
	futureMovement := MustMarshal(t, Move("A-01-03", "SKU-000123", "", 5).GetMovement())
	futureMovement = protowire.AppendTag(futureMovement, 30, protowire.VarintType)
	futureMovement = protowire.AppendVarint(futureMovement, 99)
	movementWithFutureField := MustMarshal(t, &pb.Event{Hlc: uint64(hlc)})
	movementWithFutureField = protowire.AppendTag(movementWithFutureField, 10, protowire.BytesType)
	movementWithFutureField = protowire.AppendBytes(movementWithFutureField, futureMovement)
	tests := []struct {
		name     string
		raw      []byte
		wantKind syncproto.Kind
	}{
		{name: "future field 20", raw: FutureEvent(t, hlc, 20, []byte("a kind from syncproto v7")), wantKind: syncproto.KindUnknown},
		{name: "future oneof member 13", raw: FutureEvent(t, hlc, 13, MustMarshal(t, &pb.Movement{Bin: "x", Qty: 1})), wantKind: syncproto.KindUnknown},
		{name: "future fixed32 field", raw: protowire.AppendFixed32(protowire.AppendTag(MustMarshal(t, &pb.Event{Hlc: uint64(hlc)}), 21, protowire.Fixed32Type), 7), wantKind: syncproto.KindUnknown},
		{name: "movement with a future field", raw: movementWithFutureField, wantKind: syncproto.KindMovement},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := syncproto.DecodeEvent(testReplica, 2, "store-1", tt.raw)
			if err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			if got := e.Kind(); got != tt.wantKind {
				t.Errorf("Kind() = %v, want %v", got, tt.wantKind)
			}
			if e.HLC != hlc {
				t.Errorf("HLC = %v, want %v", e.HLC, hlc)
			}
			if !bytes.Equal(e.Raw, tt.raw) {
				t.Errorf("Raw = %x, want %x", e.Raw, tt.raw)
			}

			// Pass it on in a batch between two known events, twice.
			known := MakeEvents(t, 1, 3)
			e.Seq = 2
			events := []syncproto.Event{known[0], e, known[2]}
			wire := MustEncodeBatch(t, testHeader, Raws(events))
			for hop := 1; hop <= 2; hop++ {
				b, err := syncproto.DecodeBatch(wire)
				if err != nil {
					t.Fatalf("hop %d: DecodeBatch: %v", hop, err)
				}
				CheckBatch(t, b, testHeader, []syncproto.Event{known[0], {Replica: testReplica, Seq: 2, HLC: hlc, Site: "store-1", Raw: tt.raw, Msg: e.Msg}, known[2]})
				if got := b.Events[1].Kind(); got != tt.wantKind {
					t.Errorf("hop %d: Kind() = %v, want %v", hop, got, tt.wantKind)
				}
				wire = MustEncodeBatch(t, testHeader, Raws(b.Events))
			}

			// Even a re-marshal of the decoded message keeps the unknown bytes.
			if again := MustMarshal(t, e.Msg); !bytes.Equal(again, tt.raw) {
				t.Errorf("re-marshaled body = %x, want %x", again, tt.raw)
			}
		})
	}
}

// BatchWire frames a pb.Batch as a raw batch, or as a zstd one when compress.
func BatchWire(tb fataler, b *pb.Batch, compress bool) []byte {
	tb.Helper()
	return Frame(tb, MustMarshal(tb, b), compress)
}

// Frame puts the format byte in front of body, compressing it when compress.
func Frame(tb fataler, body []byte, compress bool) []byte {
	tb.Helper()
	if !compress {
		return append([]byte{formatRaw}, body...)
	}
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		tb.Fatalf("zstd writer: %v", err)
	}
	defer enc.Close()
	return enc.EncodeAll(body, []byte{formatZstd})
}

// ValidPBBatch returns a valid batch of n events, as a pb.Batch to corrupt.
func ValidPBBatch(tb fataler, n int) *pb.Batch {
	tb.Helper()
	b := &pb.Batch{Version: syncproto.Version, Tenant: "acme", Site: "store-1", Replica: uint64(testReplica), FromSeq: 1, ToSeq: uint64(n)}
	for _, e := range MakeEvents(tb, 1, n) {
		b.Events = append(b.Events, e.Msg)
	}
	return b
}

// Padded returns a batch whose body is exactly size bytes: a valid header and
// one event padded with an unknown field.
func Padded(tb fataler, size int) []byte {
	tb.Helper()
	head := MustMarshal(tb, &pb.Batch{Version: syncproto.Version, Site: "store-1", Replica: uint64(testReplica), FromSeq: 1, ToSeq: 1})
	ev := MustMarshal(tb, &pb.Event{Hlc: 1})
	for pad := size - len(head) - len(ev); pad > 0; pad-- {
		raw := protowire.AppendTag(bytes.Clone(ev), 99, protowire.BytesType)
		raw = protowire.AppendBytes(raw, make([]byte, pad))
		body := protowire.AppendTag(bytes.Clone(head), 7, protowire.BytesType)
		body = protowire.AppendBytes(body, raw)
		if len(body) == size {
			return body
		}
	}
	tb.Fatalf("cannot pad a batch to %d bytes", size)
	return nil
}

// EmptyEvents returns the body of a batch of n events with empty bodies.
func EmptyEvents(tb fataler, n int) []byte {
	tb.Helper()
	head := MustMarshal(tb, &pb.Batch{Version: syncproto.Version, Site: "store-1", Replica: uint64(testReplica), FromSeq: 1, ToSeq: uint64(n)})
	empty := protowire.AppendBytes(protowire.AppendTag(nil, 7, protowire.BytesType), nil)
	return append(head, bytes.Repeat(empty, n)...)
}

func TestDecodeBatchSizeLimits(t *testing.T) {
	tests := []struct {
		name    string
		wire    func(t *testing.T) []byte
		wantErr error
	}{
		{
			name:    "body at MaxDecodedSize",
			wire:    func(t *testing.T) []byte { return Frame(t, Padded(t, syncproto.MaxDecodedSize), true) },
			wantErr: nil,
		},
		{
			name:    "body one byte over MaxDecodedSize",
			wire:    func(t *testing.T) []byte { return Frame(t, Padded(t, syncproto.MaxDecodedSize+1), true) },
			wantErr: syncproto.ErrTooLarge,
		},
		{
			name:    "zstd bomb with content size",
			wire:    func(t *testing.T) []byte { return Frame(t, Padded(t, 16<<20), true) },
			wantErr: syncproto.ErrTooLarge,
		},
		{
			name: "zstd bomb streamed without content size",
			wire: func(t *testing.T) []byte {
				var buf bytes.Buffer
				buf.WriteByte(formatZstd)
				enc, err := zstd.NewWriter(&buf)
				if err != nil {
					t.Fatal(err)
				}
				body := Padded(t, 16<<20)
				for len(body) > 0 {
					n := min(len(body), 1<<20)
					if _, err := enc.Write(body[:n]); err != nil {
						t.Fatal(err)
					}
					body = body[n:]
				}
				if err := enc.Close(); err != nil {
					t.Fatal(err)
				}
				return buf.Bytes()
			},
			wantErr: syncproto.ErrTooLarge,
		},
		{
			// 463 bytes on the wire that would cost half a gigabyte decoded.
			name:    "millions of empty events",
			wire:    func(t *testing.T) []byte { return Frame(t, EmptyEvents(t, 2_000_000), true) },
			wantErr: syncproto.ErrTooLarge,
		},
		{
			name:    "MaxBatchEvents empty events",
			wire:    func(t *testing.T) []byte { return Frame(t, EmptyEvents(t, syncproto.MaxBatchEvents), true) },
			wantErr: nil,
		},
		{
			name:    "one event over MaxBatchEvents",
			wire:    func(t *testing.T) []byte { return Frame(t, EmptyEvents(t, syncproto.MaxBatchEvents+1), false) },
			wantErr: syncproto.ErrTooLarge,
		},
		{
			name:    "wire at MaxWireSize",
			wire:    func(t *testing.T) []byte { return Frame(t, Padded(t, syncproto.MaxWireSize-1), false) },
			wantErr: nil,
		},
		{
			name:    "wire one byte over MaxWireSize",
			wire:    func(t *testing.T) []byte { return Frame(t, Padded(t, syncproto.MaxWireSize), false) },
			wantErr: syncproto.ErrTooLarge,
		},
		{
			name:    "oversized garbage",
			wire:    func(t *testing.T) []byte { return bytes.Repeat([]byte{0xff}, syncproto.MaxWireSize+1) },
			wantErr: syncproto.ErrTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := tt.wire(t)
			_, err := syncproto.DecodeBatch(wire)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("DecodeBatch(%d bytes) = %v, want %v", len(wire), err, tt.wantErr)
			}
		})
	}
}

func TestDecodeBatchRejects(t *testing.T) {
	withEvent := func(t *testing.T, i int, set func(*pb.Event)) []byte {
		b := ValidPBBatch(t, 3)
		set(b.Events[i])
		return BatchWire(t, b, false)
	}
	batch := func(t *testing.T, set func(*pb.Batch)) []byte {
		b := ValidPBBatch(t, 3)
		set(b)
		return BatchWire(t, b, false)
	}
	tests := []struct {
		name    string
		wire    func(t *testing.T) []byte
		wantErr error
	}{
		{name: "empty", wire: func(*testing.T) []byte { return nil }, wantErr: syncproto.ErrMalformed},
		{name: "unknown format", wire: func(t *testing.T) []byte { return append([]byte{7}, BatchWire(t, ValidPBBatch(t, 3), false)[1:]...) }, wantErr: syncproto.ErrMalformed},
		{name: "garbage", wire: func(*testing.T) []byte { return []byte{formatRaw, 0xff, 0xff, 0xff, 0xff, 0xff} }, wantErr: syncproto.ErrMalformed},
		{name: "zstd garbage", wire: func(*testing.T) []byte { return []byte{formatZstd, 0x28, 0xb5, 0x2f, 0xfd, 0xff, 0x00, 0x13} }, wantErr: syncproto.ErrMalformed},
		{name: "not zstd", wire: func(t *testing.T) []byte {
			return append([]byte{formatZstd}, BatchWire(t, ValidPBBatch(t, 3), false)[1:]...)
		}, wantErr: syncproto.ErrMalformed},
		{name: "truncated", wire: func(t *testing.T) []byte { w := BatchWire(t, ValidPBBatch(t, 3), false); return w[:len(w)-5] }, wantErr: syncproto.ErrMalformed},
		{name: "truncated zstd", wire: func(t *testing.T) []byte { w := BatchWire(t, ValidPBBatch(t, 50), true); return w[:len(w)-5] }, wantErr: syncproto.ErrMalformed},
		{name: "field zero", wire: func(*testing.T) []byte { return []byte{formatRaw, 0x00, 0x01} }, wantErr: syncproto.ErrMalformed},
		{name: "known field with wrong wire type", wire: func(t *testing.T) []byte {
			body := MustMarshal(t, ValidPBBatch(t, 3))
			body = protowire.AppendTag(body, 5, protowire.BytesType)
			body = protowire.AppendString(body, "1")
			return Frame(t, body, false)
		}, wantErr: syncproto.ErrMalformed},
		{name: "event not a message", wire: func(t *testing.T) []byte {
			body := MustMarshal(t, &pb.Batch{Version: 1, Site: "s", Replica: 1, FromSeq: 1, ToSeq: 1})
			body = protowire.AppendTag(body, 7, protowire.BytesType)
			body = protowire.AppendBytes(body, []byte{0xff, 0xff})
			return Frame(t, body, false)
		}, wantErr: syncproto.ErrMalformed},
		{name: "event with invalid utf-8", wire: func(t *testing.T) []byte {
			body := MustMarshal(t, &pb.Batch{Version: 1, Site: "s", Replica: 1, FromSeq: 1, ToSeq: 1})
			ev := protowire.AppendTag(nil, 12, protowire.BytesType)
			ev = protowire.AppendBytes(ev, protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "\xff"))
			body = protowire.AppendTag(body, 7, protowire.BytesType)
			body = protowire.AppendBytes(body, ev)
			return Frame(t, body, false)
		}, wantErr: syncproto.ErrMalformed},
		{name: "missing version", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Version = 0 }) }, wantErr: syncproto.ErrVersion},
		{name: "missing version zstd", wire: func(t *testing.T) []byte {
			b := ValidPBBatch(t, 50)
			b.Version = 0
			return BatchWire(t, b, true)
		}, wantErr: syncproto.ErrVersion},
		{name: "replica zero", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Replica = 0 }) }, wantErr: syncproto.ErrMalformed},
		{name: "no site", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Site = "" }) }, wantErr: syncproto.ErrMalformed},
		{name: "site with slash", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Site = "store/1" }) }, wantErr: syncproto.ErrMalformed},
		{name: "site with wildcard", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Site = "#" }) }, wantErr: syncproto.ErrMalformed},
		{name: "site too long", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Site = strings.Repeat("s", 65) }) }, wantErr: syncproto.ErrMalformed},
		{name: "tenant with wildcard", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Tenant = "acme+" }) }, wantErr: syncproto.ErrMalformed},
		{name: "fewer events than range", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.ToSeq = 4 }) }, wantErr: syncproto.ErrNotConsecutive},
		{name: "more events than range", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.ToSeq = 2 }) }, wantErr: syncproto.ErrNotConsecutive},
		{name: "no events", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.Events = nil }) }, wantErr: syncproto.ErrNotConsecutive},
		{name: "from zero", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.FromSeq, b.ToSeq = 0, 2 }) }, wantErr: syncproto.ErrNotConsecutive},
		{name: "to before from", wire: func(t *testing.T) []byte { return batch(t, func(b *pb.Batch) { b.FromSeq, b.ToSeq = 5, 3 }) }, wantErr: syncproto.ErrNotConsecutive},
		{name: "range wraps around", wire: func(t *testing.T) []byte {
			return batch(t, func(b *pb.Batch) { b.FromSeq, b.ToSeq = 1<<64-1, 1 })
		}, wantErr: syncproto.ErrNotConsecutive},
		{name: "event sets replica", wire: func(t *testing.T) []byte {
			return withEvent(t, 1, func(e *pb.Event) { e.Replica = uint64(testReplica) })
		}, wantErr: syncproto.ErrMalformed},
		{name: "event sets seq", wire: func(t *testing.T) []byte { return withEvent(t, 2, func(e *pb.Event) { e.Seq = 3 }) }, wantErr: syncproto.ErrMalformed},
		{name: "event sets site", wire: func(t *testing.T) []byte { return withEvent(t, 0, func(e *pb.Event) { e.Site = "store-1" }) }, wantErr: syncproto.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := tt.wire(t)
			b, err := syncproto.DecodeBatch(wire)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("DecodeBatch = %+v, %v; want %v", b, err, tt.wantErr)
			}
			if b != nil {
				t.Errorf("DecodeBatch returned a batch with error %v", err)
			}
		})
	}
}

func TestDecodeBatchSkipsFutureFields(t *testing.T) {
	events := MakeEvents(t, 1, 3)
	wire := MustEncodeBatch(t, testHeader, Raws(events))
	body := bytes.Clone(wire[1:])
	body = protowire.AppendTag(body, 8, protowire.BytesType) // say, a signature
	body = protowire.AppendBytes(body, bytes.Repeat([]byte{0xab}, 64))
	body = protowire.AppendTag(body, 9, protowire.VarintType)
	body = protowire.AppendVarint(body, 12345)
	body = protowire.AppendTag(body, 10, protowire.StartGroupType)
	body = protowire.AppendTag(body, 10, protowire.EndGroupType)
	for _, compress := range []bool{false, true} {
		b, err := syncproto.DecodeBatch(Frame(t, body, compress))
		if err != nil {
			t.Fatalf("compress %v: DecodeBatch: %v", compress, err)
		}
		CheckBatch(t, b, testHeader, events)
	}
}

func TestDecodeBatchAcceptsNewerVersion(t *testing.T) {
	b := ValidPBBatch(t, 3)
	b.Version = syncproto.Version + 1
	got, err := syncproto.DecodeBatch(BatchWire(t, b, false))
	if err != nil {
		t.Fatalf("DecodeBatch: %v", err)
	}
	if got.Version != syncproto.Version+1 {
		t.Errorf("Version = %d, want %d", got.Version, syncproto.Version+1)
	}
}

func TestEncodeBatchErrors(t *testing.T) {
	incompressible := func(n int) []byte {
		// A xorshift stream: zstd cannot shrink it.
		b := make([]byte, n)
		x := uint64(88172645463325252)
		for i := range b {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			b[i] = byte(x)
		}
		return b
	}
	tests := []struct {
		name string
		raws [][]byte
	}{
		{name: "no events", raws: nil},
		{name: "over MaxWireSize", raws: [][]byte{
			FutureEvent(t, 1, 99, incompressible(200<<10)),
			FutureEvent(t, 2, 99, incompressible(100<<10)),
		}},
		{name: "over MaxBatchEvents", raws: make([][]byte, syncproto.MaxBatchEvents+1)},
		{name: "compressible but over MaxDecodedSize", raws: [][]byte{
			FutureEvent(t, 1, 99, make([]byte, 3<<20)),
			FutureEvent(t, 2, 99, make([]byte, 3<<20)),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire, err := syncproto.EncodeBatch(testHeader, tt.raws)
			if err == nil {
				_, derr := syncproto.DecodeBatch(wire)
				t.Fatalf("EncodeBatch = %d bytes, nil error (and DecodeBatch of it: %v); want an error", len(wire), derr)
			}
			if len(tt.raws) > 0 && !errors.Is(err, syncproto.ErrTooLarge) {
				t.Errorf("EncodeBatch: %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestEncodeBatchMaxBatchBodyFits(t *testing.T) {
	// A builder that stops at MaxBatchBody gets a batch that fits even when
	// nothing compresses.
	x := uint64(2463534242)
	var raws [][]byte
	for n := 0; ; {
		pad := make([]byte, 900)
		for i := range pad {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			pad[i] = byte(x)
		}
		raw := FutureEvent(t, syncproto.HLC(n+1), 99, pad)
		if n+syncproto.EventWireSize(raw) > syncproto.MaxBatchBody {
			break
		}
		n += syncproto.EventWireSize(raw)
		raws = append(raws, raw)
	}
	wire, err := syncproto.EncodeBatch(testHeader, raws)
	if err != nil {
		t.Fatalf("EncodeBatch of %d bytes: %v", syncproto.BatchBodySize(raws), err)
	}
	if _, err := syncproto.DecodeBatch(wire); err != nil {
		t.Fatalf("DecodeBatch: %v", err)
	}
}

func TestDecodeEventRejects(t *testing.T) {
	tests := []struct {
		name    string
		raw     []byte
		wantErr error
	}{
		{name: "garbage", raw: []byte{0xff, 0xff, 0xff}, wantErr: syncproto.ErrMalformed},
		{name: "truncated", raw: MustMarshal(t, Move("A", "B", "", 1))[:5], wantErr: syncproto.ErrMalformed},
		{name: "over MaxDecodedSize", raw: make([]byte, syncproto.MaxDecodedSize+1), wantErr: syncproto.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := syncproto.DecodeEvent(testReplica, 1, "store-1", tt.raw)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("DecodeEvent: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewEvent(t *testing.T) {
	hlc := syncproto.MakeHLC(t0.UnixMilli(), 1)
	e, err := syncproto.NewEvent(testReplica, 9, hlc, "store-1", Move("A-01-03", "SKU-000123", "L1", -2))
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	back, err := syncproto.DecodeEvent(testReplica, 9, "store-1", e.Raw)
	if err != nil {
		t.Fatalf("DecodeEvent: %v", err)
	}
	if back.HLC != hlc || !proto.Equal(back.Msg, e.Msg) {
		t.Errorf("DecodeEvent = %v %v, want %v %v", back.HLC, back.Msg, hlc, e.Msg)
	}
	key, ok := back.KeyOf()
	if want := (syncproto.Key{Site: "store-1", Bin: "A-01-03", SKU: "SKU-000123", Lot: "L1"}); !ok || key != want {
		t.Errorf("KeyOf() = %v, %v; want %v, true", key, ok, want)
	}

	for _, body := range []*pb.Event{
		{Replica: 1, Body: Move("A", "B", "", 1).Body},
		{Seq: 1, Body: Move("A", "B", "", 1).Body},
		{Site: "s", Body: Move("A", "B", "", 1).Body},
	} {
		if _, err := syncproto.NewEvent(testReplica, 1, hlc, "store-1", body); err == nil {
			t.Errorf("NewEvent(%v) = nil error, want one", body)
		}
	}
}

func TestControlRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		msg   syncproto.Message
		empty func() syncproto.Message
	}{
		{
			name:  "ack",
			msg:   &pb.Ack{Replica: uint64(testReplica), Watermark: 1234, ResendFrom: 1200},
			empty: func() syncproto.Message { return new(pb.Ack) },
		},
		{
			name:  "pull",
			msg:   &pb.Pull{Replica: uint64(testReplica), Have: syncproto.VV{1: 10, 2: 3, testReplica: 99}.PB()},
			empty: func() syncproto.Message { return new(pb.Pull) },
		},
		{
			name: "status",
			msg: &pb.Status{Replica: uint64(testReplica), Site: "store-1", Online: true, LastSeq: 120, AckedSeq: 100, TimeMs: t0.UnixMilli(),
				Devices: []*pb.DeviceHealth{
					{Device: "gate-1", Kind: "llrp", Connected: true, LastEventMs: t0.UnixMilli() - 5},
					{Device: "scale-1", Kind: "mtsics", Error: "no response"},
				}},
			empty: func() syncproto.Message { return new(pb.Status) },
		},
		{
			name:  "offline status (last will)",
			msg:   &pb.Status{Replica: uint64(testReplica), Site: "store-1"},
			empty: func() syncproto.Message { return new(pb.Status) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire, err := syncproto.Encode(tt.msg)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if got := tt.msg.GetVersion(); got != syncproto.Version {
				t.Errorf("Encode left version %d, want %d", got, syncproto.Version)
			}
			got := tt.empty()
			if err := syncproto.Decode(wire, got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !proto.Equal(got, tt.msg) {
				t.Errorf("Decode = %v, want %v", got, tt.msg)
			}

			// A message decoded into a used one replaces it.
			if err := syncproto.Decode(wire, got); err != nil || !proto.Equal(got, tt.msg) {
				t.Errorf("second Decode = %v, %v; want %v", got, err, tt.msg)
			}
		})
	}
}

func TestControlRejects(t *testing.T) {
	tests := []struct {
		name    string
		wire    []byte
		into    syncproto.Message
		wantErr error
	}{
		{name: "ack without version", wire: MustMarshal(t, &pb.Ack{Replica: 1, Watermark: 5}), into: new(pb.Ack), wantErr: syncproto.ErrVersion},
		{name: "pull without version", wire: MustMarshal(t, &pb.Pull{Replica: 1, Have: syncproto.VV{1: 2}.PB()}), into: new(pb.Pull), wantErr: syncproto.ErrVersion},
		{name: "status without version", wire: MustMarshal(t, &pb.Status{Replica: 1, Online: true}), into: new(pb.Status), wantErr: syncproto.ErrVersion},
		{name: "empty", wire: nil, into: new(pb.Ack), wantErr: syncproto.ErrVersion},
		{name: "garbage", wire: []byte{0xff, 0xff, 0xff}, into: new(pb.Ack), wantErr: syncproto.ErrMalformed},
		{name: "truncated", wire: MustMarshal(t, &pb.Status{Version: 1, Site: "store-1"})[:5], into: new(pb.Status), wantErr: syncproto.ErrMalformed},
		{name: "invalid utf-8", wire: protowire.AppendString(protowire.AppendTag([]byte{0x08, 0x01}, 3, protowire.BytesType), "\xff"), into: new(pb.Status), wantErr: syncproto.ErrMalformed},
		{name: "oversized", wire: append(MustMarshal(t, &pb.Ack{Version: 1}), make([]byte, syncproto.MaxWireSize)...), into: new(pb.Ack), wantErr: syncproto.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := syncproto.Decode(tt.wire, tt.into)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Decode: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestEncodeControlTooLarge(t *testing.T) {
	s := &pb.Status{Replica: 1, Site: "store-1"}
	for range 5000 {
		s.Devices = append(s.Devices, &pb.DeviceHealth{Device: strings.Repeat("d", 40), Kind: "llrp", Error: strings.Repeat("e", 20)})
	}
	if _, err := syncproto.Encode(s); !errors.Is(err, syncproto.ErrTooLarge) {
		t.Errorf("Encode of a %d-byte status: %v, want ErrTooLarge", proto.Size(s), err)
	}
}

// TestFitBatchIncompressible: 373 incompressible 700-byte events are within
// MaxBatchBody counted by their bodies alone, yet their framing makes the
// batch too large on the wire. FitBatch counts the framing, so what it
// keeps encodes, and taking batch after batch covers every event.
func TestFitBatchIncompressible(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{7})
	raws := make([][]byte, 373)
	body := 0
	for i := range raws {
		pad := make([]byte, 700-11) // the rest is the hlc and the field's framing
		rng.Read(pad)
		raws[i] = FutureEvent(t, syncproto.HLC(1<<40+i), 20, pad)
		if len(raws[i]) != 700 {
			t.Fatalf("event is %d bytes, want 700", len(raws[i]))
		}
		body += len(raws[i])
	}
	if body > syncproto.MaxBatchBody {
		t.Fatalf("premise: %d body bytes exceed MaxBatchBody", body)
	}
	if _, err := syncproto.EncodeBatch(testHeader, raws); !errors.Is(err, syncproto.ErrTooLarge) {
		t.Fatalf("premise: EncodeBatch of all 373 = %v, want ErrTooLarge", err)
	}
	batches := 0
	for from := 0; from < len(raws); batches++ {
		n := syncproto.FitBatch(raws[from:])
		if n < 1 {
			t.Fatalf("FitBatch = %d", n)
		}
		h := testHeader
		h.From = uint64(from + 1)
		wire, err := syncproto.EncodeBatch(h, raws[from:from+n])
		if err != nil {
			t.Fatalf("batch at %d of %d events: %v", from, n, err)
		}
		if len(wire) > syncproto.MaxWireSize {
			t.Fatalf("batch of %d bytes", len(wire))
		}
		from += n
	}
	if batches != 2 {
		t.Errorf("%d batches, want 2", batches)
	}
}

func TestFitBatchLimits(t *testing.T) {
	small := make([][]byte, syncproto.MaxBatchEvents+5)
	for i := range small {
		small[i] = []byte{0}
	}
	big := [][]byte{make([]byte, syncproto.MaxBatchBody), {0x18, 1}}
	tests := []struct {
		name string
		raws [][]byte
		want int
	}{
		{"empty", nil, 0},
		{"one", small[:1], 1},
		{"event count", small, syncproto.MaxBatchEvents},
		{"one oversized event alone", big, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := syncproto.FitBatch(tt.raws); got != tt.want {
				t.Errorf("FitBatch = %d, want %d", got, tt.want)
			}
		})
	}
}
