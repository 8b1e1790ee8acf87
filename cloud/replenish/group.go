package replenish

import (
	"cmp"
	"fmt"
	"slices"
)

// POProposal is a draft purchase order: the suggestions with an order
// for one supplier, delivered to one site.
type POProposal struct {
	Supplier, Site string
	Lines          []Suggestion // by SKU
}

// GroupBySupplier groups the suggestions that order something (Qty > 0)
// by default supplier and site into draft purchase orders, ordered by
// supplier then site. Suggestions without a supplier cannot become a PO:
// they are returned apart, for a purchaser to assign.
func GroupBySupplier(s []Suggestion) (pos []POProposal, noSupplier []Suggestion) {
	var orders []Suggestion
	for _, x := range s {
		if x.Qty <= 0 {
			continue
		}
		if x.Supplier == "" {
			noSupplier = append(noSupplier, x)
			continue
		}
		orders = append(orders, x)
	}
	slices.SortStableFunc(orders, func(a, b Suggestion) int {
		return cmp.Or(cmp.Compare(a.Supplier, b.Supplier), cmp.Compare(a.Site, b.Site), cmp.Compare(a.SKU, b.SKU))
	})
	for _, x := range orders {
		if n := len(pos); n == 0 || pos[n-1].Supplier != x.Supplier || pos[n-1].Site != x.Site {
			pos = append(pos, POProposal{Supplier: x.Supplier, Site: x.Site})
		}
		pos[len(pos)-1].Lines = append(pos[len(pos)-1].Lines, x)
	}
	sortSuggestions(noSupplier)
	return pos, noSupplier
}

// WarehouseStock is what a warehouse has of one SKU, in base units.
type WarehouseStock struct {
	OnHand, Reserved int64
	// ReorderPoint is the warehouse's own (its Suggestion's): it keeps
	// that much for itself.
	ReorderPoint int64
}

// Surplus is what the warehouse can give away: on hand − reserved − its
// reorder point, or 0. Stock on order is not counted: it cannot be
// shipped yet.
func (w WarehouseStock) Surplus() int64 {
	return max(0, w.OnHand-w.Reserved-w.ReorderPoint)
}

// Warehouse names a warehouse and its stock by SKU.
type Warehouse struct {
	Site  string
	Stock map[string]WarehouseStock
}

// TransferProposal is a draft transfer (调拨单) from a warehouse to a store.
type TransferProposal struct {
	From, To string
	Lines    []TransferLine // by SKU
}

// TransferLine is one SKU of a transfer, in base units.
type TransferLine struct {
	SKU         string
	Qty         int64
	Explanation string
}

// PlanTransfers covers the stores' shortfalls (the suggestions' Need)
// from the warehouse's surplus before anything is bought. Stores are
// served in order of site then SKU, each up to its need, while the
// warehouse's surplus of the SKU lasts; transfers are in base units, with
// no purchase unit or minimum. It returns one draft transfer per store
// served, and the suggestions with what is left to buy: Need reduced by
// what is transferred, Qty and Units rounded again (0 when the transfer
// covers it all). Suggestions of the warehouse itself are left as they are.
func PlanTransfers(s []Suggestion, wh Warehouse) (transfers []TransferProposal, purchase []Suggestion) {
	left := make(map[string]int64, len(wh.Stock))
	for sku, st := range wh.Stock {
		left[sku] = st.Surplus()
	}
	purchase = slices.Clone(s)
	sortSuggestions(purchase)
	for i := range purchase {
		p := &purchase[i]
		if p.Need <= 0 || p.Site == wh.Site || left[p.SKU] <= 0 {
			continue
		}
		st := wh.Stock[p.SKU]
		qty := min(p.Need, left[p.SKU])
		before := left[p.SKU]
		left[p.SKU] -= qty
		line := TransferLine{SKU: p.SKU, Qty: qty, Explanation: fmt.Sprintf(
			"%s has %d beyond its reorder point (on hand %d − reserved %d − reorder point %d); %s needs %d: transfer %d.\n"+
				"%s 超出其再订货点的库存 %d（在库 %d − 已占用 %d − 再订货点 %d）；%s 缺口 %d：调拨 %d。",
			wh.Site, before, st.OnHand, st.Reserved, st.ReorderPoint, p.Site, p.Need, qty,
			wh.Site, before, st.OnHand, st.Reserved, st.ReorderPoint, p.Site, p.Need, qty)}
		if n := len(transfers); n == 0 || transfers[n-1].To != p.Site {
			transfers = append(transfers, TransferProposal{From: wh.Site, To: p.Site})
		}
		transfers[len(transfers)-1].Lines = append(transfers[len(transfers)-1].Lines, line)
		p.Need -= qty
		p.Qty, p.Units = 0, 0
		if p.Need > 0 {
			p.Qty, p.Units = roundOrder(p.Need, p.Factor, p.MinOrder)
		}
		p.Explanation += fmt.Sprintf("\n%d transferred from %s; left to buy %d (%d purchase units).\n从 %s 调拨 %d；仍需采购 %d（%d 个采购单位）。",
			qty, wh.Site, p.Qty, p.Units, wh.Site, qty, p.Qty, p.Units)
	}
	return transfers, purchase
}

// SalesLine is a line of a sales order, in base units.
type SalesLine struct {
	Line int
	SKU  string
	Qty  int64
}

// PurchaseUnit is how a SKU is bought: base units per purchase unit, the
// supplier's minimum order (base units) and the default supplier.
type PurchaseUnit struct {
	Factor, MinOrder int64
	Supplier         string
}

// Shortfall is a sales order line's quantity not covered by stock, and
// what to buy for it (以销定购).
type Shortfall struct {
	Line     int
	SKU      string
	Ordered  int64 // the line's quantity
	Covered  int64 // taken from available stock
	Short    int64 // Ordered − Covered
	Qty      int64 // Short rounded up to the purchase unit and minimum
	Supplier string
}

// ForSalesOrder returns, for a sales order's lines, the lines whose
// quantity the available stock (per SKU: on hand − reserved by other
// orders, base units) does not cover, with the quantity to purchase.
// Lines of the same SKU draw on its stock in line order. A SKU missing
// from units is bought in base units with no minimum. It returns an
// *Error for a negative or too large quantity, or a factor below 1.
func ForSalesOrder(lines []SalesLine, available map[string]int64, units map[string]PurchaseUnit) ([]Shortfall, error) {
	for _, l := range lines {
		who := fmt.Sprintf("sales order line %d (%s)", l.Line, l.SKU)
		switch {
		case l.Qty < 0:
			return nil, refuse(ErrNegative, who, "quantity is negative (%d)", "数量为负（%d）", l.Qty)
		case l.Qty > MaxQty:
			return nil, refuse(ErrTooLarge, who, "quantity %d is beyond %d", "数量 %d 超过上限 %d", l.Qty, MaxQty)
		}
		if u, ok := units[l.SKU]; ok && (u.Factor < 1 || u.Factor > MaxQty || u.MinOrder < 0 || u.MinOrder > MaxQty) {
			return nil, refuse(ErrParam, who, "purchase factor %d or minimum %d out of range", "采购单位换算 %d 或起订量 %d 超出范围",
				u.Factor, u.MinOrder)
		}
	}
	left := make(map[string]int64, len(available))
	for sku, q := range available {
		left[sku] = max(0, min(q, MaxQty))
	}
	var out []Shortfall
	for _, l := range lines {
		covered := min(l.Qty, left[l.SKU])
		left[l.SKU] -= covered
		if covered == l.Qty {
			continue
		}
		u := units[l.SKU]
		if u.Factor == 0 {
			u.Factor = 1
		}
		sh := Shortfall{Line: l.Line, SKU: l.SKU, Ordered: l.Qty, Covered: covered, Short: l.Qty - covered, Supplier: u.Supplier}
		sh.Qty, _ = roundOrder(sh.Short, u.Factor, u.MinOrder)
		out = append(out, sh)
	}
	return out, nil
}
