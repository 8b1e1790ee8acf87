package work

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Prefix is where the work API is mounted.
const Prefix = "/api/v1/work"

type keyed[T any] struct {
	Key  string `header:"Idempotency-Key" required:"true" minLength:"1" maxLength:"128" doc:"A new key per action; a retry with the same key and body records nothing twice."`
	Body T
}

type out[T any] struct {
	Body T
}

// post registers a write: 201 once durable.
func post[Req, Res any](api huma.API, id, path, sum, sumZH string, f func(context.Context, string, Req) (Res, error)) {
	huma.Register(api, huma.Operation{OperationID: id, Method: http.MethodPost, Path: Prefix + path, Summary: sum + " / " + sumZH,
		Description: sum + "\n\n" + sumZH, Tags: []string{"work"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *keyed[Req]) (*out[Res], error) {
			res, err := f(ctx, in.Key, in.Body)
			if err != nil {
				return nil, err
			}
			return &out[Res]{Body: res}, nil
		})
}

func get[In, Res any](api huma.API, id, path, sum, sumZH string, f func(context.Context, *In) (Res, error)) {
	huma.Register(api, huma.Operation{OperationID: id, Method: http.MethodGet, Path: Prefix + path, Summary: sum + " / " + sumZH,
		Description: sum + "\n\n" + sumZH, Tags: []string{"work"}},
		func(ctx context.Context, in *In) (*out[Res], error) {
			res, err := f(ctx, in)
			if err != nil {
				return nil, err
			}
			return &out[Res]{Body: res}, nil
		})
}

type kindIn struct {
	Kind string `path:"kind" enum:"purchase_order,purchase_return,pick_list,transfer,count_plan,assembly,disassembly"`
}
type docIn struct {
	Kind   string `path:"kind" enum:"purchase_order,purchase_return,pick_list,transfer,count_plan,assembly,disassembly"`
	Number string `path:"number"`
}
type idIn struct {
	ID string `path:"id"`
}
type recentIn struct {
	Limit int `query:"limit" minimum:"0" maximum:"1000" doc:"At most this many (default 100)."`
}
type stockIn struct {
	Barcode string `query:"barcode"`
	SKU     string `query:"sku"`
}
type none struct{}

// Register mounts the work operations on api (under Prefix). The caller
// of each request must be in its context (session.With), put there by
// the agent's authentication; every write needs an Idempotency-Key.
func Register(api huma.API, svc *Service) {
	post(api, "work-receive", "/receive", "Receive one scan against a purchase order (or unplanned, or from a supplier without one)", "采购入库：按采购订单扫描收货（或计划外收货、无订单收货）", svc.Receive)
	post(api, "work-pick", "/pick", "Pick one scan of a pick list", "拣货：按拣货单扫描拣货", svc.Pick)
	post(api, "work-pick-finish", "/pick/finish", "Finish a pick list at this site (short lines need a reason)", "完成拣货（短拣行须填写原因）", svc.FinishPick)
	post(api, "work-transfer", "/transfer", "Send or receive one scan of a transfer (out at its source, in at its destination)", "调拨：调出或调入扫描", svc.Transfer)
	post(api, "work-transfer-finish", "/transfer/finish", "Finish this site's leg of a transfer, with differences", "完成调出/调入，登记差异", svc.FinishTransfer)
	post(api, "work-transfer-own", "/transfer/own", "Start a transfer from this site to another", "本站点发起调拨", svc.OwnTransfer)
	post(api, "work-purchase-return", "/purchase-return", "Send one scan back to the supplier against a purchase return", "采购退货：按采购退货单扫描出库", svc.PurchaseReturn)
	post(api, "work-purchase-return-finish", "/purchase-return/finish", "Finish a purchase return at this site (short lines need a reason)", "完成采购退货（短退行须填写原因）", svc.FinishPurchaseReturn)
	post(api, "work-sales-return", "/sales-return", "Receive goods back from a customer against a shipment or pick list, inspected good or damaged", "销售退货：按出库单或拣货单收回商品并验收（完好入库位，损坏入残次库位）", svc.SalesReturn)
	post(api, "work-session-open", "/sessions", "Open a receiving or count session on this handheld", "开始收货或盘点作业", svc.OpenSession)
	huma.Register(api, huma.Operation{OperationID: "work-session-close", Method: http.MethodPost, Path: Prefix + "/sessions/{id}/close",
		Summary: "Finish or cancel a session of this handheld / 完成或取消本设备的作业", Tags: []string{"work"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Key  string `header:"Idempotency-Key" required:"true" minLength:"1" maxLength:"128"`
			Body CloseRequest
		}) (*out[*DocResult], error) {
			res, err := svc.CloseSession(ctx, in.Key, in.ID, in.Body)
			if err != nil {
				return nil, err
			}
			return &out[*DocResult]{Body: res}, nil
		})
	post(api, "work-count", "/count", "Count one key for a count plan", "盘点：按盘点计划登记实盘数", svc.Count)
	post(api, "work-assemble", "/assemble", "Do an assembly or disassembly approved at HQ, all its lines at once", "执行组装单/拆卸单（全部行一次记账）", svc.Assemble)
	post(api, "work-other", "/other", "Other in or out with a reason (scrap, sample, internal use, found, other)", "其他入库/出库（报损、样品、领用、盘盈、其他）", svc.Other)
	post(api, "work-sale", "/retail/sale", "Retail sale at the till", "零售收银", svc.Sale)
	post(api, "work-return", "/retail/return", "Retail return, against a sale or with approval", "零售退货", svc.Return)

	get(api, "work-documents", "/documents/{kind}", "Open documents of a kind at this site, with progress", "本站点某类未完成单据及进度",
		func(ctx context.Context, in *kindIn) ([]DocView, error) { return svc.Documents(ctx, in.Kind) })
	get(api, "work-document", "/documents/{kind}/{number}", "A document with this site's progress", "单据及本站点进度",
		func(ctx context.Context, in *docIn) (*DocView, error) { return svc.Document(ctx, in.Kind, in.Number) })
	get(api, "work-edge-doc", "/edge-docs/{id}", "An edge document by id", "按编号查询边缘单据",
		func(ctx context.Context, in *idIn) (*EdgeDocView, error) { return svc.EdgeDoc(ctx, in.ID) })
	get(api, "work-edge-docs", "/edge-docs", "This handheld's recent edge documents with their sync state", "本设备最近的单据及同步状态",
		func(ctx context.Context, in *recentIn) ([]EdgeDocView, error) {
			l := in.Limit
			if l == 0 {
				l = 100
			}
			return svc.Recent(ctx, l)
		})
	get(api, "work-stock", "/stock", "Stock of a SKU at this site, by scan or SKU", "按条码或 SKU 查询本站点库存",
		func(ctx context.Context, in *stockIn) (*StockView, error) { return svc.Stock(ctx, in.Barcode, in.SKU) })
	get(api, "work-alerts", "/alerts", "Stock below its minimum or above its maximum", "库存预警（低于下限或高于上限）",
		func(ctx context.Context, _ *none) ([]Alert, error) { return svc.Alerts(ctx) })
}
