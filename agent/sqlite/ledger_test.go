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
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"

	"github.com/jxc-edge/jxc/internal/testenv"
)

func TestOpenReopenKeepsState(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	rep := l.Replica()
	if rep == 0 {
		t.Fatal("replica id is 0")
	}
	for i := 0; i < 5; i++ {
		mustMove(t, l, move("A1", "sku1", "", 10))
	}
	mustCount(t, l, count("A1", "sku1", "", 42))
	p := newPeer(t, testSite)
	if n, err := l.ApplyPeer(ctx, []syncproto.Event{p.move(t, "A1", "sku1", "", 3), p.move(t, "B1", "sku2", "L1", 4)}); err != nil || n != 2 {
		t.Fatalf("apply peer: %d, %v", n, err)
	}
	if err := l.SetAcked(ctx, 4); err != nil {
		t.Fatal(err)
	}
	wantStock := stockMap(t, l)
	wantEvents := ownEvents(t, l)
	lastHLC := wantEvents[len(wantEvents)-1].HLC
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.RecordMovement(ctx, move("A1", "sku1", "", 1)); !errors.Is(err, agent.ErrClosed) {
		t.Fatalf("record after close: got %v, want ErrClosed", err)
	}
	if _, err := l.Stock(ctx, agent.StockFilter{}); !errors.Is(err, agent.ErrClosed) {
		t.Fatalf("stock after close: got %v, want ErrClosed", err)
	}

	// A clock far in the past must not make the next HLC go backwards.
	past := func() time.Time { return time.Unix(1_000_000, 0) }
	l2 := MustOpenLedgerDir(t, dir, sqlite.Options{Now: past})
	if got := l2.Replica(); got != rep {
		t.Errorf("replica after reopen: got %s, want %s", got, rep)
	}
	if got := l2.LastSeq(); got != 6 {
		t.Errorf("last seq after reopen: got %d, want 6", got)
	}
	if got := l2.AckedSeq(); got != 4 {
		t.Errorf("acked after reopen: got %d, want 4", got)
	}
	if got := l2.PeerVV(); len(got) != 1 || got[p.id] != 2 {
		t.Errorf("peer vv after reopen: got %v, want {%s:2}", got, p.id)
	}
	if d := diffStock(stockMap(t, l2), wantStock); d != "" {
		t.Errorf("stock after reopen: %s", d)
	}
	got := ownEvents(t, l2)
	if len(got) != len(wantEvents) {
		t.Fatalf("events after reopen: got %d, want %d", len(got), len(wantEvents))
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw, wantEvents[i].Raw) || got[i].Seq != wantEvents[i].Seq {
			t.Errorf("event %d differs after reopen", i)
		}
	}
	r := mustMove(t, l2, move("A1", "sku1", "", 1))
	if r.Seq != 7 {
		t.Errorf("seq after reopen: got %d, want 7", r.Seq)
	}
	if maxHLC := max(lastHLC, p.events[1].HLC); r.HLC <= maxHLC {
		t.Errorf("hlc after reopen: got %v, want after %v", r.HLC, maxHLC)
	}
	if got := stockMap(t, l2)[syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1"}]; got != 42+3+1 {
		t.Errorf("on-hand: got %d, want 46", got)
	}
}

func TestOpenWrongSite(t *testing.T) {
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		tenant, site string
		want         error
		wantText     string
	}{
		{"other site", testTenant, "s2", agent.ErrWrongSite, `site "s1", not tenant "t1" site "s2"`},
		{"other tenant", "t2", testSite, agent.ErrWrongSite, `tenant "t1"`},
		{"empty site", testTenant, "", agent.ErrInvalid, "site"},
		{"bad site", testTenant, "a/b", agent.ErrInvalid, "site"},
		{"empty tenant", "", testSite, agent.ErrInvalid, "tenant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := sqlite.Open(dir, sqlite.Options{Tenant: tc.tenant, Site: tc.site})
			if err == nil {
				l.Close()
				t.Fatal("open succeeded")
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("got %v, want %v containing %q", err, tc.want, tc.wantText)
			}
		})
	}
	// The right site still opens.
	MustOpenLedgerDir(t, dir, sqlite.Options{})
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	long := strings.Repeat("x", sqlite.MaxFieldLen+1)
	ok := move("A1", "sku1", "", 5)
	movements := []struct {
		name  string
		edit  func(*agent.MovementInput)
		field string
	}{
		{"empty sku", func(m *agent.MovementInput) { m.SKU = "" }, "sku"},
		{"empty bin", func(m *agent.MovementInput) { m.Bin = "" }, "bin"},
		{"zero qty", func(m *agent.MovementInput) { m.Qty = 0 }, "qty"},
		{"huge qty", func(m *agent.MovementInput) { m.Qty = sqlite.MaxQty + 1 }, "qty"},
		{"empty reason", func(m *agent.MovementInput) { m.Reason = "" }, "reason"},
		{"unknown reason", func(m *agent.MovementInput) { m.Reason = "stolen" }, "reason"},
		{"long sku", func(m *agent.MovementInput) { m.SKU = long }, "sku"},
		{"long lot", func(m *agent.MovementInput) { m.Lot = long }, "lot"},
		{"long operator", func(m *agent.MovementInput) { m.Operator = long }, "operator"},
		{"control char in bin", func(m *agent.MovementInput) { m.Bin = "A\n1" }, "bin"},
		{"bad utf-8 epc", func(m *agent.MovementInput) { m.EPC = "\xff" }, "epc"},
		{"negative cost", func(m *agent.MovementInput) { m.UnitCost = -1 }, "unit_cost"},
		{"bad currency", func(m *agent.MovementInput) { m.Currency = "yuan" }, "currency"},
	}
	for _, tc := range movements {
		t.Run("movement/"+tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			_, err := l.RecordMovement(ctx, in)
			if !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("got %v, want ErrInvalid naming %s", err, tc.field)
			}
		})
	}
	counts := []struct {
		name  string
		in    agent.CountInput
		field string
	}{
		{"empty sku", count("A1", "", "", 1), "sku"},
		{"empty bin", count("", "sku1", "", 1), "bin"},
		{"negative", count("A1", "sku1", "", -1), "counted"},
		{"long lot", count("A1", "sku1", long, 1), "lot"},
	}
	for _, tc := range counts {
		t.Run("count/"+tc.name, func(t *testing.T) {
			_, err := l.RecordCount(ctx, tc.in)
			if !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("got %v, want ErrInvalid naming %s", err, tc.field)
			}
		})
	}
	doc := func(edit func(*pb.Event)) *pb.Event {
		e := &pb.Event{Body: &pb.Event_Doc{Doc: &pb.DocEvent{Doc: "d1", DocType: "receipt", Status: "open"}}}
		if edit != nil {
			edit(e)
		}
		return e
	}
	bodies := []struct {
		name string
		body *pb.Event
		text string
	}{
		{"nil", nil, "nil"},
		{"no kind", &pb.Event{}, "kind"},
		{"sets site", doc(func(e *pb.Event) { e.Site = "s1" }), "site"},
		{"sets hlc", doc(func(e *pb.Event) { e.Hlc = 7 }), "hlc"},
		{"sets seq", doc(func(e *pb.Event) { e.Seq = 7 }), "seq"},
		{"movement", &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A", Sku: "B", Qty: 1}}}, "RecordMovement"},
		{"count", &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{Bin: "A", Sku: "B"}}}, "RecordCount"},
		{"empty doc_type", doc(func(e *pb.Event) { e.GetDoc().DocType = "" }), "doc_type"},
		{"big payload", doc(func(e *pb.Event) { e.GetDoc().Payload = make([]byte, sqlite.MaxPayload+1) }), "payload"},
	}
	for _, tc := range bodies {
		t.Run("append/"+tc.name, func(t *testing.T) {
			_, err := l.Append(ctx, tc.body)
			if !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %v, want ErrInvalid mentioning %s", err, tc.text)
			}
		})
	}
	if _, err := l.Events(ctx, 1, 0, 0); !errors.Is(err, agent.ErrInvalid) {
		t.Errorf("events with maxEvents 0: got %v, want ErrInvalid", err)
	}
	if got := l.LastSeq(); got != 0 {
		t.Fatalf("rejected input used seqs: last seq %d", got)
	}
	// Valid input of each kind, with every optional field, goes through.
	full := agent.MovementInput{SKU: "sku1", Bin: "A1", Lot: "L1", EPC: "3034", Qty: -2, UnitCost: 150,
		Currency: "CNY", Reason: "transfer_out", Doc: "d1", Operator: "op", Device: "dev"}
	mustMove(t, l, full)
	mustCount(t, l, count("A1", "sku1", "L1", 0))
	if _, err := l.Append(ctx, doc(nil)); err != nil {
		t.Fatal(err)
	}
	if got := l.LastSeq(); got != 3 {
		t.Fatalf("last seq: got %d, want 3", got)
	}
}

// TestConcurrentSeqs checks that 64 concurrent writers get seqs 1..N with
// no gap or duplicate, and that each receipt names the event stored.
func TestConcurrentSeqs(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	const writers, each = 64, 40
	receipts := make([][]agent.Receipt, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// Writers share keys so on-hand updates collide.
				r, err := l.RecordMovement(ctx, move("A1", []string{"sku1", "sku2", "sku3"}[(w+i)%3], "", int64(w+1)))
				if err != nil {
					errs <- err
					return
				}
				receipts[w] = append(receipts[w], r)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	const total = writers * each
	if got := l.LastSeq(); got != total {
		t.Fatalf("last seq: got %d, want %d", got, total)
	}
	seen := make([]bool, total+1)
	var lastHLC [writers]syncproto.HLC
	for w, rs := range receipts {
		for _, r := range rs {
			if r.Seq == 0 || r.Seq > total || seen[r.Seq] {
				t.Fatalf("receipt seq %d duplicated or out of range", r.Seq)
			}
			seen[r.Seq] = true
			if r.HLC <= lastHLC[w] {
				t.Fatalf("writer %d: hlc went backwards", w)
			}
			lastHLC[w] = r.HLC
		}
	}
	evs := ownEvents(t, l)
	if len(evs) != total {
		t.Fatalf("events: got %d, want %d", len(evs), total)
	}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		if i > 0 && e.HLC <= evs[i-1].HLC {
			t.Fatalf("hlc not increasing with seq at %d", e.Seq)
		}
	}
	if d := diffStock(stockMap(t, l), syncproto.OnHandAll(evs)); d != "" {
		t.Fatalf("stock vs OnHandAll: %s", d)
	}
	st := l.Stats()
	if st.Appended != total || st.Commits >= total {
		t.Errorf("stats: %+v: want %d appended in fewer commits", st, total)
	}
	t.Logf("%d appends in %d commits, largest %d", st.Appended, st.Commits, st.MaxBatch)
}

func TestEventsPaging(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	var sizes []int
	for i := 0; i < 10; i++ {
		mustMove(t, l, move("A1", strings.Repeat("s", i+1), "", 1))
	}
	all := ownEvents(t, l)
	for _, e := range all {
		sizes = append(sizes, len(e.Raw))
	}
	sum := func(from, to int) int { // seqs from..to inclusive
		n := 0
		for s := from; s <= to; s++ {
			n += sizes[s-1]
		}
		return n
	}
	for _, tc := range []struct {
		name                string
		from                uint64
		maxEvents, maxBytes int
		wantFirst, wantLast uint64 // 0, 0: none
	}{
		{"all", 1, 100, 0, 1, 10},
		{"from 0 reads as 1", 0, 3, 0, 1, 3},
		{"by count", 4, 3, 0, 4, 6},
		{"by bytes exact", 2, 100, sum(2, 5), 2, 5},
		{"by bytes one short", 2, 100, sum(2, 5) - 1, 2, 4},
		{"at least one", 7, 100, 1, 7, 7},
		{"both limits, count first", 1, 2, sum(1, 5), 1, 2},
		{"tail", 9, 100, 0, 9, 10},
		{"past the end", 11, 100, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := l.Events(ctx, tc.from, tc.maxEvents, tc.maxBytes)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantLast == 0 {
				if len(got) != 0 {
					t.Fatalf("got %d events, want none", len(got))
				}
				return
			}
			if len(got) == 0 || got[0].Seq != tc.wantFirst || got[len(got)-1].Seq != tc.wantLast {
				t.Fatalf("got %d events %v, want seqs %d..%d", len(got), seqsOf(got), tc.wantFirst, tc.wantLast)
			}
			for i, e := range got {
				if e.Seq != tc.wantFirst+uint64(i) || e.Replica != l.Replica() || e.Site != testSite || e.Msg == nil {
					t.Fatalf("event %d: %+v", i, e)
				}
			}
		})
	}
}

func seqsOf(evs []syncproto.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

// TestStoredBodies checks that stored bodies are exactly what
// syncproto.NewEvent makes (never replica, seq or site) and that they
// round-trip.
func TestStoredBodies(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	in := agent.MovementInput{SKU: "sku1", Bin: "A1", Lot: "L1", EPC: "3034ab", Qty: 12, UnitCost: 99,
		Currency: "CNY", Reason: "receive", Doc: "po-1", Operator: "op", Device: "gate1"}
	r1 := mustMove(t, l, in)
	doc := &pb.Event{Body: &pb.Event_Doc{Doc: &pb.DocEvent{Doc: "d1", DocType: "receipt", Status: "open", Payload: []byte(`{"a":1}`)}}}
	r2, err := l.Append(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	r3 := mustCount(t, l, count("A1", "sku1", "L1", 5))
	evs := ownEvents(t, l)
	if len(evs) != 3 {
		t.Fatalf("got %d events", len(evs))
	}
	bodies := []*pb.Event{
		{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: in.Bin, Sku: in.SKU, Lot: in.Lot, Epc: in.EPC, Qty: in.Qty,
			UnitCost: in.UnitCost, Currency: in.Currency, Reason: in.Reason, Doc: in.Doc, Operator: in.Operator, Device: in.Device}}},
		{Body: &pb.Event_Doc{Doc: &pb.DocEvent{Doc: "d1", DocType: "receipt", Status: "open", Payload: []byte(`{"a":1}`)}}},
		{Body: &pb.Event_Count{Count: &pb.Count{Bin: "A1", Sku: "sku1", Lot: "L1", Counted: 5, Operator: "op1",
			Ctx: syncproto.VV{l.Replica(): 2}.PB()}}},
	}
	for i, r := range []agent.Receipt{r1, r2, r3} {
		want, err := syncproto.NewEvent(l.Replica(), r.Seq, r.HLC, testSite, bodies[i])
		if err != nil {
			t.Fatal(err)
		}
		got := evs[i]
		if !bytes.Equal(got.Raw, want.Raw) {
			t.Errorf("event %d: raw\n got %x\nwant %x", r.Seq, got.Raw, want.Raw)
		}
		if got.HLC != r.HLC || got.Msg.GetReplica() != 0 || got.Msg.GetSeq() != 0 || got.Msg.GetSite() != "" {
			t.Errorf("event %d: %+v", r.Seq, got)
		}
	}
}

func TestSetAcked(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	for i := 0; i < 5; i++ {
		mustMove(t, l, move("A1", "sku1", "", 1))
	}
	for _, tc := range []struct {
		name    string
		seq     uint64
		want    uint64
		wantErr error
	}{
		{"first", 3, 3, nil},
		{"lower ignored", 2, 3, nil},
		{"same", 3, 3, nil},
		{"higher", 5, 5, nil},
		{"beyond last seq", 6, 5, agent.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := l.SetAcked(ctx, tc.seq)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err: got %v, want %v", err, tc.wantErr)
			}
			if got := l.AckedSeq(); got != tc.want {
				t.Fatalf("acked: got %d, want %d", got, tc.want)
			}
		})
	}
	l.Close()
	if got := MustOpenLedgerDir(t, dir, sqlite.Options{}).AckedSeq(); got != 5 {
		t.Fatalf("acked after reopen: got %d, want 5", got)
	}
}

func TestNotify(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	select {
	case <-l.Notify():
		t.Fatal("notify before any append")
	default:
	}
	// Peer events alone do not notify.
	p := newPeer(t, testSite)
	if _, err := l.ApplyPeer(ctx, []syncproto.Event{p.move(t, "A1", "sku1", "", 1)}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Notify():
		t.Fatal("notify after peer events")
	default:
	}
	mustMove(t, l, move("A1", "sku1", "", 1))
	mustMove(t, l, move("A1", "sku1", "", 1))
	select {
	case <-l.Notify():
	default:
		t.Fatal("no notify after append")
	}
	select {
	case <-l.Notify():
		t.Fatal("notify not coalesced")
	default:
	}
}

// TestCloseDrains checks that Close answers every request: appends racing
// with Close either succeed (and are stored) or get ErrClosed, none hangs.
func TestCloseDrains(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	const writers = 32
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok []uint64
	)
	start := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				r, err := l.RecordMovement(ctx, move("A1", "sku1", "", 1))
				if errors.Is(err, agent.ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ok = append(ok, r.Seq)
				mu.Unlock()
			}
		}()
	}
	close(start)
	testenv.WaitFor(t, 10*time.Second, func() error {
		if l.LastSeq() < 200 {
			return errors.New("fewer than 200 appends")
		}
		return nil
	})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	l2 := MustOpenLedgerDir(t, dir, sqlite.Options{})
	if got, want := l2.LastSeq(), uint64(len(ok)); got != want {
		t.Fatalf("after close: last seq %d, but %d appends were acknowledged", got, want)
	}
	if got := stockMap(t, l2)[syncproto.Key{Site: testSite, Bin: "A1", SKU: "sku1"}]; got != int64(len(ok)) {
		t.Fatalf("on-hand %d, want %d", got, len(ok))
	}
}

func TestContextCancelled(t *testing.T) {
	l := MustOpenLedger(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.RecordMovement(ctx, move("A1", "sku1", "", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if got := l.LastSeq(); got != 0 {
		t.Fatalf("last seq %d after cancelled append", got)
	}
}

// TestSchema checks the migrations table and that the writer's queries for
// recomputing a key search rather than scan.
func TestSchema(t *testing.T) {
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	mustMove(t, l, move("A1", "sku1", "", 1))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n < 1 {
		t.Fatalf("schema_migrations: %d rows, %v", n, err)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v", mode, err)
	}
	for _, tc := range []struct{ q, want string }{
		{`SELECT qty FROM events WHERE replica = 1 AND seq > 5 AND seq <= 9 AND key_id = 1 AND kind = 1`, "PRIMARY KEY"},
		{`SELECT replica, seq, body FROM events WHERE key_id = 1 AND kind = 2`, "events_counts"},
	} {
		q := tc.q
		rows, err := db.Query(`EXPLAIN QUERY PLAN ` + q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "SEARCH") || !strings.Contains(p, tc.want) {
			t.Errorf("%s: plan %q does not search %s", q, p, tc.want)
		}
	}
}

func TestOpenTwiceIsLocked(t *testing.T) {
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	if l2, err := sqlite.Open(dir, sqlite.Options{Tenant: testTenant, Site: testSite}); !errors.Is(err, sqlite.ErrLocked) {
		if err == nil {
			l2.Close()
		}
		t.Fatalf("second open: got %v, want ErrLocked", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	MustOpenLedgerDir(t, dir, sqlite.Options{})
}

func TestStockFilter(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	mustMove(t, l, move("A1", "sku1", "", 1))
	mustMove(t, l, move("A1", "sku2", "L1", 2))
	mustMove(t, l, move("A1", "sku2", "", 3))
	mustMove(t, l, move("B1", "sku1", "", 4))
	mustMove(t, l, move("B1", "sku1", "", -4))
	for _, tc := range []struct {
		name string
		f    agent.StockFilter
		want []int64 // quantities in key order
	}{
		{"all", agent.StockFilter{}, []int64{1, 3, 2, 0}},
		{"bin", agent.StockFilter{Bin: "A1"}, []int64{1, 3, 2}},
		{"sku", agent.StockFilter{SKU: "sku1"}, []int64{1, 0}},
		{"bin and sku", agent.StockFilter{Bin: "A1", SKU: "sku2"}, []int64{3, 2}},
		{"no match", agent.StockFilter{Bin: "C1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := l.Stock(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, r := range rows {
				got = append(got, r.Qty)
				if r.Site != testSite {
					t.Errorf("row %+v: site", r)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v (%+v), want %v", got, rows, tc.want)
			}
		})
	}
}

// TestFailedCommit makes a group commit fail (a row put in the way of the
// next seq from outside) and checks that the callers get the error, nothing
// of the batch stays, and seqs continue without a gap once the way is clear.
func TestFailedCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	p := newPeer(t, testSite)
	mustMove(t, l, move("A1", "sku1", "", 5))
	mustMove(t, l, move("A1", "sku2", "", 7))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO events (replica, seq, hlc, kind, key_id, qty, body) VALUES (?, 3, 0, 0, NULL, 0, x'00')`,
		int64(l.Replica())); err != nil {
		t.Fatal(err)
	}
	want := stockMap(t, l)

	// Appends and a peer event race into one failing batch or several.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = l.RecordMovement(ctx, move("A1", "sku1", "", 1))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil || errors.Is(err, agent.ErrInvalid) {
			t.Fatalf("append %d: got %v, want a storage error", i, err)
		}
	}
	if got := l.LastSeq(); got != 2 {
		t.Fatalf("last seq %d after failed commits, want 2", got)
	}
	if d := diffStock(stockMap(t, l), want); d != "" {
		t.Fatalf("stock changed by failed commits: %s", d)
	}

	if _, err := db.Exec(`DELETE FROM events WHERE replica = ? AND seq = 3`, int64(l.Replica())); err != nil {
		t.Fatal(err)
	}
	if r := mustMove(t, l, move("A1", "sku1", "", 1)); r.Seq != 3 {
		t.Fatalf("seq after recovery %d, want 3", r.Seq)
	}
	if n, err := l.ApplyPeer(ctx, []syncproto.Event{p.move(t, "A1", "sku1", "", 100)}); n != 1 || err != nil {
		t.Fatalf("apply peer: %d, %v", n, err)
	}
	checkAll(t, l, []*peerSim{p}, true)

	// A peer event already stored but not recorded as applied (only an
	// outside write can do that) advances the version vector without
	// being applied twice; Rebuild then counts it.
	ev := p.move(t, "A1", "sku1", "", 1000)
	if _, err := db.Exec(`INSERT INTO events (replica, seq, hlc, kind, key_id, qty, body)
		SELECT ?, ?, ?, 1, id, 1000, ? FROM stock WHERE bin = 'A1' AND sku = 'sku1' AND lot = ''`,
		int64(p.id), int64(ev.Seq), int64(ev.HLC), ev.Raw); err != nil {
		t.Fatal(err)
	}
	if n, err := l.ApplyPeer(ctx, []syncproto.Event{ev}); n != 0 || err != nil || l.PeerVV()[p.id] != 2 {
		t.Fatalf("apply stored peer event: %d, %v, vv %v", n, err, l.PeerVV())
	}
	if err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	checkAll(t, l, []*peerSim{p}, false)
}

// TestRebuildRepairs damages the derived table from outside and checks that
// Rebuild restores it, and that it refuses events whose derived columns no
// longer match their bodies.
func TestRebuildRepairs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	mustMove(t, l, move("A1", "sku1", "", 5))
	mustCount(t, l, count("A1", "sku2", "", 3))
	mustMove(t, l, move("A1", "sku2", "", 4))
	want := stockMap(t, l)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`UPDATE stock SET qty = 999 WHERE sku = 'sku1'`,
		`INSERT INTO stock (bin, sku, lot, qty) VALUES ('Z9', 'ghost', '', 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if d := diffStock(stockMap(t, l), want); d == "" {
		t.Fatal("damage not visible")
	}
	if err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if d := diffStock(stockMap(t, l), want); d != "" {
		t.Fatalf("after rebuild: %s", d)
	}
	// The writer's cache was dropped with the rebuild.
	mustMove(t, l, move("A1", "sku1", "", 1))
	checkAll(t, l, nil, true)

	if _, err := db.Exec(`UPDATE events SET qty = qty + 1 WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	if err := l.Rebuild(ctx); err == nil || !strings.Contains(err.Error(), "stored qty") {
		t.Fatalf("rebuild over a damaged event: got %v", err)
	}
}
