package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
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
	// FontPath is the CJK TrueType font printed documents use
	// (pdfdoc.Options.FontPath); empty: pdfdoc.DefaultFontPaths.
	FontPath string
}

// Service holds the rules of documents; it is safe for concurrent use.
type Service struct {
	store   Store
	now     func() time.Time
	zone    *time.Location
	publish func(ctx context.Context, tenant string, recs []master.Record)
	events  func(ctx context.Context, tenant string, evs []syncproto.Event)
	// refused counts the edge documents the projection could not make a
	// document of.
	refused atomic.Int64
	// printing holds the PDF renderer once a font was found (print.go).
	printing printing
}

// EdgeRefused returns how many edge documents the projection refused (a
// payload that does not decode) since the service started.
func (s *Service) EdgeRefused() int64 { return s.refused.Load() }

// New returns the service over store.
func New(store Store, o Options) *Service {
	s := &Service{store: store, now: o.Now, zone: o.Zone}
	s.printing.fontPath = o.FontPath
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
	svc       *Service
	// own are the events the change wrote as the cloud's own replica.
	own []syncproto.Event
}

// tx runs fn in a write transaction and, once it commits, tells OnPublish
// what it published.
func (s *Service) tx(ctx context.Context, p *auth.Principal, fn func(w *write) error) error {
	var published []master.Record
	var own []syncproto.Event
	now := s.now().UTC().Truncate(time.Millisecond)
	err := s.store.DocTx(ctx, func(tx Tx) error {
		w := &write{tx: tx, p: p, now: now, svc: s}
		if err := fn(w); err != nil {
			return err
		}
		published, own = w.published, w.own
		return nil
	})
	if err == nil && len(published) > 0 && s.publish != nil {
		s.publish(ctx, p.Tenant, published)
	}
	if err == nil && len(own) > 0 && s.events != nil {
		s.events(ctx, p.Tenant, own)
	}
	return err
}

// OnEvents sets what is told of the events a change wrote as the cloud's
// own replica (to push them to the site's agents), after it commits.
func (s *Service) OnEvents(fn func(ctx context.Context, tenant string, evs []syncproto.Event)) {
	s.events = fn
}

// hooks are what a type adds to the generic rules; each may be nil.
type hooks struct {
	// check runs after the generic checks of a create, update or
	// approval, with the problems found so far in c.
	check func(ctx context.Context, w *write, t *Type, d *Document, c *masterdata.Checker) error
	// approve runs when a draft is approved, after the status is set and
	// before the document is stored and published (credit holds, say).
	approve func(ctx context.Context, w *write, t *Type, d *Document) error
	// record adds to the master record an approved document is sent as.
	record func(d *Document, r *pb.DocumentRecord)
	// changed runs when a stored document changes (update, approve,
	// close, void, release), after the new version is made and before it
	// is stored: what follows the document (the stock feed) is told in
	// the same transaction.
	changed func(ctx context.Context, w *write, t *Type, before, after *Document) error
}

// hooksOf holds each type's hooks, set by the files of the types.
var hooksOf = map[string]hooks{}

// typeFor returns the type of name or ErrNotFound.
func typeFor(name string) (*Type, error) {
	if t := TypeOf(name); t != nil {
		return t, nil
	}
	return nil, &Error{Err: ErrNotFound, Msg: fmt.Sprintf("no document type %q", name), MsgZH: fmt.Sprintf("没有单据类型 %q", name)}
}

func decode(t *Type, r Row) (*Document, error) {
	d := new(Document)
	if err := json.Unmarshal(r.Body, d); err != nil {
		return nil, fmt.Errorf("decode %s %d: %w", t.Name, r.ID, err)
	}
	if d.Partner == "" && t.Name == TypePurchaseOrder {
		// Orders stored before documents were generic named the
		// supplier "supplier" and the tolerance "over_receipt_percent".
		var old struct {
			Supplier           string `json:"supplier"`
			SupplierName       string `json:"supplier_name"`
			OverReceiptPercent int32  `json:"over_receipt_percent"`
		}
		if json.Unmarshal(r.Body, &old) == nil {
			d.Partner, d.PartnerName, d.TolerancePercent = old.Supplier, old.SupplierName, old.OverReceiptPercent
		}
	}
	d.ID, d.Type, d.Number, d.Status, d.Version = r.ID, t.Name, r.Number, r.Status, r.Version
	d.UpdatedAt, d.UpdatedBy = r.UpdatedAt, r.UpdatedBy
	return d, nil
}

// withProgress fills each line's done, in, out and over from the
// progress of its own lines and, for MeasureChildren, of its children's
// lines (children[line]).
func withProgress(t *Type, d *Document, prog map[int]Progress, children map[int]int64) {
	d.Elsewhere = nil
	if e, ok := prog[ElsewhereLine]; ok {
		d.Elsewhere = &e
	}
	for i := range d.Lines {
		l := &d.Lines[i]
		p := prog[l.Line]
		l.In, l.Out = p.In, p.Out
		l.Done = t.Measure.Done(p)
		if t.Measure == MeasureChildren {
			l.Done = children[l.Line]
		}
		l.Over = Over(l.QtyBase, l.Done, d.TolerancePercent)
	}
}

// progress reads what a document's lines did, on the store or in a
// transaction.
func (s *Service) progress(ctx context.Context, tx Tx, tenant string, t *Type, d *Document) (map[int]Progress, map[int]int64, error) {
	read := s.store.DocProgress
	if tx != nil {
		read = tx.Progress
	}
	key := d.Number
	if d.EdgeID != "" {
		key = d.EdgeID
	}
	prog, err := read(ctx, tenant, key)
	if err != nil || t.Measure != MeasureChildren {
		return prog, nil, err
	}
	children, err := s.store.DocChildDone(ctx, tenant, d.Number)
	return prog, children, err
}

// Get returns a document of type typ with its lines, what each line did,
// and its links (permission module.view; the document's site, or its
// destination, in the caller's scope).
func (s *Service) Get(ctx context.Context, p *auth.Principal, typ string, id int64) (*Document, error) {
	t, err := typeFor(typ)
	if err != nil {
		return nil, err
	}
	if err := p.Can(t.PermView()); err != nil {
		return nil, err
	}
	row, err := s.store.DocGet(ctx, p.Tenant, typ, id)
	if err != nil {
		return nil, err
	}
	if !p.Scope.Allows(row.Site) && (row.ToSite == "" || !p.Scope.Allows(row.ToSite)) {
		return nil, notFound(t, id)
	}
	d, err := decode(t, row)
	if err != nil {
		return nil, err
	}
	prog, children, err := s.progress(ctx, nil, p.Tenant, t, d)
	if err != nil {
		return nil, err
	}
	withProgress(t, d, prog, children)
	if d.Links, err = s.store.DocLinks(ctx, p.Tenant, d.Number, d.Ref); err != nil {
		return nil, err
	}
	return d, nil
}

// ListQuery is what a list of documents asks for.
type ListQuery struct {
	Q        string
	Status   string
	Partner  string
	Site     string
	DateFrom string
	DateTo   string
	// Ref keeps the documents made from that number.
	Ref    string
	Offset int
	Limit  int
}

// List returns a page of documents of type typ, newest number first,
// and how many match in all (permission module.view; only the caller's
// sites). The documents carry no lines.
func (s *Service) List(ctx context.Context, p *auth.Principal, typ string, lq ListQuery) ([]*Document, int, error) {
	t, err := typeFor(typ)
	if err != nil {
		return nil, 0, err
	}
	if err := p.Can(t.PermView()); err != nil {
		return nil, 0, err
	}
	var c masterdata.Checker
	q := Query{Type: typ, Q: strings.TrimSpace(lq.Q), Partner: strings.TrimSpace(lq.Partner), Ref: strings.TrimSpace(lq.Ref),
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
	out := make([]*Document, len(rows))
	for i, r := range rows {
		d, err := decode(t, r)
		if err != nil {
			return nil, 0, err
		}
		d.Lines = nil
		out[i] = d
	}
	return out, total, nil
}

// Create checks and stores a new draft of type typ under the next number
// of its creation day (permission module.edit; its sites in the caller's
// scope) and returns it as stored. A document with an external id that
// one of the type already has is not made again: that one is returned,
// with created false.
func (s *Service) Create(ctx context.Context, p *auth.Principal, typ string, in *Document) (out *Document, err error) {
	out, _, err = s.CreateOnce(ctx, p, typ, in)
	return out, err
}

// CreateOnce is Create, also saying whether it made the document (false:
// an existing one of the same external id was returned).
func (s *Service) CreateOnce(ctx context.Context, p *auth.Principal, typ string, in *Document) (*Document, bool, error) {
	t, err := typeFor(typ)
	if err != nil {
		return nil, false, err
	}
	if t.SitesOnly() {
		return nil, false, &Error{Err: ErrState, Msg: fmt.Sprintf("a %s is made at the sites, not in the console", t.Title),
			MsgZH: fmt.Sprintf("%s由门店/仓库的终端生成，不能在后台新建", t.TitleZH)}
	}
	if err := p.Can(t.PermEdit()); err != nil {
		return nil, false, err
	}
	var out *Document
	created := true
	err = s.tx(ctx, p, func(w *write) error {
		d := clone(in)
		d.ExternalID = strings.TrimSpace(d.ExternalID)
		if d.ExternalID != "" {
			row, ok, err := w.tx.ByExternalID(ctx, p.Tenant, typ, d.ExternalID)
			if err != nil {
				return err
			}
			if ok {
				if out, err = decode(t, row); err != nil {
					return err
				}
				created = false
				return nil
			}
		}
		if err := w.create(ctx, t, d); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, created, err
}

// create checks d and stores it as a new draft of t under the next
// number of the day, audited; d gets its number, ID and version.
func (w *write) create(ctx context.Context, t *Type, d *Document) error {
	if err := check(ctx, w, t, d); err != nil {
		return err
	}
	day := w.now.In(w.svc.zone).Format("20060102")
	n, err := w.tx.NextNumber(ctx, w.p.Tenant, t.Prefix, day)
	if err != nil {
		return err
	}
	d.Number = fmt.Sprintf("%s%s-%04d", t.Prefix, day, n)
	d.Type, d.Status, d.Version = t.Name, StatusDraft, 1
	d.CreatedAt, d.CreatedBy, d.UpdatedAt, d.UpdatedBy = w.now, w.p.User, w.now, w.p.User
	d.ApprovedAt, d.ApprovedBy, d.CloseReason, d.Hold, d.HoldReason, d.EdgeID = time.Time{}, "", "", false, "", ""
	d.Approvals, d.RejectReason = nil, ""
	row, err := rowOf(t, d)
	if err != nil {
		return err
	}
	if d.ID, err = w.tx.Insert(ctx, w.p.Tenant, row); err != nil {
		return err
	}
	return audit(ctx, w, t, "create", nil, d)
}

// Update replaces a draft whose stored version is version (permission
// module.edit): an older version gives ErrStale, a document no longer a
// draft ErrState.
func (s *Service) Update(ctx context.Context, p *auth.Principal, typ string, id, version int64, in *Document) (*Document, error) {
	return s.change(ctx, p, typ, id, version, "update", (*Type).PermEdit, func(w *write, t *Type, before *Document) (*Document, error) {
		if err := inStatus(t, before, "change", "修改", StatusDraft); err != nil {
			return nil, err
		}
		d := clone(in)
		d.ExternalID = before.ExternalID
		if err := check(ctx, w, t, d); err != nil {
			return nil, err
		}
		d.Number, d.Status = before.Number, before.Status
		d.CreatedAt, d.CreatedBy = before.CreatedAt, before.CreatedBy
		d.ApprovedAt, d.ApprovedBy, d.CloseReason, d.Hold, d.HoldReason = time.Time{}, "", "", false, ""
		d.Approvals, d.RejectReason = nil, ""
		return d, nil
	})
}

// Approve approves a draft at version (permission module.approve): its
// lines are checked against master data again and fixed from then on,
// and, for the types that are worked at the sites, it is published to
// them.
func (s *Service) Approve(ctx context.Context, p *auth.Principal, typ string, id, version int64) (*Document, error) {
	d, err := s.approve(ctx, p, typ, id, version)
	if err != nil || d.Status == StatusDraft || !TypeOf(typ).HQ {
		return d, err
	}
	// An HQ document's movements were written with the approval: project
	// them now, so that it reads done at once.
	if _, err := s.ProjectProgress(ctx); err != nil {
		return nil, err
	}
	return s.Get(ctx, p, typ, id)
}

func (s *Service) approve(ctx context.Context, p *auth.Principal, typ string, id, version int64) (*Document, error) {
	return s.change(ctx, p, typ, id, version, "approve", (*Type).PermApprove, func(w *write, t *Type, before *Document) (*Document, error) {
		if err := inStatus(t, before, "approve", "审核", StatusDraft); err != nil {
			return nil, err
		}
		d := clone(before)
		if err := check(ctx, w, t, d); err != nil {
			return nil, err
		}
		if pending, err := w.signLevel(ctx, t, d); err != nil || pending {
			return d, err
		}
		d.Status, d.ApprovedAt, d.ApprovedBy = StatusApproved, w.now, w.p.User
		// Work may have come before the approval (an unplanned receipt
		// linked by number): the status starts from it.
		prog, children, err := s.progress(ctx, w.tx, w.p.Tenant, t, d)
		if err != nil {
			return nil, err
		}
		withProgress(t, d, prog, children)
		d.Status = DeriveStatus(d.Status, ordered(d), done(d))
		if h := hooksOf[t.Name].approve; h != nil {
			if err := h(ctx, w, t, d); err != nil {
				return nil, err
			}
		}
		if t.HQ {
			if err := w.carryOut(ctx, t, d); err != nil {
				return nil, err
			}
		}
		return d, w.publishDoc(ctx, t, d)
	})
}

// Close closes an approved or partly done document at version with a
// reason (permission module.approve): what was not done will not be. Its
// sites' agents get a tombstone.
func (s *Service) Close(ctx context.Context, p *auth.Principal, typ string, id, version int64, reason string) (*Document, error) {
	return s.change(ctx, p, typ, id, version, "close", (*Type).PermApprove, func(w *write, t *Type, before *Document) (*Document, error) {
		if err := inStatus(t, before, "close", "关闭", StatusApproved, StatusPartlyDone); err != nil {
			return nil, err
		}
		var c masterdata.Checker
		reason = strings.TrimSpace(reason)
		masterdata.CheckText(&c, "reason", reason, true, 200)
		if err := c.Err(); err != nil {
			return nil, err
		}
		d := clone(before)
		d.Status, d.CloseReason = StatusClosed, reason
		return d, w.publishDoc(ctx, t, d)
	})
}

// Void voids a draft or approved document at version while nothing
// names it (permission module.edit, and module.approve for an approved
// one); a linked one gives ErrLinked. An approved document's sites get a
// tombstone.
func (s *Service) Void(ctx context.Context, p *auth.Principal, typ string, id, version int64) (*Document, error) {
	return s.change(ctx, p, typ, id, version, "void", (*Type).PermEdit, func(w *write, t *Type, before *Document) (*Document, error) {
		// A partly done or done document is linked: the check below
		// says so.
		if err := inStatus(t, before, "void", "作废", StatusDraft, StatusApproved, StatusPartlyDone, StatusDone); err != nil {
			return nil, err
		}
		if before.Status != StatusDraft {
			if err := w.p.Can(t.PermApprove()); err != nil {
				return nil, err
			}
		}
		if before.EdgeID != "" {
			return nil, &Error{Err: ErrState, Msg: fmt.Sprintf("%s %s records what was done at a site: it cannot be voided", t.Title, before.Number),
				MsgZH: fmt.Sprintf("%s %s 记录的是门店/仓库已发生的业务，不能作废", t.TitleZH, before.Number)}
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
				Msg:   fmt.Sprintf("%s %s has %d movements naming it: close it instead of voiding it", t.Title, before.Number, moves),
				MsgZH: fmt.Sprintf("%s %s 已有 %d 条出入库记录，不能作废，请改为关闭", t.TitleZH, before.Number, moves)}
		}
		links, err := w.tx.Children(ctx, w.p.Tenant, before.Number)
		if err != nil {
			return nil, err
		}
		if len(links) > 0 {
			return nil, &Error{Err: ErrLinked,
				Msg:   fmt.Sprintf("%s %s has documents made from it (%s): void those first", t.Title, before.Number, links[0].Number),
				MsgZH: fmt.Sprintf("%s %s 已有后续单据（%s），请先作废后续单据", t.TitleZH, before.Number, links[0].Number)}
		}
		d := clone(before)
		d.Status = StatusVoid
		if before.Status != StatusDraft {
			return d, w.publishDoc(ctx, t, d)
		}
		return d, nil
	})
}

// change loads the document at version for perm, lets next make the new
// one, and stores and audits it as the next version.
func (s *Service) change(ctx context.Context, p *auth.Principal, typ string, id, version int64, action string, perm func(*Type) auth.Permission,
	next func(w *write, t *Type, before *Document) (*Document, error)) (*Document, error) {
	t, err := typeFor(typ)
	if err != nil {
		return nil, err
	}
	if err := p.Can(perm(t)); err != nil {
		return nil, err
	}
	var out *Document
	err = s.tx(ctx, p, func(w *write) error {
		if version <= 0 {
			return &Error{Err: ErrVersionRequired, Msg: "send the version you changed in If-Match",
				MsgZH: "请在 If-Match 中提供所修改单据的版本号"}
		}
		row, err := w.tx.Get(ctx, p.Tenant, typ, id)
		if err != nil {
			return err
		}
		if !p.Scope.Allows(row.Site) {
			return notFound(t, id)
		}
		if row.Version != version {
			return &Error{Err: ErrStale,
				Msg: fmt.Sprintf("%s %s was changed by %s at %s (version %d, you had %d): reload it", t.Title, row.Number,
					row.UpdatedBy, row.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"), row.Version, version),
				MsgZH: fmt.Sprintf("%s %s 已被 %s 于 %s 修改（版本 %d，您的是 %d），请刷新后再操作", t.TitleZH, row.Number,
					row.UpdatedBy, row.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"), row.Version, version)}
		}
		before, err := decode(t, row)
		if err != nil {
			return err
		}
		d, err := next(w, t, before)
		if err != nil {
			return err
		}
		if h := hooksOf[t.Name].changed; h != nil {
			if err := h(ctx, w, t, before, d); err != nil {
				return err
			}
		}
		d.ID, d.Type, d.Version, d.UpdatedAt, d.UpdatedBy = id, t.Name, row.Version+1, w.now, p.User
		d.EdgeID = before.EdgeID
		nr, err := rowOf(t, d)
		if err != nil {
			return err
		}
		if err := w.tx.Update(ctx, p.Tenant, nr); err != nil {
			return err
		}
		prog, children, err := s.progress(ctx, w.tx, p.Tenant, t, d)
		if err != nil {
			return err
		}
		withProgress(t, d, prog, children)
		out = d
		return audit(ctx, w, t, action, before, d)
	})
	return out, err
}

// inStatus refuses an action on a document in another status than those
// given.
func inStatus(t *Type, d *Document, action, actionZH string, allowed ...string) error {
	if slices.Contains(allowed, d.Status) {
		return nil
	}
	zh := make([]string, len(allowed))
	for i, a := range allowed {
		zh[i] = t.StatusZH(a)
	}
	return &Error{Err: ErrState,
		Msg: fmt.Sprintf("%s %s is %s: only one that is %s can be %s", t.Title, d.Number, strings.ReplaceAll(d.Status, "_", " "),
			strings.ReplaceAll(strings.Join(allowed, " or "), "_", " "), map[string]string{"change": "changed", "approve": "approved",
				"close": "closed", "void": "voided", "release": "released", "reject": "rejected", "convert": "converted", "receive": "received",
				"pick": "picked", "order": "ordered", "purchase": "bought for"}[action]),
		MsgZH: fmt.Sprintf("%s %s 为%s状态，只有%s的单据才能%s", t.TitleZH, d.Number, t.StatusZH(d.Status), strings.Join(zh, "或"), actionZH)}
}

func (w *write) put(ctx context.Context, rec master.Record) error {
	put, err := w.tx.PutMaster(ctx, w.p.Tenant, []master.Record{rec})
	if err != nil {
		return err
	}
	w.published = append(w.published, put...)
	return nil
}

// publishDoc sends an approved document to the sites that work it, and a
// tombstone of a closed or void one; nothing for types not worked at the
// sites.
func (w *write) publishDoc(ctx context.Context, t *Type, d *Document) error {
	if t.Publish == "" {
		return nil
	}
	sites := []string{d.Site}
	if t.ToSite && d.ToSite != "" {
		sites = append(sites, d.ToSite)
	}
	var body []byte
	deleted := d.Status == StatusClosed || d.Status == StatusVoid
	if !deleted {
		r := &pb.DocumentRecord{Partner: d.Partner, PartnerName: d.PartnerName, Date: d.Date, ExpectedDate: d.ExpectedDate,
			TolerancePercent: d.TolerancePercent, Ref: d.Ref, Note: d.Note}
		if t.ToSite {
			r.FromSite, r.ToSite = d.Site, d.ToSite
		}
		for _, l := range d.Lines {
			r.Lines = append(r.Lines, &pb.DocumentLine{Line: int32(l.Line), Sku: l.SKU, Name: l.Name, Unit: l.Unit,
				Factor: l.Factor, Qty: l.Qty, QtyBase: l.QtyBase, Bin: l.Bin, Lot: l.Lot, Component: l.Role == "component"})
		}
		if h := hooksOf[t.Name].record; h != nil {
			h(d, r)
		}
		var err error
		if body, err = proto.Marshal(r); err != nil {
			return err
		}
	}
	for _, site := range sites {
		if err := w.put(ctx, master.Record{Site: site, Kind: t.Publish, Key: d.Number, Body: body, Deleted: deleted}); err != nil {
			return err
		}
	}
	return nil
}

func audit(ctx context.Context, w *write, t *Type, action string, before, after *Document) error {
	var b any
	if before != nil {
		b = before
	}
	entry, err := auth.NewAudit(w.p, t.Name+"."+action, t.Name, strconv.FormatInt(after.ID, 10), b, after)
	if err != nil {
		return err
	}
	entry.At = w.now
	return w.tx.AppendAudit(ctx, entry)
}

func clone(d *Document) *Document {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	out := new(Document)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

// rowOf is the stored form of d; the body leaves out what is derived.
func rowOf(t *Type, d *Document) (Row, error) {
	v := clone(d)
	v.Type, v.Links = t.Name, nil
	lines := make([]LineRow, len(v.Lines))
	for i := range v.Lines {
		l := &v.Lines[i]
		l.Done, l.In, l.Out, l.Over = 0, 0, 0, false
		lines[i] = LineRow{Line: l.Line, SKU: l.SKU, QtyBase: l.QtyBase, RefLine: l.RefLine}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Row{}, err
	}
	return Row{ID: v.ID, Type: t.Name, Number: v.Number, Status: v.Status, Partner: v.Partner, Site: v.Site, ToSite: v.ToSite,
		Ref: v.Ref, ExternalID: v.ExternalID, EdgeID: v.EdgeID, Date: v.Date, Version: v.Version, Amounts: v.Amounts, Body: body,
		UpdatedAt: v.UpdatedAt, UpdatedBy: v.UpdatedBy, Lines: lines}, nil
}

func ordered(d *Document) map[int]int64 {
	m := make(map[int]int64, len(d.Lines))
	for _, l := range d.Lines {
		m[l.Line] += l.QtyBase
	}
	return m
}

func done(d *Document) map[int]int64 {
	m := make(map[int]int64, len(d.Lines))
	for _, l := range d.Lines {
		m[l.Line] += l.Done
	}
	return m
}
