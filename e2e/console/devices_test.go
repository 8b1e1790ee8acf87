// These tests work the device pages against GET /api/v1/devices and the
// device profile API (cloud/httpapi/devices.go).

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

// badGate has an antenna whose role is neither outer nor inner (line 5).
const badGate = "kind: reader\nname: gate-1\naddress: 127.0.0.1:5084\nantennas:\n  - {port: 1, role: sideways}\n  - {port: 2, role: inner}\ngate:\n  bin: DOOR\n"

// goodGate is badGate mended.
const goodGate = "kind: reader\nname: gate-1\naddress: 127.0.0.1:5084\nantennas:\n  - {port: 1, role: outer}\n  - {port: 2, role: inner}\ngate:\n  bin: DOOR\n"

// WaitFor polls a JavaScript expression until it is true (10 s).
func WaitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
		return err
	})
}

// SetValue sets the value of the textarea or input sel as typing would
// (an input event), replacing what was there.
func SetValue(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
			const el = document.querySelector(%q);
			el.value = %q;
			el.dispatchEvent(new Event('input', {bubbles: true}));
			return true;
		})()`, sel, value))(ctx, tg)
		return err
	})
}

// TestDevicesPage lists each site's replicas and devices from the
// replicas' statuses: the scale's error, the skewed scanner clock, the
// sync lag; the home page shows the same health.
func TestDevicesPage(t *testing.T) {
	c := MustStartCloud(t)
	c.Seed(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)

	b.Open(t, "/", "#home-devices")
	b.Do(t, WaitFor(`document.querySelectorAll('#home-devices .el-table__body tr').length === 2`))
	health := b.Text(t, "#home-devices .el-table__body")
	for _, want := range []string{"store-1", "warehouse-1", "在线", "1/2 台异常", "1/1 台异常"} {
		if !strings.Contains(health, want) {
			t.Errorf("home device health lacks %q: %q", want, health)
		}
	}

	b.Open(t, "/devices", ".devices-page .device-table")
	b.Do(t, WaitFor(`document.querySelectorAll('.devices-page section.site').length === 2`))
	store := b.Text(t, `.devices-page section[data-site="store-1"]`)
	for _, want := range []string{"gate-1", "RFID 读写器", "正常", "scale-1", "故障", "no such file or directory", "在线", "3 / 5", "+40 ms"} {
		if !strings.Contains(store, want) {
			t.Errorf("store-1 on the devices page lacks %q: %q", want, store)
		}
	}
	// Sync lag: last 5 − acked 3.
	lag := Eval[string](t, b, `document.querySelector('section[data-site="store-1"] .replicas-table .el-table__body tr td:nth-child(3)').innerText.trim()`)
	if lag != "2" {
		t.Errorf("store-1's sync lag shows %q, want 2", lag)
	}
	warehouse := b.Text(t, `.devices-page section[data-site="warehouse-1"]`)
	for _, want := range []string{"scanner-1", "时钟偏差", "+4.2 s"} {
		if !strings.Contains(warehouse, want) {
			t.Errorf("warehouse-1 on the devices page lacks %q: %q", want, warehouse)
		}
	}

	// One site.
	b.Open(t, "/devices?site=warehouse-1", ".devices-page")
	b.Do(t, WaitFor(`document.querySelectorAll('.devices-page section.site').length === 1`))
	if s := b.Text(t, ".devices-page"); strings.Contains(s, "gate-1") {
		t.Errorf("the devices page of warehouse-1 shows store-1's gate: %q", s)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

// TestDeviceProfileEdit puts a reader profile with a wrong antenna role:
// the problems are listed under the editor with their lines; mended, the
// profile is saved and listed; then deleted after a confirmation.
func TestDeviceProfileEdit(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-1", "name": "一号店", "type": "store"})

	b.Open(t, "/device-profiles?site=store-1", ".device-profiles .profiles-table")
	if empty := b.WaitText(t, ".profiles-table", "还没有设备配置"); !strings.Contains(empty, "还没有设备配置") {
		t.Errorf("the empty list says %q, want 该站点还没有设备配置", empty)
	}
	b.Do(t,
		chromedp.Click(chromedp.CSS("#profile-create")),
		chromedp.WaitVisible(chromedp.CSS(".profile-dialog .yaml-editor textarea")),
		Settled(),
		chromedp.SendKeys(chromedp.CSS(".profile-dialog .name-input input"), "gate-1"),
		SetValue(".profile-dialog .yaml-editor textarea", badGate),
		chromedp.Click(chromedp.CSS("#profile-save")),
		chromedp.WaitVisible(chromedp.CSS(".profile-problems li")),
	)
	problems := Eval[[]string](t, b, `[...document.querySelectorAll('.profile-problems li')].map(e => e.innerText)`)
	var line5 bool
	for _, p := range problems {
		if strings.Contains(p, "第 5 行") && strings.Contains(p, "sideways") && strings.Contains(p, "antennas[0].role") {
			line5 = true
		}
	}
	if !line5 {
		t.Errorf("the problems %q do not name antennas[0].role \"sideways\" at 第 5 行", problems)
	}
	if marked := Eval[[]string](t, b, `[...document.querySelectorAll('.profile-dialog .gutter .bad')].map(e => e.innerText)`); !contains(marked, "5") {
		t.Errorf("the editor marks lines %q, want 5 among them", marked)
	}
	b.Screenshot(t, ScreenshotDir(t), "zh-device-profile-problems")
	if refused := b.TakeRefused(); len(refused) != 1 {
		t.Errorf("the refused save logged %d API refusals, want 1: %q", len(refused), refused)
	}

	b.Do(t,
		SetValue(".profile-dialog .yaml-editor textarea", goodGate),
		chromedp.Click(chromedp.CSS("#profile-save")),
		WaitFor(`(() => { const d = document.querySelector('.profile-dialog'); return !d || d.offsetParent === null })()`),
		WaitFor(`document.querySelector('.profiles-table').innerText.includes('gate-1.yaml')`),
	)
	row := b.Text(t, ".profiles-table .el-table__body")
	for _, want := range []string{"gate-1.yaml", "RFID 读写器", "gate-1", "127.0.0.1:5084"} {
		if !strings.Contains(row, want) {
			t.Errorf("the profile list lacks %q: %q", want, row)
		}
	}
	res := b.Fetch(t, "GET", "/api/v1/device-profiles?site=store-1", nil)
	var list struct {
		Items []struct{ Name, YAML string } `json:"items"`
	}
	if err := json.Unmarshal(res.Body, &list); err != nil || len(list.Items) != 1 || list.Items[0].Name != "gate-1.yaml" || list.Items[0].YAML != goodGate {
		t.Fatalf("stored profiles: %d %s, want gate-1.yaml as typed", res.Status, res.Body)
	}

	// Delete asks first (once the list has settled after the save: a
	// click on a row being re-rendered opens nothing).
	b.Do(t,
		Settled(),
		chromedp.Click(chromedp.CSS(".profiles-table .profile-delete")),
		chromedp.WaitVisible(chromedp.CSS(".el-message-box")),
		Settled(),
		chromedp.Click(chromedp.CSS(".el-message-box__btns .el-button--primary")),
		WaitFor(`document.querySelector('.profiles-table').innerText.includes('还没有设备配置')`),
	)
	if res := b.Fetch(t, "GET", "/api/v1/device-profiles?site=store-1", nil); !strings.Contains(string(res.Body), `"items":[]`) {
		t.Errorf("after the delete the site has profiles: %s", res.Body)
	}
	if errs := b.TakeErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}
