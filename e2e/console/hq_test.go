// These tests work what HQ records itself: a receipt keyed in against a
// purchase order for a site without an agent, an other out approved at HQ
// (both written as the cloud's own replica of the site), and a count plan
// by category, whose SKU lines appear when it is approved.

package console_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// approveAPI approves a document through the API (version 1).
func approveAPI(t *testing.T, b *Browser, path string, id int64) {
	t.Helper()
	res := Eval[APIResult](t, b, fmt.Sprintf(`(async () => {
		const me = await (await fetch('/api/v1/auth/me')).json();
		const r = await fetch('/api/v1/%s/%d/approve', {method: 'POST', headers: {'If-Match': '"1"', 'X-CSRF-Token': me.csrf_token}});
		return {status: r.status, body: await r.text()};
	})()`, path, id))
	if res.Status != 200 {
		t.Fatalf("approve %s %d: %d %s", path, id, res.Status, res.Body)
	}
}

func TestHQReceiptAndOtherOut(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	seedProduct(t, b, "HQ-CUP", "青花杯")
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "shop-hq", "name": "无终端门店", "type": "store"})
	mustPost(t, b, "/api/v1/suppliers", map[string]any{"code": "SUP-HQ", "name": "景德镇瓷器"})
	var po struct {
		ID     int64  `json:"id"`
		Number string `json:"number"`
	}
	body := mustPost(t, b, "/api/v1/purchase-orders", map[string]any{"partner": "SUP-HQ", "site": "shop-hq", "date": "2026-11-25",
		"lines": []any{map[string]any{"sku": "HQ-CUP", "qty": 10, "price": 800}}})
	if err := json.Unmarshal(body, &po); err != nil {
		t.Fatal(err)
	}
	approveAPI(t, b, "purchase-orders", po.ID)

	// 总部收货: 6 of 10 into bin R-1.
	b.Open(t, fmt.Sprintf("/purchase-orders/%d", po.ID), ".doc-detail .doc-receive-hq")
	b.Do(t,
		Settled(),
		chromedp.Click(chromedp.CSS(".doc-detail .doc-receive-hq")),
		chromedp.WaitVisible(chromedp.CSS(".receive-dialog .receive-qty input")),
		Settled(),
		SetValue(".receive-dialog .receive-qty input", "6"),
		chromedp.SendKeys(chromedp.CSS(".receive-dialog .receive-qty input"), "\t"),
		SetValue(".receive-dialog .receive-bin input", "R-1"),
		Settled(),
		chromedp.Click(chromedp.CSS(".receive-dialog .receive-ok")),
		poll(`(document.querySelector('.doc-detail .doc-status') || {}).innerText === '部分入库'`),
		Settled(),
	)
	if lines := b.Text(t, ".doc-detail .doc-lines"); !strings.Contains(lines, "6 / 10") {
		t.Errorf("the order's line after 6 received at HQ: %q", lines)
	}
	b.Do(t, poll(`document.querySelector('.doc-detail .doc-links').innerText.includes('RK')`))
	b.Screenshot(t, ScreenshotDir(t), "zh-po-received-at-hq")

	// An other out (报损) of 2 at HQ, approved in the detail: done.
	var qc struct {
		ID int64 `json:"id"`
	}
	body = mustPost(t, b, "/api/v1/other-outs", map[string]any{"site": "shop-hq", "date": "2026-11-25", "reason": "scrap",
		"lines": []any{map[string]any{"sku": "HQ-CUP", "qty": 2, "bin": "R-1"}}})
	if err := json.Unmarshal(body, &qc); err != nil {
		t.Fatal(err)
	}
	b.Open(t, fmt.Sprintf("/other-outs/%d", qc.ID), ".doc-detail .doc-approve")
	b.Do(t,
		Settled(),
		chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")),
		poll(`(document.querySelector('.doc-detail .doc-status') || {}).innerText === '已完成'`),
	)
	res := b.Fetch(t, "GET", "/api/v1/stock?site=shop-hq&sku=HQ-CUP", nil)
	var stock struct {
		Rows []struct {
			Qty int64 `json:"qty"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(res.Body, &stock); err != nil || len(stock.Rows) != 1 || stock.Rows[0].Qty != 4 {
		t.Errorf("stock at shop-hq after 6 in and 2 scrapped: %s", res.Body)
	}
	// The other out's form has bins on its lines.
	b.Open(t, "/other-outs", ".doc-list .el-table")
	b.Do(t, chromedp.Click(chromedp.CSS("#doc-create")), chromedp.WaitVisible(chromedp.CSS(".doc-form .line-bin")))
}

func TestCountPlanByCategory(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	mustPost(t, b, "/api/v1/units", map[string]any{"code": "件", "name": "件", "weight": false})
	var cat struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(mustPost(t, b, "/api/v1/categories", map[string]any{"code": "CUPS", "name": "杯具"}), &cat); err != nil {
		t.Fatal(err)
	}
	mustPost(t, b, "/api/v1/products", map[string]any{"code": "MUG", "name": "马克杯", "base_unit": "件", "category_id": cat.ID,
		"skus": []map[string]any{{"code": "MUG-1", "attrs": map[string]string{}, "barcodes": []string{}}}})
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "shop-cc", "name": "门店", "type": "store"})

	b.Open(t, "/count-plans", ".doc-list .el-table")
	b.Do(t,
		chromedp.Click(chromedp.CSS("#doc-create")),
		chromedp.WaitVisible(chromedp.CSS(".doc-form")),
		Settled(),
		pick(`.doc-form [data-field="site"] input`, "shop-cc"),
		pick(`.doc-form [data-field="scope"] input`, "按分类"),
		Settled(),
		pick(`.doc-form [data-field="category"] input`, "CUPS"),
		Settled(),
		chromedp.Click(chromedp.CSS("#doc-save")),
		poll(`!!document.querySelector('.doc-detail .doc-approve')`),
		Settled(),
		chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")),
		poll(`(document.querySelector('.doc-detail .doc-status') || {}).innerText === '已审核'`),
		poll(`!!document.querySelector('.doc-detail .doc-lines') && document.querySelector('.doc-detail .doc-lines').innerText.includes('MUG-1')`),
	)
	if scope := b.Text(t, ".doc-detail .doc-scope"); !strings.Contains(scope, "按分类") || !strings.Contains(scope, "CUPS") {
		t.Errorf("the plan's scope reads %q", scope)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-count-plan-category")
}
