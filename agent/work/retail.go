package work

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"strings"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// SaleLine is one line of a retail sale: the goods (scan, SKU with
// quantity, or a weight) and the line's discount in fen.
type SaleLine struct {
	Scan
	Discount int64 `json:"discount,omitempty" doc:"The line's discount in fen."`
}

// PaymentInput is one payment of a sale or refund of a return. For cash,
// Tendered is what was handed over (at least Amount); the change is
// computed.
type PaymentInput struct {
	Method   string `json:"method" enum:"cash,card,wechat,alipay"`
	Amount   int64  `json:"amount" doc:"Fen paid by this method toward the total."`
	Tendered int64  `json:"tendered,omitempty" doc:"Cash handed over, fen."`
}

// SaleRequest is a retail sale at the till.
type SaleRequest struct {
	Bin      string         `json:"bin" doc:"The shop-floor bin the goods leave."`
	Lines    []SaleLine     `json:"lines"`
	Discount int64          `json:"discount,omitempty" doc:"The whole sale's discount in fen, after line discounts."`
	Payments []PaymentInput `json:"payments"`
	Member   string         `json:"member,omitempty"`
}

// lineAmount is the price of qty base units of a product priced per unit
// (price fen per unit; a weight unit's grams per unit, or 1): price ×
// qty ÷ grams-per-unit rounded half to even to the fen.
func lineAmount(price, qty int64, unit string) (int64, error) {
	num, den := int64(1), int64(1)
	if g, ok := agent.WeightUnit(unit); ok {
		num, den = g.Num, g.Den
	}
	// price × qty × den / num, exactly.
	n := new(big.Int).Mul(big.NewInt(price), big.NewInt(qty))
	n.Mul(n, big.NewInt(den))
	q, r := new(big.Int).QuoRem(n, big.NewInt(num), new(big.Int))
	r2 := new(big.Int).Mul(r, big.NewInt(2))
	if c := r2.Cmp(big.NewInt(num)); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() || q.Int64() > syncproto.MaxMoney {
		return 0, fmt.Errorf("amount beyond %d fen", int64(syncproto.MaxMoney))
	}
	return q.Int64(), nil
}

// product returns a SKU's product master record.
func (s *Service) product(ctx context.Context, sku string) (*pb.ProductRecord, bool, error) {
	mr, ok, err := s.st.MasterRecord(ctx, syncproto.KindProduct, sku)
	if err != nil || !ok || mr.GetDeleted() {
		return nil, false, err
	}
	p, err := syncproto.DecodeProductRecord(mr.GetBody())
	if err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// Sale records a retail sale: one retail_sale document (done) and its
// movements (reason sale, negative, naming the sale's lines), in one
// transaction under one idempotency key. Prices come from the product
// master records (per unit; per kg, or whatever weight unit, for goods
// sold by weight: the amount of a weighed line is price × grams ÷ grams
// per unit rounded half to even to the fen). A line's discount and the
// whole sale's may each be at most the user's MaxDiscountPercent of what
// they discount (discount_limit). Payments must add up to the total
// (payments_mismatch); cash may be tendered above its amount and the
// change is computed.
func (s *Service) Sale(ctx context.Context, key string, req SaleRequest) (*DocResult, error) {
	res, err := s.sale(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) sale(ctx context.Context, key string, req SaleRequest) (*DocResult, error) {
	b, err := s.begin(ctx, key, "sale", PermRetail, req)
	if err != nil || b.done {
		return docReplayed(b.r), err
	}
	u, fp := b.u, b.fp
	var fe fieldErrors
	if req.Bin == "" {
		fe.add("body.bin", "is required", "不能为空")
	}
	if len(req.Lines) == 0 || len(req.Lines) > syncproto.MaxDocLines {
		fe.add("body.lines", fmt.Sprintf("must have 1 to %d lines", syncproto.MaxDocLines), fmt.Sprintf("应有 1 到 %d 行", syncproto.MaxDocLines))
	}
	if req.Discount < 0 {
		fe.add("body.discount", "must not be negative", "不能为负数")
	}
	for i, l := range req.Lines {
		if l.Discount < 0 {
			fe.add(fmt.Sprintf("body.lines[%d].discount", i), "must not be negative", "不能为负数")
		}
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	ed := syncproto.EdgeDoc{Partner: req.Member, Operator: u.Name, Discount: req.Discount}
	var moves []agent.DocMovement
	var sub int64
	for i, l := range req.Lines {
		f := fmt.Sprintf("body.lines[%d]", i)
		it, err := s.resolve(ctx, l.Scan, f)
		if err != nil {
			return nil, err
		}
		p, ok, err := s.product(ctx, it.sku)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, refusal(http.StatusNotFound, CodeUnknownProduct, fmt.Sprintf("%s: no product record (price) for SKU %s", f, it.sku),
				fmt.Sprintf("%s：商品 %s 没有商品资料（价格）", f, it.sku))
		}
		gross, err := lineAmount(p.GetPrice(), it.qty, p.GetUnit())
		if err != nil {
			return nil, invalidField(f+".qty", err.Error(), "金额超出上限")
		}
		if err := s.checkDiscount(u.MaxDiscountPercent, l.Discount, gross, f+".discount"); err != nil {
			return nil, err
		}
		amount := gross - l.Discount
		sub += amount
		ed.Lines = append(ed.Lines, syncproto.EdgeDocLine{Line: i + 1, SKU: it.sku, Bin: req.Bin, Lot: it.lot, Expiry: it.expiry, Qty: it.qty,
			Price: p.GetPrice(), Discount: l.Discount, Amount: amount})
		moves = append(moves, agent.DocMovement{Line: i + 1, MovementInput: agent.MovementInput{SKU: it.sku, Bin: req.Bin, Lot: it.lot,
			Expiry: it.expiry, Qty: -it.qty, Reason: "sale", Operator: u.Name}})
	}
	if err := s.checkDiscount(u.MaxDiscountPercent, req.Discount, sub, "body.discount"); err != nil {
		return nil, err
	}
	ed.Total = sub - req.Discount
	if ed.Payments, err = payments(req.Payments, ed.Total); err != nil {
		return nil, err
	}
	return s.writeDoc(ctx, key, fp, syncproto.EdgeRetailSale, "", ed, moves)
}

// checkDiscount refuses a discount beyond maxPct percent of base, or
// beyond base itself.
func (s *Service) checkDiscount(maxPct int32, discount, base int64, field string) error {
	if discount == 0 {
		return nil
	}
	// discount × 100 ≤ base × maxPct, in big integers (no overflow).
	l := new(big.Int).Mul(big.NewInt(discount), big.NewInt(100))
	r := new(big.Int).Mul(big.NewInt(base), big.NewInt(int64(maxPct)))
	if l.Cmp(r) > 0 || discount > base {
		e := refusal(http.StatusForbidden, CodeDiscountLimit, fmt.Sprintf("%s: a discount of %d fen on %d fen is beyond your limit of %d%%", field, discount, base, maxPct),
			fmt.Sprintf("%s：%d 分的折扣（应收 %d 分）超出您的折扣权限 %d%%", field, discount, base, maxPct))
		e.Field = field
		return e
	}
	return nil
}

// payments checks payments against total and computes cash change.
func payments(ps []PaymentInput, total int64) ([]syncproto.Payment, error) {
	var fe fieldErrors
	var out []syncproto.Payment
	var paid int64
	for i, p := range ps {
		f := fmt.Sprintf("body.payments[%d]", i)
		if !contains(syncproto.PaymentMethods, p.Method) {
			fe.add(f+".method", fmt.Sprintf("%q: want one of %s", p.Method, strings.Join(syncproto.PaymentMethods, ", ")),
				fmt.Sprintf("%q 无效：应为 %s 之一", p.Method, strings.Join(syncproto.PaymentMethods, ", ")))
		}
		if p.Amount < 0 || p.Amount > syncproto.MaxMoney {
			fe.add(f+".amount", "must be 0 … 10^12 fen", "应在 0 到 10^12 分之间")
		}
		sp := syncproto.Payment{Method: p.Method, Amount: p.Amount}
		if p.Tendered != 0 {
			if p.Method != syncproto.PayCash || p.Tendered < p.Amount || p.Tendered > syncproto.MaxMoney {
				fe.add(f+".tendered", "is for cash only, and at least the amount", "仅现金可填写，且不少于支付金额")
			}
			sp.Tendered, sp.Change = p.Tendered, p.Tendered-p.Amount
		}
		paid += p.Amount
		out = append(out, sp)
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if paid != total || len(ps) == 0 {
		e := refusal(http.StatusBadRequest, CodePayments, fmt.Sprintf("payments add up to %d fen; the total is %d fen", paid, total),
			fmt.Sprintf("支付合计 %d 分，与应收 %d 分不符", paid, total))
		e.Field = "body.payments"
		return nil, e
	}
	return out, nil
}

// ReturnLine is one line returned: a line of the sale (Line), or goods
// scanned for a return without a sale.
type ReturnLine struct {
	Line int `json:"line,omitempty" doc:"The sale's line returned (with sale)."`
	Scan
}

// ReturnRequest is a retail return, against sale Sale (an edge document
// id) or, with retail.approve, without one.
type ReturnRequest struct {
	Sale     string         `json:"sale,omitempty" doc:"The sale's edge document id."`
	Bin      string         `json:"bin"`
	Reason   string         `json:"reason,omitempty"`
	Lines    []ReturnLine   `json:"lines"`
	Payments []PaymentInput `json:"payments" doc:"Refunds by method; they add up to the refund total."`
}

// Return records a retail return: one retail_return document (done, ref
// the sale) and its movements (reason return, positive). Against a sale a
// line may not return more than the ticket sold less what earlier returns
// of it (known to this site) took back (over_return); its refund is the
// sold line's amount pro rata, rounded half to even. Without a sale the
// user needs retail.approve and lines are priced from master data.
func (s *Service) Return(ctx context.Context, key string, req ReturnRequest) (*DocResult, error) {
	res, err := s.ret(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) ret(ctx context.Context, key string, req ReturnRequest) (*DocResult, error) {
	u, err := caller(ctx, PermRetail)
	if err != nil {
		return nil, err
	}
	if req.Sale == "" {
		if _, err := caller(ctx, PermRetailApprove); err != nil {
			return nil, err
		}
	}
	fp := fingerprint("return", u, req)
	if r, ok, err := s.replay(ctx, key, fp); err != nil || ok {
		return docReplayed(r), err
	}
	if req.Bin == "" {
		return nil, required("body.bin")
	}
	if len(req.Lines) == 0 || len(req.Lines) > syncproto.MaxDocLines {
		return nil, invalidField("body.lines", fmt.Sprintf("must have 1 to %d lines", syncproto.MaxDocLines), fmt.Sprintf("应有 1 到 %d 行", syncproto.MaxDocLines))
	}
	ed := syncproto.EdgeDoc{Ref: req.Sale, Operator: u.Name, Reason: req.Reason}
	var moves []agent.DocMovement
	var sold map[int]syncproto.EdgeDocLine
	left := make(map[int]int64)
	if req.Sale != "" {
		if sold, err = s.saleLines(ctx, req.Sale); err != nil {
			return nil, err
		}
		for n, l := range sold {
			left[n] = l.Qty
		}
		earlier, err := s.st.EdgeDocs(ctx, req.Sale, 0)
		if err != nil {
			return nil, err
		}
		for _, st := range earlier {
			if st.DocType != syncproto.EdgeRetailReturn || st.Status != syncproto.EdgeDone {
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
				left[l.RefLine] -= l.Qty
			}
		}
	}
	for i, rl := range req.Lines {
		f := fmt.Sprintf("body.lines[%d]", i)
		line := syncproto.EdgeDocLine{Line: i + 1}
		if req.Sale != "" {
			sl, ok := sold[rl.Line]
			if !ok {
				return nil, invalidField(f+".line", fmt.Sprintf("sale %s has no line %d", req.Sale, rl.Line), fmt.Sprintf("销售单 %s 没有第 %d 行", req.Sale, rl.Line))
			}
			qty := rl.Qty
			if rl.Grams > 0 {
				qty = rl.Grams
			}
			if qty == 0 {
				qty = left[rl.Line]
			}
			if qty <= 0 || qty > left[rl.Line] {
				return nil, refusal(http.StatusConflict, CodeOverReturn, fmt.Sprintf("%s: line %d of sale %s has %d left to return, not %d", f, rl.Line, req.Sale, max(left[rl.Line], 0), qty),
					fmt.Sprintf("%s：销售单 %s 第 %d 行最多还可退 %d，不能退 %d", f, req.Sale, rl.Line, max(left[rl.Line], 0), qty))
			}
			left[rl.Line] -= qty
			amount := new(big.Int).Mul(big.NewInt(sl.Amount), big.NewInt(qty))
			q, r := new(big.Int).QuoRem(amount, big.NewInt(sl.Qty), new(big.Int))
			if c := new(big.Int).Mul(r, big.NewInt(2)).Cmp(big.NewInt(sl.Qty)); c > 0 || (c == 0 && q.Bit(0) == 1) {
				q.Add(q, big.NewInt(1))
			}
			line.RefLine, line.SKU, line.Lot, line.Qty, line.Price, line.Amount = rl.Line, sl.SKU, sl.Lot, qty, sl.Price, q.Int64()
		} else {
			it, err := s.resolve(ctx, rl.Scan, f)
			if err != nil {
				return nil, err
			}
			p, ok, err := s.product(ctx, it.sku)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, refusal(http.StatusNotFound, CodeUnknownProduct, fmt.Sprintf("%s: no product record (price) for SKU %s", f, it.sku),
					fmt.Sprintf("%s：商品 %s 没有商品资料（价格）", f, it.sku))
			}
			amt, err := lineAmount(p.GetPrice(), it.qty, p.GetUnit())
			if err != nil {
				return nil, invalidField(f+".qty", err.Error(), "金额超出上限")
			}
			line.SKU, line.Lot, line.Expiry, line.Qty, line.Price, line.Amount = it.sku, it.lot, it.expiry, it.qty, p.GetPrice(), amt
		}
		line.Bin = req.Bin
		ed.Total += line.Amount
		ed.Lines = append(ed.Lines, line)
		moves = append(moves, agent.DocMovement{Line: i + 1, MovementInput: agent.MovementInput{SKU: line.SKU, Bin: req.Bin, Lot: line.Lot,
			Expiry: line.Expiry, Qty: line.Qty, Reason: "return", Operator: u.Name}})
	}
	if ed.Payments, err = payments(req.Payments, ed.Total); err != nil {
		return nil, err
	}
	return s.writeDoc(ctx, key, fp, syncproto.EdgeRetailReturn, "", ed, moves)
}

// saleLines returns the lines of a sale, by line number.
func (s *Service) saleLines(ctx context.Context, id string) (map[int]syncproto.EdgeDocLine, error) {
	st, _, last, ok, err := s.st.EdgeDoc(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok || st.DocType != syncproto.EdgeRetailSale || st.Status != syncproto.EdgeDone {
		return nil, refusal(http.StatusNotFound, CodeUnknownDocument, fmt.Sprintf("this site knows no sale %s", id), fmt.Sprintf("本站点没有销售单 %s", id))
	}
	d, err := syncproto.DecodeEdgeDoc(last)
	if err != nil {
		return nil, err
	}
	out := make(map[int]syncproto.EdgeDocLine, len(d.Lines))
	for _, l := range d.Lines {
		out[l.Line] = l
	}
	return out, nil
}

// Other reason codes of other in/out (其他入库/出库).
var otherReasons = map[string]string{"scrap": "报损", "sample": "样品", "internal_use": "领用", "found": "盘盈/找到", "other": "其他"}

// OtherRequest is an other in (direction in) or out (out) with a reason
// code: scrap, sample, internal_use, found, other.
type OtherRequest struct {
	Direction string `json:"direction" enum:"in,out"`
	Reason    string `json:"reason" enum:"scrap,sample,internal_use,found,other"`
	Bin       string `json:"bin"`
	Note      string `json:"note,omitempty"`
	Lines     []Scan `json:"lines"`
}

// Other records an other_in or other_out document (done) with its
// movements (reason scrap for scrap, adjust otherwise; the document keeps
// the reason code), atomically.
func (s *Service) Other(ctx context.Context, key string, req OtherRequest) (*DocResult, error) {
	res, err := s.other(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) other(ctx context.Context, key string, req OtherRequest) (*DocResult, error) {
	b, err := s.begin(ctx, key, "other", PermInventory, req)
	if err != nil || b.done {
		return docReplayed(b.r), err
	}
	u, fp := b.u, b.fp
	var fe fieldErrors
	if req.Direction != "in" && req.Direction != "out" {
		fe.add("body.direction", "must be in or out", "应为 in 或 out")
	}
	if _, ok := otherReasons[req.Reason]; !ok {
		fe.add("body.reason", "must be scrap, sample, internal_use, found or other", "应为 scrap（报损）、sample（样品）、internal_use（领用）、found（盘盈/找到）或 other（其他）")
	}
	if req.Bin == "" {
		fe.add("body.bin", "is required", "不能为空")
	}
	if len(req.Lines) == 0 || len(req.Lines) > syncproto.MaxDocLines {
		fe.add("body.lines", fmt.Sprintf("must have 1 to %d lines", syncproto.MaxDocLines), fmt.Sprintf("应有 1 到 %d 行", syncproto.MaxDocLines))
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	sign, docType, reason := int64(1), syncproto.EdgeOtherIn, "adjust"
	if req.Direction == "out" {
		sign, docType = -1, syncproto.EdgeOtherOut
	}
	if req.Reason == "scrap" {
		reason = "scrap"
	}
	ed := syncproto.EdgeDoc{Reason: req.Reason, Operator: u.Name, Note: req.Note}
	moves, err := s.scanLines(ctx, req.Lines, req.Bin, sign, reason, u.Name, &ed)
	if err != nil {
		return nil, err
	}
	return s.writeDoc(ctx, key, fp, docType, "", ed, moves)
}

// scanLines resolves the lines of a document made at the edge into its
// lines and their movements.
func (s *Service) scanLines(ctx context.Context, lines []Scan, bin string, sign int64, reason, operator string, ed *syncproto.EdgeDoc) ([]agent.DocMovement, error) {
	var moves []agent.DocMovement
	for i, sc := range lines {
		it, err := s.resolve(ctx, sc, fmt.Sprintf("body.lines[%d]", i))
		if err != nil {
			return nil, err
		}
		b := sc.Bin
		if b == "" {
			b = bin
		}
		ed.Lines = append(ed.Lines, syncproto.EdgeDocLine{Line: i + 1, SKU: it.sku, Bin: b, Lot: it.lot, Expiry: it.expiry, Qty: it.qty})
		moves = append(moves, agent.DocMovement{Line: i + 1, MovementInput: agent.MovementInput{SKU: it.sku, Bin: b, Lot: it.lot,
			Expiry: it.expiry, Qty: sign * it.qty, Reason: reason, Operator: operator}})
	}
	return moves, nil
}

// OwnTransferRequest starts a transfer from this site to ToSite.
type OwnTransferRequest struct {
	ToSite string `json:"to_site"`
	Bin    string `json:"bin"`
	Note   string `json:"note,omitempty"`
	Lines  []Scan `json:"lines"`
}

// OwnTransfer records a transfer this site sends on its own: a
// transfer_out document (done, to_site) and its movements (transfer_out,
// negative, naming its lines), atomically.
func (s *Service) OwnTransfer(ctx context.Context, key string, req OwnTransferRequest) (*DocResult, error) {
	res, err := s.ownTransfer(ctx, key, req)
	return res, s.refuse(err)
}

func (s *Service) ownTransfer(ctx context.Context, key string, req OwnTransferRequest) (*DocResult, error) {
	b, err := s.begin(ctx, key, "own-transfer", PermInventory, req)
	if err != nil || b.done {
		return docReplayed(b.r), err
	}
	u, fp := b.u, b.fp
	var fe fieldErrors
	if err := syncproto.ValidName(req.ToSite); err != nil || req.ToSite == s.st.Site() {
		fe.add("body.to_site", "must be another site's name", "应为其他站点的名称")
	}
	if req.Bin == "" {
		fe.add("body.bin", "is required", "不能为空")
	}
	if len(req.Lines) == 0 || len(req.Lines) > syncproto.MaxDocLines {
		fe.add("body.lines", fmt.Sprintf("must have 1 to %d lines", syncproto.MaxDocLines), fmt.Sprintf("应有 1 到 %d 行", syncproto.MaxDocLines))
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	ed := syncproto.EdgeDoc{ToSite: req.ToSite, Operator: u.Name, Note: req.Note}
	moves, err := s.scanLines(ctx, req.Lines, req.Bin, -1, "transfer_out", u.Name, &ed)
	if err != nil {
		return nil, err
	}
	return s.writeDoc(ctx, key, fp, syncproto.EdgeTransferOut, "", ed, moves)
}
