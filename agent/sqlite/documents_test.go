package sqlite_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
)

func saleInput(qty int64) agent.DocumentInput {
	return agent.DocumentInput{DocType: syncproto.EdgeRetailSale, Status: syncproto.EdgeDone,
		Payload: []byte(`{"lines":[{"line":1,"sku":"A","qty":1},{"line":2,"sku":"B","qty":2}]}`),
		Movements: []agent.DocMovement{
			{MovementInput: agent.MovementInput{SKU: "A", Bin: "S1", Qty: -1, Reason: "sale"}, Line: 1},
			{MovementInput: agent.MovementInput{SKU: "B", Bin: "S1", Qty: -qty, Reason: "sale"}, Line: 2},
		}}
}

func TestRecordDocumentAtomicIdempotent(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	mustMove(t, l, move("S1", "A", "", 10))
	got, err := l.RecordDocument(ctx, "sale-1", saleInput(2))
	if err != nil {
		t.Fatal(err)
	}
	id := syncproto.EdgeDocID(l.Replica(), 2)
	if got.ID != id || got.Doc.Seq != 2 || got.Events != 3 || got.Replayed {
		t.Fatalf("receipt %+v; want id %s seq 2, 3 events", got, id)
	}
	evs := ownEvents(t, l)
	if len(evs) != 4 || evs[1].Kind() != syncproto.KindDoc || evs[2].Msg.GetMovement().GetDoc() != id+"#1" ||
		evs[3].Msg.GetMovement().GetDoc() != id+"#2" {
		t.Fatalf("events %v", evs)
	}
	again, err := l.RecordDocument(ctx, "sale-1", saleInput(2))
	if err != nil || !again.Replayed || again.ID != id || again.Events != 3 || l.LastSeq() != 4 {
		t.Fatalf("replay: %+v %v, last seq %d", again, err, l.LastSeq())
	}
	if _, err := l.RecordDocument(ctx, "sale-1", saleInput(3)); !errors.Is(err, agent.ErrKeyReused) {
		t.Fatalf("same key, other body: %v", err)
	}
	bad := saleInput(2)
	bad.Movements[1].Qty = 0
	if _, err := l.RecordDocument(ctx, "sale-2", bad); !errors.Is(err, agent.ErrInvalid) || l.LastSeq() != 4 {
		t.Fatalf("a bad movement: %v, last seq %d (nothing must be written)", err, l.LastSeq())
	}
	p, err := l.DocProgress(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]agent.Progress{id + "#1": {Doc: id + "#1", Neg: -1, Moves: 1}, id + "#2": {Doc: id + "#2", Neg: -2, Moves: 1}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("progress %v; want %v", p, want)
	}
	st, open, last, ok, err := l.EdgeDoc(ctx, id)
	if err != nil || !ok || st.Status != syncproto.EdgeDone || st.DocType != syncproto.EdgeRetailSale || len(open) == 0 || string(open) != string(last) {
		t.Fatalf("edge doc %+v %q %q %v %v", st, open, last, ok, err)
	}
}

// TestDocProgressSiteWide: two replicas of a site work one purchase order
// line and a session; each sees the other's work once it applied its
// events, and a rebuild gives exactly what the incremental path gave.
func TestDocProgressSiteWide(t *testing.T) {
	ctx := context.Background()
	a, b := MustOpenLedger(t), MustOpenLedger(t)
	rcv := func(l *sqlite.Ledger, doc string, q int64) {
		in := move("R1", "A", "", q)
		in.Doc = doc
		mustMove(t, l, in)
	}
	rcv(a, "CG1#1", 5)
	rcv(b, "CG1#1", 7)
	rcv(b, "CG1#2", -2)
	rcv(a, "CG1", 3) // unplanned: the number alone
	rcv(a, "CG10#1", 100)
	open, err := a.RecordDocument(ctx, "", agent.DocumentInput{DocType: syncproto.EdgeReceipt, Status: syncproto.EdgeOpen, Payload: []byte(`{"ref":"CG1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.RecordCountOnce(ctx, "c1", agent.CountInput{SKU: "A", Bin: "R1", Counted: 3, Doc: "PD1"}); err != nil {
		t.Fatal(err)
	}
	exchange := func(from, to *sqlite.Ledger) {
		evs, err := from.Events(ctx, 1, 1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := to.ApplyPeer(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	exchange(a, b)
	// b closes the session a opened, after a's events reached it.
	if _, err := b.RecordDocument(ctx, "", agent.DocumentInput{Doc: open.ID, DocType: syncproto.EdgeReceipt, Status: syncproto.EdgeDone,
		Payload: []byte(`{"ref":"CG1","lines":[{"line":1,"ref_line":1,"sku":"A","qty":12}]}`)}); err != nil {
		t.Fatal(err)
	}
	exchange(b, a)
	want := map[string]agent.Progress{
		"CG1":   {Doc: "CG1", Pos: 3, Moves: 1},
		"CG1#1": {Doc: "CG1#1", Pos: 12, Moves: 2},
		"CG1#2": {Doc: "CG1#2", Neg: -2, Moves: 1},
	}
	for name, l := range map[string]*sqlite.Ledger{"a": a, "b": b} {
		got, err := l.DocProgress(ctx, "CG1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: progress %v; want %v", name, got, want)
		}
		st, _, last, ok, err := l.EdgeDoc(ctx, open.ID)
		if err != nil || !ok || st.Status != syncproto.EdgeDone || st.Ref != "CG1" || st.Open.Seq != open.Doc.Seq || len(last) == 0 {
			t.Errorf("%s: session %+v %v %v", name, st, ok, err)
		}
		if p, _ := l.DocProgress(ctx, "PD1"); p["PD1"].Counts != 1 {
			t.Errorf("%s: count plan progress %v", name, p)
		}
		docs, err := l.EdgeDocs(ctx, "CG1", 10)
		if err != nil || len(docs) != 1 || docs[0].ID != open.ID {
			t.Errorf("%s: edge docs of CG1 %v %v", name, docs, err)
		}

		before, err := l.AllDocProgress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		docsBefore, _ := l.EdgeDocs(ctx, "CG1", 10)
		if err := l.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		after, err := l.AllDocProgress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		docsAfter, _ := l.EdgeDocs(ctx, "CG1", 10)
		if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(docsBefore, docsAfter) || len(after) != 5 {
			t.Errorf("%s: rebuild differs:\n%v %v\n%v %v", name, before, docsBefore, after, docsAfter)
		}
	}
}
