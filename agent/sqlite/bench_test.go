package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"

	msqlite "modernc.org/sqlite"
)

// benchWriters is the number of concurrent appenders, like a gate burst
// plus handhelds.
const benchWriters = 64

// benchMove is the i-th movement of a benchmark: 500 SKUs over 10 bins, as
// RFID gate reads of tagged items would produce.
func benchMove(i int) agent.MovementInput {
	return agent.MovementInput{
		SKU: fmt.Sprintf("SKU-%05d", i%500), Bin: fmt.Sprintf("DOCK-%02d", i%10),
		EPC: fmt.Sprintf("3034257BF7194E4%09d", i), Qty: 1, Reason: "receive",
		Doc: "PO-2025-000123", Operator: "gate", Device: "gate-1",
	}
}

// BenchmarkLedgerAppend measures durable appends (each acknowledged only
// after its group commit's fsync) with 64 concurrent writers.
func BenchmarkLedgerAppend(b *testing.B) {
	l := MustOpenLedger(b)
	ins := make([]agent.MovementInput, 4096)
	for i := range ins {
		ins[i] = benchMove(i)
	}
	ctx := context.Background()
	var next atomic.Int64
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for w := 0; w < benchWriters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if _, err := l.RecordMovement(ctx, ins[i%int64(len(ins))]); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu := cpuTime() - cpu0
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	st := l.Stats()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	b.ReportMetric(float64(st.Appended)/float64(st.Commits), "events/commit")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/append")
}

// BenchmarkLedgerAppendSerial measures one writer: every append pays a
// whole commit and fsync.
func BenchmarkLedgerAppendSerial(b *testing.B) {
	l := MustOpenLedger(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.RecordMovement(ctx, benchMove(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkLedgerRecordMovements measures one writer recording batches of
// 64 movements (a gate's Sink): one request and one commit per batch.
func BenchmarkLedgerRecordMovements(b *testing.B) {
	l := MustOpenLedger(b)
	ctx := context.Background()
	const batch = 64
	ins := make([]agent.MovementInput, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		n := min(batch, b.N-i)
		for j := 0; j < n; j++ {
			ins[j] = benchMove(i + j)
		}
		if _, err := l.RecordMovements(ctx, ins[:n]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
}

// BenchmarkLedgerApplyPeer measures applying peer events in batches of
// 256, as the sync client would after a reconnect.
func BenchmarkLedgerApplyPeer(b *testing.B) {
	l := MustOpenLedger(b)
	p := newPeer(b, testSite)
	for i := 0; i < b.N; i++ {
		m := benchMove(i)
		p.add(b, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
			Bin: m.Bin, Sku: m.SKU, Epc: m.EPC, Qty: m.Qty, Reason: m.Reason, Operator: m.Operator, Device: m.Device}}})
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i += 256 {
		if _, err := l.ApplyPeer(ctx, p.events[i:min(i+256, b.N)]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// The raw benchmarks below measure modernc.org/sqlite alone at the ledger's
// durability (WAL, synchronous=FULL) on a table shaped like the ledger's
// events table, for comparison with BenchmarkLedgerAppend.

func openRawDB(b *testing.B) (*sql.DB, *sql.Stmt, []byte) {
	b.Helper()
	// The same sync call as the ledger's default (see Options.Fsync).
	msqlite.Fdatasync(true)
	path := filepath.Join(b.TempDir(), "raw.db")
	db, err := sql.Open("sqlite", "file:"+path+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE events (
		replica INTEGER NOT NULL, seq INTEGER NOT NULL, hlc INTEGER NOT NULL, kind INTEGER NOT NULL,
		key_id INTEGER, qty INTEGER NOT NULL, body BLOB NOT NULL,
		PRIMARY KEY (replica, seq)) WITHOUT ROWID;
		CREATE INDEX events_counts ON events (key_id) WHERE kind = 2`); err != nil {
		b.Fatal(err)
	}
	stmt, err := db.Prepare(`INSERT INTO events (replica, seq, hlc, kind, key_id, qty, body) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stmt.Close() })
	m := benchMove(1)
	ev, err := syncproto.NewEvent(1, 1, syncproto.MakeHLC(1_700_000_000_000, 0), testSite, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
		Bin: m.Bin, Sku: m.SKU, Epc: m.EPC, Qty: m.Qty, Reason: m.Reason, Doc: m.Doc, Operator: m.Operator, Device: m.Device}}})
	if err != nil {
		b.Fatal(err)
	}
	return db, stmt, ev.Raw
}

func benchRawInsert(b *testing.B, perTx int) {
	db, stmt, body := openRawDB(b)
	const replica = 0x1234_5678_9abc_def0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		s := tx.Stmt(stmt)
		for j := 0; j < perTx && i < b.N; j++ {
			i++
			if _, err := s.Exec(int64(replica), int64(i), int64(1_700_000_000_000<<16+i), 1, int64(i%5000+1), 1, body); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRawSQLiteInsertPerTx inserts one row per transaction: the
// fsync-bound floor without group commit.
func BenchmarkRawSQLiteInsertPerTx(b *testing.B) { benchRawInsert(b, 1) }

// BenchmarkRawSQLiteInsertBatched inserts 64 rows per transaction: what
// perfect group commit of 64 writers could reach.
func BenchmarkRawSQLiteInsertBatched(b *testing.B) { benchRawInsert(b, benchWriters) }
