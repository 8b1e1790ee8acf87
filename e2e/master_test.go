package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/cloud/master"
	cloudsqlite "github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// masterCloud is a cloud store with its master rules and an ingest that
// serves them.
type masterCloud struct {
	store  cloud.Store
	master *master.Service
	in     *ingest.Ingest
}

func startMasterCloud(tb testing.TB, store cloud.Store, broker string) *masterCloud {
	tb.Helper()
	ms, ok := store.(master.Store)
	if !ok {
		tb.Fatalf("%T stores no master records", store)
	}
	c := &masterCloud{store: store, master: master.New(ms)}
	c.in = ingest.New(store, ingest.Options{Broker: broker, ClientID: fmt.Sprintf("master-cloud-%p", c), Master: c.master, Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.in.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	testenv.WaitFor(tb, 30*time.Second, func() error {
		if !c.in.Connected() {
			return fmt.Errorf("ingest not connected")
		}
		return nil
	})
	return c
}

// productRecords returns n product records for site, SKUs prefix-0 …,
// each with one GTIN made from base+i.
func productRecords(tb testing.TB, site, prefix string, base, n int, price int64) []master.Record {
	tb.Helper()
	out := make([]master.Record, n)
	for i := range out {
		body, err := proto.Marshal(&pb.ProductRecord{Name: fmt.Sprintf("商品 %s-%d", prefix, i), Unit: "pcs", Price: price, Gtins: []string{gtin13(base + i)}})
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = master.Record{Site: site, Kind: syncproto.KindProduct, Key: fmt.Sprintf("%s-%d", prefix, i), Body: body}
	}
	return out
}

// gtin13 returns a valid GTIN-13 made from i.
func gtin13(i int) string {
	d := fmt.Sprintf("200%09d", i)
	return d + string(syncproto.GTINCheckDigit(d))
}

func startMasterAgent(tb testing.TB, dir, site, broker string) (*agentsqlite.Ledger, *mqtt.Client, context.CancelFunc) {
	tb.Helper()
	l, err := agentsqlite.Open(dir, agentsqlite.Options{Tenant: "t", Site: site, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	c := mqtt.New(l, mqtt.Options{Broker: broker, Tenant: "t", Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	stop := func() { cancel(); <-done; l.Close() }
	tb.Cleanup(stop)
	return l, c, func() { cancel(); <-done }
}

func waitMasterRev(tb testing.TB, l *agentsqlite.Ledger, want uint64) {
	tb.Helper()
	testenv.WaitFor(tb, 2*time.Minute, func() error {
		if got := l.MasterRev(); got != want {
			return fmt.Errorf("agent master revision %d, want %d", got, want)
		}
		return nil
	})
}

func product(t *testing.T, l *agentsqlite.Ledger, gtin string) (string, int64) {
	t.Helper()
	p, ok, err := l.ProductByGTIN(context.Background(), gtin)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "", 0
	}
	return p.SKU, p.Price
}

// TestMasterSync: the cloud puts 10,000 product records while an agent is
// offline; the agent connects, pulls and ends with all of them in its
// catalogue; then an update and a delete pushed while it is online reach
// it; a malformed master batch, one of another site and one of another
// tenant are rejected and counted and leave its copy unchanged. On the
// real Mosquitto, with the cloud on SQLite and on PostgreSQL.
func TestMasterSync(t *testing.T) {
	for _, st := range stores(t) {
		t.Run(st.name, func(t *testing.T) {
			broker := testenv.StartMosquitto(t)
			store := st.open(t)
			t.Cleanup(func() { store.Close() })
			c := startMasterCloud(t, store, broker.URL)
			ctx := context.Background()

			// While the agent is offline: records for another site, then
			// 10,000 for every site.
			if _, err := c.master.Put(ctx, "t", productRecords(t, "s2", "OTHER", 50000, 100, 1)); err != nil {
				t.Fatal(err)
			}
			put, err := c.master.Put(ctx, "t", productRecords(t, "", "SKU", 0, 10000, 990))
			if err != nil {
				t.Fatal(err)
			}
			head := put[len(put)-1].Rev

			l, sc, _ := startMasterAgent(t, t.TempDir(), "s1", broker.URL)
			waitMasterRev(t, l, head)
			if sku, price := product(t, l, gtin13(9999)); sku != "SKU-9999" || price != 990 {
				t.Fatalf("late product: %q at %d fen", sku, price)
			}
			if sku, _ := product(t, l, gtin13(0)); sku != "SKU-0" {
				t.Fatalf("first product: %q", sku)
			}
			if sku, _ := product(t, l, gtin13(50000)); sku != "" {
				t.Fatalf("a product of site s2 reached s1: %q", sku)
			}
			if n := l.Stats().MasterApplied; n != 10000 {
				t.Errorf("%d master records applied, want 10000 (each once)", n)
			}

			// Online: an update and a delete, pushed.
			upd := productRecords(t, "", "SKU", 0, 2, 1500)
			upd[1] = master.Record{Kind: syncproto.KindProduct, Key: "SKU-1", Deleted: true}
			put, err = c.master.Put(ctx, "t", upd)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.in.PushMaster(ctx, "t", put); err != nil {
				t.Fatal(err)
			}
			head = put[len(put)-1].Rev
			waitMasterRev(t, l, head)
			if sku, price := product(t, l, gtin13(0)); sku != "SKU-0" || price != 1500 {
				t.Fatalf("updated product: %q at %d fen", sku, price)
			}
			if sku, _ := product(t, l, gtin13(1)); sku != "" {
				t.Fatalf("deleted product still maps to %q", sku)
			}

			// Bad messages: garbage, a valid batch for another site and
			// one of another tenant, all on this site's topic.
			pub := paho.NewClient(paho.NewClientOptions().AddBroker(broker.URL).SetClientID("master-bad-pub"))
			if tok := pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				t.Fatalf("connect: %v", tok.Error())
			}
			defer pub.Disconnect(100)
			bad := func(tenant, site string) []byte {
				recs := productRecords(t, "", "EVIL", 70000, 1, 1)
				b := &pb.MasterBatch{Tenant: tenant, Site: site, FromRev: head, ToRev: head + 1, Complete: true,
					Records: []*pb.MasterRecord{{Kind: syncproto.KindProduct, Key: "SKU-0", Revision: head + 1, Body: recs[0].Body}}}
				w, err := syncproto.EncodeMasterBatch(b)
				if err != nil {
					t.Fatal(err)
				}
				return w
			}
			topic := syncproto.DownMaster("t", "s1")
			for _, w := range [][]byte{[]byte("\x00not a batch"), bad("t", "s2"), bad("other", "s1")} {
				pub.Publish(topic, 1, false, w).WaitTimeout(10 * time.Second)
			}
			testenv.WaitFor(t, 30*time.Second, func() error {
				r := sc.Stats().MasterRejected
				if r[mqtt.MasterRejectMalformed] < 1 || r[mqtt.MasterRejectSite] < 1 || r[mqtt.MasterRejectTenant] < 1 {
					return fmt.Errorf("master rejections %v", r)
				}
				return nil
			})
			if l.MasterRev() != head {
				t.Fatalf("bad batches moved the master revision to %d, want %d", l.MasterRev(), head)
			}
			if sku, price := product(t, l, gtin13(0)); sku != "SKU-0" || price != 1500 {
				t.Fatalf("bad batches changed product SKU-0: %q at %d fen", sku, price)
			}
			if sku, _ := product(t, l, gtin13(70000)); sku != "" {
				t.Fatalf("a rejected batch's GTIN maps to %q", sku)
			}
		})
	}
}

// BenchmarkMasterSync measures master records/s to an agent that was
// offline: the cloud (SQLite) holds 10,000 product records; a new agent
// connects and pulls until its catalogue holds them all. Beside it, the
// raw figure of the same run: the same rows inserted into SQLite directly
// in one transaction (BenchmarkRawSQLiteMasterInsert).
func BenchmarkMasterSync(b *testing.B) {
	const n = 10000
	broker := testenv.StartMosquitto(b)
	store, err := openBenchSQLite(b)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	c := startMasterCloud(b, store, broker.URL)
	put, err := c.master.Put(context.Background(), "t", productRecords(b, "", "SKU", 0, n, 990))
	if err != nil {
		b.Fatal(err)
	}
	head := put[len(put)-1].Rev
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		l, _, stop := startMasterAgent(b, filepath.Join(b.TempDir(), fmt.Sprint("agent", i)), "s1", broker.URL)
		waitMasterRev(b, l, head)
		total += time.Since(start)
		stop()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "records/s")
}

func openBenchSQLite(b *testing.B) (cloud.Store, error) {
	return cloudsqlite.Open(filepath.Join(b.TempDir(), "cloud.db"), cloudsqlite.Options{Logger: quiet})
}

// BenchmarkRawSQLiteMasterInsert is BenchmarkMasterSync's raw limit: the
// same 10,000 records and their catalogue rows inserted into a fresh SQLite
// file (WAL, synchronous=FULL, the agent's tables) in one transaction.
func BenchmarkRawSQLiteMasterInsert(b *testing.B) {
	const n = 10000
	recs := productRecords(b, "", "SKU", 0, n, 990)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), fmt.Sprint("raw", i, ".db"))
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`CREATE TABLE master_records (kind TEXT NOT NULL, key TEXT NOT NULL, rev INTEGER NOT NULL,
				deleted INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
			CREATE TABLE products (gtin TEXT NOT NULL PRIMARY KEY, sku TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL,
				price INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
			CREATE INDEX products_sku ON products (sku)`); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		insRec, err := tx.Prepare(`INSERT INTO master_records (kind, key, rev, deleted, body) VALUES (?, ?, ?, 0, ?)`)
		if err != nil {
			b.Fatal(err)
		}
		insProd, err := tx.Prepare(`INSERT INTO products (gtin, sku, name, unit, price) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			b.Fatal(err)
		}
		for j, r := range recs {
			if _, err := insRec.Exec(r.Kind, r.Key, int64(j+1), r.Body); err != nil {
				b.Fatal(err)
			}
			if _, err := insProd.Exec(fmt.Sprintf("0%s", gtin13(j)), r.Key, "商品", "pcs", 990); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		db.Close()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "records/s")
}
