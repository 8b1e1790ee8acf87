package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/cloud/postgres"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// encode builds a batch of bodies from seq from on.
func encode(t *testing.T, site string, r syncproto.ReplicaID, from uint64, bodies ...*pb.Event) []byte {
	t.Helper()
	raws := make([][]byte, len(bodies))
	for i, b := range bodies {
		ev, err := syncproto.NewEvent(r, from+uint64(i), syncproto.MakeHLC(1_700_000_000_000+int64(from)+int64(i), 0), site, b)
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = ev.Raw
	}
	wire, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: "t", Site: site, Replica: r, From: from}, raws)
	if err != nil {
		t.Fatal(err)
	}
	return wire
}

func moveBody(bin string, qty int64) *pb.Event {
	return &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: bin, Sku: "SKU-1", Qty: qty, Reason: "receive"}}}
}

// waitAck waits until r's acked watermark on the harness reaches want.
func (h *harness) waitAck(r syncproto.ReplicaID, want uint64) {
	h.t.Helper()
	topic := syncproto.DownAck("t", "s", r)
	for {
		var ack pb.Ack
		if err := syncproto.Decode(h.next(topic), &ack); err != nil {
			h.t.Fatal(err)
		}
		if ack.GetWatermark() >= want {
			return
		}
	}
}

// TestPoisonBatchesPostgres is the review's stall: a movement whose bin holds
// a NUL byte (which PostgreSQL text refuses) was retried as a transient error
// with the MQTT handler blocked, and 70 such messages stopped every
// replica's ingest for minutes. Now the batch is malformed at once: counted,
// never stored or retried, and the other replica's batches are all acked.
func TestPoisonBatchesPostgres(t *testing.T) {
	store, err := postgres.Open(context.Background(), testenv.PostgresDSN(t), postgres.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := newHarnessWith(t, store, ingest.Options{Workers: 2})
	const poison, good = syncproto.ReplicaID(0xbad0), syncproto.ReplicaID(0x600d)
	const n = 70
	for i := range n {
		h.publish(syncproto.UpEvents("t", "s", poison), encode(t, "s", poison, uint64(i+1), moveBody("A\x00", 1)))
		h.publish(syncproto.UpEvents("t", "s", good), encode(t, "s", good, uint64(i+1), moveBody("A1", 2)))
	}
	// Overflow is malformed too: on-hand would be 2^63-1 after -2^63 and -1.
	h.publish(syncproto.UpEvents("t", "s", poison+1), encode(t, "s", poison+1, 1, moveBody("A1", -1<<63), moveBody("A1", -1)))
	h.waitAck(good, n)
	testenv.WaitFor(t, 30*time.Second, func() error {
		if s := h.in.Stats(); s.Rejected[ingest.RejectMalformed] != n+1 {
			return fmt.Errorf("rejected %v, want %d malformed", s.Rejected, n+1)
		}
		return nil
	})
	s := h.in.Stats()
	if s.Retries != 0 || s.Rejected[ingest.RejectStore] != 0 || s.Batches != n {
		t.Fatalf("stats %+v: want %d batches stored, no retries, no store errors", s, n)
	}
	rows, err := store.Stock(context.Background(), cloud.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Bin != "A1" || rows[0].Qty != 2*n {
		t.Fatalf("stock %+v, want only the good replica's %d", rows, 2*n)
	}
	reps, err := store.Replicas(context.Background(), "", "")
	if err != nil || len(reps) != 1 || reps[0].Replica != good {
		t.Fatalf("replicas %+v, %v: want only the good one", reps, err)
	}
}

// blockingStore fails ApplyBatch of one replica with a transient error
// until released, counting calls, and answers every other call from the
// store under it.
type blockingStore struct {
	cloud.Store
	stuck    syncproto.ReplicaID
	calls    atomic.Int64
	release  chan struct{}
	once     sync.Once
	failWith error // if set, stuck's batches fail with it (no blocking)
}

func (s *blockingStore) ApplyBatch(ctx context.Context, b *syncproto.Batch) (cloud.Applied, error) {
	if b.Replica != s.stuck {
		return s.Store.ApplyBatch(ctx, b)
	}
	s.calls.Add(1)
	if s.failWith != nil {
		return cloud.Applied{}, s.failWith
	}
	select {
	case <-s.release:
		return s.Store.ApplyBatch(ctx, b)
	default:
		return cloud.Applied{}, fmt.Errorf("apply: %w: connection lost", cloud.ErrTransient)
	}
}

// TestRetryDoesNotBlockOtherWorkers checks that a replica whose batches are
// being retried (the database keeps failing them) holds up only its own
// worker: the batches of a replica on another worker are all acked meanwhile,
// even when the stuck replica keeps sending.
func TestRetryDoesNotBlockOtherWorkers(t *testing.T) {
	store := &blockingStore{Store: memStore(t), stuck: 2, release: make(chan struct{})}
	h := newHarnessWith(t, store, ingest.Options{Workers: 2, RetryBackOff: func() backoff.BackOff {
		return backoff.NewConstantBackOff(time.Millisecond) // retries until released
	}})
	const stuck, free = syncproto.ReplicaID(2), syncproto.ReplicaID(3) // workers 0 and 1
	h.publish(syncproto.UpEvents("t", "s", stuck), encode(t, "s", stuck, 1, moveBody("A1", 1)))
	testenv.WaitFor(t, 10*time.Second, func() error {
		if store.calls.Load() < 3 {
			return errors.New("stuck replica's batch not retried yet")
		}
		return nil
	})
	// Far more than a worker's old channel of 64 held.
	const n = 300
	for i := range n {
		h.publish(syncproto.UpEvents("t", "s", stuck), encode(t, "s", stuck, uint64(i+2), moveBody("A1", 1)))
		h.publish(syncproto.UpEvents("t", "s", free), encode(t, "s", free, uint64(i+1), moveBody("B1", 1)))
	}
	h.waitAck(free, n)
	if got := h.in.Stats().Batches; got != n {
		t.Fatalf("%d batches stored while the stuck one was retried, want %d", got, n)
	}
	close(store.release)
	h.waitAck(stuck, n+1)
}

// TestStoreErrorsNotRetried checks that only cloud.ErrTransient is retried:
// a store's cloud.ErrInvalid is malformed, another error a store error,
// each after one attempt.
func TestStoreErrorsNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		reason string
	}{
		{"invalid", fmt.Errorf("apply batch: %w: overflow", cloud.ErrInvalid), ingest.RejectMalformed},
		{"other", errors.New("apply batch: ERROR: invalid byte sequence (SQLSTATE 22021)"), ingest.RejectStore},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &blockingStore{Store: memStore(t), stuck: 2, failWith: tc.err}
			h := newHarnessWith(t, store, ingest.Options{})
			h.publish(syncproto.UpEvents("t", "s", 2), encode(t, "s", 2, 1, moveBody("A1", 1)))
			testenv.WaitFor(t, 10*time.Second, func() error {
				if got := h.in.Stats().Rejected[tc.reason]; got != 1 {
					return fmt.Errorf("rejected %v, want one %s", h.in.Stats().Rejected, tc.reason)
				}
				return nil
			})
			if got := store.calls.Load(); got != 1 || h.in.Stats().Retries != 0 {
				t.Fatalf("ApplyBatch called %d times, %d retries; want once, none", got, h.in.Stats().Retries)
			}
		})
	}
}
