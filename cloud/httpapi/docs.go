package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
)

// POListInput is the query of the purchase order list.
type POListInput struct {
	Q        string `query:"q" maxLength:"100" doc:"Matches the number (substring, case-insensitive)."`
	Status   string `query:"status" doc:"draft, approved, partly_received, received, closed or void; several comma-separated."`
	Supplier string `query:"supplier" maxLength:"64" doc:"The supplier's code."`
	Site     string `query:"site" maxLength:"64" doc:"The receiving site."`
	DateFrom string `query:"date_from" doc:"yyyy-mm-dd, inclusive."`
	DateTo   string `query:"date_to" doc:"yyyy-mm-dd, inclusive."`
	Offset   int    `query:"offset" minimum:"0"`
	Limit    int    `query:"limit" minimum:"0" maximum:"500" doc:"1 … 500; default 50."`
}

// POCloseBody is the body of a close.
type POCloseBody struct {
	Reason string `json:"reason" maxLength:"200" doc:"Why the rest will not be received 关闭原因."`
}

// POCloseInput names an order, its version and the reason.
type POCloseInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"The order's version as its ETag (\"3\"). Required."`
	Body    POCloseBody
}

// registerDocs adds the purchase order API.
func (s *Server) registerDocs() {
	svc := s.opts.Docs
	tags := []string{"purchasing 采购"}
	base := "/api/v1/purchase-orders"
	view := []auth.Permission{docs.PermView}
	edit := []auth.Permission{docs.PermEdit}
	approve := []auth.Permission{docs.PermApprove}
	out := func(po *docs.PurchaseOrder, err error) (*MDRecordOutput[docs.PurchaseOrder], error) {
		if err != nil {
			return nil, docsError(err)
		}
		return &MDRecordOutput[docs.PurchaseOrder]{ETag: etag(po.Version), Body: po}, nil
	}
	register(s, huma.Operation{OperationID: "list-purchase-orders", Method: http.MethodGet, Path: base,
		Summary: "List purchase orders 采购订单列表", Tags: tags, Errors: []int{400},
		Description: "Newest number first, without lines; only the orders of the caller's sites."}, view,
		func(ctx context.Context, in *POListInput) (*MDListOutput[docs.PurchaseOrder], error) {
			items, total, err := svc.ListPurchaseOrders(ctx, principalOf(ctx), docs.ListQuery{Q: in.Q, Status: in.Status,
				Supplier: in.Supplier, Site: in.Site, DateFrom: in.DateFrom, DateTo: in.DateTo, Offset: in.Offset, Limit: in.Limit})
			if err != nil {
				return nil, docsError(err)
			}
			if items == nil {
				items = []*docs.PurchaseOrder{}
			}
			limit := in.Limit
			if limit == 0 {
				limit = 50
			}
			return &MDListOutput[docs.PurchaseOrder]{Body: MDPage[docs.PurchaseOrder]{Items: items, Total: total, Offset: in.Offset, Limit: limit}}, nil
		})
	register(s, huma.Operation{OperationID: "get-purchase-order", Method: http.MethodGet, Path: base + "/{id}",
		Summary: "One purchase order 采购订单", Tags: tags, Errors: []int{404},
		Description: "With its lines and what each received (base units), derived from the movements naming the line."}, view,
		func(ctx context.Context, in *MDIDInput) (*MDRecordOutput[docs.PurchaseOrder], error) {
			return out(svc.GetPurchaseOrder(ctx, principalOf(ctx), in.ID))
		})
	register(s, huma.Operation{OperationID: "create-purchase-order", Method: http.MethodPost, Path: base,
		Summary: "Create a draft purchase order 新建采购订单", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{400},
		Description: "The number (CG + yyyymmdd + - + serial) is assigned now; amounts are computed by line (DOMAIN.md §3)."}, edit,
		func(ctx context.Context, in *MDCreateInput[docs.PurchaseOrder]) (*MDRecordOutput[docs.PurchaseOrder], error) {
			return out(svc.CreatePurchaseOrder(ctx, principalOf(ctx), &in.Body))
		})
	register(s, huma.Operation{OperationID: "update-purchase-order", Method: http.MethodPut, Path: base + "/{id}",
		Summary: "Replace a draft purchase order 修改采购订单", Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "Drafts only (409 code state otherwise); send the ETag in If-Match."}, edit,
		func(ctx context.Context, in *MDWriteInput[docs.PurchaseOrder]) (*MDRecordOutput[docs.PurchaseOrder], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.UpdatePurchaseOrder(ctx, principalOf(ctx), in.ID, ver, &in.Body))
		})
	register(s, huma.Operation{OperationID: "approve-purchase-order", Method: http.MethodPost, Path: base + "/{id}/approve",
		Summary: "Approve a purchase order 审核采购订单", Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "Fixes the lines and sends the order to its receiving site's agents."}, approve,
		func(ctx context.Context, in *MDChangeInput) (*MDRecordOutput[docs.PurchaseOrder], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.ApprovePurchaseOrder(ctx, principalOf(ctx), in.ID, ver))
		})
	register(s, huma.Operation{OperationID: "close-purchase-order", Method: http.MethodPost, Path: base + "/{id}/close",
		Summary: "Close a purchase order 关闭采购订单", Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "An approved or partly received order, with a reason; its site's agents drop it."}, approve,
		func(ctx context.Context, in *POCloseInput) (*MDRecordOutput[docs.PurchaseOrder], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.ClosePurchaseOrder(ctx, principalOf(ctx), in.ID, ver, in.Body.Reason))
		})
	register(s, huma.Operation{OperationID: "void-purchase-order", Method: http.MethodPost, Path: base + "/{id}/void",
		Summary: "Void a purchase order 作废采购订单", Tags: tags, Errors: []int{404, 409, 412, 428},
		Description: "A draft, or an approved order (needs purchase.approve too) that no movement names (409 code linked otherwise)."}, edit,
		func(ctx context.Context, in *MDChangeInput) (*MDRecordOutput[docs.PurchaseOrder], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.VoidPurchaseOrder(ctx, principalOf(ctx), in.ID, ver))
		})
}

// docsError maps the refusals of cloud/docs to the API's errors; other
// errors (field problems, permissions) are mapped by errorOf.
func docsError(err error) error {
	var de *docs.Error
	if !errors.As(err, &de) {
		return err
	}
	e := &Error{Message: de.Msg, MessageZH: de.MsgZH, cause: err}
	switch {
	case errors.Is(err, docs.ErrNotFound):
		e.status, e.Code = http.StatusNotFound, "not_found"
	case errors.Is(err, docs.ErrStale):
		e.status, e.Code = http.StatusPreconditionFailed, "stale"
	case errors.Is(err, docs.ErrVersionRequired):
		e.status, e.Code, e.Field = http.StatusPreconditionRequired, "precondition_required", "header.If-Match"
	case errors.Is(err, docs.ErrState):
		e.status, e.Code = http.StatusConflict, "state"
	case errors.Is(err, docs.ErrLinked):
		e.status, e.Code = http.StatusConflict, "linked"
	default:
		return err
	}
	return e
}
