package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// at sets the replica's clock so that its next event is at t.
func at(r *Replica, t time.Time) { r.Clock = syncproto.MakeHLC(t.UnixMilli(), 0) - 1 }

// out appends a movement of qty (negative: out) of sku in bin A-01 with
// reason.
func out(tb testing.TB, r *Replica, sku string, qty int64, reason string) {
	tb.Helper()
	r.Add(tb, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A-01", Sku: sku, Qty: qty, Reason: reason,
		Operator: "test", Device: "storetest"}}})
}

func (ds *docsSuite) applyAll(t *testing.T, r *Replica) {
	t.Helper()
	ds.apply(t, r.Batch(t, 1, r.Seq()))
}

// testReplenishment: demand is the sales of the last days at the site
// (other reasons, older days and other sites left out); on hand, on
// order, reserved and the stock limit give the position and target; the
// quantity is rounded up to the largest pack unit; grouped by the
// supplier asked for; a warehouse's surplus covers the shortfall first as
// a transfer; a purchaser makes the draft order of the lines; bad
// parameters are field errors; stock alerts list below min and above max.
func (ds *docsSuite) testReplenishment(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	e.customer(t, "C1", 0)
	now := e.clk.Now()
	day := 24 * time.Hour
	must(masterdata.Create(ctx, e.md, masterdata.StockLimits, e.admin, &masterdata.StockLimit{Site: "s1", SKU: "TS-0", Min: 50, Max: 200}))
	must(masterdata.Create(ctx, e.md, masterdata.StockLimits, e.admin, &masterdata.StockLimit{Site: "s1", SKU: "TS-1", Max: 10}))

	r := ds.replica(e.tenant, "s1")
	at(r, now.Add(-60*day))
	r.Move(t, "A-01", "TS-0", "", 100)
	r.Move(t, "A-01", "TS-1", "", 20)
	out(t, r, "TS-0", -50, "sale") // 60 days ago: outside the 7 days
	for i := 6; i >= 0; i-- {
		at(r, now.Add(-time.Duration(i)*day))
		out(t, r, "TS-0", -10, "sale")
	}
	out(t, r, "TS-0", -5, "scrap") // not demand
	r.Move(t, "A-01", "TS-0", "", 55)
	ds.applyAll(t, r)
	w := ds.replica(e.tenant, "s2")
	at(w, now.Add(-time.Hour))
	w.Move(t, "A-01", "TS-0", "", 300)
	out(t, w, "TS-0", -1, "sale")
	ds.applyAll(t, w)
	// On hand 100 − 50 − 70 − 5 + 55 = 30; on order 24; reserved 4.
	p := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Unit: "箱", Qty: 1, Price: 100})))
	must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, p.ID, p.Version))
	e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 4, Price: 100}))

	q := docs.ReplenishQuery{Site: "s1", Days: 7}
	got := must(e.svc.Replenish(ctx, e.admin, q))
	if len(got.Suggestions) != 1 {
		t.Fatalf("suggestions %+v", got.Suggestions)
	}
	s := got.Suggestions[0]
	// d̄ 10, σ 0: reorder point 70 ≥ min 50; position 30 + 24 − 4 = 50 ≤
	// 70: up to max 200, need 150, 7 boxes of 24 = 168.
	if s.SKU != "TS-0" || s.DemandMilli != 10000 || s.SigmaMilli != 0 || s.OnHand != 30 || s.OnOrder != 24 || s.Reserved != 4 ||
		s.Min != 50 || s.Max != 200 || s.ReorderPoint != 70 || s.Position != 50 || s.Need != 150 || s.Qty != 168 || s.Units != 7 ||
		s.Unit != "箱" || s.Factor != 24 || !strings.Contains(s.Explanation, "再订货点") {
		t.Errorf("suggestion %+v", s)
	}
	if !slices.Equal(got.NoSupplier, []string{"TS-0"}) || len(got.PurchaseOrders) != 0 || got.AsOf != "2026-11-25" {
		t.Errorf("without a supplier: %+v", got)
	}
	q.Supplier = "SUP"
	got = must(e.svc.Replenish(ctx, e.admin, q))
	if len(got.PurchaseOrders) != 1 || got.PurchaseOrders[0].Supplier != "SUP" || got.PurchaseOrders[0].Site != "s1" ||
		len(got.PurchaseOrders[0].Lines) != 1 || got.PurchaseOrders[0].Lines[0] != (docs.ProposalLine{SKU: "TS-0", Qty: 168}) {
		t.Errorf("purchase orders %+v", got.PurchaseOrders)
	}
	q.All = true
	if got = must(e.svc.Replenish(ctx, e.admin, q)); len(got.Suggestions) != 2 || got.Suggestions[1].SKU != "TS-1" || got.Suggestions[1].Qty != 0 {
		t.Errorf("all: %+v", got.Suggestions)
	}
	// Exponential smoothing of a flat history is the same demand.
	q.All, q.Method = false, "es"
	if got = must(e.svc.Replenish(ctx, e.admin, q)); len(got.Suggestions) != 1 || got.Suggestions[0].DemandMilli != 10000 {
		t.Errorf("es: %+v", got.Suggestions)
	}
	// s2 has 299 beyond its own reorder point (its one sale: d̄ ⌈1/7⌉):
	// it covers the need of 150 before anything is bought.
	q.Method, q.From = "", "s2"
	got = must(e.svc.Replenish(ctx, e.admin, q))
	if len(got.Transfers) != 1 || got.Transfers[0].From != "s2" || got.Transfers[0].Site != "s1" || got.Transfers[0].Lines[0].Qty != 150 ||
		len(got.Suggestions) != 0 || len(got.PurchaseOrders) != 0 {
		t.Errorf("transfers %+v, suggestions %+v", got.Transfers, got.Suggestions)
	}

	d := must(e.svc.PurchaseOrderFromSuggestions(ctx, e.admin, docs.ReplenishOrder{Site: "s1", Supplier: "SUP",
		Lines: []docs.ProposalLine{{SKU: "TS-0", Qty: 168}, {SKU: "TS-1", Qty: 5}}}))
	if d.Status != docs.StatusDraft || d.Partner != "SUP" || len(d.Lines) != 2 || d.Lines[0].Unit != "箱" || d.Lines[0].Qty != 7 ||
		d.Lines[0].QtyBase != 168 || d.Lines[1].Unit != "个" || d.Lines[1].Qty != 5 {
		t.Errorf("draft PO %+v", d)
	}
	_, err := e.svc.PurchaseOrderFromSuggestions(ctx, e.admin, docs.ReplenishOrder{Site: "s1", Supplier: "SUP",
		Lines: []docs.ProposalLine{{SKU: "TS-0", Qty: 0}}})
	if f := fieldsOf(t, err); !slices.Contains(f, "lines[0].qty") {
		t.Errorf("qty 0: %v", f)
	}

	_, err = e.svc.Replenish(ctx, e.admin, docs.ReplenishQuery{Method: "x", Days: 400, ServiceLevel: 951})
	if f := fieldsOf(t, err); !slices.Equal(f, []string{"site", "method", "days", "window", "service_level"}) {
		t.Errorf("bad query: %v", f)
	}
	one := e.user(t, "buyer2", auth.SitesScope("s2"), auth.RolePurchaser)
	if _, err := e.svc.Replenish(ctx, one, docs.ReplenishQuery{Site: "s1"}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("outside the scope: %v", err)
	}

	alerts := must(e.svc.StockAlerts(ctx, e.admin, ""))
	if len(alerts) != 2 || alerts[0].SKU != "TS-0" || alerts[0].Alert != "below_min" || alerts[0].OnHand != 30 ||
		alerts[1].SKU != "TS-1" || alerts[1].Alert != "above_max" || alerts[1].OnHand != 20 || alerts[1].Max != 10 {
		t.Errorf("alerts %+v", alerts)
	}
	if alerts := must(e.svc.StockAlerts(ctx, one, "")); len(alerts) != 0 {
		t.Errorf("alerts of s2 only: %+v", alerts)
	}
}

// receiptAt records, at t, a receipt session at site s1 of qty of TS-0
// against line 1 of the order number and its done edge document.
func (ds *docsSuite) receiptAt(t *testing.T, e *docsEnv, tm time.Time, number string, qty int64) {
	t.Helper()
	r := ds.replica(e.tenant, "s1")
	at(r, tm)
	receive(t, r, number, 1, qty)
	edgeDoc(t, r, syncproto.EdgeReceipt, syncproto.EdgeDocID(r.ID, r.Seq()+1), &syncproto.EdgeDoc{Ref: number, Operator: "recv",
		Lines: []syncproto.EdgeDocLine{{Line: 1, RefLine: 1, SKU: "TS-0", Qty: qty}}})
	ds.applyAll(t, r)
	ds.project(t, e)
}

// testSupplierPerformance: receipts made at the edge are scored on time
// against their order's expected date, returns lower quality, by month
// and overall with the latest month heaviest.
func (ds *docsSuite) testSupplierPerformance(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	cst := time.FixedZone("CST", 8*3600)
	// October: one order expected 10-10, received 10-15 (late).
	oct := po("s1", docs.Line{SKU: "TS-0", Qty: 40, Price: 100})
	oct.Date, oct.ExpectedDate = "2026-10-01", "2026-10-10"
	o1 := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, oct))
	o1 = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, o1.ID, o1.Version))
	ds.receiptAt(t, e, time.Date(2026, 10, 15, 10, 0, 0, 0, cst), o1.Number, 40)
	// November: expected 11-30; received 11-20 and 11-30 (both on time).
	o2 := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 100, Price: 100})))
	o2 = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, o2.ID, o2.Version))
	ds.receiptAt(t, e, time.Date(2026, 11, 20, 10, 0, 0, 0, cst), o2.Number, 60)
	ds.receiptAt(t, e, time.Date(2026, 11, 24, 23, 30, 0, 0, cst), o2.Number, 40)
	// A return of 25 approved in November, not shipped yet.
	rks, _ := must2(e.svc.List(ctx, e.admin, docs.TypePurchaseReceipt, docs.ListQuery{}))
	if len(rks) != 3 {
		t.Fatalf("%d receipts", len(rks))
	}
	ret := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseReturn, &docs.Document{Partner: "SUP", Site: "s1", Date: "2026-11-25",
		Lines: []docs.Line{{SKU: "TS-0", Qty: 25, Price: 100}}}))
	must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseReturn, ret.ID, ret.Version))

	got := must(e.svc.SupplierPerformance(ctx, e.admin, "SUP", 0))
	if got.Months != 12 || got.From != "2025-12" || got.To != "2026-11" || got.Name != "华东供应" || len(got.Monthly) != 2 {
		t.Fatalf("performance %+v", got)
	}
	want := []docs.MonthScore{
		{Period: "2026-10", Receipts: 1, OnTime: 0, Received: 40, Delivery: 0, Quality: 10000, Score: 5000, Band: "一般 fair"},
		{Period: "2026-11", Receipts: 2, OnTime: 2, Received: 100, Returned: 25, Delivery: 10000, Quality: 7500, Score: 8750, Band: "优秀 excellent"},
	}
	if !slices.Equal(got.Monthly, want) {
		t.Errorf("monthly %+v, want %+v", got.Monthly, want)
	}
	// (11 × 5000 + 12 × 8750) ÷ 23 = 6956.52 → 6957.
	if o := got.Overall; o == nil || o.Score != 6957 || o.Band != "一般 fair" || o.Periods != 2 || o.Rating != 3 || o.AsOf != "2026-11" {
		t.Errorf("overall %+v", got.Overall)
	}
	// One month: November only.
	if got = must(e.svc.SupplierPerformance(ctx, e.admin, "SUP", 1)); len(got.Monthly) != 1 || got.Overall.Score != 8750 {
		t.Errorf("one month %+v", got)
	}
	if _, err := e.svc.SupplierPerformance(ctx, e.admin, "NOPE", 0); !errors.Is(err, docs.ErrNotFound) {
		t.Errorf("unknown supplier: %v", err)
	}
	_, err := e.svc.SupplierPerformance(ctx, e.admin, "SUP", 121)
	if f := fieldsOf(t, err); !slices.Equal(f, []string{"months"}) {
		t.Errorf("months 121: %v", f)
	}
	// A buyer of s2 sees none of s1's receipts.
	buyer2 := e.user(t, "buyer2", auth.SitesScope("s2"), auth.RolePurchaser)
	if got = must(e.svc.SupplierPerformance(ctx, buyer2, "SUP", 0)); len(got.Monthly) != 0 || got.Overall != nil {
		t.Errorf("other site's buyer %+v", got)
	}
}

// planCount appends a count for plan of sku in bin having seen ctx.
func planCount(tb testing.TB, r *Replica, plan, bin, sku string, counted int64, ctx syncproto.VV, operator string) {
	tb.Helper()
	r.Add(tb, &pb.Event{Body: &pb.Event_Count{Count: &pb.Count{Bin: bin, Sku: sku, Counted: counted, Ctx: ctx.PB(),
		Operator: operator, Device: "hh", Doc: plan}}})
}

// testCountVariances: per key counted under a plan in its scope, the
// winning count, the book it had seen, the variance and its value at
// the purchase price, who counted; two concurrent counts are a conflict
// with both observations; approval marks the plan done, by whom and
// when, at the version read.
func (ds *docsSuite) testCountVariances(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, &masterdata.Product{Meta: masterdata.Meta{Code: "PP", Name: "纸盒"},
		BaseUnit: "个", PurchasePrice: 1500, SKUs: []masterdata.SKU{{Code: "PP-0"}}}))
	plan := must(e.svc.Create(ctx, e.admin, docs.TypeCountPlan, &docs.Document{Site: "s1", Date: "2026-11-25", Scope: docs.ScopeBins,
		Bins: []string{"A-01"}}))
	if _, err := e.svc.ApproveVariances(ctx, e.admin, plan.ID, plan.Version); !errors.Is(err, docs.ErrState) {
		t.Fatalf("approved the variances of a draft: %v", err)
	}
	plan = must(e.svc.Approve(ctx, e.admin, docs.TypeCountPlan, plan.ID, plan.Version))

	r := ds.replica(e.tenant, "s1")
	r.Move(t, "A-01", "TS-0", "", 20)
	r.Move(t, "B-02", "TS-0", "", 5)
	r.Move(t, "A-01", "PP-0", "", 10)
	ds.applyAll(t, r)
	seen := syncproto.VV{r.ID: 3}
	h1, h2 := ds.replica(e.tenant, "s1"), ds.replica(e.tenant, "s1")
	h1.Clock, h2.Clock = r.Clock+10, r.Clock+20
	planCount(t, h1, plan.Number, "A-01", "TS-0", 18, seen, "张三")
	planCount(t, h1, plan.Number, "A-01", "PP-0", 12, seen, "张三")
	planCount(t, h1, plan.Number, "B-02", "TS-0", 4, seen, "张三") // outside the plan's bins
	planCount(t, h2, plan.Number, "A-01", "TS-0", 17, seen, "李四")
	ds.applyAll(t, h1)
	ds.applyAll(t, h2)
	r.Move(t, "A-01", "TS-0", "", -1) // after the counts, unseen by them
	ds.apply(t, r.Batch(t, 4, 4))

	v := must(e.svc.CountVariances(ctx, e.admin, plan.ID))
	if v.Plan != plan.Number || v.Site != "s1" || v.Scope != docs.ScopeBins || len(v.Lines) != 2 {
		t.Fatalf("variances %+v", v)
	}
	pp, ts := v.Lines[0], v.Lines[1]
	if pp.SKU != "PP-0" || pp.Name != "纸盒" || pp.Counted != 12 || pp.Book != 10 || pp.Variance != 2 || pp.Price != 1500 ||
		pp.Value != 3000 || pp.Conflict || pp.CountedBy != "张三" || pp.Replica != h1.ID.String() || pp.Counts != 1 || pp.OnHand != 12 {
		t.Errorf("PP-0 %+v", pp)
	}
	if ts.SKU != "TS-0" || ts.Counted != 17 || ts.Book != 20 || ts.Variance != -3 || ts.Value != 0 || !ts.Conflict ||
		ts.CountedBy != "李四" || ts.Counts != 2 || ts.OnHand != 16 || len(ts.Observations) != 2 ||
		ts.Observations[0].Counted != 18 || ts.Observations[0].Winner || ts.Observations[0].Operator != "张三" ||
		ts.Observations[1].Counted != 17 || !ts.Observations[1].Winner {
		t.Errorf("TS-0 %+v", ts)
	}
	if v.Gain != 2 || v.Loss != -3 || v.GainValue != 3000 || v.LossValue != 0 || v.NetValue != 3000 || v.Conflicts != 1 {
		t.Errorf("totals %+v", v)
	}
	if _, err := e.svc.ApproveVariances(ctx, e.admin, plan.ID, plan.Version-1); !errors.Is(err, docs.ErrStale) {
		t.Errorf("stale approval: %v", err)
	}
	e.clk.Add(time.Hour)
	done := must(e.svc.ApproveVariances(ctx, e.admin, plan.ID, v.Version))
	if done.Status != docs.StatusDone || done.VariancesApprovedBy != e.admin.User || !done.VariancesApprovedAt.Equal(e.clk.Now()) {
		t.Errorf("approved %s by %q at %v", done.Status, done.VariancesApprovedBy, done.VariancesApprovedAt)
	}
	if v = must(e.svc.CountVariances(ctx, e.admin, plan.ID)); v.Status != docs.StatusDone || v.ApprovedBy != e.admin.User {
		t.Errorf("after approval %+v", v)
	}
	if _, err := e.svc.ApproveVariances(ctx, e.admin, plan.ID, done.Version); !errors.Is(err, docs.ErrState) {
		t.Errorf("approved twice: %v", err)
	}
	clerk := e.user(t, "clerk2", auth.SitesScope("s2"), auth.RoleWarehouse)
	if _, err := e.svc.CountVariances(ctx, clerk, plan.ID); !errors.Is(err, docs.ErrNotFound) {
		t.Errorf("another site's plan: %v", err)
	}
}

// testReplenishDefaultSupplier: a product's default supplier groups its
// suggestions without a supplier in the query; a product naming no
// existing supplier is refused.
func (ds *docsSuite) testReplenishDefaultSupplier(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	must(masterdata.Create(ctx, e.md, masterdata.Suppliers, e.admin, &masterdata.Supplier{Meta: masterdata.Meta{Code: "SUPL", Name: "远方供应"},
		LeadTimeDays: 14}))
	p := tee("DSS", "红")
	p.DefaultSupplier = "SUPL"
	must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, p))
	bad := tee("DXXXX", "红")
	bad.DefaultSupplier = "NOPE"
	if _, err := masterdata.Create(ctx, e.md, masterdata.Products, e.admin, bad); !slices.Contains(fieldsOf(t, err), "default_supplier") {
		t.Fatalf("a default supplier that does not exist: %v", err)
	}
	must(masterdata.Create(ctx, e.md, masterdata.StockLimits, e.admin, &masterdata.StockLimit{Site: "s1", SKU: "DSS-0", Min: 5, Max: 20}))
	got := must(e.svc.Replenish(ctx, e.admin, docs.ReplenishQuery{Site: "s1"}))
	if len(got.PurchaseOrders) != 1 || got.PurchaseOrders[0].Supplier != "SUPL" || len(got.NoSupplier) != 0 {
		t.Fatalf("by default supplier: %+v", got)
	}
	if s := got.Suggestions[0]; !strings.Contains(s.Explanation, "14") {
		t.Errorf("the supplier's lead time of 14 days is not in %q", s.Explanation)
	}
}
