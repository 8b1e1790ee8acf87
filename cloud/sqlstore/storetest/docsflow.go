package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// move appends a movement of sku naming doc.
func move(tb testing.TB, r *Replica, doc, sku string, qty int64, reason string) syncproto.Event {
	tb.Helper()
	return r.Add(tb, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A-01", Sku: sku, Qty: qty, Reason: reason,
		Doc: doc, Operator: "test", Device: "storetest"}}})
}

// edgeDoc appends a done edge document of typ with payload.
func edgeDoc(tb testing.TB, r *Replica, typ, doc string, payload *syncproto.EdgeDoc) syncproto.Event {
	tb.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		tb.Fatal(err)
	}
	return r.Add(tb, &pb.Event{Body: &pb.Event_Doc{Doc: &pb.DocEvent{Doc: doc, DocType: typ, Status: syncproto.EdgeDone, Payload: body}}})
}

// testEdgeDocuments: a retail sale made at the till becomes a document
// with a number once it reaches the cloud, once however often the
// projection reads it (also after a rebuild); a bad payload is refused
// and counted; an unplanned receipt made before its order reached the
// site counts toward the order's line of that SKU.
func (ds *docsSuite) testEdgeDocuments(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	till := ds.replica(e.tenant, "s1")
	id := syncproto.EdgeDocID(till.ID, till.Seq()+1)
	edgeDoc(t, till, syncproto.EdgeRetailSale, id, &syncproto.EdgeDoc{Operator: "cashier1",
		Lines:    []syncproto.EdgeDocLine{{Line: 1, SKU: "TS-0", Qty: 2, Price: 1500, Amount: 3000}},
		Payments: []syncproto.Payment{{Method: syncproto.PayCash, Amount: 3000, Tendered: 5000, Change: 2000}}, Total: 3000})
	move(t, till, syncproto.DocLine(id, 1), "TS-0", -2, "sale")
	till.Add(t, &pb.Event{Body: &pb.Event_Doc{Doc: &pb.DocEvent{Doc: syncproto.EdgeDocID(till.ID, till.Seq()+1),
		DocType: syncproto.EdgeRetailSale, Status: syncproto.EdgeDone,
		Payload: []byte(`{"lines":[{"line":7,"sku":"TS-0","qty":1}]}`)}}})
	// An unplanned receipt: the order's number, no line.
	move(t, till, "CG20261125-0001", "TS-1", 5, "receive")
	ds.apply(t, till.Batch(t, 1, till.Seq()))
	p := must(ds.projectAll(t, e))
	if len(p.Made) != 1 || len(p.Refused) != 1 || e.svc.EdgeRefused() != 1 {
		t.Fatalf("made %v refused %v (%d)", p.Made, p.Refused, e.svc.EdgeRefused())
	}
	list, total := must2(e.svc.List(ctx, e.admin, docs.TypeRetailSale, docs.ListQuery{}))
	if total != 1 || list[0].Number != "LS20231115-0001" || list[0].EdgeID != id || list[0].Status != docs.StatusDone {
		t.Fatalf("retail sales %d %+v", total, *list[0])
	}
	ls := must(e.svc.Get(ctx, e.admin, docs.TypeRetailSale, list[0].ID))
	var extra struct {
		Payments []syncproto.Payment `json:"payments"`
		Total    int64               `json:"total"`
	}
	if err := json.Unmarshal(ls.Extra, &extra); err != nil || extra.Total != 3000 || extra.Payments[0].Change != 2000 {
		t.Fatalf("extra %s %v", ls.Extra, err)
	}
	if len(ls.Lines) != 1 || ls.Lines[0].Name == "" || ls.Lines[0].Gross != 3000 || ls.Gross != 3000 || ls.CreatedBy != "cashier1" {
		t.Fatalf("sale %+v", ls)
	}
	if _, err := e.svc.Create(ctx, e.admin, docs.TypeRetailSale, &docs.Document{Site: "s1"}); !errors.Is(err, docs.ErrState) {
		t.Fatalf("a retail sale made in the console: %v", err)
	}
	if err := e.svc.RebuildProgress(ctx); err != nil {
		t.Fatal(err)
	}
	if _, total := must2(e.svc.List(ctx, e.admin, docs.TypeRetailSale, docs.ListQuery{})); total != 1 {
		t.Fatalf("%d retail sales after a rebuild", total)
	}
	// The order comes later; the unplanned receipt counts toward it.
	o := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 1},
		docs.Line{SKU: "TS-1", Qty: 5, Price: 1})))
	if o.Number != "CG20261125-0001" {
		t.Fatalf("number %s", o.Number)
	}
	o = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, o.ID, 1))
	if o.Status != docs.StatusPartlyDone || o.Lines[1].Done != 5 || o.Lines[0].Done != 0 {
		t.Fatalf("order after an unplanned receipt: %s %+v", o.Status, o.Lines)
	}
	// Another site's receipts naming the order are shown, not counted.
	other := ds.replica(e.tenant, "s2")
	move(t, other, syncproto.DocLine(o.Number, 1), "TS-0", 3, "receive")
	move(t, other, o.Number, "TS-1", 2, "receive")
	ds.apply(t, other.Batch(t, 1, 2))
	ds.project(t, e)
	o = must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, o.ID))
	if o.Lines[0].Done != 0 || o.Lines[1].Done != 5 || o.Elsewhere == nil || o.Elsewhere.In != 5 || o.Elsewhere.Moves != 2 {
		t.Fatalf("order after another site's receipts: %+v %+v", o.Lines, o.Elsewhere)
	}
}

// testSalesFlow: a sales order made twice with one external id is one
// order; its pick list's picks roll up to the order's lines; documents
// link both ways; a transfer keeps its two legs.
func (ds *docsSuite) testSalesFlow(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	must(masterdata.Create(ctx, e.md, masterdata.Customers, e.admin, &masterdata.Customer{Meta: masterdata.Meta{Code: "C1", Name: "客户一"}}))
	so := &docs.Document{Partner: "C1", Site: "s1", Date: "2026-11-25", ExternalID: "shop-1001",
		Lines: []docs.Line{{SKU: "TS-0", Qty: 3, Price: 1000}, {SKU: "TS-1", Qty: 1, Price: 500}}}
	a, created, err := e.svc.CreateOnce(ctx, e.admin, docs.TypeSalesOrder, so)
	if err != nil || !created {
		t.Fatal(created, err)
	}
	for range 2 {
		b, created, err := e.svc.CreateOnce(ctx, e.admin, docs.TypeSalesOrder, so)
		if err != nil || created || b.ID != a.ID {
			t.Fatalf("retried order: %v %v %+v", created, err, b)
		}
	}
	a = must(e.svc.Approve(ctx, e.admin, docs.TypeSalesOrder, a.ID, 1))
	pl := must(e.svc.Create(ctx, e.admin, docs.TypePickList, &docs.Document{Partner: "C1", Site: "s1", Date: "2026-11-25", Ref: a.Number,
		Lines: []docs.Line{{SKU: "TS-0", Qty: 3, RefLine: 1}, {SKU: "TS-1", Qty: 1, RefLine: 2}}}))
	pl = must(e.svc.Approve(ctx, e.admin, docs.TypePickList, pl.ID, 1))
	h := ds.replica(e.tenant, "s1")
	move(t, h, syncproto.DocLine(pl.Number, 1), "TS-0", -2, "ship")
	ds.apply(t, h.Batch(t, 1, 1))
	ds.project(t, e)
	a = must(e.svc.Get(ctx, e.admin, docs.TypeSalesOrder, a.ID))
	if a.Status != docs.StatusPartlyDone || a.Lines[0].Done != 2 || a.Lines[1].Done != 0 {
		t.Fatalf("order after a pick: %s %+v", a.Status, a.Lines)
	}
	if len(a.Links) != 1 || a.Links[0].Number != pl.Number || a.Links[0].Dir != "to" {
		t.Fatalf("order links %+v", a.Links)
	}
	move(t, h, syncproto.DocLine(pl.Number, 1), "TS-0", -1, "ship")
	move(t, h, syncproto.DocLine(pl.Number, 2), "TS-1", -1, "ship")
	ds.apply(t, h.Batch(t, 2, 3))
	ds.project(t, e)
	if a = must(e.svc.Get(ctx, e.admin, docs.TypeSalesOrder, a.ID)); a.Status != docs.StatusDone {
		t.Fatalf("order after every pick: %s %+v", a.Status, a.Lines)
	}
	if pl = must(e.svc.Get(ctx, e.admin, docs.TypePickList, pl.ID)); pl.Status != docs.StatusDone || pl.Links[0].Dir != "from" {
		t.Fatalf("pick list %s %+v", pl.Status, pl.Links)
	}
	// The customer sends one back, recorded at the site against the pick
	// list: a sales return with the order's price.
	edgeDoc(t, h, syncproto.EdgeSalesReturn, "", &syncproto.EdgeDoc{Ref: pl.Number, Partner: "C1", Operator: "shop",
		Lines: []syncproto.EdgeDocLine{{Line: 1, RefLine: 1, SKU: "TS-0", Qty: 1, Bin: "DAMAGED"}}})
	ds.apply(t, h.Batch(t, 4, 4))
	ds.project(t, e)
	rets, n := must2(e.svc.List(ctx, e.admin, docs.TypeSalesReturn, docs.ListQuery{Ref: pl.Number}))
	if n != 1 {
		t.Fatalf("sales returns of %s: %d", pl.Number, n)
	}
	xt := must(e.svc.Get(ctx, e.admin, docs.TypeSalesReturn, rets[0].ID))
	if l := xt.Lines[0]; xt.Status != docs.StatusDone || l.Price != 1000 || l.Net != 1000 || l.Gross != l.Net+l.Tax || xt.Gross != a.Lines[0].Gross/3 {
		t.Fatalf("sales return %s %+v, order line %+v", xt.Status, xt.Lines, a.Lines[0])
	}
	if _, err := e.svc.Void(ctx, e.admin, docs.TypeSalesOrder, a.ID, a.Version); !errors.Is(err, docs.ErrLinked) {
		t.Fatalf("voided an order with a pick list: %v", err)
	}

	tr := must(e.svc.Create(ctx, e.admin, docs.TypeTransfer, &docs.Document{Site: "s1", ToSite: "s2", Date: "2026-11-25",
		Lines: []docs.Line{{SKU: "TS-0", Qty: 4}}}))
	tr = must(e.svc.Approve(ctx, e.admin, docs.TypeTransfer, tr.ID, 1))
	view := ds.agentView(t, e.tenant, "s2")
	if view[syncproto.KindTransfer+"/"+tr.Number] == nil || ds.agentView(t, e.tenant, "s1")[syncproto.KindTransfer+"/"+tr.Number] == nil {
		t.Fatal("a transfer did not reach both sites")
	}
	src, dst := ds.replica(e.tenant, "s1"), ds.replica(e.tenant, "s2")
	move(t, src, syncproto.DocLine(tr.Number, 1), "TS-0", -4, "transfer_out")
	move(t, dst, syncproto.DocLine(tr.Number, 1), "TS-0", 3, "transfer_in")
	ds.apply(t, src.Batch(t, 1, 1))
	ds.apply(t, dst.Batch(t, 1, 1))
	ds.project(t, e)
	tr = must(e.svc.Get(ctx, e.admin, docs.TypeTransfer, tr.ID))
	if l := tr.Lines[0]; tr.Status != docs.StatusPartlyDone || l.Out != 4 || l.In != 3 || l.Done != 3 {
		t.Fatalf("transfer %s %+v", tr.Status, tr.Lines[0])
	}
	// The destination's user sees it too.
	if _, total := must2(e.svc.List(ctx, e.admin, docs.TypeTransfer, docs.ListQuery{Site: "s2"})); total != 1 {
		t.Fatalf("the destination's transfers: %d", total)
	}
	if got := ds.statuses(t, e, docs.TypeSalesOrder, docs.TypePickList, docs.TypeTransfer); !slices.Equal(got, []string{"done", "done", "partly_done"}) {
		t.Errorf("statuses %v", got)
	}
	// The destination ends the in leg one short: the transfer is done,
	// the difference noted.
	edgeDoc(t, dst, syncproto.EdgeTransferIn, syncproto.EdgeDocID(dst.ID, dst.Seq()+1), &syncproto.EdgeDoc{Ref: tr.Number, Operator: "wh2",
		Lines: []syncproto.EdgeDocLine{{Line: 1, RefLine: 1, SKU: "TS-0", Qty: 3, Short: 1, ShortReason: "破损 damaged"}}})
	ds.apply(t, dst.Batch(t, 2, 2))
	ds.project(t, e)
	tr = must(e.svc.Get(ctx, e.admin, docs.TypeTransfer, tr.ID))
	if tr.Status != docs.StatusDone || !strings.Contains(tr.Lines[0].Note, "short 1") || tr.UpdatedBy != "wh2" {
		t.Fatalf("transfer after arrival: %s %+v", tr.Status, tr.Lines[0])
	}
	if r := ds.agentView(t, e.tenant, "s2")[syncproto.KindTransfer+"/"+tr.Number]; r == nil || !r.Deleted {
		t.Error("an arrived transfer stays on the destination's agents")
	}

	// A blind count plan of two bins reaches its site as such.
	plan := must(e.svc.Create(ctx, e.admin, docs.TypeCountPlan, &docs.Document{Site: "s1", Date: "2026-11-25", Scope: docs.ScopeBins,
		Bins: []string{"A-01", "A-02"}, Blind: true}))
	plan = must(e.svc.Approve(ctx, e.admin, docs.TypeCountPlan, plan.ID, 1))
	r := ds.agentView(t, e.tenant, "s1")[syncproto.KindCountPlan+"/"+plan.Number]
	if r == nil {
		t.Fatal("the count plan did not reach its site")
	}
	rec, err := syncproto.DecodeDocumentRecord(syncproto.KindCountPlan, r.Body)
	if err != nil || !rec.Blind || !slices.Equal(rec.Bins, []string{"A-01", "A-02"}) {
		t.Fatalf("count plan record %v %v", rec, err)
	}
	if _, err := e.svc.Create(ctx, e.admin, docs.TypeCountPlan, &docs.Document{Site: "s1", Date: "2026-11-25", Scope: docs.ScopeBins}); err == nil {
		t.Fatal("a count plan by bins without bins")
	}
}

func (ds *docsSuite) statuses(t *testing.T, e *docsEnv, types ...string) []string {
	var out []string
	for _, typ := range types {
		list, _ := must2(e.svc.List(context.Background(), e.admin, typ, docs.ListQuery{}))
		for _, d := range list {
			out = append(out, d.Status)
		}
	}
	return out
}

// projectAll runs the projection until it has caught up and returns what
// it did.
func (ds *docsSuite) projectAll(t *testing.T, e *docsEnv) (docs.Projected, error) {
	t.Helper()
	return e.svc.ProjectProgress(context.Background())
}

// testAssembly: a gift box SKU with a bill of materials (2 of TS-0 and 1
// of TS-1); an assembly of 3 boxes given by its product line alone gets
// its components from the bill, reaches the site with the components
// marked, and is done once the site's movements name every line; a SKU
// without a bill is refused naming the line.
func (ds *docsSuite) testAssembly(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	box := &masterdata.Product{Meta: masterdata.Meta{Code: "BOX", Name: "礼盒"}, BaseUnit: "个",
		SKUs: []masterdata.SKU{{Code: "BOX-1", BOM: []masterdata.BOMLine{{SKU: "TS-0", Qty: 2}, {SKU: "TS-1", Qty: 1}}}}}
	must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, box))
	bad := &masterdata.Product{Meta: masterdata.Meta{Code: "BAD", Name: "坏"}, BaseUnit: "个",
		SKUs: []masterdata.SKU{{Code: "BAD-1", BOM: []masterdata.BOMLine{{SKU: "BAD-1", Qty: 0}}}}}
	if _, err := masterdata.Create(ctx, e.md, masterdata.Products, e.admin, bad); err == nil {
		t.Fatal("a bill of materials naming itself with a zero quantity was accepted")
	}
	a := must(e.svc.Create(ctx, e.admin, docs.TypeAssembly, &docs.Document{Site: "s1", Date: "2026-11-25",
		Lines: []docs.Line{{SKU: "BOX-1", Qty: 3}}}))
	if len(a.Lines) != 3 || a.Lines[0].Role != "product" || a.Lines[1].SKU != "TS-0" || a.Lines[1].QtyBase != 6 ||
		a.Lines[2].QtyBase != 3 || a.Lines[2].Role != "component" {
		t.Fatalf("assembly lines %+v", a.Lines)
	}
	if _, err := e.svc.Create(ctx, e.admin, docs.TypeAssembly, &docs.Document{Site: "s1", Date: "2026-11-25",
		Lines: []docs.Line{{SKU: "TS-0", Qty: 1}}}); err == nil {
		t.Fatal("an assembly of a SKU without a bill of materials")
	}
	a = must(e.svc.Approve(ctx, e.admin, docs.TypeAssembly, a.ID, 1))
	r := ds.agentView(t, e.tenant, "s1")[syncproto.KindAssembly+"/"+a.Number]
	if r == nil {
		t.Fatal("the assembly did not reach its site")
	}
	rec, err := syncproto.DecodeDocumentRecord(syncproto.KindAssembly, r.Body)
	if err != nil || rec.Lines[0].GetComponent() || !rec.Lines[1].GetComponent() {
		t.Fatalf("assembly record %v %v", rec, err)
	}
	h := ds.replica(e.tenant, "s1")
	move(t, h, syncproto.DocLine(a.Number, 2), "TS-0", -6, "assembly")
	move(t, h, syncproto.DocLine(a.Number, 3), "TS-1", -3, "assembly")
	ds.apply(t, h.Batch(t, 1, 2))
	ds.project(t, e)
	if got := must(e.svc.Get(ctx, e.admin, docs.TypeAssembly, a.ID)); got.Status != docs.StatusPartlyDone {
		t.Fatalf("assembly after its components: %s", got.Status)
	}
	move(t, h, syncproto.DocLine(a.Number, 1), "BOX-1", 3, "assembly")
	ds.apply(t, h.Batch(t, 3, 3))
	ds.project(t, e)
	if got := must(e.svc.Get(ctx, e.admin, docs.TypeAssembly, a.ID)); got.Status != docs.StatusDone || got.Lines[0].Done != 3 || got.Lines[1].Done != 6 {
		t.Fatalf("assembly done: %s %+v", got.Status, got.Lines)
	}
}

// testCountPlanScopes: a count plan by category gets, at approval, every
// SKU of the products in the category or below it; a cycle count of class
// A the SKUs making the first 80 % of the value that left the site in
// the last 90 days, class B the next 15 %.
func (ds *docsSuite) testCountPlanScopes(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	drinks := must(masterdata.Create(ctx, e.md, masterdata.Categories, e.admin, &masterdata.Category{Meta: masterdata.Meta{Code: "DRINK", Name: "饮料"}}))
	tea := must(masterdata.Create(ctx, e.md, masterdata.Categories, e.admin, &masterdata.Category{Meta: masterdata.Meta{Code: "TEA", Name: "茶饮"}, ParentID: drinks.ID}))
	cola := tee("COLA", "红")
	cola.CategoryID = tea.ID
	must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, cola))
	approve := func(d *docs.Document) *docs.Document {
		d.Site, d.Date = "s1", "2026-11-25"
		got := must(e.svc.Create(ctx, e.admin, docs.TypeCountPlan, d))
		return must(e.svc.Approve(ctx, e.admin, docs.TypeCountPlan, got.ID, 1))
	}
	byCat := approve(&docs.Document{Scope: docs.ScopeCategory, Category: "DRINK"})
	if len(byCat.Lines) != 1 || byCat.Lines[0].SKU != "COLA-0" || byCat.Lines[0].Name == "" {
		t.Fatalf("plan by category: %+v", byCat.Lines)
	}
	if _, err := e.svc.Create(ctx, e.admin, docs.TypeCountPlan, &docs.Document{Site: "s1", Date: "2026-11-25", Scope: docs.ScopeCategory,
		Category: "NONE"}); err == nil {
		t.Fatal("a plan of an unknown category")
	}
	// Sales: 90 of TS-0, 10 of TS-1 (value at 1 fen each when no price).
	h := ds.replica(e.tenant, "s1")
	h.Clock = syncproto.MakeHLC(e.clk.Now().Add(-24*time.Hour).UnixMilli(), 0)
	move(t, h, "", "TS-0", -90, "sale")
	move(t, h, "", "TS-1", -10, "sale")
	move(t, h, "", "COLA-0", -500, "ship")
	ds.apply(t, h.Batch(t, 1, 3))
	a := approve(&docs.Document{Scope: docs.ScopeABC, ABC: "A"})
	b := approve(&docs.Document{Scope: docs.ScopeABC, ABC: "B"})
	c := approve(&docs.Document{Scope: docs.ScopeABC, ABC: "C"})
	skus := func(d *docs.Document) []string {
		var out []string
		for _, l := range d.Lines {
			out = append(out, l.SKU)
		}
		return out
	}
	if !slices.Equal(skus(a), []string{"COLA-0"}) || !slices.Equal(skus(b), []string{"TS-0"}) || !slices.Equal(skus(c), []string{"TS-1"}) {
		t.Fatalf("ABC: A %v, B %v, C %v", skus(a), skus(b), skus(c))
	}
}

// testHQWrites: an other out approved at HQ moves the stock of its site
// as the cloud's own replica of that site, in the approval's
// transaction, and ends done; a receipt keyed in at HQ for a purchase
// order counts toward its lines and makes a 采购入库单, refused beyond the
// tolerance unless overridden.
func (ds *docsSuite) testHQWrites(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	stock := func(site, sku string) int64 {
		rows := must(ds.ds.Stock(ctx, cloud.StockFilter{Tenant: e.tenant, Site: site, SKU: sku}))
		var n int64
		for _, r := range rows {
			n += r.Qty
		}
		return n
	}
	if _, err := e.svc.Create(ctx, e.admin, docs.TypeOtherOut, &docs.Document{Site: "s1", Date: "2026-11-25", Reason: "scrap",
		Lines: []docs.Line{{SKU: "TS-0", Qty: 2}}}); err == nil {
		t.Fatal("an HQ other out without a bin")
	}
	qc := must(e.svc.Create(ctx, e.admin, docs.TypeOtherOut, &docs.Document{Site: "s1", Date: "2026-11-25", Reason: "scrap",
		Lines: []docs.Line{{SKU: "TS-0", Qty: 2, Bin: "A-01"}}}))
	if stock("s1", "TS-0") != 0 {
		t.Fatal("a draft moved stock")
	}
	qc = must(e.svc.Approve(ctx, e.admin, docs.TypeOtherOut, qc.ID, 1))
	if got := stock("s1", "TS-0"); got != -2 {
		t.Fatalf("stock after an HQ other out: %d", got)
	}
	reps := must(ds.ds.Replicas(ctx, e.tenant, "s1"))
	if len(reps) != 1 || reps[0].Replica != syncproto.CloudReplica(e.tenant, "s1") || reps[0].Watermark != 1 {
		t.Fatalf("replicas of s1: %+v", reps)
	}
	ds.project(t, e)
	if got := must(e.svc.Get(ctx, e.admin, docs.TypeOtherOut, qc.ID)); got.Status != docs.StatusDone || got.Lines[0].Done != 2 {
		t.Fatalf("HQ other out: %s %+v", got.Status, got.Lines)
	}

	// A line may have its own expected date, not before the order's.
	_, err := e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s2", docs.Line{SKU: "TS-1", Qty: 1, Price: 1, ExpectedDate: "2026-11-01"}))
	if f := fieldsOf(t, err); !slices.Equal(f, []string{"lines[0].expected_date"}) {
		t.Fatalf("a line expected before its order: %v", f)
	}
	o := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s2", docs.Line{SKU: "TS-1", Qty: 10, Price: 100, ExpectedDate: "2026-12-05"})))
	if o.Lines[0].ExpectedDate != "2026-12-05" {
		t.Fatalf("the line's expected date: %+v", o.Lines[0])
	}
	o = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, o.ID, 1))
	got := must(e.svc.ReceiveAtHQ(ctx, e.admin, o.ID, []docs.HQReceiptLine{{Line: 1, Qty: 4, Bin: "R-1"}}, false))
	if got.Lines[0].Done != 4 {
		t.Fatalf("after the receipt: %+v", got.Lines)
	}
	if _, err := e.svc.ReceiveAtHQ(ctx, e.admin, o.ID, []docs.HQReceiptLine{{Line: 1, Qty: 7, Bin: "R-1"}}, false); err == nil {
		t.Fatal("an over-receipt at HQ was recorded")
	}
	if _, err := e.svc.ReceiveAtHQ(ctx, e.admin, o.ID, []docs.HQReceiptLine{{Line: 2, Qty: 1, Bin: "R-1"}}, false); err == nil {
		t.Fatal("a receipt of a line the order does not have")
	}
	must(e.svc.ReceiveAtHQ(ctx, e.admin, o.ID, []docs.HQReceiptLine{{Line: 1, Qty: 7, Bin: "R-1", Lot: "L1"}}, true))
	ds.project(t, e)
	o = must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, o.ID))
	if o.Status != docs.StatusDone || o.Lines[0].Done != 11 || !o.Lines[0].Over || stock("s2", "TS-1") != 11 {
		t.Fatalf("order after HQ receipts: %s %+v, stock %d", o.Status, o.Lines, stock("s2", "TS-1"))
	}
	rks, n := must2(e.svc.List(ctx, e.admin, docs.TypePurchaseReceipt, docs.ListQuery{Ref: o.Number}))
	if n != 2 || rks[0].Site != "s2" {
		t.Fatalf("receipts of %s: %d %+v", o.Number, n, rks)
	}
}
