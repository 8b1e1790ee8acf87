package docs

import (
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

// Document type names (DOMAIN.md §2).
const (
	TypePurchaseRequest = "purchase_request"
	TypePurchaseOrder   = "purchase_order"
	TypePurchaseReceipt = "purchase_receipt"
	TypePurchaseReturn  = "purchase_return"
	TypeQuote           = "quote"
	TypeSalesOrder      = "sales_order"
	TypePickList        = "pick_list"
	TypeShipment        = "shipment"
	TypeSalesReturn     = "sales_return"
	TypeRetailSale      = "retail_sale"
	TypeRetailReturn    = "retail_return"
	TypeTransfer        = "transfer"
	TypeCountPlan       = "count_plan"
	TypeOtherIn         = "other_in"
	TypeOtherOut        = "other_out"
	TypeAssembly        = "assembly"
	TypeDisassembly     = "disassembly"
)

// Reason codes of other in/out (其他入库/出库).
var otherReasons = []string{"scrap", "sample", "internal_use", "found", "gift", "other"}

// types lists every document type, in the order the console shows them.
var types = []*Type{
	{Name: TypePurchaseRequest, Path: "purchase-requests", Prefix: "QG", Title: "purchase request", TitleZH: "请购单",
		Module: "purchase", Priced: true, Measure: MeasureNone, DoneZH: "已转采购", PartlyZH: "部分转采购"},
	{Name: TypePurchaseOrder, Path: "purchase-orders", Prefix: "CG", Title: "purchase order", TitleZH: "采购订单",
		Module: "purchase", Partner: masterdata.KindSupplier, PartnerRequired: true, Priced: true, Measure: MeasureIn,
		Publish: syncproto.KindPurchaseOrder, From: []string{TypePurchaseRequest, TypeSalesOrder}, DoneZH: "已入库", PartlyZH: "部分入库"},
	{Name: TypePurchaseReceipt, Path: "purchase-receipts", Prefix: "RK", Title: "purchase receipt", TitleZH: "采购入库单",
		Module: "purchase", Partner: masterdata.KindSupplier, Priced: true, Measure: MeasureNone,
		From: []string{TypePurchaseOrder}, Edge: syncproto.EdgeReceipt},
	{Name: TypePurchaseReturn, Path: "purchase-returns", Prefix: "CT", Title: "purchase return", TitleZH: "采购退货单",
		Module: "purchase", Partner: masterdata.KindSupplier, PartnerRequired: true, Priced: true, Measure: MeasureOut,
		Publish: syncproto.KindPurchaseReturn, From: []string{TypePurchaseReceipt}, DoneZH: "已退货", PartlyZH: "部分退货"},
	{Name: TypeQuote, Path: "quotes", Prefix: "BJ", Title: "quote", TitleZH: "报价单",
		Module: "sales", Partner: masterdata.KindCustomer, PartnerRequired: true, Priced: true, Measure: MeasureNone,
		DoneZH: "已转订单"},
	{Name: TypeSalesOrder, Path: "sales-orders", Prefix: "XS", Title: "sales order", TitleZH: "销售订单",
		Module: "sales", Partner: masterdata.KindCustomer, PartnerRequired: true, Priced: true, Measure: MeasureChildren,
		Children: []string{TypePickList}, From: []string{TypeQuote}, DoneZH: "已出库", PartlyZH: "部分出库"},
	{Name: TypePickList, Path: "pick-lists", Prefix: "JH", Title: "pick list", TitleZH: "拣货单",
		Module: "sales", Partner: masterdata.KindCustomer, Measure: MeasureOut, Publish: syncproto.KindPickList,
		From: []string{TypeSalesOrder}, DoneZH: "已拣货", PartlyZH: "部分拣货"},
	{Name: TypeShipment, Path: "shipments", Prefix: "CK", Title: "shipment", TitleZH: "销售出库单",
		Module: "sales", Partner: masterdata.KindCustomer, Priced: true, Measure: MeasureNone,
		From: []string{TypePickList}, Edge: syncproto.EdgePick},
	{Name: TypeSalesReturn, Path: "sales-returns", Prefix: "XT", Title: "sales return", TitleZH: "销售退货单",
		Module: "sales", Partner: masterdata.KindCustomer, PartnerRequired: true, Priced: true, Measure: MeasureIn,
		From: []string{TypeShipment, TypePickList}, Edge: syncproto.EdgeSalesReturn, DoneZH: "已退回", PartlyZH: "部分退回"},
	{Name: TypeRetailSale, Path: "retail-sales", Prefix: "LS", Title: "retail sale", TitleZH: "零售单",
		Module: "retail", Measure: MeasureNone, Edge: syncproto.EdgeRetailSale},
	{Name: TypeRetailReturn, Path: "retail-returns", Prefix: "LT", Title: "retail return", TitleZH: "零售退货单",
		Module: "retail", Measure: MeasureNone, From: []string{TypeRetailSale}, Edge: syncproto.EdgeRetailReturn},
	{Name: TypeTransfer, Path: "transfers", Prefix: "DB", Title: "transfer", TitleZH: "调拨单",
		Module: "inventory", ToSite: true, Measure: MeasureTransfer, Publish: syncproto.KindTransfer,
		Edge: syncproto.EdgeTransferOut, DoneZH: "已调入", PartlyZH: "调拨中"},
	{Name: TypeCountPlan, Path: "count-plans", Prefix: "PD", Title: "count plan", TitleZH: "盘点计划",
		Module: "inventory", Measure: MeasureNone, Publish: syncproto.KindCountPlan, DoneZH: "已盘点", PartlyZH: "盘点中"},
	{Name: TypeOtherIn, Path: "other-ins", Prefix: "QR", Title: "other in", TitleZH: "其他入库单",
		Module: "inventory", Measure: MeasureIn, Edge: syncproto.EdgeOtherIn, Reasons: otherReasons, HQ: true},
	{Name: TypeOtherOut, Path: "other-outs", Prefix: "QC", Title: "other out", TitleZH: "其他出库单",
		Module: "inventory", Measure: MeasureOut, Edge: syncproto.EdgeOtherOut, Reasons: otherReasons, HQ: true},
	{Name: TypeAssembly, Path: "assemblies", Prefix: "ZZ", Title: "assembly", TitleZH: "组装单",
		Module: "inventory", Measure: MeasureBoth, Publish: syncproto.KindAssembly, DoneZH: "已组装", PartlyZH: "组装中"},
	{Name: TypeDisassembly, Path: "disassemblies", Prefix: "CX", Title: "disassembly", TitleZH: "拆卸单",
		Module: "inventory", Measure: MeasureBoth, Publish: syncproto.KindDisassembly, DoneZH: "已拆卸", PartlyZH: "拆卸中"},
}

var typeByName = func() map[string]*Type {
	m := make(map[string]*Type, len(types))
	for _, t := range types {
		m[t.Name] = t
	}
	return m
}()

// Types returns every document type, in the console's order.
func Types() []*Type { return types }

// TypeOf returns the type of a name, or nil.
func TypeOf(name string) *Type { return typeByName[name] }

// edgeTypes maps an edge document type to the document type it makes.
var edgeTypes = func() map[string]*Type {
	m := map[string]*Type{}
	for _, t := range types {
		if t.Edge != "" {
			m[t.Edge] = t
		}
	}
	return m
}()

// TypeOfEdge returns the document type an edge document of edgeType
// makes, or nil.
func TypeOfEdge(edgeType string) *Type { return edgeTypes[edgeType] }
