package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/replenish"
	"github.com/jxc-edge/jxc/syncproto"
)

// Replenishment (DOMAIN.md §8) and stock alerts, computed on request from
// what is stored; nothing is kept.
//
// Per SKU at a site: the daily demand history is what the stored
// movements out of the site for sales (reasons DemandReasons) took on
// each of the last Days days (CST days, today included; days without
// sales are 0); on hand is the cloud's on-hand over every bin and lot; on
// order what approved purchase orders of the site have still to receive;
// reserved what approved, not held sales orders of the site have still to
// ship (as Availability); min and max the site's stock_limit record; the
// purchase unit the product's largest pack unit. The SKUs considered are
// those with any of these. A SKU is bought from the query's supplier if
// one is given, else from its product's default supplier (none: it is
// listed without one, for a purchaser to assign), with that supplier's
// lead time when it has one, else the query's.

// DemandReasons are the movement reasons that count as demand.
var DemandReasons = []string{"sale", "ship"}

// ReplenishQuery is what a replenishment run asks for.
type ReplenishQuery struct {
	Site string
	// Method is "ma" (moving average, default) or "es" (exponential
	// smoothing).
	Method string
	// Days is the days of history (default 28); Window N of the moving
	// average and σ (default Days); AlphaPermille α of smoothing (default
	// 300).
	Days, Window, AlphaPermille int
	// LeadTimeDays (default 7), ReviewDays (default 7), ServiceLevel per
	// mille (default 950).
	LeadTimeDays, ReviewDays, ServiceLevel int
	// Supplier groups every suggestion under that supplier's code; "":
	// none.
	Supplier string
	// SKU keeps one SKU; All keeps the suggestions that order nothing.
	SKU string
	All bool
	// From is a warehouse whose stock beyond its own reorder point covers
	// the site's shortfall first, as draft transfers; "": none.
	From string
}

// SuggestionView is a replenish.Suggestion as the API shows it: base
// units; demand and σ in thousandths of a base unit per day.
type SuggestionView struct {
	SKU          string `json:"sku"`
	Name         string `json:"name"`
	Site         string `json:"site"`
	Supplier     string `json:"supplier,omitempty"`
	Days         int    `json:"days" doc:"Days of history d̄ and σ are over."`
	DemandMilli  int64  `json:"demand_milli" doc:"d̄, thousandths of a base unit per day 日均需求（千分之一）."`
	SigmaMilli   int64  `json:"sigma_milli" doc:"σ of daily demand, thousandths 需求标准差（千分之一）."`
	ZMilli       int64  `json:"z_milli"`
	OnHand       int64  `json:"on_hand" doc:"在库"`
	OnOrder      int64  `json:"on_order" doc:"在途（采购未到）"`
	Reserved     int64  `json:"reserved" doc:"已占用（销售未发）"`
	Min          int64  `json:"min" doc:"库存下限; 0: none."`
	Max          int64  `json:"max" doc:"库存上限; 0: none."`
	SafetyStock  int64  `json:"safety_stock" doc:"安全库存"`
	ReorderPoint int64  `json:"reorder_point" doc:"再订货点"`
	Trigger      int64  `json:"trigger"`
	Target       int64  `json:"target"`
	Position     int64  `json:"position" doc:"on hand + on order − reserved."`
	Need         int64  `json:"need"`
	Qty          int64  `json:"qty" doc:"Suggested, base units, whole purchase units 建议采购量."`
	Units        int64  `json:"units" doc:"Qty in purchase units."`
	Unit         string `json:"unit" doc:"The purchase unit 采购单位."`
	Factor       int64  `json:"factor"`
	BelowMin     bool   `json:"below_min"`
	AboveMax     bool   `json:"above_max"`
	Explanation  string `json:"explanation" doc:"How the numbers were reached, English then Chinese."`
}

// ProposalLine is one SKU of a proposed document, in base units.
type ProposalLine struct {
	SKU  string `json:"sku"`
	Qty  int64  `json:"qty" doc:"Base units."`
	Note string `json:"note,omitempty"`
}

// Proposal is a draft document to make (a purchase order from a supplier,
// a transfer from a warehouse).
type Proposal struct {
	Supplier string         `json:"supplier,omitempty"`
	From     string         `json:"from,omitempty"`
	Site     string         `json:"site"`
	Lines    []ProposalLine `json:"lines" nullable:"false"`
}

// Replenishment is the answer of a run.
type Replenishment struct {
	Site   string `json:"site"`
	Method string `json:"method"`
	// AsOf is the last day of history (today, CST).
	AsOf        string           `json:"as_of"`
	Days        int              `json:"days"`
	Suggestions []SuggestionView `json:"suggestions" nullable:"false"`
	// PurchaseOrders are the suggestions grouped by supplier
	// (replenish.GroupBySupplier); NoSupplier the SKUs to buy with no
	// supplier.
	PurchaseOrders []Proposal `json:"purchase_orders" nullable:"false"`
	NoSupplier     []string   `json:"no_supplier" nullable:"false"`
	// Transfers are what the From warehouse covers (replenish.PlanTransfers).
	Transfers []Proposal `json:"transfers" nullable:"false"`
}

// skuFacts are a SKU's name and purchase unit.
type skuFacts struct {
	name   string
	unit   string
	factor int64
	price  int64 // purchase price, fen per base unit
	known  bool
	// supplier is the product's default supplier, lead its lead time in
	// days (0: none).
	supplier string
	lead     int
}

// facts reads (and caches in m) the SKU's name, largest pack unit and
// purchase price.
func facts(ctx context.Context, rr ReportReader, tenant, sku string, m map[string]skuFacts, products map[int64]*masterdata.Product) (skuFacts, error) {
	if f, ok := m[sku]; ok {
		return f, nil
	}
	f := skuFacts{factor: 1}
	row, ok, err := rr.MasterByCode(ctx, tenant, masterdata.KindSKU, "", sku)
	if err != nil {
		return f, err
	}
	if ok {
		f.known, f.name = true, row.Name
		prod := products[row.ParentID]
		if prod == nil {
			pr, err := rr.MasterGet(ctx, tenant, masterdata.KindProduct, row.ParentID)
			if err != nil {
				return f, err
			}
			prod = new(masterdata.Product)
			if err := json.Unmarshal(pr.Body, prod); err != nil {
				return f, fmt.Errorf("decode product %d: %w", pr.ID, err)
			}
			products[row.ParentID] = prod
		}
		f.unit, f.price, f.supplier = prod.BaseUnit, prod.PurchasePrice, prod.DefaultSupplier
		if f.supplier != "" {
			sr, ok, err := rr.MasterByCode(ctx, tenant, masterdata.KindSupplier, "", f.supplier)
			if err != nil {
				return f, err
			}
			var sup masterdata.Supplier
			if ok && json.Unmarshal(sr.Body, &sup) == nil {
				f.lead = int(sup.LeadTimeDays)
			}
		}
		for _, u := range prod.Units {
			if u.Factor > f.factor {
				f.unit, f.factor = u.Unit, u.Factor
			}
		}
		for _, s := range prod.SKUs {
			if s.Code == sku && s.PurchasePrice > 0 {
				f.price = s.PurchasePrice
			}
		}
	}
	m[sku] = f
	return f, nil
}

// siteStock is what a site has, owes and awaits, by SKU.
type siteStock struct {
	onHand, reserved, onOrder map[string]int64
	limits                    map[string]masterdata.StockLimit
}

// stockAt reads the site's on-hand, reservations, orders and limits.
func stockAt(ctx context.Context, rs ReportStore, tenant, site string) (*siteStock, error) {
	rr, sr := rs.Reports(), rs.SalesRead()
	st := &siteStock{reserved: map[string]int64{}, onOrder: map[string]int64{}, limits: map[string]masterdata.StockLimit{}}
	var err error
	if st.onHand, err = rr.SiteOnHand(ctx, tenant, site); err != nil {
		return nil, err
	}
	open := []string{StatusApproved, StatusPartlyDone}
	orders, err := sr.FindDocs(ctx, tenant, SalesFilter{Type: TypeSalesOrder, Statuses: open, Site: site})
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		if held(o) {
			continue
		}
		done, err := sr.ChildDone(ctx, tenant, o.Number)
		if err != nil {
			return nil, err
		}
		for _, l := range o.Lines {
			st.reserved[l.SKU] += max(0, l.QtyBase-done[l.Line])
		}
	}
	pos, err := sr.FindDocs(ctx, tenant, SalesFilter{Type: TypePurchaseOrder, Statuses: open, Site: site})
	if err != nil {
		return nil, err
	}
	for _, o := range pos {
		prog, err := sr.Progress(ctx, tenant, o.Number)
		if err != nil {
			return nil, err
		}
		for _, l := range o.Lines {
			st.onOrder[l.SKU] += max(0, l.QtyBase-MeasureIn.Done(prog[l.Line]))
		}
	}
	rows, err := rr.MasterList(ctx, tenant, masterdata.KindStockLimit, site)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		var l masterdata.StockLimit
		if err := json.Unmarshal(r.Body, &l); err != nil {
			return nil, fmt.Errorf("decode stock limit %d: %w", r.ID, err)
		}
		if !r.Disabled {
			st.limits[l.SKU] = l
		}
	}
	return st, nil
}

// checkReplenish fills the defaults of q and checks it.
func checkReplenish(q *ReplenishQuery) error {
	var c masterdata.Checker
	q.Site, q.Supplier, q.SKU, q.From = strings.TrimSpace(q.Site), strings.TrimSpace(q.Supplier), strings.TrimSpace(q.SKU), strings.TrimSpace(q.From)
	if q.Site == "" {
		c.Add("site", "is required", "不能为空")
	}
	if q.Method == "" {
		q.Method = "ma"
	}
	if q.Method != "ma" && q.Method != "es" {
		c.Addf("method", "%q: want ma (moving average) or es (exponential smoothing)", "%q 无效：应为 ma（移动平均）或 es（指数平滑）", q.Method)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&q.Days, 28)
	def(&q.Window, q.Days)
	def(&q.AlphaPermille, 300)
	def(&q.LeadTimeDays, 7)
	def(&q.ReviewDays, 7)
	def(&q.ServiceLevel, 950)
	for _, b := range []struct {
		name   string
		v, max int
	}{{"days", q.Days, 366}, {"window", q.Window, 366}, {"alpha_permille", q.AlphaPermille, 1000},
		{"lead_time_days", q.LeadTimeDays, replenish.MaxDays}, {"review_days", q.ReviewDays, replenish.MaxDays}} {
		if b.v < 1 || b.v > b.max {
			c.Addf(b.name, "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", b.v, b.max)
		}
	}
	if _, ok := replenish.ZTable[q.ServiceLevel]; !ok {
		levels := make([]string, 0, len(replenish.ZTable))
		for l := range replenish.ZTable {
			levels = append(levels, strconv.Itoa(l))
		}
		sort.Strings(levels)
		c.Addf("service_level", "%d: want one of %s (per mille)", "%d 无效：应为 %s 之一（千分比）", q.ServiceLevel, strings.Join(levels, ", "))
	}
	if q.From != "" && q.From == q.Site {
		c.Add("from", "is the site itself", "不能与补货门店相同")
	}
	if err := c.Err(); err != nil {
		err.(*masterdata.ValidationError).In = "query"
		return err
	}
	return nil
}

// suggestAt computes the suggestions of every SKU at site.
func (s *Service) suggestAt(ctx context.Context, rs ReportStore, tenant, site string, q ReplenishQuery, fm map[string]skuFacts,
	products map[int64]*masterdata.Product) ([]replenish.Suggestion, *siteStock, error) {
	st, err := stockAt(ctx, rs, tenant, site)
	if err != nil {
		return nil, nil, err
	}
	today := s.now().In(s.zone)
	start := time.Date(today.Year(), today.Month(), today.Day()-(q.Days-1), 0, 0, 0, 0, s.zone)
	outs, err := rs.Reports().Outflows(ctx, tenant, site, syncproto.MakeHLC(start.UnixMilli(), 0), DemandReasons)
	if err != nil {
		return nil, nil, err
	}
	hist := map[string][]int64{}
	for _, o := range outs {
		t := o.HLC.Time().In(s.zone)
		day := int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.zone).Sub(start) / (24 * time.Hour))
		if day < 0 || day >= q.Days {
			continue // after today: a clock ahead
		}
		h := hist[o.SKU]
		if h == nil {
			h = make([]int64, q.Days)
			hist[o.SKU] = h
		}
		h[day] = min(h[day]+o.Qty, replenish.MaxQty)
	}
	skus := map[string]bool{}
	for _, m := range []map[string]int64{st.onHand, st.reserved, st.onOrder} {
		for k := range m {
			skus[k] = true
		}
	}
	for k := range hist {
		skus[k] = true
	}
	for k := range st.limits {
		skus[k] = true
	}
	method := replenish.MovingAverage
	if q.Method == "es" {
		method = replenish.ExponentialSmoothing
	}
	var out []replenish.Suggestion
	for sku := range skus {
		if q.SKU != "" && sku != q.SKU {
			continue
		}
		f, err := facts(ctx, rs.Reports(), tenant, sku, fm, products)
		if err != nil {
			return nil, nil, err
		}
		h := hist[sku]
		if h == nil {
			h = make([]int64, q.Days)
		}
		lim := st.limits[sku]
		supplier, lead := q.Supplier, q.LeadTimeDays
		if supplier == "" && f.supplier != "" {
			supplier = f.supplier
			if f.lead > 0 {
				lead = f.lead
			}
		}
		sg, err := replenish.Suggest(replenish.Input{SKU: sku, Site: site, Supplier: supplier, History: h,
			OnHand: st.onHand[sku], OnOrder: st.onOrder[sku], Reserved: st.reserved[sku], Min: lim.Min, Max: lim.Max,
			LeadTimeDays: lead, ReviewDays: q.ReviewDays, ServiceLevel: q.ServiceLevel, Method: method,
			Window: q.Window, AlphaPermille: q.AlphaPermille, Factor: f.factor})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, sg)
	}
	slices.SortFunc(out, func(a, b replenish.Suggestion) int { return strings.Compare(a.SKU, b.SKU) })
	return out, st, nil
}

// Replenish computes the replenishment suggestions of a site (permission
// purchase.view; the site, and q.From, in the caller's scope): each SKU's
// suggestion with its explanation, those that order something grouped by
// supplier into draft purchase orders to make, and, with q.From, what
// that warehouse covers first as draft transfers. Read-only.
func (s *Service) Replenish(ctx context.Context, p *auth.Principal, q ReplenishQuery) (*Replenishment, error) {
	if err := p.Can(TypeOf(TypePurchaseOrder).PermView()); err != nil {
		return nil, err
	}
	if err := checkReplenish(&q); err != nil {
		return nil, err
	}
	for _, site := range []string{q.Site, q.From} {
		if site == "" {
			continue
		}
		if err := p.CanSite(site); err != nil {
			return nil, err
		}
	}
	rs, err := s.reportStore()
	if err != nil {
		return nil, err
	}
	fm, products := map[string]skuFacts{}, map[int64]*masterdata.Product{}
	sugg, st, err := s.suggestAt(ctx, rs, p.Tenant, q.Site, q, fm, products)
	if err != nil {
		return nil, err
	}
	out := &Replenishment{Site: q.Site, Method: q.Method, Days: q.Days, AsOf: s.now().In(s.zone).Format(time.DateOnly),
		Suggestions: []SuggestionView{}, PurchaseOrders: []Proposal{}, NoSupplier: []string{}, Transfers: []Proposal{}}
	buy := sugg
	if q.From != "" {
		wq := q
		wq.SKU = ""
		wsugg, wst, err := s.suggestAt(ctx, rs, p.Tenant, q.From, wq, fm, products)
		if err != nil {
			return nil, err
		}
		wh := replenish.Warehouse{Site: q.From, Stock: map[string]replenish.WarehouseStock{}}
		for _, w := range wsugg {
			wh.Stock[w.SKU] = replenish.WarehouseStock{OnHand: wst.onHand[w.SKU], Reserved: wst.reserved[w.SKU], ReorderPoint: w.ReorderPoint}
		}
		var trs []replenish.TransferProposal
		trs, buy = replenish.PlanTransfers(sugg, wh)
		for _, tr := range trs {
			pr := Proposal{From: tr.From, Site: tr.To}
			for _, l := range tr.Lines {
				pr.Lines = append(pr.Lines, ProposalLine{SKU: l.SKU, Qty: l.Qty, Note: l.Explanation})
			}
			out.Transfers = append(out.Transfers, pr)
		}
	}
	for _, sg := range buy {
		if sg.Qty <= 0 && !q.All {
			continue
		}
		f := fm[sg.SKU]
		lim := st.limits[sg.SKU]
		out.Suggestions = append(out.Suggestions, SuggestionView{SKU: sg.SKU, Name: f.name, Site: sg.Site, Supplier: sg.Supplier,
			Days: sg.Days, DemandMilli: sg.DemandMilli, SigmaMilli: sg.SigmaMilli, ZMilli: sg.ZMilli, OnHand: st.onHand[sg.SKU],
			OnOrder: st.onOrder[sg.SKU], Reserved: st.reserved[sg.SKU], Min: lim.Min, Max: lim.Max, SafetyStock: sg.SafetyStock,
			ReorderPoint: sg.ReorderPoint, Trigger: sg.Trigger, Target: sg.Target, Position: sg.Position, Need: sg.Need, Qty: sg.Qty,
			Units: sg.Units, Unit: f.unit, Factor: sg.Factor, BelowMin: sg.BelowMin, AboveMax: sg.AboveMax, Explanation: sg.Explanation})
	}
	pos, none := replenish.GroupBySupplier(buy)
	for _, po := range pos {
		pr := Proposal{Supplier: po.Supplier, Site: po.Site}
		for _, l := range po.Lines {
			pr.Lines = append(pr.Lines, ProposalLine{SKU: l.SKU, Qty: l.Qty})
		}
		out.PurchaseOrders = append(out.PurchaseOrders, pr)
	}
	for _, n := range none {
		out.NoSupplier = append(out.NoSupplier, n.SKU)
	}
	return out, nil
}

// ReplenishOrder is what a purchaser sends to make a draft purchase order
// of suggestions.
type ReplenishOrder struct {
	Site     string         `json:"site" maxLength:"64" doc:"The receiving site 收货门店/仓库."`
	Supplier string         `json:"supplier" maxLength:"64" doc:"The supplier's code 供应商编码."`
	Lines    []ProposalLine `json:"lines" maxItems:"1000" doc:"SKUs and quantities in base units (as suggested)."`
}

// PurchaseOrderFromSuggestions makes the draft purchase order a purchaser
// reviews from suggestion lines (quantities in base units): a line whose
// quantity is a whole number of the product's largest pack unit is
// ordered in it, else in the base unit; prices and VAT are the generic
// defaults (0 and the product's rate), to be filled in review. It is a
// plain Create (permission purchase.edit; the site in the caller's
// scope; audited as purchase_order.create), refused with field errors
// like any purchase order.
func (s *Service) PurchaseOrderFromSuggestions(ctx context.Context, p *auth.Principal, in ReplenishOrder) (*Document, error) {
	if err := p.Can(TypeOf(TypePurchaseOrder).PermEdit()); err != nil {
		return nil, err
	}
	rs, err := s.reportStore()
	if err != nil {
		return nil, err
	}
	var c masterdata.Checker
	if len(in.Lines) == 0 {
		c.Add("lines", "name at least one SKU", "请至少指定一个商品")
	}
	d := &Document{Partner: strings.TrimSpace(in.Supplier), Site: strings.TrimSpace(in.Site),
		Date: s.now().In(s.zone).Format(time.DateOnly), Note: "补货建议 replenishment suggestion"}
	fm, products := map[string]skuFacts{}, map[int64]*masterdata.Product{}
	for i, l := range in.Lines {
		sku := strings.TrimSpace(l.SKU)
		if l.Qty < 1 || l.Qty > MaxQty {
			c.Addf("lines["+strconv.Itoa(i)+"].qty", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", l.Qty, int64(MaxQty))
			continue
		}
		f, err := facts(ctx, rs.Reports(), p.Tenant, sku, fm, products)
		if err != nil {
			return nil, err
		}
		line := Line{SKU: sku, Qty: l.Qty}
		if f.factor > 1 && l.Qty%f.factor == 0 {
			line.Unit, line.Qty = f.unit, l.Qty/f.factor
		}
		d.Lines = append(d.Lines, line)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return s.Create(ctx, p, TypePurchaseOrder, d)
}

// StockAlert is a SKU at a site whose on-hand is below its min or above
// its max (库存预警).
type StockAlert struct {
	Site   string `json:"site"`
	SKU    string `json:"sku"`
	Name   string `json:"name"`
	OnHand int64  `json:"on_hand" doc:"On-hand over every bin and lot 现存量."`
	Min    int64  `json:"min" doc:"库存下限; 0: none."`
	Max    int64  `json:"max" doc:"库存上限; 0: none."`
	// Alert is below_min or above_max.
	Alert   string `json:"alert" enum:"below_min,above_max" doc:"below_min 低于下限, above_max 高于上限."`
	AlertZH string `json:"alert_zh"`
}

// StockAlerts returns the SKUs whose on-hand at a site is below the min
// or above the max of their stock_limit record, by site and SKU
// (permission stock.view; site "" is every site of the caller's scope
// that has limits; a given site must be in the scope).
func (s *Service) StockAlerts(ctx context.Context, p *auth.Principal, site string) ([]StockAlert, error) {
	if err := p.Can("stock.view"); err != nil {
		return nil, err
	}
	site = strings.TrimSpace(site)
	if site != "" {
		if err := p.CanSite(site); err != nil {
			return nil, err
		}
	}
	rs, err := s.reportStore()
	if err != nil {
		return nil, err
	}
	rr := rs.Reports()
	rows, err := rr.MasterList(ctx, p.Tenant, masterdata.KindStockLimit, site)
	if err != nil {
		return nil, err
	}
	out := []StockAlert{}
	onHand := map[string]map[string]int64{}
	fm, products := map[string]skuFacts{}, map[int64]*masterdata.Product{}
	for _, r := range rows {
		if r.Disabled || !p.Scope.Allows(r.Site) {
			continue
		}
		var l masterdata.StockLimit
		if err := json.Unmarshal(r.Body, &l); err != nil {
			return nil, fmt.Errorf("decode stock limit %d: %w", r.ID, err)
		}
		oh, ok := onHand[l.Site]
		if !ok {
			if oh, err = rr.SiteOnHand(ctx, p.Tenant, l.Site); err != nil {
				return nil, err
			}
			onHand[l.Site] = oh
		}
		a := StockAlert{Site: l.Site, SKU: l.SKU, OnHand: oh[l.SKU], Min: l.Min, Max: l.Max}
		switch {
		case l.Min > 0 && a.OnHand < l.Min:
			a.Alert, a.AlertZH = "below_min", "低于下限"
		case l.Max > 0 && a.OnHand > l.Max:
			a.Alert, a.AlertZH = "above_max", "高于上限"
		default:
			continue
		}
		f, err := facts(ctx, rr, p.Tenant, l.SKU, fm, products)
		if err != nil {
			return nil, err
		}
		a.Name = f.name
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b StockAlert) int {
		if c := strings.Compare(a.Site, b.Site); c != 0 {
			return c
		}
		return strings.Compare(a.SKU, b.SKU)
	})
	return out, nil
}
