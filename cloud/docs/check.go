package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

// check normalises d and checks it against master data and the rules of
// its type: the partner (when the type has one) and the sites exist and
// are enabled (the sites in the caller's scope), the dates, the source
// document, the reason, and each line's SKU, unit, quantity and, for
// priced types, price and VAT rate; it fills the names, factors, base
// quantities, amounts and the tolerance. It returns a
// *masterdata.ValidationError naming every field at fault, or the
// caller's scope refusal.
func check(ctx context.Context, w *write, t *Type, d *Document) error {
	var c masterdata.Checker
	tenant := w.p.Tenant
	for _, f := range []*string{&d.Partner, &d.Site, &d.ToSite, &d.Date, &d.ExpectedDate, &d.Note, &d.Ref, &d.Reason} {
		*f = strings.TrimSpace(*f)
	}
	d.TolerancePercent = DefaultTolerancePercent
	for _, s := range []string{d.Site, d.ToSite} {
		if s != "" {
			if err := w.p.CanSite(s); err != nil && !(s == d.ToSite && t.ToSite) {
				return err
			}
		}
	}
	ref := func(field, kind, en, zh, code string) (masterdata.Row, bool, error) {
		if code == "" {
			c.Add(field, "is required", "不能为空")
			return masterdata.Row{}, false, nil
		}
		r, ok, err := w.tx.MasterByCode(ctx, tenant, kind, code)
		switch {
		case err != nil:
			return r, false, err
		case !ok:
			c.Add(field, fmt.Sprintf("no %s has the code %q", en, code), fmt.Sprintf("没有编码为 %q 的%s", code, zh))
			return r, false, nil
		case r.Disabled:
			c.Add(field, fmt.Sprintf("%s %q is disabled", en, code), fmt.Sprintf("%s %q 已停用", zh, code))
			return r, false, nil
		}
		return r, true, nil
	}
	switch {
	case t.Partner == "":
		d.Partner, d.PartnerName = "", ""
	case d.Partner == "" && !t.PartnerRequired:
		d.PartnerName = ""
	default:
		en, zh := "supplier", "供应商"
		if t.Partner == masterdata.KindCustomer {
			en, zh = "customer", "客户"
		}
		r, ok, err := ref("partner", t.Partner, en, zh, d.Partner)
		if err != nil {
			return err
		}
		if ok {
			d.PartnerName = r.Name
			var tol struct {
				TolerancePercent int32 `json:"tolerance_percent"`
			}
			if json.Unmarshal(r.Body, &tol) == nil && tol.TolerancePercent > 0 {
				d.TolerancePercent = tol.TolerancePercent
			}
		}
	}
	if _, _, err := ref("site", masterdata.KindSite, "site", "门店/仓库", d.Site); err != nil {
		return err
	}
	switch {
	case !t.ToSite:
		d.ToSite = ""
	case d.ToSite == d.Site && d.Site != "":
		c.Add("to_site", "is the same as the source site", "与调出门店/仓库相同")
	default:
		if _, _, err := ref("to_site", masterdata.KindSite, "site", "门店/仓库", d.ToSite); err != nil {
			return err
		}
	}
	date, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		c.Addf("date", "%q is not a date yyyy-mm-dd", "%q 不是 yyyy-mm-dd 格式的日期", d.Date)
	}
	if d.ExpectedDate != "" {
		exp, err := time.Parse(time.DateOnly, d.ExpectedDate)
		switch {
		case err != nil:
			c.Addf("expected_date", "%q is not a date yyyy-mm-dd", "%q 不是 yyyy-mm-dd 格式的日期", d.ExpectedDate)
		case !date.IsZero() && exp.Before(date):
			c.Addf("expected_date", "%s is before the document's date %s", "%s 早于单据日期 %s", d.ExpectedDate, d.Date)
		}
	}
	masterdata.CheckText(&c, "note", d.Note, false, 500)
	masterdata.CheckText(&c, "external_id", d.ExternalID, false, 64)
	var src *Row
	if d.Ref != "" {
		r, ok, err := w.tx.ByNumber(ctx, tenant, d.Ref)
		switch {
		case err != nil:
			return err
		case !ok || !slices.Contains(t.From, r.Type):
			c.Add("ref", fmt.Sprintf("no document %s this %s can be made from", d.Ref, t.Title),
				fmt.Sprintf("没有可生成本%s的单据 %s", t.TitleZH, d.Ref))
		case r.Status == StatusDraft || r.Status == StatusVoid:
			c.Add("ref", fmt.Sprintf("%s is %s", d.Ref, r.Status), fmt.Sprintf("%s 为%s状态，不能引用", d.Ref, StatusZH(r.Status)))
		default:
			src = &r
		}
	}
	switch {
	case len(t.Reasons) == 0:
		d.Reason = ""
	case !slices.Contains(t.Reasons, d.Reason):
		c.Addf("reason", "%q: want one of %s", "%q 无效：应为 %s 之一", d.Reason, strings.Join(t.Reasons, ", "))
	}
	settings, err := w.settings(ctx)
	if err != nil {
		return err
	}
	least := 1
	if t.Name == TypeCountPlan {
		least = 0
	}
	if len(d.Lines) < least || len(d.Lines) > syncproto.MaxDocLines {
		c.Addf("lines", "has %d lines; want %d … %d", "有 %d 行，应为 %d 到 %d 行", len(d.Lines), least, syncproto.MaxDocLines)
	}
	d.Amounts = Amounts{}
	products := map[int64]*masterdata.Product{}
	if t.Name == TypeAssembly || t.Name == TypeDisassembly {
		if err := expandBOM(ctx, w, d, products, &c); err != nil {
			return err
		}
	}
	for i := range d.Lines {
		l := &d.Lines[i]
		f := "lines[" + strconv.Itoa(i) + "]."
		l.Line, l.SKU, l.Unit, l.Bin, l.Lot = i+1, strings.TrimSpace(l.SKU), strings.TrimSpace(l.Unit), strings.TrimSpace(l.Bin), strings.TrimSpace(l.Lot)
		l.Factor, l.QtyBase, l.Amounts, l.Done, l.In, l.Out, l.Over = 0, 0, Amounts{}, 0, 0, 0, false
		l.ExpectedDate = strings.TrimSpace(l.ExpectedDate)
		if l.ExpectedDate != "" {
			exp, err := time.Parse(time.DateOnly, l.ExpectedDate)
			switch {
			case err != nil:
				c.Addf(f+"expected_date", "%q is not a date yyyy-mm-dd", "%q 不是 yyyy-mm-dd 格式的日期", l.ExpectedDate)
			case !date.IsZero() && exp.Before(date):
				c.Addf(f+"expected_date", "%s is before the document's date %s", "%s 早于单据日期 %s", l.ExpectedDate, d.Date)
			}
		}
		masterdata.CheckText(&c, f+"bin", l.Bin, false, 64)
		masterdata.CheckText(&c, f+"lot", l.Lot, false, 64)
		if l.RefLine != 0 && (src == nil || !slices.ContainsFunc(src.Lines, func(r LineRow) bool { return r.Line == l.RefLine && r.SKU == l.SKU })) {
			c.Addf(f+"ref_line", "%d is not a line of %s with this SKU", "%d 不是源单 %s 中该商品的行", l.RefLine, d.Ref)
		}
		sku, ok, err := ref(f+"sku", masterdata.KindSKU, "SKU", "SKU", l.SKU)
		if err != nil {
			return err
		}
		if l.Qty < 1 || l.Qty > MaxQty {
			c.Addf(f+"qty", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", l.Qty, int64(MaxQty))
		}
		if !t.Priced {
			l.Price, l.VATRate = 0, nil
		}
		if l.Price < 0 || l.Price > MaxMoney {
			c.Addf(f+"price", "%d is outside 0 … %d fen", "%d 超出 0 到 %d 分的范围", l.Price, int64(MaxMoney))
		}
		if !ok {
			continue
		}
		l.Name = sku.Name
		prod, found := products[sku.ParentID]
		if !found {
			pr, err := w.tx.MasterGet(ctx, tenant, masterdata.KindProduct, sku.ParentID)
			if err != nil {
				return err
			}
			prod = new(masterdata.Product)
			if err := json.Unmarshal(pr.Body, prod); err != nil {
				return fmt.Errorf("decode product %d: %w", pr.ID, err)
			}
			products[sku.ParentID] = prod
		}
		units := []string{prod.BaseUnit}
		switch {
		case l.Unit == "" || l.Unit == prod.BaseUnit:
			l.Unit, l.Factor = prod.BaseUnit, 1
		default:
			for _, u := range prod.Units {
				units = append(units, u.Unit)
				if u.Unit == l.Unit {
					l.Factor = u.Factor
				}
			}
			if l.Factor == 0 {
				c.Addf(f+"unit", "%q is not a unit of %s: use %s", "%q 不是 %s 的单位，可用：%s", l.Unit, l.SKU, strings.Join(units, ", "))
				continue
			}
		}
		if l.Qty >= 1 && l.Qty <= MaxQty/l.Factor {
			l.QtyBase = l.Qty * l.Factor
		} else if l.Qty >= 1 {
			c.Addf(f+"qty", "%d %s is beyond %d base units", "%d %s 超出 %d 个基本单位的上限", l.Qty, l.Unit, int64(MaxQty))
		}
		if !t.Priced {
			continue
		}
		if l.VATRate == nil {
			r := settings.DefaultVATRate
			if prod.VATRate != nil {
				r = *prod.VATRate
			}
			l.VATRate = &r
		}
		if !slices.Contains(settings.VATRates, *l.VATRate) {
			c.Addf(f+"vat_rate", "%d %% is not one of the settings' rates %v", "%d%% 不在系统设置的税率 %v 中", *l.VATRate, settings.VATRates)
			continue
		}
		if l.QtyBase == 0 || l.Price < 0 || l.Price > MaxMoney {
			continue // refused above
		}
		a, err := LineAmounts(l.Qty, l.Price, *l.VATRate, d.TaxIncluded)
		if err != nil {
			c.Addf(f+"price", "%d × %d fen is beyond %d fen", "%d × %d 分超出 %d 分的上限", l.Qty, l.Price, int64(MaxMoney))
			continue
		}
		l.Amounts = a
		d.Net, d.Tax, d.Gross = d.Net+a.Net, d.Tax+a.Tax, d.Gross+a.Gross
	}
	if h := hooksOf[t.Name].check; h != nil {
		if err := h(ctx, w, t, d, &c); err != nil {
			return err
		}
	}
	return c.Err()
}

// settings reads the tenant's settings.
func (w *write) settings(ctx context.Context) (masterdata.Settings, error) {
	r, ok, err := w.tx.MasterByCode(ctx, w.p.Tenant, masterdata.KindSettings, masterdata.SettingsCode)
	if err != nil {
		return masterdata.Settings{}, err
	}
	s, err := settingsOf(r, ok)
	if err != nil {
		return s, fmt.Errorf("decode settings: %w", err)
	}
	return s, nil
}

// expandBOM makes an assembly's or disassembly's lines: line 1 is the
// product (its quantity how many are assembled or taken apart); given
// alone, the components follow from its SKU's bill of materials (each
// component's quantity per one × the quantity); given with components,
// those are kept as they are. It marks each line's role.
func expandBOM(ctx context.Context, w *write, d *Document, products map[int64]*masterdata.Product, c *masterdata.Checker) error {
	if len(d.Lines) == 0 {
		return nil // refused by the line count
	}
	d.Lines[0].Role = "product"
	for i := range d.Lines[1:] {
		d.Lines[i+1].Role = "component"
	}
	if len(d.Lines) > 1 {
		return nil
	}
	p := &d.Lines[0]
	code := strings.TrimSpace(p.SKU)
	row, ok, err := w.tx.MasterByCode(ctx, w.p.Tenant, masterdata.KindSKU, code)
	if err != nil || !ok {
		return err // an unknown SKU is refused with the lines
	}
	prod, found := products[row.ParentID]
	if !found {
		pr, err := w.tx.MasterGet(ctx, w.p.Tenant, masterdata.KindProduct, row.ParentID)
		if err != nil {
			return err
		}
		prod = new(masterdata.Product)
		if err := json.Unmarshal(pr.Body, prod); err != nil {
			return fmt.Errorf("decode product %d: %w", pr.ID, err)
		}
		products[row.ParentID] = prod
	}
	var bom []masterdata.BOMLine
	for _, s := range prod.SKUs {
		if s.Code == code {
			bom = s.BOM
		}
	}
	if len(bom) == 0 {
		c.Addf("lines[0].sku", "%s has no bill of materials: give its components as lines 2 …", "%s 没有物料清单，请在第 2 行起列出组件", code)
		return nil
	}
	if p.Unit != "" && p.Unit != prod.BaseUnit {
		c.Addf("lines[0].unit", "an assembly by bill of materials is in the base unit %s", "按物料清单组装须使用基本单位 %s", prod.BaseUnit)
		return nil
	}
	for _, b := range bom {
		if p.Qty < 1 || b.Qty > MaxQty/max(p.Qty, 1) {
			c.Addf("lines[0].qty", "%d × %d of %s is beyond %d", "%d × %d 个 %s 超出上限 %d", p.Qty, b.Qty, b.SKU, int64(MaxQty))
			return nil
		}
		d.Lines = append(d.Lines, Line{SKU: b.SKU, Qty: p.Qty * b.Qty, Role: "component"})
	}
	return nil
}
