package docs

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Stock changes HQ decides (DOMAIN.md §1) are events the cloud writes as
// its own replica of the site (syncproto.CloudReplica), in the same
// transaction as the decision: an other in/out approved at HQ, a receipt
// keyed in at HQ for a site without an agent. They are stored like any
// replica's, count toward the documents they name, reach the site's
// agents as a peer's events, and are never written twice (the document's
// status, or the request's idempotency key, says it is done).

// carryOut writes an approved HQ document's movements at its site: each
// line in (other in) or out (other out) of its bin, naming the line.
func (w *write) carryOut(ctx context.Context, t *Type, d *Document) error {
	sign := int64(1)
	if t.Measure == MeasureOut {
		sign = -1
	}
	var bodies []*pb.Event
	for _, l := range d.Lines {
		bodies = append(bodies, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: l.Bin, Sku: l.SKU, Lot: l.Lot,
			Qty: sign * l.QtyBase, Reason: d.Reason, Doc: syncproto.DocLine(d.Number, l.Line), Operator: w.p.User, Device: "hq"}}})
	}
	evs, err := w.tx.AppendOwn(ctx, w.p.Tenant, d.Site, bodies)
	w.own = append(w.own, evs...)
	return err
}

// checkHQ requires a bin on every line of a document HQ carries out.
func checkHQ(ctx context.Context, w *write, t *Type, d *Document, c *masterdata.Checker) error {
	for i, l := range d.Lines {
		if l.Bin == "" {
			c.Add("lines["+strconv.Itoa(i)+"].bin", "is required: HQ moves the stock of this bin", "不能为空：总部按库位记账")
		}
	}
	return nil
}

func init() {
	for _, name := range []string{TypeOtherIn, TypeOtherOut} {
		h := hooksOf[name]
		h.check = checkHQ
		hooksOf[name] = h
	}
}

// HQReceiptLine is one line of a receipt keyed in at HQ.
type HQReceiptLine struct {
	Line int    `json:"line" minimum:"1" doc:"The order's line 订单行号."`
	Qty  int64  `json:"qty" minimum:"1" doc:"Base units received 实收数量（基本单位）."`
	Bin  string `json:"bin" maxLength:"64" doc:"The bin received into 库位."`
	Lot  string `json:"lot,omitempty" required:"false" maxLength:"64" doc:"Lot 批次."`
}

// ReceiveAtHQ keys in a receipt against an approved purchase order at HQ
// (permission inventory.edit; the order's site in the caller's scope), for
// a site without an agent or a delivery booked from paper: the cloud
// writes, as its own replica of the order's site and in one transaction,
// the receipt movements naming the order's lines and a done receipt edge
// document, which the projection makes a 采购入库单 of. Beyond a line's
// tolerance it is refused unless override is set by a user with
// purchase.approve.
func (s *Service) ReceiveAtHQ(ctx context.Context, p *auth.Principal, id int64, lines []HQReceiptLine, override bool) (*Document, error) {
	if err := p.Can("inventory.edit"); err != nil {
		return nil, err
	}
	t := TypeOf(TypePurchaseOrder)
	// What was received is what the projection says: bring it up to date
	// first (two receipts keyed in at once may still pass the tolerance
	// together, as two handhelds offline may; the over flag shows it).
	if _, err := s.ProjectProgress(ctx); err != nil {
		return nil, err
	}
	var out *Document
	err := s.tx(ctx, p, func(w *write) error {
		row, err := w.tx.Get(ctx, p.Tenant, t.Name, id)
		if err != nil {
			return err
		}
		if !p.Scope.Allows(row.Site) {
			return notFound(t, id)
		}
		po, err := decode(t, row)
		if err != nil {
			return err
		}
		if err := inStatus(t, po, "receive", "入库", StatusApproved, StatusPartlyDone); err != nil {
			return err
		}
		prog, err := w.tx.Progress(ctx, p.Tenant, po.Number)
		if err != nil {
			return err
		}
		withProgress(t, po, prog, nil)
		var c masterdata.Checker
		if len(lines) == 0 || len(lines) > syncproto.MaxDocLines {
			c.Addf("lines", "has %d lines; want 1 … %d", "有 %d 行，应为 1 到 %d 行", len(lines), syncproto.MaxDocLines)
		}
		adding := map[int]int64{}
		var bodies []*pb.Event
		payload := syncproto.EdgeDoc{Ref: po.Number, Partner: po.Partner, Operator: p.User, Note: "总部录入 keyed in at HQ"}
		for i, in := range lines {
			f := "lines[" + strconv.Itoa(i) + "]."
			in.Bin, in.Lot = strings.TrimSpace(in.Bin), strings.TrimSpace(in.Lot)
			masterdata.CheckText(&c, f+"bin", in.Bin, true, 64)
			masterdata.CheckText(&c, f+"lot", in.Lot, false, 64)
			if in.Line < 1 || in.Line > len(po.Lines) {
				c.Addf(f+"line", "%d is not a line of %s", "%d 不是订单 %s 的行", in.Line, po.Number)
				continue
			}
			if in.Qty < 1 || in.Qty > MaxQty {
				c.Addf(f+"qty", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", in.Qty, int64(MaxQty))
				continue
			}
			l := po.Lines[in.Line-1]
			adding[in.Line] += in.Qty
			if allowed := l.QtyBase * (100 + int64(po.TolerancePercent)) / 100; l.Done+adding[in.Line] > allowed && !override {
				c.Addf(f+"qty", "over-receipt: line %d allows %d, %d received, %d more", "超收：第 %d 行最多 %d，已收 %d，本次 %d",
					in.Line, allowed, l.Done, adding[in.Line])
			}
			bodies = append(bodies, &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: in.Bin, Sku: l.SKU, Lot: in.Lot,
				Qty: in.Qty, Reason: "receive", Doc: syncproto.DocLine(po.Number, l.Line), Operator: p.User, Device: "hq"}}})
			payload.Lines = append(payload.Lines, syncproto.EdgeDocLine{Line: len(payload.Lines) + 1, RefLine: l.Line, SKU: l.SKU,
				Bin: in.Bin, Lot: in.Lot, Qty: in.Qty})
		}
		if err := c.Err(); err != nil {
			return err
		}
		if override {
			if err := p.Can(t.PermApprove()); err != nil {
				return err
			}
		}
		body, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		bodies = append(bodies, &pb.Event{Body: &pb.Event_Doc{Doc: &pb.DocEvent{DocType: syncproto.EdgeReceipt,
			Status: syncproto.EdgeDone, Payload: body}}})
		evs, err := w.tx.AppendOwn(ctx, p.Tenant, po.Site, bodies)
		if err != nil {
			return err
		}
		w.own = append(w.own, evs...)
		for _, e := range evs {
			if m := e.Msg.GetMovement(); m != nil {
				_, line, _ := syncproto.ParseDocLine(m.GetDoc())
				po.Lines[line-1].Done += m.GetQty()
			}
		}
		entry, err := auth.NewAudit(p, t.Name+".receive", t.Name, strconv.FormatInt(po.ID, 10), nil, lines)
		if err != nil {
			return err
		}
		entry.At = w.now
		out = po
		return w.tx.AppendAudit(ctx, entry)
	})
	if err != nil {
		return nil, err
	}
	// Project now, so that the order's status and its 采购入库单 are there
	// when the caller reads them (the projection would within 250 ms).
	if _, err := s.ProjectProgress(ctx); err != nil {
		return nil, err
	}
	return s.Get(ctx, p, t.Name, out.ID)
}
