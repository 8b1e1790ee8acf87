package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
)

// wantInvalid checks that err is an *agent.InvalidError whose English text
// holds en and whose Chinese text is there and holds zh.
func wantInvalid(t *testing.T, err error, en, zh string) {
	t.Helper()
	var ie *agent.InvalidError
	if !errors.As(err, &ie) || !errors.Is(err, agent.ErrInvalid) {
		t.Fatalf("got %v, want an *agent.InvalidError", err)
	}
	if !strings.Contains(ie.Msg, en) || ie.MsgZH == "" || !strings.Contains(ie.MsgZH, zh) {
		t.Fatalf("got %q / %q, want %q / %q", ie.Msg, ie.MsgZH, en, zh)
	}
}

// TestMovementQtyBound is the review's first overflow: 9,300 movements of
// 10^15, each accepted, wrapped on-hand. A movement beyond MaxQty is now
// refused before it is written.
func TestMovementQtyBound(t *testing.T) {
	l := MustOpenLedger(t)
	_, err := l.RecordMovement(context.Background(), move("A1", "sku1", "", 1_000_000_000_000_000))
	wantInvalid(t, err, "qty 1000000000000000 is beyond", "超出")
	mustMove(t, l, move("A1", "sku1", "", sqlite.MaxQty))
	if got := l.LastSeq(); got != 1 {
		t.Fatalf("last seq %d, want 1", got)
	}
}

// setStock opens the ledger in dir with plain SQL (closed by then) and sets
// one key's on-hand, as if billions of events had been recorded.
func setStock(t *testing.T, dir, bin, sku string, qty int64) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE stock SET qty = ? WHERE bin = ? AND sku = ? AND lot = ''`, qty, bin, sku)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("set stock: %d rows", n)
	}
}

// TestMovementOverflowRefused checks that a movement that would take an
// on-hand beyond int64 is refused whole, with a clear error, by
// RecordMovement and RecordMovements, and that a peer's such movement is
// held back and counted rather than wrapping.
func TestMovementOverflowRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	mustMove(t, l, move("A1", "sku1", "", 1))
	l.Close()
	setStock(t, dir, "A1", "sku1", math.MaxInt64-5)
	l = MustOpenLedgerDir(t, dir, sqlite.Options{})
	key := syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1"}

	_, err := l.RecordMovement(ctx, move("A1", "sku1", "", 10))
	wantInvalid(t, err, `would take the on-hand of bin "A1" sku "sku1"`, "超出 int64 范围")
	_, err = l.RecordMovements(ctx, []agent.MovementInput{move("A1", "sku1", "", 3), move("B1", "sku1", "", 3), move("A1", "sku1", "", 3)})
	wantInvalid(t, err, "movements[2].qty would take", "movements[2].qty")
	if got := stockMap(t, l)[key]; got != math.MaxInt64-5 || l.LastSeq() != 1 {
		t.Fatalf("on-hand %d, last seq %d after refusals; want %d, 1", got, l.LastSeq(), int64(math.MaxInt64-5))
	}
	// Other requests in the same group commit are not affected, and what
	// fits is taken.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := l.RecordMovement(ctx, move("B1", "sku1", "", 1)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		if _, err := l.RecordMovement(ctx, move("A1", "sku1", "", 6)); !errors.Is(err, agent.ErrInvalid) {
			t.Errorf("overflowing movement: %v", err)
		}
	})
	wg.Wait()
	mustMove(t, l, move("A1", "sku1", "", 5))
	if got := stockMap(t, l)[key]; got != math.MaxInt64 {
		t.Fatalf("on-hand %d, want MaxInt64", got)
	}

	p := newPeer(t, testSite)
	p.move(t, "A1", "sku1", "", 1)
	p.move(t, "A1", "sku1", "", -1)
	if n, err := l.ApplyPeer(ctx, p.upTo(2)); err != nil || n != 0 {
		t.Fatalf("apply overflowing peer movement: %d, %v; want 0 applied", n, err)
	}
	if got := l.PeerVV()[p.id]; got != 0 || l.Stats().PeerRejected != 1 {
		t.Fatalf("peer vv %d, rejected %d; want 0, 1", got, l.Stats().PeerRejected)
	}
	if got := stockMap(t, l)[key]; got != math.MaxInt64 {
		t.Fatalf("on-hand %d after the peer, want MaxInt64", got)
	}
}

// TestPeerEventContentValidated checks that a peer event breaking the
// content rules (a NUL in bin, which PostgreSQL cannot store) is rejected
// and counted, not stored.
func TestPeerEventContentValidated(t *testing.T) {
	l := MustOpenLedger(t)
	p := newPeer(t, testSite)
	p.move(t, "A\x001", "sku1", "", 1)
	n, err := l.ApplyPeer(context.Background(), p.upTo(1))
	if n != 0 || !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), "bin contains a control character") {
		t.Fatalf("ApplyPeer = %d, %v; want 0 and ErrInvalid naming bin", n, err)
	}
	if l.Stats().PeerRejected != 1 || len(stockMap(t, l)) != 0 {
		t.Fatalf("rejected %d, stock %v", l.Stats().PeerRejected, stockMap(t, l))
	}
}

// TestLotlessCountOfLotStock is the review's case: 10 of L1 and 5 of L2,
// then a count of 15 without a lot added a third row (30 in all). It is
// refused: count each lot.
func TestLotlessCountOfLotStock(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	mustMove(t, l, move("A1", "sku1", "L1", 10))
	mustMove(t, l, move("A1", "sku1", "L2", 5))
	_, err := l.RecordCount(ctx, count("A1", "sku1", "", 15))
	wantInvalid(t, err, "stocked by lot: count each lot", "请按批次分别盘点")
	want := map[syncproto.Key]int64{
		{Site: testSite, Bin: "A1", SKU: "sku1", Lot: "L1"}: 10,
		{Site: testSite, Bin: "A1", SKU: "sku1", Lot: "L2"}: 5,
	}
	if d := diffStock(stockMap(t, l), want); d != "" || l.LastSeq() != 2 {
		t.Fatalf("stock after refused count: %s, last seq %d", d, l.LastSeq())
	}
	// Per lot, and lot-less where the sku has no lots in the bin, counts go through.
	mustCount(t, l, count("A1", "sku1", "L1", 9))
	mustMove(t, l, move("B1", "sku1", "", 4))
	mustCount(t, l, count("B1", "sku1", "", 3))
	want[syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1", Lot: "L1"}] = 9
	want[syncproto.Key{Site: testSite, Bin: "B1", SKU: "sku1"}] = 3
	if d := diffStock(stockMap(t, l), want); d != "" {
		t.Fatal(d)
	}
}

// TestIdempotentRecord checks that a movement or count recorded with an
// idempotency key is written once: a retry gets the first receipt, also
// after a reopen and when retries race; a key reused for other content or
// another kind is refused.
func TestIdempotentRecord(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	m := move("A1", "sku1", "", 5)
	first, err := l.RecordMovementOnce(ctx, "k-1", m)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			rc, err := l.RecordMovementOnce(ctx, "k-1", m)
			if err != nil || rc != first {
				t.Errorf("retry: %+v, %v; want %+v", rc, err, first)
			}
		})
	}
	wg.Wait()
	other := m
	other.Qty = -5
	if _, err := l.RecordMovementOnce(ctx, "k-1", other); !errors.Is(err, agent.ErrKeyReused) {
		t.Fatalf("key reused with other content: %v, want ErrKeyReused", err)
	}
	if _, err := l.RecordCountOnce(ctx, "k-1", count("A1", "sku1", "", 5)); !errors.Is(err, agent.ErrKeyReused) {
		t.Fatalf("movement key reused for a count: %v, want ErrKeyReused", err)
	}
	c1, err := l.RecordCountOnce(ctx, "c-1", count("A1", "sku1", "", 2))
	if err != nil {
		t.Fatal(err)
	}
	mustMove(t, l, move("A1", "sku1", "", 1))
	if c2, err := l.RecordCountOnce(ctx, "c-1", count("A1", "sku1", "", 2)); err != nil || c2 != c1 {
		t.Fatalf("count retry: %+v, %v; want %+v", c2, err, c1)
	}
	if _, err := l.RecordMovementOnce(ctx, "bad key", m); !errors.Is(err, agent.ErrInvalid) {
		t.Fatalf("key with a space: %v, want ErrInvalid", err)
	}
	if got := l.LastSeq(); got != 3 {
		t.Fatalf("last seq %d, want 3 (one movement, one count, one movement)", got)
	}
	l.Close()
	l = MustOpenLedgerDir(t, dir, sqlite.Options{})
	if rc, err := l.RecordMovementOnce(ctx, "k-1", m); err != nil || rc != first {
		t.Fatalf("retry after reopen: %+v, %v; want %+v", rc, err, first)
	}
	if got := stockMap(t, l)[syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1"}]; got != 3 || l.LastSeq() != 3 {
		t.Fatalf("on-hand %d, last seq %d; want 3, 3", got, l.LastSeq())
	}
}
