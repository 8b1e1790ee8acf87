package syncproto

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A document made at the edge (a retail sale, a receiving session, a pick
// run, a transfer a site sends on its own, an other in/out) is a DocEvent
// whose payload is an EdgeDoc in JSON. It is named by the (replica, seq) of
// the event that opened it (DESIGN.md §2): EdgeDocID. The opening event
// leaves doc empty (its own (replica, seq) names it): a document written
// in one go (a retail sale) is one such event with status "done"; a
// session is opened by one with status "open", and later ones (status
// "done" or "cancelled") carry its id in doc. The movements of an edge
// document name its lines as
// "ID#LINE" (DocLine). The cloud gives it a number when it arrives and
// keeps the id beside it.

// Edge document types (DocEvent.doc_type) and statuses.
const (
	EdgeReceipt      = "receipt" // 采购入库: receiving against a purchase order (ref), or unplanned
	EdgePurchaseRet  = "purchase_return"
	EdgePick         = "pick"          // a pick run of a pick list (ref)
	EdgeRetailSale   = "retail_sale"   // 零售单
	EdgeRetailReturn = "retail_return" // 零售退货
	EdgeTransferOut  = "transfer_out"  // a site's own transfer to to_site, or the out leg of one (ref)
	EdgeTransferIn   = "transfer_in"   // the in leg of a transfer (ref)
	EdgeOtherIn      = "other_in"      // 其他入库, with a reason
	EdgeOtherOut     = "other_out"     // 其他出库, with a reason
	EdgeCount        = "count"         // a count session of a count plan (ref) or ad hoc

	EdgeOpen      = "open"
	EdgeDone      = "done"
	EdgeCancelled = "cancelled"
)

// EdgeSalesReturn is 销售退货: goods back from a customer against a
// shipment (CK…) or the pick list it was picked on (JH…) as ref, each
// line's ref_line the pick list's line, inspected good (a stock bin) or
// damaged (the site's damaged bin). EdgePurchaseRet is the end of a
// site's work on a purchase return (CT…, ref).
const EdgeSalesReturn = "sales_return"

// MaxMoney bounds an amount of money in an edge document, in fen.
const MaxMoney = 1_000_000_000_000

// EdgeDocID names the edge document opened by event (replica, seq):
// "E" + the replica in 16 hex digits + "-" + seq.
func EdgeDocID(replica ReplicaID, seq uint64) string {
	return fmt.Sprintf("E%016x-%d", uint64(replica), seq)
}

// ParseEdgeDocID is the inverse of EdgeDocID.
func ParseEdgeDocID(id string) (ReplicaID, uint64, bool) {
	if len(id) < 19 || id[0] != 'E' || id[17] != '-' {
		return 0, 0, false
	}
	r, err := strconv.ParseUint(id[1:17], 16, 64)
	if err != nil || strings.ToLower(id[1:17]) != id[1:17] {
		return 0, 0, false
	}
	s, err := strconv.ParseUint(id[18:], 10, 64)
	if err != nil || s == 0 || strconv.FormatUint(s, 10) != id[18:] {
		return 0, 0, false
	}
	return ReplicaID(r), s, true
}

// EdgeDoc is the payload of an edge document's DocEvent. Quantities are
// base units and positive (the movements carry the sign); money is fen.
type EdgeDoc struct {
	// Ref is the cloud document the work was done against (a purchase
	// order, pick list, transfer or count plan number), if any.
	Ref string `json:"ref,omitempty"`
	// Partner is a supplier's or customer's code (a member at the till).
	Partner string `json:"partner,omitempty"`
	// ToSite is where a transfer goes.
	ToSite string `json:"to_site,omitempty"`
	// Reason is a reason code (other in/out: scrap, sample, internal_use,
	// found …; a return's reason).
	Reason   string `json:"reason,omitempty"`
	Operator string `json:"operator,omitempty"`
	Device   string `json:"device,omitempty"`
	Note     string `json:"note,omitempty"`
	// Lines are what was done, each naming the line of Ref it was done
	// against (RefLine, 0 when none).
	Lines []EdgeDocLine `json:"lines,omitempty"`
	// Payments are a retail sale's or return's payment lines; their
	// amounts add up to Total.
	Payments []Payment `json:"payments,omitempty"`
	// Total is what the customer pays (a return: gets back), after
	// discounts; Discount the whole document's discount.
	Total    int64 `json:"total,omitempty"`
	Discount int64 `json:"discount,omitempty"`
}

// EdgeDocLine is one line of an edge document.
type EdgeDocLine struct {
	Line    int    `json:"line"`
	RefLine int    `json:"ref_line,omitempty"`
	SKU     string `json:"sku"`
	Bin     string `json:"bin,omitempty"`
	Lot     string `json:"lot,omitempty"`
	// Expiry is yyyy-mm-dd.
	Expiry string `json:"expiry,omitempty"`
	Qty    int64  `json:"qty"`
	// Price is fen per base unit's display unit (per kg for goods sold by
	// weight, per piece otherwise); Amount fen after the line's Discount.
	Price    int64 `json:"price,omitempty"`
	Discount int64 `json:"discount,omitempty"`
	Amount   int64 `json:"amount,omitempty"`
	// Short is what a pick run did not pick of the line, with ShortReason.
	Short       int64  `json:"short,omitempty"`
	ShortReason string `json:"short_reason,omitempty"`
}

// Payment methods.
const (
	PayCash   = "cash"
	PayCard   = "card"
	PayWeChat = "wechat"
	PayAlipay = "alipay"
)

// PaymentMethods lists the methods a till records.
var PaymentMethods = []string{PayCash, PayCard, PayWeChat, PayAlipay}

// Payment is one payment line of a retail document: Amount is what the
// method paid toward the total; Tendered and Change what cash was handed
// over and given back.
type Payment struct {
	Method   string `json:"method"`
	Amount   int64  `json:"amount"`
	Tendered int64  `json:"tendered,omitempty"`
	Change   int64  `json:"change,omitempty"`
}

// CheckDate checks a date field (a lot's expiry): empty, or a calendar
// date written yyyy-mm-dd. It returns a *ValidationError naming field.
func CheckDate(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil || len(s) != 10 {
		return invalidField(field, fmt.Sprintf("%q is not a date yyyy-mm-dd", s), fmt.Sprintf("%q 不是 yyyy-mm-dd 格式的日期", s))
	}
	return nil
}

// DecodeEdgeDoc decodes and checks an edge document's payload: at most
// MaxPayload bytes of JSON; strings valid; lines numbered 1, 2, 3 …
// with a SKU, an expiry empty or a date (CheckDate) and a quantity 0 …
// MaxQty (0 only with a short quantity);
// money 0 … MaxMoney; payment methods known and adding up to the total.
// An empty payload is an empty document.
func DecodeEdgeDoc(payload []byte) (*EdgeDoc, error) {
	d := new(EdgeDoc)
	if len(payload) == 0 {
		return d, nil
	}
	if len(payload) > MaxPayload {
		return nil, invalidField("payload", fmt.Sprintf("is %d bytes; at most %d", len(payload), MaxPayload),
			fmt.Sprintf("有 %d 字节，最多 %d 字节", len(payload), MaxPayload))
	}
	if err := json.Unmarshal(payload, d); err != nil {
		return nil, invalidField("payload", "is not an edge document in JSON: "+err.Error(), "不是 JSON 格式的边缘单据："+err.Error())
	}
	if err := checkStrings([]stringField{{"ref", d.Ref, false}, {"partner", d.Partner, false}, {"to_site", d.ToSite, false},
		{"reason", d.Reason, false}, {"operator", d.Operator, false}, {"device", d.Device, false}}); err != nil {
		return nil, err
	}
	if len(d.Note) > 1000 {
		return nil, invalidField("note", "is longer than 1000 bytes", "超过 1000 字节")
	}
	if len(d.Lines) > MaxDocLines {
		return nil, invalidField("lines", fmt.Sprintf("has %d lines; at most %d", len(d.Lines), MaxDocLines),
			fmt.Sprintf("有 %d 行，最多 %d 行", len(d.Lines), MaxDocLines))
	}
	money := func(f string, v int64) error {
		if v < 0 || v > MaxMoney {
			return invalidField(f, fmt.Sprintf("%d is outside 0 … %d fen", v, int64(MaxMoney)), fmt.Sprintf("的值 %d 超出 0 到 %d 分的范围", v, int64(MaxMoney)))
		}
		return nil
	}
	for i, l := range d.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if l.Line != i+1 {
			return nil, invalidField(f+".line", fmt.Sprintf("is %d; want %d", l.Line, i+1), fmt.Sprintf("为 %d，应为 %d", l.Line, i+1))
		}
		if l.RefLine < 0 || l.RefLine > MaxDocLines {
			return nil, invalidField(f+".ref_line", fmt.Sprintf("%d is outside 0 … %d", l.RefLine, MaxDocLines), fmt.Sprintf("的值 %d 超出 0 到 %d 的范围", l.RefLine, MaxDocLines))
		}
		if err := checkStrings([]stringField{{f + ".sku", l.SKU, true}, {f + ".bin", l.Bin, false}, {f + ".lot", l.Lot, false},
			{f + ".expiry", l.Expiry, false}, {f + ".short_reason", l.ShortReason, false}}); err != nil {
			return nil, err
		}
		if err := CheckDate(f+".expiry", l.Expiry); err != nil {
			return nil, err
		}
		if l.Qty < 0 || l.Qty > MaxQty || l.Short < 0 || l.Short > MaxQty || l.Qty+l.Short == 0 {
			return nil, invalidField(f+".qty", fmt.Sprintf("%d (short %d) is outside 1 … %d", l.Qty, l.Short, int64(MaxQty)),
				fmt.Sprintf("的值 %d（短拣 %d）超出 1 到 %d 的范围", l.Qty, l.Short, int64(MaxQty)))
		}
		for _, m := range []struct {
			f string
			v int64
		}{{".price", l.Price}, {".discount", l.Discount}, {".amount", l.Amount}} {
			if err := money(f+m.f, m.v); err != nil {
				return nil, err
			}
		}
	}
	if err := money("total", d.Total); err != nil {
		return nil, err
	}
	if err := money("discount", d.Discount); err != nil {
		return nil, err
	}
	var paid int64
	for i, p := range d.Payments {
		f := fmt.Sprintf("payments[%d]", i)
		known := false
		for _, m := range PaymentMethods {
			known = known || m == p.Method
		}
		if !known {
			return nil, invalidField(f+".method", fmt.Sprintf("%q: want one of %s", p.Method, strings.Join(PaymentMethods, ", ")),
				fmt.Sprintf("%q 无效：应为 %s 之一", p.Method, strings.Join(PaymentMethods, ", ")))
		}
		for _, m := range []struct {
			f string
			v int64
		}{{".amount", p.Amount}, {".tendered", p.Tendered}, {".change", p.Change}} {
			if err := money(f+m.f, m.v); err != nil {
				return nil, err
			}
		}
		paid += p.Amount
	}
	if len(d.Payments) > 0 && paid != d.Total {
		return nil, invalidField("payments", fmt.Sprintf("add up to %d fen; the total is %d", paid, d.Total),
			fmt.Sprintf("合计 %d 分，与应收 %d 分不符", paid, d.Total))
	}
	return d, nil
}
