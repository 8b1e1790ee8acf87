package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/docs/pdfdoc"
)

// PDFOutput is a printed document.
type PDFOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// registerReports adds the business calculations over documents, stock
// and master data: each document's PDF, supplier performance,
// replenishment suggestions, count variances and stock alerts.
func (s *Server) registerReports() {
	for _, t := range docs.Types() {
		s.registerPrint(t)
	}
	s.registerReplenishment()
	s.registerInsights()
}

// registerPrint adds GET /api/v1/{type path}/{id}/pdf.
func (s *Server) registerPrint(t *docs.Type) {
	svc := s.opts.Docs
	tags := []string{t.Module + " " + map[string]string{"purchase": "采购", "sales": "销售", "inventory": "库存", "retail": "零售"}[t.Module]}
	money := "with prices, VAT and amounts, 价税合计 in capitals"
	if !t.Priced {
		money = "lines without money (the type has no prices)"
	}
	register(s, huma.Operation{OperationID: "print-" + strings.ReplaceAll(t.Name, "_", "-"), Method: http.MethodGet,
		Path: "/api/v1/" + t.Path + "/{id}/pdf", Summary: "Print a " + t.Title + " " + t.TitleZH + "打印（PDF）", Tags: tags,
		Errors: []int{404, 503},
		Responses: map[string]*huma.Response{"200": {Description: "The PDF, named NUMBER.pdf.",
			Content: map[string]*huma.MediaType{"application/pdf": binary()}}},
		Description: "An A4 PDF in the layout of a Chinese business form: the company letterhead from the settings " +
			"(company_name, company_address, company_phone, company_tax_id), the partner's name, code and first contact, " +
			"the lines " + money + ", signature boxes. 503 (code no_font) when the server has no CJK TrueType font " +
			"(install fonts-wqy-microhei)."}, []auth.Permission{t.PermView()},
		func(ctx context.Context, in *MDIDInput) (*PDFOutput, error) {
			b, name, err := svc.Print(ctx, principalOf(ctx), t.Name, in.ID)
			if err != nil {
				return nil, reportError(err)
			}
			return &PDFOutput{ContentType: "application/pdf", ContentDisposition: `inline; filename="` + name + `"`, Body: b}, nil
		})
}

// reportError maps the refusals of the calculations (a missing font, a
// document that cannot be printed) and then those of cloud/docs.
func reportError(err error) error {
	var pe *pdfdoc.Error
	if errors.As(err, &pe) {
		e := &Error{Message: pe.Msg, MessageZH: pe.MsgZH, cause: err}
		switch {
		case errors.Is(err, pdfdoc.ErrNoFont):
			e.status, e.Code = http.StatusServiceUnavailable, "no_font"
		case errors.Is(err, pdfdoc.ErrDocument), errors.Is(err, pdfdoc.ErrAmountRange):
			e.status, e.Code = http.StatusConflict, "unprintable"
		default:
			return err
		}
		return e
	}
	return docsError(err)
}

// ReplenishInput is the query of a replenishment run.
type ReplenishInput struct {
	Site          string `query:"site" maxLength:"64" doc:"The site to replenish 补货门店/仓库. Required."`
	Method        string `query:"method" doc:"ma: moving average (default); es: exponential smoothing."`
	Days          int    `query:"days" doc:"Days of sales history, today included (CST); default 28, at most 366."`
	Window        int    `query:"window" doc:"N of the moving average and σ; default days."`
	AlphaPermille int    `query:"alpha_permille" doc:"α of smoothing in per mille (1 … 1000); default 300."`
	LeadTimeDays  int    `query:"lead_time_days" doc:"Lead time L in days; default 7."`
	ReviewDays    int    `query:"review_days" doc:"Days between reviews; default 7."`
	ServiceLevel  int    `query:"service_level" doc:"Per mille: 900, 950 (default), 975, 980, 990, 995."`
	Supplier      string `query:"supplier" maxLength:"64" doc:"Group every suggestion under this supplier (no product names a default supplier yet)."`
	SKU           string `query:"sku" maxLength:"64" doc:"Only this SKU."`
	All           bool   `query:"all" doc:"Also list the SKUs that need no order."`
	From          string `query:"from" maxLength:"64" doc:"A warehouse whose surplus covers the shortfall first (draft transfers)."`
}

// ReplenishOutput is a replenishment run.
type ReplenishOutput struct{ Body *docs.Replenishment }

// ReplenishOrderInput is a purchase order to make of suggestions.
type ReplenishOrderInput struct{ Body docs.ReplenishOrder }

// StockAlertsInput names the site of the stock alerts.
type StockAlertsInput struct {
	Site string `query:"site" maxLength:"64" doc:"Only this site; omitted: every site of the caller's scope."`
}

// StockAlertsOutput lists the stock alerts.
type StockAlertsOutput struct {
	Body struct {
		Alerts []docs.StockAlert `json:"alerts" nullable:"false"`
	}
}

func (s *Server) registerReplenishment() {
	svc := s.opts.Docs
	register(s, huma.Operation{OperationID: "replenishment", Method: http.MethodGet, Path: "/api/v1/replenishment",
		Summary: "Replenishment suggestions 补货建议", Tags: []string{"purchase 采购"}, Errors: []int{400},
		Description: "Per SKU at the site (DOMAIN.md §8): daily demand from the stored movements out for sales (reasons sale, " +
			"ship) over the last days, σ, safety stock z·σ·√L, reorder point d̄·L + SS; when on hand + on order − reserved ≤ " +
			"the reorder point (or the min of the stock limit) an order up to the reorder point + d̄ × review days (or the max), " +
			"rounded up to the product's largest pack unit, each with its explanation in English and Chinese. Grouped by " +
			"supplier into the purchase orders to make; with from, a warehouse's surplus covers the shortfall first as " +
			"transfers. Integers only: demand and σ in thousandths of a base unit per day. Computed on request; nothing is written."},
		[]auth.Permission{docs.TypeOf(docs.TypePurchaseOrder).PermView()},
		func(ctx context.Context, in *ReplenishInput) (*ReplenishOutput, error) {
			r, err := svc.Replenish(ctx, principalOf(ctx), docs.ReplenishQuery{Site: in.Site, Method: in.Method, Days: in.Days,
				Window: in.Window, AlphaPermille: in.AlphaPermille, LeadTimeDays: in.LeadTimeDays, ReviewDays: in.ReviewDays,
				ServiceLevel: in.ServiceLevel, Supplier: in.Supplier, SKU: in.SKU, All: in.All, From: in.From})
			if err != nil {
				return nil, reportError(err)
			}
			return &ReplenishOutput{Body: r}, nil
		})
	register(s, huma.Operation{OperationID: "replenishment-purchase-order", Method: http.MethodPost,
		Path: "/api/v1/replenishment/purchase-orders", Summary: "Make a draft purchase order of suggestions 补货建议生成采购订单",
		Tags: []string{"purchase 采购"}, DefaultStatus: http.StatusCreated, Errors: []int{400},
		Description: "A draft purchase order from the supplier for the site, one line per SKU (quantities in base units; a " +
			"whole number of the product's largest pack unit is ordered in it), for a purchaser to review, price and " +
			"approve. Audited as purchase_order.create."},
		[]auth.Permission{docs.TypeOf(docs.TypePurchaseOrder).PermEdit()},
		func(ctx context.Context, in *ReplenishOrderInput) (*DocCreateOutput, error) {
			d, err := svc.PurchaseOrderFromSuggestions(ctx, principalOf(ctx), in.Body)
			if err != nil {
				return nil, reportError(err)
			}
			return &DocCreateOutput{Status: http.StatusCreated, ETag: etag(d.Version), Body: d}, nil
		})
	register(s, huma.Operation{OperationID: "stock-alerts", Method: http.MethodGet, Path: "/api/v1/stock-alerts",
		Summary: "Stock alerts 库存预警", Tags: []string{"stock"}, Errors: []int{400},
		Description: "The SKUs whose on-hand at a site (every bin and lot) is below the min or above the max of their stock " +
			"limit (库存上下限), by site and SKU."}, []auth.Permission{"stock.view"},
		func(ctx context.Context, in *StockAlertsInput) (*StockAlertsOutput, error) {
			a, err := svc.StockAlerts(ctx, principalOf(ctx), in.Site)
			if err != nil {
				return nil, reportError(err)
			}
			out := &StockAlertsOutput{}
			out.Body.Alerts = a
			return out, nil
		})
}

// PerformanceInput names a supplier and the months.
type PerformanceInput struct {
	Code   string `path:"code" maxLength:"64" doc:"The supplier's code 供应商编码."`
	Months int    `query:"months" doc:"Months up to this one; default 12, at most 120."`
}

// PerformanceOutput is a supplier's scores.
type PerformanceOutput struct{ Body *docs.Performance }

// VariancesOutput is a count plan's variance review.
type VariancesOutput struct {
	ETag string `header:"ETag"`
	Body *docs.Variances
}

func (s *Server) registerInsights() {
	svc := s.opts.Docs
	register(s, huma.Operation{OperationID: "supplier-performance", Method: http.MethodGet, Path: "/api/v1/suppliers/{code}/performance",
		Summary: "Supplier performance 供应商绩效", Tags: []string{"purchase 采购"}, Errors: []int{400, 404},
		Description: "By month (DOMAIN.md §6): delivery = 100 × on-time receipts ÷ receipts (a purchase receipt is on time when " +
			"done on or before its purchase order's expected date), quality = 100 × (received − returned) ÷ received (purchase " +
			"returns: what was shipped back, or the lines of an approved one not yet shipped), weighted 50/50 and banded; and " +
			"overall over the last 12 months, the latest weighing most. Scores in hundredths of a point. Computed on request; " +
			"only the documents of the caller's sites."}, []auth.Permission{docs.TypeOf(docs.TypePurchaseOrder).PermView()},
		func(ctx context.Context, in *PerformanceInput) (*PerformanceOutput, error) {
			r, err := svc.SupplierPerformance(ctx, principalOf(ctx), in.Code, in.Months)
			if err != nil {
				return nil, reportError(err)
			}
			return &PerformanceOutput{Body: r}, nil
		})
	cp := docs.TypeOf(docs.TypeCountPlan)
	register(s, huma.Operation{OperationID: "count-plan-variances", Method: http.MethodGet, Path: "/api/v1/" + cp.Path + "/{id}/variances",
		Summary: "Count variances of a count plan 盘点差异", Tags: []string{"inventory 库存"}, Errors: []int{404},
		Description: "Per (bin, SKU, lot) counted under the plan (counts naming it) in its scope: the winning count by the merge " +
			"rules, the book quantity it had seen, the variance in quantity and at the purchase price (fen), who counted where " +
			"and when, and every count concurrent with the winner as a conflict. The ETag is the plan's version, for approval."},
		[]auth.Permission{cp.PermView()},
		func(ctx context.Context, in *MDIDInput) (*VariancesOutput, error) {
			v, err := svc.CountVariances(ctx, principalOf(ctx), in.ID)
			if err != nil {
				return nil, reportError(err)
			}
			return &VariancesOutput{ETag: etag(v.Version), Body: v}, nil
		})
	register(s, huma.Operation{OperationID: "approve-count-plan-variances", Method: http.MethodPost,
		Path: "/api/v1/" + cp.Path + "/{id}/approve-variances", Summary: "Approve a count plan's variances 审核盘点差异",
		Tags: []string{"inventory 库存"}, Errors: []int{404, 409, 412, 428},
		Description: "Records that the variances are accepted: the plan becomes done (已盘点) with who approved and when, " +
			"audited, and its sites drop it. No stock is written: the counts reset on-hand when they reached the cloud."},
		[]auth.Permission{cp.PermApprove()},
		func(ctx context.Context, in *MDChangeInput) (*MDRecordOutput[docs.Document], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			d, err := svc.ApproveVariances(ctx, principalOf(ctx), in.ID, ver)
			if err != nil {
				return nil, reportError(err)
			}
			return &MDRecordOutput[docs.Document]{ETag: etag(d.Version), Body: d}, nil
		})
}
