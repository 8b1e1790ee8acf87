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
