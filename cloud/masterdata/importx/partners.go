package importx

import (
	"strings"

	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// The contact columns are a partner's first contact; its further contacts
// are kept as they are.
var supplierCols = []*column{
	{key: "code", zh: "供应商编码", aliases: []string{"supplier_code", "编码"}, required: true},
	{key: "name", zh: "供应商名称", aliases: []string{"supplier_name", "名称"}},
	{key: "contact_name", zh: "联系人", aliases: []string{"contact"}},
	{key: "contact_phone", zh: "联系电话", aliases: []string{"phone", "电话", "手机"}},
	{key: "tax_id", zh: "税号", aliases: []string{"纳税人识别号"}},
	{key: "bank_name", zh: "开户行", aliases: []string{"开户银行"}},
	{key: "bank_account", zh: "银行账号", aliases: []string{"账号"}},
	{key: "payment_terms_days", zh: "账期天数", aliases: []string{"账期", "payment_terms"}, kind: intCell},
	{key: "currency", zh: "币种"},
	{key: "region", zh: "地区", aliases: []string{"区域"}},
	{key: "address", zh: "地址"},
	{key: "note", zh: "备注"},
	{key: "disabled", zh: "停用", kind: boolCell},
}

var customerCols = []*column{
	{key: "code", zh: "客户编码", aliases: []string{"customer_code", "编码"}, required: true},
	{key: "name", zh: "客户名称", aliases: []string{"customer_name", "名称"}},
	{key: "contact_name", zh: "联系人", aliases: []string{"contact"}},
	{key: "contact_phone", zh: "联系电话", aliases: []string{"phone", "电话", "手机"}},
	{key: "level", zh: "客户等级", aliases: []string{"等级"}},
	{key: "credit_limit", zh: "信用额度", kind: yuanCell},
	{key: "payment_terms_days", zh: "账期天数", aliases: []string{"账期", "payment_terms"}, kind: intCell},
	{key: "tax_id", zh: "税号", aliases: []string{"纳税人识别号"}},
	{key: "region", zh: "地区", aliases: []string{"区域"}},
	{key: "salesperson", zh: "业务员", aliases: []string{"销售员"}},
	{key: "address", zh: "地址"},
	{key: "note", zh: "备注"},
	{key: "disabled", zh: "停用", kind: boolCell},
}

var supplierSpec = &spec[masterdata.Supplier]{
	kindInfo: &kindInfo{name: "suppliers", sheet: "供应商", en: "supplier", zh: "供应商", cols: supplierCols,
		keyCols: []string{"code"}, edit: "partner.edit", export: "partner.export"},
	kind: masterdata.Suppliers,
	meta: func(v *masterdata.Supplier) *masterdata.Meta { return &v.Meta },
	key:  func(v *masterdata.Supplier) string { return v.Code },
	build: func(b *builder, rec, before *masterdata.Supplier) {
		rec.Code = b.text("code")
		setText(b, "name", &rec.Name)
		buildContact(b, &rec.Contacts)
		setText(b, "tax_id", &rec.TaxID)
		setText(b, "bank_name", &rec.BankName)
		setText(b, "bank_account", &rec.BankAccount)
		setInt32(b, "payment_terms_days", &rec.PaymentTermsDays)
		if b.has("currency") {
			// The service's default, so that an empty cell changes nothing.
			rec.Currency = strings.ToUpper(b.text("currency"))
			if rec.Currency == "" {
				rec.Currency = "CNY"
			}
		}
		setText(b, "region", &rec.Region)
		setText(b, "address", &rec.Address)
		setText(b, "note", &rec.Note)
		setBool(b, "disabled", &rec.Disabled)
	},
	locate: locatePartner,
	rows: func(_ *env, v *masterdata.Supplier) [][]string {
		c := firstContact(v.Contacts)
		return [][]string{{v.Code, v.Name, c.Name, c.Phone, v.TaxID, v.BankName, v.BankAccount,
			optInt(int64(v.PaymentTermsDays)), v.Currency, v.Region, v.Address, v.Note, formatBool(v.Disabled)}}
	},
}

var customerSpec = &spec[masterdata.Customer]{
	kindInfo: &kindInfo{name: "customers", sheet: "客户", en: "customer", zh: "客户", cols: customerCols,
		keyCols: []string{"code"}, edit: "partner.edit", export: "partner.export"},
	kind: masterdata.Customers,
	meta: func(v *masterdata.Customer) *masterdata.Meta { return &v.Meta },
	key:  func(v *masterdata.Customer) string { return v.Code },
	build: func(b *builder, rec, before *masterdata.Customer) {
		rec.Code = b.text("code")
		setText(b, "name", &rec.Name)
		buildContact(b, &rec.Contacts)
		setText(b, "level", &rec.Level)
		if b.has("credit_limit") {
			rec.CreditLimit = b.yuan("credit_limit")
		}
		setInt32(b, "payment_terms_days", &rec.PaymentTermsDays)
		setText(b, "tax_id", &rec.TaxID)
		setText(b, "region", &rec.Region)
		setText(b, "salesperson", &rec.Salesperson)
		setText(b, "address", &rec.Address)
		setText(b, "note", &rec.Note)
		setBool(b, "disabled", &rec.Disabled)
	},
	locate: locatePartner,
	rows: func(_ *env, v *masterdata.Customer) [][]string {
		c := firstContact(v.Contacts)
		credit := ""
		if v.CreditLimit != 0 {
			credit = formatYuan(v.CreditLimit)
		}
		return [][]string{{v.Code, v.Name, c.Name, c.Phone, v.Level, credit, optInt(int64(v.PaymentTermsDays)),
			v.TaxID, v.Region, v.Salesperson, v.Address, v.Note, formatBool(v.Disabled)}}
	},
}

func firstContact(cs []masterdata.Contact) masterdata.Contact {
	if len(cs) == 0 {
		return masterdata.Contact{}
	}
	return cs[0]
}

// buildContact sets the first contact's name and phone (its title and
// e-mail kept); both empty remove it.
func buildContact(b *builder, cs *[]masterdata.Contact) {
	if !b.has("contact_name") && !b.has("contact_phone") {
		return
	}
	var c masterdata.Contact
	var rest []masterdata.Contact
	if len(*cs) > 0 {
		c, rest = (*cs)[0], (*cs)[1:]
	}
	setText(b, "contact_name", &c.Name)
	setText(b, "contact_phone", &c.Phone)
	switch {
	case c.Name != "" || c.Phone != "":
		*cs = append([]masterdata.Contact{c}, rest...)
	case len(*cs) > 0:
		*cs = append([]masterdata.Contact{}, rest...)
	}
}

// partnerFields are the fields of suppliers and customers with a column.
var partnerFields = map[string]string{
	"code": "code", "name": "name", "tax_id": "tax_id", "bank_name": "bank_name", "bank_account": "bank_account",
	"payment_terms_days": "payment_terms_days", "currency": "currency", "region": "region", "address": "address",
	"note": "note", "disabled": "disabled", "level": "level", "credit_limit": "credit_limit", "salesperson": "salesperson",
	"contacts": "contact_name", "contacts[0].name": "contact_name", "contacts[0].phone": "contact_phone",
}

func locatePartner(b *builder, field string) (int, string, bool) {
	if col, ok := partnerFields[field]; ok {
		return -1, col, true
	}
	if strings.HasPrefix(field, "contacts") {
		return -1, "contact_name", false
	}
	return -1, "code", false
}

var binCols = []*column{
	{key: "site", zh: "站点编码", aliases: []string{"site_code", "站点", "门店编码", "仓库编码"}, required: true},
	{key: "code", zh: "库位编码", aliases: []string{"bin_code", "bin", "库位", "编码"}, required: true},
	{key: "name", zh: "库位名称", aliases: []string{"bin_name", "名称"}},
	{key: "disabled", zh: "停用", kind: boolCell},
}

var binSpec = &spec[masterdata.Bin]{
	kindInfo: &kindInfo{name: "bins", sheet: "库位", en: "bin", zh: "库位", cols: binCols,
		keyCols: []string{"site", "code"}, edit: "site.edit", export: "site.view"},
	kind: masterdata.Bins,
	meta: func(v *masterdata.Bin) *masterdata.Meta { return &v.Meta },
	key:  func(v *masterdata.Bin) string { return v.Site + "\x00" + v.Code },
	build: func(b *builder, rec, before *masterdata.Bin) {
		rec.Site, rec.Code = b.text("site"), b.text("code")
		setText(b, "name", &rec.Name)
		setBool(b, "disabled", &rec.Disabled)
	},
	locate: func(b *builder, field string) (int, string, bool) {
		switch field {
		case "site", "code", "name", "disabled":
			return -1, field, true
		}
		return -1, "code", false
	},
	scopeCol: "site",
	rows: func(_ *env, v *masterdata.Bin) [][]string {
		return [][]string{{v.Site, v.Code, v.Name, formatBool(v.Disabled)}}
	},
	cmp: func(a, b *masterdata.Bin) int {
		if c := strings.Compare(a.Site, b.Site); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	},
}
