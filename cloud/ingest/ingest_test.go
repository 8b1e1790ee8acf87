package ingest_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

type harness struct {
	t      *testing.T
	store  cloud.Store
	in     *ingest.Ingest
	client paho.Client
	msgs   chan paho.Message
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, memStore(t), ingest.Options{})
}

// memStore opens a cloud store on SQLite in a temporary directory.
func memStore(t *testing.T) cloud.Store {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "cloud.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// newHarnessWith runs ingest with opts over store against a new broker.
func newHarnessWith(t *testing.T, store cloud.Store, opts ingest.Options) *harness {
	t.Helper()
	broker := testenv.StartMosquitto(t)
	opts.Broker, opts.ClientID = broker.URL, "ingest-test"
	in := ingest.New(store, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	testenv.WaitFor(t, 10*time.Second, func() error {
		if !in.Connected() {
			return fmt.Errorf("ingest not connected")
		}
		return nil
	})
	h := &harness{t: t, store: store, in: in, msgs: make(chan paho.Message, 1000)}
	h.client = paho.NewClient(paho.NewClientOptions().AddBroker(broker.URL).SetClientID("ingest-test-peer"))
	if tok := h.client.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { h.client.Disconnect(0) })
	if tok := h.client.Subscribe("jxc/v1/+/+/#", 1, func(_ paho.Client, m paho.Message) {
		if strings.Contains(m.Topic(), "/down/") {
			h.msgs <- m
		}
	}); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	return h
}

func (h *harness) publish(topic string, payload []byte) {
	h.t.Helper()
	if tok := h.client.Publish(topic, 1, false, payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		h.t.Fatalf("publish: %v", tok.Error())
	}
}

// next returns the next message the cloud sent down on topic.
func (h *harness) next(topic string) []byte {
	h.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-h.msgs:
			if m.Topic() == topic {
				return m.Payload()
			}
		case <-timeout:
			h.t.Fatalf("nothing on %s", topic)
		}
	}
}

func batch(t *testing.T, tenant, site string, r syncproto.ReplicaID, from uint64, n int) []byte {
	t.Helper()
	raws := make([][]byte, n)
	for i := range raws {
		ev, err := syncproto.NewEvent(r, from+uint64(i), syncproto.MakeHLC(1_700_000_000_000+int64(from)+int64(i), 0), site,
			&pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A1", Sku: "SKU-1", Qty: 2, Reason: "receive"}}})
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = ev.Raw
	}
	wire, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: tenant, Site: site, Replica: r, From: from}, raws)
	if err != nil {
		t.Fatal(err)
	}
	return wire
}

func TestIngestStoresAcksForwardsAndRejects(t *testing.T) {
	h := newHarness(t)
	const a, b = syncproto.ReplicaID(0xa1), syncproto.ReplicaID(0xb2)

	// Bad input first: each is rejected with its reason and ingest goes on.
	h.publish(syncproto.UpEvents("t", "s", a), []byte("not a batch"))
	h.publish(syncproto.UpEvents("t", "s", a), make([]byte, syncproto.MaxWireSize+1))
	h.publish(syncproto.UpEvents("t", "s", b), batch(t, "t", "s", a, 1, 1)) // a's batch on b's topic
	h.publish("jxc/v1/t/s/not-a-replica/up/events", batch(t, "t", "s", a, 1, 1))
	pull, _ := syncproto.Encode(&pb.Pull{Replica: uint64(a)})
	h.publish(syncproto.UpPull("t", "s", b), pull) // a's pull on b's topic

	// A good batch is stored, acked after commit and forwarded to the site.
	h.publish(syncproto.UpEvents("t", "s", a), batch(t, "t", "s", a, 1, 3))
	var ack pb.Ack
	if err := syncproto.Decode(h.next(syncproto.DownAck("t", "s", a)), &ack); err != nil {
		t.Fatal(err)
	}
	if ack.GetWatermark() != 3 || ack.GetResendFrom() != 0 {
		t.Fatalf("ack = %v, want watermark 3", &ack)
	}
	fwd, err := syncproto.DecodeBatch(h.next(syncproto.SiteDownEvents("t", "s")))
	if err != nil || fwd.Replica != a || fwd.From != 1 || fwd.To != 3 {
		t.Fatalf("forwarded %+v, %v", fwd, err)
	}

	// A batch after a gap is stored, and the ack asks for the gap.
	h.publish(syncproto.UpEvents("t", "s", a), batch(t, "t", "s", a, 6, 2))
	if err := syncproto.Decode(h.next(syncproto.DownAck("t", "s", a)), &ack); err != nil {
		t.Fatal(err)
	}
	if ack.GetWatermark() != 3 || ack.GetResendFrom() != 4 {
		t.Fatalf("ack after gap = %v, want watermark 3 resend_from 4", &ack)
	}
	h.publish(syncproto.UpEvents("t", "s", a), batch(t, "t", "s", a, 4, 2))
	if err := syncproto.Decode(h.next(syncproto.DownAck("t", "s", a)), &ack); err != nil {
		t.Fatal(err)
	}
	if ack.GetWatermark() != 7 {
		t.Fatalf("ack after filling the gap = %v, want watermark 7", &ack)
	}

	// The same replica under another site is refused.
	h.publish(syncproto.UpEvents("t", "s2", a), batch(t, "t", "s2", a, 8, 1))

	// A peer's pull gets a's events on its own topic.
	pull, _ = syncproto.Encode(&pb.Pull{Replica: uint64(b), Have: []*pb.VVEntry{{Replica: uint64(a), Seq: 2}}})
	h.publish(syncproto.UpPull("t", "s", b), pull)
	got, err := syncproto.DecodeBatch(h.next(syncproto.ReplicaDownEvents("t", "s", b)))
	if err != nil || got.Replica != a || got.From != 3 || got.To != 7 {
		t.Fatalf("pull answer %+v, %v; want a's 3..7", got, err)
	}

	testenv.WaitFor(t, 10*time.Second, func() error {
		s := h.in.Stats()
		want := map[string]uint64{ingest.RejectMalformed: 1, ingest.RejectTooLarge: 1, ingest.RejectAddress: 2,
			ingest.RejectTopic: 1, ingest.RejectWrongSite: 1}
		for reason, n := range want {
			if s.Rejected[reason] != n {
				return fmt.Errorf("rejected[%s] = %d, want %d (all: %v)", reason, s.Rejected[reason], n, s.Rejected)
			}
		}
		return nil
	})
	rows, err := h.store.Stock(context.Background(), cloud.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Qty != 14 {
		t.Fatalf("stock = %+v, want one row of 14", rows)
	}
}
