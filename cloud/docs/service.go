package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Permissions of purchase documents.
const (
	PermView    auth.Permission = "purchase.view"
	PermEdit    auth.Permission = "purchase.edit"
	PermApprove auth.Permission = "purchase.approve"
)

// MaxPage bounds one list page.
const MaxPage = 500

// Options configures a Service.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Zone is where a document's number day is taken (yyyymmdd of its
	// creation); China Standard Time (UTC+8) when nil.
	Zone *time.Location
}

// Service holds the rules of documents; it is safe for concurrent use.
type Service struct {
	store   Store
	now     func() time.Time
	zone    *time.Location
	publish func(ctx context.Context, tenant string, recs []master.Record)
}

// New returns the service over store.
func New(store Store, o Options) *Service {
	s := &Service{store: store, now: o.Now, zone: o.Zone}
	if s.now == nil {
		s.now = time.Now
	}
	if s.zone == nil {
		s.zone = time.FixedZone("CST", 8*3600)
	}
	return s
}

// OnPublish sets what is told of the master records a change published
// to agents (an approved order, a tombstone of a closed or void one),
// after it commits; masterdata.Service.OnPublish is the same.
func (s *Service) OnPublish(fn func(ctx context.Context, tenant string, recs []master.Record)) {
	s.publish = fn
}

// write is one change in progress.
type write struct {
	tx        Tx
	p         *auth.Principal
	now       time.Time
	published []master.Record
}

// tx runs fn in a write transaction and, once it commits, tells OnPublish
// what it published.
func (s *Service) tx(ctx context.Context, p *auth.Principal, fn func(w *write) error) error {
	var published []master.Record
	now := s.now().UTC().Truncate(time.Millisecond)
	err := s.store.DocTx(ctx, func(tx Tx) error {
		w := &write{tx: tx, p: p, now: now}
		if err := fn(w); err != nil {
			return err
		}
		published = w.published
		return nil
	})
	if err == nil && len(published) > 0 && s.publish != nil {
		s.publish(ctx, p.Tenant, published)
	}
	return err
}

func decodePO(r Row) (*PurchaseOrder, error) {
	po := new(PurchaseOrder)
	if err := json.Unmarshal(r.Body, po); err != nil {
		return nil, fmt.Errorf("decode purchase order %d: %w", r.ID, err)
	}
	po.ID, po.Number, po.Status, po.Version = r.ID, r.Number, r.Status, r.Version
	po.UpdatedAt, po.UpdatedBy = r.UpdatedAt, r.UpdatedBy
	return po, nil
}

// withProgress fills each line's received quantity and flag.
func withProgress(po *PurchaseOrder, prog map[int]Progress) {
	for i := range po.Lines {
		l := &po.Lines[i]
		l.Received = prog[l.Line].Qty
		l.OverReceived = OverReceived(l.QtyBase, l.Received, po.OverReceiptPercent)
	}
}

// GetPurchaseOrder returns an order with its lines and what each line
// received (permission purchase.view; the order's site in the caller's
// scope).
func (s *Service) GetPurchaseOrder(ctx context.Context, p *auth.Principal, id int64) (*PurchaseOrder, error) {
	if err := p.Can(PermView); err != nil {
		return nil, err
	}
	row, err := s.store.DocGet(ctx, p.Tenant, TypePurchaseOrder, id)
	if err != nil {
		return nil, err
	}
	if !p.Scope.Allows(row.Site) {
		return nil, notFound(id)
	}
	po, err := decodePO(row)
	if err != nil {
		return nil, err
	}
	prog, err := s.store.DocProgress(ctx, p.Tenant, row.Number)
	if err != nil {
		return nil, err
	}
	withProgress(po, prog)
	return po, nil
}

// ListQuery is what a list of orders asks for.
type ListQuery struct {
	Q        string
	Status   string
	Supplier string
	Site     string
	DateFrom string
	DateTo   string
	Offset   int
	Limit    int
}

// ListPurchaseOrders returns a page of orders, newest number first, and
// how many match in all (permission purchase.view; only the caller's
// sites). The orders carry no lines.
func (s *Service) ListPurchaseOrders(ctx context.Context, p *auth.Principal, lq ListQuery) ([]*PurchaseOrder, int, error) {
	if err := p.Can(PermView); err != nil {
		return nil, 0, err
	}
	var c masterdata.Checker
	q := Query{Type: TypePurchaseOrder, Q: strings.TrimSpace(lq.Q), Partner: strings.TrimSpace(lq.Supplier),
		Offset: lq.Offset, Limit: lq.Limit}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > MaxPage {
		c.Addf("limit", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", lq.Limit, MaxPage)
	}
	if q.Offset < 0 {
		c.Addf("offset", "%d is negative", "%d 不能为负数", lq.Offset)
	}
	if lq.Status != "" {
		for _, st := range strings.Split(lq.Status, ",") {
			if !slices.Contains(Statuses, st) {
				c.Addf("status", "%q: want one of %s", "%q 无效：应为 %s 之一", st, strings.Join(Statuses, ", "))
				continue
			}
			q.Statuses = append(q.Statuses, st)
		}
	}
	for _, d := range []struct {
		field string
		v     string
		to    *string
	}{{"date_from", lq.DateFrom, &q.DateFrom}, {"date_to", lq.DateTo, &q.DateTo}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			c.Addf(d.field, "%q is not a date yyyy-mm-dd", "%q 不是 yyyy-mm-dd 格式的日期", d.v)
			continue
		}
		*d.to = d.v
	}
	switch {
	case lq.Site != "":
		if err := p.CanSite(lq.Site); err != nil {
			return nil, 0, err
		}
		q.Sites = []string{lq.Site}
	case !p.Scope.All:
		q.Sites = append([]string{}, p.Scope.Sites...)
	}
	if err := c.Err(); err != nil {
		err.(*masterdata.ValidationError).In = "query"
		return nil, 0, err
	}
	rows, total, err := s.store.DocList(ctx, p.Tenant, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*PurchaseOrder, len(rows))
	for i, r := range rows {
		po, err := decodePO(r)
		if err != nil {
			return nil, 0, err
		}
		po.Lines = nil
		out[i] = po
	}
	return out, total, nil
}

// CreatePurchaseOrder checks and stores a new draft order under the next
// number of its creation day (permission purchase.edit; its site in the
// caller's scope) and returns it as stored.
func (s *Service) CreatePurchaseOrder(ctx context.Context, p *auth.Principal, in *PurchaseOrder) (*PurchaseOrder, error) {
	if err := p.Can(PermEdit); err != nil {
		return nil, err
	}
	var out *PurchaseOrder
	err := s.tx(ctx, p, func(w *write) error {
		po := clone(in)
		if err := check(ctx, w, po); err != nil {
			return err
		}
		day := w.now.In(s.zone).Format("20060102")
		n, err := w.tx.NextNumber(ctx, p.Tenant, PrefixPurchase, day)
		if err != nil {
			return err
		}
		po.Number = fmt.Sprintf("%s%s-%04d", PrefixPurchase, day, n)
		po.Status, po.Version = StatusDraft, 1
		po.CreatedAt, po.CreatedBy, po.UpdatedAt, po.UpdatedBy = w.now, p.User, w.now, p.User
		po.ApprovedAt, po.ApprovedBy, po.CloseReason = time.Time{}, "", ""
		row, err := rowOf(po)
		if err != nil {
			return err
		}
		if po.ID, err = w.tx.Insert(ctx, p.Tenant, row); err != nil {
			return err
		}
		out = po
		return audit(ctx, w, "create", nil, po)
	})
	return out, err
}

// UpdatePurchaseOrder replaces a draft order whose stored version is
// version (permission purchase.edit): an older version gives ErrStale, an
// order no longer a draft ErrState.
func (s *Service) UpdatePurchaseOrder(ctx context.Context, p *auth.Principal, id, version int64, in *PurchaseOrder) (*PurchaseOrder, error) {
	return s.change(ctx, p, id, version, "update", PermEdit, func(w *write, before *PurchaseOrder) (*PurchaseOrder, error) {
		if err := inStatus(before, "change", "修改", StatusDraft); err != nil {
			return nil, err
		}
		po := clone(in)
		if err := check(ctx, w, po); err != nil {
			return nil, err
		}
		po.Number, po.Status = before.Number, before.Status
		po.CreatedAt, po.CreatedBy = before.CreatedAt, before.CreatedBy
		po.ApprovedAt, po.ApprovedBy, po.CloseReason = time.Time{}, "", ""
		return po, nil
	})
}

// ApprovePurchaseOrder approves a draft at version (permission
// purchase.approve): its lines are checked against master data again and
// fixed from then on, and the order is published to its receiving site.
func (s *Service) ApprovePurchaseOrder(ctx context.Context, p *auth.Principal, id, version int64) (*PurchaseOrder, error) {
	return s.change(ctx, p, id, version, "approve", PermApprove, func(w *write, before *PurchaseOrder) (*PurchaseOrder, error) {
		if err := inStatus(before, "approve", "审核", StatusDraft); err != nil {
			return nil, err
		}
		po := clone(before)
		if err := check(ctx, w, po); err != nil {
			return nil, err
		}
		po.Status, po.ApprovedAt, po.ApprovedBy = StatusApproved, w.now, w.p.User
		// Receipts may have come before the approval (an unplanned
		// receipt linked by number): the status starts from them.
		prog, err := w.tx.Progress(ctx, w.p.Tenant, po.Number)
		if err != nil {
			return nil, err
		}
		po.Status = ReceiptStatus(po.Status, ordered(po), received(prog))
		rec, err := record(po)
		if err != nil {
			return nil, err
		}
		return po, w.put(ctx, rec)
	})
}

// ClosePurchaseOrder closes an approved or partly received order at
// version with a reason (permission purchase.approve): what was not
// received will not be. Its site's agents get a tombstone.
func (s *Service) ClosePurchaseOrder(ctx context.Context, p *auth.Principal, id, version int64, reason string) (*PurchaseOrder, error) {
	return s.change(ctx, p, id, version, "close", PermApprove, func(w *write, before *PurchaseOrder) (*PurchaseOrder, error) {
		if err := inStatus(before, "close", "关闭", StatusApproved, StatusPartlyReceived); err != nil {
			return nil, err
		}
		var c masterdata.Checker
		reason = strings.TrimSpace(reason)
		masterdata.CheckText(&c, "reason", reason, true, 200)
		if err := c.Err(); err != nil {
			return nil, err
		}
		po := clone(before)
		po.Status, po.CloseReason = StatusClosed, reason
		return po, w.put(ctx, tombstone(po))
	})
}

// VoidPurchaseOrder voids a draft or approved order at version while no
// movement names it (permission purchase.edit, and purchase.approve for
// an approved one); a linked one gives ErrLinked. An approved order's
// site gets a tombstone.
func (s *Service) VoidPurchaseOrder(ctx context.Context, p *auth.Principal, id, version int64) (*PurchaseOrder, error) {
	return s.change(ctx, p, id, version, "void", PermEdit, func(w *write, before *PurchaseOrder) (*PurchaseOrder, error) {
		// A partly received or received order is linked: the check
		// below says so.
		if err := inStatus(before, "void", "作废", StatusDraft, StatusApproved, StatusPartlyReceived, StatusReceived); err != nil {
			return nil, err
		}
		if before.Status != StatusDraft {
			if err := w.p.Can(PermApprove); err != nil {
				return nil, err
			}
		}
		prog, err := w.tx.Progress(ctx, w.p.Tenant, before.Number)
		if err != nil {
			return nil, err
		}
		var moves int64
		for _, pr := range prog {
			moves += pr.Moves
		}
		if moves > 0 {
			return nil, &Error{Err: ErrLinked,
				Msg:   fmt.Sprintf("purchase order %s has %d receipt movements: close it instead of voiding it", before.Number, moves),
				MsgZH: fmt.Sprintf("采购订单 %s 已有 %d 条入库记录，不能作废，请改为关闭", before.Number, moves)}
		}
		po := clone(before)
		po.Status = StatusVoid
		if before.Status != StatusDraft {
			return po, w.put(ctx, tombstone(po))
		}
		return po, nil
	})
}

// change loads the order at version for perm, lets next make the new
// one, and stores and audits it as the next version.
func (s *Service) change(ctx context.Context, p *auth.Principal, id, version int64, action string, perm auth.Permission,
	next func(w *write, before *PurchaseOrder) (*PurchaseOrder, error)) (*PurchaseOrder, error) {
	if err := p.Can(perm); err != nil {
		return nil, err
	}
	var out *PurchaseOrder
	err := s.tx(ctx, p, func(w *write) error {
		if version <= 0 {
			return &Error{Err: ErrVersionRequired, Msg: "send the version you changed in If-Match",
				MsgZH: "请在 If-Match 中提供所修改单据的版本号"}
		}
		row, err := w.tx.Get(ctx, p.Tenant, TypePurchaseOrder, id)
		if err != nil {
			return err
		}
		if !p.Scope.Allows(row.Site) {
			return notFound(id)
		}
		if row.Version != version {
			return &Error{Err: ErrStale,
				Msg: fmt.Sprintf("purchase order %s was changed by %s at %s (version %d, you had %d): reload it", row.Number,
					row.UpdatedBy, row.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"), row.Version, version),
				MsgZH: fmt.Sprintf("采购订单 %s 已被 %s 于 %s 修改（版本 %d，您的是 %d），请刷新后再操作", row.Number,
					row.UpdatedBy, row.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"), row.Version, version)}
		}
		before, err := decodePO(row)
		if err != nil {
			return err
		}
		po, err := next(w, before)
		if err != nil {
			return err
		}
		po.ID, po.Version, po.UpdatedAt, po.UpdatedBy = id, row.Version+1, w.now, p.User
		nr, err := rowOf(po)
		if err != nil {
			return err
		}
		if err := w.tx.Update(ctx, p.Tenant, nr); err != nil {
			return err
		}
		prog, err := w.tx.Progress(ctx, p.Tenant, po.Number)
		if err != nil {
			return err
		}
		withProgress(po, prog)
		out = po
		return audit(ctx, w, action, before, po)
	})
	return out, err
}

// inStatus refuses an action on an order in another status than those
// given.
func inStatus(po *PurchaseOrder, action, actionZH string, allowed ...string) error {
	if slices.Contains(allowed, po.Status) {
		return nil
	}
	zh := make([]string, len(allowed))
	for i, a := range allowed {
		zh[i] = StatusZH(a)
	}
	return &Error{Err: ErrState,
		Msg: fmt.Sprintf("purchase order %s is %s: only an order that is %s can be %s", po.Number, strings.ReplaceAll(po.Status, "_", " "),
			strings.ReplaceAll(strings.Join(allowed, " or "), "_", " "), map[string]string{"change": "changed", "approve": "approved",
				"close": "closed", "void": "voided"}[action]),
		MsgZH: fmt.Sprintf("采购订单 %s 为%s状态，只有%s的订单才能%s", po.Number, StatusZH(po.Status), strings.Join(zh, "或"), actionZH)}
}

func (w *write) put(ctx context.Context, rec master.Record) error {
	put, err := w.tx.PutMaster(ctx, w.p.Tenant, []master.Record{rec})
	if err != nil {
		return err
	}
	w.published = append(w.published, put...)
	return nil
}

func audit(ctx context.Context, w *write, action string, before, after *PurchaseOrder) error {
	var b any
	if before != nil {
		b = before
	}
	entry, err := auth.NewAudit(w.p, TypePurchaseOrder+"."+action, TypePurchaseOrder, strconv.FormatInt(after.ID, 10), b, after)
	if err != nil {
		return err
	}
	entry.At = w.now
	return w.tx.AppendAudit(ctx, entry)
}

func clone(po *PurchaseOrder) *PurchaseOrder {
	b, err := json.Marshal(po)
	if err != nil {
		panic(err)
	}
	out := new(PurchaseOrder)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

// rowOf is the stored form of po; the body leaves out what is derived.
func rowOf(po *PurchaseOrder) (Row, error) {
	v := clone(po)
	lines := make([]LineRow, len(v.Lines))
	for i := range v.Lines {
		l := &v.Lines[i]
		l.Received, l.OverReceived = 0, false
		lines[i] = LineRow{Line: l.Line, SKU: l.SKU, QtyBase: l.QtyBase}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Row{}, err
	}
	return Row{ID: v.ID, Type: TypePurchaseOrder, Number: v.Number, Status: v.Status, Partner: v.Supplier, Site: v.Site,
		Date: v.Date, Version: v.Version, Amounts: v.Amounts, Body: body, UpdatedAt: v.UpdatedAt, UpdatedBy: v.UpdatedBy,
		Lines: lines}, nil
}

func ordered(po *PurchaseOrder) map[int]int64 {
	m := make(map[int]int64, len(po.Lines))
	for _, l := range po.Lines {
		m[l.Line] += l.QtyBase
	}
	return m
}

func received(prog map[int]Progress) map[int]int64 {
	m := make(map[int]int64, len(prog))
	for line, p := range prog {
		m[line] = p.Qty
	}
	return m
}

// record is what the receiving site's agents get of an approved order.
func record(po *PurchaseOrder) (master.Record, error) {
	r := &pb.DocumentRecord{Partner: po.Supplier, PartnerName: po.SupplierName, Date: po.Date,
		ExpectedDate: po.ExpectedDate, TolerancePercent: po.OverReceiptPercent}
	for _, l := range po.Lines {
		r.Lines = append(r.Lines, &pb.DocumentLine{Line: int32(l.Line), Sku: l.SKU, Name: l.Name, Unit: l.Unit,
			Factor: l.Factor, Qty: l.Qty, QtyBase: l.QtyBase})
	}
	body, err := proto.Marshal(r)
	if err != nil {
		return master.Record{}, err
	}
	return master.Record{Site: po.Site, Kind: syncproto.KindPurchaseOrder, Key: po.Number, Body: body}, nil
}

func tombstone(po *PurchaseOrder) master.Record {
	return master.Record{Site: po.Site, Kind: syncproto.KindPurchaseOrder, Key: po.Number, Deleted: true}
}
