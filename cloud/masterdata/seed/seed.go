// Package seed generates the master data of a small Chinese supermarket
// chain (two stores and a warehouse, about 200 products with their
// variants, packs and prices, 20 suppliers, 50 customers, settlement
// accounts and one user per shipped role) and writes it through the
// master data service and the auth service, as the HQ console would: every
// record is checked, audited and published to agents like one typed in.
// jxc demo seeds its cloud with it.
//
// Generate is deterministic: the same Options give the same chain, so the
// demo and its tests can name SKUs and barcodes. Barcodes are GTIN-13 with
// a valid check digit under made-up company prefixes (69 71xxx, one per
// brand): they scan, but belong to no real company. Brands, companies and
// people are made up as well.
package seed

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

// Options say what chain to generate. The zero value gives the demo's.
type Options struct {
	// Stores and Warehouses are the site codes, the site names the
	// agents use. Default: shanghai-01, shanghai-02 and beijing-wh.
	Stores, Warehouses []string
	// Password is every generated user's first password (changed at the
	// first sign-in). Default DefaultPassword.
	Password string
	// Seed varies the prices, colours, people and companies.
	Seed uint64
}

// DefaultPassword is the generated users' password unless Options say
// otherwise; it passes the password policy (auth.CheckPassword).
const DefaultPassword = "jxc-demo-2026"

// Category is a node of the category tree; Parent is its parent's code,
// "" for a top one.
type Category struct {
	Code, Name, Parent string
}

// Product is a product with the code of its category.
type Product struct {
	masterdata.Product
	Category string
}

// User is an account to create: its first password, its role and, for a
// store manager, the sites it sees (none: every site).
type User struct {
	Name, DisplayName, Password, Role string
	Sites                             []string
}

// Chain is the generated master data, in the order it must be written.
type Chain struct {
	Units       []masterdata.Unit
	Categories  []Category
	Sites       []masterdata.Site
	Bins        []masterdata.Bin
	Products    []Product
	StockLimits []masterdata.StockLimit
	Suppliers   []masterdata.Supplier
	Customers   []masterdata.Customer
	Accounts    []masterdata.Account
	Users       []User
}

// SKUs returns how many SKUs the chain's products have.
func (c *Chain) SKUs() int {
	n := 0
	for _, p := range c.Products {
		n += len(p.SKUs)
	}
	return n
}

// gen is the state of one Generate.
type gen struct {
	r *rand.Rand
	// prefixes are the company prefixes by brand; items the next item
	// reference under each.
	prefixes map[string]string
	items    map[string]int
	plu      int
}

// Generate returns the chain o describes.
func Generate(o Options) *Chain {
	if len(o.Stores) == 0 && len(o.Warehouses) == 0 {
		o.Stores, o.Warehouses = []string{"shanghai-01", "shanghai-02"}, []string{"beijing-wh"}
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	g := &gen{r: rand.New(rand.NewPCG(o.Seed, 0x5eed)), prefixes: map[string]string{}, items: map[string]int{}, plu: 10001}
	c := &Chain{}
	for _, u := range unitDefs {
		c.Units = append(c.Units, masterdata.Unit{Meta: masterdata.Meta{Code: u.code, Name: u.name}, Weight: u.weight})
	}
	for _, top := range categoryTree {
		c.Categories = append(c.Categories, Category{Code: top.code, Name: top.name})
		for _, ch := range top.children {
			c.Categories = append(c.Categories, Category{Code: ch.code, Name: ch.name, Parent: top.code})
		}
	}
	g.sites(c, o)
	g.products(c)
	g.limits(c, o.Stores)
	g.suppliers(c)
	g.customers(c)
	c.Accounts = []masterdata.Account{
		{Meta: masterdata.Meta{Code: "CASH", Name: "现金"}, Type: "cash", Currency: "CNY", OpeningBalance: 500000},
		{Meta: masterdata.Meta{Code: "ICBC-BASIC", Name: "工商银行 基本户"}, Type: "bank", BankName: "中国工商银行上海静安支行",
			AccountNo: "1001" + g.digits(15), Currency: "CNY", OpeningBalance: 128_000_000},
		{Meta: masterdata.Meta{Code: "ALIPAY", Name: "支付宝"}, Type: "other", AccountNo: "pay@jxc-demo.example.com", Currency: "CNY"},
		{Meta: masterdata.Meta{Code: "WECHAT", Name: "微信支付"}, Type: "other", AccountNo: "1" + g.digits(9), Currency: "CNY"},
	}
	g.users(c, o)
	return c
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// digits returns n random decimal digits.
func (g *gen) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return b.String()
}

// gtin returns the next GTIN-13 of brand: its company prefix (69 71 and
// three digits, made up), a five-digit item reference, the check digit.
func (g *gen) gtin(brand string) string {
	p, ok := g.prefixes[brand]
	if !ok {
		p = fmt.Sprintf("6971%03d", 101+len(g.prefixes))
		g.prefixes[brand] = p
	}
	g.items[brand]++
	d := fmt.Sprintf("%s%05d", p, g.items[brand])
	return d + string(syncproto.GTINCheckDigit(d))
}

// price rounds fen as shops price: to 10 fen below ¥10, to a yuan less
// 10 fen up to ¥100 (¥12.90), then to ten yuan less one (¥159).
func price(fen int64) int64 {
	switch {
	case fen < 1000:
		return max(10, (fen+5)/10*10)
	case fen < 10000:
		return (fen+50)/100*100 - 10
	}
	return (fen+500)/1000*1000 - 100
}

// prices returns retail, purchase and wholesale prices around retail fen.
func (g *gen) prices(retail int64) (int64, int64, int64) {
	r := price(retail * int64(90+g.r.IntN(26)) / 100)
	buy := max(10, r*int64(60+g.r.IntN(12))/100/10*10)
	return r, buy, (buy + (r-buy)/2) / 10 * 10
}

func (g *gen) sites(c *Chain, o Options) {
	add := func(code, typ string, d siteDef, bins []binDef) {
		contact := g.pick(surnames) + g.pick(givenNames)
		c.Sites = append(c.Sites, masterdata.Site{Meta: masterdata.Meta{Code: code, Name: d.name}, Type: typ,
			Address: d.address, Contact: contact, Phone: d.phone})
		for _, b := range bins {
			c.Bins = append(c.Bins, masterdata.Bin{Meta: masterdata.Meta{Code: b.code, Name: b.name}, Site: code})
		}
	}
	for i, s := range o.Stores {
		add(s, "store", storeDefs[i%len(storeDefs)], storeBins)
	}
	for i, s := range o.Warehouses {
		add(s, "warehouse", warehouseDefs[i%len(warehouseDefs)], warehouseBins)
	}
}

func (g *gen) products(c *Chain) {
	n := 0
	code := func(cat string) string {
		n++
		return fmt.Sprintf("%s%04d", cat[:1], n)
	}
	for _, gd := range goods {
		for _, brand := range gd.brands {
			retail, buy, whole := g.prices(gd.retail)
			vat := gd.vat
			p := Product{Category: gd.cat, Product: masterdata.Product{
				Meta:  masterdata.Meta{Code: code(gd.cat), Name: brand + " " + gd.name + " " + gd.spec},
				Brand: brand, Spec: gd.spec, BaseUnit: gd.unit, VATRate: &vat,
				LotTracked: gd.shelfLife > 0, ShelfLifeDays: gd.shelfLife,
				RetailPrice: retail, PurchasePrice: buy, WholesalePrice: whole,
			}}
			p.SKUs = []masterdata.SKU{{Code: p.Code, Barcodes: []string{g.gtin(brand)}}}
			if gd.caseUnit != "" {
				p.Units = []masterdata.PackUnit{{Unit: gd.caseUnit, Factor: gd.caseOf, Barcodes: []string{g.gtin(brand)}}}
			}
			c.Products = append(c.Products, p)
		}
	}
	for _, gm := range garments {
		for _, brand := range gm.brands {
			retail, buy, whole := g.prices(gm.retail)
			vat := int32(13)
			colours := slices.Clone(gm.colours)
			p := Product{Category: gm.cat, Product: masterdata.Product{
				Meta:  masterdata.Meta{Code: code(gm.cat), Name: brand + " " + gm.name},
				Brand: brand, Spec: "面料：棉 95% 氨纶 5%", BaseUnit: "件", VATRate: &vat,
				Attributes:  []masterdata.Attribute{{Name: "颜色", Values: colours}, {Name: "尺码", Values: gm.sizes}},
				RetailPrice: retail, PurchasePrice: buy, WholesalePrice: whole,
			}}
			for _, col := range colours {
				for _, size := range gm.sizes {
					sku := masterdata.SKU{Code: p.Code + "-" + colourCodes[col] + "-" + size,
						Attrs: map[string]string{"颜色": col, "尺码": size}, Barcodes: []string{g.gtin(brand)}}
					if size == "XXL" {
						sku.RetailPrice = retail + 1000 // the largest size costs ¥10 more
					}
					p.SKUs = append(p.SKUs, sku)
				}
			}
			c.Products = append(c.Products, p)
		}
	}
	for _, f := range freshGoods {
		retail, buy, whole := g.prices(f.perKg)
		vat := int32(9)
		p := Product{Category: f.cat, Product: masterdata.Product{
			Meta: masterdata.Meta{Code: code(f.cat), Name: f.name + "（" + f.origin + "）"},
			Spec: f.origin + " 散装称重", BaseUnit: "kg", VATRate: &vat, SoldByWeight: true, WeightDecimals: 3,
			PLU: fmt.Sprint(g.plu), RetailPrice: retail, PurchasePrice: buy, WholesalePrice: whole,
		}}
		g.plu++
		p.SKUs = []masterdata.SKU{{Code: p.Code, Barcodes: []string{g.gtin("鲜丰")}}}
		if f.caseKg > 0 {
			p.Units = []masterdata.PackUnit{{Unit: "箱", Factor: f.caseKg, Barcodes: []string{g.gtin("鲜丰")}}}
		}
		c.Products = append(c.Products, p)
	}
}

// limits gives each store a minimum and maximum of 30 counted SKUs, in
// base units: a case or two at least.
func (g *gen) limits(c *Chain, stores []string) {
	var counted []Product
	for _, p := range c.Products {
		if !p.SoldByWeight && len(p.Attributes) == 0 {
			counted = append(counted, p)
		}
	}
	for _, store := range stores {
		for _, i := range g.r.Perm(len(counted))[:min(30, len(counted))] {
			p := counted[i]
			lo := int64(6 + g.r.IntN(20))
			if len(p.Units) > 0 {
				lo = p.Units[0].Factor * int64(1+g.r.IntN(2))
			}
			// The service derives code and name, but checks that they
			// are given first: give them as it would make them.
			c.StockLimits = append(c.StockLimits, masterdata.StockLimit{
				Meta: masterdata.Meta{Code: store + "/" + p.SKUs[0].Code, Name: p.Name},
				Site: store, SKU: p.SKUs[0].Code, Min: lo, Max: lo * int64(4+g.r.IntN(4))})
		}
	}
}

func (g *gen) person() string { return g.pick(surnames) + g.pick(givenNames) }

// mobile returns a made-up mobile number.
func (g *gen) mobile() string {
	return "1" + string("35789"[g.r.IntN(5)]) + g.digits(9)
}

// address returns a street address in c.
func (g *gen) address(c city) string {
	return fmt.Sprintf("%s市%s%s %d 号", c.name, c.district, g.pick(streets), 1+g.r.IntN(999))
}

// taxID returns a made-up 18-character unified social credit code
// (统一社会信用代码, GB 32100-2015) of a company in c, with valid check
// characters.
func (g *gen) taxID(c city) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	// The organisation code: eight digits and its check digit (GB
	// 11714), drawn again when the check would be X.
	var org string
	for {
		d := g.digits(8)
		sum := 0
		for i, w := range []int{3, 7, 9, 10, 5, 8, 4, 2} {
			sum += int(d[i]-'0') * w
		}
		if oc := (11 - sum%11) % 11; oc != 10 {
			org = d + string(byte('0'+oc))
			break
		}
	}
	s := "91" + c.code + org
	sum := 0
	for i, w := range []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28} {
		sum += strings.IndexByte(chars, s[i]) * w
	}
	return s + string(chars[(31-sum%31)%31])
}

func (g *gen) suppliers(c *Chain) {
	names := g.r.Perm(len(tradeNames))
	for i := range 20 {
		ct := cities[g.r.IntN(len(cities))]
		trade := supplierTrades[i%len(supplierTrades)]
		s := masterdata.Supplier{
			Meta: masterdata.Meta{Code: fmt.Sprintf("S%03d", i+1), Name: ct.name + tradeNames[names[i]] + trade + "有限公司"},
			Contacts: []masterdata.Contact{
				{Name: g.person(), Title: "销售经理", Phone: g.mobile(), Email: fmt.Sprintf("sales@s%03d.example.com", i+1)},
				{Name: g.person(), Title: "财务主管", Phone: g.mobile()},
			},
			TaxID: g.taxID(ct), BankName: g.pick(banks) + ct.name + "分行", BankAccount: "31" + g.digits(17),
			PaymentTermsDays: []int32{30, 45, 60}[g.r.IntN(3)], Currency: "CNY", Address: g.address(ct), Region: ct.region,
			Note: "主营" + trade,
		}
		c.Suppliers = append(c.Suppliers, s)
	}
}

func (g *gen) customers(c *Chain) {
	for i := range 50 {
		ct := cities[g.r.IntN(len(cities))]
		kind := customerKinds[g.r.IntN(len(customerKinds))]
		name := ct.name + tradeNames[(i*7)%len(tradeNames)] + kind
		if kind == "便利店" || kind == "烘焙坊" {
			name = tradeNames[(i*7)%len(tradeNames)] + kind + "（" + ct.district + "店）"
		}
		level := []string{"A", "B", "B", "C", "C"}[g.r.IntN(5)]
		credit := map[string]int64{"A": 20_000_000, "B": 5_000_000, "C": 1_000_000}[level]
		terms := map[string]int32{"A": 60, "B": 30, "C": 0}[level]
		cu := masterdata.Customer{
			Meta:     masterdata.Meta{Code: fmt.Sprintf("C%04d", i+1), Name: name},
			Contacts: []masterdata.Contact{{Name: g.person(), Title: g.pick(contactTitles), Phone: g.mobile()}},
			Level:    level, CreditLimit: credit, PaymentTermsDays: terms, TaxID: g.taxID(ct), Region: ct.region,
			Salesperson: "wang.fang", Address: g.address(ct),
		}
		c.Customers = append(c.Customers, cu)
	}
	// The names repeat after len(tradeNames) × cities only by chance: make
	// each unique so the console's lists read well.
	seen := map[string]int{}
	for i := range c.Customers {
		n := c.Customers[i].Name
		if seen[n]++; seen[n] > 1 {
			c.Customers[i].Name = fmt.Sprintf("%s %d", n, seen[n])
		}
	}
}

func (g *gen) users(c *Chain, o Options) {
	c.Users = []User{
		{"zhang.wei", "张伟（总部管理员）", o.Password, auth.RoleAdministrator, nil},
		{"li.na", "李娜（采购）", o.Password, auth.RolePurchaser, nil},
		{"wang.fang", "王芳（销售）", o.Password, auth.RoleSales, nil},
		{"zhao.lei", "赵磊（仓管）", o.Password, auth.RoleWarehouse, nil},
		{"chen.jing", "陈静（财务）", o.Password, auth.RoleFinance, nil},
		{"zhou.qiang", "周强（审计）", o.Password, auth.RoleAuditor, nil},
	}
	managers := []string{"刘洋", "黄敏", "吴婷", "孙杰"}
	logins := []string{"liu.yang", "huang.min", "wu.ting", "sun.jie"}
	for i, s := range o.Stores {
		c.Users = append(c.Users, User{Name: logins[i%len(logins)], DisplayName: managers[i%len(managers)] + "（店长）",
			Password: o.Password, Role: auth.RoleStoreManager, Sites: []string{s}})
	}
	cashiers := []string{"徐丽", "马军", "郭静", "何平"}
	cashierLogins := []string{"xu.li", "ma.jun", "guo.jing", "he.ping"}
	for i, s := range o.Stores {
		c.Users = append(c.Users, User{Name: cashierLogins[i%len(cashierLogins)], DisplayName: cashiers[i%len(cashiers)] + "（收银）",
			Password: o.Password, Role: auth.RoleCashier, Sites: []string{s}})
	}
}
