package masterdata

import "time"

// Meta is what every master record has. ID, Version, UpdatedAt and
// UpdatedBy are set by the service; what a client sends in them is
// ignored.
type Meta struct {
	ID int64 `json:"id" required:"false" doc:"Assigned by the server."`
	// Code is unique in the record's collection within a tenant (bins:
	// within their site).
	Code     string `json:"code" required:"false" maxLength:"64" doc:"Unique code 编码."`
	Name     string `json:"name" required:"false" maxLength:"200" doc:"Name 名称."`
	Disabled bool   `json:"disabled" required:"false" doc:"A disabled record stays for history but is offered nowhere 停用."`
	// Version is bumped by every change; it is the record's ETag.
	Version   int64     `json:"version" required:"false" doc:"Bumped by every change; send it back in If-Match."`
	UpdatedAt time.Time `json:"updated_at" required:"false"`
	UpdatedBy string    `json:"updated_by" required:"false"`
}

func (m *Meta) meta() *Meta { return m }

// GetCode returns the code.
func (m *Meta) GetCode() string { return m.Code }

// GetVersion returns the version, the record's ETag.
func (m *Meta) GetVersion() int64 { return m.Version }

// Category is a node of the product category tree (商品分类).
type Category struct {
	Meta
	// ParentID is the parent category, 0 for a top one.
	ParentID int64 `json:"parent_id" required:"false"`
}

// Unit is a unit of measure (计量单位): 个, 箱, kg.
type Unit struct {
	Meta
	// Weight marks a unit of weight (kg, g, 斤): goods sold by weight need
	// one as their base unit.
	Weight bool `json:"weight" required:"false"`
}

// PackUnit is a larger unit of a product: Factor base units, with the
// barcodes printed on it (a case of 12).
type PackUnit struct {
	Unit     string   `json:"unit" maxLength:"16"`
	Factor   int64    `json:"factor" minimum:"2"`
	Barcodes []string `json:"barcodes" required:"false" nullable:"false"`
}

// Attribute is a dimension of a product's variants (颜色 with 白, 黑).
type Attribute struct {
	Name   string   `json:"name" maxLength:"32"`
	Values []string `json:"values"`
}

// SKU is one variant of a product (最小库存单位).
type SKU struct {
	Code string `json:"code" maxLength:"64"`
	// Attrs gives a value of each of the product's attributes; empty for
	// a product without attributes.
	Attrs    map[string]string `json:"attrs" required:"false"`
	Barcodes []string          `json:"barcodes" required:"false" nullable:"false"`
	// Prices in fen per base unit; 0 takes the product's.
	PurchasePrice  int64 `json:"purchase_price" required:"false" minimum:"0"`
	WholesalePrice int64 `json:"wholesale_price" required:"false" minimum:"0"`
	RetailPrice    int64 `json:"retail_price" required:"false" minimum:"0"`
	Disabled       bool  `json:"disabled" required:"false"`
	// BOM is the SKU's bill of materials (物料清单): what one base unit of
	// it is assembled from; assembly and disassembly documents use it.
	BOM []BOMLine `json:"bom,omitempty" required:"false" maxItems:"100" doc:"Bill of materials 物料清单."`
}

// BOMLine is a component of a bill of materials: Qty base units of SKU
// per base unit of what is assembled.
type BOMLine struct {
	SKU string `json:"sku" maxLength:"64" doc:"The component's SKU 组件."`
	Qty int64  `json:"qty" minimum:"1" doc:"Base units per one assembled 用量."`
}

// Product is an SPU (商品) with its variants.
type Product struct {
	Meta
	CategoryID int64  `json:"category_id" required:"false"`
	Brand      string `json:"brand" required:"false" maxLength:"64"`
	Spec       string `json:"spec" required:"false" maxLength:"200"`
	// BaseUnit is the unit stock is kept in (a Unit's code).
	BaseUnit string     `json:"base_unit" maxLength:"16"`
	Units    []PackUnit `json:"units" required:"false" nullable:"false"`
	// DefaultSupplier is the supplier's code replenishment proposes to
	// buy from (默认供应商), "" for none.
	DefaultSupplier string      `json:"default_supplier,omitempty" required:"false" maxLength:"64" doc:"Default supplier's code 默认供应商."`
	Attributes      []Attribute `json:"attributes" required:"false" nullable:"false"`
	SKUs            []SKU       `json:"skus" nullable:"false"`

	LotTracked    bool  `json:"lot_tracked" required:"false" doc:"批次管理"`
	ShelfLifeDays int32 `json:"shelf_life_days" required:"false" minimum:"0" doc:"保质期（天），0 为不管理"`
	SerialTracked bool  `json:"serial_tracked" required:"false" doc:"序列号/EPC 管理"`
	SoldByWeight  bool  `json:"sold_by_weight" required:"false" doc:"称重商品"`
	// WeightDecimals is how many decimals of the base unit a weighed
	// quantity has (0 … 3); quantities are kept in 10^-WeightDecimals of it.
	WeightDecimals int32  `json:"weight_decimals" required:"false" minimum:"0" maximum:"3"`
	PLU            string `json:"plu" required:"false" doc:"Code in in-store weight labels 秤码 (4–5 digits)."`
	// VATRate is in percent; omitted, the tenant's default rate.
	VATRate *int32 `json:"vat_rate" required:"false" doc:"VAT rate in percent 税率; omitted: the default rate."`

	PurchasePrice  int64 `json:"purchase_price" required:"false" minimum:"0"`
	WholesalePrice int64 `json:"wholesale_price" required:"false" minimum:"0"`
	RetailPrice    int64 `json:"retail_price" required:"false" minimum:"0"`
}

// SKUView is a SKU with its product's facts, as GET /skus lists it.
type SKUView struct {
	ID             int64             `json:"id"`
	Code           string            `json:"code"`
	ProductID      int64             `json:"product_id"`
	ProductCode    string            `json:"product_code"`
	Name           string            `json:"name"`
	Attrs          map[string]string `json:"attrs"`
	Barcodes       []string          `json:"barcodes"`
	BaseUnit       string            `json:"base_unit"`
	PurchasePrice  int64             `json:"purchase_price"`
	WholesalePrice int64             `json:"wholesale_price"`
	RetailPrice    int64             `json:"retail_price"`
	Disabled       bool              `json:"disabled"`
}

// Site is a store or warehouse (门店/仓库). Its code is the site name its
// agents use.
type Site struct {
	Meta
	Type    string `json:"type" enum:"store,warehouse"`
	Address string `json:"address" required:"false" maxLength:"200"`
	Contact string `json:"contact" required:"false" maxLength:"64"`
	Phone   string `json:"phone" required:"false" maxLength:"32"`
}

// Bin is a storage location of a site (库位).
type Bin struct {
	Meta
	Site string `json:"site" maxLength:"64"`
}

// StockLimit is the stock a site keeps of a SKU (库存上下限), in base
// units; 0 means none. Its code is "site/sku".
type StockLimit struct {
	Meta
	Site string `json:"site" maxLength:"64"`
	SKU  string `json:"sku" maxLength:"64"`
	Min  int64  `json:"min" required:"false" minimum:"0"`
	Max  int64  `json:"max" required:"false" minimum:"0"`
}

// Contact is a person at a partner.
type Contact struct {
	Name  string `json:"name" maxLength:"64"`
	Title string `json:"title" required:"false" maxLength:"64"`
	Phone string `json:"phone" required:"false" maxLength:"32"`
	Email string `json:"email" required:"false" maxLength:"128"`
}

// Supplier is a supplier (供应商).
type Supplier struct {
	Meta
	Contacts         []Contact `json:"contacts" required:"false" nullable:"false"`
	TaxID            string    `json:"tax_id" required:"false" maxLength:"32" doc:"纳税人识别号"`
	BankName         string    `json:"bank_name" required:"false" maxLength:"100"`
	BankAccount      string    `json:"bank_account" required:"false" maxLength:"64"`
	PaymentTermsDays int32     `json:"payment_terms_days" required:"false" minimum:"0" maximum:"3650"`
	Currency         string    `json:"currency" required:"false" maxLength:"3"`
	// LeadTimeDays is how many days the supplier takes to deliver
	// (replenishment's lead time; 0: the run's default).
	LeadTimeDays int32 `json:"lead_time_days,omitempty" required:"false" minimum:"0" maximum:"365" doc:"Lead time in days 交货周期（天）."`
	// TolerancePercent is how far a receipt may go beyond an order line.
	TolerancePercent int32 `json:"tolerance_percent" required:"false" minimum:"0" maximum:"100" doc:"Over-receipt tolerance 超收容差（%）."`
	// Rating (0 … 5) is filled by purchasing; it is read-only here.
	Rating  int32  `json:"rating" required:"false" minimum:"0" maximum:"5"`
	Address string `json:"address" required:"false" maxLength:"200"`
	Region  string `json:"region" required:"false" maxLength:"64"`
	Note    string `json:"note" required:"false" maxLength:"500"`
}

// Customer is a customer (客户).
type Customer struct {
	Meta
	Contacts         []Contact `json:"contacts" required:"false" nullable:"false"`
	Level            string    `json:"level" required:"false" maxLength:"16"`
	CreditLimit      int64     `json:"credit_limit" required:"false" minimum:"0" doc:"Credit limit in fen 信用额度（分）, 0 for none."`
	PaymentTermsDays int32     `json:"payment_terms_days" required:"false" minimum:"0" maximum:"3650"`
	// TolerancePercent is how far a shipment may go beyond an order line.
	TolerancePercent int32  `json:"tolerance_percent" required:"false" minimum:"0" maximum:"100" doc:"Over-delivery tolerance 超发容差（%）."`
	TaxID            string `json:"tax_id" required:"false" maxLength:"32"`
	Region           string `json:"region" required:"false" maxLength:"64"`
	Salesperson      string `json:"salesperson" required:"false" maxLength:"64"`
	Address          string `json:"address" required:"false" maxLength:"200"`
	Note             string `json:"note" required:"false" maxLength:"500"`
}

// Account is a settlement account (结算账户).
type Account struct {
	Meta
	Type           string `json:"type" enum:"cash,bank,other"`
	BankName       string `json:"bank_name" required:"false" maxLength:"100"`
	AccountNo      string `json:"account_no" required:"false" maxLength:"64"`
	Currency       string `json:"currency" required:"false" maxLength:"3"`
	OpeningBalance int64  `json:"opening_balance" required:"false" doc:"In fen 期初余额（分）."`
}

// Settings are a tenant's currency and tax settings: one record (code
// "settings").
type Settings struct {
	Meta
	Currency       string  `json:"currency" maxLength:"3"`
	VATRates       []int32 `json:"vat_rates" nullable:"false"`
	DefaultVATRate int32   `json:"default_vat_rate"`
	// WeightLabelPrefixes are the two-digit GS1 prefixes (20 … 29) of
	// in-store weight labels.
	WeightLabelPrefixes []string `json:"weight_label_prefixes" required:"false" nullable:"false"`
	// ApprovalLevels are the approvals a document needs by amount: a
	// document of DocType whose gross is at least MinGross needs, in
	// order of MinGross, one approval by a user with each level's Role.
	ApprovalLevels []ApprovalLevel `json:"approval_levels" required:"false" nullable:"false" maxItems:"50" doc:"Approval levels by amount 分级审批."`
	// CompanyName, CompanyAddress, CompanyPhone and CompanyTaxID are the
	// letterhead of printed documents (PDF).
	CompanyName    string `json:"company_name,omitempty" required:"false" maxLength:"100" doc:"Printed letterhead: company name 公司名称."`
	CompanyAddress string `json:"company_address,omitempty" required:"false" maxLength:"200" doc:"Printed letterhead: address 公司地址."`
	CompanyPhone   string `json:"company_phone,omitempty" required:"false" maxLength:"32" doc:"Printed letterhead: phone 联系电话."`
	CompanyTaxID   string `json:"company_tax_id,omitempty" required:"false" maxLength:"32" doc:"Printed letterhead: 统一社会信用代码 / 纳税人识别号."`
}

// ApprovalLevel is one level of approval of a document type by amount.
type ApprovalLevel struct {
	DocType  string `json:"doc_type" maxLength:"32" doc:"purchase_request, purchase_order, sales_order …"`
	MinGross int64  `json:"min_gross" minimum:"0" doc:"From this gross (fen) on 金额下限（分）."`
	Role     string `json:"role" maxLength:"64" doc:"The role that approves this level 审批角色."`
}

// DefaultSettings are a new tenant's: CNY, VAT 13/9/6/3/1/0 %, labels 20–29.
func DefaultSettings() Settings {
	return Settings{Meta: Meta{Code: SettingsCode, Name: "settings"}, Currency: "CNY",
		VATRates: []int32{13, 9, 6, 3, 1, 0}, DefaultVATRate: 13,
		WeightLabelPrefixes: []string{"20", "21", "22", "23", "24", "25", "26", "27", "28", "29"}}
}

// SettingsCode is the code of the one Settings record.
const SettingsCode = "settings"

// normalizer is a record whose lists must read as [] rather than null.
type normalizer interface{ normalize() }

// Normalize makes a record's nil lists empty, as the service stores and
// returns them (so that two versions compare equal as JSON).
func Normalize(v any) {
	if n, ok := v.(normalizer); ok {
		n.normalize()
	}
}

func emptyIfNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (p *Product) normalize() {
	p.Units, p.Attributes, p.SKUs = emptyIfNil(p.Units), emptyIfNil(p.Attributes), emptyIfNil(p.SKUs)
	for i := range p.Units {
		p.Units[i].Barcodes = emptyIfNil(p.Units[i].Barcodes)
	}
	for i := range p.Attributes {
		p.Attributes[i].Values = emptyIfNil(p.Attributes[i].Values)
	}
	for i := range p.SKUs {
		p.SKUs[i].Barcodes = emptyIfNil(p.SKUs[i].Barcodes)
		if p.SKUs[i].Attrs == nil {
			p.SKUs[i].Attrs = map[string]string{}
		}
	}
}

func (s *Supplier) normalize() { s.Contacts = emptyIfNil(s.Contacts) }
func (c *Customer) normalize() { c.Contacts = emptyIfNil(c.Contacts) }
func (s *Settings) normalize() {
	s.VATRates, s.WeightLabelPrefixes = emptyIfNil(s.VATRates), emptyIfNil(s.WeightLabelPrefixes)
	s.ApprovalLevels = emptyIfNil(s.ApprovalLevels)
}
