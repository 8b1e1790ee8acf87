package importx

import (
	"context"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// productCols: one row per SKU. The columns not marked line are the
// product's: repeated on each of its rows, or given on one and left
// empty on the others. One pack unit (its unit, factor and barcodes) is
// in the file; a product's further pack units are kept as they are.
var productCols = []*column{
	{key: "product_code", zh: "商品编码", aliases: []string{"code", "编码", "货号"}, required: true},
	{key: "name", zh: "商品名称", aliases: []string{"product_name", "名称", "品名"}},
	{key: "category_code", zh: "分类编码", aliases: []string{"category", "分类"}},
	{key: "brand", zh: "品牌"},
	{key: "spec", zh: "规格", aliases: []string{"specification"}},
	{key: "base_unit", zh: "基本单位", aliases: []string{"unit", "单位"}},
	{key: "attributes", zh: "属性", aliases: []string{"attrs", "规格属性", "销售属性"}, line: true},
	{key: "sku_code", zh: "SKU编码", aliases: []string{"sku"}, line: true},
	{key: "barcodes", zh: "条码", aliases: []string{"barcode", "条形码"}, line: true},
	{key: "purchase_price", zh: "进价", aliases: []string{"采购价"}, line: true, kind: yuanCell},
	{key: "wholesale_price", zh: "批发价", line: true, kind: yuanCell},
	{key: "retail_price", zh: "零售价", aliases: []string{"price", "售价"}, line: true, kind: yuanCell},
	{key: "vat_rate", zh: "税率", aliases: []string{"vat"}, kind: intCell},
	{key: "lot_tracked", zh: "批次管理", kind: boolCell},
	{key: "shelf_life_days", zh: "保质期天数", aliases: []string{"保质期", "shelf_life"}, kind: intCell},
	{key: "serial_tracked", zh: "序列号管理", kind: boolCell},
	{key: "sold_by_weight", zh: "称重", aliases: []string{"称重商品"}, kind: boolCell},
	{key: "weight_decimals", zh: "重量小数位", kind: intCell},
	{key: "plu", zh: "秤码"},
	{key: "pack_unit", zh: "包装单位"},
	{key: "pack_factor", zh: "包装换算", aliases: []string{"换算率", "包装数量"}, kind: intCell},
	{key: "pack_barcodes", zh: "包装条码", aliases: []string{"pack_barcode"}},
	{key: "sku_disabled", zh: "SKU停用", line: true, kind: boolCell},
	{key: "disabled", zh: "停用", aliases: []string{"商品停用"}, kind: boolCell},
}

var productSpec = &spec[masterdata.Product]{
	kindInfo: &kindInfo{name: "products", sheet: "商品", en: "product", zh: "商品", cols: productCols,
		keyCols: []string{"product_code"}, multi: true, edit: "product.edit", export: "product.export"},
	kind:    masterdata.Products,
	meta:    func(p *masterdata.Product) *masterdata.Meta { return &p.Meta },
	key:     func(p *masterdata.Product) string { return p.Code },
	prepare: loadCategories,
	build:   buildProduct,
	uniques: productUniques,
	locate:  locateProduct,
	rows:    productRows,
}

// loadCategories maps the tenant's category codes to IDs and back.
func loadCategories(ctx context.Context, svc *masterdata.Service, p *auth.Principal) (*env, error) {
	all, err := loadAll(ctx, svc, masterdata.Categories, p)
	if err != nil {
		return nil, err
	}
	e := &env{catID: make(map[string]int64, len(all)), catCode: make(map[int64]string, len(all))}
	for _, c := range all {
		e.catID[c.Code], e.catCode[c.ID] = c.ID, c.Code
	}
	return e, nil
}

func buildProduct(b *builder, rec, before *masterdata.Product) {
	rec.Code = b.text("product_code")
	setText(b, "name", &rec.Name)
	if b.has("category_code") {
		rec.CategoryID = 0
		if code := b.text("category_code"); code != "" {
			id, ok := b.env.catID[code]
			if !ok {
				b.problem(-1, "category_code", msgf("no category has the code %q: categories are not created by an import", "没有编码为 %q 的商品分类：导入不会新建分类", code))
			}
			rec.CategoryID = id
		}
	}
	setText(b, "brand", &rec.Brand)
	setText(b, "spec", &rec.Spec)
	setText(b, "base_unit", &rec.BaseUnit)
	if b.has("vat_rate") {
		if v := b.text("vat_rate"); v == "" {
			rec.VATRate = nil
		} else if n, m := parsePercent(v); m != nil {
			b.problem(-1, "vat_rate", m)
		} else if rec.VATRate == nil || int64(*rec.VATRate) != n {
			r := int32(n)
			rec.VATRate = &r
		}
	}
	setBool(b, "lot_tracked", &rec.LotTracked)
	setBool(b, "serial_tracked", &rec.SerialTracked)
	setBool(b, "sold_by_weight", &rec.SoldByWeight)
	setBool(b, "disabled", &rec.Disabled)
	setInt32(b, "shelf_life_days", &rec.ShelfLifeDays)
	setInt32(b, "weight_decimals", &rec.WeightDecimals)
	setText(b, "plu", &rec.PLU)
	buildPack(b, rec)
	buildSKUs(b, rec, before)
}

func setText(b *builder, key string, v *string) {
	if b.has(key) {
		*v = b.text(key)
	}
}

func setBool(b *builder, key string, v *bool) {
	if b.has(key) {
		*v = b.boolean(key)
	}
}

func setInt32(b *builder, key string, v *int32) {
	if b.has(key) {
		*v = int32(b.integer(key, 0, math.MaxInt32))
	}
}

// buildPack sets the first pack unit from the pack columns, keeping the
// others (the file has one); an empty pack unit removes the first.
func buildPack(b *builder, rec *masterdata.Product) {
	if !b.has("pack_unit") && !b.has("pack_factor") && !b.has("pack_barcodes") {
		return
	}
	var pu masterdata.PackUnit
	var rest []masterdata.PackUnit
	if len(rec.Units) > 0 {
		pu, rest = rec.Units[0], rec.Units[1:]
	}
	if b.has("pack_unit") {
		pu.Unit = b.text("pack_unit")
	}
	if b.has("pack_factor") {
		pu.Factor = b.integer("pack_factor", 0, math.MaxInt64)
	}
	if b.has("pack_barcodes") {
		bs := splitList(b.text("pack_barcodes"))
		scientific(b, -1, "pack_barcodes", bs)
		if !slices.Equal(bs, pu.Barcodes) {
			pu.Barcodes = bs
		}
	}
	if pu.Unit == "" {
		if pu.Factor != 0 || len(pu.Barcodes) > 0 {
			b.problem(-1, "pack_unit", msgf("is empty, and the row gives a pack factor or barcode: name the pack unit (箱)", "为空，但该行填写了包装换算或包装条码：请填写包装单位（如 箱）"))
		}
		rec.Units = rest
		return
	}
	rest = slices.DeleteFunc(slices.Clone(rest), func(u masterdata.PackUnit) bool { return u.Unit == pu.Unit })
	rec.Units = append([]masterdata.PackUnit{pu}, rest...)
}

// buildSKUs makes the product's SKUs the file's rows, in order, keeping
// what the file does not give of a SKU with the same code. The
// attributes are those the rows give, each value in the order it first
// appears.
func buildSKUs(b *builder, rec, before *masterdata.Product) {
	lines := b.g.lines
	old := map[string]masterdata.SKU{}
	for _, s := range rec.SKUs {
		old[s.Code] = s
	}
	skus := make([]masterdata.SKU, len(lines))
	for i := range lines {
		code := ""
		if b.has("sku_code") {
			code = b.lineText(i, "sku_code")
		}
		if code == "" {
			switch {
			case len(lines) > 1:
				b.problem(i, "sku_code", msgf("is empty: each row of a product of several rows needs its SKU code", "不能为空：多行商品的每一行都须填写 SKU 编码"))
			case before != nil && len(before.SKUs) == 1:
				code = before.SKUs[0].Code
			default:
				code = rec.Code
			}
		}
		s, ok := old[code]
		if !ok {
			s = masterdata.SKU{Code: code}
		}
		if b.has("barcodes") {
			bs := splitList(b.lineText(i, "barcodes"))
			scientific(b, i, "barcodes", bs)
			if !slices.Equal(bs, s.Barcodes) {
				s.Barcodes = bs
			}
		}
		if b.has("sku_disabled") {
			s.Disabled = b.boolAt(i, "sku_disabled")
		}
		skus[i] = s
	}
	if b.has("attributes") {
		buildAttributes(b, rec, skus)
	}
	for _, pr := range []struct {
		key     string
		product *int64
		sku     func(*masterdata.SKU) *int64
	}{
		{"purchase_price", &rec.PurchasePrice, func(s *masterdata.SKU) *int64 { return &s.PurchasePrice }},
		{"wholesale_price", &rec.WholesalePrice, func(s *masterdata.SKU) *int64 { return &s.WholesalePrice }},
		{"retail_price", &rec.RetailPrice, func(s *masterdata.SKU) *int64 { return &s.RetailPrice }},
	} {
		if !b.has(pr.key) {
			continue
		}
		// One price on every row is the product's, and its SKUs take it;
		// different prices keep the product's (a new product: the first
		// row's) and give each SKU whose price differs its own.
		prices := make([]int64, len(lines))
		same := true
		for i := range lines {
			prices[i] = b.yuanAt(i, pr.key)
			same = same && prices[i] == prices[0]
		}
		if same || before == nil {
			*pr.product = prices[0]
		}
		for i := range skus {
			*pr.sku(&skus[i]) = 0
			if prices[i] != *pr.product {
				*pr.sku(&skus[i]) = prices[i]
			}
		}
	}
	rec.SKUs = skus
}

func buildAttributes(b *builder, rec *masterdata.Product, skus []masterdata.SKU) {
	var attrs []masterdata.Attribute
	var first []string
	for i := range skus {
		as, m := parseAttrs(b.lineText(i, "attributes"))
		if m != nil {
			b.problem(i, "attributes", m)
			if i == 0 {
				// The first row names the attributes: the others cannot
				// be checked against it.
				return
			}
			continue
		}
		names := make([]string, len(as))
		vals := make(map[string]string, len(as))
		for j, a := range as {
			names[j], vals[a.name] = a.name, a.value
		}
		if i == 0 {
			first = names
			for _, a := range as {
				attrs = append(attrs, masterdata.Attribute{Name: a.name})
			}
		} else if !sameSet(names, first) {
			b.problem(i, "attributes", msgf("gives the attributes %v; the product's first row gives %v: each row gives a value of each attribute",
				"给出的属性为 %v，而该商品第一行为 %v：每一行都须为每个属性各给一个值", names, first))
			continue
		}
		for _, a := range as {
			for k := range attrs {
				if attrs[k].Name == a.name && !slices.Contains(attrs[k].Values, a.value) {
					attrs[k].Values = append(attrs[k].Values, a.value)
				}
			}
		}
		if !maps.Equal(vals, skus[i].Attrs) {
			skus[i].Attrs = vals
		}
	}
	if !slices.EqualFunc(attrs, rec.Attributes, func(a, b masterdata.Attribute) bool {
		return a.Name == b.Name && slices.Equal(a.Values, b.Values)
	}) {
		rec.Attributes = attrs
	}
}

// scientific refuses a barcode Excel turned into scientific notation
// ("6.90123E+12"): its digits are lost.
func scientific(b *builder, i int, key string, bs []string) {
	for _, v := range bs {
		if excelScientific(v) {
			b.problem(i, key, msgf("%q: Excel showed the barcode in scientific notation and its digits are lost; format the column as text and type it again",
				"%q：Excel 以科学计数法显示了该条码，数字已丢失；请将该列设为文本格式后重新输入", v))
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

func productUniques(b *builder, p *masterdata.Product) []unique {
	var out []unique
	for i, s := range p.SKUs {
		out = append(out, unique{"SKU code", s.Code, i, "sku_code"})
		for _, bc := range s.Barcodes {
			out = append(out, unique{"barcode", bc, i, "barcodes"})
		}
	}
	pack, _ := b.at("pack_barcodes")
	for _, u := range p.Units {
		for _, bc := range u.Barcodes {
			out = append(out, unique{"barcode", bc, pack, "pack_barcodes"})
		}
	}
	if p.PLU != "" {
		plu, _ := b.at("plu")
		out = append(out, unique{"PLU", p.PLU, plu, "plu"})
	}
	return out
}

// indexed splits "skus[2].barcodes[0]" after its prefix "skus[" into 2
// and "barcodes[0]".
func indexed(field, prefix string) (int, string, bool) {
	rest, ok := strings.CutPrefix(field, prefix)
	if !ok {
		return 0, "", false
	}
	n, rest, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(n)
	if !ok || err != nil {
		return 0, "", false
	}
	return i, strings.TrimPrefix(rest, "."), true
}

// productFields are the product's own fields and their columns.
var productFields = map[string]string{
	"code": "product_code", "name": "name", "category_id": "category_code", "brand": "brand", "spec": "spec",
	"base_unit": "base_unit", "vat_rate": "vat_rate", "lot_tracked": "lot_tracked", "shelf_life_days": "shelf_life_days",
	"serial_tracked": "serial_tracked", "sold_by_weight": "sold_by_weight", "weight_decimals": "weight_decimals",
	"plu": "plu", "purchase_price": "purchase_price", "wholesale_price": "wholesale_price",
	"retail_price": "retail_price", "disabled": "disabled",
}

func locateProduct(b *builder, field string) (int, string, bool) {
	n := len(b.g.lines)
	if i, rest, ok := indexed(field, "skus["); ok && i < n {
		switch {
		case rest == "code":
			if !b.has("sku_code") {
				return i, "product_code", true
			}
			return i, "sku_code", true
		case rest == "attrs":
			return i, "attributes", true
		case strings.HasPrefix(rest, "barcodes"):
			return i, "barcodes", true
		case rest == "purchase_price" || rest == "wholesale_price" || rest == "retail_price":
			return i, rest, true
		}
		return i, "sku_code", false
	}
	if i, rest, ok := indexed(field, "units["); ok {
		if i == 0 {
			switch {
			case rest == "unit":
				return -1, "pack_unit", true
			case rest == "factor":
				return -1, "pack_factor", true
			case strings.HasPrefix(rest, "barcodes"):
				return -1, "pack_barcodes", true
			}
		}
		return -1, "pack_unit", false
	}
	switch {
	case field == "skus" && n > 1:
		return 1, "attributes", true
	case field == "skus":
		return 0, "sku_code", true
	case strings.HasPrefix(field, "attributes"):
		return 0, "attributes", false
	case field == "units":
		return -1, "pack_unit", false
	}
	if col, ok := productFields[field]; ok {
		return -1, col, true
	}
	return -1, "product_code", false
}

func productRows(e *env, p *masterdata.Product) [][]string {
	rows := make([][]string, len(p.SKUs))
	vat := ""
	if p.VATRate != nil {
		vat = strconv.Itoa(int(*p.VATRate))
	}
	var pack masterdata.PackUnit
	if len(p.Units) > 0 {
		pack = p.Units[0]
	}
	for i, s := range p.SKUs {
		as := make([]attr, 0, len(p.Attributes))
		for _, a := range p.Attributes {
			as = append(as, attr{a.Name, s.Attrs[a.Name]})
		}
		rows[i] = []string{p.Code, p.Name, e.catCode[p.CategoryID], p.Brand, p.Spec, p.BaseUnit,
			formatAttrs(as), s.Code, strings.Join(s.Barcodes, ";"),
			formatYuan(orPrice(s.PurchasePrice, p.PurchasePrice)), formatYuan(orPrice(s.WholesalePrice, p.WholesalePrice)),
			formatYuan(orPrice(s.RetailPrice, p.RetailPrice)), vat, formatBool(p.LotTracked), optInt(int64(p.ShelfLifeDays)),
			formatBool(p.SerialTracked), formatBool(p.SoldByWeight), optInt(int64(p.WeightDecimals)), p.PLU,
			pack.Unit, optInt(pack.Factor), strings.Join(pack.Barcodes, ";"), formatBool(s.Disabled), formatBool(p.Disabled)}
	}
	return rows
}

func orPrice(v, dflt int64) int64 {
	if v == 0 {
		return dflt
	}
	return v
}

// optInt writes a number, and nothing for 0 (none).
func optInt(v int64) string {
	if v == 0 {
		return ""
	}
	return strconv.FormatInt(v, 10)
}
