package work

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// ScanResult answers a scan recorded against a document.
type ScanResult struct {
	Receipt  Receipt `json:"receipt"`
	Replayed bool    `json:"replayed,omitempty" doc:"An earlier request with the same Idempotency-Key recorded it; nothing new was recorded."`
	// Doc is the movement's doc: NUMBER#LINE, NUMBER alone (unplanned), or an edge document's line.
	Doc      string `json:"doc,omitempty"`
	Line     int32  `json:"line,omitempty"`
	SKU      string `json:"sku,omitempty"`
	Bin      string `json:"bin,omitempty"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"`
	Qty      int64  `json:"qty,omitempty" doc:"The movement's quantity in base units, signed."`
	Done     int64  `json:"done,omitempty" doc:"The line's work at this site so far (received, picked, sent), this scan included."`
	Expected int64  `json:"expected,omitempty" doc:"The line's quantity in base units."`
}

// ReceiveRequest is one scan received: against purchase order PO (an
// order the site does not hold yet is an unplanned receipt), or with no
// PO from Supplier.
type ReceiveRequest struct {
	PO       string `json:"po,omitempty" doc:"Purchase order number (CG…)."`
	Supplier string `json:"supplier,omitempty" doc:"Supplier code; required without a PO."`
	Scan
	Override bool   `json:"override,omitempty" doc:"Receive beyond the tolerance (needs purchase.approve)."`
	Note     string `json:"note,omitempty"`
}

// Receive records one receipt movement (reason receive, positive) against
// the PO's first open line of the scanned SKU. It refuses a SKU not on the
// PO (not_on_document), a quantity beyond the line and its tolerance
// (over_receipt) unless Override by a user with purchase.approve, a closed
// or void PO (document_closed). A PO the site does not hold is received
// unplanned: the movement's doc is the number alone, linked to lines by
// SKU by the cloud. Without a PO a supplier is required, and the receipt
// is a one-shot edge document (receipt, done) with its movement.
func (s *Service) Receive(ctx context.Context, key string, req ReceiveRequest) (*ScanResult, error) {
	res, err := s.receive(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) receive(ctx context.Context, key string, req ReceiveRequest) (*ScanResult, error) {
	b, err := s.begin(ctx, key, "receive", PermInventory, req)
	if err != nil || b.done {
		return replayed(b.r), err
	}
	u, fp := b.u, b.fp
	if req.PO == "" && req.Supplier == "" {
		return nil, invalidField("body.supplier", "is required for a receipt without a purchase order", "没有采购订单的入库必须填写供应商")
	}
	it, err := s.resolve(ctx, req.Scan, "body")
	if err != nil {
		return nil, err
	}
	m := agent.MovementInput{SKU: it.sku, Bin: req.Bin, Lot: it.lot, Expiry: it.expiry, Qty: it.qty, Reason: "receive", Operator: u.Name}
	res := &ScanResult{SKU: it.sku, Lot: it.lot, Expiry: it.expiry, Qty: it.qty}
	if req.PO == "" {
		if m.Bin == "" {
			return nil, required("body.bin")
		}
		payload, err := edgePayload(syncproto.EdgeDoc{Partner: req.Supplier, Operator: u.Name, Note: req.Note,
			Lines: []syncproto.EdgeDocLine{{Line: 1, SKU: it.sku, Bin: m.Bin, Lot: it.lot, Expiry: it.expiry, Qty: it.qty}}})
		if err != nil {
			return nil, err
		}
		dr, err := s.st.RecordDocument(ctx, key, agent.DocumentInput{DocType: syncproto.EdgeReceipt, Status: syncproto.EdgeDone,
			Payload: payload, Fingerprint: fp, Movements: []agent.DocMovement{{MovementInput: m, Line: 1}}})
		if err != nil {
			return nil, err
		}
		res.Receipt, res.Replayed, res.Doc, res.Bin = receiptOf(dr.Doc), dr.Replayed, syncproto.DocLine(dr.ID, 1), m.Bin
		return res, nil
	}
	d, held, err := s.document(ctx, syncproto.KindPurchaseOrder, req.PO)
	if err != nil {
		return nil, err
	}
	if !held {
		// Unplanned: the PO has not reached this site.
		m.Doc = req.PO
	} else {
		prog, _, err := s.progressOf(ctx, req.PO)
		if err != nil {
			return nil, err
		}
		net := func(l *pb.DocumentLine) int64 { p := prog[l.GetLine()]; return p.Pos + p.Neg }
		l, ok := lineFor(d, it.sku, net)
		if !ok {
			return nil, refusal(http.StatusConflict, CodeNotOnDocument, fmt.Sprintf("SKU %s is not on purchase order %s", it.sku, req.PO),
				fmt.Sprintf("扫描的商品不在该单据上：商品 %s 不在采购订单 %s 中", it.sku, req.PO))
		}
		if done := net(l); done+it.qty > allowed(d, l) {
			if !req.Override {
				return nil, refusal(http.StatusConflict, CodeOverReceipt,
					fmt.Sprintf("over-receipt: line %d of %s allows %d (%d + %d%%), %d received, %d more scanned", l.GetLine(), req.PO, allowed(d, l), l.GetQtyBase(), d.rec.GetTolerancePercent(), done, it.qty),
					fmt.Sprintf("超收：采购订单 %s 第 %d 行最多可收 %d（%d + %d%%），已收 %d，本次 %d", req.PO, l.GetLine(), allowed(d, l), l.GetQtyBase(), d.rec.GetTolerancePercent(), done, it.qty))
			}
			if _, err := caller(ctx, PermPurchaseApprov); err != nil {
				return nil, err
			}
		}
		if m.Bin == "" {
			m.Bin = l.GetBin()
		}
		m.Doc, res.Line, res.Expected = syncproto.DocLine(req.PO, int(l.GetLine())), l.GetLine(), l.GetQtyBase()
		res.Done = net(l) + it.qty
	}
	if m.Bin == "" {
		return nil, required("body.bin")
	}
	dr, err := s.st.RecordDocument(ctx, key, agent.DocumentInput{Fingerprint: fp, Movements: []agent.DocMovement{{MovementInput: m}}})
	if err != nil {
		return nil, err
	}
	res.Receipt, res.Replayed, res.Doc, res.Bin = receiptOf(dr.Doc), dr.Replayed, m.Doc, m.Bin
	return res, nil
}

func replayed(r agent.DocReceipt) *ScanResult {
	if r.Events == 0 {
		return nil
	}
	return &ScanResult{Receipt: receiptOf(r.Doc), Replayed: true}
}

func edgePayload(d syncproto.EdgeDoc) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if _, err := syncproto.DecodeEdgeDoc(b); err != nil {
		return nil, err
	}
	return b, nil
}

// PickRequest is one scan picked from pick list List (or sent or received
// on transfer List).
type PickRequest struct {
	List string `json:"list" doc:"Pick list number (JH…) or transfer number (DB…)."`
	Scan
}

// Pick records one pick (reason ship, negative, doc JH…#LINE) of the
// scanned SKU from the pick list's first open line. A SKU not on the list
// is refused (wrong_item), so is a pick beyond the line and its tolerance
// (over_pick).
func (s *Service) Pick(ctx context.Context, key string, req PickRequest) (*ScanResult, error) {
	res, err := s.lineScan(ctx, key, "pick", syncproto.KindPickList, req)
	return res, s.refuse(err)
}

// Transfer records one scan of transfer List at this site: at its source
// an out leg (transfer_out, negative), at its destination an in leg
// (transfer_in, positive), against the first open line of the SKU.
func (s *Service) Transfer(ctx context.Context, key string, req PickRequest) (*ScanResult, error) {
	res, err := s.lineScan(ctx, key, "transfer", syncproto.KindTransfer, req)
	return res, s.refuse(err)
}

func (s *Service) lineScan(ctx context.Context, key, op, kind string, req PickRequest) (*ScanResult, error) {
	b, err := s.begin(ctx, key, op, PermInventory, req)
	if err != nil || b.done {
		return replayed(b.r), err
	}
	u, fp := b.u, b.fp
	d, err := s.mustDocument(ctx, kind, req.List, "body.list")
	if err != nil {
		return nil, err
	}
	sign, reason, err := s.direction(d)
	if err != nil {
		return nil, err
	}
	it, err := s.resolve(ctx, req.Scan, "body")
	if err != nil {
		return nil, err
	}
	prog, _, err := s.progressOf(ctx, req.List)
	if err != nil {
		return nil, err
	}
	done := func(l *pb.DocumentLine) int64 { p := prog[l.GetLine()]; return sign * (p.Pos + p.Neg) }
	l, ok := lineFor(d, it.sku, done)
	if !ok {
		return nil, refusal(http.StatusConflict, CodeWrongItem, fmt.Sprintf("wrong item: SKU %s is not on %s", it.sku, req.List),
			fmt.Sprintf("商品错误：商品 %s 不在单据 %s 上", it.sku, req.List))
	}
	if n := done(l); n+it.qty > allowed(d, l) {
		return nil, refusal(http.StatusConflict, CodeOverPick, fmt.Sprintf("line %d of %s wants %d, %d done, %d more scanned", l.GetLine(), req.List, l.GetQtyBase(), n, it.qty),
			fmt.Sprintf("超出：单据 %s 第 %d 行应为 %d，已完成 %d，本次 %d", req.List, l.GetLine(), l.GetQtyBase(), n, it.qty))
	}
	return s.recordScan(ctx, key, fp, u.Name, req.List, l, it, req.Bin, sign, reason, done(l))
}

// recordScan records one scan of it against line l of document number,
// durable under key: a movement of sign × its quantity with reason, in
// bin (else the line's) and its lot (else the line's); before is what the
// line had done.
func (s *Service) recordScan(ctx context.Context, key string, fp []byte, operator, number string, l *pb.DocumentLine, it item,
	bin string, sign int64, reason string, before int64) (*ScanResult, error) {
	m := agent.MovementInput{SKU: it.sku, Bin: bin, Lot: it.lot, Expiry: it.expiry, Qty: sign * it.qty, Reason: reason,
		Operator: operator, Doc: syncproto.DocLine(number, int(l.GetLine()))}
	if m.Bin == "" {
		m.Bin = l.GetBin()
	}
	if m.Lot == "" {
		m.Lot = l.GetLot()
	}
	if m.Bin == "" {
		return nil, required("body.bin")
	}
	dr, err := s.st.RecordDocument(ctx, key, agent.DocumentInput{Fingerprint: fp, Movements: []agent.DocMovement{{MovementInput: m}}})
	if err != nil {
		return nil, err
	}
	return &ScanResult{Receipt: receiptOf(dr.Doc), Replayed: dr.Replayed, Doc: m.Doc, Line: l.GetLine(), SKU: it.sku, Bin: m.Bin,
		Lot: m.Lot, Expiry: m.Expiry, Qty: m.Qty, Done: before + it.qty, Expected: l.GetQtyBase()}, nil
}

// direction says how work on d moves stock at this site: a pick list out
// (ship), a transfer out at its source and in at its destination.
func (s *Service) direction(d *doc) (int64, string, error) {
	switch {
	case d.kind == syncproto.KindPickList:
		return -1, "ship", nil
	case d.kind == syncproto.KindPurchaseReturn:
		return -1, ReasonPurchaseReturn, nil
	case d.kind == syncproto.KindTransfer && d.rec.GetFromSite() == s.st.Site():
		return -1, "transfer_out", nil
	case d.kind == syncproto.KindTransfer && d.rec.GetToSite() == s.st.Site():
		return 1, "transfer_in", nil
	}
	return 0, "", refusal(http.StatusConflict, CodeWrongSite, fmt.Sprintf("%s is not worked at site %s", d.number, s.st.Site()),
		fmt.Sprintf("单据 %s 不在本站点 %s 作业", d.number, s.st.Site()))
}

// ShortLine gives the reason a line is short when the work is finished.
type ShortLine struct {
	Line   int32  `json:"line"`
	Reason string `json:"reason" doc:"Why the line is short: out_of_stock, damaged, not_found, …"`
}

// FinishRequest finishes the work of this site on a pick list, transfer
// or purchase return.
type FinishRequest struct {
	List   string      `json:"list" doc:"Pick list (JH…), transfer (DB…) or purchase return (CT…) number."`
	Shorts []ShortLine `json:"shorts,omitempty" doc:"A reason for every line done short."`
	Note   string      `json:"note,omitempty"`
}

// DocResult names the edge document an action wrote.
type DocResult struct {
	ID       string  `json:"id" doc:"The edge document's id (E<replica>-<seq>)."`
	Receipt  Receipt `json:"receipt"`
	Events   int     `json:"events"`
	Replayed bool    `json:"replayed,omitempty"`
	// Doc is the edge document as recorded (absent on a replay).
	Doc *syncproto.EdgeDoc `json:"doc,omitempty"`
}

// FinishPick records the pick run's end: a pick document (done) with each
// line's picked quantity and, for a line picked short, the short quantity
// and its reason, which is required (short_reason_required).
func (s *Service) FinishPick(ctx context.Context, key string, req FinishRequest) (*DocResult, error) {
	res, err := s.finish(ctx, key, syncproto.KindPickList, req)
	return res, s.refuse(err)
}

// FinishTransfer records this site's end of a transfer: at the source a
// transfer_out done, at the destination a transfer_in done (the arrival),
// with each line's quantity and the difference (short, with a reason).
func (s *Service) FinishTransfer(ctx context.Context, key string, req FinishRequest) (*DocResult, error) {
	res, err := s.finish(ctx, key, syncproto.KindTransfer, req)
	return res, s.refuse(err)
}

func (s *Service) finish(ctx context.Context, key, kind string, req FinishRequest) (*DocResult, error) {
	b, err := s.begin(ctx, key, "finish-"+kind, PermInventory, req)
	if err != nil || b.done {
		return docReplayed(b.r), err
	}
	u, fp := b.u, b.fp
	d, err := s.mustDocument(ctx, kind, req.List, "body.list")
	if err != nil {
		return nil, err
	}
	sign, _, err := s.direction(d)
	if err != nil {
		return nil, err
	}
	docType := syncproto.EdgePick
	if kind == syncproto.KindPurchaseReturn {
		docType = syncproto.EdgePurchaseRet
	}
	if kind == syncproto.KindTransfer {
		docType = syncproto.EdgeTransferOut
		if sign > 0 {
			docType = syncproto.EdgeTransferIn
		}
	}
	reasons := make(map[int32]string)
	var fe fieldErrors
	for i, sl := range req.Shorts {
		if err := syncproto.CheckString("reason", sl.Reason, true); err != nil {
			fe.add(fmt.Sprintf("body.shorts[%d].reason", i), "must be a reason (1 to 128 bytes, no control characters)", "请填写短缺原因（1 到 128 字节，不含控制字符）")
		}
		reasons[sl.Line] = sl.Reason
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	prog, _, err := s.progressOf(ctx, req.List)
	if err != nil {
		return nil, err
	}
	ed := syncproto.EdgeDoc{Ref: req.List, Operator: u.Name, Note: req.Note, Partner: d.rec.GetPartner()}
	if docType == syncproto.EdgeTransferOut {
		ed.ToSite = d.rec.GetToSite()
	}
	var missing []int32
	for _, l := range d.rec.GetLines() {
		p := prog[l.GetLine()]
		done := max(sign*(p.Pos+p.Neg), 0)
		line := syncproto.EdgeDocLine{Line: len(ed.Lines) + 1, RefLine: int(l.GetLine()), SKU: l.GetSku(), Bin: l.GetBin(), Lot: l.GetLot(), Qty: done}
		if short := l.GetQtyBase() - done; short > 0 {
			line.Short, line.ShortReason = short, reasons[l.GetLine()]
			if line.ShortReason == "" {
				missing = append(missing, l.GetLine())
			}
		}
		ed.Lines = append(ed.Lines, line)
	}
	if len(missing) > 0 {
		e := refusal(http.StatusBadRequest, CodeShortReason, fmt.Sprintf("lines %v of %s are short: give a reason for each (shorts)", missing, req.List),
			fmt.Sprintf("单据 %s 的第 %v 行数量不足：请逐行填写短缺原因（shorts）", req.List, missing))
		e.Field = "body.shorts"
		return nil, e
	}
	return s.writeDoc(ctx, key, fp, docType, "", ed, nil)
}

// writeDoc records an edge document (done, or status open when
// opening) with its movements, atomically.
func (s *Service) writeDoc(ctx context.Context, key string, fp []byte, docType, status string, ed syncproto.EdgeDoc, moves []agent.DocMovement) (*DocResult, error) {
	payload, err := edgePayload(ed)
	if err != nil {
		return nil, err
	}
	if status == "" {
		status = syncproto.EdgeDone
	}
	dr, err := s.st.RecordDocument(ctx, key, agent.DocumentInput{DocType: docType, Status: status, Payload: payload, Fingerprint: fp, Movements: moves})
	if err != nil {
		return nil, err
	}
	res := &DocResult{ID: dr.ID, Receipt: receiptOf(dr.Doc), Events: dr.Events, Replayed: dr.Replayed}
	if !dr.Replayed {
		res.Doc = &ed
	}
	return res, nil
}

func docReplayed(r agent.DocReceipt) *DocResult {
	if r.Events == 0 {
		return nil
	}
	return &DocResult{ID: r.ID, Receipt: receiptOf(r.Doc), Events: r.Events, Replayed: true}
}

// SessionRequest opens a receiving session of a purchase order or a count
// session of a count plan on this handheld.
type SessionRequest struct {
	Type string `json:"type" enum:"receipt,count" doc:"receipt (采购入库) or count (盘点)."`
	Ref  string `json:"ref,omitempty" doc:"The purchase order or count plan number."`
	// Device is a gate reader's or a receiving station's profile name:
	// while the session is open, what that device receives on this agent
	// is received against Ref's lines (RouteDevice).
	Device string `json:"device,omitempty" doc:"Receiving only: the dock door's RFID reader or the receiving station (scanner) whose receipts go to the purchase order while the session is open, by its device profile name."`
	Note   string `json:"note,omitempty"`
}

// OpenSession opens a session: a DocEvent (status open) of type receipt or
// count whose ref names the PO or count plan; its id names it. A
// receiving session may name a device (a gate reader, a receiving
// station) of this agent: until the session is closed, that device's
// receipts are received against the PO (RouteDevice). A device takes one
// session at a time (session_state).
func (s *Service) OpenSession(ctx context.Context, key string, req SessionRequest) (*DocResult, error) {
	res, err := s.openSession(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) openSession(ctx context.Context, key string, req SessionRequest) (*DocResult, error) {
	b, err := s.begin(ctx, key, "session", PermInventory, req)
	if err != nil || b.done {
		return docReplayed(b.r), err
	}
	u, fp := b.u, b.fp
	switch req.Type {
	case syncproto.EdgeReceipt:
		if req.Ref != "" {
			if _, _, err := s.document(ctx, syncproto.KindPurchaseOrder, req.Ref); err != nil {
				return nil, err
			}
		}
		if req.Device != "" {
			if err := syncproto.CheckString("device", req.Device, true); err != nil {
				return nil, invalidField("body.device", "must be a device profile name (1 to 128 bytes, no control characters)", "应为设备配置名称（1 到 128 字节，不含控制字符）")
			}
			if req.Ref == "" {
				return nil, invalidField("body.ref", "a session at a device needs the purchase order it receives", "在设备上收货须填写采购订单")
			}
			id, po, busy, err := s.DeviceSession(ctx, req.Device)
			if err != nil {
				return nil, err
			}
			if busy {
				e := refusal(http.StatusConflict, CodeSessionState, fmt.Sprintf("device %s is receiving purchase order %s in session %s: close it first", req.Device, po, id),
					fmt.Sprintf("设备 %s 正在作业 %s 中接收采购订单 %s，请先结束该作业", req.Device, id, po))
				e.Field = "body.device"
				return nil, e
			}
		}
	case syncproto.EdgeCount:
		if req.Device != "" {
			return nil, invalidField("body.device", "is for receiving sessions only", "仅收货作业可指定设备")
		}
		if _, err := s.mustDocument(ctx, syncproto.KindCountPlan, req.Ref, "body.ref"); err != nil {
			return nil, err
		}
	default:
		return nil, invalidField("body.type", fmt.Sprintf("%q: want receipt or count", req.Type), fmt.Sprintf("%q 无效：应为 receipt 或 count", req.Type))
	}
	return s.writeDoc(ctx, key, fp, req.Type, syncproto.EdgeOpen, syncproto.EdgeDoc{Ref: req.Ref, Operator: u.Name, Device: req.Device, Note: req.Note}, nil)
}

// CloseRequest finishes (or cancels) a session.
type CloseRequest struct {
	Cancel bool   `json:"cancel,omitempty"`
	Note   string `json:"note,omitempty"`
}

// CloseSession closes session id, which this handheld opened: a DocEvent
// done (or cancelled) naming it. A receiving session's done payload sums
// the receipts this handheld recorded against its PO since it opened,
// per line (ref_line), SKU, bin, lot and expiry.
func (s *Service) CloseSession(ctx context.Context, key, id string, req CloseRequest) (*DocResult, error) {
	res, err := s.closeSession(ctx, key, id, req)
	return res, s.refuse(err)
}

func (s *Service) closeSession(ctx context.Context, key, id string, req CloseRequest) (*DocResult, error) {
	b, err := s.begin(ctx, key, "close:"+id, PermInventory, req)
	if err != nil || b.done {
		return docReplayed(b.r), err
	}
	u, fp := b.u, b.fp
	st, _, _, ok, err := s.st.EdgeDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok || st.Open.Replica != s.st.Replica() || (st.DocType != syncproto.EdgeReceipt && st.DocType != syncproto.EdgeCount) {
		return nil, refusal(http.StatusNotFound, CodeUnknownDocument, fmt.Sprintf("no session %s opened on this handheld", id), fmt.Sprintf("本设备没有打开的作业 %s", id))
	}
	if st.Status != syncproto.EdgeOpen {
		return nil, refusal(http.StatusConflict, CodeSessionState, fmt.Sprintf("session %s is %s, not open", id, st.Status), fmt.Sprintf("作业 %s 的状态为 %s，不是进行中", id, st.Status))
	}
	ed := syncproto.EdgeDoc{Ref: st.Ref, Operator: u.Name, Note: req.Note}
	status := syncproto.EdgeDone
	if req.Cancel {
		status = syncproto.EdgeCancelled
	} else if st.DocType == syncproto.EdgeReceipt && st.Ref != "" {
		if ed.Lines, err = s.sessionLines(ctx, st); err != nil {
			return nil, err
		}
	}
	payload, err := edgePayload(ed)
	if err != nil {
		return nil, err
	}
	dr, err := s.st.RecordDocument(ctx, key, agent.DocumentInput{Doc: id, DocType: st.DocType, Status: status, Payload: payload, Fingerprint: fp})
	if err != nil {
		return nil, err
	}
	return &DocResult{ID: id, Receipt: receiptOf(dr.Doc), Events: dr.Events, Replayed: dr.Replayed, Doc: &ed}, nil
}

// sessionLines sums this replica's receipts against the session's PO
// since the session opened.
func (s *Service) sessionLines(ctx context.Context, st agent.EdgeDocState) ([]syncproto.EdgeDocLine, error) {
	type k struct {
		line               int
		sku, bin, lot, exp string
	}
	sums := make(map[k]int64)
	var order []k
	for from := st.Open.Seq + 1; from <= s.st.LastSeq(); {
		evs, err := s.st.Events(ctx, from, 1000, 0)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			m := e.Msg.GetMovement()
			if m == nil || m.GetReason() != "receive" {
				continue
			}
			n, line, ok := syncproto.ParseDocLine(m.GetDoc())
			if !ok {
				n, line = m.GetDoc(), 0
			}
			if n != st.Ref {
				continue
			}
			kk := k{line, m.GetSku(), m.GetBin(), m.GetLot(), m.GetExpiry()}
			if _, seen := sums[kk]; !seen {
				order = append(order, kk)
			}
			sums[kk] += m.GetQty()
		}
		from = evs[len(evs)-1].Seq + 1
	}
	var out []syncproto.EdgeDocLine
	for _, kk := range order {
		if q := sums[kk]; q > 0 {
			out = append(out, syncproto.EdgeDocLine{Line: len(out) + 1, RefLine: kk.line, SKU: kk.sku, Bin: kk.bin, Lot: kk.lot, Expiry: kk.exp, Qty: q})
		}
	}
	return out, nil
}

// PlanCountRequest is one count for count plan Plan.
type PlanCountRequest struct {
	Plan    string `json:"plan" doc:"Count plan number (PD…)."`
	Barcode string `json:"barcode,omitempty"`
	SKU     string `json:"sku,omitempty"`
	Bin     string `json:"bin"`
	Lot     string `json:"lot,omitempty"`
	Counted *int64 `json:"counted" doc:"The quantity seen, in base units."`
}

// CountResult answers a count. Expected (this site's on-hand of the key
// before the count) is given only when the plan is not blind.
type CountResult struct {
	Receipt  Receipt `json:"receipt"`
	SKU      string  `json:"sku"`
	Counted  int64   `json:"counted"`
	Expected *int64  `json:"expected,omitempty" doc:"On-hand before the count; never given for a blind plan."`
}

// Count records a count (a Count event with doc = the plan) of a key the
// plan covers (its bins, its SKUs when it lists lines). Several handhelds
// may count at once; the ledger's count rules merge them.
func (s *Service) Count(ctx context.Context, key string, req PlanCountRequest) (*CountResult, error) {
	res, err := s.count(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) count(ctx context.Context, key string, req PlanCountRequest) (*CountResult, error) {
	u, err := caller(ctx, PermInventory)
	if err != nil {
		return nil, err
	}
	var fe fieldErrors
	if req.Bin == "" {
		fe.add("body.bin", "is required", "不能为空")
	}
	if req.Counted == nil {
		fe.add("body.counted", "is required", "不能为空")
	} else if *req.Counted < 0 {
		fe.add("body.counted", "must be 0 or more", "不能为负数")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	d, err := s.mustDocument(ctx, syncproto.KindCountPlan, req.Plan, "body.plan")
	if err != nil {
		return nil, err
	}
	sku, lot := req.SKU, req.Lot
	if req.Barcode != "" {
		it, err := s.resolve(ctx, Scan{Barcode: req.Barcode}, "body")
		if err != nil {
			return nil, err
		}
		sku = it.sku
		if lot == "" {
			lot = it.lot
		}
	}
	if sku == "" {
		return nil, invalidField("body.sku", "give a barcode or a sku", "请扫描条码或填写 SKU")
	}
	if bins := d.rec.GetBins(); len(bins) > 0 && !contains(bins, req.Bin) {
		return nil, refusal(http.StatusConflict, CodeNotOnDocument, fmt.Sprintf("bin %s is not covered by count plan %s", req.Bin, req.Plan),
			fmt.Sprintf("扫描的商品不在该单据上：库位 %s 不在盘点计划 %s 范围内", req.Bin, req.Plan))
	}
	if lines := d.rec.GetLines(); len(lines) > 0 {
		if _, ok := lineFor(d, sku, func(*pb.DocumentLine) int64 { return 0 }); !ok {
			return nil, refusal(http.StatusConflict, CodeNotOnDocument, fmt.Sprintf("SKU %s is not on count plan %s", sku, req.Plan),
				fmt.Sprintf("扫描的商品不在该单据上：商品 %s 不在盘点计划 %s 中", sku, req.Plan))
		}
	}
	var before int64
	if !d.rec.GetBlind() {
		rows, err := s.st.Stock(ctx, agent.StockFilter{SKU: sku, Bin: req.Bin})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.Lot == lot {
				before = r.Qty
			}
		}
	}
	in := agent.CountInput{SKU: sku, Bin: req.Bin, Lot: lot, Counted: *req.Counted, Operator: u.Name, Doc: req.Plan}
	var rc agent.Receipt
	if key != "" {
		rc, err = s.st.RecordCountOnce(ctx, key, in)
	} else {
		rc, err = s.st.RecordCount(ctx, in)
	}
	if err != nil {
		return nil, err
	}
	res := &CountResult{Receipt: receiptOf(rc), SKU: sku, Counted: *req.Counted}
	if !d.rec.GetBlind() {
		res.Expected = &before
	}
	return res, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
