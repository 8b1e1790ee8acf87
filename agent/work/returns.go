package work

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Movement reasons of returns.
const (
	ReasonPurchaseReturn = "purchase_return" // 采购退货: goods going back to the supplier (negative)
	ReasonSalesReturn    = "sales_return"    // 销售退货: goods coming back from a customer (positive)
)

// DefaultDamagedBin is where goods a sales return inspects as damaged go
// when the request names no damaged bin.
const DefaultDamagedBin = "DAMAGED"

// Conditions of a returned line.
const (
	ConditionGood    = "good"
	ConditionDamaged = "damaged"
)

// PurchaseReturnRequest is one scan sent back to the supplier against
// purchase return Return.
type PurchaseReturnRequest struct {
	Return string `json:"return" doc:"Purchase return number (CT…)."`
	Scan
}

// PurchaseReturn records one scan leaving for the supplier against an
// approved purchase return (CT) the site holds: a movement (reason
// purchase_return, negative, doc CT…#LINE) from the first line of the SKU
// with something left to return whose lot is the scan's (a line without
// a lot takes any), out of the line's bin and lot unless the scan names
// them. A SKU or lot not on the return is refused (wrong_item), so is
// more than the line's quantity (over_return: a return has no
// tolerance), and a closed or void return (document_closed).
func (s *Service) PurchaseReturn(ctx context.Context, key string, req PurchaseReturnRequest) (*ScanResult, error) {
	res, err := s.purchaseReturn(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) purchaseReturn(ctx context.Context, key string, req PurchaseReturnRequest) (*ScanResult, error) {
	b, err := s.begin(ctx, key, "purchase-return", PermInventory, req)
	if err != nil || b.done {
		return replayed(b.r), err
	}
	u, fp := b.u, b.fp
	d, err := s.mustDocument(ctx, syncproto.KindPurchaseReturn, req.Return, "body.return")
	if err != nil {
		return nil, err
	}
	it, err := s.resolve(ctx, req.Scan, "body")
	if err != nil {
		return nil, err
	}
	prog, _, err := s.progressOf(ctx, req.Return)
	if err != nil {
		return nil, err
	}
	done := func(l *pb.DocumentLine) int64 { p := prog[l.GetLine()]; return -(p.Pos + p.Neg) }
	var l, last *pb.DocumentLine
	for _, x := range d.rec.GetLines() {
		if x.GetSku() != it.sku || (x.GetLot() != "" && it.lot != "" && x.GetLot() != it.lot) {
			continue
		}
		if done(x) < x.GetQtyBase() {
			l = x
			break
		}
		last = x
	}
	if l == nil {
		l = last
	}
	if l == nil {
		what, whatZH := "SKU "+it.sku, "商品 "+it.sku
		if it.lot != "" {
			what, whatZH = fmt.Sprintf("SKU %s lot %s", it.sku, it.lot), fmt.Sprintf("商品 %s 批次 %s", it.sku, it.lot)
		}
		return nil, refusal(http.StatusConflict, CodeWrongItem, fmt.Sprintf("wrong item: %s is not on purchase return %s", what, req.Return),
			fmt.Sprintf("商品错误：%s 不在采购退货单 %s 上", whatZH, req.Return))
	}
	if n := done(l); n+it.qty > l.GetQtyBase() {
		return nil, refusal(http.StatusConflict, CodeOverReturn,
			fmt.Sprintf("over-return: line %d of %s returns %d, %d sent back, %d more scanned", l.GetLine(), req.Return, l.GetQtyBase(), n, it.qty),
			fmt.Sprintf("超退：采购退货单 %s 第 %d 行应退 %d，已退 %d，本次 %d", req.Return, l.GetLine(), l.GetQtyBase(), n, it.qty))
	}
	return s.recordScan(ctx, key, fp, u.Name, req.Return, l, it, req.Bin, -1, ReasonPurchaseReturn, done(l))
}

// FinishPurchaseReturn records the end of the site's work on a purchase
// return: a purchase_return edge document (done, ref the CT, partner its
// supplier) with each line's quantity sent back and, for a line short,
// the short quantity and its reason, which is required
// (short_reason_required). The CT's progress is its movements'; the
// document only says the site is done.
func (s *Service) FinishPurchaseReturn(ctx context.Context, key string, req FinishRequest) (*DocResult, error) {
	res, err := s.finish(ctx, key, syncproto.KindPurchaseReturn, req)
	return res, s.refuse(err)
}

// SalesReturnLine is one line of goods back from a customer: the goods
// (a scan, or a SKU with a quantity, or a weight), the pick list's line
// they were shipped on, and how they were found on inspection.
type SalesReturnLine struct {
	Line int `json:"line,omitempty" doc:"The pick list's line the goods were shipped on; by default the first line of the SKU with something left to return."`
	Scan
	Condition string `json:"condition" enum:"good,damaged" doc:"good: back to stock (the line's bin, else the request's, else the pick list line's); damaged: to the damaged bin."`
}

// SalesReturnRequest receives goods back from a customer against what a
// pick list shipped from this site.
type SalesReturnRequest struct {
	Ref        string            `json:"ref" doc:"The shipment (CK…) or the pick list (JH…) the goods left on."`
	PickList   string            `json:"pick_list,omitempty" doc:"The pick list (JH…): required with a shipment number (the site checks quantities against the pick list); with a pick list as ref, that one."`
	Bin        string            `json:"bin,omitempty" doc:"The stock bin good goods go back to."`
	DamagedBin string            `json:"damaged_bin,omitempty" doc:"The site's bin for damaged goods (default DAMAGED)."`
	Reason     string            `json:"reason,omitempty" doc:"Why the customer returned the goods (quality, wrong_goods, …)."`
	Note       string            `json:"note,omitempty"`
	Lines      []SalesReturnLine `json:"lines"`
}

// SalesReturn records goods back from a customer: one sales_return edge
// document (done, ref the shipment or pick list, partner the pick list's
// customer; each line's ref_line is the pick list's line) and its
// movements (reason sales_return, positive, naming the document's lines),
// atomically. Each line is inspected: good goods go back to a stock bin,
// damaged ones to the damaged bin. A line may not bring back more than
// this site picked on that pick list line less what earlier sales returns
// of it at this site brought back (over_return); a SKU not on the pick
// list, or not the given line's, is refused (wrong_item).
func (s *Service) SalesReturn(ctx context.Context, key string, req SalesReturnRequest) (*DocResult, error) {
	res, err := s.salesReturn(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) salesReturn(ctx context.Context, key string, req SalesReturnRequest) (*DocResult, error) {
	b, err := s.begin(ctx, key, "sales-return", PermInventory, req)
	if err != nil || b.done {
		return docReplayed(b.r), err
	}
	u, fp := b.u, b.fp
	var fe fieldErrors
	list := req.PickList
	switch {
	case req.Ref == "":
		fe.add("body.ref", "is required: the shipment (CK…) or pick list (JH…)", "不能为空：请填写销售出库单（CK…）或拣货单（JH…）号")
	case strings.HasPrefix(req.Ref, "JH"):
		if list != "" && list != req.Ref {
			fe.add("body.pick_list", "must be the ref when the ref is a pick list", "单据号为拣货单时，拣货单号须与之相同")
		}
		list = req.Ref
	case !strings.HasPrefix(req.Ref, "CK"):
		fe.add("body.ref", fmt.Sprintf("%q is neither a shipment (CK…) nor a pick list (JH…)", req.Ref), fmt.Sprintf("%q 既不是销售出库单（CK…）也不是拣货单（JH…）", req.Ref))
	case list == "":
		fe.add("body.pick_list", "is required with a shipment number: this site checks what comes back against the pick list it picked", "按销售出库单退货须填写拣货单号：本站点按所拣的拣货单核对退货数量")
	}
	if err := syncproto.CheckString("reason", req.Reason, false); err != nil {
		fe.add("body.reason", "must be at most 128 bytes, no control characters", "最多 128 字节，不含控制字符")
	}
	if len(req.Lines) == 0 || len(req.Lines) > syncproto.MaxDocLines {
		fe.add("body.lines", fmt.Sprintf("must have 1 to %d lines", syncproto.MaxDocLines), fmt.Sprintf("应有 1 到 %d 行", syncproto.MaxDocLines))
	}
	for i, l := range req.Lines {
		if l.Condition != ConditionGood && l.Condition != ConditionDamaged {
			fe.add(fmt.Sprintf("body.lines[%d].condition", i), "must be good or damaged", "应为 good（完好）或 damaged（损坏）")
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	d, err := s.mustDocument(ctx, syncproto.KindPickList, list, "body.pick_list")
	if err != nil {
		return nil, err
	}
	prog, _, err := s.progressOf(ctx, list)
	if err != nil {
		return nil, err
	}
	back, err := s.returnedOf(ctx, list, req.Ref)
	if err != nil {
		return nil, err
	}
	// left is what a line may still bring back: picked here, less returned.
	left := func(l *pb.DocumentLine) int64 {
		p := prog[l.GetLine()]
		return max(-(p.Pos+p.Neg), 0) - back[int(l.GetLine())]
	}
	damaged := req.DamagedBin
	if damaged == "" {
		damaged = DefaultDamagedBin
	}
	ed := syncproto.EdgeDoc{Ref: req.Ref, Partner: d.rec.GetPartner(), Reason: req.Reason, Operator: u.Name, Note: req.Note}
	var moves []agent.DocMovement
	for i, rl := range req.Lines {
		f := fmt.Sprintf("body.lines[%d]", i)
		var l *pb.DocumentLine
		if rl.Line != 0 {
			for _, x := range d.rec.GetLines() {
				if int(x.GetLine()) == rl.Line {
					l = x
				}
			}
			if l == nil {
				return nil, invalidField(f+".line", fmt.Sprintf("pick list %s has no line %d", list, rl.Line), fmt.Sprintf("拣货单 %s 没有第 %d 行", list, rl.Line))
			}
			if rl.Barcode == "" && rl.SKU == "" {
				rl.SKU = l.GetSku()
			}
		}
		it, err := s.resolve(ctx, rl.Scan, f)
		if err != nil {
			return nil, err
		}
		if l == nil {
			l, _ = lineFor(d, it.sku, func(x *pb.DocumentLine) int64 { return x.GetQtyBase() - left(x) })
		}
		if l == nil || l.GetSku() != it.sku {
			return nil, refusal(http.StatusConflict, CodeWrongItem, fmt.Sprintf("wrong item: %s: SKU %s was not shipped on pick list %s%s", f, it.sku, list, lineNote(rl.Line)),
				fmt.Sprintf("商品错误：%s：商品 %s 不是拣货单 %s%s 发出的商品", f, it.sku, list, lineNoteZH(rl.Line)))
		}
		if n := left(l); it.qty > n {
			return nil, refusal(http.StatusConflict, CodeOverReturn,
				fmt.Sprintf("over-return: %s: line %d of pick list %s has %d left to return at this site (picked here, less earlier returns), not %d", f, l.GetLine(), list, max(n, 0), it.qty),
				fmt.Sprintf("超退：%s：拣货单 %s 第 %d 行在本站点最多还可退 %d（本站点已拣减去已退），不能退 %d", f, list, l.GetLine(), max(n, 0), it.qty))
		}
		back[int(l.GetLine())] += it.qty
		bin := damaged
		if rl.Condition == ConditionGood {
			bin = rl.Bin
			if bin == "" {
				bin = req.Bin
			}
			if bin == "" {
				bin = l.GetBin()
			}
			if bin == "" {
				return nil, required(f + ".bin")
			}
		}
		lot := it.lot
		if lot == "" {
			lot = l.GetLot()
		}
		ed.Lines = append(ed.Lines, syncproto.EdgeDocLine{Line: i + 1, RefLine: int(l.GetLine()), SKU: it.sku, Bin: bin, Lot: lot, Expiry: it.expiry, Qty: it.qty})
		moves = append(moves, agent.DocMovement{Line: i + 1, MovementInput: agent.MovementInput{SKU: it.sku, Bin: bin, Lot: lot,
			Expiry: it.expiry, Qty: it.qty, Reason: ReasonSalesReturn, Operator: u.Name}})
	}
	return s.writeDoc(ctx, key, fp, syncproto.EdgeSalesReturn, "", ed, moves)
}

func lineNote(line int) string {
	if line == 0 {
		return ""
	}
	return fmt.Sprintf(" (line %d)", line)
}

func lineNoteZH(line int) string {
	if line == 0 {
		return ""
	}
	return fmt.Sprintf("（第 %d 行）", line)
}

// returnedOf sums, by pick list line, what the sales returns this site
// knows of brought back against pick list list: those whose ref is the
// pick list or ref (a shipment of it).
func (s *Service) returnedOf(ctx context.Context, list, ref string) (map[int]int64, error) {
	out := make(map[int]int64)
	refs := []string{list}
	if ref != list {
		refs = append(refs, ref)
	}
	for _, r := range refs {
		sts, err := s.st.EdgeDocs(ctx, r, 0)
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			if st.DocType != syncproto.EdgeSalesReturn || st.Status != syncproto.EdgeDone {
				continue
			}
			_, _, last, _, err := s.st.EdgeDoc(ctx, st.ID)
			if err != nil {
				return nil, err
			}
			d, err := syncproto.DecodeEdgeDoc(last)
			if err != nil {
				continue
			}
			for _, l := range d.Lines {
				out[l.RefLine] += l.Qty
			}
		}
	}
	return out, nil
}
