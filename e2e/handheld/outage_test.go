package handheld_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jxc-edge/jxc/internal/testenv"
)

const (
	tenant        = "default"
	adminPassword = "handheld-admin-2026"
	site          = "store-1"
	clerk         = "li.dian"
	clerkPassword = "handheld-clerk-2026"
	sku           = "TEA-1"
	barcode       = "6901234567892"
	price         = 1250 // fen
)

// doc is what the test reads of a cloud document.
type doc struct {
	ID      int64  `json:"id"`
	Number  string `json:"number"`
	Version int64  `json:"version"`
	Status  string `json:"status"`
	Gross   int64  `json:"gross"`
	Site    string `json:"site"`
	Lines   []struct {
		SKU  string `json:"sku"`
		Done int64  `json:"done"`
	} `json:"lines"`
}

// TestHandheldOffline: HQ approves a purchase order and a blind count
// plan for a store; the store's agent gets them and its users, then loses
// the broker. On the agent's own pages, on a phone, a user of the store
// signs in, receives part of the order by scans typed with Enter (an
// over-receipt is refused in Chinese), counts a bin, and sells at the
// till for cash with change: every page says 已保存 and 待同步. The
// broker comes back, the items turn 已同步, and the cloud has the order
// partly received, the retail sale and the count.
func TestHandheldOffline(t *testing.T) {
	shots := screenshotDir(t)
	broker := testenv.StartMosquitto(t)

	// The cloud, on SQLite, with the real broker.
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	t.Setenv("JXC_ADMIN_PASSWORD", adminPassword)
	testenv.StartProcess(t, "jxc-cloud", binary(t, "jxc-cloud"), "--db", "sqlite:"+t.TempDir()+"/cloud.db",
		"--broker", broker.URL, "--listen", addr, "--client-id", "handheld-e2e-cloud")
	cloudURL := "http://" + addr
	waitHTTP(t, cloudURL+"/healthz")
	hq := newClient(cloudURL)
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	hq.must(t, 200, "POST", "/api/v1/auth/login", map[string]string{"tenant": tenant, "username": "admin", "password": adminPassword}, &me)
	hq.csrf = me.CSRF
	for _, r := range []struct {
		path string
		body map[string]any
	}{
		{"/api/v1/units", map[string]any{"code": "个", "name": "个"}},
		{"/api/v1/sites", map[string]any{"code": site, "name": "一号店", "type": "store"}},
		{"/api/v1/bins", map[string]any{"code": "A-01", "name": "货架 A-01", "site": site}},
		{"/api/v1/bins", map[string]any{"code": "B-01", "name": "仓 B-01", "site": site}},
		{"/api/v1/suppliers", map[string]any{"code": "S1", "name": "茶具供应商"}},
		{"/api/v1/products", map[string]any{"code": "TEA", "name": "青花茶杯", "base_unit": "个",
			"skus": []any{map[string]any{"code": sku, "retail_price": price, "barcodes": []string{barcode}}}}},
		{"/api/v1/stock-limits", map[string]any{"site": site, "sku": sku, "min": 50, "max": 500}},
		{"/api/v1/users", map[string]any{"name": clerk, "display_name": "李店长", "password": clerkPassword,
			"roles": []string{"store_manager"}, "scope": map[string]any{"all": true}}},
	} {
		hq.must(t, 201, "POST", r.path, r.body, nil)
	}
	approve := func(path string, d doc) doc {
		t.Helper()
		var out doc
		hq.must(t, 200, "POST", "/api/v1/"+path+"/"+strconv.FormatInt(d.ID, 10)+"/approve", nil, &out, "If-Match", `"`+strconv.FormatInt(d.Version, 10)+`"`)
		return out
	}
	var po, plan doc
	hq.must(t, 201, "POST", "/api/v1/purchase-orders", map[string]any{"partner": "S1", "site": site, "date": "2026-11-25",
		"lines": []any{map[string]any{"sku": sku, "qty": 10, "price": 800, "bin": "A-01"}}}, &po)
	po = approve("purchase-orders", po)
	hq.must(t, 201, "POST", "/api/v1/count-plans", map[string]any{"site": site, "date": "2026-11-25", "scope": "bins",
		"bins": []string{"A-01"}, "blind": true, "lines": []any{}}, &plan)
	plan = approve("count-plans", plan)

	// The store's agent, the jxc-agent binary, with the same broker.
	agentAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	testenv.StartProcess(t, "jxc-agent", binary(t, "jxc-agent"), "--data", t.TempDir(), "--tenant", tenant, "--site", site,
		"--broker", broker.URL, "--listen", agentAddr)
	agentURL := "http://" + agentAddr
	waitHTTP(t, agentURL+"/healthz")
	ag := newClient(agentURL)
	// It holds the users (a sign-in works), the order, the plan and the product.
	testenv.WaitFor(t, 90*time.Second, func() error {
		var s struct {
			Token string `json:"token"`
		}
		if st := ag.do(t, "POST", "/api/v1/session", map[string]string{"user": clerk, "password": clerkPassword}, &s); st != 201 {
			return fmt.Errorf("sign-in at the agent: %d", st)
		}
		ag.bearer = s.Token
		for _, p := range []string{"/api/v1/work/documents/purchase_order/" + po.Number, "/api/v1/work/documents/count_plan/" + plan.Number, "/api/v1/products/" + barcode} {
			if st := ag.do(t, "GET", p, nil, nil); st != 200 {
				return fmt.Errorf("GET %s at the agent: %d", p, st)
			}
		}
		return nil
	})
	syncState := func() (connected bool, last, acked uint64) {
		var s struct {
			Connected bool   `json:"connected"`
			Last      uint64 `json:"last_seq"`
			Acked     uint64 `json:"acked_seq"`
		}
		ag.must(t, 200, "GET", "/api/v1/sync", nil, &s)
		return s.Connected, s.Last, s.Acked
	}

	// The link is cut: the broker stops, and the agent knows it.
	broker.Stop()
	testenv.WaitFor(t, time.Minute, func() error {
		if c, _, _ := syncState(); c {
			return fmt.Errorf("the agent still says it is connected")
		}
		return nil
	})
	_, _, ackedBefore := syncState()

	b := newBrowser(t)
	b.do(t, chromedp.Navigate(agentURL+"/"), chromedp.WaitVisible(chromedp.CSS("#login-user")))
	b.do(t, chromedp.SendKeys(chromedp.CSS("#login-user"), clerk), chromedp.SendKeys(chromedp.CSS("#login-password"), clerkPassword))
	b.waitText(t, "#sync-indicator", 10*time.Second, "离线")
	b.screenshot(t, shots, "zh-login")
	b.do(t, chromedp.Click(chromedp.CSS("#login-submit")), chromedp.WaitVisible(chromedp.CSS("#tile-receive")))
	b.waitText(t, "#hello", 5*time.Second, "李店长")
	b.waitText(t, "body", 5*time.Second, "收货", "拣货", "盘点", "调拨", "其他出入库", "收银", "库存查询", "预警")
	b.screenshot(t, shots, "zh-home")
	home := func() {
		t.Helper()
		b.do(t, chromedp.Click(chromedp.CSS(".van-nav-bar__left")), chromedp.WaitVisible(chromedp.CSS("#tile-receive")))
	}

	// 收货: the order, an over-receipt refused, three scans typed with Enter.
	b.do(t, chromedp.Click(chromedp.CSS("#tile-receive")), chromedp.WaitVisible(chromedp.CSS(".po-item")))
	b.waitText(t, ".po-item", 5*time.Second, po.Number, "0/10")
	b.do(t, chromedp.Click(chromedp.CSS(".po-item")), chromedp.WaitVisible(chromedp.CSS("#scan")))
	b.waitText(t, ".outcome", 10*time.Second, "已保存", "开始收货", "待同步")
	if f := b.focused(t); f != "scan" {
		t.Errorf("the focus is on %q, want the scan field", f)
	}
	b.fill(t, "#scan-qty", "20")
	b.do(t, chromedp.SendKeys(chromedp.CSS("#scan"), barcode+"\r"))
	b.waitText(t, ".outcome-err", 10*time.Second, "超收")
	if b.count(t, "#override") != 1 {
		t.Error("a store manager (purchase.approve) is not offered to confirm the over-receipt")
	}
	b.screenshot(t, shots, "zh-receive-over")
	for range 3 {
		b.do(t, chromedp.SendKeys(chromedp.CSS("#scan"), barcode+"\r"))
	}
	b.waitText(t, ".po-line", 10*time.Second, "3/10")
	b.waitText(t, ".outcome-ok", 5*time.Second, "已保存", "3/10", "待同步")
	if v := eval[string](t, b, `document.querySelector('#scan').value`); v != "" || b.focused(t) != "scan" {
		t.Errorf("after a scan the field holds %q and the focus is on %q; want it empty and focused", v, b.focused(t))
	}
	if n := b.count(t, ".record-list [data-synced=no]"); n != 4 {
		t.Errorf("%d receive records wait to sync, want 4 (the session and three scans)", n)
	}
	b.screenshot(t, shots, "zh-receive")
	b.do(t, chromedp.Click(chromedp.CSS("#receive-finish")))
	b.waitText(t, ".outcome-ok", 10*time.Second, "收货单已完成", po.Number, "待同步")
	home()

	// 盘点: the blind plan, bin A-01 scanned, then the item, counted 7.
	b.do(t, chromedp.Click(chromedp.CSS("#tile-count")), chromedp.WaitVisible(chromedp.CSS(".plan-item")))
	b.waitText(t, ".plan-item", 5*time.Second, plan.Number, "盲盘")
	b.do(t, chromedp.Click(chromedp.CSS(".plan-item")), chromedp.WaitVisible(chromedp.CSS("#scan")))
	b.waitText(t, ".outcome-ok", 10*time.Second, "已保存")
	b.do(t, chromedp.SendKeys(chromedp.CSS("#scan"), "A-01\r"))
	b.waitText(t, "#count-bin", 5*time.Second, "A-01")
	b.do(t, chromedp.SendKeys(chromedp.CSS("#scan"), barcode+"\r"))
	b.waitText(t, ".van-cell-group", 5*time.Second, "青花茶杯")
	b.do(t, chromedp.SendKeys(chromedp.CSS("#count-qty"), "7\r"))
	got := b.waitText(t, ".outcome-ok", 10*time.Second, "已保存", "A-01", "实盘 7", "待同步")
	if strings.Contains(got, "账面") {
		t.Errorf("a blind plan showed the book quantity: %q", got)
	}
	b.screenshot(t, shots, "zh-count")
	b.do(t, chromedp.Click(chromedp.CSS("#count-finish")))
	b.waitText(t, ".outcome-ok", 10*time.Second, "盘点已完成")
	home()

	// 收银: two scans of the cup at ¥12.50, cash 50 yuan, change ¥25.00.
	b.do(t, chromedp.Click(chromedp.CSS("#tile-checkout")), chromedp.WaitVisible(chromedp.CSS("#scan")))
	b.waitText(t, "#shop-bin", 5*time.Second, "A-01")
	b.do(t, chromedp.SendKeys(chromedp.CSS("#scan"), barcode+"\r"))
	b.waitText(t, ".cart-line", 5*time.Second, "青花茶杯", "¥12.50")
	b.do(t, chromedp.SendKeys(chromedp.CSS("#scan"), barcode+"\r"))
	b.waitText(t, "#sale-total", 5*time.Second, "¥25.00")
	b.do(t, chromedp.Click(chromedp.CSS("#pay-cash")), chromedp.SendKeys(chromedp.CSS("#tendered"), "50"))
	b.waitText(t, "#change", 5*time.Second, "¥25.00")
	b.screenshot(t, shots, "zh-checkout-cart")
	b.do(t, chromedp.Click(chromedp.CSS("#pay")))
	b.waitText(t, ".outcome-ok", 10*time.Second, "已保存", "¥25.00", "现金", "找零 ¥25.00", "待同步")
	b.screenshot(t, shots, "zh-checkout")
	home()

	// The other pages, for the pictures: stock, alerts, pick, transfer, other.
	b.do(t, chromedp.Click(chromedp.CSS("#tile-stock")), chromedp.WaitVisible(chromedp.CSS("#scan")))
	b.do(t, chromedp.SendKeys(chromedp.CSS("#scan"), barcode+"\r"))
	b.waitText(t, "#stock-total", 5*time.Second, "5")
	b.screenshot(t, shots, "zh-stock")
	home()
	b.do(t, chromedp.Click(chromedp.CSS("#tile-alerts")))
	b.waitText(t, ".alert-item", 10*time.Second, "低于下限", "青花茶杯")
	b.screenshot(t, shots, "zh-alerts")
	home()
	for _, p := range []string{"pick", "transfer", "other"} {
		b.do(t, chromedp.Click(chromedp.CSS("#tile-"+p)), chromedp.WaitVisible(chromedp.CSS(".van-cell-group")))
		b.screenshot(t, shots, "zh-"+p)
		home()
	}

	// Nothing reached the cloud; everything waits on the home page.
	if _, _, acked := syncState(); acked != ackedBefore {
		t.Fatalf("the cloud acknowledged seq %d while the broker was down (was %d): the link was not cut", acked, ackedBefore)
	}
	waiting := b.count(t, ".record-list [data-synced=no]")
	if waiting == 0 || b.count(t, ".record-list [data-synced=yes]") != 0 {
		t.Fatalf("home lists %d records waiting to sync and %d synced while offline", waiting, b.count(t, ".record-list [data-synced=yes]"))
	}
	b.waitText(t, "#sync-indicator", 5*time.Second, "离线", "待同步")
	b.screenshot(t, shots, "zh-home-offline")

	// The link is back: every record turns 已同步.
	broker.Start()
	synced := eval[bool](t, b, `new Promise(r => { const t0 = Date.now(); const c = () => {
		const no = document.querySelectorAll('.record-list [data-synced=no]').length, yes = document.querySelectorAll('.record-list [data-synced=yes]').length;
		if (no === 0 && yes > 0) r(true); else if (Date.now() - t0 > 120000) r(false); else setTimeout(c, 250); }; c(); })`)
	if !synced {
		t.Fatalf("the records did not all turn synced: %q", b.waitText(t, ".record-list", time.Millisecond))
	}
	b.waitText(t, "#sync-indicator", 10*time.Second, "已连接")
	b.screenshot(t, shots, "zh-home-synced")

	// The cloud has it all: the order partly received (3 of 10), the sale,
	// and the count (A-01: counted 7 after the receipts, 2 sold: 5).
	testenv.WaitFor(t, time.Minute, func() error {
		var got doc
		hq.must(t, 200, "GET", "/api/v1/purchase-orders/"+strconv.FormatInt(po.ID, 10), nil, &got)
		if len(got.Lines) != 1 || got.Lines[0].Done != 3 {
			return fmt.Errorf("purchase order %s: %s %+v", got.Number, got.Status, got.Lines)
		}
		var sales struct {
			Items []doc `json:"items"`
			Total int   `json:"total"`
		}
		hq.must(t, 200, "GET", "/api/v1/retail-sales", nil, &sales)
		if sales.Total != 1 || sales.Items[0].Gross != 2*price || sales.Items[0].Site != site {
			return fmt.Errorf("retail sales %+v", sales)
		}
		var stock struct {
			Rows []struct {
				Bin string `json:"bin"`
				SKU string `json:"sku"`
				Qty int64  `json:"qty"`
			} `json:"rows"`
		}
		hq.must(t, 200, "GET", "/api/v1/stock?site="+site+"&sku="+sku, nil, &stock)
		var a01 int64 = -1
		for _, r := range stock.Rows {
			if r.Bin == "A-01" {
				a01 = r.Qty
			}
		}
		if a01 != 5 {
			return fmt.Errorf("cloud stock of %s at %s: %+v, want A-01 = 5", sku, site, stock.Rows)
		}
		return nil
	})
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}

	// And HQ sees it in the console (on a desktop screen): the order
	// partly received, 3 of 10 on its line, and the sale among the retail
	// sales.
	b.do(t, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(cloudURL+"/login"), chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SendKeys(chromedp.CSS("#login-username"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#login-password"), adminPassword),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#side-menu")),
		chromedp.Navigate(cloudURL+"/purchase-orders/"+strconv.FormatInt(po.ID, 10)))
	b.waitText(t, ".doc-status", 20*time.Second, "部分入库")
	b.waitText(t, ".doc-detail", 5*time.Second, po.Number, "3")
	b.screenshot(t, shots, "zh-console-po")
	b.do(t, chromedp.Navigate(cloudURL+"/retail-sales"))
	b.waitText(t, ".el-table", 20*time.Second, "LS", site)
	b.screenshot(t, shots, "zh-console-retail")
}
