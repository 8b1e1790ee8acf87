package masterdata

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Stored kind names.
const (
	KindCategory   = "category"
	KindUnit       = "unit"
	KindProduct    = "product"
	KindSKU        = "sku"
	KindSite       = "site"
	KindBin        = "bin"
	KindStockLimit = "stock_limit"
	KindSupplier   = "supplier"
	KindCustomer   = "customer"
	KindAccount    = "account"
	KindSettings   = "settings"
)

// Limits of a record.
const (
	maxText       = 200
	maxBarcodes   = 16
	maxAttributes = 3
	maxValues     = 100
	maxSKUs       = 1000
	maxUnits      = 8
	maxContacts   = 20
	// MaxMoney bounds prices, limits and balances (fen).
	MaxMoney = 1_000_000_000_000
)

// What the service knows of each kind.
var (
	categoryInfo = &kindInfo{name: KindCategory, path: "categories", en: "category", zh: "商品分类", module: "product"}
	unitInfo     = &kindInfo{name: KindUnit, path: "units", en: "unit", zh: "计量单位", module: "product"}
	productInfo  = &kindInfo{name: KindProduct, path: "products", en: "product", zh: "商品", module: "product",
		filters: []string{"category_id", "brand"}}
	skuInfo = &kindInfo{name: KindSKU, path: "skus", en: "SKU", zh: "SKU", module: "product",
		filters: []string{"product_id", "barcode"}}
	siteInfo = &kindInfo{name: KindSite, path: "sites", en: "site", zh: "门店/仓库", module: "site",
		filters: []string{"type"}}
	binInfo   = &kindInfo{name: KindBin, path: "bins", en: "bin", zh: "库位", module: "site", siteScoped: true}
	limitInfo = &kindInfo{name: KindStockLimit, path: "stock-limits", en: "stock limit", zh: "库存上下限",
		module: "product", siteScoped: true, filters: []string{"sku"}}
	supplierInfo = &kindInfo{name: KindSupplier, path: "suppliers", en: "supplier", zh: "供应商", module: "partner",
		filters: []string{"region"}}
	customerInfo = &kindInfo{name: KindCustomer, path: "customers", en: "customer", zh: "客户", module: "partner",
		filters: []string{"level", "region", "salesperson"}}
	accountInfo = &kindInfo{name: KindAccount, path: "accounts", en: "settlement account", zh: "结算账户", module: "account",
		filters: []string{"type"}}
	settingsInfo = &kindInfo{name: KindSettings, path: "settings", en: "settings", zh: "系统设置", module: "product"}
)

var infos = []*kindInfo{categoryInfo, unitInfo, productInfo, skuInfo, siteInfo, binInfo, limitInfo,
	supplierInfo, customerInfo, accountInfo, settingsInfo}

// The kinds.
var (
	Categories = &Kind[Category]{kindInfo: categoryInfo, check: checkCategory}
	Units      = &Kind[Unit]{kindInfo: unitInfo, check: checkUnit}
	Products   = &Kind[Product]{kindInfo: productInfo, check: checkProduct, after: writeSKUs, remove: removeSKUs,
		publish: publishProduct}
	// SKUs are written with their product; the kind only reads.
	SKUs         = &Kind[SKUView]{kindInfo: skuInfo}
	Sites        = &Kind[Site]{kindInfo: siteInfo, check: checkSite}
	Bins         = &Kind[Bin]{kindInfo: binInfo, check: checkBin, publish: publishBin}
	StockLimits  = &Kind[StockLimit]{kindInfo: limitInfo, check: checkStockLimit, publish: publishStockLimit}
	Suppliers    = &Kind[Supplier]{kindInfo: supplierInfo, check: checkSupplier}
	Customers    = &Kind[Customer]{kindInfo: customerInfo, check: checkCustomer}
	Accounts     = &Kind[Account]{kindInfo: accountInfo, check: checkAccount}
	SettingsKind = &Kind[Settings]{kindInfo: settingsInfo, check: checkSettings}
)

// (SKUView has its ID and code but no Meta: decode fills them.)
func (v *SKUView) meta() *Meta {
	return &Meta{ID: v.ID, Code: v.Code, Name: v.Name, Disabled: v.Disabled}
}

// CheckText adds a problem of field when v is empty (and required), not
// UTF-8, longer than max characters or holds a control character.
func CheckText(c *Checker, field, v string, required bool, max int) {
	switch {
	case v == "" && required:
		c.Add(field, "is required", "不能为空")
	case !utf8.ValidString(v):
		c.Add(field, "is not valid UTF-8", "不是有效的 UTF-8 文本")
	case utf8.RuneCountInString(v) > max:
		c.Addf(field, "is longer than %d characters", "超过 %d 个字符", max)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
		c.Add(field, "holds a control character", "包含控制字符")
	}
}

func printableCode(v string) bool {
	for _, r := range v {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_./", r) {
			return false
		}
	}
	return true
}

func checkMoney(c *Checker, field string, v int64) {
	if v < 0 || v > MaxMoney {
		c.Addf(field, "%d is outside 0 … %d fen", "%d 超出 0 到 %d 分的范围", v, int64(MaxMoney))
	}
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

func checkCurrency(c *Checker, field string, v *string) {
	if *v == "" {
		*v = "CNY"
	}
	if !currencyRE.MatchString(*v) {
		c.Addf(field, "%q is not an ISO 4217 code such as CNY", "%q 不是 ISO 4217 币种代码（如 CNY）", *v)
	}
}

func trim(vs ...*string) {
	for _, v := range vs {
		*v = strings.TrimSpace(*v)
	}
}

// unchanged refuses a change of a field that a record keeps for life.
func unchanged(c *Checker, field, before, after string) {
	if before != after {
		c.Addf(field, "cannot change (was %q): make a new record", "不能修改（原为 %q），请新建记录", before)
	}
}

func checkCategory(ctx context.Context, w *write, before, v *Category) error {
	if v.ParentID == 0 {
		return nil
	}
	if v.ParentID < 0 {
		w.c.Add("parent_id", "must be 0 or a category's id", "须为 0 或某个分类的 id")
		return nil
	}
	parent, err := w.refID(ctx, "parent_id", categoryInfo, v.ParentID)
	if err != nil || parent.ID == 0 {
		return err
	}
	w.parent = parent.ID
	// No cycle: walk up from the parent.
	for id, depth := parent.ID, 0; id != 0; depth++ {
		if id == w.id || depth > 32 {
			w.c.Add("parent_id", "would make the category its own ancestor, or the tree deeper than 32", "会使分类成为自己的上级，或层级超过 32")
			return nil
		}
		r, err := w.tx.Get(ctx, w.tenant, KindCategory, id)
		if err != nil {
			return err
		}
		id = r.ParentID
	}
	return nil
}

func checkUnit(ctx context.Context, w *write, before, v *Unit) error {
	if before != nil {
		unchanged(&w.c, "code", before.Code, v.Code)
	}
	return nil
}

func checkSite(ctx context.Context, w *write, before, v *Site) error {
	trim(&v.Type, &v.Address, &v.Contact, &v.Phone)
	if v.Code != "" {
		if err := syncproto.ValidName(v.Code); err != nil {
			w.c.Add("code", "is the site name agents use: 1 to 64 bytes without / + # $ or spaces", "是边缘节点使用的站点名：1 到 64 字节，不能含 / + # $ 或空格")
		}
	}
	if before != nil {
		unchanged(&w.c, "code", before.Code, v.Code)
	}
	if v.Type != "store" && v.Type != "warehouse" {
		w.c.Addf("type", "%q: must be store or warehouse", "%q 无效：须为 store（门店）或 warehouse（仓库）", v.Type)
	}
	CheckText(&w.c, "address", v.Address, false, maxText)
	CheckText(&w.c, "contact", v.Contact, false, 64)
	CheckText(&w.c, "phone", v.Phone, false, 32)
	w.filter("type", v.Type)
	return nil
}

func checkBin(ctx context.Context, w *write, before, v *Bin) error {
	trim(&v.Site)
	w.site = v.Site
	if before != nil {
		unchanged(&w.c, "site", before.Site, v.Site)
		unchanged(&w.c, "code", before.Code, v.Code)
	}
	if v.Site == "" {
		w.c.Add("site", "is required", "不能为空")
		return nil
	}
	if v.Code != "" && syncproto.ValidName(v.Code) != nil {
		w.c.Add("code", "1 to 64 bytes without / + # $ or spaces", "须为 1 到 64 字节，不能含 / + # $ 或空格")
	}
	_, err := w.refCode(ctx, "site", siteInfo, "", v.Site)
	return err
}

func publishBin(before, after *Bin) ([]master.Record, error) {
	var out []master.Record
	if after != nil {
		body, err := proto.Marshal(&pb.BinRecord{Name: after.Name, Disabled: after.Disabled})
		if err != nil {
			return nil, err
		}
		out = append(out, master.Record{Site: after.Site, Kind: syncproto.KindBin, Key: after.Code, Body: body})
	} else if before != nil {
		out = append(out, master.Record{Site: before.Site, Kind: syncproto.KindBin, Key: before.Code, Deleted: true})
	}
	return out, nil
}

func checkStockLimit(ctx context.Context, w *write, before, v *StockLimit) error {
	trim(&v.Site, &v.SKU)
	v.Code = v.Site + "/" + v.SKU
	w.site = v.Site
	if before != nil {
		unchanged(&w.c, "site", before.Site, v.Site)
		unchanged(&w.c, "sku", before.SKU, v.SKU)
	}
	if v.Min < 0 || v.Min > MaxMoney {
		w.c.Addf("min", "%d is outside 0 … %d", "%d 超出 0 到 %d 的范围", v.Min, int64(MaxMoney))
	}
	if v.Max < 0 || v.Max > MaxMoney {
		w.c.Addf("max", "%d is outside 0 … %d", "%d 超出 0 到 %d 的范围", v.Max, int64(MaxMoney))
	}
	if v.Max > 0 && v.Min > v.Max {
		w.c.Addf("min", "%d is above the maximum %d", "下限 %d 高于上限 %d", v.Min, v.Max)
	}
	if v.Site == "" {
		w.c.Add("site", "is required", "不能为空")
	} else if _, err := w.refCode(ctx, "site", siteInfo, "", v.Site); err != nil {
		return err
	}
	if v.SKU == "" {
		w.c.Add("sku", "is required", "不能为空")
		return nil
	}
	sku, err := w.refCode(ctx, "sku", skuInfo, "", v.SKU)
	if err != nil {
		return err
	}
	if v.Name == "" && sku.ID != 0 {
		v.Name = sku.Name
	}
	w.filter("sku", v.SKU)
	return nil
}

func publishStockLimit(before, after *StockLimit) ([]master.Record, error) {
	if after == nil || after.Disabled {
		r := after
		if r == nil {
			r = before
		}
		return []master.Record{{Site: r.Site, Kind: syncproto.KindStockLimit, Key: r.SKU, Deleted: true}}, nil
	}
	body, err := proto.Marshal(&pb.StockLimitRecord{Min: after.Min, Max: after.Max})
	if err != nil {
		return nil, err
	}
	return []master.Record{{Site: after.Site, Kind: syncproto.KindStockLimit, Key: after.SKU, Body: body}}, nil
}

func checkContacts(c *Checker, cs []Contact) {
	if len(cs) > maxContacts {
		c.Addf("contacts", "has %d contacts; at most %d", "联系人有 %d 个，最多 %d 个", len(cs), maxContacts)
		return
	}
	for i := range cs {
		p := &cs[i]
		trim(&p.Name, &p.Title, &p.Phone, &p.Email)
		f := fmt.Sprintf("contacts[%d].", i)
		CheckText(c, f+"name", p.Name, true, 64)
		CheckText(c, f+"title", p.Title, false, 64)
		CheckText(c, f+"phone", p.Phone, false, 32)
		if p.Email != "" {
			if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
				c.Addf(f+"email", "%q is not an e-mail address", "%q 不是有效的电子邮件地址", p.Email)
			}
		}
	}
}

func checkSupplier(ctx context.Context, w *write, before, v *Supplier) error {
	trim(&v.TaxID, &v.BankName, &v.BankAccount, &v.Address, &v.Region, &v.Note)
	checkContacts(&w.c, v.Contacts)
	CheckText(&w.c, "tax_id", v.TaxID, false, 32)
	CheckText(&w.c, "bank_name", v.BankName, false, 100)
	CheckText(&w.c, "bank_account", v.BankAccount, false, 64)
	CheckText(&w.c, "address", v.Address, false, maxText)
	CheckText(&w.c, "region", v.Region, false, 64)
	CheckText(&w.c, "note", v.Note, false, 500)
	checkCurrency(&w.c, "currency", &v.Currency)
	if v.PaymentTermsDays < 0 || v.PaymentTermsDays > 3650 {
		w.c.Addf("payment_terms_days", "%d is outside 0 … 3650", "%d 超出 0 到 3650 天的范围", v.PaymentTermsDays)
	}
	if v.LeadTimeDays < 0 || v.LeadTimeDays > 365 {
		w.c.Addf("lead_time_days", "%d is outside 0 … 365", "%d 超出 0 到 365 天的范围", v.LeadTimeDays)
	}
	if v.TolerancePercent < 0 || v.TolerancePercent > 100 {
		w.c.Addf("tolerance_percent", "%d is outside 0 … 100", "%d 超出 0 到 100 的范围", v.TolerancePercent)
	}
	// The rating is purchasing's to fill: a change keeps the stored one.
	v.Rating = 0
	if before != nil {
		v.Rating = before.Rating
	}
	w.filter("region", v.Region)
	return nil
}

func checkCustomer(ctx context.Context, w *write, before, v *Customer) error {
	trim(&v.Level, &v.TaxID, &v.Region, &v.Salesperson, &v.Address, &v.Note)
	checkContacts(&w.c, v.Contacts)
	CheckText(&w.c, "level", v.Level, false, 16)
	CheckText(&w.c, "tax_id", v.TaxID, false, 32)
	CheckText(&w.c, "region", v.Region, false, 64)
	CheckText(&w.c, "salesperson", v.Salesperson, false, 64)
	CheckText(&w.c, "address", v.Address, false, maxText)
	CheckText(&w.c, "note", v.Note, false, 500)
	checkMoney(&w.c, "credit_limit", v.CreditLimit)
	if v.PaymentTermsDays < 0 || v.PaymentTermsDays > 3650 {
		w.c.Addf("payment_terms_days", "%d is outside 0 … 3650", "%d 超出 0 到 3650 天的范围", v.PaymentTermsDays)
	}
	if v.TolerancePercent < 0 || v.TolerancePercent > 100 {
		w.c.Addf("tolerance_percent", "%d is outside 0 … 100", "%d 超出 0 到 100 的范围", v.TolerancePercent)
	}
	w.filter("level", v.Level)
	w.filter("region", v.Region)
	w.filter("salesperson", v.Salesperson)
	return nil
}

func checkAccount(ctx context.Context, w *write, before, v *Account) error {
	trim(&v.Type, &v.BankName, &v.AccountNo)
	switch v.Type {
	case "cash", "bank", "other":
	default:
		w.c.Addf("type", "%q: must be cash, bank or other", "%q 无效：须为 cash（现金）、bank（银行）或 other（其他）", v.Type)
	}
	if v.Type == "bank" && v.AccountNo == "" {
		w.c.Add("account_no", "a bank account needs its number", "银行账户须填写账号")
	}
	CheckText(&w.c, "bank_name", v.BankName, false, 100)
	CheckText(&w.c, "account_no", v.AccountNo, false, 64)
	checkCurrency(&w.c, "currency", &v.Currency)
	if v.OpeningBalance < -MaxMoney || v.OpeningBalance > MaxMoney {
		w.c.Addf("opening_balance", "%d is outside ±%d fen", "%d 超出 ±%d 分的范围", v.OpeningBalance, int64(MaxMoney))
	}
	w.filter("type", v.Type)
	return nil
}

func checkSettings(ctx context.Context, w *write, before, v *Settings) error {
	v.Code, v.Name = SettingsCode, "settings"
	checkCurrency(&w.c, "currency", &v.Currency)
	if len(v.VATRates) == 0 || len(v.VATRates) > 16 {
		w.c.Add("vat_rates", "must list 1 to 16 rates", "须列出 1 到 16 个税率")
	}
	for i, r := range v.VATRates {
		if r < 0 || r > 100 {
			w.c.Addf(fmt.Sprintf("vat_rates[%d]", i), "%d is outside 0 … 100 %%", "%d 超出 0 到 100 的范围", r)
		}
		if slices.Index(v.VATRates, r) != i {
			w.c.Addf(fmt.Sprintf("vat_rates[%d]", i), "%d is listed twice", "%d 重复", r)
		}
	}
	if !slices.Contains(v.VATRates, v.DefaultVATRate) {
		w.c.Addf("default_vat_rate", "%d is not one of vat_rates", "%d 不在税率列表中", v.DefaultVATRate)
	}
	for i, p := range v.WeightLabelPrefixes {
		if len(p) != 2 || p < "20" || p > "29" {
			w.c.Addf(fmt.Sprintf("weight_label_prefixes[%d]", i), "%q: in-store label prefixes are 20 … 29", "%q 无效：店内条码前缀为 20 到 29", p)
		}
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"company_name", &v.CompanyName, 100}, {"company_address", &v.CompanyAddress, 200},
		{"company_phone", &v.CompanyPhone, 32}, {"company_tax_id", &v.CompanyTaxID, 32}} {
		*f.v = strings.TrimSpace(*f.v)
		CheckText(&w.c, f.name, *f.v, false, f.max)
	}
	for i, l := range v.ApprovalLevels {
		f := fmt.Sprintf("approval_levels[%d].", i)
		CheckText(&w.c, f+"doc_type", l.DocType, true, 32)
		CheckText(&w.c, f+"role", l.Role, true, 64)
		if l.MinGross < 0 || l.MinGross > MaxMoney {
			w.c.Addf(f+"min_gross", "%d is outside 0 … %d fen", "%d 超出 0 到 %d 分的范围", l.MinGross, int64(MaxMoney))
		}
	}
	return nil
}

// settings returns the tenant's settings as stored, or the defaults.
func settings(ctx context.Context, w *write) (Settings, error) {
	row, ok, err := w.tx.ByCode(ctx, w.tenant, KindSettings, "", SettingsCode)
	if err != nil || !ok {
		return DefaultSettings(), err
	}
	s, err := decode[Settings](row)
	if err != nil {
		return Settings{}, err
	}
	return *s, nil
}
