package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

// restoredAgent is an agent (ledger and sync client) run in the test
// process on a data folder that the test stops, copies and restores.
type restoredAgent struct {
	l       *agentsqlite.Ledger
	sync    *mqtt.Client
	cancel  context.CancelFunc
	done    chan struct{}
	running bool
}

func startAgentIn(t *testing.T, dir, broker string) *restoredAgent {
	t.Helper()
	a := openAgentIn(t, dir, broker)
	a.startSync()
	return a
}

// openAgentIn opens the agent's ledger without syncing: an agent offline.
func openAgentIn(t *testing.T, dir, broker string) *restoredAgent {
	t.Helper()
	l, err := agentsqlite.Open(dir, agentsqlite.Options{Tenant: "t", Site: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	return &restoredAgent{l: l, sync: mqtt.New(l, mqtt.Options{Broker: broker, Tenant: "t", AckTimeout: 2 * time.Second, PullInterval: time.Second}),
		cancel: func() {}, done: make(chan struct{})}
}

func (a *restoredAgent) startSync() {
	a.running = true
	var ctx context.Context
	ctx, a.cancel = context.WithCancel(context.Background())
	go func() { a.sync.Run(ctx); close(a.done) }()
}

func (a *restoredAgent) stop(t *testing.T) {
	t.Helper()
	a.cancel()
	if a.running {
		<-a.done
	}
	if err := a.l.Close(); err != nil {
		t.Fatal(err)
	}
}

func (a *restoredAgent) record(t *testing.T, n int, qty int64) {
	t.Helper()
	for range n {
		if _, err := a.l.RecordMovement(context.Background(), agent.MovementInput{SKU: "X", Bin: "A1", Qty: qty, Reason: "receive"}); err != nil {
			t.Fatal(err)
		}
	}
}

func (a *restoredAgent) waitSynced(t *testing.T) {
	t.Helper()
	testenv.WaitFor(t, 30*time.Second, func() error {
		if a.l.AckedSeq() != a.l.LastSeq() {
			return fmt.Errorf("replica %s acked %d of %d", a.l.Replica(), a.l.AckedSeq(), a.l.LastSeq())
		}
		return nil
	})
}

// copyDir copies the regular files of a closed ledger's folder (not its
// lock file) into a new folder to.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || e.Name() == "ledger.lock" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// restored is a cloud (store and ingest on a real Mosquitto) and an agent's
// data folder restored from a backup: the agent recorded 10×1 (seqs 1..10)
// and synced, the folder was backed up, the agent recorded 10×10 (seqs
// 11..20, lost: acknowledged by the cloud), then the backup was put back.
type restored struct {
	store  cloud.Store
	in     *ingest.Ingest
	broker string
	dir    string
	old    syncproto.ReplicaID
	lost   []syncproto.Event // the agent's 20 events before the restore
}

func restoreScenario(t *testing.T, st cloudStore) restored {
	t.Helper()
	ctx := context.Background()
	broker := testenv.StartMosquitto(t)
	r := restored{store: st.open(t), broker: broker.URL}
	t.Cleanup(func() { r.store.Close() })
	r.in = ingest.New(r.store, ingest.Options{Broker: broker.URL, ClientID: "cloud-" + st.name})
	ictx, icancel := context.WithCancel(ctx)
	idone := make(chan struct{})
	go func() { r.in.Run(ictx); close(idone) }()
	t.Cleanup(func() { icancel(); <-idone })

	r.dir = filepath.Join(t.TempDir(), "agent")
	backup := filepath.Join(t.TempDir(), "backup")
	a := startAgentIn(t, r.dir, broker.URL)
	r.old = a.l.Replica()
	a.record(t, 10, 1)
	a.waitSynced(t)
	a.stop(t)
	copyDir(t, r.dir, backup) // yesterday's backup

	a = startAgentIn(t, r.dir, broker.URL)
	a.record(t, 10, 10) // seqs 11..20, acknowledged by the cloud
	a.waitSynced(t)
	var err error
	if r.lost, err = a.l.Events(ctx, 1, 100, 0); err != nil || len(r.lost) != 20 {
		t.Fatalf("events before the restore: %d, %v", len(r.lost), err)
	}
	a.stop(t)

	if err := os.RemoveAll(r.dir); err != nil {
		t.Fatal(err)
	}
	copyDir(t, backup, r.dir) // restored
	return r
}

// waitSameQty waits until the cloud's and the agent's on-hand of SKU X are
// both want.
func waitSameQty(t *testing.T, store cloud.Store, a *restoredAgent, want int64) {
	t.Helper()
	waitQty(t, "cloud's X", want, func() int64 { return cloudQty(t, store, "X") })
	waitQty(t, "agent's X", want, func() int64 {
		rows, err := a.l.Stock(context.Background(), agent.StockFilter{SKU: "X"})
		if err != nil || len(rows) != 1 {
			return -1
		}
		return rows[0].Qty
	})
}

// TestRestoredLedgerForks backs up an agent's data folder, records and syncs
// more, restores the backup and records again. The restored ledger reuses
// seqs the cloud has with other bodies: the cloud must refuse them (never
// two bodies for one key, nothing counted as a duplicate), and the agent
// must fork to a new replica ID, keep what it recorded, and get the lost
// work back from the cloud, so that agent and cloud end with the same
// on-hand and every acknowledged movement counted once. On SQLite and
// PostgreSQL.
func TestRestoredLedgerForks(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			r := restoreScenario(t, st)
			store, in, old, lost := r.store, r.in, r.old, r.lost
			a := openAgentIn(t, r.dir, r.broker)
			defer a.stop(t)
			if a.l.Replica() != old || a.l.LastSeq() != 10 {
				t.Fatalf("restored ledger is %s at %d, want %s at 10", a.l.Replica(), a.l.LastSeq(), old)
			}
			a.record(t, 5, 100) // offline: seqs 11..15 again, with other bodies
			a.startSync()

			testenv.WaitFor(t, 30*time.Second, func() error {
				if f, ok := a.l.LastFork(); !ok || f.Old != old || f.Seq != 10 || f.Moved != 5 {
					return fmt.Errorf("no fork yet (%+v %v), sync %+v", f, ok, a.sync.Stats())
				}
				return nil
			})
			if a.l.Replica() == old {
				t.Fatal("still writing under the old replica ID")
			}
			a.record(t, 2, 1000) // and work goes on
			a.waitSynced(t)

			// The cloud kept the old ID's first bodies, flagged it, and has
			// the restored ledger's work under the new ID.
			got, err := store.EventsAfter(ctx, old, 0, 100)
			if err != nil || len(got) != 20 {
				t.Fatalf("cloud has %d events of the old ID, %v", len(got), err)
			}
			for i := range got {
				if !bytes.Equal(got[i].Raw, lost[i].Raw) {
					t.Fatalf("cloud's event %d of the old ID is not the one first acknowledged", i+1)
				}
			}
			reps, err := store.Replicas(ctx, "t", "s1")
			if err != nil {
				t.Fatal(err)
			}
			flags := map[syncproto.ReplicaID]uint64{}
			for _, r := range reps {
				flags[r.Replica] = r.ConflictSeq
			}
			if len(reps) != 2 || flags[old] != 11 || flags[a.l.Replica()] != 0 {
				t.Fatalf("cloud's replicas %+v, want the old one flagged at 11 and the new one clean", reps)
			}
			if n := in.Stats().Rejected[ingest.RejectConflict]; n == 0 {
				t.Errorf("no conflicting_body rejection counted: %+v", in.Stats())
			}

			// Nothing acknowledged is lost: 10×1 and 10×10 before the
			// restore, 5×100 and 2×1000 after, in the cloud once each, and
			// the agent sees the same.
			const want = 10*1 + 10*10 + 5*100 + 2*1000
			waitSameQty(t, store, a, want)
			rows, err := store.Stock(ctx, cloud.StockFilter{Tenant: "t", Site: "s1"})
			if err != nil || len(rows) != 1 {
				t.Fatalf("cloud stock %+v, %v", rows, err)
			}
		})
	}
}

// TestRestoredLedgerForksOnConnect: a restored agent that connects before it
// records anything learns from the ack of the event it sends again on
// connect that the cloud holds later seqs of its replica ID, and forks
// before writing under that ID again: nothing to move, nothing refused.
func TestRestoredLedgerForksOnConnect(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			r := restoreScenario(t, st)
			store, in, old := r.store, r.in, r.old
			a := startAgentIn(t, r.dir, r.broker)
			defer a.stop(t)
			testenv.WaitFor(t, 30*time.Second, func() error {
				if f, ok := a.l.LastFork(); !ok || f.Old != old || f.Seq != 10 || f.Moved != 0 {
					return fmt.Errorf("no fork yet (%+v %v), sync %+v", f, ok, a.sync.Stats())
				}
				return nil
			})
			if n := in.Stats().Rejected[ingest.RejectConflict]; n != 0 {
				t.Errorf("%d conflicting_body rejections: the fork came before any conflicting write", n)
			}
			a.record(t, 3, 1000)
			a.waitSynced(t)
			const want = 10*1 + 10*10 + 3*1000
			waitSameQty(t, store, a, want)
		})
	}
}
