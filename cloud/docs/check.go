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

// check normalises po and checks it against master data: the supplier
// and site exist and are enabled (the site in the caller's scope), the
// dates, and each line's SKU, unit, quantity, price and VAT rate; it
// fills the names, factors, base quantities and amounts. It returns a
// *masterdata.ValidationError naming every field at fault, or the
// caller's scope refusal.
func check(ctx context.Context, w *write, po *PurchaseOrder) error {
	var c masterdata.Checker
	tenant := w.p.Tenant
	po.Supplier, po.Site, po.Date = strings.TrimSpace(po.Supplier), strings.TrimSpace(po.Site), strings.TrimSpace(po.Date)
	po.ExpectedDate, po.Note = strings.TrimSpace(po.ExpectedDate), strings.TrimSpace(po.Note)
	po.OverReceiptPercent = DefaultOverReceiptPercent
	if po.Site != "" {
		if err := w.p.CanSite(po.Site); err != nil {
			return err
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
	if r, ok, err := ref("supplier", masterdata.KindSupplier, "supplier", "供应商", po.Supplier); err != nil {
		return err
	} else if ok {
		po.SupplierName = r.Name
	}
	if _, _, err := ref("site", masterdata.KindSite, "site", "门店/仓库", po.Site); err != nil {
		return err
	}
	date, err := time.Parse(time.DateOnly, po.Date)
	if err != nil {
		c.Addf("date", "%q is not a date yyyy-mm-dd", "%q 不是 yyyy-mm-dd 格式的日期", po.Date)
	}
	if po.ExpectedDate != "" {
		exp, err := time.Parse(time.DateOnly, po.ExpectedDate)
		switch {
		case err != nil:
			c.Addf("expected_date", "%q is not a date yyyy-mm-dd", "%q 不是 yyyy-mm-dd 格式的日期", po.ExpectedDate)
		case !date.IsZero() && exp.Before(date):
			c.Addf("expected_date", "%s is before the order's date %s", "%s 早于单据日期 %s", po.ExpectedDate, po.Date)
		}
	}
	masterdata.CheckText(&c, "note", po.Note, false, 500)
	settings := masterdata.DefaultSettings()
	if r, ok, err := w.tx.MasterByCode(ctx, tenant, masterdata.KindSettings, masterdata.SettingsCode); err != nil {
		return err
	} else if ok {
		if err := json.Unmarshal(r.Body, &settings); err != nil {
			return fmt.Errorf("decode settings: %w", err)
		}
	}
	if len(po.Lines) == 0 || len(po.Lines) > syncproto.MaxDocLines {
		c.Addf("lines", "has %d lines; want 1 … %d", "有 %d 行，应为 1 到 %d 行", len(po.Lines), syncproto.MaxDocLines)
	}
	po.Amounts = Amounts{}
	products := map[int64]*masterdata.Product{}
	for i := range po.Lines {
		l := &po.Lines[i]
		f := "lines[" + strconv.Itoa(i) + "]."
		l.Line, l.SKU, l.Unit = i+1, strings.TrimSpace(l.SKU), strings.TrimSpace(l.Unit)
		l.Factor, l.QtyBase, l.Amounts, l.Received, l.OverReceived = 0, 0, Amounts{}, 0, false
		sku, ok, err := ref(f+"sku", masterdata.KindSKU, "SKU", "SKU", l.SKU)
		if err != nil {
			return err
		}
		if l.Qty < 1 || l.Qty > MaxQty {
			c.Addf(f+"qty", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", l.Qty, int64(MaxQty))
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
		a, err := LineAmounts(l.Qty, l.Price, *l.VATRate, po.TaxIncluded)
		if err != nil {
			c.Addf(f+"price", "%d × %d fen is beyond %d fen", "%d × %d 分超出 %d 分的上限", l.Qty, l.Price, int64(MaxMoney))
			continue
		}
		l.Amounts = a
		po.Net, po.Tax, po.Gross = po.Net+a.Net, po.Tax+a.Tax, po.Gross+a.Gross
	}
	return c.Err()
}
