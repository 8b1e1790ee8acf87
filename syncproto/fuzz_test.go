package syncproto_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// The fuzzers feed untrusted bytes to every decoder. None may panic, and what
// one accepts must survive a re-encode unchanged.

func FuzzDecodeBatch(f *testing.F) {
	f.Add(MustEncodeBatch(f, testHeader, Raws(MakeEvents(f, 1, 1))))
	f.Add(MustEncodeBatch(f, syncproto.BatchHeader{Site: "s", Replica: 1, From: 9}, Raws(MakeEvents(f, 9, 3))))
	f.Add(MustEncodeBatch(f, testHeader, Raws(MakeEvents(f, 1, 40))))
	f.Add(MustEncodeBatch(f, testHeader, [][]byte{FutureEvent(f, 5, 20, []byte("future"))}))
	f.Add(BatchWire(f, ValidPBBatch(f, 3), false))
	b := ValidPBBatch(f, 3)
	b.Version = 0
	f.Add(BatchWire(f, b, false))
	f.Add([]byte{formatZstd, 0x28, 0xb5, 0x2f, 0xfd})
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, wire []byte) {
		b, err := syncproto.DecodeBatch(wire)
		if err != nil {
			if b != nil {
				t.Fatalf("DecodeBatch returned a batch with error %v", err)
			}
			if !isCodecError(err) {
				t.Fatalf("DecodeBatch error %v is none of the sentinel errors", err)
			}
			return
		}
		if b.Version == 0 || b.Replica == 0 || syncproto.ValidName(b.Site) != nil || b.From == 0 ||
			b.To-b.From+1 != uint64(len(b.Events)) {
			t.Fatalf("DecodeBatch accepted %+v", b)
		}
		for i, e := range b.Events {
			if e.Replica != b.Replica || e.Seq != b.From+uint64(i) || e.Site != b.Site || e.HLC != syncproto.HLC(e.Msg.GetHlc()) {
				t.Fatalf("event %d is %v/%d at %q hlc %v in batch %v/%d..%d at %q", i, e.Replica, e.Seq, e.Site, e.HLC, b.Replica, b.From, b.To, b.Site)
			}
		}

		h := syncproto.BatchHeader{Tenant: b.Tenant, Site: b.Site, Replica: b.Replica, From: b.From}
		again, err := syncproto.EncodeBatch(h, Raws(b.Events))
		if err != nil {
			// A zstd batch may have been compressed harder than EncodeBatch does.
			if errors.Is(err, syncproto.ErrTooLarge) && wire[0] == formatZstd {
				return
			}
			t.Fatalf("EncodeBatch of a decoded batch: %v", err)
		}
		b2, err := syncproto.DecodeBatch(again)
		if err != nil {
			t.Fatalf("DecodeBatch of a re-encoded batch: %v", err)
		}
		CheckBatch(t, b2, h, b.Events)
	})
}

func FuzzDecodeEvent(f *testing.F) {
	for _, e := range MakeEvents(f, 1, 5) {
		f.Add(e.Raw)
	}
	f.Add(FutureEvent(f, 5, 20, []byte("future")))
	f.Add(MustMarshal(f, &pb.Event{Replica: 1, Seq: 2, Site: "s"}))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := syncproto.DecodeEvent(testReplica, 7, "store-1", raw)
		if err != nil {
			if !isCodecError(err) {
				t.Fatalf("DecodeEvent error %v is none of the sentinel errors", err)
			}
			return
		}
		if !bytes.Equal(e.Raw, raw) {
			t.Fatalf("Raw = %x, want the input %x", e.Raw, raw)
		}
		if e.HLC != syncproto.HLC(e.Msg.GetHlc()) || e.Kind() != syncproto.KindOf(e.Msg) {
			t.Fatalf("HLC %v, kind %v for %v", e.HLC, e.Kind(), e.Msg)
		}
		_, isKey := e.KeyOf()
		if k := e.Kind(); isKey != (k == syncproto.KindMovement || k == syncproto.KindCount) {
			t.Fatalf("KeyOf() ok = %v for kind %v", isKey, k)
		}
		_ = e.CountContext()

		// The decoded message, unknown fields and all, marshals to an event
		// that decodes to the same message.
		re, err := proto.Marshal(e.Msg)
		if err != nil {
			t.Fatalf("marshal decoded event: %v", err)
		}
		e2, err := syncproto.DecodeEvent(testReplica, 7, "store-1", re)
		if err != nil {
			t.Fatalf("DecodeEvent of re-marshaled event: %v", err)
		}
		if !proto.Equal(e2.Msg, e.Msg) {
			t.Fatalf("re-marshaled event decodes to %v, want %v", e2.Msg, e.Msg)
		}

		// Whatever the body, the merge rules take it without panicking.
		events := []syncproto.Event{e, e}
		_ = syncproto.OnHandAll(events)
		_ = syncproto.EPCLocations(events)
		_ = syncproto.DocStatuses(events)
		_ = syncproto.MergeCounts(events)
	})
}

func FuzzDecodeControl(f *testing.F) {
	for _, m := range []syncproto.Message{
		&pb.Ack{Replica: uint64(testReplica), Watermark: 1234, ResendFrom: 1200},
		&pb.Pull{Replica: uint64(testReplica), Have: syncproto.VV{1: 10, 2: 3}.PB()},
		&pb.Status{Replica: uint64(testReplica), Site: "store-1", Online: true, LastSeq: 9, AckedSeq: 8, TimeMs: t0.UnixMilli(),
			Devices: []*pb.DeviceHealth{{Device: "gate-1", Kind: "llrp", Connected: true}}},
	} {
		wire, err := syncproto.Encode(m)
		if err != nil {
			f.Fatalf("Encode: %v", err)
		}
		f.Add(wire)
	}
	f.Add(MustMarshal(f, &pb.Ack{Replica: 1}))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, wire []byte) {
		for _, m := range []syncproto.Message{new(pb.Ack), new(pb.Pull), new(pb.Status)} {
			if err := syncproto.Decode(wire, m); err != nil {
				if !isCodecError(err) {
					t.Fatalf("Decode %T error %v is none of the sentinel errors", m, err)
				}
				continue
			}
			if m.GetVersion() == 0 {
				t.Fatalf("Decode accepted %T without a version", m)
			}
			// Encode writes this build's version; compare with that.
			want := proto.Clone(m).(syncproto.Message)
			again, err := syncproto.Encode(m)
			if err != nil {
				t.Fatalf("Encode of a decoded %T: %v", m, err)
			}
			got := proto.Clone(m).(syncproto.Message)
			proto.Reset(got)
			if err := syncproto.Decode(again, got); err != nil {
				t.Fatalf("Decode of a re-encoded %T: %v", m, err)
			}
			setVersion(want, syncproto.Version)
			if !proto.Equal(got, want) {
				t.Fatalf("re-encoded %T decodes to %v, want %v", m, got, want)
			}
			if m, ok := m.(*pb.Pull); ok {
				_ = syncproto.VVFromPB(m.GetHave()).PB()
			}
		}
	})
}

func FuzzParseReplicaTopic(f *testing.F) {
	f.Add(syncproto.UpEvents("acme", "store-1", testReplica))
	f.Add(syncproto.DownAck("t", "上海仓", 1))
	f.Add(syncproto.UpStatus("acme", "store-1", 1<<64-1))
	f.Add(syncproto.SiteDownEvents("acme", "store-1"))
	f.Add(syncproto.IngestFilter())
	f.Add("jxc/v1/acme/store-1/00C0FFEE12345678/up/events")
	f.Add("")

	f.Fuzz(func(t *testing.T, topic string) {
		got, err := syncproto.ParseReplicaTopic(topic)
		if err != nil {
			if !errors.Is(err, syncproto.ErrBadTopic) {
				t.Fatalf("ParseReplicaTopic error %v is not ErrBadTopic", err)
			}
			return
		}
		if got.Replica == 0 || syncproto.ValidName(got.Tenant) != nil || syncproto.ValidName(got.Site) != nil {
			t.Fatalf("ParseReplicaTopic(%q) accepted %+v", topic, got)
		}
		// One replica topic has one spelling: the builders give it back.
		rebuilt := strings.Join([]string{"jxc/v1", got.Tenant, got.Site, got.Replica.String(), got.Name}, "/")
		if rebuilt != topic {
			t.Fatalf("ParseReplicaTopic(%q) = %+v, which builds %q", topic, got, rebuilt)
		}
		if got.Name == "up/events" && syncproto.UpEvents(got.Tenant, got.Site, got.Replica) != topic {
			t.Fatalf("UpEvents(%+v) = %q, want %q", got, syncproto.UpEvents(got.Tenant, got.Site, got.Replica), topic)
		}
	})
}

// isCodecError reports whether err is one of the codec's sentinel errors.
func isCodecError(err error) bool {
	for _, s := range []error{syncproto.ErrTooLarge, syncproto.ErrMalformed, syncproto.ErrVersion, syncproto.ErrNotConsecutive} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// setVersion sets the version field of a control message.
func setVersion(m syncproto.Message, v uint32) {
	switch m := m.(type) {
	case *pb.Ack:
		m.Version = v
	case *pb.Pull:
		m.Version = v
	case *pb.Status:
		m.Version = v
	}
}
