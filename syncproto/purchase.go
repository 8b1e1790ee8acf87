package syncproto

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// KindPurchaseOrder is the master record kind of an approved purchase
// order sent to its receiving site (key: the PO number; body:
// pb.PurchaseOrderRecord).
const KindPurchaseOrder = "purchase_order"

// MaxDocLines bounds the lines of one document.
const MaxDocLines = 1000

// A movement done against a line of a cloud document (a receipt against
// a purchase order line) names it in Movement.doc as "NUMBER#LINE":
// "CG20261125-0001#3". The Movement message has no line field: the
// suffix keeps every event written before it valid and needs no change of
// the wire format. A doc without '#' names a document but no line.

// DocLine returns the doc field of a movement against line of the
// document number.
func DocLine(number string, line int) string {
	return number + "#" + strconv.Itoa(line)
}

// ParseDocLine splits a movement's doc field "NUMBER#LINE" into the
// document number and the line (1 … MaxDocLines); ok is false when doc
// does not name a line that way.
func ParseDocLine(doc string) (number string, line int, ok bool) {
	i := strings.LastIndexByte(doc, '#')
	if i <= 0 || i == len(doc)-1 || len(doc)-i > 5 {
		return "", 0, false
	}
	n := 0
	for _, c := range doc[i+1:] {
		if c < '0' || c > '9' {
			return "", 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > MaxDocLines || doc[i+1] == '0' {
		return "", 0, false
	}
	return doc[:i], n, true
}

// DecodePurchaseOrderRecord decodes and checks the body of a
// "purchase_order" record: supplier required, strings valid, 1 to
// MaxDocLines lines numbered uniquely 1 … MaxDocLines, each with a SKU, a
// unit, a factor 1 … MaxQty, a quantity 1 … MaxQty and qty_base = qty ×
// factor ≤ MaxQty. It returns a *ValidationError or one wrapping
// ErrMalformed when the body does not decode.
func DecodePurchaseOrderRecord(body []byte) (*pb.PurchaseOrderRecord, error) {
	r := new(pb.PurchaseOrderRecord)
	if err := proto.Unmarshal(body, r); err != nil {
		return nil, fmt.Errorf("%w: purchase order record: %v", ErrMalformed, err)
	}
	if err := ValidatePurchaseOrderRecord(r); err != nil {
		return nil, err
	}
	return r, nil
}

// ValidatePurchaseOrderRecord checks a record as DecodePurchaseOrderRecord
// does.
func ValidatePurchaseOrderRecord(r *pb.PurchaseOrderRecord) error {
	if err := checkStrings([]stringField{{"supplier", r.GetSupplier(), true}, {"supplier_name", r.GetSupplierName(), false},
		{"date", r.GetDate(), false}, {"expected_date", r.GetExpectedDate(), false}}); err != nil {
		return err
	}
	if p := r.GetOverReceiptPercent(); p < 0 || p > 1000 {
		return invalidField("over_receipt_percent", fmt.Sprintf("%d is outside 0 … 1000", p), fmt.Sprintf("的值 %d 超出范围：应在 0 到 1000 之间", p))
	}
	lines := r.GetLines()
	if len(lines) == 0 || len(lines) > MaxDocLines {
		return invalidField("lines", fmt.Sprintf("has %d lines; want 1 … %d", len(lines), MaxDocLines),
			fmt.Sprintf("有 %d 行，应为 1 到 %d 行", len(lines), MaxDocLines))
	}
	seen := make(map[int32]bool, len(lines))
	for i, l := range lines {
		f := fmt.Sprintf("lines[%d]", i)
		if n := l.GetLine(); n < 1 || n > MaxDocLines || seen[n] {
			return invalidField(f+".line", fmt.Sprintf("%d is outside 1 … %d or used twice", n, MaxDocLines),
				fmt.Sprintf("的值 %d 超出 1 到 %d 的范围或重复", n, MaxDocLines))
		}
		seen[l.GetLine()] = true
		if err := checkStrings([]stringField{{f + ".sku", l.GetSku(), true}, {f + ".unit", l.GetUnit(), true},
			{f + ".name", l.GetName(), false}}); err != nil {
			return err
		}
		if v := l.GetFactor(); v < 1 || v > MaxQty {
			return invalidField(f+".factor", fmt.Sprintf("%d is outside 1 … %d", v, int64(MaxQty)), fmt.Sprintf("的值 %d 超出范围：应在 1 到 %d 之间", v, int64(MaxQty)))
		}
		if v := l.GetQty(); v < 1 || v > MaxQty {
			return invalidField(f+".qty", fmt.Sprintf("%d is outside 1 … %d", v, int64(MaxQty)), fmt.Sprintf("的值 %d 超出范围：应在 1 到 %d 之间", v, int64(MaxQty)))
		}
		if l.GetQty() > MaxQty/l.GetFactor() || l.GetQtyBase() != l.GetQty()*l.GetFactor() {
			return invalidField(f+".qty_base", fmt.Sprintf("%d is not qty %d × factor %d (at most %d)", l.GetQtyBase(), l.GetQty(), l.GetFactor(), int64(MaxQty)),
				fmt.Sprintf("的值 %d 不等于数量 %d × 换算率 %d（上限 %d）", l.GetQtyBase(), l.GetQty(), l.GetFactor(), int64(MaxQty)))
		}
	}
	return nil
}
