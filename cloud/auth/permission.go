package auth

import (
	"slices"
	"strings"
)

// Permission names one thing a role may do, as module.action:
// "product.edit", "purchase.approve", "report.export". The actions are
// view (read, list, report), edit (create, change, void while allowed),
// approve (move a document past draft, release a hold) and export
// (download lists and reports as files).
type Permission string

// Module returns the part before the dot.
func (p Permission) Module() string { m, _, _ := strings.Cut(string(p), "."); return m }

// Action returns the part after the dot.
func (p Permission) Action() string { _, a, _ := strings.Cut(string(p), "."); return a }

// PermissionInfo describes a permission of the catalogue.
type PermissionInfo struct {
	Name Permission `json:"name"`
	// Desc and DescZH say what it allows, in English and Chinese.
	Desc   string `json:"desc"`
	DescZH string `json:"desc_zh"`
}

// modules lists every module with its names and the actions it has, in
// the order the catalogue shows them.
var modules = []struct {
	name, en, zh string
	actions      []string
}{
	{"product", "products, barcodes, units and prices", "商品、条码、单位与价格", []string{"view", "edit", "export"}},
	{"site", "stores, warehouses and bins", "门店、仓库与库位", []string{"view", "edit"}},
	{"partner", "suppliers and customers", "供应商与客户", []string{"view", "edit", "export"}},
	{"account", "settlement accounts (cash, bank)", "结算账户（现金、银行）", []string{"view", "edit"}},
	{"purchase", "purchase requests, orders, receipts, returns and bills", "请购、采购订单、入库、退货与账单", []string{"view", "edit", "approve", "export"}},
	{"sales", "quotes, sales orders, pick lists, shipments, returns and invoices", "报价、销售订单、拣货、出库、退货与发票", []string{"view", "edit", "approve", "export"}},
	{"inventory", "transfers, counts, other in/out, assembly", "调拨、盘点、其他出入库、组装", []string{"view", "edit", "approve", "export"}},
	{"retail", "retail sales and returns at the till", "零售与零售退货", []string{"view", "edit", "approve", "export"}},
	{"stock", "on-hand, lots and serialized items", "库存、批次与序列号", []string{"view", "export"}},
	{"finance", "journal, receipts and payments, periods, statements", "凭证、收付款、会计期间、报表", []string{"view", "edit", "approve", "export"}},
	{"crm", "members, customer history, after-sales tickets", "会员、客户历史、售后工单", []string{"view", "edit", "export"}},
	{"report", "reports and the dashboard", "报表与首页看板", []string{"view", "export"}},
	{"device", "agents, devices and device profiles", "边缘节点、设备与设备配置", []string{"view", "edit"}},
	{"user", "users, their roles, sites, tokens and lockouts", "用户及其角色、站点、令牌与锁定", []string{"view", "edit"}},
	{"role", "roles and their permissions", "角色及其权限", []string{"view", "edit"}},
	{"audit", "the audit log", "审计日志", []string{"view", "export"}},
}

var actionNames = map[string][2]string{
	"view":    {"view", "查看"},
	"edit":    {"create and change", "新建与修改"},
	"approve": {"approve", "审核"},
	"export":  {"export", "导出"},
}

// catalogue is built once from modules.
var catalogue = func() []PermissionInfo {
	var out []PermissionInfo
	for _, m := range modules {
		for _, a := range m.actions {
			n := actionNames[a]
			out = append(out, PermissionInfo{
				Name:   Permission(m.name + "." + a),
				Desc:   n[0] + " " + m.en,
				DescZH: n[1] + m.zh,
			})
		}
	}
	return out
}()

var known = func() map[Permission]bool {
	m := make(map[Permission]bool, len(catalogue))
	for _, p := range catalogue {
		m[p.Name] = true
	}
	return m
}()

// Catalogue returns every permission there is, module by module. A
// permission not in it is refused wherever one is given (ErrInvalid).
//
//	product   view edit export
//	site      view edit
//	partner   view edit export          (suppliers and customers)
//	account   view edit                 (settlement accounts)
//	purchase  view edit approve export
//	sales     view edit approve export
//	inventory view edit approve export  (transfers, counts, other in/out)
//	stock     view export               (on-hand)
//	finance   view edit approve export
//	crm       view edit export
//	report    view export
//	device    view edit
//	user      view edit
//	role      view edit
//	audit     view export
func Catalogue() []PermissionInfo { return slices.Clone(catalogue) }

// Known reports whether p is in the catalogue.
func Known(p Permission) bool { return known[p] }

// checkPermissions refuses unknown permissions and returns the list
// sorted and without duplicates.
func checkPermissions(perms []Permission) ([]Permission, error) {
	out := slices.Clone(perms)
	for _, p := range out {
		if !known[p] {
			return nil, invalid("unknown permission "+quote(string(p)), "未知权限 "+quote(string(p)))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Role names of the shipped roles. They exist in every tenant, cannot be
// changed or deleted, and follow the catalogue as modules are added.
const (
	RoleAdministrator = "administrator"
	RolePurchaser     = "purchaser"
	RoleSales         = "sales"
	RoleWarehouse     = "warehouse"
	RoleFinance       = "finance"
	RoleStoreManager  = "store_manager"
	RoleAuditor       = "auditor"
	RoleCashier       = "cashier"
)

// MaxDiscount is the largest MaxDiscountPercent of a role.
const MaxDiscount = 100

// Role bundles permissions. Names are lowercase identifiers
// ([a-z][a-z0-9_]{0,31}), unique per tenant; Title is what people read.
type Role struct {
	Tenant  string `json:"-"`
	Name    string `json:"name"`
	Title   string `json:"title"`
	TitleZH string `json:"title_zh"`
	// Permissions are sorted, without duplicates.
	Permissions []Permission `json:"permissions"`
	// Builtin marks a shipped role.
	Builtin bool `json:"builtin"`
	// MaxDiscountPercent is the largest discount a holder may give at
	// the till, 0 … 100 percent of a line or sale; a user holding several
	// roles may give the largest of theirs. Agents get it with the user
	// (UserRecord.max_discount_percent).
	MaxDiscountPercent int32 `json:"max_discount_percent"`
}

// Has reports whether the role grants p.
func (r Role) Has(p Permission) bool {
	_, ok := slices.BinarySearch(r.Permissions, p)
	return ok
}

func perms(names ...string) []Permission {
	out := make([]Permission, 0, len(names))
	for _, n := range names {
		out = append(out, Permission(n))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func filter(keep func(Permission) bool) []Permission {
	var out []Permission
	for _, p := range catalogue {
		if keep(p.Name) {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	return out
}

// builtinRoles are the shipped roles, by name.
var builtinRoles = []Role{
	{Name: RoleAdministrator, Title: "Administrator", TitleZH: "管理员", Builtin: true, MaxDiscountPercent: 100,
		Permissions: filter(func(Permission) bool { return true })},
	{Name: RolePurchaser, Title: "Purchaser", TitleZH: "采购", Builtin: true, Permissions: perms(
		"product.view", "site.view", "partner.view", "partner.edit", "purchase.view", "purchase.edit",
		"purchase.export", "stock.view", "inventory.view", "report.view")},
	{Name: RoleSales, Title: "Sales", TitleZH: "销售", Builtin: true, Permissions: perms(
		"product.view", "site.view", "partner.view", "partner.edit", "sales.view", "sales.edit",
		"sales.export", "stock.view", "crm.view", "crm.edit", "report.view")},
	{Name: RoleWarehouse, Title: "Warehouse keeper", TitleZH: "仓管", Builtin: true, Permissions: perms(
		"product.view", "site.view", "purchase.view", "sales.view", "inventory.view", "inventory.edit",
		"stock.view", "stock.export", "device.view", "device.edit")},
	{Name: RoleFinance, Title: "Finance", TitleZH: "财务", Builtin: true, Permissions: perms(
		"product.view", "site.view", "partner.view", "account.view", "account.edit", "purchase.view",
		"sales.view", "stock.view", "finance.view", "finance.edit", "finance.approve", "finance.export",
		"report.view", "report.export")},
	{Name: RoleStoreManager, Title: "Store manager", TitleZH: "店长", Builtin: true, MaxDiscountPercent: 20, Permissions: perms(
		"product.view", "product.edit", "site.view", "partner.view", "partner.edit",
		"purchase.view", "purchase.edit", "purchase.approve", "sales.view", "sales.edit", "sales.approve",
		"inventory.view", "inventory.edit", "inventory.approve", "stock.view", "stock.export",
		"retail.view", "retail.edit", "retail.approve", "retail.export",
		"crm.view", "crm.edit", "report.view", "report.export", "device.view", "device.edit", "user.view")},
	// The auditor reads everything and changes nothing: every .view,
	// report.export and audit.export.
	{Name: RoleAuditor, Title: "Auditor (read-only)", TitleZH: "审计（只读）", Builtin: true, Permissions: filter(func(p Permission) bool {
		return p.Action() == "view" || p == "report.export" || p == "audit.export"
	})},
	{Name: RoleCashier, Title: "Cashier", TitleZH: "收银员", Builtin: true, MaxDiscountPercent: 5, Permissions: perms(
		"product.view", "stock.view", "retail.view", "retail.edit")},
}

// BuiltinRoles returns the shipped roles.
func BuiltinRoles() []Role {
	out := make([]Role, len(builtinRoles))
	for i, r := range builtinRoles {
		r.Permissions = slices.Clone(r.Permissions)
		out[i] = r
	}
	return out
}

func builtinRole(name string) (Role, bool) {
	for _, r := range builtinRoles {
		if r.Name == name {
			return r, true
		}
	}
	return Role{}, false
}

func quote(s string) string { return "\"" + s + "\"" }
