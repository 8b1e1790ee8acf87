package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/postgres"
	cloudsqlite "github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

// ack is one movement an agent acknowledged with 201.
type ack struct {
	Replica string `json:"replica"`
	Seq     uint64 `json:"seq"`
	key     syncproto.Key
	qty     int64
}

// e2eDeviceToken is the device token the agents are started with; the
// test records through their APIs with it.
const e2eDeviceToken = "e2e-device-token-0123456789"

// agentProc is one jxc-agent process and what it acknowledged.
type agentProc struct {
	*testenv.Process
	name, site, dir, url string

	mu    sync.Mutex
	acked []ack
}

func startAgent(t *testing.T, path, name, site, broker string) *agentProc {
	t.Helper()
	a := &agentProc{name: name, site: site, dir: filepath.Join(t.TempDir(), name)}
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	a.url = "http://" + addr
	a.Process = testenv.StartProcess(t, name, path, "--data", a.dir, "--tenant", "e2e", "--site", site,
		"--broker", broker, "--listen", addr, "--ack-timeout", "2s", "--device-token", "e2e="+e2eDeviceToken)
	waitHTTP(t, a.url+"/healthz")
	return a
}

func (a *agentProc) restart(t *testing.T) {
	a.Process.Start()
	waitHTTP(t, a.url+"/healthz")
}

func (a *agentProc) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.acked)
}

// record posts movements until ctx is done, keeping what was acknowledged.
// Requests to a killed agent fail; those are not acknowledged.
func (a *agentProc) record(ctx context.Context, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := &http.Client{Timeout: 5 * time.Second}
	tick := time.NewTicker(3 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		k := syncproto.Key{Site: a.site, Bin: fmt.Sprintf("B%d", rng.IntN(3)), SKU: fmt.Sprintf("SKU-%03d", rng.IntN(20))}
		qty := int64(rng.IntN(20) - 8)
		if qty == 0 {
			qty = 1
		}
		body, _ := json.Marshal(map[string]any{"sku": k.SKU, "bin": k.Bin, "qty": qty, "reason": "adjust"})
		// Not cancelled with ctx: a request cut off in flight may be
		// durable without its 201, which only the SIGKILL may cause.
		req, err := http.NewRequest(http.MethodPost, a.url+"/api/v1/movements", bytes.NewReader(body))
		if err != nil {
			continue
		}
		req.Header.Set("Authorization", "Bearer "+e2eDeviceToken)
		resp, err := c.Do(req)
		if err != nil {
			continue
		}
		var r ack
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusCreated {
			continue
		}
		r.key, r.qty = k, qty
		a.mu.Lock()
		a.acked = append(a.acked, r)
		a.mu.Unlock()
	}
}

type syncState struct {
	Replica   string `json:"replica"`
	LastSeq   uint64 `json:"last_seq"`
	AckedSeq  uint64 `json:"acked_seq"`
	Connected bool   `json:"connected"`
}

// waitMore waits until every agent has acknowledged n more movements.
func waitMore(t *testing.T, agents []*agentProc, n int) {
	t.Helper()
	base := make([]int, len(agents))
	for i, a := range agents {
		base[i] = a.count()
	}
	testenv.WaitFor(t, 60*time.Second, func() error {
		for i, a := range agents {
			if got := a.count() - base[i]; got < n {
				return fmt.Errorf("%s recorded %d of %d more movements", a.name, got, n)
			}
		}
		return nil
	})
}

// waitSynced waits until the cloud has acknowledged every event of every agent.
func waitSynced(t *testing.T, agents []*agentProc) {
	t.Helper()
	testenv.WaitFor(t, 90*time.Second, func() error {
		for _, a := range agents {
			var s syncState
			if err := getJSON(a.url+"/api/v1/sync", &s); err != nil {
				return err
			}
			if s.AckedSeq != s.LastSeq {
				return fmt.Errorf("%s: acked %d of %d", a.name, s.AckedSeq, s.LastSeq)
			}
		}
		return nil
	})
}

type cloudStore struct {
	name string
	// db is the --db flag; open opens the same database in the test.
	db   string
	open func(t *testing.T) cloud.Store
}

func stores(t *testing.T) []cloudStore {
	sqlitePath := filepath.Join(t.TempDir(), "cloud.db")
	dsn := testenv.PostgresDSN(t)
	return []cloudStore{
		{"sqlite", "sqlite:" + sqlitePath, func(t *testing.T) cloud.Store {
			s, err := cloudsqlite.Open(sqlitePath, cloudsqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"postgres", dsn, func(t *testing.T) cloud.Store {
			s, err := postgres.Open(context.Background(), dsn, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
}

// TestExactlyOnceThroughOutages runs three agents against the real Mosquitto
// and a cloud process; the broker is stopped while they keep recording and
// restarted, and one agent is killed with SIGKILL mid-stream and restarted on
// its data dir. Every acknowledged movement must end up in the cloud exactly
// once, and cloud on-hand must equal the sum of the movements per key.
func TestExactlyOnceThroughOutages(t *testing.T) {
	agentBin, cloudBin := buildBinaries(t)
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			broker := testenv.StartMosquitto(t)
			cloudAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
			cl := testenv.StartProcess(t, "cloud", cloudBin, "--db", st.db, "--broker", broker.URL, "--listen", cloudAddr)
			waitHTTP(t, "http://"+cloudAddr+"/healthz")

			agents := []*agentProc{
				startAgent(t, agentBin, "a1", "s1", broker.URL),
				startAgent(t, agentBin, "a2", "s1", broker.URL),
				startAgent(t, agentBin, "a3", "s2", broker.URL),
			}
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for i, a := range agents {
				for w := range 3 {
					wg.Add(1)
					go func() { defer wg.Done(); a.record(ctx, uint64(i*10+w)) }()
				}
			}
			waitMore(t, agents, 200)

			t.Log("stopping the broker; agents keep recording")
			broker.Stop()
			waitMore(t, agents, 300)
			t.Log("starting the broker again")
			broker.Start()
			waitMore(t, agents, 200)

			t.Log("killing a2 with SIGKILL mid-stream")
			agents[1].Signal(syscall.SIGKILL)
			waitMore(t, []*agentProc{agents[0], agents[2]}, 100)
			agents[1].restart(t)
			waitMore(t, agents, 200)
			stop()
			wg.Wait()

			waitSynced(t, agents)
			// Peers of one site see each other's work.
			testenv.WaitFor(t, 60*time.Second, func() error {
				var s1, s2 struct{ Rows []agent.StockRow }
				if err := getJSON(agents[0].url+"/api/v1/stock", &s1); err != nil {
					return err
				}
				if err := getJSON(agents[1].url+"/api/v1/stock", &s2); err != nil {
					return err
				}
				if fmt.Sprint(s1.Rows) != fmt.Sprint(s2.Rows) {
					return fmt.Errorf("a1 and a2 disagree on site s1's stock:\n%v\n%v", s1.Rows, s2.Rows)
				}
				return nil
			})
			var cloudStock struct{ Rows []cloud.StockRow }
			if err := cloudJSON("http://"+cloudAddr, "/api/v1/stock", &cloudStock); err != nil {
				t.Fatal(err)
			}
			cl.Signal(syscall.SIGTERM)
			for _, a := range agents {
				a.Signal(syscall.SIGTERM)
			}
			verify(t, agents, cloudStock.Rows, st.open(t))
		})
	}
}

// verify checks the cloud against the agents' ledgers and the acknowledged
// movements: every acknowledged movement is in its agent's ledger and in the
// cloud, byte for byte; the cloud holds each replica's events exactly once
// (no more than the ledger's seqs); on-hand equals the sum per key.
func verify(t *testing.T, agents []*agentProc, cloudRows []cloud.StockRow, store cloud.Store) {
	t.Helper()
	defer store.Close()
	ctx := context.Background()
	want := map[syncproto.Key]int64{}
	totalAcked, unacked := 0, 0
	for _, a := range agents {
		l, err := agentsqlite.Open(a.dir, agentsqlite.Options{Tenant: "e2e", Site: a.site})
		if err != nil {
			t.Fatal(err)
		}
		var ledger []syncproto.Event
		for from := uint64(1); from <= l.LastSeq(); {
			evs, err := l.Events(ctx, from, 10000, 64<<20)
			if err != nil {
				t.Fatal(err)
			}
			ledger = append(ledger, evs...)
			from += uint64(len(evs))
		}
		l.Close()
		cloudEvs, err := store.EventsAfter(ctx, l.Replica(), 0, len(ledger)+10)
		if err != nil {
			t.Fatal(err)
		}
		if len(cloudEvs) != len(ledger) {
			t.Fatalf("%s: ledger has %d events, cloud %d", a.name, len(ledger), len(cloudEvs))
		}
		for i := range ledger {
			if cloudEvs[i].Seq != ledger[i].Seq || !bytes.Equal(cloudEvs[i].Raw, ledger[i].Raw) {
				t.Fatalf("%s: event %d differs between ledger and cloud", a.name, ledger[i].Seq)
			}
			m := ledger[i].Msg.GetMovement()
			want[syncproto.Key{Site: a.site, Bin: m.GetBin(), SKU: m.GetSku(), Lot: m.GetLot()}] += m.GetQty()
		}
		acked := map[uint64]ack{}
		for _, r := range a.acked {
			if r.Replica != l.Replica().String() {
				t.Fatalf("%s: ack names replica %s, ledger is %s", a.name, r.Replica, l.Replica())
			}
			if _, dup := acked[r.Seq]; dup {
				t.Fatalf("%s: seq %d acknowledged twice", a.name, r.Seq)
			}
			acked[r.Seq] = r
		}
		for _, r := range acked {
			if r.Seq == 0 || r.Seq > uint64(len(ledger)) {
				t.Fatalf("%s: acknowledged seq %d not in the ledger of %d events", a.name, r.Seq, len(ledger))
			}
			m := ledger[r.Seq-1].Msg.GetMovement()
			if m.GetQty() != r.qty || m.GetSku() != r.key.SKU || m.GetBin() != r.key.Bin {
				t.Fatalf("%s: seq %d is %v in the ledger, acknowledged as %v %d", a.name, r.Seq, m, r.key, r.qty)
			}
		}
		// A request in flight when the agent was killed may be durable without
		// its 201 having reached us; there can be at most one per recorder.
		if extra := len(ledger) - len(acked); extra < 0 || extra > 3 {
			t.Fatalf("%s: %d events in the ledger that were never acknowledged", a.name, extra)
		} else {
			unacked += extra
		}
		totalAcked += len(acked)
	}
	got := map[syncproto.Key]int64{}
	for _, r := range cloudRows {
		got[syncproto.Key{Site: r.Site, Bin: r.Bin, SKU: r.SKU, Lot: r.Lot}] = r.Qty
	}
	keys := make([]syncproto.Key, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("on-hand %s: cloud %d, sum of movements %d", k, got[k], want[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("cloud has %d stock keys, movements touched %d", len(got), len(want))
	}
	t.Logf("%d acknowledged movements (+%d durable while their 201 was lost to SIGKILL) in the cloud exactly once; %d keys equal", totalAcked, unacked, len(keys))
}
