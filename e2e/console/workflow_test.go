// These tests work what the document pages add to the generic ones:
// a sales order held over its customer's credit limit, released with a
// reason and picked; a purchase request approved in two levels by two
// users (one rejection on the way) and turned into a purchase order; the
// replenishment page making a draft purchase order for a site with stock
// limits; the stock alerts; and a count plan made in the form whose
// variance review shows concurrent counts fed as two handhelds' events.

package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// docRef is the part of a document the tests read from the API.
type docRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
}

// mustDoc posts a document and returns its id and number.
func mustDoc(t *testing.T, b *Browser, path string, body any) docRef {
	t.Helper()
	var d docRef
	raw := mustPost(t, b, path, body)
	if err := json.Unmarshal(raw, &d); err != nil || d.ID == 0 {
		t.Fatalf("POST %s: %s %v", path, raw, err)
	}
	return d
}

// answer fills the reason of an ElMessageBox prompt (class reason-box)
// and confirms it.
func answer(reason string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(".reason-box input")),
		Settled(),
		chromedp.SendKeys(chromedp.CSS(".reason-box input"), reason),
		chromedp.Click(chromedp.CSS(".reason-box .el-button--primary")),
		chromedp.WaitNotPresent(chromedp.CSS(".reason-box")),
	)
}

// statusIs waits until the document's status tag reads want.
func statusIs(want string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`(document.querySelector('.doc-detail .doc-status') || {}).innerText === %q`, want))
}

// signInAs signs out and signs in as user; a user made by CreateUser
// changes the one-time password to newPassword first.
func signInAs(t *testing.T, b *Browser, user, password, newPassword string) {
	t.Helper()
	b.Fetch(t, "POST", "/api/v1/auth/logout", nil)
	b.SignIn(t, user, password)
	if newPassword == "" {
		return
	}
	b.Do(t,
		chromedp.WaitVisible(chromedp.CSS("#pw-old")),
		chromedp.SendKeys(chromedp.CSS("#pw-old"), password),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), newPassword),
		chromedp.SendKeys(chromedp.CSS("#pw-new2"), newPassword),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitNotVisible(chromedp.CSS("#pw-old")),
	)
}

// TestSalesOrderCreditHold approves a sales order that takes its
// customer over the credit limit: it is held (banner, tag), shows the
// back order of a site without stock, is released with a reason, and a
// pick list is made from it.
func TestSalesOrderCreditHold(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	seedProduct(t, b, "CH-TEA", "铁观音")
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "wh-ch", "name": "信用测试仓", "type": "warehouse"})
	mustPost(t, b, "/api/v1/customers", map[string]any{"code": "CUS-CH", "name": "杭州茶馆", "credit_limit": 1000})
	so := mustDoc(t, b, "/api/v1/sales-orders", map[string]any{"partner": "CUS-CH", "site": "wh-ch",
		"date": time.Now().Format(time.DateOnly), "tax_included": true,
		"lines": []map[string]any{{"sku": "CH-TEA", "qty": 3, "price": 2000}}})

	b.Open(t, fmt.Sprintf("/sales-orders/%d", so.ID), ".doc-detail .doc-lines")
	b.Do(t, chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")), statusIs("已审核"), poll(`!!document.querySelector('.doc-hold')`), Settled())
	if n := b.Count(t, ".doc-detail .doc-hold-tag"); n != 1 {
		t.Errorf("the held order shows %d 冻结 tags, want 1", n)
	}
	if hold := b.Text(t, ".doc-detail .doc-hold"); !strings.Contains(hold, "已冻结") || !strings.Contains(hold, "超出信用额度") || strings.Contains(hold, "exposure") {
		t.Errorf("the hold banner reads %q", hold)
	}
	if lines := b.Text(t, ".doc-detail .doc-lines"); !strings.Contains(lines, "缺货") {
		t.Errorf("the lines of an order beyond availability show no back order: %q", lines)
	} else if bo := b.Text(t, ".doc-detail .line-back-order"); bo != "3" {
		t.Errorf("the back order is %q, want 3", bo)
	}
	if b.Count(t, ".doc-detail .doc-pick") != 0 {
		t.Errorf("a held order offers a pick list")
	}
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-sales-order-held")

	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-detail .doc-release")),
		answer("客户已预付货款"),
		poll(`!!document.querySelector('.doc-released')`),
		Settled(),
	)
	if r := b.Text(t, ".doc-detail .doc-released"); !strings.Contains(r, "客户已预付货款") {
		t.Errorf("the release banner reads %q, want the reason", r)
	}
	if b.Count(t, ".doc-detail .doc-hold") != 0 || b.Count(t, ".doc-detail .doc-release") != 0 {
		t.Errorf("the released order still shows its hold")
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-detail .doc-pick")),
		poll(`[...document.querySelectorAll('.doc-detail .doc-link')].some(e => e.innerText.startsWith('拣货单 JH'))`),
		Settled(),
	)
	history := Eval[[]string](t, b, `[...document.querySelectorAll('.doc-detail .doc-history .history-action')].map(e => e.innerText)`)
	if h := strings.Join(history, ","); !strings.Contains(h, "放行") {
		t.Errorf("the history %q lacks 放行", h)
	}
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-sales-order-released")

	// The pick list opens from the link, approved, made from the order.
	b.Do(t,
		chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('.doc-detail .doc-link')].find(e => e.innerText.startsWith('拣货单'))`)),
		poll(`location.pathname.startsWith('/pick-lists/')`),
		chromedp.WaitVisible(chromedp.CSS(".doc-detail .doc-lines")),
		statusIs("已审核"),
	)
	if from := b.Text(t, ".doc-detail .doc-links"); !strings.Contains(from, so.Number) {
		t.Errorf("the pick list does not name its order %s: %q", so.Number, from)
	}

	// 打印 opens the cloud's PDF (window.open and URL.createObjectURL are
	// stubbed to see what).
	b.Do(t,
		chromedp.Evaluate[chromedp.Void](`window.__w = {location: {href: ''}, closed: false, close() { this.closed = true }};
			window.open = () => window.__w;
			window.__make = URL.createObjectURL; URL.createObjectURL = (o) => { window.__blob = o; return window.__make.call(URL, o) }`),
		Settled(),
		chromedp.Click(chromedp.CSS(".doc-detail .doc-print-btn")),
		// Every 100 ms; on a timeout, log what the page requested.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`window.__w.location.href.startsWith('blob:') || window.__w.closed`,
				chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))(ctx, tg)
			if err != nil {
				v, _ := chromedp.Evaluate[string](`JSON.stringify({w: window.__w, btn: document.querySelector('.doc-print-btn').outerHTML.slice(0, 200), res: performance.getEntriesByType('resource').map(e => e.name.slice(-30) + ' ' + Math.round(e.duration)).slice(-8), msg: [...document.querySelectorAll('.el-message')].map(e => e.innerText)})`)(ctx, tg)
				t.Logf("打印 did not finish: %s", v)
			}
			return err
		}),
	)
	if head := Eval[string](t, b, `window.__w.closed ? 'closed' : window.__blob.slice(0, 5).text().then(s => window.__blob.type + ' ' + s)`); head != "application/pdf %PDF-" {
		t.Errorf("打印 opened %q, want a PDF (application/pdf %%PDF-)", head)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestApprovalLevels configures two approval levels for purchase
// requests (a 采购经理 from ¥0, an administrator from ¥1,000), rejects a
// request, has it signed by the manager and then the administrator, and
// makes its purchase order.
func TestApprovalLevels(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	seedProduct(t, b, "AL-TEA", "大红袍")
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-al", "name": "审批测试店", "type": "store"})
	mustPost(t, b, "/api/v1/suppliers", map[string]any{"code": "SUP-AL", "name": "武夷山茶厂"})
	mustPost(t, b, "/api/v1/roles", map[string]any{"name": "purchase_manager", "title": "Purchase manager", "title_zh": "采购经理",
		"permissions": []string{"product.view", "site.view", "partner.view", "purchase.view", "purchase.edit", "purchase.approve", "role.view", "audit.view"}})
	c.CreateUser(t, "mgr1", "first-pass-2026", "purchase_manager")

	// The settings: the ETag, then the levels.
	var settings map[string]any
	res := b.Fetch(t, "GET", "/api/v1/settings", nil)
	if err := json.Unmarshal(res.Body, &settings); err != nil {
		t.Fatalf("settings: %s %v", res.Body, err)
	}
	settings["approval_levels"] = []map[string]any{
		{"doc_type": "purchase_request", "min_gross": 0, "role": "purchase_manager"},
		{"doc_type": "purchase_request", "min_gross": 100000, "role": "administrator"},
	}
	settings["company_name"] = "杭州茗香贸易有限公司"
	put := Eval[APIResult](t, b, fmt.Sprintf(`(async () => {
		const me = await (await fetch('/api/v1/auth/me')).json();
		const g = await fetch('/api/v1/settings');
		const r = await fetch('/api/v1/settings', {method: 'PUT', body: %q, headers: {'Content-Type': 'application/json',
			'X-CSRF-Token': me.csrf_token, 'If-Match': g.headers.get('ETag') || '"0"'}});
		return {status: r.status, body: await r.json()};
	})()`, mustJSON(t, settings)))
	if put.Status != 200 {
		t.Fatalf("PUT /settings: %d %s", put.Status, put.Body)
	}
	// The settings page shows them.
	b.Open(t, "/settings", ".approval-levels")
	if n := b.Count(t, ".approval-levels .el-table__body tr"); n != 2 {
		t.Errorf("the settings page lists %d approval levels, want 2", n)
	}
	if v := Eval[string](t, b, `document.querySelector('input[name="company_name"]').value`); v != "杭州茗香贸易有限公司" {
		t.Errorf("the company name reads %q", v)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-settings-approval-levels")

	pr := mustDoc(t, b, "/api/v1/purchase-requests", map[string]any{"site": "store-al", "date": time.Now().Format(time.DateOnly),
		"tax_included": true, "lines": []map[string]any{{"sku": "AL-TEA", "qty": 10, "price": 20000}}})
	path := fmt.Sprintf("/purchase-requests/%d", pr.ID)

	// The administrator cannot sign level 1, but may send it back.
	b.Open(t, path, ".doc-detail .doc-approvals")
	if next := b.Text(t, ".doc-detail .approval-next"); !strings.Contains(next, "1/2") || !strings.Contains(next, "采购经理") {
		t.Errorf("the request's next level reads %q, want 1/2 by 采购经理", next)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-detail .doc-reject")),
		answer("数量需要核实"),
		poll(`!!document.querySelector('.doc-rejected')`),
		Settled(),
	)
	if r := b.Text(t, ".doc-detail .doc-rejected"); !strings.Contains(r, "已驳回") || !strings.Contains(r, "数量需要核实") {
		t.Errorf("the rejection reads %q", r)
	}
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-purchase-request-rejected")

	// The manager signs level 1: still a draft, awaiting level 2.
	signInAs(t, b, "mgr1", "first-pass-2026", "mgr1-own-pass-2026")
	b.Open(t, path, ".doc-detail .doc-approve")
	if label := b.Text(t, ".doc-detail .doc-approve"); !strings.Contains(label, "1/2") {
		t.Errorf("the approve button reads %q, want level 1/2", label)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")),
		poll(`!!document.querySelector('.doc-detail .approval-signed')`),
		Settled(),
	)
	if s := b.Text(t, ".doc-detail .doc-status"); s != "草稿" {
		t.Errorf("after level 1 the request is %q, want 草稿", s)
	}
	if signed := b.Text(t, ".doc-detail .approval-signed"); !strings.Contains(signed, "第 1 级") || !strings.Contains(signed, "mgr1") {
		t.Errorf("the signed level reads %q", signed)
	}
	if next := b.Text(t, ".doc-detail .approval-next"); !strings.Contains(next, "2/2") || !strings.Contains(next, "管理员") {
		t.Errorf("the next level reads %q, want 2/2 by 管理员", next)
	}
	if b.Count(t, ".doc-detail .doc-rejected") != 0 {
		t.Errorf("the rejection is still shown after a new signature")
	}
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-purchase-request-level1")

	// The administrator signs level 2: approved; then the purchase order.
	signInAs(t, b, "admin", adminPassword, "")
	b.Open(t, path, ".doc-detail .doc-approve")
	b.Do(t, chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")), statusIs("已审核"), Settled())
	if n := b.Count(t, ".doc-detail .approval-signed"); n != 2 {
		t.Errorf("the approved request shows %d signed levels, want 2", n)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".doc-detail .doc-request-order")),
		chromedp.WaitVisible(chromedp.CSS(".supplier-dialog .supplier-pick")),
		Settled(),
		pick(".supplier-dialog .supplier-pick input", "SUP-AL"),
		// The closing dropdown lies over the buttons until it is gone.
		poll(`!document.querySelector('.supplier-dialog .supplier-ok').disabled &&
			![...document.querySelectorAll('.el-select-dropdown')].some(e => e.offsetParent !== null)`),
		Settled(),
		chromedp.Click(chromedp.CSS(".supplier-dialog .supplier-ok")),
		poll(`location.pathname.startsWith('/purchase-orders/')`),
		chromedp.WaitVisible(chromedp.CSS(".doc-detail .doc-lines")),
		statusIs("草稿"),
	)
	if n := b.Text(t, ".doc-detail .doc-number"); !strings.HasPrefix(n, "CG") {
		t.Errorf("the order made of the request is numbered %q", n)
	}
	if links := b.Text(t, ".doc-detail .doc-links"); !strings.Contains(links, pr.Number) {
		t.Errorf("the order does not name its request %s: %q", pr.Number, links)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestReplenishment sets a store's stock limits, finds the suggestion on
// the 补货建议 page grouped under the chosen supplier, and makes its draft
// purchase order; the 库存预警 page and the home card list the SKU below
// its min.
func TestReplenishment(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	seedProduct(t, b, "RP-TEA", "白毫银针")
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-rp", "name": "补货测试店", "type": "store"})
	mustPost(t, b, "/api/v1/suppliers", map[string]any{"code": "SUP-RP", "name": "福鼎白茶合作社"})
	mustPost(t, b, "/api/v1/stock-limits", map[string]any{"site": "store-rp", "sku": "RP-TEA", "min": 10, "max": 50})

	b.Open(t, "/replenishment", ".replenishment .repl-form")
	if title := b.Text(t, ".page-title"); title != "补货建议" {
		t.Errorf("the page title is %q, want 补货建议", title)
	}
	b.Do(t,
		pick(".replenishment .repl-site input", "store-rp"),
		pick(".replenishment .repl-supplier input", "SUP-RP"),
		chromedp.Click(chromedp.CSS("#repl-run")),
		poll(`!!document.querySelector('.repl-group[data-supplier="SUP-RP"] .repl-table')`),
		Settled(),
	)
	group := b.Text(t, `.repl-group[data-supplier="SUP-RP"]`)
	for _, want := range []string{"福鼎白茶合作社", "RP-TEA", "白毫银针", "10 / 50"} {
		if !strings.Contains(group, want) {
			t.Errorf("the supplier's group lacks %q: %q", want, group)
		}
	}
	if q := b.Text(t, `.repl-group[data-supplier="SUP-RP"] .repl-qty`); q != "50" {
		t.Errorf("the suggested quantity is %q, want 50 (up to the max)", q)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-replenishment")
	b.Do(t,
		chromedp.Click(chromedp.CSS(`.repl-group[data-supplier="SUP-RP"] .repl-make`)),
		poll(`location.pathname.startsWith('/purchase-orders/')`),
		chromedp.WaitVisible(chromedp.CSS(".doc-detail .doc-lines")),
		statusIs("草稿"),
	)
	head, lines := b.Text(t, ".doc-detail .doc-fields"), b.Text(t, ".doc-detail .doc-lines")
	if !strings.Contains(head, "SUP-RP") || !strings.Contains(head, "store-rp") || !strings.Contains(lines, "RP-TEA") {
		t.Errorf("the draft order made of the suggestion: header %q, lines %q", head, lines)
	}

	b.Open(t, "/stock-alerts", ".stock-alerts .alerts-table")
	b.Do(t, poll(`document.querySelector('.stock-alerts .alerts-table').innerText.includes('RP-TEA')`), Settled())
	if row := b.Text(t, ".stock-alerts .alerts-table .el-table__body"); !strings.Contains(row, "低于下限") {
		t.Errorf("the alert of RP-TEA reads %q, want 低于下限", row)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-stock-alerts")
	b.Open(t, "/", "#home-alerts")
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-home-alerts")
	if card := b.WaitText(t, "#home-alerts", "RP-TEA"); !strings.Contains(card, "RP-TEA") {
		t.Errorf("the home page's alerts card lacks RP-TEA: %q", card)
	}

	// The supplier's performance (no receipts yet: an empty state) and its
	// tolerance in the form.
	b.Open(t, "/suppliers", ".resource-page .row-performance")
	b.Do(t,
		chromedp.Click(chromedp.CSS(".resource-page .row-performance")),
		chromedp.WaitVisible(chromedp.CSS(".performance-dialog .perf-empty")),
		Settled(),
	)
	if title := b.Text(t, ".performance-dialog .el-dialog__title"); !strings.Contains(title, "供应商绩效") || !strings.Contains(title, "SUP-RP") {
		t.Errorf("the performance dialog's title reads %q", title)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-supplier-performance")
	// The chart, drawn from a performance answer stubbed in the page
	// (receipts are made at the sites, which this test has none of).
	b.Do(t,
		chromedp.Click(chromedp.CSS(".performance-dialog .el-dialog__headerbtn")),
		chromedp.WaitNotPresent(chromedp.CSS(".performance-dialog")),
		Settled(),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const real = window.fetch;
			const monthly = ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'].map((p, i) => {
				const d = [10000, 8000, 6667, 10000, 7500, 10000][i], q = [10000, 9500, 9000, 8000, 10000, 9800][i], s = (d + q) / 2;
				return {period: p, receipts: 4, on_time: 3, received: 100, returned: 2, delivery: d, quality: q, score: s,
					band: s >= 8000 ? '优秀 excellent' : s >= 5000 ? '一般 fair' : s >= 3000 ? '差 poor' : '很差 very poor'};
			});
			window.fetch = (u, o) => String(u).includes('/performance') ? Promise.resolve(new Response(JSON.stringify({supplier: 'SUP-RP',
				name: '福鼎白茶合作社', months: 12, from: '2025-12', to: '2026-11', delivery_weight: 50, quality_weight: 50, monthly,
				overall: {as_of: '2026-11', score: 8912, band: '优秀 excellent', periods: 6, rating: 4}}),
				{headers: {'Content-Type': 'application/json'}})) : real(u, o);
		})()`),
		chromedp.Click(chromedp.CSS(".resource-page .row-performance")),
		chromedp.WaitVisible(chromedp.CSS(".performance-dialog .perf-chart canvas")),
		Settled(),
	)
	if band := b.Text(t, ".performance-dialog .perf-band"); band != "优秀" {
		t.Errorf("the overall band reads %q, want 优秀", band)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-supplier-performance-chart")
	b.Do(t,
		chromedp.Click(chromedp.CSS(".performance-dialog .el-dialog__headerbtn")),
		chromedp.WaitNotPresent(chromedp.CSS(".performance-dialog")),
		Settled(),
		chromedp.Click(chromedp.CSS(".resource-page .row-edit")),
		chromedp.WaitVisible(chromedp.CSS(`.record-dialog [data-field="tolerance_percent"]`)),
	)
	if f := b.Text(t, `.record-dialog [data-field="tolerance_percent"]`); !strings.Contains(f, "超量容差") {
		t.Errorf("the supplier form's tolerance field reads %q", f)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// feedCounts stores what two handhelds of site did, as ingest stores
// their batches: the first received 10 of sku in bin A-01 and then
// counted 8 there; the second, not having seen either, counted 9. The
// two counts are concurrent: a conflict.
func feedCounts(t *testing.T, c *Cloud, site, plan, sku string) {
	t.Helper()
	now := syncproto.HLC(time.Now().UnixMilli()) << 16
	a, b := syncproto.ReplicaID(0x2000), syncproto.ReplicaID(0x2001)
	batches := []struct {
		r      syncproto.ReplicaID
		bodies []*pb.Event
	}{
		{a, []*pb.Event{
			{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A-01", Sku: sku, Qty: 10, Reason: "receive"}}},
			{Body: &pb.Event_Count{Count: &pb.Count{Bin: "A-01", Sku: sku, Counted: 8, Operator: "张三", Device: "pda-1", Doc: plan,
				Ctx: []*pb.VVEntry{{Replica: uint64(a), Seq: 1}}}}},
		}},
		{b, []*pb.Event{
			{Body: &pb.Event_Count{Count: &pb.Count{Bin: "A-01", Sku: sku, Counted: 9, Operator: "李四", Device: "pda-2", Doc: plan}}},
		}},
	}
	for i, bt := range batches {
		batch := &syncproto.Batch{Version: syncproto.Version, Tenant: defaultTenant, Site: site, Replica: bt.r, From: 1, To: uint64(len(bt.bodies))}
		for j, body := range bt.bodies {
			e, err := syncproto.NewEvent(bt.r, uint64(j+1), now+syncproto.HLC(10*i+j+1), site, body)
			if err != nil {
				t.Fatal(err)
			}
			batch.Events = append(batch.Events, e)
		}
		if _, err := c.Store.ApplyBatch(context.Background(), batch); err != nil {
			t.Fatalf("store the counts of replica %s: %v", bt.r, err)
		}
	}
}

// TestCountPlanVariances makes a count plan of a bin in the form (blind),
// approves it, feeds two concurrent counts naming it, and reviews the
// variance (conflict highlighted, both observations listed) before
// approving it.
func TestCountPlanVariances(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	seedProduct(t, b, "CP-TEA", "六安瓜片")
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "wh-cp", "name": "盘点测试仓", "type": "warehouse"})

	b.Open(t, "/count-plans/new", ".doc-form")
	if b.Count(t, ".doc-form .doc-form-lines") != 0 {
		t.Errorf("a count of the whole site shows lines")
	}
	b.Do(t,
		pick(`.doc-form [data-field="site"] input`, "wh-cp"),
		pick(`.doc-form [data-field="scope"] input`, "按库位"),
		chromedp.WaitVisible(chromedp.CSS(`.doc-form [data-field="bins"] input`)),
		chromedp.SendKeys(chromedp.CSS(`.doc-form [data-field="bins"] input`), "A-01\r"),
		Settled(),
	)
	b.Screenshot(t, ScreenshotDir(t), "zh-count-plan-form")
	b.Do(t,
		chromedp.Click(chromedp.CSS("#doc-save")),
		poll(`!!document.querySelector('.doc-detail .doc-approve')`),
		Settled(),
	)
	fields := b.Text(t, ".doc-detail .doc-fields")
	for _, want := range []string{"按库位", "A-01", "盲盘"} {
		if !strings.Contains(fields, want) {
			t.Errorf("the plan's header lacks %q: %q", want, fields)
		}
	}
	b.Do(t, chromedp.Click(chromedp.CSS(".doc-detail .doc-approve")), statusIs("已审核"), chromedp.WaitVisible(chromedp.CSS(".count-variances .cv-empty")), Settled())

	plan := b.Text(t, ".doc-detail .doc-number")
	feedCounts(t, c, "wh-cp", plan, "CP-TEA")
	// The counts reach the review once the projection has read them:
	// refresh it until they show.
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`(() => {
			if (document.querySelector('.cv-lines .variance-conflict')) return true;
			document.querySelector('.count-variances .cv-refresh').click();
			return false;
		})()`, chromedp.WithPollingInterval(500*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))(ctx, tg)
		return err
	}), Settled())
	table := b.Text(t, ".count-variances .cv-lines")
	for _, want := range []string{"A-01", "CP-TEA", "冲突"} {
		if !strings.Contains(table, want) {
			t.Errorf("the variance review lacks %q: %q", want, table)
		}
	}
	if conflicts := b.Text(t, ".count-variances .cv-conflicts"); !strings.Contains(conflicts, "1") {
		t.Errorf("the review's conflict count reads %q", conflicts)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS(".count-variances .cv-lines .el-table__expand-icon")),
		chromedp.WaitVisible(chromedp.CSS(".count-variances .cv-observations")),
		Settled(),
	)
	obs := b.Text(t, ".count-variances .cv-observations")
	for _, want := range []string{"张三", "李四", "pda-1", "pda-2", "当前采用"} {
		if !strings.Contains(obs, want) {
			t.Errorf("the observations lack %q: %q", want, obs)
		}
	}
	b.Do(t, clearMessages(), Settled())
	b.Screenshot(t, ScreenshotDir(t), "zh-count-variances")

	b.Do(t,
		chromedp.Click(chromedp.CSS(".count-variances .cv-approve")),
		chromedp.WaitVisible(chromedp.CSS(".el-message-box")),
		Settled(),
		chromedp.Click(chromedp.CSS(".el-message-box .el-button--primary")),
		chromedp.WaitVisible(chromedp.CSS(".count-variances .cv-approved")),
		statusIs("已盘点"),
	)
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
