// This test works the purchase order pages against the purchase order
// API (cloud/docs).

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

	b.Open(t, "/purchase-orders", ".po-page .el-table")
	b.Do(t,
		chromedp.Click(chromedp.CSS("#po-create")),
		chromedp.WaitVisible(chromedp.CSS(".po-dialog .po-form")),
		Settled(),
		pick(`.po-dialog [data-field="partner"] input`, "SUP-PO"),
		pick(`.po-dialog [data-field="site"] input`, "store-po"),
		pick(`.po-dialog .line-sku input`, "PO-TEA"),
		chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector('.po-dialog .line-qty input');
			i.value = '12'; i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new Event('change', {bubbles: true})) })()`),
		chromedp.SendKeys(chromedp.CSS(".po-dialog .line-price input"), "8.50\r"),
		Settled(),
		chromedp.Click(chromedp.CSS("#record-save")),
	)
	var err error
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err = chromedp.Poll[bool](`!!document.querySelector('.po-dialog .po-approve')`, chromedp.WithPollingTimeout(30*time.Second))(ctx, tg)
		return nil
	}))
	if err != nil {
		t.Fatalf("the saved order offers no approve button: %q", Eval[string](t, b, `(document.querySelector('.po-dialog') || {}).innerText || ''`))
	}
	number := Eval[string](t, b, `document.querySelector('.po-dialog .el-dialog__title').innerText.split(' ')[0]`)
	if !strings.HasPrefix(number, "CG") {
		t.Errorf("the saved order's number is %q, want CG…", number)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".po-dialog .po-approve")),
		poll(`(document.querySelector('.po-dialog .po-status') || {}).innerText === '已审核'`),
		chromedp.Click(chromedp.CSS(".po-dialog .el-dialog__headerbtn")),
	)
	row := fmt.Sprintf(`[...document.querySelectorAll('.po-page .el-table__body tr')].find(r => r.innerText.includes(%q) && r.innerText.includes('已审核'))`, number)
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
