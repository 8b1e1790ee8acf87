package syncproto

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Master record kinds of cloud documents sent to the sites that work them
// (key: the document's number; body: pb.DocumentRecord).
const (
	// KindPurchaseOrder: an approved purchase order, to its receiving site.
	KindPurchaseOrder = "purchase_order"
	// KindPurchaseReturn: an approved purchase return, to the returning site.
	KindPurchaseReturn = "purchase_return"
	// KindPickList: a pick list of a sales order, to the shipping site.
	KindPickList = "pick_list"
	// KindTransfer: an approved transfer, to its source and destination.
	KindTransfer = "transfer"
	// KindCountPlan: an approved count plan, to the counted site.
	KindCountPlan = "count_plan"
	// KindAssembly and KindDisassembly: an approved assembly (组装) or
	// disassembly (拆卸), to the site that does it; line 1 is the
	// product, the others its components (DocumentLine.component).
	KindAssembly    = "assembly"
	KindDisassembly = "disassembly"
)

// DocumentKinds are the master record kinds whose body is a
// pb.DocumentRecord.
var DocumentKinds = []string{KindPurchaseOrder, KindPurchaseReturn, KindPickList, KindTransfer, KindCountPlan, KindAssembly, KindDisassembly}

// IsDocumentKind reports whether kind is one of DocumentKinds.
func IsDocumentKind(kind string) bool {
	for _, k := range DocumentKinds {
		if k == kind {
			return true
		}
	}
	return false
}

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

// DecodeDocumentRecord decodes and checks the body of a master record of a
// document kind (DocumentKinds): strings valid; a partner for a purchase
// order, purchase return or pick list; both sites, and different, for a
// transfer; 1 to MaxDocLines lines (a count plan may have none) numbered
// uniquely 1 … MaxDocLines, each with a SKU, a unit, a factor 1 … MaxQty, a
// quantity 1 … MaxQty and qty_base = qty × factor ≤ MaxQty. It returns a
// *ValidationError or one wrapping ErrMalformed when the body does not
// decode or the kind is not a document kind.
func DecodeDocumentRecord(kind string, body []byte) (*pb.DocumentRecord, error) {
	if !IsDocumentKind(kind) {
		return nil, fmt.Errorf("%w: %q is not a document kind", ErrMalformed, kind)
	}
	r := new(pb.DocumentRecord)
	if err := proto.Unmarshal(body, r); err != nil {
		return nil, fmt.Errorf("%w: %s record: %v", ErrMalformed, kind, err)
	}
	if err := ValidateDocumentRecord(kind, r); err != nil {
		return nil, err
	}
	return r, nil
}

// ValidateDocumentRecord checks a record as DecodeDocumentRecord does.
func ValidateDocumentRecord(kind string, r *pb.DocumentRecord) error {
	partner := kind == KindPurchaseOrder || kind == KindPurchaseReturn || kind == KindPickList
	transfer := kind == KindTransfer
	if err := checkStrings([]stringField{{"partner", r.GetPartner(), partner}, {"partner_name", r.GetPartnerName(), false},
		{"date", r.GetDate(), false}, {"expected_date", r.GetExpectedDate(), false},
		{"from_site", r.GetFromSite(), transfer}, {"to_site", r.GetToSite(), transfer}, {"ref", r.GetRef(), false},
		{"note", r.GetNote(), false}}); err != nil {
		return err
	}
	if transfer && r.GetFromSite() == r.GetToSite() {
		return invalidField("to_site", "is the same as from_site", "与调出门店/仓库相同")
	}
	for i, b := range r.GetBins() {
		if err := CheckString(fmt.Sprintf("bins[%d]", i), b, true); err != nil {
			return err
		}
	}
	if p := r.GetTolerancePercent(); p < 0 || p > 1000 {
		return invalidField("tolerance_percent", fmt.Sprintf("%d is outside 0 … 1000", p), fmt.Sprintf("的值 %d 超出范围：应在 0 到 1000 之间", p))
	}
	lines := r.GetLines()
	least := 1
	if kind == KindCountPlan {
		least = 0
	}
	if len(lines) < least || len(lines) > MaxDocLines {
		return invalidField("lines", fmt.Sprintf("has %d lines; want %d … %d", len(lines), least, MaxDocLines),
			fmt.Sprintf("有 %d 行，应为 %d 到 %d 行", len(lines), least, MaxDocLines))
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
			{f + ".name", l.GetName(), false}, {f + ".bin", l.GetBin(), false}, {f + ".lot", l.GetLot(), false}}); err != nil {
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
