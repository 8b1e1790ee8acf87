package docs

import "time"

// Document types and their number prefixes (DOMAIN.md §2).
const (
	TypePurchaseOrder = "purchase_order"
	PrefixPurchase    = "CG"
)

// Statuses of a document.
const (
	StatusDraft          = "draft"
	StatusApproved       = "approved"
	StatusPartlyReceived = "partly_received"
	StatusReceived       = "received"
	StatusClosed         = "closed"
	StatusVoid           = "void"
)

// Statuses lists every status, in order.
var Statuses = []string{StatusDraft, StatusApproved, StatusPartlyReceived, StatusReceived, StatusClosed, StatusVoid}

var statusZH = map[string]string{StatusDraft: "草稿", StatusApproved: "已审核", StatusPartlyReceived: "部分入库",
	StatusReceived: "已入库", StatusClosed: "已关闭", StatusVoid: "已作废"}

// StatusZH returns what a status is called in Chinese.
func StatusZH(s string) string { return statusZH[s] }

// DefaultOverReceiptPercent is how far above a line's quantity receipts
// may go before the line is flagged: suppliers have no tolerance field
// yet, so every tenant has 0 %.
const DefaultOverReceiptPercent = 0

// PurchaseOrder is a purchase order (采购订单). What a client sends in the
// read-only fields (number, status, amounts, received, …) is ignored.
type PurchaseOrder struct {
	ID      int64  `json:"id" required:"false" doc:"Assigned by the server."`
	Number  string `json:"number" required:"false" doc:"CG + yyyymmdd + - + daily serial, assigned at creation 单据编号."`
	Status  string `json:"status" required:"false" enum:"draft,approved,partly_received,received,closed,void" doc:"草稿 已审核 部分入库 已入库 已关闭 已作废."`
	Version int64  `json:"version" required:"false" doc:"Bumped by every change; send it back in If-Match."`

	Supplier     string `json:"supplier" maxLength:"64" doc:"The supplier's code 供应商编码."`
	SupplierName string `json:"supplier_name" required:"false"`
	Site         string `json:"site" maxLength:"64" doc:"The receiving site's code 收货门店/仓库."`
	Date         string `json:"date" doc:"Document date yyyy-mm-dd 单据日期."`
	ExpectedDate string `json:"expected_date" required:"false" doc:"Expected delivery yyyy-mm-dd 预计到货日期."`
	// TaxIncluded says the prices include VAT (含税价).
	TaxIncluded bool   `json:"tax_included" required:"false" doc:"Prices include VAT 含税价."`
	Note        string `json:"note" required:"false" maxLength:"500"`
	Lines       []Line `json:"lines" nullable:"false" minItems:"1" maxItems:"1000"`

	Amounts
	// OverReceiptPercent is the tolerance over a line's quantity.
	OverReceiptPercent int32 `json:"over_receipt_percent" required:"false" doc:"Read-only: the tolerance over a line's quantity 超收容差（%）."`

	CloseReason string    `json:"close_reason,omitempty" required:"false"`
	CreatedAt   time.Time `json:"created_at" required:"false"`
	CreatedBy   string    `json:"created_by" required:"false"`
	UpdatedAt   time.Time `json:"updated_at" required:"false"`
	UpdatedBy   string    `json:"updated_by" required:"false"`
	ApprovedAt  time.Time `json:"approved_at,omitzero" required:"false"`
	ApprovedBy  string    `json:"approved_by,omitempty" required:"false"`
}

// Line is a line of a purchase order. Quantities are integers in Unit;
// QtyBase and Received are in the SKU's base unit.
type Line struct {
	Line    int    `json:"line" required:"false" doc:"1, 2, 3 …; assigned by the server. Receipts name it as NUMBER#LINE."`
	SKU     string `json:"sku" maxLength:"64"`
	Name    string `json:"name" required:"false"`
	Unit    string `json:"unit" required:"false" maxLength:"16" doc:"The base unit or one of the product's pack units; omitted: the base unit."`
	Factor  int64  `json:"factor" required:"false" doc:"Read-only: base units per Unit 换算率."`
	Qty     int64  `json:"qty" minimum:"1" doc:"Quantity in Unit 数量."`
	QtyBase int64  `json:"qty_base" required:"false" doc:"Read-only: Qty × Factor, in base units."`
	Price   int64  `json:"price" minimum:"0" doc:"Fen per Unit, including VAT when tax_included 单价（分）."`
	// VATRate is in percent; omitted, the product's rate (or the
	// tenant's default).
	VATRate *int32 `json:"vat_rate" required:"false" doc:"Percent, one of the settings' rates; omitted: the product's 税率."`
	Amounts

	// Received is the quantity received, in base units, from the stored
	// movements naming the line; OverReceived flags receipts beyond the
	// tolerance.
	Received     int64 `json:"received" required:"false" doc:"Read-only: received in base units, from the movements naming the line 已入库数量."`
	OverReceived bool  `json:"over_received" required:"false" doc:"Read-only: received beyond the tolerance 超收."`
}

// Progress is what the stored movements naming a document line add up
// to.
type Progress struct {
	// Qty is the sum of their quantities (base units); Moves how many.
	Qty, Moves int64
}

// ReceiptStatus derives an approved order's status from its lines'
// ordered and received quantities (base units): received when every
// line has its quantity, partly_received when anything was received,
// else approved. Another status is returned as it is: a draft, closed or
// void order does not move.
func ReceiptStatus(status string, ordered, received map[int]int64) string {
	switch status {
	case StatusApproved, StatusPartlyReceived, StatusReceived:
	default:
		return status
	}
	all, any := len(ordered) > 0, false
	for line, q := range ordered {
		r := received[line]
		if r < q {
			all = false
		}
		if r > 0 {
			any = true
		}
	}
	switch {
	case all:
		return StatusReceived
	case any:
		return StatusPartlyReceived
	}
	return StatusApproved
}

// OverReceived reports whether received is beyond ordered by more than
// percent.
func OverReceived(ordered, received int64, percent int32) bool {
	return received > 0 && received*100 > ordered*(100+int64(percent))
}
