package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSignInHome signs in as the administrator; the home page shows the
// sites, the stock chart and the replicas without a console error.
func TestSignInHome(t *testing.T) {
	c := MustStartCloud(t)
	c.Seed(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	b.Open(t, "/", "#home-sites")
	b.Do(t, chromedp.WaitVisible(chromedp.CSS("#home-stock canvas")))

	sites := b.Text(t, "#home-sites")
	for _, want := range []string{"store-1", "warehouse-1", "在线"} {
		if !strings.Contains(sites, want) {
			t.Errorf("home sites card lacks %q: %q", want, sites)
		}
	}
	stock := b.Text(t, "#home-stock")
	// store-1: 120 + 35 - 20 = 135; warehouse-1: 800 + 450 = 1,250.
	for _, want := range []string{"135", "1,250"} {
		if !strings.Contains(stock, want) {
			t.Errorf("home stock card lacks %q: %q", want, stock)
		}
	}
	if n := b.Count(t, "#home-devices .el-table__body tr"); n != 2 {
		t.Errorf("device health lists %d replicas, want 2", n)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors on the home page:\n  %s", strings.Join(errs, "\n  "))
	}
}

// TestLanguageSwitch switches to English; after a reload the menu is
// English (the choice is kept in localStorage), and back to Chinese.
func TestLanguageSwitch(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	if menu := b.Text(t, "#side-menu"); !strings.Contains(menu, "首页") || !strings.Contains(menu, "基础资料") {
		t.Fatalf("the default menu is not Chinese: %q", menu)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(`#lang-switch label:nth-of-type(2)`)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#side-menu")),
	)
	menu := b.Text(t, "#side-menu")
	for _, want := range []string{"Home", "Master data", "Inventory", "System"} {
		if !strings.Contains(menu, want) {
			t.Errorf("after switching to English and a reload the menu lacks %q: %q", want, menu)
		}
	}
	if strings.Contains(menu, "基础资料") {
		t.Errorf("the menu is still Chinese: %q", menu)
	}
	lang := Eval[string](t, b, `document.documentElement.lang`)
	if lang != "en" {
		t.Errorf("<html lang> is %q, want en", lang)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(`#lang-switch label:nth-of-type(1)`)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#side-menu")),
	)
	if menu := b.Text(t, "#side-menu"); !strings.Contains(menu, "基础资料") {
		t.Errorf("after switching back the menu is not Chinese: %q", menu)
	}
}

// TestAuditorReadOnly signs in as a user with the role auditor: the
// console forces the password change first, then shows the product pages
// without create or edit buttons, and the user pages without create.
func TestAuditorReadOnly(t *testing.T) {
	c := MustStartCloud(t)
	c.CreateUser(t, "auditor1", "first-pass-2026", "auditor")
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "auditor1", "first-pass-2026")

	// A generated or set-by-someone-else password must be changed first.
	b.Do(t,
		chromedp.WaitVisible(chromedp.CSS("#pw-old")),
		chromedp.SendKeys(chromedp.CSS("#pw-old"), "first-pass-2026"),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), "own-pass-2026"),
		chromedp.SendKeys(chromedp.CSS("#pw-new2"), "own-pass-2026"),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitNotVisible(chromedp.CSS("#pw-old")),
	)
	me := b.Fetch(t, "GET", "/api/v1/auth/me", nil)
	var who struct {
		User               string   `json:"user"`
		MustChangePassword bool     `json:"must_change_password"`
		Permissions        []string `json:"permissions"`
	}
	if err := json.Unmarshal(me.Body, &who); err != nil || me.Status != 200 {
		t.Fatalf("/auth/me: %d %s %v", me.Status, me.Body, err)
	}
	if who.User != "auditor1" || who.MustChangePassword {
		t.Fatalf("after the change: %+v, want auditor1 without must_change_password", who)
	}
	for _, p := range who.Permissions {
		if strings.HasSuffix(p, ".edit") {
			t.Fatalf("the auditor holds %s", p)
		}
	}

	b.Open(t, "/products", ".resource-page")
	if n := b.Count(t, "#record-create"); n != 0 {
		t.Errorf("the auditor is offered %d product create buttons", n)
	}
	if n := b.Count(t, "#record-import"); n != 0 {
		t.Errorf("the auditor is offered %d product import buttons", n)
	}
	toolbar := b.Text(t, ".resource-page .toolbar")
	if strings.Contains(toolbar, "新建") || strings.Contains(toolbar, "导入") {
		t.Errorf("the product toolbar offers a change: %q", toolbar)
	}
	// Row actions (when there are rows) say 详情, never 编辑.
	actions := Eval[[]string](t, b, `[...document.querySelectorAll('.row-edit')].map(e => e.textContent.trim())`)
	for _, a := range actions {
		if a != "详情" {
			t.Errorf("a product row offers %q to the auditor", a)
		}
	}

	// The same for a module the auditor sees but may not change.
	b.Open(t, "/units", ".resource-page")
	if n := b.Count(t, "#record-create"); n != 0 {
		t.Errorf("the auditor is offered a unit create button")
	}
	// Device profiles: the auditor reads them (device.view), changes none.
	b.Open(t, "/device-profiles", ".device-profiles")
	if n := b.Count(t, "#profile-create"); n != 0 {
		t.Errorf("the auditor is offered a device profile create button")
	}
	// Menu: the auditor sees every view page.
	menu := b.Text(t, "#side-menu")
	for _, want := range []string{"基础资料", "库存", "设备", "系统管理"} {
		if !strings.Contains(menu, want) {
			t.Errorf("the auditor's menu lacks %q: %q", want, menu)
		}
	}
}

// TestMenuFollowsPermissions gives a user only stock.view: the menu shows
// the home and the stock page, and nothing of master data or system.
func TestMenuFollowsPermissions(t *testing.T) {
	c := MustStartCloud(t)
	// warehouse: product, site, purchase, sales, inventory, stock and
	// device views, but no user, role, audit, partner or account.
	c.CreateUser(t, "keeper", "first-pass-2026", "warehouse")
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "keeper", "first-pass-2026")
	b.Do(t,
		chromedp.WaitVisible(chromedp.CSS("#pw-old")),
		chromedp.SendKeys(chromedp.CSS("#pw-old"), "first-pass-2026"),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), "keeper-pass-2026"),
		chromedp.SendKeys(chromedp.CSS("#pw-new2"), "keeper-pass-2026"),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitNotVisible(chromedp.CSS("#pw-old")),
	)
	items := Eval[[]string](t, b, `[...document.querySelectorAll('#side-menu .el-menu-item, #side-menu .el-sub-menu__title')].map(e => e.textContent.trim())`)
	got := strings.Join(items, "|")
	for _, want := range []string{"首页", "商品", "门店/仓库", "库存查询", "盘点冲突", "设备状态", "设备配置"} {
		if !strings.Contains(got, want) {
			t.Errorf("the warehouse keeper's menu lacks %q: %s", want, got)
		}
	}
	for _, not := range []string{"供应商", "结算账户", "用户", "角色", "审计日志", "系统管理"} {
		if strings.Contains(got, not) {
			t.Errorf("the warehouse keeper's menu offers %q: %s", not, got)
		}
	}
	// A page the user may not see sends back home.
	b.Do(t, chromedp.Navigate(c.URL+"/audit"), chromedp.WaitVisible(chromedp.CSS("#side-menu")))
	path := Eval[string](t, b, `location.pathname`)
	if path != "/" {
		t.Errorf("/audit without audit.view ended at %q, want /", path)
	}
}

// mainPages are the console's pages, by file name.
var mainPages = []struct{ name, path, sel string }{
	{"home", "/", "#home-sites"},
	{"products", "/products", ".resource-page"},
	{"categories", "/categories", ".resource-page"},
	{"units", "/units", ".resource-page"},
	{"sites", "/sites", ".resource-page"},
	{"bins", "/bins", ".resource-page"},
	{"stock-limits", "/stock-limits", ".resource-page"},
	{"suppliers", "/suppliers", ".resource-page"},
	{"customers", "/customers", ".resource-page"},
	{"accounts", "/accounts", ".resource-page"},
	{"settings", "/settings", ".settings"},
	{"stock", "/stock", ".page"},
	{"count-conflicts", "/count-conflicts", ".page"},
	{"devices", "/devices", ".devices-page"},
	{"device-profiles", "/device-profiles", ".device-profiles"},
	{"users", "/users", ".page"},
	{"roles", "/roles", ".page"},
	{"audit", "/audit", ".page"},
	{"lockouts", "/lockouts", ".page"},
}

// TestScreenshots takes a screenshot of every main page at 1366×768 in
// Chinese and in English, of the home page at a tablet's width (the menu
// collapsed) and of the sign-in page, and checks that none is blank.
func TestScreenshots(t *testing.T) {
	c := MustStartCloud(t)
	c.Seed(t)
	dir := ScreenshotDir(t)
	b := MustBrowser(t, c.URL)
	b.Open(t, "/login", "#login-username")
	b.Screenshot(t, dir, "zh-login")
	b.SignIn(t, "admin", adminPassword)
	SeedMasterData(t, b)
	for _, lang := range []string{"zh-CN", "en"} {
		Eval[any](t, b, fmt.Sprintf(`localStorage.setItem('jxc.lang', %q)`, lang))
		prefix := map[string]string{"zh-CN": "zh", "en": "en"}[lang]
		for _, p := range mainPages {
			b.Open(t, p.path, p.sel)
			b.Screenshot(t, dir, prefix+"-"+p.name)
		}
		// The product form, new: units, attributes and the SKU table.
		b.Open(t, "/products", ".resource-page")
		b.Do(t, chromedp.Click(chromedp.CSS("#record-create")), chromedp.WaitVisible(chromedp.CSS(".product-skus")), Settled())
		b.Screenshot(t, dir, prefix+"-product-form")
	}
	b.Do(t, chromedp.EmulateViewport(820, 1180))
	b.Open(t, "/", "#home-sites")
	asideWidth := Eval[float64](t, b, `document.querySelector('.aside').getBoundingClientRect().width`)
	if asideWidth > 100 {
		t.Errorf("at 820 px wide the side menu is %.0f px wide, want it collapsed", asideWidth)
	}
	b.Screenshot(t, dir, "en-home-tablet")
	// A landscape tablet (1024×768), in Chinese: the menu stays open.
	Eval[any](t, b, `localStorage.setItem('jxc.lang', 'zh-CN')`)
	b.Do(t, chromedp.EmulateViewport(1024, 768))
	for _, p := range []struct{ name, path, sel string }{
		{"home", "/", "#home-sites"}, {"products", "/products", ".resource-page"}, {"suppliers", "/suppliers", ".resource-page"},
		{"devices", "/devices", ".devices-page"}, {"device-profiles", "/device-profiles", ".device-profiles"}, {"users", "/users", ".page"},
	} {
		b.Open(t, p.path, p.sel)
		b.Screenshot(t, dir, "zh-tablet-"+p.name)
	}
	t.Logf("screenshots in %s", dir)
}

// fillProduct opens a new product form and types its code, name, base
// unit and retail price.
func fillProduct(t *testing.T, b *Browser, code, name string) {
	t.Helper()
	b.Open(t, "/products", ".resource-page")
	b.Do(t,
		chromedp.Click(chromedp.CSS("#record-create")),
		chromedp.WaitVisible(chromedp.CSS(".product-skus")),
		Settled(),
		chromedp.SendKeys(chromedp.CSS(`.record-dialog [data-field="code"] input`), code),
		chromedp.SendKeys(chromedp.CSS(`.record-dialog [data-field="name"] input`), name),
		Choose(`.record-dialog [data-field="base_unit"] input`, "件"),
		chromedp.SendKeys(chromedp.CSS(`.record-dialog [data-field="retail_price"] input`), "59.00\r"),
	)
}

// Choose types text into a select that takes new values (a tags input,
// a unit), waits until the select offers it and clicks that option.
func Choose(sel, text string) chromedp.Action[chromedp.Void] {
	option := fmt.Sprintf(`[...document.querySelectorAll('.el-select-dropdown__item')]
		.filter(e => e.offsetParent !== null && e.textContent.trim() === %q)`, text)
	return chromedp.Steps(
		chromedp.SendKeys(chromedp.CSS(sel), text),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](option+`.length > 0`, chromedp.WithPollingTimeout(5*time.Second))(ctx, tg)
			return err
		}),
		Settled(), // the dropdown has stopped moving
		chromedp.Click(chromedp.JSPath(option)),
	)
}

// generateColours adds the attribute 颜色 with the values 白 and 黑 and
// generates the SKUs: two rows, with distinct codes after the product's.
func generateColours(t *testing.T, b *Browser, code string) {
	t.Helper()
	b.Do(t,
		chromedp.Click(chromedp.CSS(".attr-add")),
		chromedp.SendKeys(chromedp.CSS(".product-attrs .attr-name input"), "颜色"),
		Choose(".product-attrs .attr-values input", "白,黑"),
		// A click outside closes the values' dropdown, which covers the button.
		chromedp.Click(chromedp.CSS(".product-form h4")),
		Settled(),
	)
	b.Do(t, chromedp.Click(chromedp.CSS(".sku-generate")))
	// The table renders the new rows a few ticks later.
	n := Eval[int](t, b, `new Promise(resolve => {
		const t0 = Date.now();
		const check = () => {
			const n = document.querySelectorAll('.product-skus .el-table__body tr').length;
			if (n === 2 || Date.now() - t0 > 5000) resolve(n); else setTimeout(check, 50);
		};
		check();
	})`)
	if n != 2 {
		t.Fatalf("the form generated %d SKUs, want 2; attributes: %q", n, b.Text(t, ".product-attrs"))
	}
	codes := Eval[[]string](t, b, `[...document.querySelectorAll('.product-skus .sku-code input')].map(e => e.value)`)
	if len(codes) != 2 || codes[0] == codes[1] || !strings.HasPrefix(codes[0], code) {
		t.Errorf("generated SKU codes %q, want two distinct codes starting with %s", codes, code)
	}
}

// TestProductFormGeneratesSKUs fills the product form without saving:
// a product without attributes has one SKU with the product's code; two
// colours give two SKUs; the price typed in yuan is kept in fen.
func TestProductFormGeneratesSKUs(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	mustPost(t, b, "/api/v1/units", map[string]any{"code": "件", "name": "件"})
	fillProduct(t, b, "E2E-FORM", "表单")
	codes := Eval[[]string](t, b, `[...document.querySelectorAll('.product-skus .sku-code input')].map(e => e.value)`)
	if len(codes) != 1 || codes[0] != "E2E-FORM" {
		t.Fatalf("without attributes the SKUs are %q, want the one SKU E2E-FORM", codes)
	}
	price := Eval[string](t, b, `document.querySelector('.record-dialog [data-field="retail_price"] input').value`)
	if price != "59.00" {
		t.Errorf("retail price field shows %q after typing 59.00", price)
	}
	// The units table names the chosen base unit in its factor column.
	if head := b.WaitText(t, ".product-units .el-table__header", "× 件"); !strings.Contains(head, "× 件") {
		t.Errorf("the units table's header %q does not name the base unit 件", head)
	}
	generateColours(t, b, "E2E-FORM")
	attrs := b.Text(t, ".product-skus .el-table__body")
	for _, want := range []string{"颜色: 白", "颜色: 黑"} {
		if !strings.Contains(attrs, want) {
			t.Errorf("the SKU table lacks %q: %q", want, attrs)
		}
	}
}
