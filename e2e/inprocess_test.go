package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/ingest"
	cloudsqlite "github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// node is an agent run in the test process: ledger and sync client.
type node struct {
	l    *agentsqlite.Ledger
	sync *mqtt.Client
}

func startNode(t *testing.T, site, broker string) *node {
	t.Helper()
	l, err := agentsqlite.Open(t.TempDir(), agentsqlite.Options{Tenant: "t", Site: site})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{l: l, sync: mqtt.New(l, mqtt.Options{Broker: broker, Tenant: "t", AckTimeout: 2 * time.Second, PullInterval: time.Second})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.sync.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; l.Close() })
	return n
}

func startCloud(t *testing.T, broker string) cloud.Store {
	t.Helper()
	store, err := cloudsqlite.Open(filepath.Join(t.TempDir(), "cloud.db"), cloudsqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := ingest.New(store, ingest.Options{Broker: broker, ClientID: "cloud-" + t.Name()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; store.Close() })
	return store
}

func (n *node) qty(t *testing.T, sku string) int64 {
	t.Helper()
	rows, err := n.l.Stock(context.Background(), agent.StockFilter{SKU: sku})
	if err != nil {
		t.Fatal(err)
	}
	var q int64
	for _, r := range rows {
		q += r.Qty
	}
	return q
}

func cloudQty(t *testing.T, s cloud.Store, sku string) int64 {
	t.Helper()
	rows, err := s.Stock(context.Background(), cloud.StockFilter{SKU: sku})
	if err != nil {
		t.Fatal(err)
	}
	var q int64
	for _, r := range rows {
		q += r.Qty
	}
	return q
}

func move(t *testing.T, n *node, sku string, qty int64) {
	t.Helper()
	if _, err := n.l.RecordMovement(context.Background(), agent.MovementInput{SKU: sku, Bin: "A1", Qty: qty, Reason: "adjust"}); err != nil {
		t.Fatal(err)
	}
}

func waitQty(t *testing.T, what string, want int64, got func() int64) {
	t.Helper()
	testenv.WaitFor(t, 30*time.Second, func() error {
		if g := got(); g != want {
			return fmt.Errorf("%s = %d, want %d", what, g, want)
		}
		return nil
	})
}

// TestRecordingNeverWaitsForTheLink records with the broker down: every
// append returns as soon as it is durable, and all of it reaches the cloud
// once the broker is back.
func TestRecordingNeverWaitsForTheLink(t *testing.T) {
	broker := testenv.StartMosquitto(t)
	store := startCloud(t, broker.URL)
	broker.Stop()
	n := startNode(t, "s1", broker.URL)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				if _, err := n.l.RecordMovement(context.Background(), agent.MovementInput{SKU: fmt.Sprint("SKU-", w), Bin: "A1", Qty: int64(i%5 + 1), Reason: "receive"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n.sync.Connected() || n.l.AckedSeq() != 0 || n.l.LastSeq() != 1600 {
		t.Fatalf("with the broker down: connected %v, acked %d, last %d", n.sync.Connected(), n.l.AckedSeq(), n.l.LastSeq())
	}
	broker.Start()
	testenv.WaitFor(t, 60*time.Second, func() error {
		if n.l.AckedSeq() != 1600 {
			return fmt.Errorf("acked %d of 1600", n.l.AckedSeq())
		}
		return nil
	})
	var want int64
	for i := range 100 {
		want += int64(i%5 + 1)
	}
	for w := range 16 {
		if got := cloudQty(t, store, fmt.Sprint("SKU-", w)); got != want {
			t.Errorf("cloud SKU-%d = %d, want %d", w, got, want)
		}
	}
}

// TestCountsAcrossReplicas: a count resets only what its replica had seen.
// A movement recorded offline on a peer at the same time is kept on top of
// the count, on both agents and in the cloud. A replica that joins later
// catches up on its peers' history by pulling.
func TestCountsAcrossReplicas(t *testing.T) {
	broker := testenv.StartMosquitto(t)
	store := startCloud(t, broker.URL)
	a := startNode(t, "s1", broker.URL)
	b := startNode(t, "s1", broker.URL)
	other := startNode(t, "s2", broker.URL)

	move(t, a, "X", 10)
	move(t, other, "X", 100) // another site: never mixed in
	waitQty(t, "b's X", 10, func() int64 { return b.qty(t, "X") })

	a.sync.SetOffline(true)
	testenv.WaitFor(t, 10*time.Second, func() error {
		if a.sync.Connected() {
			return fmt.Errorf("a still connected")
		}
		return nil
	})
	move(t, a, "X", 5) // concurrent with b's count: b has not seen it
	if _, err := b.l.RecordCount(context.Background(), agent.CountInput{SKU: "X", Bin: "A1", Counted: 7}); err != nil {
		t.Fatal(err)
	}
	if got := b.qty(t, "X"); got != 7 {
		t.Fatalf("b's X right after its count = %d, want 7", got)
	}
	a.sync.SetOffline(false)

	const want = 7 + 5
	waitQty(t, "a's X", want, func() int64 { return a.qty(t, "X") })
	waitQty(t, "b's X", want, func() int64 { return b.qty(t, "X") })
	waitQty(t, "cloud's X", want+100, func() int64 { return cloudQty(t, store, "X") })

	late := startNode(t, "s1", broker.URL)
	waitQty(t, "late joiner's X", want, func() int64 { return late.qty(t, "X") })
	if got := other.qty(t, "X"); got != 100 {
		t.Errorf("site s2's X = %d, want 100", got)
	}
}

// TestOfflinePeerCatchesUpThroughQueuedSession: while b is offline the broker
// queues, on b's persistent session, every batch the cloud forwards to the
// site; on reconnect they arrive before b's SUBSCRIBE is answered. b must
// take them, upload its own work, and converge.
// It runs against Mosquitto and against the embedded broker of
// `jxc-cloud --broker embedded`, which queues without Mosquitto's limits.
func TestOfflinePeerCatchesUpThroughQueuedSession(t *testing.T) {
	t.Run("mosquitto", func(t *testing.T) { offlinePeerCatchesUp(t, testenv.StartMosquitto(t).URL) })
	t.Run("embedded", func(t *testing.T) { offlinePeerCatchesUp(t, startEmbeddedBroker(t)) })
}

func startEmbeddedBroker(t *testing.T) string {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	b := mochi.New(&mochi.Options{InlineClient: false, Logger: slog.New(slog.DiscardHandler)})
	if err := b.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.AddListener(listeners.NewTCP(listeners.Config{ID: "tcp", Address: addr})); err != nil {
		t.Fatal(err)
	}
	if err := b.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return "tcp://" + addr
}

func offlinePeerCatchesUp(t *testing.T, broker string) {
	store := startCloud(t, broker)
	a := startNode(t, "s1", broker)
	b := startNode(t, "s1", broker)
	testenv.WaitFor(t, 10*time.Second, func() error {
		if !b.sync.Connected() {
			return fmt.Errorf("b not connected")
		}
		return nil
	})
	b.sync.SetOffline(true)
	testenv.WaitFor(t, 10*time.Second, func() error {
		if b.sync.Connected() {
			return fmt.Errorf("b still connected")
		}
		return nil
	})
	for range 600 { // one by one: about one forwarded batch each
		move(t, a, "Y", 1)
		move(t, b, "Y", 2)
	}
	testenv.WaitFor(t, 30*time.Second, func() error {
		if a.l.AckedSeq() != 600 {
			return fmt.Errorf("a acked %d of 600", a.l.AckedSeq())
		}
		return nil
	})
	b.sync.SetOffline(false)
	waitQty(t, "b's Y", 1800, func() int64 { return b.qty(t, "Y") })
	waitQty(t, "a's Y", 1800, func() int64 { return a.qty(t, "Y") })
	waitQty(t, "cloud's Y", 1800, func() int64 { return cloudQty(t, store, "Y") })
}
