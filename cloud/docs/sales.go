package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// The sales rules (DOMAIN.md §1, §6): credit holds, reservations and
// availability, back orders, pick lists, quotes and purchase orders made
// from sales orders, and the stock feed for e-commerce.
//
// Until finance exists a customer's exposure is the undelivered part of
// their approved, not held sales orders (each line's gross × (qty_base −
// done) ÷ qty_base, half even) plus the gross of their shipments (none
// is invoiced yet). An order whose gross would take the exposure over the
// customer's credit limit (0: none) is approved held.
//
// Reserved (site, SKU) is what the approved, not held, not done, closed
// or void sales orders of the site still have to ship of the SKU
// (qty_base − done per line, never below 0); available = on-hand at the
// site (every bin and lot) − reserved; on order is what approved
// purchase orders of the site have still to receive.

// SalesFilter selects documents for the sales rules.
type SalesFilter struct {
	Type     string
	Statuses []string
	// Site, Partner, Ref keep the documents with that site, partner,
	// source number; SKU those with a line of it; "" keeps all.
	Site, Partner, Ref, SKU string
}

// SalesReader is what the sales rules read, on the store or in a write
// transaction.
type SalesReader interface {
	// FindDocs returns the documents matching f, with their lines, in
	// number order.
	FindDocs(ctx context.Context, tenant string, f SalesFilter) ([]Row, error)
	// ChildDone is Store.DocChildDone.
	ChildDone(ctx context.Context, tenant, number string) (map[int]int64, error)
	// Progress is Store.DocProgress.
	Progress(ctx context.Context, tenant, number string) (map[int]Progress, error)
	// OnHand returns the on-hand quantity of sku at site, over every bin
	// and lot.
	OnHand(ctx context.Context, tenant, site, sku string) (int64, error)
}

// StockKey is a SKU at a site.
type StockKey struct {
	Site string `json:"site"`
	SKU  string `json:"sku"`
}

// FeedKey is a key of the stock feed and the sequence number of its
// latest change.
type FeedKey struct {
	StockKey
	Seq int64
}

// SalesTx is a Tx that also reads for the sales rules and marks keys of
// the stock feed.
type SalesTx interface {
	SalesReader
	// MarkStock gives each key the tenant's next sequence numbers in the
	// stock feed; the tenant's counter stays locked until commit, so the
	// numbers become visible in order.
	MarkStock(ctx context.Context, tenant string, keys []StockKey) error
}

// SalesStore is a Store that has the sales reads and the stock feed.
type SalesStore interface {
	// SalesRead returns the reader over the store.
	SalesRead() SalesReader
	// StockFeed returns at most limit keys of the tenant whose sequence
	// number is above after, in sequence order.
	StockFeed(ctx context.Context, tenant string, after int64, limit int) ([]FeedKey, error)
}

// errNoSales is a store without the sales capability.
var errNoSales = fmt.Errorf("docs: the store has no sales reads (SalesStore, SalesTx)")

func init() {
	hooksOf[TypeSalesOrder] = hooks{check: checkSalesOrder, approve: approveSalesOrder, changed: salesOrderChanged}
	hooksOf[TypePickList] = hooks{check: checkPickList}
}

func (w *write) sales() (SalesTx, error) {
	st, ok := w.tx.(SalesTx)
	if !ok {
		return nil, errNoSales
	}
	return st, nil
}

// checkSalesOrder drops what a client sent in the read-only fields the
// sales rules fill at approval.
func checkSalesOrder(ctx context.Context, w *write, t *Type, d *Document, c *masterdata.Checker) error {
	for i := range d.Lines {
		d.Lines[i].BackOrder = 0
	}
	d.ReleaseReason = ""
	return nil
}

// checkPickList refuses a pick list for a held, closed or done sales
// order.
func checkPickList(ctx context.Context, w *write, t *Type, d *Document, c *masterdata.Checker) error {
	if d.Ref == "" {
		return nil
	}
	r, ok, err := w.tx.ByNumber(ctx, w.p.Tenant, d.Ref)
	if err != nil || !ok || r.Type != TypeSalesOrder {
		return err // the generic check names a bad ref
	}
	switch {
	case held(r):
		c.Addf("ref", "sales order %s is held over the customer's credit limit: release it first",
			"销售订单 %s 因超出客户信用额度被冻结，请先解除冻结", d.Ref)
	case r.Status == StatusClosed || r.Status == StatusDone:
		c.Add("ref", fmt.Sprintf("sales order %s is %s", d.Ref, r.Status),
			fmt.Sprintf("销售订单 %s 为%s状态", d.Ref, TypeOf(TypeSalesOrder).StatusZH(r.Status)))
	}
	return nil
}

// held reports whether a stored document is held.
func held(r Row) bool {
	var h struct {
		Hold bool `json:"hold"`
	}
	return json.Unmarshal(r.Body, &h) == nil && h.Hold
}

// reserves reports whether a sales order reserves stock.
func reserves(d *Document) bool {
	return (d.Status == StatusApproved || d.Status == StatusPartlyDone) && !d.Hold
}

// approveSalesOrder flags the lines beyond availability (back order) and
// holds the order when it takes the customer over the credit limit.
func approveSalesOrder(ctx context.Context, w *write, t *Type, d *Document) error {
	st, err := w.sales()
	if err != nil {
		return err
	}
	tenant := w.p.Tenant
	left := map[string]int64{}
	for i := range d.Lines {
		l := &d.Lines[i]
		a, ok := left[l.SKU]
		if !ok {
			av, err := availability(ctx, st, tenant, d.Site, l.SKU, d.Number)
			if err != nil {
				return err
			}
			a = av.Available
		}
		need := max(0, l.QtyBase-l.Done)
		l.BackOrder = max(0, need-max(0, a))
		left[l.SKU] = a - need
	}
	cust, ok, err := w.tx.MasterByCode(ctx, tenant, masterdata.KindCustomer, d.Partner)
	if err != nil || !ok {
		return err
	}
	var cu masterdata.Customer
	if err := json.Unmarshal(cust.Body, &cu); err != nil {
		return fmt.Errorf("decode customer %s: %w", d.Partner, err)
	}
	if cu.CreditLimit <= 0 {
		return nil
	}
	exp, err := exposure(ctx, st, tenant, d.Partner, d.Number)
	if err != nil {
		return err
	}
	if exp+d.Gross > cu.CreditLimit {
		d.Hold = true
		d.HoldReason = fmt.Sprintf("over the credit limit: exposure %d + this order %d = %d fen > limit %d fen; "+
			"超出信用额度：已占用 %d 分 + 本单 %d 分 = %d 分，超过额度 %d 分",
			exp, d.Gross, exp+d.Gross, cu.CreditLimit, exp, d.Gross, exp+d.Gross, cu.CreditLimit)
	}
	return nil
}

// salesOrderChanged marks the order's keys in the stock feed when it
// reserved before or reserves now.
func salesOrderChanged(ctx context.Context, w *write, t *Type, before, after *Document) error {
	if !reserves(before) && !reserves(after) {
		return nil
	}
	st, err := w.sales()
	if err != nil {
		return err
	}
	return st.MarkStock(ctx, w.p.Tenant, keysOf(before, after))
}

// keysOf returns the (site, SKU) of every line of ds, sorted, once each.
func keysOf(ds ...*Document) []StockKey {
	var out []StockKey
	for _, d := range ds {
		for _, l := range d.Lines {
			out = append(out, StockKey{Site: d.Site, SKU: l.SKU})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Site != out[j].Site {
			return out[i].Site < out[j].Site
		}
		return out[i].SKU < out[j].SKU
	})
	return slices.Compact(out)
}

// mulDivHalfEven returns a × b ÷ c rounded half to even, for a, b ≥ 0,
// c > 0 and b ≤ c (so the result fits), without overflowing.
func mulDivHalfEven(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c))
	switch {
	case r > uint64(c)-r:
		q++
	case r == uint64(c)-r && q%2 == 1:
		q++
	}
	return int64(q)
}

// exposure returns the customer's exposure (see the top of this file),
// leaving out the sales order numbered exclude.
func exposure(ctx context.Context, r SalesReader, tenant, customer, exclude string) (int64, error) {
	orders, err := r.FindDocs(ctx, tenant, SalesFilter{Type: TypeSalesOrder, Partner: customer,
		Statuses: []string{StatusApproved, StatusPartlyDone}})
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, o := range orders {
		if o.Number == exclude || held(o) {
			continue
		}
		d, err := decode(TypeOf(TypeSalesOrder), o)
		if err != nil {
			return 0, err
		}
		done, err := r.ChildDone(ctx, tenant, o.Number)
		if err != nil {
			return 0, err
		}
		for _, l := range d.Lines {
			if l.QtyBase <= 0 {
				continue
			}
			rest := l.QtyBase - min(max(done[l.Line], 0), l.QtyBase)
			sum += mulDivHalfEven(l.Gross, rest, l.QtyBase)
		}
	}
	shipped, err := r.FindDocs(ctx, tenant, SalesFilter{Type: TypeShipment, Partner: customer,
		Statuses: []string{StatusDraft, StatusApproved, StatusPartlyDone, StatusDone, StatusClosed}})
	if err != nil {
		return 0, err
	}
	for _, s := range shipped {
		sum += s.Gross
	}
	return sum, nil
}

// Availability is what a site has of a SKU for sale, in base units.
type Availability struct {
	Site string `json:"site"`
	SKU  string `json:"sku"`
	// OnHand is on-hand at the site over every bin and lot.
	OnHand int64 `json:"on_hand" doc:"On-hand at the site 现存量."`
	// Reserved is what open, not held sales orders of the site still
	// have to ship.
	Reserved int64 `json:"reserved" doc:"Reserved by approved sales orders 已预留."`
	// Available is OnHand − Reserved (negative when oversold).
	Available int64 `json:"available" doc:"On-hand − reserved 可用量."`
	// OnOrder is what approved purchase orders of the site still have to
	// receive.
	OnOrder int64 `json:"on_order" doc:"Still to receive on approved purchase orders 在途（采购未到）."`
}

// availability computes (site, sku) leaving out the sales order numbered
// exclude (an order approved now, or whose shortfall is asked).
func availability(ctx context.Context, r SalesReader, tenant, site, sku, exclude string) (Availability, error) {
	a := Availability{Site: site, SKU: sku}
	var err error
	if a.OnHand, err = r.OnHand(ctx, tenant, site, sku); err != nil {
		return a, err
	}
	open := []string{StatusApproved, StatusPartlyDone}
	orders, err := r.FindDocs(ctx, tenant, SalesFilter{Type: TypeSalesOrder, Statuses: open, Site: site, SKU: sku})
	if err != nil {
		return a, err
	}
	for _, o := range orders {
		if o.Number == exclude || held(o) {
			continue
		}
		done, err := r.ChildDone(ctx, tenant, o.Number)
		if err != nil {
			return a, err
		}
		for _, l := range o.Lines {
			if l.SKU == sku {
				a.Reserved += max(0, l.QtyBase-done[l.Line])
			}
		}
	}
	a.Available = a.OnHand - a.Reserved
	pos, err := r.FindDocs(ctx, tenant, SalesFilter{Type: TypePurchaseOrder, Statuses: open, Site: site, SKU: sku})
	if err != nil {
		return a, err
	}
	for _, o := range pos {
		prog, err := r.Progress(ctx, tenant, o.Number)
		if err != nil {
			return a, err
		}
		for _, l := range o.Lines {
			if l.SKU == sku {
				a.OnOrder += max(0, l.QtyBase-MeasureIn.Done(prog[l.Line]))
			}
		}
	}
	return a, nil
}

func (s *Service) salesStore() (SalesStore, error) {
	ss, ok := s.store.(SalesStore)
	if !ok {
		return nil, errNoSales
	}
	return ss, nil
}

// Availability returns what site has of sku for sale (permission
// sales.view; the site in the caller's scope).
func (s *Service) Availability(ctx context.Context, p *auth.Principal, site, sku string) (Availability, error) {
	if err := p.Can(TypeOf(TypeSalesOrder).PermView()); err != nil {
		return Availability{}, err
	}
	site, sku = strings.TrimSpace(site), strings.TrimSpace(sku)
	var c masterdata.Checker
	if site == "" {
		c.Add("site", "is required", "不能为空")
	}
	if sku == "" {
		c.Add("sku", "is required", "不能为空")
	}
	if err := c.Err(); err != nil {
		err.(*masterdata.ValidationError).In = "query"
		return Availability{}, err
	}
	if err := p.CanSite(site); err != nil {
		return Availability{}, err
	}
	ss, err := s.salesStore()
	if err != nil {
		return Availability{}, err
	}
	return availability(ctx, ss.SalesRead(), p.Tenant, site, sku, "")
}

// FeedItem is one key of the stock feed with its availability now.
type FeedItem struct {
	Availability
	// Seq is the sequence number of the key's latest change.
	Seq int64 `json:"seq"`
}

// Feed is a page of the stock feed.
type Feed struct {
	Items []FeedItem `json:"items" nullable:"false"`
	// Cursor is what to send next time: the last item's Seq, or the
	// cursor sent when there was nothing new.
	Cursor int64 `json:"cursor,string"`
}

// MaxFeed bounds one page of the stock feed.
const MaxFeed = 500

// StockFeed returns the availability of the tenant's (site, SKU) keys
// that changed after cursor (0: every key ever marked), in the order of
// their latest change, at most limit (default 100), and the cursor to
// send next (permission sales.view; the caller's sites only, so a
// caller limited to some sites still moves over the others' keys).
//
// How the cursor never misses a change: every change that moves a key's
// availability marks the key with the tenant's next sequence number in
// the same transaction — the documents projection for each movement and
// count it reads (on-hand changes only through events, and the
// projection reads every event up to each replica's watermark, so none
// is skipped) and for the sales orders whose pick lists it moved, and a
// sales order's change (approval, hold, release, close, void) in its own
// transaction. Marking takes the tenant's counter row until commit, so
// the tenant's numbers commit in order: once a reader has seen n, every
// later change gets a number above n. The quantities are read when the
// page is asked for, so a key changed twice shows its latest value once.
// On-hand changes reach the feed as the projection follows ingest (its
// lag, not lost).
func (s *Service) StockFeed(ctx context.Context, p *auth.Principal, cursor int64, limit int) (*Feed, error) {
	if err := p.Can(TypeOf(TypeSalesOrder).PermView()); err != nil {
		return nil, err
	}
	var c masterdata.Checker
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > MaxFeed {
		c.Addf("limit", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", limit, MaxFeed)
	}
	if cursor < 0 {
		c.Addf("cursor", "%d is negative", "%d 不能为负数", cursor)
	}
	if err := c.Err(); err != nil {
		err.(*masterdata.ValidationError).In = "query"
		return nil, err
	}
	ss, err := s.salesStore()
	if err != nil {
		return nil, err
	}
	keys, err := ss.StockFeed(ctx, p.Tenant, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := &Feed{Items: []FeedItem{}, Cursor: cursor}
	r := ss.SalesRead()
	for _, k := range keys {
		out.Cursor = k.Seq
		if !p.Scope.Allows(k.Site) {
			continue
		}
		a, err := availability(ctx, r, p.Tenant, k.Site, k.SKU, "")
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, FeedItem{Availability: a, Seq: k.Seq})
	}
	return out, nil
}

// Release releases a held sales order at version with a reason
// (permission sales.approve): it reserves stock and may get pick lists
// from then on.
func (s *Service) Release(ctx context.Context, p *auth.Principal, id, version int64, reason string) (*Document, error) {
	return s.change(ctx, p, TypeSalesOrder, id, version, "release", (*Type).PermApprove, func(w *write, t *Type, before *Document) (*Document, error) {
		if err := inStatus(t, before, "release", "解除冻结", StatusApproved, StatusPartlyDone); err != nil {
			return nil, err
		}
		if !before.Hold {
			return nil, &Error{Err: ErrState, Msg: fmt.Sprintf("sales order %s is not held", before.Number),
				MsgZH: fmt.Sprintf("销售订单 %s 未被冻结", before.Number)}
		}
		var c masterdata.Checker
		reason = strings.TrimSpace(reason)
		masterdata.CheckText(&c, "reason", reason, true, 200)
		if err := c.Err(); err != nil {
			return nil, err
		}
		d := clone(before)
		d.Hold, d.ReleaseReason = false, reason
		return d, nil
	})
}

// source loads a document of type typ for making another from it, in w,
// checking the caller's scope.
func (w *write) source(ctx context.Context, typ string, id int64) (*Type, *Document, Row, error) {
	t := TypeOf(typ)
	row, err := w.tx.Get(ctx, w.p.Tenant, typ, id)
	if err != nil {
		return nil, nil, row, err
	}
	if !w.p.Scope.Allows(row.Site) {
		return nil, nil, row, notFound(t, id)
	}
	d, err := decode(t, row)
	return t, d, row, err
}

// approveNew approves a document w just created (version 1), publishing
// it, as Approve would.
func (w *write) approveNew(ctx context.Context, t *Type, d *Document) error {
	before := clone(d)
	d.Status, d.ApprovedAt, d.ApprovedBy, d.Version = StatusApproved, w.now, w.p.User, d.Version+1
	if err := w.publishDoc(ctx, t, d); err != nil {
		return err
	}
	row, err := rowOf(t, d)
	if err != nil {
		return err
	}
	if err := w.tx.Update(ctx, w.p.Tenant, row); err != nil {
		return err
	}
	return audit(ctx, w, t, "approve", before, d)
}

// today is the document date of something made now.
func (w *write) today() string { return w.now.In(w.svc.zone).Format("2006-01-02") }

// PickList makes and approves (so it is sent to the shipping site's
// agents) a pick list of what the sales order id still has to pick: per
// line, ordered − what its not void pick lists already have
// (permissions sales.edit and sales.approve). site is the shipping site,
// the order's when "". A held, draft, closed, done or void order, or one
// with nothing left, gives ErrState.
func (s *Service) PickList(ctx context.Context, p *auth.Principal, id int64, site string) (*Document, error) {
	so, pl := TypeOf(TypeSalesOrder), TypeOf(TypePickList)
	for _, perm := range []auth.Permission{pl.PermEdit(), pl.PermApprove()} {
		if err := p.Can(perm); err != nil {
			return nil, err
		}
	}
	var out *Document
	err := s.tx(ctx, p, func(w *write) error {
		st, err := w.sales()
		if err != nil {
			return err
		}
		_, o, _, err := w.source(ctx, TypeSalesOrder, id)
		if err != nil {
			return err
		}
		if err := inStatus(so, o, "pick", "生成拣货单", StatusApproved, StatusPartlyDone); err != nil {
			return err
		}
		if o.Hold {
			return &Error{Err: ErrState, Msg: fmt.Sprintf("sales order %s is held over the customer's credit limit: release it first", o.Number),
				MsgZH: fmt.Sprintf("销售订单 %s 因超出客户信用额度被冻结，请先解除冻结", o.Number)}
		}
		lists, err := st.FindDocs(ctx, p.Tenant, SalesFilter{Type: TypePickList, Ref: o.Number,
			Statuses: []string{StatusDraft, StatusApproved, StatusPartlyDone, StatusDone, StatusClosed}})
		if err != nil {
			return err
		}
		taken := map[int]int64{}
		for _, l := range lists {
			for _, ln := range l.Lines {
				taken[ln.RefLine] += ln.QtyBase
			}
		}
		d := &Document{Partner: o.Partner, Site: strings.TrimSpace(site), Date: w.today(), Ref: o.Number, ExpectedDate: o.ExpectedDate}
		if d.Site == "" {
			d.Site = o.Site
		}
		if d.ExpectedDate != "" && d.ExpectedDate < d.Date {
			d.ExpectedDate = ""
		}
		for _, l := range o.Lines {
			if rest := l.QtyBase - taken[l.Line]; rest > 0 {
				d.Lines = append(d.Lines, Line{SKU: l.SKU, Qty: rest, Bin: l.Bin, Lot: l.Lot, RefLine: l.Line})
			}
		}
		if len(d.Lines) == 0 {
			return &Error{Err: ErrState, Msg: fmt.Sprintf("sales order %s has nothing left to pick: its pick lists have every line", o.Number),
				MsgZH: fmt.Sprintf("销售订单 %s 已全部生成拣货单，没有待拣的数量", o.Number)}
		}
		if err := w.create(ctx, pl, d); err != nil {
			return err
		}
		if err := w.approveNew(ctx, pl, d); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// OrderFromQuote makes a draft sales order of an approved quote (its
// customer, site, prices; Ref the quote, each line's RefLine its line)
// and marks the quote done (已转订单) (permission sales.edit).
func (s *Service) OrderFromQuote(ctx context.Context, p *auth.Principal, id int64) (*Document, error) {
	qt, so := TypeOf(TypeQuote), TypeOf(TypeSalesOrder)
	for _, perm := range []auth.Permission{qt.PermEdit(), so.PermEdit()} {
		if err := p.Can(perm); err != nil {
			return nil, err
		}
	}
	var out *Document
	err := s.tx(ctx, p, func(w *write) error {
		_, q, row, err := w.source(ctx, TypeQuote, id)
		if err != nil {
			return err
		}
		if err := inStatus(qt, q, "order", "转销售订单", StatusApproved); err != nil {
			return err
		}
		d := &Document{Partner: q.Partner, Site: q.Site, Date: w.today(), ExpectedDate: q.ExpectedDate, TaxIncluded: q.TaxIncluded,
			Ref: q.Number, Note: q.Note}
		if d.ExpectedDate != "" && d.ExpectedDate < d.Date {
			d.ExpectedDate = ""
		}
		for _, l := range q.Lines {
			d.Lines = append(d.Lines, Line{SKU: l.SKU, Unit: l.Unit, Qty: l.Qty, Price: l.Price, VATRate: l.VATRate,
				Bin: l.Bin, Lot: l.Lot, Note: l.Note, RefLine: l.Line})
		}
		if err := w.create(ctx, so, d); err != nil {
			return err
		}
		after := clone(q)
		after.Status, after.Version, after.UpdatedAt, after.UpdatedBy = StatusDone, row.Version+1, w.now, p.User
		nr, err := rowOf(qt, after)
		if err != nil {
			return err
		}
		if err := w.tx.Update(ctx, p.Tenant, nr); err != nil {
			return err
		}
		if err := audit(ctx, w, qt, "order", q, after); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// PurchaseForOrder makes a draft purchase order from supplier of the
// sales order id's shortfall (以销定购): per SKU, what the order still
// has to ship − what its site has available without this order's own
// reservation, where positive; in base units at price 0, Ref the sales
// order (permissions purchase.edit and sales.view). An order that is not
// approved or partly done, or has no shortfall, gives ErrState.
func (s *Service) PurchaseForOrder(ctx context.Context, p *auth.Principal, id int64, supplier string) (*Document, error) {
	so, po := TypeOf(TypeSalesOrder), TypeOf(TypePurchaseOrder)
	for _, perm := range []auth.Permission{so.PermView(), po.PermEdit()} {
		if err := p.Can(perm); err != nil {
			return nil, err
		}
	}
	var out *Document
	err := s.tx(ctx, p, func(w *write) error {
		st, err := w.sales()
		if err != nil {
			return err
		}
		_, o, _, err := w.source(ctx, TypeSalesOrder, id)
		if err != nil {
			return err
		}
		if err := inStatus(so, o, "purchase", "以销定购", StatusApproved, StatusPartlyDone); err != nil {
			return err
		}
		done, err := st.ChildDone(ctx, p.Tenant, o.Number)
		if err != nil {
			return err
		}
		need := map[string]int64{}
		var skus []string
		for _, l := range o.Lines {
			if _, ok := need[l.SKU]; !ok {
				skus = append(skus, l.SKU)
			}
			need[l.SKU] += max(0, l.QtyBase-done[l.Line])
		}
		d := &Document{Partner: strings.TrimSpace(supplier), Site: o.Site, Date: w.today(), Ref: o.Number}
		for _, sku := range skus {
			a, err := availability(ctx, st, p.Tenant, o.Site, sku, o.Number)
			if err != nil {
				return err
			}
			if short := need[sku] - max(0, a.Available); short > 0 {
				d.Lines = append(d.Lines, Line{SKU: sku, Qty: short})
			}
		}
		if len(d.Lines) == 0 {
			return &Error{Err: ErrState, Msg: fmt.Sprintf("site %s has what sales order %s needs: nothing to buy", o.Site, o.Number),
				MsgZH: fmt.Sprintf("%s 的可用库存足够销售订单 %s，无需采购", o.Site, o.Number)}
		}
		if err := w.create(ctx, po, d); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}
