package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// PickListInput names a sales order and the shipping site.
type PickListInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Site string `json:"site,omitempty" required:"false" maxLength:"64" doc:"The shipping site; omitted: the order's 发货门店/仓库."`
	}
}

// PurchaseForOrderInput names a sales order and the supplier.
type PurchaseForOrderInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Supplier string `json:"supplier" maxLength:"64" doc:"The supplier's code 供应商编码."`
	}
}

// AvailabilityInput names a SKU at a site.
type AvailabilityInput struct {
	Site string `query:"site" maxLength:"64" doc:"The site 门店/仓库. Required."`
	SKU  string `query:"sku" maxLength:"64" doc:"The SKU. Required."`
}

// AvailabilityOutput is a SKU's availability at a site.
type AvailabilityOutput struct {
	Body docs.Availability
}

// StockFeedInput is where a reader of the stock feed is.
type StockFeedInput struct {
	Cursor string `query:"cursor" maxLength:"20" doc:"The cursor of the last page; omitted: from the start."`
	Limit  int    `query:"limit" minimum:"0" maximum:"500" doc:"1 … 500; default 100."`
}

// StockFeedOutput is a page of the stock feed.
type StockFeedOutput struct {
	Body *docs.Feed
}

// registerSales adds what sales orders and quotes add to their
// collections (release, pick lists, purchase orders, sales orders from
// quotes) and the availability and stock feed reads.
func (s *Server) registerSales() {
	svc := s.opts.Docs
	tags := []string{"sales 销售"}
	so := docs.TypeOf(docs.TypeSalesOrder)
	base := "/api/v1/" + so.Path + "/{id}"
	out := func(d *docs.Document, err error) (*MDRecordOutput[docs.Document], error) {
		if err != nil {
			return nil, docsError(err)
		}
		return &MDRecordOutput[docs.Document]{ETag: etag(d.Version), Body: d}, nil
	}
	created := func(d *docs.Document, err error) (*DocCreateOutput, error) {
		if err != nil {
			return nil, docsError(err)
		}
		return &DocCreateOutput{Status: http.StatusCreated, ETag: etag(d.Version), Body: d}, nil
	}
	register(s, huma.Operation{OperationID: "release-sales-order", Method: http.MethodPost, Path: base + "/release",
		Summary: "Release a held sales order 解除信用冻结", Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "An order approved over its customer's credit limit is held: it reserves nothing and gets no pick list " +
			"until released, with a reason (audited)."}, []auth.Permission{so.PermApprove()},
		func(ctx context.Context, in *DocCloseInput) (*MDRecordOutput[docs.Document], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.Release(ctx, principalOf(ctx), in.ID, ver, in.Body.Reason))
		})
	register(s, huma.Operation{OperationID: "pick-sales-order", Method: http.MethodPost, Path: base + "/pick-lists",
		Summary: "Make a pick list of a sales order 生成拣货单", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{400, 404, 409},
		Description: "What each line still has (ordered − on not void pick lists), in base units, approved and sent to the " +
			"shipping site's agents. Refused (409 code state) for a held, draft, closed, done or void order, or when nothing " +
			"remains. Needs sales.approve too."}, []auth.Permission{so.PermEdit()},
		func(ctx context.Context, in *PickListInput) (*DocCreateOutput, error) {
			return created(svc.PickList(ctx, principalOf(ctx), in.ID, in.Body.Site))
		})
	register(s, huma.Operation{OperationID: "purchase-for-sales-order", Method: http.MethodPost, Path: base + "/purchase-order",
		Summary: "Make a purchase order of a sales order's shortfall 以销定购", Tags: tags, DefaultStatus: http.StatusCreated,
		Errors: []int{400, 404, 409},
		Description: "A draft purchase order from the supplier of what the order still needs, per SKU, beyond what its " +
			"site has available besides it (409 code state when nothing). Needs sales.view too."},
		[]auth.Permission{docs.TypeOf(docs.TypePurchaseOrder).PermEdit()},
		func(ctx context.Context, in *PurchaseForOrderInput) (*DocCreateOutput, error) {
			return created(svc.PurchaseForOrder(ctx, principalOf(ctx), in.ID, in.Body.Supplier))
		})
	register(s, huma.Operation{OperationID: "order-quote", Method: http.MethodPost, Path: "/api/v1/" + docs.TypeOf(docs.TypeQuote).Path + "/{id}/sales-order",
		Summary: "Make a sales order of a quote 报价转订单", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{404, 409},
		Description: "A draft sales order with the approved quote's customer, site and prices (each line naming the quote's); " +
			"the quote is done (已转订单)."}, []auth.Permission{so.PermEdit()},
		func(ctx context.Context, in *MDIDInput) (*DocCreateOutput, error) {
			return created(svc.OrderFromQuote(ctx, principalOf(ctx), in.ID))
		})
	register(s, huma.Operation{OperationID: "get-availability", Method: http.MethodGet, Path: "/api/v1/availability",
		Summary: "Availability of a SKU at a site 可用库存", Tags: tags, Errors: []int{400},
		Description: "Base units: on-hand at the site (every bin and lot), reserved by approved, not held sales orders " +
			"(what they still have to ship), available = on-hand − reserved, and on order (what approved purchase orders " +
			"still have to receive)."}, []auth.Permission{so.PermView()},
		func(ctx context.Context, in *AvailabilityInput) (*AvailabilityOutput, error) {
			a, err := svc.Availability(ctx, principalOf(ctx), in.Site, in.SKU)
			if err != nil {
				return nil, docsError(err)
			}
			return &AvailabilityOutput{Body: a}, nil
		})
	register(s, huma.Operation{OperationID: "stock-feed", Method: http.MethodGet, Path: "/api/v1/stock-feed",
		Summary: "Availability changed since a cursor 库存变动推送", Tags: tags, Errors: []int{400},
		Description: "For e-commerce: the (SKU, site) keys whose availability changed after the cursor, in the order of their " +
			"latest change, with their availability now, and the cursor to send next. Every change gets a later number than " +
			"what a reader has seen, so following the cursor misses none; movements show once the document projection has " +
			"read them. Only the caller's sites."}, []auth.Permission{so.PermView()},
		func(ctx context.Context, in *StockFeedInput) (*StockFeedOutput, error) {
			var cursor int64
			if c := strings.TrimSpace(in.Cursor); c != "" {
				n, err := strconv.ParseInt(c, 10, 64)
				if err != nil {
					var ck masterdata.Checker
					ck.Addf("cursor", "%q is not a cursor of this feed", "%q 不是有效的游标", c)
					err := ck.Err()
					err.(*masterdata.ValidationError).In = "query"
					return nil, err
				}
				cursor = n
			}
			f, err := svc.StockFeed(ctx, principalOf(ctx), cursor, in.Limit)
			if err != nil {
				return nil, docsError(err)
			}
			return &StockFeedOutput{Body: f}, nil
		})
}
