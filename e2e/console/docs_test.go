// These tests work the generic document pages (web/src/views/docs) with
// types other than the purchase order: a sales order made and approved in
// the form and read in its detail, a transfer seen from its destination,
// and a type made only at the sites (retail sales) that the console only
// reads.

package console_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// seedProduct makes a unit 件 and a product of one SKU (code) at 13% VAT.
func seedProduct(t *testing.T, b *Browser, code, name string) {
	t.Helper()
	mustPost(t, b, "/api/v1/units", map[string]any{"code": "件", "name": "件", "weight": false})
	mustPost(t, b, "/api/v1/products", map[string]any{
		"code": code, "name": name, "base_unit": "件", "vat_rate": 13,
		"skus": []map[string]any{{"code": code, "attrs": map[string]string{}, "barcodes": []string{}}},
	})
}

// clearMessages removes the toasts (已保存, 已审核) so that a screenshot
// shows the page under them.
func clearMessages() chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.el-message').forEach(e => e.remove())`)
}

// TestSalesOrder makes a sales order for a customer in the form, approves
// it, reads its detail (status, lines with the shipped column, history)
// and finds it in the list with its 价税合计, in Chinese, with screenshots
// of both pages.
func TestSalesOrder(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	seedProduct(t, b, "SO-TEA", "碧螺春")
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "wh-so", "name": "销售测试仓", "type": "warehouse"})
	mustPost(t, b, "/api/v1/customers", map[string]any{"code": "CUS-SO", "name": "上海茶叶批发商"})

	b.Open(t, "/sales-orders", ".doc-list .el-table")
	if title := b.Text(t, ".page-title"); title != "销售订单" {
		t.Errorf("the page title is %q, want 销售订单", title)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS("#doc-create")),
		chromedp.WaitVisible(chromedp.CSS(".doc-form")),
		Settled(),
		pick(`.doc-form [data-field="partner"] input`, "CUS-SO"),
		pick(`.doc-form [data-field="site"] input`, "wh-so"),
		pick(`.doc-form .line-sku input`, "SO-TEA"),
		setQty(0, 3),
		chromedp.SendKeys(chromedp.CSS(".doc-form .line-price input"), "20\r"),
		Settled(),
		chromedp.Click(chromedp.CSS("#doc-save")),
		poll(`!!document.querySelector('.doc-detail .doc-approve')`),
		Settled(),
	)
	number := b.Text(t, ".doc-detail .doc-number")
	if !strings.HasPrefix(number, "XS") {
		t.Errorf("the saved order's number is %q, want XS…", number)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")),
		poll(`(document.querySelector('.doc-detail .doc-status') || {}).innerText === '已审核'`),
		poll(`document.querySelectorAll('.doc-detail .doc-history .history-action').length >= 2`),
		Settled(),
	)
	lines := b.Text(t, ".doc-detail .doc-lines")
	for _, want := range []string{"SO-TEA", "碧螺春", "已出库（基本单位）", "¥20.00", "¥60.00"} {
		if !strings.Contains(lines, want) {
			t.Errorf("the order's lines lack %q: %q", want, lines)
		}
	}
	if head := b.Text(t, ".doc-detail .doc-fields"); !strings.Contains(head, "CUS-SO") || !strings.Contains(head, "上海茶叶批发商") {
		t.Errorf("the order's header lacks its customer: %q", head)
	}
	if totals := b.Text(t, ".doc-detail .doc-totals"); !strings.Contains(totals, "陆拾元整") {
		t.Errorf("the totals lack the gross in capitals 陆拾元整: %q", totals)
	}
	history := Eval[[]string](t, b, `[...document.querySelectorAll('.doc-detail .doc-history .history-action')].map(e => e.innerText)`)
	if h := strings.Join(history, ","); !strings.Contains(h, "新建") || !strings.Contains(h, "审核") {
		t.Errorf("the history %q lacks 新建 and 审核", h)
	}
	for _, sel := range []string{".doc-close", ".doc-void", ".doc-print-btn"} {
		if b.Count(t, ".doc-detail "+sel) != 1 {
			t.Errorf("the approved order offers no %s button", sel)
		}
	}
	if b.Count(t, ".doc-detail .doc-edit") != 0 {
		t.Errorf("the approved order offers to edit it")
	}
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-sales-order-detail")

	b.Do(t, chromedp.Click(chromedp.CSS(".doc-detail .doc-back")), chromedp.WaitVisible(chromedp.CSS(".doc-list .el-table")))
	row := fmt.Sprintf(`[...document.querySelectorAll('.doc-list .el-table__body tr')].find(r => r.innerText.includes(%q))`, number)
	b.Do(t, poll(`!!`+row), Settled())
	text := Eval[string](t, b, row+`.innerText`)
	for _, want := range []string{"CUS-SO", "wh-so", "已审核", "¥60.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("the order's row %q lacks %q", text, want)
		}
	}
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-sales-orders")
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestTransfer makes a transfer from a warehouse to a store through the
// API, approves it in its detail (调出/调入 sites, in-transit column),
// and finds it in the list filtered by the destination.
func TestTransfer(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	seedProduct(t, b, "TR-TEA", "普洱茶")
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "wh-a", "name": "调出仓", "type": "warehouse"})
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-b", "name": "调入店", "type": "store"})
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-c", "name": "无关店", "type": "store"})
	var tr struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
	}
	raw := mustPost(t, b, "/api/v1/transfers", map[string]any{"site": "wh-a", "to_site": "store-b",
		"date": time.Now().Format(time.DateOnly), "lines": []map[string]any{{"sku": "TR-TEA", "qty": 5}}})
	if err := json.Unmarshal(raw, &tr); err != nil || !strings.HasPrefix(tr.Number, "DB") {
		t.Fatalf("the transfer %s: %v", raw, err)
	}

	b.Open(t, fmt.Sprintf("/transfers/%d", tr.ID), ".doc-detail .doc-lines")
	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")),
		poll(`(document.querySelector('.doc-detail .doc-status') || {}).innerText === '已审核'`),
		Settled(),
	)
	head := b.Text(t, ".doc-detail .doc-fields")
	for _, want := range []string{"调出门店/仓库", "wh-a", "调入门店/仓库", "store-b"} {
		if !strings.Contains(head, want) {
			t.Errorf("the transfer's header lacks %q: %q", want, head)
		}
	}
	if lines := b.Text(t, ".doc-detail .doc-lines"); !strings.Contains(lines, "在途") || !strings.Contains(lines, "已调入") {
		t.Errorf("the transfer's lines lack the in-transit and arrived columns: %q", lines)
	}

	// The destination's list has it; another store's has not.
	b.Open(t, "/transfers", ".doc-list .el-table")
	row := fmt.Sprintf(`[...document.querySelectorAll('.doc-list .el-table__body tr')].find(r => r.innerText.includes(%q))`, tr.Number)
	b.Do(t, pick(".doc-list .filter-site input", "store-b"), poll(`!!`+row), Settled())
	if text := Eval[string](t, b, row+`.innerText`); !strings.Contains(text, "wh-a → store-b") {
		t.Errorf("the transfer's row %q lacks wh-a → store-b", text)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-list .search-form .el-button:not(.el-button--primary)")), // reset
		Settled(),
		pick(".doc-list .filter-site input", "store-c"),
		poll(`!`+row),
		Settled(),
	)
	b.Screenshot(t, ScreenshotDir(t), "zh-transfers")
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestReadOnlyDocType opens the retail sales, which only the tills make:
// the list offers no create button, and the form's address leads home.
func TestReadOnlyDocType(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	b.Open(t, "/retail-sales", ".doc-list .el-table")
	if n := b.Count(t, "#doc-create"); n != 0 {
		t.Errorf("the retail sales list offers a create button")
	}
	if note := b.Text(t, ".doc-edge-note"); !strings.Contains(note, "只读") {
		t.Errorf("the retail sales list does not say it is read-only: %q", note)
	}
	if b.Count(t, "#doc-export") != 1 {
		t.Errorf("the retail sales list offers no export")
	}
	menu := Eval[string](t, b, `document.querySelector('#side-menu').textContent`)
	for _, want := range []string{"采购", "销售", "零售", "库存", "采购订单", "销售订单", "零售单", "调拨单", "其他出库单"} {
		if !strings.Contains(menu, want) {
			t.Errorf("the menu lacks %q: %q", want, menu)
		}
	}
	b.Do(t, chromedp.Navigate(c.URL+"/retail-sales/new"), chromedp.WaitVisible(chromedp.CSS("#side-menu")))
	if path := Eval[string](t, b, `location.pathname`); path != "/" {
		t.Errorf("/retail-sales/new ended at %q, want /", path)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
