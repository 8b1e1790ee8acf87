package docs

import (
	"encoding/json"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// Statuses of a document (DOMAIN.md §2). What partly_done and done are
// called depends on the type (部分入库 / 已入库 for a purchase order,
// 部分出库 / 已出库 for a pick list): Type.StatusZH.
const (
	StatusDraft      = "draft"
	StatusApproved   = "approved"
	StatusPartlyDone = "partly_done"
	StatusDone       = "done"
	StatusClosed     = "closed"
	StatusVoid       = "void"
)

// Statuses lists every status, in order.
var Statuses = []string{StatusDraft, StatusApproved, StatusPartlyDone, StatusDone, StatusClosed, StatusVoid}

var statusZH = map[string]string{StatusDraft: "草稿", StatusApproved: "已审核", StatusPartlyDone: "部分完成",
	StatusDone: "已完成", StatusClosed: "已关闭", StatusVoid: "已作废"}

// Measure says how a line's done quantity comes from the movements naming
// it (Progress): what "received", "picked", "returned" mean.
type Measure int

const (
	// MeasureNone: the type's lines are not worked by movements (a quote, a
	// purchase request); it is done by what is made from it.
	MeasureNone Measure = iota
	// MeasureIn: done is what came in, net of corrections (in − out): a
	// purchase order's receipts, a sales return.
	MeasureIn
	// MeasureOut: done is what went out, net (out − in): a pick list, a
	// purchase return.
	MeasureOut
	// MeasureTransfer: the out leg (at the source) and the in leg (at the
	// destination) are both kept; done is what arrived (in), in transit
	// is out − in.
	MeasureTransfer
	// MeasureBoth: done is what moved either way (in + out): an assembly's
	// product coming in and its components going out.
	MeasureBoth
	// MeasureChildren: done is the sum of the done quantities of the lines
	// of the documents made from it (Type.Children) that name each line by
	// RefLine: a sales order's shipped quantity from its pick lists.
	MeasureChildren
)

// Type describes a document type: its number prefix, who may do what
// (module.view, .edit, .approve), whom and where it is for, whether its
// lines are priced, how progress is measured, and what is sent to the
// sites when it is approved.
type Type struct {
	// Name is the type's name in the API and the store
	// ("purchase_order"); Path its collection's path
	// ("purchase-orders").
	Name, Path string
	// Prefix starts its numbers (CG).
	Prefix string
	// Title and TitleZH name it ("purchase order", "采购订单").
	Title, TitleZH string
	// Module is the permission module (purchase, sales, inventory,
	// retail).
	Module string
	// Partner is the master data kind of the partner (supplier,
	// customer) or "" for none; PartnerRequired says one must be given.
	Partner         string
	PartnerRequired bool
	// Priced says lines carry a price, a VAT rate and amounts.
	Priced bool
	// ToSite says the document has a destination site (a transfer).
	ToSite bool
	// Measure is how a line's done quantity is derived; Children are the
	// types whose lines count toward this one's (MeasureChildren).
	Measure  Measure
	Children []string
	// Publish is the master record kind (syncproto.Kind…) an approved
	// document is sent as to its site (and ToSite), "" for none.
	Publish string
	// From lists the types a document of this type may be made from
	// (its Ref).
	From []string
	// Edge is the edge document type (syncproto.Edge…) that makes
	// documents of this type when it reaches the cloud; "" for types
	// made at HQ only.
	Edge string
	// DoneZH and PartlyZH name the done and partly done statuses
	// ("已入库", "部分入库").
	DoneZH, PartlyZH string
	// Reasons are the reason codes a document of the type may carry
	// (other in/out), none: no reason.
	Reasons []string
	// HQ says HQ may also make one, which the cloud carries out when it is
	// approved: its movements are written at its site as the cloud's own
	// replica (an other in/out decided at HQ, for a site with an agent or
	// without one).
	HQ bool
}

// SitesOnly reports whether documents of the type are made only by the
// sites (a retail sale, a shipment): read-only at HQ.
func (t *Type) SitesOnly() bool {
	return t.Edge != "" && t.Publish == "" && t.Name != TypeTransfer && !t.HQ
}

// PermView, PermEdit, PermApprove are the type's permissions.
func (t *Type) PermView() auth.Permission    { return auth.Permission(t.Module + ".view") }
func (t *Type) PermEdit() auth.Permission    { return auth.Permission(t.Module + ".edit") }
func (t *Type) PermApprove() auth.Permission { return auth.Permission(t.Module + ".approve") }

// StatusZH returns what a status of the type is called in Chinese.
func (t *Type) StatusZH(s string) string {
	switch {
	case s == StatusDone && t.DoneZH != "":
		return t.DoneZH
	case s == StatusPartlyDone && t.PartlyZH != "":
		return t.PartlyZH
	}
	return statusZH[s]
}

// StatusZH returns what a status is called in Chinese, whatever the type.
func StatusZH(s string) string { return statusZH[s] }

// DefaultTolerancePercent is how far above a line's quantity receipts
// may go before the line is flagged, when the partner sets none.
const DefaultTolerancePercent = 0

// Document is a document of any type. What a client sends in the
// read-only fields (number, status, amounts, progress, links …) is
// ignored.
type Document struct {
	ID      int64  `json:"id" required:"false" doc:"Assigned by the server."`
	Type    string `json:"type" required:"false" doc:"Read-only: the document type (purchase_order, sales_order …)."`
	Number  string `json:"number" required:"false" doc:"PREFIX + yyyymmdd + - + daily serial, assigned at creation 单据编号."`
	Status  string `json:"status" required:"false" enum:"draft,approved,partly_done,done,closed,void" doc:"草稿 已审核 部分完成 已完成 已关闭 已作废."`
	Version int64  `json:"version" required:"false" doc:"Bumped by every change; send it back in If-Match."`

	Partner     string `json:"partner" required:"false" maxLength:"64" doc:"The supplier's or customer's code 供应商/客户编码."`
	PartnerName string `json:"partner_name" required:"false"`
	Site        string `json:"site" maxLength:"64" doc:"The site it is for (receiving, shipping, source) 门店/仓库."`
	ToSite      string `json:"to_site,omitempty" required:"false" maxLength:"64" doc:"A transfer's destination 调入门店/仓库."`
	Date        string `json:"date" doc:"Document date yyyy-mm-dd 单据日期."`
	// ExpectedDate is the expected delivery (purchase) or promised
	// shipping date (sales).
	ExpectedDate string `json:"expected_date,omitempty" required:"false" doc:"Expected delivery yyyy-mm-dd 预计到货/交货日期."`
	// TaxIncluded says the prices include VAT (含税价).
	TaxIncluded bool `json:"tax_included" required:"false" doc:"Prices include VAT 含税价."`
	// Ref is the number of the document this one was made from.
	Ref string `json:"ref,omitempty" required:"false" maxLength:"64" doc:"The source document's number 源单号."`
	// ExternalID is the id an outside system gave the order (e-commerce);
	// one document per (type, external id).
	ExternalID string `json:"external_id,omitempty" required:"false" maxLength:"64" doc:"An outside system's order id 外部单号."`
	// Reason is a reason code (other in/out, returns).
	Reason string `json:"reason,omitempty" required:"false" maxLength:"32" doc:"Reason code 原因."`
	Note   string `json:"note,omitempty" required:"false" maxLength:"500"`
	Lines  []Line `json:"lines" required:"false" nullable:"false" maxItems:"1000" doc:"At least one, except for a count plan of the whole site or of bins."`

	Amounts
	// TolerancePercent is how far above a line's quantity work may go.
	TolerancePercent int32 `json:"tolerance_percent" required:"false" doc:"Read-only: the tolerance over a line's quantity 超收/超发容差（%）."`

	// Hold says an approved document is held (a sales order over the
	// customer's credit limit) until released; HoldReason says why.
	Hold       bool   `json:"hold,omitempty" required:"false" doc:"Read-only: held until released 冻结."`
	HoldReason string `json:"hold_reason,omitempty" required:"false"`
	// ReleaseReason says why a held document was released, and by whom.
	ReleaseReason string `json:"release_reason,omitempty" required:"false" doc:"Read-only: why the hold was released 解除冻结原因."`

	// Count plans: Scope is what is counted (site: everything at the
	// site; bins: everything in Bins; skus: the SKUs of the lines
	// wherever they are); Blind hides the expected quantities on the
	// handhelds.
	Scope string `json:"scope,omitempty" required:"false" enum:"site,bins,skus,category,abc" doc:"Count plans: site, bins, skus, category or abc 盘点范围."`
	// Category is a count plan's category (its code; the subtree
	// counts), ABC its class (A, B or C by the value that left the site
	// in the last 90 days: the top 80 %, the next 15 %, the rest): both
	// become the plan's SKU lines when it is approved.
	Category string   `json:"category,omitempty" required:"false" maxLength:"64" doc:"Count plans by category: its code 盘点分类."`
	ABC      string   `json:"abc,omitempty" required:"false" enum:"A,B,C" doc:"Cycle counts by ABC class ABC 分类循环盘点."`
	Bins     []string `json:"bins,omitempty" required:"false" maxItems:"1000" doc:"Count plans by bins: the bins 盘点库位."`
	Blind    bool     `json:"blind,omitempty" required:"false" doc:"Count plans: hide expected quantities 盲盘."`
	// VariancesApprovedBy and VariancesApprovedAt say who approved a
	// count plan's variances and when (ApproveVariances).
	VariancesApprovedBy string    `json:"variances_approved_by,omitempty" required:"false" doc:"Read-only: who approved the count variances 差异审核人."`
	VariancesApprovedAt time.Time `json:"variances_approved_at,omitzero" required:"false" doc:"Read-only: when 差异审核时间."`

	// Approvals are the levels signed so far of a draft that needs
	// several (settings' approval_levels); RejectReason why the last
	// approver sent it back.
	Approvals    []Approval `json:"approvals,omitempty" required:"false" doc:"Read-only: approval levels signed 审批记录."`
	RejectReason string     `json:"reject_reason,omitempty" required:"false" doc:"Read-only: why it was sent back 驳回原因."`

	// EdgeID is the (replica, seq) name of a document made at the edge
	// (syncproto.EdgeDocID); Replica the replica that made it.
	EdgeID string `json:"edge_id,omitempty" required:"false" doc:"Read-only: made at the edge as this document 边缘单据号."`
	// Extra holds what a type adds (a retail sale's payments).
	Extra json.RawMessage `json:"extra,omitempty" required:"false" doc:"Read-only: what the type adds (payments of a retail sale)."`

	CloseReason string    `json:"close_reason,omitempty" required:"false"`
	CreatedAt   time.Time `json:"created_at" required:"false"`
	CreatedBy   string    `json:"created_by" required:"false"`
	UpdatedAt   time.Time `json:"updated_at" required:"false"`
	UpdatedBy   string    `json:"updated_by" required:"false"`
	ApprovedAt  time.Time `json:"approved_at,omitzero" required:"false"`
	ApprovedBy  string    `json:"approved_by,omitempty" required:"false"`

	// Elsewhere is what sites other than the document's recorded naming
	// it (a receipt of another site's order, say): not counted, shown.
	Elsewhere *Progress `json:"elsewhere,omitempty" required:"false" doc:"Read-only: work other sites recorded naming it, not counted 其他站点的记录（不计入）."`

	// Links are the documents made from this one and the one it was made
	// from (filled when one document is read).
	Links []Link `json:"links,omitempty" required:"false" doc:"Read-only: linked documents both ways 关联单据."`
}

// Approval is one signed level of approval.
type Approval struct {
	Level int       `json:"level"`
	Role  string    `json:"role"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// Link names a linked document.
type Link struct {
	// Dir is "from" (this document was made from it) or "to" (it was
	// made from this document).
	Dir    string `json:"dir" enum:"from,to"`
	ID     int64  `json:"id"`
	Type   string `json:"type"`
	Number string `json:"number"`
	Status string `json:"status"`
	Date   string `json:"date"`
}

// Line is a line of a document. Quantities are integers in Unit; QtyBase
// and the progress fields are in the SKU's base unit.
type Line struct {
	Line    int    `json:"line" required:"false" doc:"1, 2, 3 …; assigned by the server. Work at the sites names it as NUMBER#LINE."`
	SKU     string `json:"sku" maxLength:"64"`
	Name    string `json:"name" required:"false"`
	Unit    string `json:"unit" required:"false" maxLength:"16" doc:"The base unit or one of the product's pack units; omitted: the base unit."`
	Factor  int64  `json:"factor" required:"false" doc:"Read-only: base units per Unit 换算率."`
	Qty     int64  `json:"qty" minimum:"1" doc:"Quantity in Unit 数量."`
	QtyBase int64  `json:"qty_base" required:"false" doc:"Read-only: Qty × Factor, in base units."`
	Price   int64  `json:"price" required:"false" minimum:"0" doc:"Fen per Unit, including VAT when tax_included 单价（分）."`
	// VATRate is in percent; omitted, the product's rate (or the
	// tenant's default).
	VATRate *int32 `json:"vat_rate,omitempty" required:"false" doc:"Percent, one of the settings' rates; omitted: the product's 税率."`
	Amounts
	// ExpectedDate is when the line is expected (a purchase order line
	// delivered later than the rest); empty: the document's.
	ExpectedDate string `json:"expected_date,omitempty" required:"false" doc:"The line's expected date yyyy-mm-dd 行预计到货日期."`
	// Bin and Lot say where to take from or put to, and which lot.
	Bin string `json:"bin,omitempty" required:"false" maxLength:"64" doc:"Bin 库位."`
	Lot string `json:"lot,omitempty" required:"false" maxLength:"64" doc:"Lot 批次."`
	// RefLine is the line of the source document (Ref) this one comes
	// from.
	RefLine int `json:"ref_line,omitempty" required:"false" doc:"The source document's line 源单行号."`
	// Role is, in an assembly or disassembly, whether the line is the
	// assembled product (line 1) or one of its components.
	Role string `json:"role,omitempty" required:"false" enum:"product,component" doc:"Assembly: product or component 成品/组件."`
	// Note says more of the line (what a pick run did not pick, and why).
	Note string `json:"note,omitempty" required:"false" maxLength:"200" doc:"Line note 行备注."`

	// Done is the quantity done (received, picked, shipped, arrived), in
	// base units, derived from the movements naming the line (Measure);
	// In and Out are what came in and went out (a transfer's legs:
	// transit = Out − In); Over flags work beyond the tolerance.
	Done int64 `json:"done" required:"false" doc:"Read-only: done in base units, from the movements naming the line 已完成数量."`
	In   int64 `json:"in,omitempty" required:"false" doc:"Read-only: base units in 入."`
	Out  int64 `json:"out,omitempty" required:"false" doc:"Read-only: base units out 出."`
	Over bool  `json:"over,omitempty" required:"false" doc:"Read-only: beyond the tolerance 超量."`
	// BackOrder is, for a sales order, how much of the line (base units)
	// was beyond what was available at its site when it was approved
	// (缺货待补); fixed at approval.
	BackOrder int64 `json:"back_order,omitempty" required:"false" doc:"Read-only: base units beyond availability at approval 缺货数量."`
}

// ElsewhereLine is the key under which a document's progress holds what
// sites other than the document's recorded naming it: flagged on the
// document (Document.Elsewhere), never counted toward its lines.
const ElsewhereLine = -1

// Progress is what the stored movements naming a document line add up
// to.
type Progress struct {
	// In and Out are the sums of their positive and negative quantities
	// (both ≥ 0, base units); Moves how many.
	In    int64 `json:"in"`
	Out   int64 `json:"out"`
	Moves int64 `json:"moves"`
}

// Net is In − Out.
func (p Progress) Net() int64 { return p.In - p.Out }

// Done returns the done quantity of a line with progress p under m.
func (m Measure) Done(p Progress) int64 {
	switch m {
	case MeasureIn:
		return p.In - p.Out
	case MeasureOut:
		return p.Out - p.In
	case MeasureTransfer:
		return p.In
	case MeasureBoth:
		return p.In + p.Out
	}
	return 0
}

// DeriveStatus derives an approved document's status from its lines'
// quantities and done quantities (base units, by line): done when every
// line has its quantity, partly_done when anything was done, else
// approved. Another status is returned as it is: a draft, closed or void
// document does not move.
func DeriveStatus(status string, ordered, done map[int]int64) string {
	switch status {
	case StatusApproved, StatusPartlyDone, StatusDone:
	default:
		return status
	}
	all, any := len(ordered) > 0, false
	for line, q := range ordered {
		d := done[line]
		if d < q {
			all = false
		}
		if d != 0 {
			any = true
		}
	}
	switch {
	case all:
		return StatusDone
	case any:
		return StatusPartlyDone
	}
	return StatusApproved
}

// Over reports whether done is beyond ordered by more than percent.
func Over(ordered, done int64, percent int32) bool {
	return done > 0 && done*100 > ordered*(100+int64(percent))
}

// settings reads the tenant's settings (masterdata.DefaultSettings when
// none are stored).
func settingsOf(r masterdata.Row, ok bool) (masterdata.Settings, error) {
	s := masterdata.DefaultSettings()
	if !ok {
		return s, nil
	}
	err := json.Unmarshal(r.Body, &s)
	return s, err
}

// Attribute adds to prog (by line) what movements naming the document by
// number alone did (unlinked, by SKU: an unplanned receipt made before
// the document reached the site): each SKU's to the document's first line
// of that SKU; a SKU the document does not have counts nowhere.
func Attribute(prog map[int]Progress, lines []LineRow, unlinked map[string]Progress) map[int]Progress {
	out := make(map[int]Progress, len(prog))
	for k, v := range prog {
		out[k] = v
	}
	for sku, u := range unlinked {
		for _, l := range lines {
			if l.SKU == sku {
				p := out[l.Line]
				p.In, p.Out, p.Moves = p.In+u.In, p.Out+u.Out, p.Moves+u.Moves
				out[l.Line] = p
				break
			}
		}
	}
	return out
}

// LooksLikeNumber reports whether s has the shape of a document number
// (two capital letters, yyyymmdd, '-', four or more digits): a movement
// whose doc is such a number without a line is an unplanned piece of
// work for that document.
func LooksLikeNumber(s string) bool {
	if len(s) < 15 || len(s) > 20 || s[10] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < 2:
			if c < 'A' || c > 'Z' {
				return false
			}
		case i == 10:
		case c < '0' || c > '9':
			return false
		}
	}
	return true
}
