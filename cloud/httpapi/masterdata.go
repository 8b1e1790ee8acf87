package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// MDListInput is the query of a master data list. The kind-specific
// filters apply to the kinds that have them; another kind refuses them.
type MDListInput struct {
	Q           string `query:"q" maxLength:"100" doc:"Matches code or name (substring, case-insensitive)."`
	Disabled    string `query:"disabled" enum:"true,false," doc:"true or false; omitted: both."`
	Sort        string `query:"sort" doc:"code, name or updated_at; prefix - for descending."`
	Offset      int    `query:"offset" minimum:"0"`
	Limit       int    `query:"limit" minimum:"0" maximum:"500" doc:"1 … 500; default 50."`
	Site        string `query:"site" maxLength:"64" doc:"Bins, stock limits, sites: only this site."`
	ParentID    string `query:"parent_id" doc:"Categories: children of this one (0: top)."`
	CategoryID  string `query:"category_id" doc:"Products."`
	Brand       string `query:"brand" doc:"Products."`
	ProductID   string `query:"product_id" doc:"SKUs."`
	Barcode     string `query:"barcode" doc:"SKUs: the one with this barcode."`
	SKU         string `query:"sku" doc:"Stock limits."`
	Type        string `query:"type" doc:"Sites (store, warehouse), accounts (cash, bank, other)."`
	Region      string `query:"region" doc:"Suppliers, customers."`
	Level       string `query:"level" doc:"Customers."`
	Salesperson string `query:"salesperson" doc:"Customers."`
}

func (in *MDListInput) query() (masterdata.ListQuery, error) {
	lq := masterdata.ListQuery{Q: in.Q, Sort: in.Sort, Offset: in.Offset, Limit: in.Limit, Site: in.Site,
		Filters: map[string]string{"category_id": in.CategoryID, "brand": in.Brand, "product_id": in.ProductID,
			"barcode": in.Barcode, "sku": in.SKU, "type": in.Type, "region": in.Region, "level": in.Level,
			"salesperson": in.Salesperson}}
	if in.Disabled != "" {
		d := in.Disabled == "true"
		lq.Disabled = &d
	}
	if in.ParentID != "" {
		id, err := strconv.ParseInt(in.ParentID, 10, 64)
		if err != nil || id < 0 {
			return lq, &masterdata.ValidationError{Fields: []masterdata.FieldError{{Field: "parent_id",
				Msg: fmt.Sprintf("%q is not a category id", in.ParentID), MsgZH: fmt.Sprintf("%q 不是分类 id", in.ParentID)}}}
		}
		lq.ParentID = &id
	}
	return lq, nil
}

// MDPage is the body of a master data list.
type MDPage[T any] struct {
	Items  []*T `json:"items" nullable:"false"`
	Total  int  `json:"total"`
	Offset int  `json:"offset"`
	Limit  int  `json:"limit"`
}

// MDListOutput is the answer of a list.
type MDListOutput[T any] struct{ Body MDPage[T] }

// MDIDInput names one record.
type MDIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

// MDChangeInput names one record and the version changed.
type MDChangeInput struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"The record's version as its ETag (\"3\"). Required."`
}

// MDWriteInput is a record sent to create or replace.
type MDWriteInput[T any] struct {
	ID      int64  `path:"id" minimum:"1"`
	IfMatch string `header:"If-Match" doc:"The record's version as its ETag (\"3\"). Required."`
	Body    T
}

// MDCreateInput is a record sent to create.
type MDCreateInput[T any] struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"128" doc:"The same key returns the first answer instead of creating twice."`
	Body           T
}

// MDRecordOutput is one record with its ETag.
type MDRecordOutput[T any] struct {
	ETag string `header:"ETag"`
	Body *T
}

// MDDeleteOutput is the empty answer of a delete.
type MDDeleteOutput struct{}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ifMatch reads the version of an If-Match header ("3", W/"3" or 3); a
// missing header is version 0, which the service refuses.
func ifMatch(h string) (int64, error) {
	h = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(h), "W/"))
	if h == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 0 {
		return 0, &Error{status: http.StatusBadRequest, Code: "invalid", Field: "header.If-Match",
			Message: fmt.Sprintf("If-Match %q: send the record's ETag, such as \"3\"", h), MessageZH: fmt.Sprintf("If-Match %q 无效：请发送记录的 ETag，如 \"3\"", h)}
	}
	return v, nil
}

func recordOutput[T any](v *T) *MDRecordOutput[T] {
	out := &MDRecordOutput[T]{Body: v}
	if m, ok := any(v).(interface{ GetVersion() int64 }); ok {
		out.ETag = etag(m.GetVersion())
	}
	return out
}

// registerKind adds the list, get, create, replace, disable, enable and
// delete operations of one kind of master data.
func registerKind[T any](s *Server, k *masterdata.Kind[T], readOnly bool) {
	svc := s.opts.MasterData
	en, zh := k.Title()
	base := "/api/v1/" + k.Path()
	view := []auth.Permission{auth.Permission(k.Module() + ".view")}
	edit := []auth.Permission{auth.Permission(k.Module() + ".edit")}
	tags := []string{"master data 主数据"}
	id := strings.ReplaceAll(k.Path(), "-", "_")
	register(s, huma.Operation{OperationID: "list-" + id, Method: http.MethodGet, Path: base,
		Summary: "List " + en + "s " + zh + "列表", Tags: tags, Errors: []int{400}}, view,
		func(ctx context.Context, in *MDListInput) (*MDListOutput[T], error) {
			lq, err := in.query()
			if err != nil {
				return nil, err
			}
			items, total, err := masterdata.List(ctx, svc, k, principalOf(ctx), lq)
			if err != nil {
				return nil, err
			}
			if items == nil {
				items = []*T{}
			}
			limit := lq.Limit
			if limit == 0 {
				limit = 50
			}
			return &MDListOutput[T]{Body: MDPage[T]{Items: items, Total: total, Offset: lq.Offset, Limit: limit}}, nil
		})
	register(s, huma.Operation{OperationID: "get-" + id, Method: http.MethodGet, Path: base + "/{id}",
		Summary: "One " + en + " " + zh, Tags: tags, Errors: []int{404}}, view,
		func(ctx context.Context, in *MDIDInput) (*MDRecordOutput[T], error) {
			v, err := masterdata.Get(ctx, svc, k, principalOf(ctx), in.ID)
			if err != nil {
				return nil, err
			}
			return recordOutput(v), nil
		})
	if readOnly {
		return
	}
	register(s, huma.Operation{OperationID: "create-" + id, Method: http.MethodPost, Path: base,
		Summary: "Create a " + en + " 新建" + zh, Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{400, 409}}, edit,
		func(ctx context.Context, in *MDCreateInput[T]) (*MDRecordOutput[T], error) {
			v, err := masterdata.Create(ctx, svc, k, principalOf(ctx), &in.Body)
			if err != nil {
				return nil, err
			}
			return recordOutput(v), nil
		})
	register(s, huma.Operation{OperationID: "update-" + id, Method: http.MethodPut, Path: base + "/{id}",
		Summary: "Replace a " + en + " 修改" + zh, Tags: tags, Errors: []int{400, 404, 412, 428},
		Description: "Send the whole record and its ETag in If-Match; a record changed since gets 412."}, edit,
		func(ctx context.Context, in *MDWriteInput[T]) (*MDRecordOutput[T], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			v, err := masterdata.Update(ctx, svc, k, principalOf(ctx), in.ID, ver, &in.Body)
			if err != nil {
				return nil, err
			}
			return recordOutput(v), nil
		})
	for _, op := range []struct {
		name     string
		disabled bool
		en, zh   string
	}{{"disable", true, "Disable", "停用"}, {"enable", false, "Enable", "启用"}} {
		register(s, huma.Operation{OperationID: op.name + "-" + id, Method: http.MethodPost, Path: base + "/{id}/" + op.name,
			Summary: op.en + " a " + en + " " + op.zh + zh, Tags: tags, Errors: []int{404, 412, 428}}, edit,
			func(ctx context.Context, in *MDChangeInput) (*MDRecordOutput[T], error) {
				ver, err := ifMatch(in.IfMatch)
				if err != nil {
					return nil, err
				}
				v, err := masterdata.SetDisabled(ctx, svc, k, principalOf(ctx), in.ID, ver, op.disabled)
				if err != nil {
					return nil, err
				}
				return recordOutput(v), nil
			})
	}
	register(s, huma.Operation{OperationID: "delete-" + id, Method: http.MethodDelete, Path: base + "/{id}",
		Summary: "Delete a " + en + " 删除" + zh, Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{404, 409, 412, 428},
		Description: "A record others refer to gets 409: disable it instead."}, edit,
		func(ctx context.Context, in *MDChangeInput) (*MDDeleteOutput, error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			if err := masterdata.Delete(ctx, svc, k, principalOf(ctx), in.ID, ver); err != nil {
				return nil, err
			}
			return &MDDeleteOutput{}, nil
		})
}

// SettingsInput is a PUT of the settings.
type SettingsInput struct {
	IfMatch string `header:"If-Match" doc:"The settings' ETag; \"0\" before they were first saved."`
	Body    masterdata.Settings
}

// registerMasterData adds the master data API.
func (s *Server) registerMasterData() {
	registerKind(s, masterdata.Categories, false)
	registerKind(s, masterdata.Units, false)
	registerKind(s, masterdata.Products, false)
	registerKind(s, masterdata.SKUs, true)
	registerKind(s, masterdata.Sites, false)
	registerKind(s, masterdata.Bins, false)
	registerKind(s, masterdata.StockLimits, false)
	registerKind(s, masterdata.Suppliers, false)
	registerKind(s, masterdata.Customers, false)
	registerKind(s, masterdata.Accounts, false)
	s.registerImports()
	tags := []string{"master data 主数据"}
	svc := s.opts.MasterData
	register(s, huma.Operation{OperationID: "get-settings", Method: http.MethodGet, Path: "/api/v1/settings",
		Summary: "Currency and tax settings 币种与税率设置", Tags: tags}, []auth.Permission{"product.view"},
		func(ctx context.Context, _ *struct{}) (*MDRecordOutput[masterdata.Settings], error) {
			v, err := masterdata.GetSettings(ctx, svc, principalOf(ctx))
			if err != nil {
				return nil, err
			}
			return &MDRecordOutput[masterdata.Settings]{ETag: etag(v.Version), Body: v}, nil
		})
	register(s, huma.Operation{OperationID: "put-settings", Method: http.MethodPut, Path: "/api/v1/settings",
		Summary: "Change the settings 修改系统设置", Tags: tags, Errors: []int{400, 412}}, []auth.Permission{"product.edit"},
		func(ctx context.Context, in *SettingsInput) (*MDRecordOutput[masterdata.Settings], error) {
			ver, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			v, err := masterdata.PutSettings(ctx, svc, principalOf(ctx), ver, &in.Body)
			if err != nil {
				return nil, err
			}
			return &MDRecordOutput[masterdata.Settings]{ETag: etag(v.Version), Body: v}, nil
		})
}

// mapMasterData maps the master data service's errors; nil for others.
func mapMasterData(err error) *Error {
	var ve *masterdata.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		in := ve.In
		if in == "" {
			in = "body"
		}
		fe := make(FieldErrors, len(ve.Fields))
		for i, f := range ve.Fields {
			fe[i] = FieldError{Field: in + "." + f.Field, Message: f.Msg, MessageZH: f.MsgZH}
		}
		return fe.toError()
	}
	var me *masterdata.Error
	if !errors.As(err, &me) {
		return nil
	}
	e := &Error{Message: me.Msg, MessageZH: me.MsgZH}
	switch {
	case errors.Is(err, masterdata.ErrNotFound):
		e.status, e.Code = http.StatusNotFound, "not_found"
	case errors.Is(err, masterdata.ErrStale):
		e.status, e.Code = http.StatusPreconditionFailed, "stale"
	case errors.Is(err, masterdata.ErrVersionRequired):
		e.status, e.Code, e.Field = http.StatusPreconditionRequired, "precondition_required", "header.If-Match"
	case errors.Is(err, masterdata.ErrReferenced):
		e.status, e.Code = http.StatusConflict, "referenced"
	default:
		return nil
	}
	return e
}
