package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

// customer adds a customer with a credit limit (fen, 0: none).
func (e *docsEnv) customer(t *testing.T, code string, limit int64) {
	t.Helper()
	must(masterdata.Create(context.Background(), e.md, masterdata.Customers, e.admin,
		&masterdata.Customer{Meta: masterdata.Meta{Code: code, Name: "客户" + code}, CreditLimit: limit}))
}

// so is a sales order of customer at site, lines at VAT 0 % (gross = qty
// × price).
func so(customer, site string, lines ...docs.Line) *docs.Document {
	for i := range lines {
		lines[i].VATRate = rate(0)
	}
	return &docs.Document{Partner: customer, Site: site, Date: "2026-11-25", Lines: lines}
}

// approvedSO creates and approves a sales order.
func (e *docsEnv) approvedSO(t *testing.T, d *docs.Document) *docs.Document {
	t.Helper()
	ctx := context.Background()
	o := must(e.svc.Create(ctx, e.admin, docs.TypeSalesOrder, d))
	return must(e.svc.Approve(ctx, e.admin, docs.TypeSalesOrder, o.ID, o.Version))
}

// stock puts qty of sku on hand at site (an adjustment of a new replica).
func (ds *docsSuite) stock(t *testing.T, e *docsEnv, site, sku string, qty int64) {
	t.Helper()
	r := ds.replica(e.tenant, site)
	r.Move(t, "A-01", sku, "", qty)
	ds.apply(t, r.Batch(t, 1, 1))
}

func (ds *docsSuite) avail(t *testing.T, e *docsEnv, site, sku string) docs.Availability {
	t.Helper()
	return must(e.svc.Availability(context.Background(), e.admin, site, sku))
}

// testCredit: an order over the customer's credit limit is approved held
// with the figures in both languages; a held order gets no pick list;
// a user with sales.approve releases it with a reason, audited; what was
// picked no longer counts toward the exposure.
func (ds *docsSuite) testCredit(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	e.customer(t, "C1", 10000)
	e.customer(t, "C0", 0)
	a := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 5, Price: 1000}))
	if a.Hold || a.Gross != 5000 {
		t.Fatalf("first order held: %+v", a)
	}
	b := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 6, Price: 1000}))
	if !b.Hold || b.Status != docs.StatusApproved {
		t.Fatalf("order over the limit: hold %v %s", b.Hold, b.Status)
	}
	for _, want := range []string{"5000", "6000", "11000", "10000", "信用额度"} {
		if !strings.Contains(b.HoldReason, want) {
			t.Errorf("hold reason %q lacks %q", b.HoldReason, want)
		}
	}
	// No limit: never held.
	if c := e.approvedSO(t, so("C0", "s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 1_000_000})); c.Hold {
		t.Errorf("held without a limit: %s", c.HoldReason)
	}
	_, err := e.svc.PickList(ctx, e.admin, b.ID, "")
	docErr(t, err, docs.ErrState)
	_, err = e.svc.Create(ctx, e.admin, docs.TypePickList, &docs.Document{Partner: "C1", Site: "s1", Date: "2026-11-25", Ref: b.Number,
		Lines: []docs.Line{{SKU: "TS-0", Qty: 6, RefLine: 1}}})
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"ref"}) {
		t.Errorf("pick list of a held order: %v", got)
	}
	// Release: sales.approve, If-Match, a reason.
	clerk := e.user(t, "clerk", auth.AllSites(), auth.RoleSales)
	if _, err := e.svc.Release(ctx, clerk, b.ID, b.Version, "paid"); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("sales clerk released: %v", err)
	}
	_, err = e.svc.Release(ctx, e.admin, b.ID, 0, "paid")
	docErr(t, err, docs.ErrVersionRequired)
	_, err = e.svc.Release(ctx, e.admin, b.ID, b.Version, " ")
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"reason"}) {
		t.Errorf("release without a reason: %v", got)
	}
	b = must(e.svc.Release(ctx, e.admin, b.ID, b.Version, "customer paid in advance"))
	if b.Hold || b.ReleaseReason != "customer paid in advance" || b.HoldReason == "" {
		t.Fatalf("released %+v", b)
	}
	_, err = e.svc.Release(ctx, e.admin, b.ID, b.Version, "again")
	docErr(t, err, docs.ErrState)
	_, err = e.svc.Release(ctx, e.admin, a.ID+1000, 1, "none")
	docErr(t, err, docs.ErrNotFound)
	entries := must(e.mdEnv.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: docs.TypeSalesOrder}))
	if !slices.ContainsFunc(entries, func(en auth.Audit) bool { return en.Action == "sales_order.release" }) {
		t.Error("release not audited")
	}
	// Pick 3 of a's 5: its undelivered part is 2/5 × 5000 = 2000; with b's
	// 6000, an order of 2000 fits, one of 2001 does not.
	pl := must(e.svc.PickList(ctx, e.admin, a.ID, ""))
	h := ds.replica(e.tenant, "s1")
	move(t, h, syncproto.DocLine(pl.Number, 1), "TS-0", -3, "ship")
	ds.apply(t, h.Batch(t, 1, 1))
	ds.project(t, e)
	if c := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-1", Qty: 1, Price: 2000})); c.Hold {
		t.Errorf("an order that fits is held: %s", c.HoldReason)
	}
	if c := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-1", Qty: 1, Price: 1})); !c.Hold {
		t.Error("an order over the limit after the others is not held")
	}
}

// testAvailability: available = on-hand − what approved, not held orders
// still have to ship; a line beyond it is a back order, not refused;
// picks lower both on-hand and reserved; approved purchase orders are on
// order.
func (ds *docsSuite) testAvailability(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	e.customer(t, "C1", 0)
	e.customer(t, "CL", 1)
	ds.stock(t, e, "s1", "TS-0", 10)
	ds.stock(t, e, "s2", "TS-0", 100)
	a := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 4, Price: 1}))
	if a.Lines[0].BackOrder != 0 {
		t.Errorf("back order %d with stock", a.Lines[0].BackOrder)
	}
	if got := ds.avail(t, e, "s1", "TS-0"); got.OnHand != 10 || got.Reserved != 4 || got.Available != 6 {
		t.Fatalf("after one order %+v", got)
	}
	// 8 more in two lines: 5 fit, 1 and 2 do not.
	b := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 5, Price: 1}, docs.Line{SKU: "TS-0", Qty: 3, Price: 1}))
	if b.Status != docs.StatusApproved || b.Lines[0].BackOrder != 0 || b.Lines[1].BackOrder != 2 {
		t.Fatalf("back orders %+v", b.Lines)
	}
	if got := must(e.svc.Get(ctx, e.admin, docs.TypeSalesOrder, b.ID)); got.Lines[1].BackOrder != 2 {
		t.Errorf("stored back order %+v", got.Lines[1])
	}
	// A held order reserves nothing; a draft neither.
	if c := e.approvedSO(t, so("CL", "s1", docs.Line{SKU: "TS-0", Qty: 50, Price: 1})); !c.Hold || c.Lines[0].BackOrder != 50 {
		t.Fatalf("held order %v %+v", c.Hold, c.Lines)
	}
	must(e.svc.Create(ctx, e.admin, docs.TypeSalesOrder, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 50, Price: 1})))
	if got := ds.avail(t, e, "s1", "TS-0"); got.Reserved != 12 || got.Available != -2 {
		t.Fatalf("after the back order %+v", got)
	}
	// Picking 3 of a at s1: on-hand 7, reserved 9.
	pl := must(e.svc.PickList(ctx, e.admin, a.ID, ""))
	h := ds.replica(e.tenant, "s1")
	move(t, h, syncproto.DocLine(pl.Number, 1), "TS-0", -3, "ship")
	ds.apply(t, h.Batch(t, 1, 1))
	ds.project(t, e)
	if got := ds.avail(t, e, "s1", "TS-0"); got.OnHand != 7 || got.Reserved != 9 || got.Available != -2 {
		t.Fatalf("after a pick %+v", got)
	}
	// Closing an order frees what it reserved.
	b = must(e.svc.Close(ctx, e.admin, docs.TypeSalesOrder, b.ID, b.Version, "customer cancelled"))
	if got := ds.avail(t, e, "s1", "TS-0"); got.Reserved != 1 || got.Available != 6 {
		t.Fatalf("after a close %+v", got)
	}
	// On order: approved purchase orders' rest.
	p := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 5, Price: 1})))
	p = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, p.ID, p.Version))
	r := ds.replica(e.tenant, "s1")
	receive(t, r, p.Number, 1, 2)
	ds.apply(t, r.Batch(t, 1, 1))
	ds.project(t, e)
	if got := ds.avail(t, e, "s1", "TS-0"); got.OnOrder != 3 || got.OnHand != 9 || got.Available != 8 {
		t.Fatalf("on order %+v", got)
	}
	if got := ds.avail(t, e, "s2", "TS-0"); got.OnHand != 100 || got.Reserved != 0 || got.OnOrder != 0 {
		t.Errorf("s2 %+v", got)
	}
	_, err := e.svc.Availability(ctx, e.admin, "", " ")
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"site", "sku"}) {
		t.Errorf("empty query %v", got)
	}
	s1 := e.user(t, "s1clerk", auth.SitesScope("s1"), auth.RoleSales)
	if _, err := e.svc.Availability(ctx, s1, "s2", "TS-0"); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("another site's availability: %v", err)
	}
}

// feedKeys reads the feed from cursor to its end and returns the keys
// and their availability, and the last cursor.
func (ds *docsSuite) feed(t *testing.T, e *docsEnv, p *auth.Principal, cursor int64) (map[docs.StockKey]docs.Availability, int64) {
	t.Helper()
	out := map[docs.StockKey]docs.Availability{}
	for {
		f := must(e.svc.StockFeed(context.Background(), p, cursor, 2))
		for _, it := range f.Items {
			if it.Seq <= cursor {
				t.Fatalf("item %+v at or before cursor %d", it, cursor)
			}
			out[docs.StockKey{Site: it.Site, SKU: it.SKU}] = it.Availability
		}
		if f.Cursor == cursor {
			return out, cursor
		}
		cursor = f.Cursor
	}
}

// testStockFeed: every change of availability shows in the feed after
// the cursor: movements (once projected), sales order approvals, holds,
// releases and closes, and picks at another site than the order's; a
// page without changes keeps the cursor.
func (ds *docsSuite) testStockFeed(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	e.customer(t, "C1", 0)
	e.customer(t, "CL", 1)
	ds.stock(t, e, "s1", "TS-0", 10)
	ds.stock(t, e, "s2", "TS-1", 7)
	ds.project(t, e)
	got, cur := ds.feed(t, e, e.admin, 0)
	if len(got) != 2 || got[docs.StockKey{Site: "s1", SKU: "TS-0"}].Available != 10 || got[docs.StockKey{Site: "s2", SKU: "TS-1"}].OnHand != 7 {
		t.Fatalf("first read %v", got)
	}
	if again, c := ds.feed(t, e, e.admin, cur); len(again) != 0 || c != cur {
		t.Fatalf("nothing changed, yet %v (cursor %d → %d)", again, cur, c)
	}
	// An approval reserves.
	a := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 4, Price: 1}))
	got, cur = ds.feed(t, e, e.admin, cur)
	if len(got) != 1 || got[docs.StockKey{Site: "s1", SKU: "TS-0"}].Available != 6 {
		t.Fatalf("after an approval %v", got)
	}
	// A held order changes nothing until released.
	h := e.approvedSO(t, so("CL", "s1", docs.Line{SKU: "TS-1", Qty: 1, Price: 5}))
	got, cur = ds.feed(t, e, e.admin, cur)
	if av, ok := got[docs.StockKey{Site: "s1", SKU: "TS-1"}]; ok && av.Reserved != 0 {
		t.Fatalf("held order reserves %v", got)
	}
	must(e.svc.Release(ctx, e.admin, h.ID, h.Version, "ok"))
	got, cur = ds.feed(t, e, e.admin, cur)
	if got[docs.StockKey{Site: "s1", SKU: "TS-1"}].Reserved != 1 {
		t.Fatalf("after a release %v", got)
	}
	// Picked at s2 for the order of s1: both keys move.
	pl := must(e.svc.PickList(ctx, e.admin, a.ID, "s2"))
	if pl.Site != "s2" {
		t.Fatalf("pick list site %s", pl.Site)
	}
	r := ds.replica(e.tenant, "s2")
	move(t, r, syncproto.DocLine(pl.Number, 1), "TS-0", -1, "ship")
	ds.apply(t, r.Batch(t, 1, 1))
	ds.project(t, e)
	got, cur = ds.feed(t, e, e.admin, cur)
	if len(got) != 2 || got[docs.StockKey{Site: "s1", SKU: "TS-0"}].Reserved != 3 || got[docs.StockKey{Site: "s2", SKU: "TS-0"}].OnHand != -1 {
		t.Fatalf("after a pick at s2 %v", got)
	}
	// A close frees the rest.
	a = must(e.svc.Get(ctx, e.admin, docs.TypeSalesOrder, a.ID))
	must(e.svc.Close(ctx, e.admin, docs.TypeSalesOrder, a.ID, a.Version, "short"))
	got, cur = ds.feed(t, e, e.admin, cur)
	if got[docs.StockKey{Site: "s1", SKU: "TS-0"}].Reserved != 0 {
		t.Fatalf("after a close %v", got)
	}
	// A rebuild marks keys again but never loses one; a user of s1 sees
	// only s1's keys, and the cursor still moves over the others.
	if err := e.svc.RebuildProgress(ctx); err != nil {
		t.Fatal(err)
	}
	s1 := e.user(t, "s1clerk", auth.SitesScope("s1"), auth.RoleSales)
	got, c := ds.feed(t, e, s1, cur)
	if c <= cur || len(got) == 0 {
		t.Fatalf("after a rebuild %v, cursor %d → %d", got, cur, c)
	}
	for k := range got {
		if k.Site != "s1" {
			t.Errorf("s1's user sees %v", k)
		}
	}
	_, err := e.svc.StockFeed(ctx, e.admin, -1, 1000)
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"limit", "cursor"}) {
		t.Errorf("bad feed query %v", got)
	}
	// Another tenant's feed is its own.
	e2 := ds.env(t)
	if f := must(e2.svc.StockFeed(ctx, e2.admin, 0, 10)); len(f.Items) != 0 {
		t.Errorf("a new tenant's feed %+v", f.Items)
	}
}

// testPickLists: a pick list of what remains, per line in base units,
// approved and sent to the shipping site; nothing remains after it; a
// voided pick list gives its quantities back; a draft order gets none.
func (ds *docsSuite) testPickLists(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	e.customer(t, "C1", 0)
	d := must(e.svc.Create(ctx, e.admin, docs.TypeSalesOrder, so("C1", "s1", docs.Line{SKU: "TS-0", Unit: "箱", Qty: 2, Price: 100},
		docs.Line{SKU: "TS-1", Qty: 3, Price: 1})))
	_, err := e.svc.PickList(ctx, e.admin, d.ID, "")
	docErr(t, err, docs.ErrState)
	o := must(e.svc.Approve(ctx, e.admin, docs.TypeSalesOrder, d.ID, d.Version))
	clerk := e.user(t, "clerk", auth.AllSites(), auth.RoleSales)
	if _, err := e.svc.PickList(ctx, clerk, o.ID, ""); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("a clerk without sales.approve made a pick list: %v", err)
	}
	pl := must(e.svc.PickList(ctx, e.admin, o.ID, ""))
	if pl.Status != docs.StatusApproved || pl.Ref != o.Number || pl.Site != "s1" || pl.Partner != "C1" || len(pl.Lines) != 2 ||
		pl.Lines[0].QtyBase != 48 || pl.Lines[0].RefLine != 1 || pl.Lines[1].QtyBase != 3 || pl.Lines[1].RefLine != 2 {
		t.Fatalf("pick list %+v", pl)
	}
	if r := ds.agentView(t, e.tenant, "s1")[syncproto.KindPickList+"/"+pl.Number]; r == nil || r.Deleted {
		t.Fatal("the pick list did not reach s1")
	}
	_, err = e.svc.PickList(ctx, e.admin, o.ID, "")
	docErr(t, err, docs.ErrState)
	pl = must(e.svc.Void(ctx, e.admin, docs.TypePickList, pl.ID, pl.Version))
	again := must(e.svc.PickList(ctx, e.admin, o.ID, "s2"))
	if again.Site != "s2" || len(again.Lines) != 2 || again.Lines[0].QtyBase != 48 {
		t.Fatalf("pick list after a void %+v", again)
	}
	if r := ds.agentView(t, e.tenant, "s2")[syncproto.KindPickList+"/"+again.Number]; r == nil {
		t.Fatal("the pick list did not reach s2")
	}
	o = must(e.svc.Get(ctx, e.admin, docs.TypeSalesOrder, o.ID))
	o = must(e.svc.Close(ctx, e.admin, docs.TypeSalesOrder, o.ID, o.Version, "stop"))
	_, err = e.svc.PickList(ctx, e.admin, o.ID, "")
	docErr(t, err, docs.ErrState)
	entries := must(e.mdEnv.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: docs.TypePickList}))
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action)
	}
	slices.Sort(actions)
	if want := []string{"pick_list.approve", "pick_list.approve", "pick_list.create", "pick_list.create", "pick_list.void"}; !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
}

// testQuoteToOrder: an approved quote becomes a draft sales order with
// its prices and line references, and is done (已转订单).
func (ds *docsSuite) testQuoteToOrder(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	e.customer(t, "C1", 0)
	q := must(e.svc.Create(ctx, e.admin, docs.TypeQuote, &docs.Document{Partner: "C1", Site: "s1", Date: "2026-11-20", TaxIncluded: true,
		Lines: []docs.Line{{SKU: "TS-0", Unit: "箱", Qty: 2, Price: 2399}, {SKU: "TS-1", Qty: 3, Price: 99, VATRate: rate(9)}}}))
	_, err := e.svc.OrderFromQuote(ctx, e.admin, q.ID)
	docErr(t, err, docs.ErrState)
	q = must(e.svc.Approve(ctx, e.admin, docs.TypeQuote, q.ID, q.Version))
	o := must(e.svc.OrderFromQuote(ctx, e.admin, q.ID))
	if o.Status != docs.StatusDraft || o.Ref != q.Number || o.Partner != "C1" || !o.TaxIncluded || o.Amounts != q.Amounts ||
		o.Date != "2026-11-25" || len(o.Lines) != 2 {
		t.Fatalf("order %+v", o)
	}
	for i, l := range o.Lines {
		if ql := q.Lines[i]; l.RefLine != ql.Line || l.Price != ql.Price || l.Unit != ql.Unit || l.Qty != ql.Qty || *l.VATRate != *ql.VATRate {
			t.Errorf("line %d %+v from %+v", i+1, l, ql)
		}
	}
	q = must(e.svc.Get(ctx, e.admin, docs.TypeQuote, q.ID))
	if q.Status != docs.StatusDone || docs.TypeOf(docs.TypeQuote).StatusZH(q.Status) != "已转订单" || len(q.Links) != 1 || q.Links[0].Number != o.Number {
		t.Fatalf("quote %s %+v", q.Status, q.Links)
	}
	_, err = e.svc.OrderFromQuote(ctx, e.admin, q.ID)
	docErr(t, err, docs.ErrState)
}

// testPurchaseForOrder: 以销定购 buys per SKU what the order still needs
// beyond what its site has available besides it.
func (ds *docsSuite) testPurchaseForOrder(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	e.customer(t, "C1", 0)
	ds.stock(t, e, "s1", "TS-0", 10)
	e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 4, Price: 1}))
	o := e.approvedSO(t, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 5, Price: 1}, docs.Line{SKU: "TS-1", Qty: 2, Price: 1},
		docs.Line{SKU: "TS-0", Qty: 3, Price: 1}))
	_, err := e.svc.PurchaseForOrder(ctx, e.admin, o.ID, "")
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"partner"}) {
		t.Errorf("no supplier: %v", got)
	}
	p := must(e.svc.PurchaseForOrder(ctx, e.admin, o.ID, "SUP"))
	// TS-0: 8 needed, 10 − 4 available; TS-1: 2, none.
	if p.Status != docs.StatusDraft || p.Ref != o.Number || p.Partner != "SUP" || p.Site != "s1" || len(p.Lines) != 2 ||
		p.Lines[0].SKU != "TS-0" || p.Lines[0].QtyBase != 2 || p.Lines[1].SKU != "TS-1" || p.Lines[1].QtyBase != 2 {
		t.Fatalf("purchase order %+v", p)
	}
	// Enough at the site, or not approved: nothing to buy.
	ds.stock(t, e, "s2", "TS-0", 100)
	enough := e.approvedSO(t, so("C1", "s2", docs.Line{SKU: "TS-0", Qty: 100, Price: 1}))
	_, err = e.svc.PurchaseForOrder(ctx, e.admin, enough.ID, "SUP")
	docErr(t, err, docs.ErrState)
	draft := must(e.svc.Create(ctx, e.admin, docs.TypeSalesOrder, so("C1", "s1", docs.Line{SKU: "TS-0", Qty: 100, Price: 1})))
	_, err = e.svc.PurchaseForOrder(ctx, e.admin, draft.ID, "SUP")
	docErr(t, err, docs.ErrState)
	// Receiving it does not count as the sales order's shipping.
	p = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, p.ID, p.Version))
	r := ds.replica(e.tenant, "s1")
	receive(t, r, p.Number, 1, 2)
	ds.apply(t, r.Batch(t, 1, 1))
	ds.project(t, e)
	if got := must(e.svc.Get(ctx, e.admin, docs.TypeSalesOrder, o.ID)); got.Status != docs.StatusApproved || got.Lines[0].Done != 0 {
		t.Fatalf("sales order after the purchase's receipt %s %+v", got.Status, got.Lines)
	}
}
