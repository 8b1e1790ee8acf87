package work_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	agenthttp "github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/session"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/agent/work"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// testToken is the device token the HTTP tests call the agent's API with.
const testToken = "work-test-device-token-0001"

// workAPI is the agent's own HTTP API (agent/httpapi: its sign-in and its
// bilingual errors) with the work operations mounted, called in process.
type workAPI struct{ h http.Handler }

func newWorkAPI(tb testing.TB, l *sqlite.Ledger) *workAPI {
	tb.Helper()
	srv := agenthttp.New(l, agenthttp.Options{DeviceTokens: map[string]string{"test": testToken}})
	work.Register(srv.API(), work.New(l, nil))
	return &workAPI{srv.Handler()}
}

// Post sends body (JSON) to path with the headers ("Name: value") given
// before it; Get sends no body.
func (a *workAPI) Post(path string, args ...any) *httptest.ResponseRecorder {
	return a.do(http.MethodPost, path, args...)
}

func (a *workAPI) Get(path string, args ...any) *httptest.ResponseRecorder {
	return a.do(http.MethodGet, path, args...)
}

func (a *workAPI) do(method, path string, args ...any) *httptest.ResponseRecorder {
	var body io.Reader
	header := http.Header{"Authorization": {"Bearer " + testToken}}
	for _, arg := range args {
		if h, ok := arg.(string); ok {
			name, value, _ := strings.Cut(h, ":")
			header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
			continue
		}
		b, _ := json.Marshal(arg)
		body = bytes.NewReader(b)
		header.Set("Content-Type", "application/json")
	}
	req := httptest.NewRequest(method, path, body)
	req.Header = header
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

func mustOpen(tb testing.TB) *sqlite.Ledger {
	tb.Helper()
	l, err := sqlite.Open(tb.TempDir(), sqlite.Options{Tenant: "t1", Site: "s1"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func body(tb testing.TB, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// seed gives a ledger the site's documents and products.
func seed(tb testing.TB, ls ...*sqlite.Ledger) {
	tb.Helper()
	line := func(n int32, sku string, qty int64) *pb.DocumentLine {
		return &pb.DocumentLine{Line: n, Sku: sku, Unit: "pcs", Factor: 1, Qty: qty, QtyBase: qty, Bin: "R1"}
	}
	recs := []*pb.MasterRecord{
		{Kind: syncproto.KindPurchaseOrder, Key: "CG1", Revision: 1, Body: body(tb, &pb.DocumentRecord{Partner: "SUP1", TolerancePercent: 10,
			Lines: []*pb.DocumentLine{line(1, "A", 10), line(2, "B", 5)}})},
		{Kind: syncproto.KindPurchaseOrder, Key: "CG9", Revision: 2, Deleted: true},
		{Kind: syncproto.KindPickList, Key: "JH1", Revision: 3, Body: body(tb, &pb.DocumentRecord{Partner: "C1",
			Lines: []*pb.DocumentLine{line(1, "A", 3), line(2, "B", 2)}})},
		{Kind: syncproto.KindCountPlan, Key: "PD1", Revision: 4, Body: body(tb, &pb.DocumentRecord{Blind: true, Lines: []*pb.DocumentLine{line(1, "A", 7)}})},
		{Kind: syncproto.KindProduct, Key: "A", Revision: 5, Body: body(tb, &pb.ProductRecord{Name: "Water", Unit: "pcs", Price: 250})},
		{Kind: syncproto.KindProduct, Key: "B", Revision: 6, Body: body(tb, &pb.ProductRecord{Name: "Apples", Unit: "kg", Price: 1299, ByWeight: true, WeightDecimals: 3})},
	}
	for _, l := range ls {
		ok, err := l.ApplyMaster(context.Background(), &pb.MasterBatch{Version: 1, Tenant: "t1", Site: "s1", FromRev: 0, ToRev: 6, Records: recs, Complete: true})
		if err != nil || !ok {
			tb.Fatalf("apply master: %v %v", ok, err)
		}
	}
}

var (
	clerk   = &session.User{Name: "zhao", Permissions: []string{"inventory.edit", "retail.edit"}, MaxDiscountPercent: 10}
	manager = &session.User{Name: "liu", Permissions: []string{"inventory.edit", "purchase.approve", "retail.edit"}}
)

func as(u *session.User) context.Context { return session.With(context.Background(), u) }

func code(err error) string {
	var e *work.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "not a work.Error: " + errorString(err)
}

func errorString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func exchange(tb testing.TB, from, to *sqlite.Ledger) {
	tb.Helper()
	evs, err := from.Events(context.Background(), 1, 10000, 0)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := to.ApplyPeer(context.Background(), evs); err != nil {
		tb.Fatal(err)
	}
}

func TestReceiveSiteWide(t *testing.T) {
	a, b := mustOpen(t), mustOpen(t)
	seed(t, a, b)
	sa, sb := work.New(a, nil), work.New(b, nil)
	ctx := as(clerk)
	if _, err := sa.Receive(ctx, "k1", work.ReceiveRequest{PO: "CG1", Scan: work.Scan{SKU: "A", Qty: 4}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Receive(ctx, "k1", work.ReceiveRequest{PO: "CG1", Scan: work.Scan{SKU: "A", Qty: 5}}); err != nil {
		t.Fatal(err)
	}
	exchange(t, a, b)
	exchange(t, b, a)
	for name, s := range map[string]*work.Service{"a": sa, "b": sb} {
		v, err := s.Document(ctx, syncproto.KindPurchaseOrder, "CG1")
		if err != nil {
			t.Fatal(err)
		}
		if v.Lines[0].Done != 9 || *v.Lines[0].Expected != 10 {
			t.Errorf("%s: line 1 %+v; want 9 of 10 received", name, v.Lines[0])
		}
	}
	// 9 + 3 = 12 > 10 + 10 %: refused, then overridden by a manager.
	_, err := sa.Receive(ctx, "k2", work.ReceiveRequest{PO: "CG1", Scan: work.Scan{SKU: "A", Qty: 3}})
	if code(err) != work.CodeOverReceipt {
		t.Fatalf("over-receipt: %v", err)
	}
	if _, err := sa.Receive(ctx, "k3", work.ReceiveRequest{PO: "CG1", Override: true, Scan: work.Scan{SKU: "A", Qty: 3}}); code(err) != work.CodeForbidden {
		t.Fatalf("override without purchase.approve: %v", err)
	}
	r, err := sa.Receive(as(manager), "k4", work.ReceiveRequest{PO: "CG1", Override: true, Scan: work.Scan{SKU: "A", Qty: 3}})
	if err != nil || r.Done != 12 || r.Doc != "CG1#1" {
		t.Fatalf("override: %+v %v", r, err)
	}
	if _, err := sa.Receive(ctx, "k5", work.ReceiveRequest{PO: "CG1", Scan: work.Scan{SKU: "Z", Qty: 1}}); code(err) != work.CodeNotOnDocument {
		t.Fatalf("not on PO: %v", err)
	}
	if _, err := sa.Receive(ctx, "k6", work.ReceiveRequest{PO: "CG9", Scan: work.Scan{SKU: "A", Qty: 1, Bin: "R1"}}); code(err) != work.CodeDocumentClosed {
		t.Fatalf("closed PO: %v", err)
	}
	// Unplanned: a PO the site does not hold yet.
	r, err = sa.Receive(ctx, "k7", work.ReceiveRequest{PO: "CG77", Scan: work.Scan{SKU: "A", Qty: 2, Bin: "R1"}})
	if err != nil || r.Doc != "CG77" {
		t.Fatalf("unplanned: %+v %v", r, err)
	}
	if _, err := sa.Receive(ctx, "k8", work.ReceiveRequest{Scan: work.Scan{SKU: "A", Qty: 2, Bin: "R1"}}); code(err) != work.CodeInvalid {
		t.Fatalf("no PO, no supplier: %v", err)
	}
	r, err = sa.Receive(ctx, "k9", work.ReceiveRequest{Supplier: "SUP2", Scan: work.Scan{SKU: "A", Qty: 2, Bin: "R1"}})
	if err != nil || !strings.HasSuffix(r.Doc, "#1") {
		t.Fatalf("no PO, with supplier: %+v %v", r, err)
	}
	// A double tap: the same key records nothing twice.
	last := a.LastSeq()
	r, err = sa.Receive(ctx, "k7", work.ReceiveRequest{PO: "CG77", Scan: work.Scan{SKU: "A", Qty: 2, Bin: "R1"}})
	if err != nil || !r.Replayed || a.LastSeq() != last {
		t.Fatalf("double tap: %+v %v", r, err)
	}
	if got := sa.Refused()[work.CodeOverReceipt]; got != 1 {
		t.Errorf("over_receipt refusals counted %d", got)
	}
}

func TestPick(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	s := work.New(l, nil)
	ctx := as(clerk)
	if _, err := s.Pick(ctx, "p1", work.PickRequest{List: "JH1", Scan: work.Scan{SKU: "Z", Qty: 1}}); code(err) != work.CodeWrongItem {
		t.Fatalf("wrong item: %v", err)
	}
	r, err := s.Pick(ctx, "p2", work.PickRequest{List: "JH1", Scan: work.Scan{SKU: "A", Qty: 3}})
	if err != nil || r.Qty != -3 || r.Doc != "JH1#1" {
		t.Fatalf("pick: %+v %v", r, err)
	}
	if _, err := s.Pick(ctx, "p3", work.PickRequest{List: "JH1", Scan: work.Scan{SKU: "A", Qty: 1}}); code(err) != work.CodeOverPick {
		t.Fatalf("over-pick: %v", err)
	}
	if _, err := s.FinishPick(ctx, "f1", work.FinishRequest{List: "JH1"}); code(err) != work.CodeShortReason {
		t.Fatalf("short without reason: %v", err)
	}
	d, err := s.FinishPick(ctx, "f2", work.FinishRequest{List: "JH1", Shorts: []work.ShortLine{{Line: 2, Reason: "out_of_stock"}}})
	if err != nil || d.Doc.Lines[1].Short != 2 || d.Doc.Lines[0].Qty != 3 {
		t.Fatalf("finish: %+v %v", d, err)
	}
}

func TestBlindCount(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	s := work.New(l, nil)
	ctx := as(clerk)
	v, err := s.Document(ctx, syncproto.KindCountPlan, "PD1")
	if err != nil || v.Lines[0].Expected != nil {
		t.Fatalf("blind plan shows expected: %+v %v", v, err)
	}
	n := int64(6)
	c, err := s.Count(ctx, "c1", work.PlanCountRequest{Plan: "PD1", SKU: "A", Bin: "R1", Counted: &n})
	if err != nil || c.Expected != nil {
		t.Fatalf("count: %+v %v", c, err)
	}
	if _, err := s.Count(ctx, "c2", work.PlanCountRequest{Plan: "PD1", SKU: "B", Bin: "R1", Counted: &n}); code(err) != work.CodeNotOnDocument {
		t.Fatalf("SKU not on plan: %v", err)
	}
}

func TestSale(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	s := work.New(l, nil)
	ctx := as(clerk)
	// 2 × 2.50 + 1.235 kg × 12.99 = 5.00 + 16.04265 → 16.04; total 21.04.
	req := work.SaleRequest{Bin: "S1", Lines: []work.SaleLine{{Scan: work.Scan{SKU: "A", Qty: 2}}, {Scan: work.Scan{SKU: "B", Grams: 1235}}},
		Payments: []work.PaymentInput{{Method: "cash", Amount: 2104, Tendered: 3000}}}
	d, err := s.Sale(ctx, "s1", req)
	if err != nil {
		t.Fatal(err)
	}
	if d.Doc.Total != 2104 || d.Doc.Lines[1].Amount != 1604 || d.Doc.Payments[0].Change != 896 || d.Events != 3 {
		t.Fatalf("sale %+v", d.Doc)
	}
	last := l.LastSeq()
	again, err := s.Sale(ctx, "s1", req)
	if err != nil || !again.Replayed || again.ID != d.ID || l.LastSeq() != last {
		t.Fatalf("same key again: %+v %v (last seq %d, was %d)", again, err, l.LastSeq(), last)
	}
	other := req
	other.Lines = []work.SaleLine{{Scan: work.Scan{SKU: "A", Qty: 3}}}
	if _, err := s.Sale(ctx, "s1", other); code(err) != work.CodeKeyReused {
		t.Fatalf("same key, other sale: %v", err)
	}
	disc := req
	disc.Lines = []work.SaleLine{{Scan: work.Scan{SKU: "A", Qty: 2}, Discount: 100}}
	disc.Payments = []work.PaymentInput{{Method: "wechat", Amount: 400}}
	if _, err := s.Sale(ctx, "s2", disc); code(err) != work.CodeDiscountLimit {
		t.Fatalf("discount beyond 10%%: %v", err)
	}
	short := req
	short.Payments = []work.PaymentInput{{Method: "card", Amount: 2000}}
	if _, err := s.Sale(ctx, "s3", short); code(err) != work.CodePayments {
		t.Fatalf("payments not adding up: %v", err)
	}
	if l.LastSeq() != last {
		t.Fatalf("refusals recorded something: last seq %d, was %d", l.LastSeq(), last)
	}
	// Returns: not more than the ticket sold.
	ret := work.ReturnRequest{Sale: d.ID, Bin: "S1", Lines: []work.ReturnLine{{Line: 1, Scan: work.Scan{Qty: 1}}},
		Payments: []work.PaymentInput{{Method: "cash", Amount: 250}}}
	if _, err := s.Return(ctx, "r1", ret); err != nil {
		t.Fatal(err)
	}
	ret.Lines[0].Qty = 2
	ret.Payments[0].Amount = 500
	if _, err := s.Return(ctx, "r2", ret); code(err) != work.CodeOverReturn {
		t.Fatalf("over-return: %v", err)
	}
}

func TestHTTP(t *testing.T) {
	l := mustOpen(t)
	seed(t, l)
	api := newWorkAPI(t, l)
	resp := api.Post("/api/v1/work/receive", "Idempotency-Key: h1", map[string]any{"po": "CG1", "sku": "A", "qty": 2})
	if resp.Code != http.StatusCreated {
		t.Fatalf("receive: %d %s", resp.Code, resp.Body)
	}
	for name, c := range map[string]struct {
		body  any
		field string
	}{
		"qty not a number": {map[string]any{"po": "CG1", "sku": "A", "qty": "two"}, "body.qty"},
		"payments missing": {map[string]any{"bin": "S1", "lines": []any{map[string]any{"sku": "A", "qty": 1}}}, "body.payments"},
	} {
		path := "/api/v1/work/receive"
		if name == "payments missing" {
			path = "/api/v1/work/retail/sale"
		}
		resp := api.Post(path, "Idempotency-Key: h2", c.body)
		var e work.Error
		if err := json.Unmarshal(resp.Body.Bytes(), &e); err != nil || resp.Code != http.StatusBadRequest || e.MessageZH == "" || e.Code != work.CodeInvalid {
			t.Errorf("%s: %d %s", name, resp.Code, resp.Body)
			continue
		}
		if !strings.HasPrefix(e.Field, c.field) {
			t.Errorf("%s: field %q; want %s", name, e.Field, c.field)
		}
	}
	resp = api.Post("/api/v1/work/pick", "Idempotency-Key: h3", map[string]any{"list": "JH1", "sku": "Z", "qty": 1})
	if resp.Code != http.StatusConflict || !strings.Contains(resp.Body.String(), "wrong_item") || !strings.Contains(resp.Body.String(), "error_zh") {
		t.Errorf("wrong item: %d %s", resp.Code, resp.Body)
	}
	resp = api.Get("/api/v1/work/documents/count_plan")
	if resp.Code != http.StatusOK || strings.Contains(resp.Body.String(), "expected") {
		t.Errorf("count plans: %d %s", resp.Code, resp.Body)
	}
}
