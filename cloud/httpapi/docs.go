package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
)

// DocListInput is the query of a document list.
type DocListInput struct {
	Q        string `query:"q" maxLength:"100" doc:"Matches the number (substring, case-insensitive)."`
	Status   string `query:"status" doc:"draft, approved, partly_done, done, closed or void; several comma-separated."`
	Partner  string `query:"partner" maxLength:"64" doc:"The supplier's or customer's code."`
	Site     string `query:"site" maxLength:"64" doc:"The site (or a transfer's destination)."`
	DateFrom string `query:"date_from" doc:"yyyy-mm-dd, inclusive."`
	DateTo   string `query:"date_to" doc:"yyyy-mm-dd, inclusive."`
	Ref      string `query:"ref" maxLength:"64" doc:"Only the documents made from this number."`
	Offset   int    `query:"offset" minimum:"0"`
	Limit    int    `query:"limit" minimum:"0" maximum:"500" doc:"1 … 500; default 50."`
}

// DocCloseBody is the body of a close.
type DocCloseBody struct {
	Reason string `json:"reason" maxLength:"200" doc:"Why the rest will not be done 关闭原因."`
}

// DocCloseInput names a document, its version and the reason.
type DocCloseInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"The document's version as its ETag (\"3\"). Required."`
	Body    DocCloseBody
}

// DocToOrderInput names a purchase request, its version and the supplier.
type DocToOrderInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"The request's version as its ETag (\"3\"). Required."`
	Body    struct {
		Supplier string `json:"supplier" maxLength:"64" doc:"The supplier's code 供应商编码."`
	}
}

// DocCreateOutput is a document created (201), or the one of the same
// external id made before (200).
type DocCreateOutput struct {
	Status int
	ETag   string `header:"ETag"`
	Body   *docs.Document
}

// DocReceiveInput is a receipt keyed in at HQ.
type DocReceiveInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Lines    []docs.HQReceiptLine `json:"lines" minItems:"1" maxItems:"1000"`
		Override bool                 `json:"override,omitempty" required:"false" doc:"Receive beyond the tolerance (purchase.approve) 超收确认."`
	}
}

// registerDocs adds the API of every document type (docs.Types) under
// /api/v1/{type path}: list, get, create, replace, approve, close, void,
// each where the type allows it.
func (s *Server) registerDocs() {
	for _, t := range docs.Types() {
		s.registerDocType(t)
	}
	s.registerSales()
	s.registerReports()
}

func (s *Server) registerDocType(t *docs.Type) {
	svc := s.opts.Docs
	tags := []string{t.Module + " " + map[string]string{"purchase": "采购", "sales": "销售", "inventory": "库存", "retail": "零售"}[t.Module]}
	base := "/api/v1/" + t.Path
	id, one := t.Path, strings.ReplaceAll(t.Name, "_", "-")
	view := []auth.Permission{t.PermView()}
	edit := []auth.Permission{t.PermEdit()}
	approve := []auth.Permission{t.PermApprove()}
	out := func(d *docs.Document, err error) (*MDRecordOutput[docs.Document], error) {
		if err != nil {
			return nil, docsError(err)
		}
		return &MDRecordOutput[docs.Document]{ETag: etag(d.Version), Body: d}, nil
	}
	name := t.Title + " " + t.TitleZH
	register(s, huma.Operation{OperationID: "list-" + id, Method: http.MethodGet, Path: base,
		Summary: "List of " + t.Title + " " + t.TitleZH + "列表", Tags: tags, Errors: []int{400},
		Description: "Newest number first, without lines; only the documents of the caller's sites."}, view,
		func(ctx context.Context, in *DocListInput) (*MDListOutput[docs.Document], error) {
			items, total, err := svc.List(ctx, principalOf(ctx), t.Name, docs.ListQuery{Q: in.Q, Status: in.Status,
				Partner: in.Partner, Site: in.Site, DateFrom: in.DateFrom, DateTo: in.DateTo, Ref: in.Ref, Offset: in.Offset, Limit: in.Limit})
			if err != nil {
				return nil, docsError(err)
			}
			if items == nil {
				items = []*docs.Document{}
			}
			limit := in.Limit
			if limit == 0 {
				limit = 50
			}
			return &MDListOutput[docs.Document]{Body: MDPage[docs.Document]{Items: items, Total: total, Offset: in.Offset, Limit: limit}}, nil
		})
	register(s, huma.Operation{OperationID: "get-" + one, Method: http.MethodGet, Path: base + "/{id}",
		Summary: "One " + name, Tags: tags, Errors: []int{404},
		Description: "With its lines, what each did (base units, derived from the movements naming the line) and its linked documents."}, view,
		func(ctx context.Context, in *MDIDInput) (*MDRecordOutput[docs.Document], error) {
			return out(svc.Get(ctx, principalOf(ctx), t.Name, in.ID))
		})
	if t.SitesOnly() {
		return // made at the sites: read-only here
	}
	register(s, huma.Operation{OperationID: "create-" + one, Method: http.MethodPost, Path: base,
		Summary: "Create a draft " + name, Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{400},
		Description: "The number (" + t.Prefix + " + yyyymmdd + - + serial) is assigned now; amounts are computed by line (DOMAIN.md §3). " +
			"A document with an external_id the type already has is not made again: that one is answered with 200."}, edit,
		func(ctx context.Context, in *MDCreateInput[docs.Document]) (*DocCreateOutput, error) {
			d, created, err := svc.CreateOnce(ctx, principalOf(ctx), t.Name, &in.Body)
			if err != nil {
				return nil, docsError(err)
			}
			status := http.StatusCreated
			if !created {
				status = http.StatusOK
			}
			return &DocCreateOutput{Status: status, ETag: etag(d.Version), Body: d}, nil
		})
	register(s, huma.Operation{OperationID: "update-" + one, Method: http.MethodPut, Path: base + "/{id}",
		Summary: "Replace a draft " + name, Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "Drafts only (409 code state otherwise); send the ETag in If-Match."}, edit,
		func(ctx context.Context, in *MDWriteInput[docs.Document]) (*MDRecordOutput[docs.Document], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.Update(ctx, principalOf(ctx), t.Name, in.ID, ver, &in.Body))
		})
	publish := ""
	if t.Publish != "" {
		publish = " and sends it to its site's agents"
	}
	register(s, huma.Operation{OperationID: "approve-" + one, Method: http.MethodPost, Path: base + "/{id}/approve",
		Summary: "Approve a " + name, Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "Fixes the lines" + publish + "."}, approve,
		func(ctx context.Context, in *MDChangeInput) (*MDRecordOutput[docs.Document], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.Approve(ctx, principalOf(ctx), t.Name, in.ID, ver))
		})
	register(s, huma.Operation{OperationID: "close-" + one, Method: http.MethodPost, Path: base + "/{id}/close",
		Summary: "Close a " + name, Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "An approved or partly done document, with a reason: the rest will not be done; its sites' agents drop it."}, approve,
		func(ctx context.Context, in *DocCloseInput) (*MDRecordOutput[docs.Document], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.Close(ctx, principalOf(ctx), t.Name, in.ID, ver, in.Body.Reason))
		})
	register(s, huma.Operation{OperationID: "reject-" + one, Method: http.MethodPost, Path: base + "/{id}/reject",
		Summary: "Send back a " + name + " awaiting approval", Tags: tags, Errors: []int{400, 404, 409, 412, 428},
		Description: "A draft, with a reason; the approval levels signed so far are cleared 驳回."}, approve,
		func(ctx context.Context, in *DocCloseInput) (*MDRecordOutput[docs.Document], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.Reject(ctx, principalOf(ctx), t.Name, in.ID, ver, in.Body.Reason))
		})
	if t.Name == docs.TypePurchaseOrder {
		register(s, huma.Operation{OperationID: "receive-purchase-order-at-hq", Method: http.MethodPost, Path: base + "/{id}/receive",
			Summary: "Key in a receipt at HQ 总部录入采购入库", Tags: tags, Errors: []int{400, 404, 409},
			Description: "For a site without an agent, or a delivery booked from paper: the cloud records the receipt movements at the order's " +
				"site as its own replica (and a 采购入库单), beyond a line's tolerance only with override by a purchase.approve user."},
			[]auth.Permission{"inventory.edit"},
			func(ctx context.Context, in *DocReceiveInput) (*MDRecordOutput[docs.Document], error) {
				return out(svc.ReceiveAtHQ(ctx, principalOf(ctx), in.ID, in.Body.Lines, in.Body.Override))
			})
	}
	if t.Name == docs.TypePurchaseRequest {
		register(s, huma.Operation{OperationID: "purchase-request-to-order", Method: http.MethodPost, Path: base + "/{id}/purchase-order",
			Summary: "Make a purchase order of an approved purchase request 请购转采购", Tags: tags, DefaultStatus: http.StatusCreated,
			Errors: []int{400, 404, 409, 412, 428}, Description: "A draft order for the supplier, its lines from the request's; the request becomes done."},
			[]auth.Permission{docs.TypeOf(docs.TypePurchaseOrder).PermEdit()},
			func(ctx context.Context, in *DocToOrderInput) (*MDRecordOutput[docs.Document], error) {
				ver, err := ifMatch(in.IfMatch)
				if err != nil {
					return nil, err
				}
				return out(svc.RequestToOrder(ctx, principalOf(ctx), in.ID, ver, in.Body.Supplier))
			})
	}
	register(s, huma.Operation{OperationID: "void-" + one, Method: http.MethodPost, Path: base + "/{id}/void",
		Summary: "Void a " + name, Tags: tags, Errors: []int{404, 409, 412, 428},
		Description: "A draft, or an approved document (needs module.approve too) that nothing names (409 code linked otherwise)."}, edit,
		func(ctx context.Context, in *MDChangeInput) (*MDRecordOutput[docs.Document], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return out(svc.Void(ctx, principalOf(ctx), t.Name, in.ID, ver))
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
