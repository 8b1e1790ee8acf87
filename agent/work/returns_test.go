package work_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/agent/work"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// seedReturn gives l purchase return CT1 (SUP1; line 1: 4 A of lot L1
// from R1, line 2: 2 B from R2).
func seedReturn(tb testing.TB, l *sqlite.Ledger) {
	tb.Helper()
	rec := &pb.MasterRecord{Kind: syncproto.KindPurchaseReturn, Key: "CT1", Revision: 7, Body: body(tb, &pb.DocumentRecord{Partner: "SUP1", Ref: "RK1",
		Lines: []*pb.DocumentLine{
			{Line: 1, Sku: "A", Unit: "pcs", Factor: 1, Qty: 4, QtyBase: 4, Bin: "R1", Lot: "L1"},
			{Line: 2, Sku: "B", Unit: "pcs", Factor: 1, Qty: 2, QtyBase: 2, Bin: "R2"},
		}})}
	ok, err := l.ApplyMaster(context.Background(), &pb.MasterBatch{Version: 1, Tenant: "t1", Site: "s1", FromRev: 6, ToRev: 7, Records: []*pb.MasterRecord{rec}})
	if err != nil || !ok {
		tb.Fatalf("apply master: %v %v", ok, err)
	}
}

func onHand(tb testing.TB, l *sqlite.Ledger, sku, bin string) int64 {
	tb.Helper()
	rows, err := l.Stock(context.Background(), agent.StockFilter{SKU: sku, Bin: bin})
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		n += r.Qty
	}
	return n
}

func TestPurchaseReturn(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	seedReturn(t, l)
	s := work.New(l, nil)
	ctx := as(clerk)
	r, err := s.PurchaseReturn(ctx, "r1", work.PurchaseReturnRequest{Return: "CT1", Scan: work.Scan{SKU: "A", Qty: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Doc != "CT1#1" || r.Qty != -3 || r.Bin != "R1" || r.Lot != "L1" || r.Done != 3 || r.Expected != 4 {
		t.Fatalf("return scan %+v", r)
	}
	evs, err := l.Events(context.Background(), r.Receipt.Seq, 1, 0)
	if err != nil || len(evs) != 1 {
		t.Fatal(evs, err)
	}
	if m := evs[0].Msg.GetMovement(); m.GetReason() != "purchase_return" || m.GetDoc() != "CT1#1" || m.GetQty() != -3 {
		t.Fatalf("movement %v", m)
	}
	for name, c := range map[string]struct {
		req  work.PurchaseReturnRequest
		want string
	}{
		"SKU not on the return": {work.PurchaseReturnRequest{Return: "CT1", Scan: work.Scan{SKU: "Z", Qty: 1}}, work.CodeWrongItem},
		"other lot":             {work.PurchaseReturnRequest{Return: "CT1", Scan: work.Scan{SKU: "A", Qty: 1, Lot: "L2"}}, work.CodeWrongItem},
		"over the line":         {work.PurchaseReturnRequest{Return: "CT1", Scan: work.Scan{SKU: "A", Qty: 2}}, work.CodeOverReturn},
		"unknown return":        {work.PurchaseReturnRequest{Return: "CT9", Scan: work.Scan{SKU: "A", Qty: 1}}, work.CodeUnknownDocument},
	} {
		if _, err := s.PurchaseReturn(ctx, "bad-"+strings.ReplaceAll(name, " ", "-"), c.req); code(err) != c.want {
			t.Errorf("%s: %v; want %s", name, err, c.want)
		}
	}
	if got := s.Refused(); got[work.CodeWrongItem] != 2 || got[work.CodeOverReturn] != 1 {
		t.Errorf("refusals counted %v", got)
	}
	// The same key again records nothing twice.
	last := l.LastSeq()
	if again, err := s.PurchaseReturn(ctx, "r1", work.PurchaseReturnRequest{Return: "CT1", Scan: work.Scan{SKU: "A", Qty: 3}}); err != nil || !again.Replayed || l.LastSeq() != last {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if _, err := s.PurchaseReturn(ctx, "r2", work.PurchaseReturnRequest{Return: "CT1", Scan: work.Scan{SKU: "A", Qty: 1, Lot: "L1"}}); err != nil {
		t.Fatal(err)
	}
	if n := onHand(t, l, "A", "R1"); n != -4 {
		t.Errorf("on-hand of A in R1: %d; want -4", n)
	}
	v, err := s.Document(ctx, syncproto.KindPurchaseReturn, "CT1")
	if err != nil || v.Lines[0].Done != 4 || v.Lines[1].Done != 0 {
		t.Fatalf("document %+v %v", v, err)
	}
	if _, err := s.FinishPurchaseReturn(ctx, "f1", work.FinishRequest{List: "CT1"}); code(err) != work.CodeShortReason {
		t.Fatalf("finish with line 2 short and no reason: %v", err)
	}
	d, err := s.FinishPurchaseReturn(ctx, "f2", work.FinishRequest{List: "CT1", Shorts: []work.ShortLine{{Line: 2, Reason: "not_found"}}})
	if err != nil {
		t.Fatal(err)
	}
	st, _, last2, ok, err := l.EdgeDoc(context.Background(), d.ID)
	if err != nil || !ok || st.DocType != syncproto.EdgePurchaseRet || st.Status != syncproto.EdgeDone || st.Ref != "CT1" {
		t.Fatalf("edge doc %+v %v %v", st, ok, err)
	}
	ed, err := syncproto.DecodeEdgeDoc(last2)
	if err != nil || ed.Partner != "SUP1" || ed.Lines[0].Qty != 4 || ed.Lines[0].RefLine != 1 || ed.Lines[1].Short != 2 || ed.Lines[1].ShortReason != "not_found" {
		t.Fatalf("payload %+v %v", ed, err)
	}
}

func TestSalesReturn(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	s := work.New(l, nil)
	ctx := as(clerk)
	// JH1: line 1 A ×3, line 2 B ×2; picked A 3 and B 1.
	if _, err := s.Pick(ctx, "p1", work.PickRequest{List: "JH1", Scan: work.Scan{SKU: "A", Qty: 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pick(ctx, "p2", work.PickRequest{List: "JH1", Scan: work.Scan{SKU: "B", Qty: 1}}); err != nil {
		t.Fatal(err)
	}
	d, err := s.SalesReturn(ctx, "x1", work.SalesReturnRequest{Ref: "JH1", Bin: "R5", Reason: "quality", Lines: []work.SalesReturnLine{
		{Scan: work.Scan{SKU: "A", Qty: 1}, Condition: work.ConditionGood},
		{Scan: work.Scan{SKU: "A", Qty: 1}, Condition: work.ConditionDamaged},
		{Line: 2, Scan: work.Scan{Qty: 1}, Condition: work.ConditionGood},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Events != 4 || d.Doc.Ref != "JH1" || d.Doc.Partner != "C1" || d.Doc.Reason != "quality" {
		t.Fatalf("sales return %+v", d)
	}
	want := []syncproto.EdgeDocLine{{Line: 1, RefLine: 1, SKU: "A", Bin: "R5", Qty: 1}, {Line: 2, RefLine: 1, SKU: "A", Bin: work.DefaultDamagedBin, Qty: 1},
		{Line: 3, RefLine: 2, SKU: "B", Bin: "R5", Qty: 1}}
	for i, w := range want {
		if d.Doc.Lines[i] != w {
			t.Errorf("line %d: %+v; want %+v", i+1, d.Doc.Lines[i], w)
		}
	}
	evs, err := l.Events(context.Background(), d.Receipt.Seq+1, 10, 0)
	if err != nil || len(evs) != 3 {
		t.Fatal(evs, err)
	}
	for i, e := range evs {
		m := e.Msg.GetMovement()
		if m.GetReason() != "sales_return" || m.GetQty() != 1 || m.GetDoc() != syncproto.DocLine(d.ID, i+1) || m.GetBin() != want[i].Bin {
			t.Errorf("movement %d: %v", i+1, m)
		}
	}
	if n := onHand(t, l, "A", work.DefaultDamagedBin); n != 1 {
		t.Errorf("damaged A: %d", n)
	}
	// Line 1 has 1 left to return (3 picked, 2 back), line 2 nothing.
	for name, c := range map[string]struct {
		req  work.SalesReturnRequest
		want string
	}{
		"over line 1":                    {work.SalesReturnRequest{Ref: "JH1", Bin: "R5", Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "A", Qty: 2}, Condition: "good"}}}, work.CodeOverReturn},
		"over line 2":                    {work.SalesReturnRequest{Ref: "JH1", Bin: "R5", Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "B", Qty: 1}, Condition: "good"}}}, work.CodeOverReturn},
		"over in one return":             {work.SalesReturnRequest{Ref: "JH1", Bin: "R5", Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "A", Qty: 1}, Condition: "good"}, {Scan: work.Scan{SKU: "A", Qty: 1}, Condition: "damaged"}}}, work.CodeOverReturn},
		"wrong item":                     {work.SalesReturnRequest{Ref: "JH1", Bin: "R5", Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "Z", Qty: 1}, Condition: "good"}}}, work.CodeWrongItem},
		"not the line's SKU":             {work.SalesReturnRequest{Ref: "JH1", Bin: "R5", Lines: []work.SalesReturnLine{{Line: 2, Scan: work.Scan{SKU: "A", Qty: 1}, Condition: "good"}}}, work.CodeWrongItem},
		"no condition":                   {work.SalesReturnRequest{Ref: "JH1", Bin: "R5", Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "A", Qty: 1}}}}, work.CodeInvalid},
		"shipment without its pick list": {work.SalesReturnRequest{Ref: "CK20261125-0001", Bin: "R5", Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "A", Qty: 1}, Condition: "good"}}}, work.CodeInvalid},
		"unknown pick list":              {work.SalesReturnRequest{Ref: "JH9", Bin: "R5", Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "A", Qty: 1}, Condition: "good"}}}, work.CodeUnknownDocument},
	} {
		if _, err := s.SalesReturn(ctx, "bad-"+strings.ReplaceAll(name, " ", "-"), c.req); code(err) != c.want {
			t.Errorf("%s: %v; want %s", name, err, c.want)
		}
	}
	// Against the shipment of JH1: the last A, counted with the returns
	// made against the pick list.
	d2, err := s.SalesReturn(ctx, "x2", work.SalesReturnRequest{Ref: "CK20261125-0001", PickList: "JH1", DamagedBin: "QC",
		Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "A", Qty: 1}, Condition: work.ConditionDamaged}}})
	if err != nil || d2.Doc.Ref != "CK20261125-0001" || d2.Doc.Lines[0].Bin != "QC" || d2.Doc.Lines[0].RefLine != 1 {
		t.Fatalf("return against the shipment: %+v %v", d2, err)
	}
	if _, err := s.SalesReturn(ctx, "x3", work.SalesReturnRequest{Ref: "CK20261125-0001", PickList: "JH1",
		Lines: []work.SalesReturnLine{{Scan: work.Scan{SKU: "A", Qty: 1}, Condition: work.ConditionDamaged}}}); code(err) != work.CodeOverReturn {
		t.Fatalf("a fourth A back: %v", err)
	}
	if got := s.Refused()[work.CodeOverReturn]; got != 4 {
		t.Errorf("over_return refusals counted %d", got)
	}
}

func TestReturnsHTTP(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	seedReturn(t, l)
	api := newWorkAPI(t, l)
	resp := api.Post("/api/v1/work/purchase-return", "Idempotency-Key: h1", map[string]any{"return": "CT1", "sku": "B", "qty": 2})
	if resp.Code != http.StatusCreated || !strings.Contains(resp.Body.String(), `"doc":"CT1#2"`) {
		t.Fatalf("purchase return: %d %s", resp.Code, resp.Body)
	}
	resp = api.Post("/api/v1/work/purchase-return", "Idempotency-Key: h2", map[string]any{"return": "CT1", "sku": "B", "qty": 1})
	if resp.Code != http.StatusConflict || !strings.Contains(resp.Body.String(), "over_return") || !strings.Contains(resp.Body.String(), "error_zh") {
		t.Fatalf("over-return: %d %s", resp.Code, resp.Body)
	}
	resp = api.Post("/api/v1/work/purchase-return/finish", "Idempotency-Key: h3", map[string]any{"list": "CT1", "shorts": []any{map[string]any{"line": 1, "reason": "not_found"}}})
	if resp.Code != http.StatusCreated {
		t.Fatalf("finish: %d %s", resp.Code, resp.Body)
	}
	resp = api.Post("/api/v1/work/sales-return", "Idempotency-Key: h4", map[string]any{"ref": "JH1", "lines": []any{map[string]any{"sku": "A", "qty": 1, "condition": "good"}}})
	if resp.Code != http.StatusConflict || !strings.Contains(resp.Body.String(), "over_return") {
		t.Fatalf("sales return of nothing picked: %d %s", resp.Code, resp.Body)
	}
	resp = api.Post("/api/v1/work/sales-return", "Idempotency-Key: h5", map[string]any{"ref": "JH1", "lines": []any{map[string]any{"sku": "A", "qty": 1, "condition": "broken"}}})
	if resp.Code != http.StatusBadRequest || !strings.Contains(resp.Body.String(), "condition") {
		t.Fatalf("bad condition: %d %s", resp.Code, resp.Body)
	}
}
