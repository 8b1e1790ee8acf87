// This test works the purchase order pages (the generic document pages,
// web/src/views/docs) against the purchase order API (cloud/docs).

package console_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pick types text into a filterable select and clicks the first option
// whose text starts with it.
func pick(sel, text string) chromedp.Action[chromedp.Void] {
	option := fmt.Sprintf(`[...document.querySelectorAll('.el-select-dropdown__item')]
		.filter(e => e.offsetParent !== null && e.textContent.trim().startsWith(%q))`, text)
	return chromedp.Steps(
		chromedp.SendKeys(chromedp.CSS(sel), text),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](option+`.length > 0`, chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
			return err
		}),
		Settled(),
		chromedp.Click(chromedp.JSPath(option)),
	)
}

// setQty sets the quantity of the form's line i (0-based).
func setQty(i, qty int) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const i = document.querySelectorAll('.doc-form .line-qty input')[%d];
		i.value = '%d'; i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new Event('change', {bubbles: true})) })()`, i, qty))
}

// poll waits until expr is true in the page.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second))(ctx, tg)
		return err
	})
}

// TestPurchaseOrder creates a purchase order of one line in the form,
// saves it, approves it and finds it in the list as 已审核 with its
// 价税合计.
func TestPurchaseOrder(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	mustPost(t, b, "/api/v1/units", map[string]any{"code": "件", "name": "件", "weight": false})
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-po", "name": "采购测试店", "type": "store"})
	mustPost(t, b, "/api/v1/suppliers", map[string]any{"code": "SUP-PO", "name": "华东茶叶供应商"})
	mustPost(t, b, "/api/v1/products", map[string]any{
		"code": "PO-TEA", "name": "龙井茶", "base_unit": "件", "vat_rate": 13,
		"skus": []map[string]any{{"code": "PO-TEA", "attrs": map[string]string{}, "barcodes": []string{}}},
	})

	b.Open(t, "/purchase-orders", ".doc-list .el-table")
	b.Do(t,
		chromedp.Click(chromedp.CSS("#doc-create")),
		chromedp.WaitVisible(chromedp.CSS(".doc-form")),
		Settled(),
		pick(`.doc-form [data-field="partner"] input`, "SUP-PO"),
		pick(`.doc-form [data-field="site"] input`, "store-po"),
		pick(`.doc-form .line-sku input`, "PO-TEA"),
		setQty(0, 12),
		chromedp.SendKeys(chromedp.CSS(".doc-form .line-price input"), "8.50\r"),
		Settled(),
		chromedp.Click(chromedp.CSS("#doc-save")),
	)
	var err error
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err = chromedp.Poll[bool](`!!document.querySelector('.doc-detail .doc-approve')`, chromedp.WithPollingTimeout(30*time.Second))(ctx, tg)
		return nil
	}))
	if err != nil {
		t.Fatalf("the saved order offers no approve button: %q", Eval[string](t, b, `(document.querySelector('.page') || {}).innerText || ''`))
	}
	number := b.Text(t, ".doc-detail .doc-number")
	if !strings.HasPrefix(number, "CG") {
		t.Errorf("the saved order's number is %q, want CG…", number)
	}
	b.Do(t,
		Settled(),
		chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")),
		poll(`(document.querySelector('.doc-detail .doc-status') || {}).innerText === '已审核'`),
		Settled(),
		chromedp.Click(chromedp.CSS(".doc-detail .doc-back")),
		chromedp.WaitVisible(chromedp.CSS(".doc-list .el-table")),
	)
	row := fmt.Sprintf(`[...document.querySelectorAll('.doc-list .el-table__body tr')].find(r => r.innerText.includes(%q) && r.innerText.includes('已审核'))`, number)
	b.Do(t, poll(`!!`+row))
	text := Eval[string](t, b, row+`.innerText`)
	if !strings.Contains(text, "¥102.00") || !strings.Contains(text, "SUP-PO") {
		t.Errorf("the order's row %q lacks the supplier SUP-PO or the gross ¥102.00", text)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-purchase-orders")
}
