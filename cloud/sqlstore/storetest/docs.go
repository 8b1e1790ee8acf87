package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// DocsStore is what the documents suite needs of a store.
type DocsStore interface {
	MasterDataStore
	docs.Store
	cloud.Store
}

// RunDocsTests runs the document rules (cloud/docs) on a store:
// numbering (also concurrent), money, the state machine, audit, what the
// receiving site gets, progress from movements (incremental equals
// rebuild) and scope.
func RunDocsTests(t *testing.T, open func(t *testing.T) DocsStore) {
	ds := &docsSuite{mdSuite: mdSuite{}}
	st := open(t)
	ds.store, ds.ds = st, st
	for _, c := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"Numbers", ds.testNumbers},
		{"ConcurrentNumbers", ds.testConcurrentNumbers},
		{"Money", ds.testMoney},
		{"Checks", ds.testChecks},
		{"StateMachine", ds.testStates},
		{"Progress", ds.testProgress},
		{"Scope", ds.testScope},
		{"EdgeDocuments", ds.testEdgeDocuments},
		{"SalesFlow", ds.testSalesFlow},
		{"Assembly", ds.testAssembly},
		{"CountPlanScopes", ds.testCountPlanScopes},
		{"HQWrites", ds.testHQWrites},
		{"ReplenishDefaultSupplier", ds.testReplenishDefaultSupplier},
		{"Credit", ds.testCredit},
		{"Availability", ds.testAvailability},
		{"StockFeed", ds.testStockFeed},
		{"PickLists", ds.testPickLists},
		{"QuoteToOrder", ds.testQuoteToOrder},
		{"PurchaseForOrder", ds.testPurchaseForOrder},
		{"Replenishment", ds.testReplenishment},
		{"SupplierPerformance", ds.testSupplierPerformance},
		{"CountVariances", ds.testCountVariances},
	} {
		t.Run(c.name, func(t *testing.T) {
			mustT = t
			defer func() { mustT = nil }()
			c.fn(t)
		})
	}
}

type docsSuite struct {
	mdSuite
	ds       DocsStore
	replicas uint64
}

type docsEnv struct {
	*mdEnv
	svc *docs.Service
	clk *clock
}

// env is a tenant with sites s1 and s2, a supplier SUP (and the disabled
// OLD), and the product TS (个, 箱 of 24) with SKUs TS-0 and TS-1.
func (ds *docsSuite) env(t *testing.T) *docsEnv {
	t.Helper()
	ctx := context.Background()
	e := &docsEnv{mdEnv: ds.mdSuite.env(t), clk: &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}}
	e.svc = docs.New(ds.ds, docs.Options{Now: e.clk.Now})
	e.seedBasics(t)
	must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, tee("TS", "白", "黑")))
	must(masterdata.Create(ctx, e.md, masterdata.Suppliers, e.admin, &masterdata.Supplier{Meta: masterdata.Meta{Code: "SUP", Name: "华东供应"}}))
	must(masterdata.Create(ctx, e.md, masterdata.Suppliers, e.admin, &masterdata.Supplier{Meta: masterdata.Meta{Code: "OLD", Name: "旧供应商", Disabled: true}}))
	return e
}

func rate(r int32) *int32 { return &r }

func po(site string, lines ...docs.Line) *docs.Document {
	return &docs.Document{Partner: "SUP", Site: site, Date: "2026-11-25", ExpectedDate: "2026-11-30", Lines: lines}
}

func (ds *docsSuite) testNumbers(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	var got []string
	for range 3 {
		got = append(got, must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 100}))).Number)
	}
	// 23:30 UTC is the next day in China.
	e.clk.Add(14*time.Hour + 30*time.Minute)
	got = append(got, must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 100}))).Number)
	want := []string{"CG20261125-0001", "CG20261125-0002", "CG20261125-0003", "CG20261126-0001"}
	if !slices.Equal(got, want) {
		t.Errorf("numbers %v, want %v", got, want)
	}
	// Another tenant counts on its own.
	e2 := ds.env(t)
	if n := must(e2.svc.Create(ctx, e2.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 100}))).Number; n != "CG20261125-0001" {
		t.Errorf("another tenant's first number %s", n)
	}
}

func (ds *docsSuite) testConcurrentNumbers(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	const n = 24
	numbers := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 100}))
			if err == nil {
				numbers[i] = p.Number
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	slices.Sort(numbers)
	for i, got := range numbers {
		if want := fmt.Sprintf("CG20261125-%04d", i+1); got != want {
			t.Fatalf("numbers %v: [%d] is %s, want %s", numbers, i, got, want)
		}
	}
}

func (ds *docsSuite) testMoney(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	// Exclusive: 2 箱 at 2399 = 4798 + 13 % = 623.74 → 624; 3 个 at 99
	// at 9 % = 297 + 26.73 → 27; 50 个 at 1 at 1 % = 0.5 → 0 (half even).
	p := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1",
		docs.Line{SKU: "TS-0", Unit: "箱", Qty: 2, Price: 2399},
		docs.Line{SKU: "TS-1", Qty: 3, Price: 99, VATRate: rate(9)},
		docs.Line{SKU: "TS-1", Qty: 50, Price: 1, VATRate: rate(1)})))
	want := []docs.Amounts{{Net: 4798, Tax: 624, Gross: 5422}, {Net: 297, Tax: 27, Gross: 324}, {Net: 50, Tax: 0, Gross: 50}}
	for i, l := range p.Lines {
		if l.Amounts != want[i] || l.Line != i+1 {
			t.Errorf("line %d: %+v, want %+v", i+1, l.Amounts, want[i])
		}
	}
	if p.Lines[0].Factor != 24 || p.Lines[0].QtyBase != 48 || *p.Lines[0].VATRate != 13 || p.Lines[1].QtyBase != 3 {
		t.Errorf("units: %+v", p.Lines)
	}
	if p.Amounts != (docs.Amounts{Net: 5145, Tax: 651, Gross: 5796}) {
		t.Errorf("totals %+v", p.Amounts)
	}
	// Inclusive: 3 × 99 = 297 at 13 %: tax 297 × 13 / 113 = 34.17 → 34.
	in := po("s1", docs.Line{SKU: "TS-0", Qty: 3, Price: 99})
	in.TaxIncluded = true
	p = must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, in))
	if p.Amounts != (docs.Amounts{Net: 263, Tax: 34, Gross: 297}) {
		t.Errorf("inclusive totals %+v", p.Amounts)
	}
	got := must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, p.ID))
	if got.Amounts != p.Amounts || got.Lines[0].Amounts != p.Lines[0].Amounts {
		t.Errorf("stored %+v, created %+v", got.Amounts, p.Amounts)
	}
}

// fieldsOf returns the fields of a validation error, each with both
// messages set.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *masterdata.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, cloud.ErrInvalid) {
		t.Fatalf("want a validation error, got %v", err)
	}
	var out []string
	for _, f := range ve.Fields {
		if f.Msg == "" || f.MsgZH == "" {
			t.Errorf("%s: messages %q / %q", f.Field, f.Msg, f.MsgZH)
		}
		out = append(out, f.Field)
	}
	return out
}

func (ds *docsSuite) testChecks(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	bad := &docs.Document{Partner: "OLD", Site: "s9", Date: "2026-13-01", Lines: []docs.Line{
		{SKU: "NOPE", Qty: 1, Price: 1},
		{SKU: "TS-0", Unit: "袋", Qty: 1, Price: 1},
		{SKU: "TS-0", Qty: 0, Price: -1},
		{SKU: "TS-0", Qty: 1, Price: 1, VATRate: rate(7)},
		{SKU: "TS-0", Qty: 1_000_000, Price: docs.MaxMoney},
	}}
	_, err := e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, bad)
	got := fieldsOf(t, err)
	want := []string{"partner", "site", "date", "lines[0].sku", "lines[1].unit", "lines[2].qty", "lines[2].price", "lines[3].vat_rate", "lines[4].price"}
	if !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	_, err = e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, &docs.Document{Partner: "SUP", Site: "s1", Date: "2026-11-25"})
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"lines"}) {
		t.Errorf("no lines: fields %v", got)
	}
	// Nothing was stored, no number taken.
	p := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})))
	if p.Number != "CG20261125-0001" {
		t.Errorf("first stored order is %s", p.Number)
	}
}

func docErr(t *testing.T, err, want error) {
	t.Helper()
	var de *docs.Error
	if !errors.Is(err, want) || !errors.As(err, &de) || de.Msg == "" || de.MsgZH == "" {
		t.Fatalf("want %v with both messages, got %v", want, err)
	}
}

func (ds *docsSuite) testStates(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	buyer := e.user(t, "buyer", auth.AllSites(), auth.RolePurchaser)
	p := must(e.svc.Create(ctx, buyer, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Unit: "箱", Qty: 2, Price: 2399})))
	if p.Status != docs.StatusDraft || p.Version != 1 || p.CreatedBy != "buyer" {
		t.Fatalf("created %+v", p)
	}
	// A draft changes at its version.
	_, err := e.svc.Update(ctx, buyer, docs.TypePurchaseOrder, p.ID, 0, po("s1", docs.Line{SKU: "TS-0", Qty: 5, Price: 100}))
	docErr(t, err, docs.ErrVersionRequired)
	p = must(e.svc.Update(ctx, buyer, docs.TypePurchaseOrder, p.ID, 1, po("s1", docs.Line{SKU: "TS-0", Qty: 5, Price: 100}, docs.Line{SKU: "TS-1", Qty: 1, Price: 1})))
	if p.Version != 2 || len(p.Lines) != 2 || p.Number != "CG20261125-0001" {
		t.Fatalf("updated %+v", p)
	}
	_, err = e.svc.Update(ctx, buyer, docs.TypePurchaseOrder, p.ID, 1, po("s1", docs.Line{SKU: "TS-0", Qty: 5, Price: 100}))
	docErr(t, err, docs.ErrStale)
	// A purchaser may not approve.
	if _, err := e.svc.Approve(ctx, buyer, docs.TypePurchaseOrder, p.ID, 2); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("purchaser approved: %v", err)
	}
	_, err = e.svc.Close(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 2, "no")
	docErr(t, err, docs.ErrState)
	p = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 2))
	if p.Status != docs.StatusApproved || p.ApprovedBy != auth.AdminUser || p.Version != 3 {
		t.Fatalf("approved %+v", p)
	}
	// Lines are fixed once approved.
	_, err = e.svc.Update(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 3, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 1}))
	docErr(t, err, docs.ErrState)
	_, err = e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 3)
	docErr(t, err, docs.ErrState)
	// The site's agents have it.
	view := ds.agentView(t, e.tenant, "s1")
	r := view[syncproto.KindPurchaseOrder+"/"+p.Number]
	if r == nil || r.Deleted {
		t.Fatalf("s1 has no purchase order %s: %v", p.Number, view)
	}
	rec, err := syncproto.DecodeDocumentRecord(syncproto.KindPurchaseOrder, r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Partner != "SUP" || len(rec.Lines) != 2 || rec.Lines[0].QtyBase != 5 || rec.Lines[1].Sku != "TS-1" {
		t.Errorf("record %v", rec)
	}
	if ds.agentView(t, e.tenant, "s2")[syncproto.KindPurchaseOrder+"/"+p.Number] != nil {
		t.Error("s2 got s1's order")
	}
	// Close needs a reason and purchase.approve; the site gets a tombstone.
	if _, err := e.svc.Close(ctx, buyer, docs.TypePurchaseOrder, p.ID, 3, "short"); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("purchaser closed: %v", err)
	}
	_, err = e.svc.Close(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 3, " ")
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"reason"}) {
		t.Errorf("close without a reason: %v", got)
	}
	p = must(e.svc.Close(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 3, "supplier out of stock"))
	if p.Status != docs.StatusClosed || p.CloseReason != "supplier out of stock" {
		t.Fatalf("closed %+v", p)
	}
	if r := ds.agentView(t, e.tenant, "s1")[syncproto.KindPurchaseOrder+"/"+p.Number]; r == nil || !r.Deleted {
		t.Errorf("closed order not a tombstone: %v", r)
	}
	_, err = e.svc.Void(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 4)
	docErr(t, err, docs.ErrState)
	// A draft is voided; an approved one too while nothing names it.
	d := must(e.svc.Create(ctx, buyer, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})))
	d = must(e.svc.Void(ctx, buyer, docs.TypePurchaseOrder, d.ID, 1))
	if d.Status != docs.StatusVoid {
		t.Fatalf("voided %+v", d)
	}
	a := must(e.svc.Create(ctx, buyer, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})))
	a = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, a.ID, 1))
	if _, err := e.svc.Void(ctx, buyer, docs.TypePurchaseOrder, a.ID, 2); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("purchaser voided an approved order: %v", err)
	}
	must(e.svc.Void(ctx, e.admin, docs.TypePurchaseOrder, a.ID, 2))
	if r := ds.agentView(t, e.tenant, "s1")[syncproto.KindPurchaseOrder+"/"+a.Number]; r == nil || !r.Deleted {
		t.Errorf("void order not a tombstone: %v", r)
	}
	// Every write is audited.
	entries := must(e.mdEnv.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: docs.TypePurchaseOrder}))
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action)
	}
	slices.Sort(actions)
	want := []string{"purchase_order.approve", "purchase_order.approve", "purchase_order.close", "purchase_order.create",
		"purchase_order.create", "purchase_order.create", "purchase_order.update", "purchase_order.void", "purchase_order.void"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
}

func (ds *docsSuite) replica(tenant, site string) *Replica {
	ds.replicas++
	return NewReplica(syncproto.ReplicaID(0x0d0c0000+ds.replicas), tenant, site)
}

func receive(tb testing.TB, r *Replica, number string, line int, qty int64) {
	tb.Helper()
	r.Add(tb, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A-01", Sku: "TS-0", Qty: qty, Reason: "receive",
		Doc: syncproto.DocLine(number, line), Operator: "test", Device: "storetest"}}})
}

func (ds *docsSuite) apply(t *testing.T, b *syncproto.Batch) {
	t.Helper()
	if _, err := ds.ds.ApplyBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

// project runs the projection until it has caught up.
func (ds *docsSuite) project(t *testing.T, e *docsEnv) {
	t.Helper()
	if _, err := e.svc.ProjectProgress(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func received(p *docs.Document) []int64 {
	var out []int64
	for _, l := range p.Lines {
		out = append(out, l.Done)
	}
	return out
}

func (ds *docsSuite) testProgress(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	p := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Unit: "箱", Qty: 2, Price: 2399},
		docs.Line{SKU: "TS-0", Qty: 10, Price: 99})))
	// A receipt may reach the cloud before the approval.
	h1, h2 := ds.replica(e.tenant, "s1"), ds.replica(e.tenant, "s1")
	receive(t, h1, p.Number, 1, 24)
	h1.Move(t, "A-01", "TS-0", "", 3) // names no document
	ds.apply(t, h1.Batch(t, 1, 2))
	ds.project(t, e)
	p = must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, p.ID))
	if p.Status != docs.StatusDraft || !slices.Equal(received(p), []int64{24, 0}) {
		t.Fatalf("draft after a receipt: %s %v", p.Status, received(p))
	}
	p = must(e.svc.Approve(ctx, e.admin, docs.TypePurchaseOrder, p.ID, 1))
	if p.Status != docs.StatusPartlyDone {
		t.Fatalf("approved after a receipt: %s", p.Status)
	}
	// Voiding is refused once a movement names it.
	_, err := e.svc.Void(ctx, e.admin, docs.TypePurchaseOrder, p.ID, p.Version)
	docErr(t, err, docs.ErrLinked)

	// h2 sends 3..4 before 1..2: the projection waits for the gap.
	receive(t, h2, p.Number, 2, 4)
	receive(t, h2, p.Number, 2, 3)
	receive(t, h2, p.Number, 1, 24)
	receive(t, h2, p.Number, 2, 3)
	ds.apply(t, h2.Batch(t, 3, 4))
	ds.project(t, e)
	if got := received(must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, p.ID))); !slices.Equal(got, []int64{24, 0}) {
		t.Fatalf("after a gap: %v", got)
	}
	ds.apply(t, h2.Batch(t, 1, 2))
	ds.apply(t, h2.Batch(t, 1, 4)) // a resend: stored once
	ds.apply(t, h1.Batch(t, 1, 2))
	ds.project(t, e)
	p = must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, p.ID))
	if p.Status != docs.StatusDone || !slices.Equal(received(p), []int64{48, 10}) || p.Lines[0].Over || p.Lines[1].Over {
		t.Fatalf("received: %s %v %+v", p.Status, received(p), p.Lines)
	}
	// Over-receipt is kept and flagged; the list shows the status.
	receive(t, h1, p.Number, 2, 1)
	ds.apply(t, h1.Batch(t, 3, 3))
	ds.project(t, e)
	p = must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, p.ID))
	if !slices.Equal(received(p), []int64{48, 11}) || !p.Lines[1].Over || p.Status != docs.StatusDone {
		t.Fatalf("over-received: %s %v %+v", p.Status, received(p), p.Lines[1])
	}
	list, total := must2(e.svc.List(ctx, e.admin, docs.TypePurchaseOrder, docs.ListQuery{Status: docs.StatusDone}))
	if total != 1 || list[0].Number != p.Number {
		t.Fatalf("received orders: %d %+v", total, list)
	}
	// A rebuild gives what the incremental steps gave.
	before := must(ds.ds.DocProgress(ctx, e.tenant, p.Number))
	if err := e.svc.RebuildProgress(ctx); err != nil {
		t.Fatal(err)
	}
	after := must(ds.ds.DocProgress(ctx, e.tenant, p.Number))
	if !maps.Equal(before, after) {
		t.Fatalf("rebuilt %v, incremental %v", after, before)
	}
	if before[1] != (docs.Progress{In: 48, Moves: 2}) || before[2] != (docs.Progress{In: 11, Moves: 4}) {
		t.Errorf("progress %v", before)
	}
	if got := must(e.svc.Get(ctx, e.admin, docs.TypePurchaseOrder, p.ID)); got.Status != docs.StatusDone {
		t.Errorf("status after rebuild %s", got.Status)
	}
}

func must2[A, B any](a A, b B, err error) (A, B) {
	mustT.Helper()
	if err != nil {
		mustT.Fatal(err)
	}
	return a, b
}

func (ds *docsSuite) testScope(t *testing.T) {
	ctx := context.Background()
	e := ds.env(t)
	buyer1 := e.user(t, "buyer1", auth.SitesScope("s1"), auth.RolePurchaser)
	p1 := must(e.svc.Create(ctx, buyer1, docs.TypePurchaseOrder, po("s1", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})))
	p2 := must(e.svc.Create(ctx, e.admin, docs.TypePurchaseOrder, po("s2", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})))
	if _, err := e.svc.Create(ctx, buyer1, docs.TypePurchaseOrder, po("s2", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("created for another site: %v", err)
	}
	if _, err := e.svc.Get(ctx, buyer1, docs.TypePurchaseOrder, p2.ID); !errors.Is(err, docs.ErrNotFound) {
		t.Fatalf("read another site's order: %v", err)
	}
	if _, err := e.svc.Update(ctx, buyer1, docs.TypePurchaseOrder, p2.ID, 1, po("s2", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})); !errors.Is(err, docs.ErrNotFound) {
		t.Fatalf("changed another site's order: %v", err)
	}
	// Moving one's own order to another site is refused too.
	if _, err := e.svc.Update(ctx, buyer1, docs.TypePurchaseOrder, p1.ID, 1, po("s2", docs.Line{SKU: "TS-0", Qty: 1, Price: 1})); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("moved an order to another site: %v", err)
	}
	list, total := must2(e.svc.List(ctx, buyer1, docs.TypePurchaseOrder, docs.ListQuery{}))
	if total != 1 || list[0].ID != p1.ID {
		t.Fatalf("buyer1 lists %d: %+v", total, list)
	}
	if _, _, err := e.svc.List(ctx, buyer1, docs.TypePurchaseOrder, docs.ListQuery{Site: "s2"}); !errors.Is(err, auth.ErrForbidden) {
		t.Fatalf("listed another site: %v", err)
	}
	_, total = must2(e.svc.List(ctx, e.admin, docs.TypePurchaseOrder, docs.ListQuery{Q: "cg2026", Partner: "SUP", DateFrom: "2026-11-25", DateTo: "2026-11-25"}))
	if total != 2 {
		t.Errorf("admin lists %d", total)
	}
	_, _, err := e.svc.List(ctx, e.admin, docs.TypePurchaseOrder, docs.ListQuery{Status: "open", DateFrom: "yesterday"})
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"status", "date_from"}) {
		t.Errorf("bad query: %v", got)
	}
}
