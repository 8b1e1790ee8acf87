package sqlite

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Input limits for events this replica writes. The content rules (string
// fields, lengths, quantity bounds) are syncproto's, the same that ingest
// and the cloud stores apply, so what this ledger writes the cloud takes.
const (
	// MaxFieldLen bounds every string field of a movement, count or
	// document event, in bytes (syncproto.MaxFieldLen).
	MaxFieldLen = syncproto.MaxFieldLen
	// MaxQty bounds the magnitude of a movement's qty, a count's counted
	// quantity and a unit cost (syncproto.MaxQty).
	MaxQty = syncproto.MaxQty
	// MaxPayload bounds a document event's payload, in bytes
	// (syncproto.MaxPayload).
	MaxPayload = syncproto.MaxPayload
	// MaxMovementsPerCall bounds the inputs of one RecordMovements call,
	// which is written in one transaction.
	MaxMovementsPerCall = 16384
	// MaxProductsPerCall bounds the entries of one PutProducts call.
	MaxProductsPerCall = 16384
)

// reasonList is what Reasons returns.
var reasonList = []string{"receive", "ship", "transfer_in", "transfer_out", "return", "scrap", "adjust", "sale", "purchase",
	"purchase_return", "sales_return", "assembly", "disassembly"}

var reasons = func() map[string]bool {
	m := make(map[string]bool, len(reasonList))
	for _, r := range reasonList {
		m[r] = true
	}
	return m
}()

// Reasons returns the movement reasons RecordMovement accepts; any other
// reason, the empty one included, is rejected with agent.ErrInvalid. The
// sign of qty is not tied to the reason (a return may come in from a
// customer or go out to a supplier); the reason is kept for reports.
func Reasons() []string { return append([]string(nil), reasonList...) }

// invalid returns an *agent.InvalidError with the reason in English and
// Chinese.
func invalid(msg, msgZH string) error { return agent.Invalid(msg, msgZH) }

// fieldName returns the name of a field of the idx-th element of a list
// ("movements[3].qty"), or field alone if idx < 0. Only error paths call it.
func fieldName(list string, idx int, field string) string {
	if idx < 0 {
		return field
	}
	return fmt.Sprintf("%s[%d].%s", list, idx, field)
}

// fromSyncproto turns syncproto's validation error into the agent's, its
// field named as the idx-th of list (idx < 0: not in a list).
func fromSyncproto(err error, list string, idx int) error {
	var ve *syncproto.ValidationError
	if !errors.As(err, &ve) {
		return invalid(err.Error(), "输入无效")
	}
	f := fieldName(list, idx, ve.Field)
	return invalid(f+" "+ve.Reason, "字段 "+f+" "+ve.ReasonZH)
}

// movementBody returns the wire form of a movement input.
func movementBody(in *agent.MovementInput) *pb.Movement {
	return &pb.Movement{
		Bin: in.Bin, Sku: in.SKU, Lot: in.Lot, Epc: in.EPC, Qty: in.Qty,
		UnitCost: in.UnitCost, Currency: in.Currency, Reason: in.Reason,
		Doc: in.Doc, Operator: in.Operator, Device: in.Device, Expiry: in.Expiry,
	}
}

// validateMovement checks a movement and returns its wire form: the
// content rules of syncproto.ValidateMovement, then the agent's own (a
// known reason, qty not 0); idx >= 0 names it as the idx-th of a
// RecordMovements call in errors ("movements[3].qty is 0").
func validateMovement(in *agent.MovementInput, idx int) (*pb.Movement, error) {
	m := movementBody(in)
	if err := syncproto.ValidateMovement(m); err != nil {
		return nil, fromSyncproto(err, "movements", idx)
	}
	name := func(field string) string { return fieldName("movements", idx, field) }
	if !reasons[in.Reason] {
		return nil, invalid(fmt.Sprintf("%s %q is not one of %s", name("reason"), in.Reason, strings.Join(reasonList, ", ")),
			fmt.Sprintf("字段 %s 的值 %q 不是以下之一：%s", name("reason"), in.Reason, strings.Join(reasonList, ", ")))
	}
	if in.Qty == 0 {
		return nil, invalid(name("qty")+" is 0", "字段 "+name("qty")+" 不能为 0")
	}
	return m, nil
}

// validateProducts checks catalogue entries and returns them with their
// GTINs normalised; a GTIN given twice is rejected, since which entry
// should win would be a guess.
func validateProducts(ps []agent.Product) ([]agent.Product, error) {
	out := make([]agent.Product, len(ps))
	first := make(map[string]int, len(ps))
	for i, p := range ps {
		g, err := agent.NormalizeGTIN(p.GTIN)
		if err != nil {
			f := fieldName("products", i, "gtin")
			return nil, invalid(fmt.Sprintf("%s: %v", f, err),
				fmt.Sprintf("字段 %s 不是有效的 GTIN（应为 8、12、13 或 14 位数字且校验位正确）", f))
		}
		if j, dup := first[g]; dup {
			f := fieldName("products", i, "gtin")
			return nil, invalid(fmt.Sprintf("%s %s is also products[%d].gtin", f, g, j),
				fmt.Sprintf("字段 %s 的 GTIN %s 与 products[%d].gtin 重复", f, g, j))
		}
		first[g] = i
		for _, f := range [...]struct {
			name, v  string
			required bool
		}{
			{"sku", p.SKU, true},
			{"name", p.Name, false},
			{"unit", p.Unit, false},
		} {
			if err := syncproto.CheckString(f.name, f.v, f.required); err != nil {
				return nil, fromSyncproto(err, "products", i)
			}
		}
		if f := fieldName("products", i, "price"); p.Price < 0 || p.Price > MaxQty {
			return nil, invalid(fmt.Sprintf("%s %d is outside 0 … %d fen", f, p.Price, int64(MaxQty)),
				fmt.Sprintf("字段 %s 的值 %d 超出范围：应在 0 到 %d 分之间", f, p.Price, int64(MaxQty)))
		}
		if f := fieldName("products", i, "factor"); p.Factor < 0 || p.Factor > MaxQty {
			return nil, invalid(fmt.Sprintf("%s %d is outside 0 … %d (0 or 1: the SKU's own barcode; more: a pack of that many)", f, p.Factor, int64(MaxQty)),
				fmt.Sprintf("字段 %s 的值 %d 超出范围：应在 0 到 %d 之间（0 或 1 表示单品条码，更大表示一箱/一包所含数量）", f, p.Factor, int64(MaxQty)))
		}
		p.GTIN = g
		out[i] = p
	}
	return out, nil
}

// validateCount checks a count (syncproto.ValidateCount; the context is
// set later by the writer) and returns its wire form.
func validateCount(in *agent.CountInput) (*pb.Count, error) {
	c := &pb.Count{Bin: in.Bin, Sku: in.SKU, Lot: in.Lot, Counted: in.Counted,
		Operator: in.Operator, Device: in.Device, Doc: in.Doc}
	if err := syncproto.ValidateCount(c); err != nil {
		return nil, fromSyncproto(err, "", -1)
	}
	return c, nil
}

// validateBody checks a body given to Append: no identity or HLC, a kind,
// and not a movement or count (those go through RecordMovement and
// RecordCount, which validate them and, for a count, set its context).
func validateBody(b *pb.Event) error {
	if b == nil {
		return invalid("body is nil", "事件内容为空")
	}
	switch {
	case b.GetReplica() != 0:
		return invalid("body sets replica", "事件内容不能设置 replica")
	case b.GetSeq() != 0:
		return invalid("body sets seq", "事件内容不能设置 seq")
	case b.GetSite() != "":
		return invalid("body sets site", "事件内容不能设置 site")
	case b.GetHlc() != 0:
		return invalid("body sets hlc", "事件内容不能设置 hlc")
	}
	switch b.GetBody().(type) {
	case nil:
		return invalid("body has no kind", "事件内容没有类型")
	case *pb.Event_Movement:
		return invalid("body is a movement: use RecordMovement", "事件内容是出入库记录，请使用 RecordMovement")
	case *pb.Event_Count:
		return invalid("body is a count: use RecordCount", "事件内容是盘点记录，请使用 RecordCount")
	}
	if err := syncproto.ValidateBody(b); err != nil {
		return fromSyncproto(err, "", -1)
	}
	return nil
}
