package mqtt_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/mqtt"
	"github.com/jxc-edge/jxc/internal/mqttx"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

const (
	testTenant  = "t"
	testSite    = "s1"
	testReplica = syncproto.ReplicaID(0x0123456789abcdef)
)

// memLedger is the part of agent.Ledger the sync client uses, over events
// held in memory. Events follows the ledger's contract: it stops before the
// sum of the Raw bodies exceeds maxBytes.
type memLedger struct {
	agent.Ledger // not implemented: calling anything else panics

	mu     sync.Mutex
	raws   [][]byte
	acked  uint64
	notify chan struct{}
}

func (l *memLedger) Replica() syncproto.ReplicaID { return testReplica }
func (l *memLedger) Site() string                 { return testSite }
func (l *memLedger) Notify() <-chan struct{}      { return l.notify }
func (l *memLedger) PeerVV() syncproto.VV         { return syncproto.VV{} }

func (l *memLedger) LastSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return uint64(len(l.raws))
}

func (l *memLedger) AckedSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked
}

func (l *memLedger) SetAcked(_ context.Context, seq uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if seq > uint64(len(l.raws)) {
		return fmt.Errorf("%w: acked %d beyond %d", agent.ErrInvalid, seq, len(l.raws))
	}
	l.acked = max(l.acked, seq)
	return nil
}

func (l *memLedger) Events(_ context.Context, from uint64, maxEvents, maxBytes int) ([]syncproto.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []syncproto.Event
	size := 0
	for seq := max(from, 1); seq <= uint64(len(l.raws)) && len(out) < maxEvents; seq++ {
		raw := l.raws[seq-1]
		if len(out) > 0 && size+len(raw) > maxBytes {
			break
		}
		e, err := syncproto.DecodeEvent(testReplica, seq, testSite, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		size += len(raw)
	}
	return out, nil
}

func (l *memLedger) ApplyPeer(context.Context, []syncproto.Event) (int, error) { return 0, nil }

// fakeCloud stores the batches of one replica in memory and acks each with
// its watermark, as the cloud does.
type fakeCloud struct {
	t       *testing.T
	mu      sync.Mutex
	stored  map[uint64][]byte
	wm      uint64
	maxWire int
}

func startFakeCloud(t *testing.T, broker string) *fakeCloud {
	f := &fakeCloud{t: t, stored: map[uint64][]byte{}}
	var cl paho.Client
	cl, _ = mqttx.NewClient(mqttx.Options{Broker: broker, ClientID: "fake-cloud", OrderMatters: true,
		Handler: func(_ paho.Client, m paho.Message) {
			if len(m.Payload()) > syncproto.MaxWireSize {
				t.Errorf("batch of %d bytes on the wire", len(m.Payload()))
			}
			b, err := syncproto.DecodeBatch(m.Payload())
			if err != nil {
				t.Errorf("batch rejected: %v", err)
				return
			}
			f.mu.Lock()
			f.maxWire = max(f.maxWire, len(m.Payload()))
			for _, e := range b.Events {
				f.stored[e.Seq] = e.Raw
			}
			for f.stored[f.wm+1] != nil {
				f.wm++
			}
			wm := f.wm
			f.mu.Unlock()
			wire, _ := syncproto.Encode(&pb.Ack{Replica: uint64(b.Replica), Watermark: wm})
			cl.Publish(syncproto.DownAck(testTenant, testSite, b.Replica), 1, false, wire)
		}})
	if err := mqttx.Connect(cl); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Disconnect(100) })
	if tok := cl.Subscribe(syncproto.UpEvents(testTenant, testSite, testReplica), 1, nil); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	return f
}

func runClient(t *testing.T, l agent.Ledger, broker string) *mqtt.Client {
	c := mqtt.New(l, mqtt.Options{Broker: broker, Tenant: testTenant, AckTimeout: 2 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

// TestUploadIncompressibleEvents: 373 incompressible events of 700 bytes
// fit MaxBatchBody counted by their bodies, but not the wire limit once each
// event's framing in the batch is added. The client must bound its batches
// by what they encode to, or it fails on the same batch forever.
func TestUploadIncompressibleEvents(t *testing.T) {
	broker := testenv.StartMosquitto(t)
	src := rand.NewChaCha8([32]byte{7})
	rng := rand.New(src)
	l := &memLedger{notify: make(chan struct{}, 1)}
	const total = 1000
	ms := int64(1_760_000_000_000)
	for range total {
		// Clocks and payloads vary, so that nothing repeats from
		// one event to the next for zstd to find.
		ms += 1 + rng.Int64N(1<<24)
		raw := protowire.AppendVarint(protowire.AppendTag(nil, 3, protowire.VarintType), uint64(syncproto.MakeHLC(ms, uint16(rng.Uint32()))))
		pad := make([]byte, 700-len(raw)-4) // tag of field 20: 2 bytes, length: 2
		src.Read(pad)
		raw = protowire.AppendBytes(protowire.AppendTag(raw, 20, protowire.BytesType), pad) // a field of a future kind
		if len(raw) != 700 {
			t.Fatalf("event of %d bytes", len(raw))
		}
		l.raws = append(l.raws, raw)
	}
	// The premise: a batch filled to MaxBatchBody by bodies alone does not
	// encode.
	evs, _ := l.Events(context.Background(), 1, total, syncproto.MaxBatchBody)
	raws := make([][]byte, len(evs))
	for i := range evs {
		raws[i] = evs[i].Raw
	}
	if _, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: testTenant, Site: testSite, Replica: testReplica, From: 1}, raws); !errors.Is(err, syncproto.ErrTooLarge) {
		t.Fatalf("premise: a batch of %d events filled to MaxBatchBody by their bodies encodes: %v", len(raws), err)
	}
	f := startFakeCloud(t, broker.URL)
	c := runClient(t, l, broker.URL)
	testenv.WaitFor(t, 20*time.Second, func() error {
		if got := l.AckedSeq(); got != total {
			return fmt.Errorf("acked %d of %d; client %+v", got, total, c.Stats())
		}
		return nil
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Logf("largest batch %d bytes on the wire", f.maxWire)
}
