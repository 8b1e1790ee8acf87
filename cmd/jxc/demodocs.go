package main

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cmd/internal/cloudapp"
	"github.com/jxc-edge/jxc/syncproto"
)

// demoDocs are the documents the demo works at the sites: HQ approves a
// purchase order for the warehouse, a sales order with its pick list for
// a store, and a transfer from the warehouse to that store; the agents
// receive, pick and transfer them through their work API while the
// generator runs (the store's second till sells at retail, offline for a
// while), and the cloud must end with every document done.
type demoDocs struct {
	po, so, pl, tr *docs.Document
	sales          atomic.Int64 // retail sales answered 201
	salesFailed    atomic.Int64
}

// demoDocItems are the SKUs the documents use: counted (neither lot
// tracked nor sold by weight) goods of the warehouse's workload.
func demoDocItems(items []demoItem) []string {
	var out []string
	for _, it := range items {
		if !it.lot && !it.weighed {
			out = append(out, it.sku)
		}
	}
	return out
}

// makeDocs creates and approves the documents as HQ's administrator would
// in the console.
func (d *DemoCommand) makeDocs(ctx context.Context, cloud *cloudapp.App, admin *auth.Principal, supplier, customer string, skus []string) (*demoDocs, error) {
	if len(skus) < 3 {
		return nil, fmt.Errorf("the demo's documents need 3 counted SKUs, the workload has %d", len(skus))
	}
	svc, date := cloud.Docs, time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	mk := func(typ string, in *docs.Document) (*docs.Document, error) {
		in.Date = date
		out, err := svc.Create(ctx, admin, typ, in)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", typ, err)
		}
		if out, err = svc.Approve(ctx, admin, typ, out.ID, out.Version); err != nil {
			return nil, fmt.Errorf("approve %s: %w", typ, err)
		}
		return out, nil
	}
	dd := &demoDocs{}
	var err error
	if dd.po, err = mk(docs.TypePurchaseOrder, &docs.Document{Partner: supplier, Site: demoWarehouses[0], Lines: []docs.Line{
		{SKU: skus[0], Qty: 12, Price: 350}, {SKU: skus[1], Qty: 8, Price: 1290}, {SKU: skus[2], Qty: 6, Price: 480}}}); err != nil {
		return nil, err
	}
	if dd.so, err = mk(docs.TypeSalesOrder, &docs.Document{Partner: customer, Site: demoStores[0], Lines: []docs.Line{
		{SKU: skus[0], Qty: 3, Price: 600}, {SKU: skus[1], Qty: 2, Price: 1990}}}); err != nil {
		return nil, err
	}
	if dd.so.Hold {
		if dd.so, err = svc.Release(ctx, admin, dd.so.ID, dd.so.Version, "演示 demo"); err != nil {
			return nil, err
		}
	}
	if dd.pl, err = svc.PickList(ctx, admin, dd.so.ID, ""); err != nil {
		return nil, fmt.Errorf("pick list: %w", err)
	}
	if dd.tr, err = mk(docs.TypeTransfer, &docs.Document{Site: demoWarehouses[0], ToSite: demoStores[0], Lines: []docs.Line{
		{SKU: skus[0], Qty: 4}, {SKU: skus[2], Qty: 2}}}); err != nil {
		return nil, err
	}
	d.printf("documents 单据 approved at HQ: purchase order %s for %s, sales order %s with pick list %s for %s, transfer %s %s → %s\n",
		dd.po.Number, demoWarehouses[0], dd.so.Number, dd.pl.Number, demoStores[0], dd.tr.Number, demoWarehouses[0], demoStores[0])
	return dd, nil
}

// work does the documents' work at the sites: wh receives the order by
// scans and sends the transfer; shop picks the pick list and takes the
// transfer in; till sells at retail every second until ctx ends.
func (d *DemoCommand) work(ctx context.Context, dd *demoDocs, wh, shop, till *demoAgent) error {
	c := &http.Client{Timeout: 10 * time.Second, Transport: bearerTransport{d.agentToken}}
	n := 0
	do := func(a *demoAgent, path string, body map[string]any) error {
		n++
		return send(ctx, c, http.MethodPost, a.url+"/api/v1/work"+path, body, http.StatusCreated, fmt.Sprintf("demo-%s-%d", a.name, n))
	}
	held := func(a *demoAgent, kind, number string) error {
		deadline := time.Now().Add(time.Minute)
		for {
			rec, ok, err := a.app.Ledger.MasterRecord(ctx, kind, number)
			if err == nil && ok && !rec.GetDeleted() {
				return nil
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("%s did not get %s %s", a.name, kind, number)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	for _, h := range []struct {
		a            *demoAgent
		kind, number string
	}{{wh, syncproto.KindPurchaseOrder, dd.po.Number}, {wh, syncproto.KindTransfer, dd.tr.Number},
		{shop, syncproto.KindPickList, dd.pl.Number}, {shop, syncproto.KindTransfer, dd.tr.Number}} {
		if err := held(h.a, h.kind, h.number); err != nil {
			return err
		}
	}
	// Receiving: one scan per piece or case, as a receiver would.
	for _, l := range dd.po.Lines {
		for q := l.QtyBase; q > 0; q -= min(q, 4) {
			if err := do(wh, "/receive", map[string]any{"po": dd.po.Number, "sku": l.SKU, "qty": min(q, 4), "bin": "RECV"}); err != nil {
				return fmt.Errorf("receive: %w", err)
			}
		}
	}
	for _, l := range dd.pl.Lines {
		if err := do(shop, "/pick", map[string]any{"list": dd.pl.Number, "sku": l.SKU, "qty": l.QtyBase, "bin": "A-01"}); err != nil {
			return fmt.Errorf("pick: %w", err)
		}
	}
	if err := do(shop, "/pick/finish", map[string]any{"list": dd.pl.Number}); err != nil {
		return fmt.Errorf("finish the pick: %w", err)
	}
	for _, l := range dd.tr.Lines {
		if err := do(wh, "/transfer", map[string]any{"list": dd.tr.Number, "sku": l.SKU, "qty": l.QtyBase, "bin": "RECV"}); err != nil {
			return fmt.Errorf("transfer out: %w", err)
		}
		if err := do(shop, "/transfer", map[string]any{"list": dd.tr.Number, "sku": l.SKU, "qty": l.QtyBase, "bin": "A-01"}); err != nil {
			return fmt.Errorf("transfer in: %w", err)
		}
	}
	if err := do(shop, "/transfer/finish", map[string]any{"list": dd.tr.Number}); err != nil {
		return fmt.Errorf("finish the transfer: %w", err)
	}
	// The till: a sale a second of one of the order's items, paid in cash.
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		sku := dd.po.Lines[i%len(dd.po.Lines)].SKU
		price, err := d.retailPrice(ctx, till, sku)
		if err != nil {
			return err
		}
		qty := int64(1 + i%3)
		sale := map[string]any{"bin": "SHOP", "lines": []any{map[string]any{"sku": sku, "qty": qty}},
			"payments": []any{map[string]any{"method": "cash", "amount": price * qty, "tendered": (price*qty/10000 + 1) * 10000}}}
		// Sent as a till does after a timeout: twice, one key.
		key := fmt.Sprintf("demo-sale-%d", i)
		err = send(context.WithoutCancel(ctx), c, http.MethodPost, till.url+"/api/v1/work/retail/sale", sale, http.StatusCreated, key)
		if err == nil {
			err = send(context.WithoutCancel(ctx), c, http.MethodPost, till.url+"/api/v1/work/retail/sale", sale, http.StatusCreated, key)
		}
		if err != nil {
			dd.salesFailed.Add(1)
			continue
		}
		dd.sales.Add(1)
	}
}

// retailPrice is a SKU's retail price (fen per unit) as the till has it.
func (d *DemoCommand) retailPrice(ctx context.Context, a *demoAgent, sku string) (int64, error) {
	rec, ok, err := a.app.Ledger.MasterRecord(ctx, syncproto.KindProduct, sku)
	if err != nil || !ok {
		return 0, fmt.Errorf("%s has no product %s (%v)", a.name, sku, err)
	}
	p, err := syncproto.DecodeProductRecord(rec.GetBody())
	if err != nil {
		return 0, err
	}
	return p.GetPrice(), nil
}

// checkDocs waits for the cloud's projection and prints each document's
// status; every one must be done and the cloud must hold one retail sale
// per sale the till recorded (each sent twice).
func (d *DemoCommand) checkDocs(ctx context.Context, cloud *cloudapp.App, admin *auth.Principal, dd *demoDocs) (bool, error) {
	docsOK := func() (bool, []*docs.Document, int, error) {
		var out []*docs.Document
		all := true
		for i, x := range []*docs.Document{dd.po, dd.so, dd.pl, dd.tr} {
			typ := []string{docs.TypePurchaseOrder, docs.TypeSalesOrder, docs.TypePickList, docs.TypeTransfer}[i]
			got, err := cloud.Docs.Get(ctx, admin, typ, x.ID)
			if err != nil {
				return false, nil, 0, err
			}
			out = append(out, got)
			all = all && got.Status == docs.StatusDone
		}
		_, n, err := cloud.Docs.List(ctx, admin, docs.TypeRetailSale, docs.ListQuery{Limit: 1})
		return all && int64(n) == dd.sales.Load(), out, n, err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		ok, got, sales, err := docsOK()
		if err != nil {
			return false, err
		}
		if ok || time.Now().After(deadline) {
			d.printf("\n%s%s%s%s\n", pad("document 单据", 18), pad("type 类型", 12), pad("status 状态", 18), "lines: SKU done/ordered 完成/订单（基本单位）")
			for _, g := range got {
				t := docs.TypeOf(g.Type)
				line := ""
				for _, l := range g.Lines {
					line += fmt.Sprintf(" %s %d/%d", l.SKU, l.Done, l.QtyBase)
				}
				d.printf("%s%s%s%s\n", pad(g.Number, 18), pad(t.TitleZH, 12), pad(t.StatusZH(g.Status)+" "+g.Status, 18), line)
			}
			d.printf("retail sales 零售单 in the cloud: %d; recorded at the till: %d (each sent twice), failed requests %d\n",
				sales, dd.sales.Load(), dd.salesFailed.Load())
			if ok {
				d.printf("OK: every document done from the work at the sites; one retail sale per sale. / 单据均已完成，零售单无重复。\n")
			} else {
				d.printf("FAILED: documents not done or retail sales not matching. / 单据未完成或零售单不一致。\n")
			}
			return ok, nil
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// pad right-pads s with spaces to w terminal columns.
func pad(s string, w int) string {
	for n := displayWidth(s); n < w; n++ {
		s += " "
	}
	return s
}
