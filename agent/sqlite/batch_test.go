package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// TestRecordMovements checks that a batch is one commit, gets consecutive
// seqs in input order, and stores exactly what single appends would.
func TestRecordMovements(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	mustMove(t, l, move("A1", "sku1", "", 3))
	var ins []agent.MovementInput
	for i := 0; i < 100; i++ {
		m := move(fmt.Sprintf("A%d", i%3), fmt.Sprintf("sku%d", i%7), "", int64(i%5+1))
		m.EPC = fmt.Sprintf("3034257BF7194E40000000%02X", i)
		if i%4 == 0 {
			m.Qty, m.Reason = -m.Qty, "ship"
		}
		ins = append(ins, m)
	}
	commits := l.Stats().Commits
	rcpts, err := l.RecordMovements(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Stats().Commits - commits; got != 1 {
		t.Errorf("commits for one batch: got %d, want 1", got)
	}
	if len(rcpts) != len(ins) {
		t.Fatalf("receipts: got %d, want %d", len(rcpts), len(ins))
	}
	evs := ownEvents(t, l)
	if len(evs) != 1+len(ins) {
		t.Fatalf("events: got %d, want %d", len(evs), 1+len(ins))
	}
	for i, r := range rcpts {
		if want := uint64(i + 2); r.Seq != want || r.Replica != l.Replica() {
			t.Fatalf("receipt %d: %+v, want seq %d", i, r, want)
		}
		in := ins[i]
		want, err := syncproto.NewEvent(l.Replica(), r.Seq, r.HLC, testSite, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
			Bin: in.Bin, Sku: in.SKU, Lot: in.Lot, Epc: in.EPC, Qty: in.Qty, Reason: in.Reason,
			Operator: in.Operator, Device: in.Device}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := evs[i+1]; !bytes.Equal(got.Raw, want.Raw) || got.HLC != r.HLC {
			t.Fatalf("event %d: raw\n got %x\nwant %x", r.Seq, got.Raw, want.Raw)
		}
	}
	checkAll(t, l, nil, true)

	// None is nothing.
	for _, in := range [][]agent.MovementInput{nil, {}} {
		if rs, err := l.RecordMovements(ctx, in); rs != nil || err != nil {
			t.Fatalf("RecordMovements(%v): got %v, %v; want nil, nil", in, rs, err)
		}
	}
	if got, want := l.LastSeq(), uint64(1+len(ins)); got != want {
		t.Fatalf("last seq %d, want %d", got, want)
	}
}

// TestRecordMovementsInvalid checks that one bad input rejects the whole
// call, naming its index and field, and writes nothing.
func TestRecordMovementsInvalid(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	ok := move("A1", "sku1", "", 1)
	batch := func(i int, edit func(*agent.MovementInput)) []agent.MovementInput {
		ins := []agent.MovementInput{ok, ok, ok, ok}
		edit(&ins[i])
		return ins
	}
	for _, tc := range []struct {
		name string
		in   []agent.MovementInput
		want string
	}{
		{"zero qty first", batch(0, func(m *agent.MovementInput) { m.Qty = 0 }), "movements[0].qty is 0"},
		{"empty sku", batch(2, func(m *agent.MovementInput) { m.SKU = "" }), "movements[2].sku is empty"},
		{"long bin", batch(1, func(m *agent.MovementInput) { m.Bin = strings.Repeat("b", sqlite.MaxFieldLen+1) }), "movements[1].bin is 129 bytes"},
		{"control char in epc", batch(3, func(m *agent.MovementInput) { m.EPC = "30\x0034" }), "movements[3].epc contains a control character"},
		{"unknown reason", batch(3, func(m *agent.MovementInput) { m.Reason = "lost" }), `movements[3].reason "lost" is not one of`},
		{"huge qty", batch(1, func(m *agent.MovementInput) { m.Qty = -sqlite.MaxQty - 1 }), fmt.Sprintf("movements[1].qty %d is beyond", -sqlite.MaxQty-1)},
		{"negative cost", batch(2, func(m *agent.MovementInput) { m.UnitCost = -5 }), "movements[2].unit_cost -5 is negative"},
		{"bad currency", batch(0, func(m *agent.MovementInput) { m.Currency = "rmb" }), `movements[0].currency "rmb"`},
		{"too many", make([]agent.MovementInput, sqlite.MaxMovementsPerCall+1), "16385 movements, limit 16384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := l.RecordMovements(ctx, tc.in)
			if !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalid with %q", err, tc.want)
			}
			if rs != nil {
				t.Fatalf("receipts %v with an error", rs)
			}
			if got := l.LastSeq(); got != 0 {
				t.Fatalf("rejected batch wrote: last seq %d", got)
			}
		})
	}
	// The single path still names fields without an index.
	bad := ok
	bad.Qty = 0
	if _, err := l.RecordMovement(ctx, bad); err == nil || !strings.HasSuffix(err.Error(), ": qty is 0") {
		t.Fatalf("single: got %v, want it to end in %q", err, ": qty is 0")
	}
	if got := stockMap(t, l); len(got) != 0 {
		t.Fatalf("stock after rejected batches: %v", got)
	}
}

// TestRecordMovementsFailedCommit puts a row in the way of the third event
// of a batch: the whole batch fails, nothing of it stays, and seqs go on
// without a gap.
func TestRecordMovementsFailedCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	mustMove(t, l, move("A1", "sku1", "", 5))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO events (replica, seq, hlc, kind, key_id, qty, body) VALUES (?, 4, 0, 0, NULL, 0, x'00')`,
		int64(l.Replica())); err != nil {
		t.Fatal(err)
	}
	want := stockMap(t, l)
	ins := []agent.MovementInput{move("A1", "sku1", "", 1), move("A1", "sku2", "", 2), move("B1", "sku1", "", 3), move("A1", "sku1", "", -1)}
	if rs, err := l.RecordMovements(ctx, ins); err == nil || errors.Is(err, agent.ErrInvalid) || rs != nil {
		t.Fatalf("got %v, %v; want a storage error", rs, err)
	}
	if got := l.LastSeq(); got != 1 {
		t.Fatalf("last seq %d after a failed batch, want 1", got)
	}
	if d := diffStock(stockMap(t, l), want); d != "" {
		t.Fatalf("stock changed by a failed batch: %s", d)
	}
	if _, err := db.Exec(`DELETE FROM events WHERE replica = ? AND seq = 4`, int64(l.Replica())); err != nil {
		t.Fatal(err)
	}
	rs, err := l.RecordMovements(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Seq != 2 || rs[3].Seq != 5 {
		t.Fatalf("seqs after recovery %d..%d, want 2..5", rs[0].Seq, rs[3].Seq)
	}
	checkAll(t, l, nil, true)
}

// TestRecordMovementsConcurrent mixes batches, single appends and counts
// from many goroutines: every batch's seqs are consecutive, all seqs are
// used once, and on-hand equals OnHandAll.
func TestRecordMovementsConcurrent(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	const writers, rounds = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	var mu sync.Mutex
	seen := make(map[uint64]bool)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				var seqs []uint64
				switch (w + i) % 3 {
				case 0:
					n := 1 + (w*7+i)%9
					ins := make([]agent.MovementInput, n)
					for j := range ins {
						ins[j] = move("A1", fmt.Sprintf("sku%d", (w+j)%4), "", int64(j+1))
					}
					rs, err := l.RecordMovements(ctx, ins)
					if err != nil {
						errs <- err
						return
					}
					for j, r := range rs {
						if r.Seq != rs[0].Seq+uint64(j) {
							errs <- fmt.Errorf("batch seqs not consecutive: %v", rs)
							return
						}
						seqs = append(seqs, r.Seq)
					}
				case 1:
					r, err := l.RecordMovement(ctx, move("A1", fmt.Sprintf("sku%d", w%4), "", -1))
					if err != nil {
						errs <- err
						return
					}
					seqs = append(seqs, r.Seq)
				default:
					r, err := l.RecordCount(ctx, count("A1", fmt.Sprintf("sku%d", i%4), "", int64(w)))
					if err != nil {
						errs <- err
						return
					}
					seqs = append(seqs, r.Seq)
				}
				mu.Lock()
				for _, s := range seqs {
					if seen[s] {
						mu.Unlock()
						errs <- fmt.Errorf("seq %d given twice", s)
						return
					}
					seen[s] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := l.LastSeq(); got != uint64(len(seen)) {
		t.Fatalf("last seq %d, %d seqs handed out", got, len(seen))
	}
	checkAll(t, l, nil, true)
}
