package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

// edgeHooks handle the edge document types that do not simply make a
// document of their own (the in leg of a transfer, a count session),
// set by the files of those types. A hook returns the numbers of the
// documents it changed.
var edgeHooks = map[string]func(ctx context.Context, w *write, e EdgeEvent, id string, d *syncproto.EdgeDoc) ([]string, error){}

// fromEdge is the projection's EdgeFunc: a done edge document of a type
// that makes a document (TypeOfEdge) is stored as one, with the next
// number of the day it was done (CST), status done, its lines from the
// payload, and the edge id beside it, once: an edge id already made is
// skipped (the projection may read an event again after a rebuild). An
// open or cancelled one makes nothing. A payload that does not decode is
// refused (Projected.Refused says why) and makes nothing; the movements
// it named still count where they belong.
func (s *Service) fromEdge(ctx context.Context, tx Tx, e EdgeEvent) ([]string, error) {
	ev := e.Doc
	if ev.GetStatus() != syncproto.EdgeDone {
		return nil, nil
	}
	id := ev.GetDoc()
	if id == "" {
		id = syncproto.EdgeDocID(e.Replica, e.Seq)
	}
	payload, err := syncproto.DecodeEdgeDoc(ev.GetPayload())
	if err != nil {
		return nil, &EdgeRefusal{ID: id, Err: err}
	}
	at := e.HLC.Time().UTC().Truncate(time.Millisecond)
	p := &auth.Principal{Tenant: e.Tenant, User: payload.Operator, Scope: auth.Scope{All: true}}
	if p.User == "" {
		p.User = "edge:" + e.Site
	}
	w := &write{tx: tx, p: p, now: at, svc: s}
	if h := edgeHooks[ev.GetDocType()]; h != nil {
		touched, err := h(ctx, w, e, id, payload)
		if err != nil {
			return nil, err
		}
		return touched, s.flush(ctx, w)
	}
	t := TypeOfEdge(ev.GetDocType())
	if t == nil {
		return nil, nil // a kind of edge document this build does not make a document of
	}
	if _, ok, err := tx.ByEdgeID(ctx, e.Tenant, id); err != nil || ok {
		return nil, err
	}
	d := &Document{Type: t.Name, Partner: payload.Partner, Site: e.Site, ToSite: payload.ToSite, Ref: payload.Ref,
		Reason: payload.Reason, Note: payload.Note, EdgeID: id, Date: at.In(s.zone).Format(time.DateOnly),
		Status: StatusDone, Version: 1, CreatedAt: at, CreatedBy: p.User, UpdatedAt: at, UpdatedBy: p.User}
	if t.Name == TypeTransfer {
		d.Status = StatusApproved // its out leg is done; the in leg is the destination's
	}
	if err := s.edgeLines(ctx, w, t, d, payload); err != nil {
		return nil, err
	}
	if len(payload.Payments) > 0 || payload.Total != 0 {
		extra, err := json.Marshal(struct {
			Payments []syncproto.Payment `json:"payments,omitempty"`
			Total    int64               `json:"total"`
			Discount int64               `json:"discount,omitempty"`
			Device   string              `json:"device,omitempty"`
		}{payload.Payments, payload.Total, payload.Discount, payload.Device})
		if err != nil {
			return nil, err
		}
		d.Extra = extra
	}
	day := at.In(s.zone).Format("20060102")
	n, err := tx.NextNumber(ctx, e.Tenant, t.Prefix, day)
	if err != nil {
		return nil, err
	}
	d.Number = fmt.Sprintf("%s%s-%04d", t.Prefix, day, n)
	row, err := rowOf(t, d)
	if err != nil {
		return nil, err
	}
	if d.ID, err = tx.Insert(ctx, e.Tenant, row); err != nil {
		return nil, err
	}
	if err := audit(ctx, w, t, "edge", nil, d); err != nil {
		return nil, err
	}
	if t.Name == TypeTransfer && d.ToSite != "" {
		// The destination receives it as it would one made at HQ.
		if err := w.publishDoc(ctx, t, d); err != nil {
			return nil, err
		}
	}
	touched := []string{d.Number}
	if d.Ref != "" {
		touched = append(touched, d.Ref)
	}
	return touched, s.flush(ctx, w)
}

// flush forgets what a projection write published: the store hands
// the records it put to ProjectProgress (Projected.Published), which
// pushes them once the step has committed, so that a step rolled back
// pushes nothing.
func (s *Service) flush(ctx context.Context, w *write) error {
	w.published = nil
	return nil
}

// edgeLines fills d's lines from an edge document's, with the names of
// master data, and amounts: a retail document's as the till computed
// them; a priced type's from its source document's line (the share of
// that line's amounts its quantity is, half-even).
func (s *Service) edgeLines(ctx context.Context, w *write, t *Type, d *Document, payload *syncproto.EdgeDoc) error {
	var src *Document
	if d.Ref != "" {
		r, ok, err := w.tx.ByNumber(ctx, w.p.Tenant, d.Ref)
		if err != nil {
			return err
		}
		if ok {
			rt := TypeOf(r.Type)
			if rt != nil {
				if src, err = decode(rt, r); err != nil {
					return err
				}
				if d.Partner == "" {
					d.Partner, d.PartnerName = src.Partner, src.PartnerName
				}
				d.TaxIncluded = src.TaxIncluded
			}
		}
	}
	if d.Partner != "" && d.PartnerName == "" && t.Partner != "" {
		if r, ok, err := w.tx.MasterByCode(ctx, w.p.Tenant, t.Partner, d.Partner); err != nil {
			return err
		} else if ok {
			d.PartnerName = r.Name
		}
	}
	for _, pl := range payload.Lines {
		l := Line{Line: pl.Line, SKU: pl.SKU, Qty: pl.Qty, QtyBase: pl.Qty, Factor: 1, Bin: pl.Bin, Lot: pl.Lot, RefLine: pl.RefLine}
		if r, ok, err := w.tx.MasterByCode(ctx, w.p.Tenant, masterdata.KindSKU, pl.SKU); err != nil {
			return err
		} else if ok {
			l.Name = r.Name
		}
		switch {
		case t.Module == "retail":
			l.Price, l.Gross = pl.Price, pl.Amount
		case src != nil && pl.RefLine >= 1 && pl.RefLine <= len(src.Lines) && src.Lines[pl.RefLine-1].QtyBase > 0:
			sl, err := s.pricedLine(ctx, w, src, pl.RefLine)
			if err != nil {
				return err
			}
			if sl == nil || sl.QtyBase == 0 {
				break
			}
			l.Unit, l.VATRate, l.Price = sl.Unit, sl.VATRate, sl.Price
			share := func(v int64) int64 { return DivRoundHalfEven(v*pl.Qty, sl.QtyBase) }
			if sl.Gross <= MaxMoney/max(pl.Qty, 1) {
				// Gross is net + tax, as on any line (the fapiao rule).
				net, tax := share(sl.Net), share(sl.Tax)
				l.Amounts = Amounts{Net: net, Tax: tax, Gross: net + tax}
			}
		}
		if pl.Short > 0 {
			l.Note = "short " + strconv.FormatInt(pl.Short, 10) + ": " + pl.ShortReason
		}
		d.Net, d.Tax, d.Gross = d.Net+l.Net, d.Tax+l.Tax, d.Gross+l.Gross
		d.Lines = append(d.Lines, l)
	}
	return nil
}

// pricedLine returns the line whose prices line refLine of src carries:
// src's own when src is priced, else (a pick list) the line of the
// document src was made from that it names (its sales order's), nil when
// there is none.
func (s *Service) pricedLine(ctx context.Context, w *write, src *Document, refLine int) (*Line, error) {
	for range 3 {
		if refLine < 1 || refLine > len(src.Lines) {
			return nil, nil
		}
		l := &src.Lines[refLine-1]
		if t := TypeOf(src.Type); t != nil && t.Priced {
			return l, nil
		}
		if src.Ref == "" || l.RefLine == 0 {
			return nil, nil
		}
		r, ok, err := w.tx.ByNumber(ctx, w.p.Tenant, src.Ref)
		if err != nil || !ok {
			return nil, err
		}
		rt := TypeOf(r.Type)
		if rt == nil {
			return nil, nil
		}
		if src, err = decode(rt, r); err != nil {
			return nil, err
		}
		refLine = l.RefLine
	}
	return nil, nil
}

// EdgeRefusal is an edge document the projection could not make a
// document of.
type EdgeRefusal struct {
	ID  string
	Err error
}

func (e *EdgeRefusal) Error() string { return "edge document " + e.ID + ": " + e.Err.Error() }
func (e *EdgeRefusal) Unwrap() error { return e.Err }
