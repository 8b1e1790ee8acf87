package masterdata

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Key spaces: values unique across a tenant.
const (
	SpaceBarcode = "barcode"
	SpacePLU     = "plu"
)

// CheckBarcode checks one barcode: 8, 12, 13 or 14 digits must be a GTIN
// with a valid check digit; any other code (a shop's own) is 1 to 48
// letters, digits or - . / without spaces.
func CheckBarcode(c *Checker, field, b string) {
	if b == "" {
		c.Add(field, "is empty", "不能为空")
		return
	}
	digits := strings.IndexFunc(b, func(r rune) bool { return r < '0' || r > '9' }) < 0
	if digits {
		switch len(b) {
		case 8, 12, 13, 14:
			if syncproto.GTINCheckDigit(b[:len(b)-1]) != b[len(b)-1] {
				c.Addf(field, "%q: the GTIN check digit should be %c", "%q 的 GTIN 校验位应为 %c", b, syncproto.GTINCheckDigit(b[:len(b)-1]))
			}
			return
		}
	}
	if len(b) > 48 || !printableCode(b) {
		c.Addf(field, "%q: a barcode is a GTIN (8, 12, 13, 14 digits) or 1 to 48 letters, digits, - . /", "%q 无效：条码须为 GTIN（8、12、13、14 位数字）或 1 到 48 位字母、数字、- . /", b)
	}
}

// isGTIN reports whether b is a barcode agents scan as a GTIN.
func isGTIN(b string) bool {
	switch len(b) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	return strings.IndexFunc(b, func(r rune) bool { return r < '0' || r > '9' }) < 0 &&
		syncproto.GTINCheckDigit(b[:len(b)-1]) == b[len(b)-1]
}

func checkProduct(ctx context.Context, w *write, before, v *Product) error {
	c := &w.c
	trim(&v.Brand, &v.Spec, &v.BaseUnit, &v.PLU)
	CheckText(c, "brand", v.Brand, false, 64)
	CheckText(c, "spec", v.Spec, false, maxText)
	w.filter("brand", v.Brand)
	if v.CategoryID != 0 {
		if cat, err := w.refID(ctx, "category_id", categoryInfo, v.CategoryID); err != nil {
			return err
		} else if cat.ID != 0 {
			w.filter("category_id", strconv.FormatInt(cat.ID, 10))
		}
	}
	var base Row
	if v.BaseUnit == "" {
		c.Add("base_unit", "is required", "不能为空")
	} else {
		var err error
		if base, err = w.refCode(ctx, "base_unit", unitInfo, "", v.BaseUnit); err != nil {
			return err
		}
	}
	weightUnit := false
	if base.ID != 0 {
		u, err := decode[Unit](base)
		if err != nil {
			return err
		}
		weightUnit = u.Weight
	}
	switch {
	case v.SoldByWeight && base.ID != 0 && !weightUnit:
		c.Addf("base_unit", "%q is not a weight unit, and the product is sold by weight", "%q 不是重量单位，而商品按重量销售", v.BaseUnit)
	case !v.SoldByWeight && v.WeightDecimals != 0:
		c.Add("weight_decimals", "only for goods sold by weight", "仅适用于称重商品")
	case !v.SoldByWeight && v.PLU != "":
		c.Add("plu", "only for goods sold by weight", "仅适用于称重商品")
	}
	if v.WeightDecimals < 0 || v.WeightDecimals > 3 {
		c.Addf("weight_decimals", "%d is outside 0 … 3", "%d 超出 0 到 3 的范围", v.WeightDecimals)
	}
	if v.PLU != "" {
		if len(v.PLU) < 4 || len(v.PLU) > 5 || strings.IndexFunc(v.PLU, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			c.Addf("plu", "%q: a PLU is 4 or 5 digits", "%q 无效：秤码须为 4 或 5 位数字", v.PLU)
		} else {
			w.keys = append(w.keys, Key{Space: SpacePLU, Value: v.PLU, Field: "plu"})
		}
	}
	if !v.LotTracked && v.ShelfLifeDays != 0 {
		c.Add("shelf_life_days", "only for lot-tracked goods", "仅适用于批次管理的商品")
	}
	if v.ShelfLifeDays < 0 || v.ShelfLifeDays > 36500 {
		c.Addf("shelf_life_days", "%d is outside 0 … 36500", "%d 超出 0 到 36500 天的范围", v.ShelfLifeDays)
	}
	set, err := settings(ctx, w)
	if err != nil {
		return err
	}
	if v.VATRate == nil {
		r := set.DefaultVATRate
		v.VATRate = &r
	}
	if !slices.Contains(set.VATRates, *v.VATRate) {
		c.Addf("vat_rate", "%d %% is not one of the tenant's VAT rates %v", "税率 %d%% 不在系统设置的税率 %v 中", *v.VATRate, set.VATRates)
	}
	checkMoney(c, "purchase_price", v.PurchasePrice)
	checkMoney(c, "wholesale_price", v.WholesalePrice)
	checkMoney(c, "retail_price", v.RetailPrice)
	trim(&v.DefaultSupplier)
	if v.DefaultSupplier != "" {
		if _, ok, err := w.tx.ByCode(ctx, w.tenant, KindSupplier, "", v.DefaultSupplier); err != nil {
			return err
		} else if !ok {
			c.Addf("default_supplier", "no supplier has the code %q", "没有编码为 %q 的供应商", v.DefaultSupplier)
		}
	}

	// Barcodes are unique within the product here, across the tenant by
	// the store's keys.
	seen := map[string]string{}
	barcode := func(field, b string) {
		CheckBarcode(c, field, b)
		if other, dup := seen[b]; dup {
			c.Addf(field, "%q is also at %s", "%q 与 %s 重复", b, other)
			return
		}
		seen[b] = field
	}
	if len(v.Units) > maxUnits {
		c.Addf("units", "has %d units; at most %d", "有 %d 个辅助单位，最多 %d 个", len(v.Units), maxUnits)
	}
	for i := range v.Units {
		u := &v.Units[i]
		trim(&u.Unit)
		f := fmt.Sprintf("units[%d].", i)
		switch {
		case u.Unit == "":
			c.Add(f+"unit", "is required", "不能为空")
		case u.Unit == v.BaseUnit:
			c.Add(f+"unit", "is the base unit", "与基本单位相同")
		case slices.IndexFunc(v.Units[:i], func(o PackUnit) bool { return o.Unit == u.Unit }) >= 0:
			c.Addf(f+"unit", "%q is listed twice", "%q 重复", u.Unit)
		default:
			if _, err := w.refCode(ctx, f+"unit", unitInfo, "", u.Unit); err != nil {
				return err
			}
		}
		if u.Factor < 2 || u.Factor > 1_000_000_000 {
			c.Addf(f+"factor", "%d: one %s holds 2 … 10^9 base units", "%d 无效：每%s应含 2 到 10^9 个基本单位", u.Factor, u.Unit)
		}
		if len(u.Barcodes) > maxBarcodes {
			c.Addf(f+"barcodes", "at most %d", "最多 %d 个", maxBarcodes)
		}
		for j, b := range u.Barcodes {
			barcode(fmt.Sprintf("%sbarcodes[%d]", f, j), b)
			w.keys = append(w.keys, Key{Space: SpaceBarcode, Value: b, Field: fmt.Sprintf("%sbarcodes[%d]", f, j)})
		}
	}

	if len(v.Attributes) > maxAttributes {
		c.Addf("attributes", "has %d attributes; at most %d", "有 %d 个属性，最多 %d 个", len(v.Attributes), maxAttributes)
	}
	for i := range v.Attributes {
		a := &v.Attributes[i]
		trim(&a.Name)
		f := fmt.Sprintf("attributes[%d].", i)
		CheckText(c, f+"name", a.Name, true, 32)
		if slices.IndexFunc(v.Attributes[:i], func(o Attribute) bool { return o.Name == a.Name }) >= 0 {
			c.Addf(f+"name", "%q is listed twice", "%q 重复", a.Name)
		}
		if len(a.Values) == 0 || len(a.Values) > maxValues {
			c.Addf(f+"values", "must list 1 to %d values", "须列出 1 到 %d 个属性值", maxValues)
		}
		for j := range a.Values {
			a.Values[j] = strings.TrimSpace(a.Values[j])
			CheckText(c, fmt.Sprintf("%svalues[%d]", f, j), a.Values[j], true, 32)
			if slices.Index(a.Values[:j], a.Values[j]) >= 0 {
				c.Addf(fmt.Sprintf("%svalues[%d]", f, j), "%q is listed twice", "%q 重复", a.Values[j])
			}
		}
	}

	switch {
	case len(v.SKUs) == 0:
		c.Add("skus", "a product has at least one SKU", "商品至少要有一个 SKU")
	case len(v.SKUs) > maxSKUs:
		c.Addf("skus", "has %d SKUs; at most %d", "有 %d 个 SKU，最多 %d 个", len(v.SKUs), maxSKUs)
	case len(v.Attributes) == 0 && len(v.SKUs) > 1:
		c.Add("skus", "a product without attributes has one SKU; add attributes (colour, size) for variants", "没有属性的商品只有一个 SKU；多规格请先添加属性（颜色、尺码）")
	}
	combos := map[string]int{}
	for i := range v.SKUs {
		s := &v.SKUs[i]
		trim(&s.Code)
		f := fmt.Sprintf("skus[%d].", i)
		CheckText(c, f+"code", s.Code, true, 64)
		if s.Code != "" && syncproto.ValidName(s.Code) != nil {
			c.Add(f+"code", "1 to 64 bytes without / + # $ or spaces", "须为 1 到 64 字节，不能含 / + # $ 或空格")
		}
		if slices.IndexFunc(v.SKUs[:i], func(o SKU) bool { return o.Code == s.Code }) >= 0 {
			c.Addf(f+"code", "%q is listed twice", "%q 重复", s.Code)
		}
		if len(s.Attrs) != len(v.Attributes) {
			c.Addf(f+"attrs", "must give a value of each of the %d attributes", "须为 %d 个属性各给一个值", len(v.Attributes))
		}
		var combo []string
		for _, a := range v.Attributes {
			val, ok := s.Attrs[a.Name]
			if !ok || !slices.Contains(a.Values, val) {
				c.Addf(f+"attrs", "%s: %q is not one of %v", "%s 的值 %q 不在 %v 中", a.Name, val, a.Values)
			}
			combo = append(combo, val)
		}
		key := strings.Join(combo, "\x00")
		if j, dup := combos[key]; dup && len(v.Attributes) > 0 {
			c.Addf(f+"attrs", "the same values as skus[%d]", "与 skus[%d] 的属性值相同", j)
		}
		combos[key] = i
		checkMoney(c, f+"purchase_price", s.PurchasePrice)
		checkMoney(c, f+"wholesale_price", s.WholesalePrice)
		checkMoney(c, f+"retail_price", s.RetailPrice)
		if len(s.BOM) > 100 {
			c.Addf(f+"bom", "has %d components; at most 100", "有 %d 个组件，最多 100 个", len(s.BOM))
		}
		for j := range s.BOM {
			b := &s.BOM[j]
			trim(&b.SKU)
			bf := fmt.Sprintf("%sbom[%d].", f, j)
			CheckText(c, bf+"sku", b.SKU, true, 64)
			switch {
			case b.SKU != "" && b.SKU == s.Code:
				c.Add(bf+"sku", "is the SKU itself", "不能是该 SKU 本身")
			case slices.IndexFunc(s.BOM[:j], func(o BOMLine) bool { return o.SKU == b.SKU }) >= 0:
				c.Addf(bf+"sku", "%q is listed twice", "%q 重复", b.SKU)
			}
			if b.Qty < 1 || b.Qty > syncproto.MaxQty {
				c.Addf(bf+"qty", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", b.Qty, int64(syncproto.MaxQty))
			}
		}
		if len(s.Barcodes) > maxBarcodes {
			c.Addf(f+"barcodes", "at most %d", "最多 %d 个", maxBarcodes)
		}
		for j, b := range s.Barcodes {
			barcode(fmt.Sprintf("%sbarcodes[%d]", f, j), b)
		}
		if s.Code != "" {
			other, ok, err := w.tx.ByCode(ctx, w.tenant, KindSKU, "", s.Code)
			if err != nil {
				return err
			}
			if ok && other.ParentID != w.id {
				c.Addf(f+"code", "%q is already a SKU of another product", "%q 已是另一个商品的 SKU", s.Code)
			}
		}
	}
	return nil
}

// skuName is the SKU's name: the product's, then its attribute values.
func skuName(p *Product, s *SKU) string {
	name := p.Name
	for _, a := range p.Attributes {
		name += " " + s.Attrs[a.Name]
	}
	return name
}

func orPrice(v, dflt int64) int64 {
	if v == 0 {
		return dflt
	}
	return v
}

// skuView is what GET /skus shows of s.
func skuView(p *Product, s *SKU) SKUView {
	attrs := s.Attrs
	if attrs == nil {
		attrs = map[string]string{}
	}
	barcodes := s.Barcodes
	if barcodes == nil {
		barcodes = []string{}
	}
	return SKUView{Code: s.Code, ProductID: p.ID, ProductCode: p.Code, Name: skuName(p, s), Attrs: attrs,
		Barcodes: barcodes, BaseUnit: p.BaseUnit, PurchasePrice: orPrice(s.PurchasePrice, p.PurchasePrice),
		WholesalePrice: orPrice(s.WholesalePrice, p.WholesalePrice), RetailPrice: orPrice(s.RetailPrice, p.RetailPrice),
		Disabled: s.Disabled || p.Disabled}
}

// writeSKUs makes the product's SKU rows match its SKUs: updated by code,
// new ones inserted, dropped ones deleted unless referenced. Every SKU's
// barcodes are its keys.
func writeSKUs(ctx context.Context, w *write, before, p *Product) error {
	rows, err := w.tx.Children(ctx, w.tenant, KindSKU, w.id)
	if err != nil {
		return err
	}
	old := map[string]Row{}
	// Release every SKU's barcodes first: one may move between SKUs.
	for _, r := range rows {
		old[r.Code] = r
		if k, _, err := w.tx.SetKeys(ctx, w.tenant, Ref{Kind: KindSKU, ID: r.ID}, nil); err != nil || k != nil {
			return err
		}
	}
	for code, r := range old {
		if slices.IndexFunc(p.SKUs, func(s SKU) bool { return s.Code == code }) >= 0 {
			continue
		}
		if err := w.referenced(ctx, skuInfo, Ref{Kind: KindSKU, ID: r.ID}, code); err != nil {
			return err
		}
		if err := w.tx.Delete(ctx, w.tenant, KindSKU, r.ID); err != nil {
			return err
		}
	}
	for i := range p.SKUs {
		s := &p.SKUs[i]
		view := skuView(p, s)
		r, exists := old[s.Code]
		view.ID = r.ID
		body, err := json.Marshal(view)
		if err != nil {
			return err
		}
		rev, err := w.tx.NextRev(ctx, w.tenant)
		if err != nil {
			return err
		}
		row := Row{Kind: KindSKU, ID: r.ID, Code: s.Code, Name: view.Name, ParentID: w.id, Disabled: view.Disabled,
			Version: r.Version + 1, Rev: rev, Body: body, UpdatedAt: w.now, UpdatedBy: w.p.User,
			Filters: map[string]string{"product_id": strconv.FormatInt(w.id, 10)}}
		if exists {
			err = w.tx.Update(ctx, w.tenant, row)
		} else {
			row.ID, err = w.tx.Insert(ctx, w.tenant, row)
		}
		if err != nil {
			return err
		}
		keys := make([]Key, len(s.Barcodes))
		for j, b := range s.Barcodes {
			keys[j] = Key{Space: SpaceBarcode, Value: b, Field: fmt.Sprintf("skus[%d].barcodes[%d]", i, j)}
		}
		if k, by, err := w.tx.SetKeys(ctx, w.tenant, Ref{Kind: KindSKU, ID: row.ID}, keys); err != nil {
			return err
		} else if k != nil {
			return keyTaken(ctx, w, *k, by)
		}
	}
	return nil
}

// removeSKUs deletes a product's SKUs, refusing when one is referenced.
func removeSKUs(ctx context.Context, w *write, p *Product) error {
	rows, err := w.tx.Children(ctx, w.tenant, KindSKU, w.id)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.referenced(ctx, skuInfo, Ref{Kind: KindSKU, ID: r.ID}, r.Code); err != nil {
			return err
		}
		if err := w.tx.Delete(ctx, w.tenant, KindSKU, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// publishProduct sends agents one "product" record per SKU (key: the SKU
// code) to every site; a disabled SKU, or one of a disabled product, is a
// tombstone, as is a SKU the product no longer has.
func publishProduct(before, after *Product) ([]master.Record, error) {
	var out []master.Record
	keep := map[string]bool{}
	if after != nil {
		for i := range after.SKUs {
			s := &after.SKUs[i]
			keep[s.Code] = true
			if s.Disabled || after.Disabled {
				out = append(out, master.Record{Kind: syncproto.KindProduct, Key: s.Code, Deleted: true})
				continue
			}
			body, err := proto.Marshal(productRecord(after, s))
			if err != nil {
				return nil, err
			}
			out = append(out, master.Record{Kind: syncproto.KindProduct, Key: s.Code, Body: body})
		}
	}
	if before != nil {
		for _, s := range before.SKUs {
			if !keep[s.Code] {
				out = append(out, master.Record{Kind: syncproto.KindProduct, Key: s.Code, Deleted: true})
			}
		}
	}
	return out, nil
}

// productRecord is what agents get of a SKU: GTIN barcodes only (a
// shop's own codes are not scanned at the gates).
func productRecord(p *Product, s *SKU) *pb.ProductRecord {
	gtins := func(bs []string) []string {
		var out []string
		for _, b := range bs {
			if isGTIN(b) {
				out = append(out, b)
			}
		}
		return out
	}
	r := &pb.ProductRecord{Name: skuName(p, s), Unit: p.BaseUnit, Price: orPrice(s.RetailPrice, p.RetailPrice),
		Gtins: gtins(s.Barcodes), Product: p.Code, LotTracked: p.LotTracked, ShelfLifeDays: p.ShelfLifeDays,
		SerialTracked: p.SerialTracked, ByWeight: p.SoldByWeight, WeightDecimals: p.WeightDecimals, Plu: p.PLU,
		WholesalePrice: orPrice(s.WholesalePrice, p.WholesalePrice)}
	if p.VATRate != nil {
		r.VatRate = *p.VATRate
	}
	for _, a := range p.Attributes {
		r.Attrs = append(r.Attrs, a.Name+"="+s.Attrs[a.Name])
	}
	for _, u := range p.Units {
		r.Packs = append(r.Packs, &pb.PackRecord{Unit: u.Unit, Factor: u.Factor, Gtins: gtins(u.Barcodes)})
	}
	return r
}
