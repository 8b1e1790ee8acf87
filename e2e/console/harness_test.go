package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/postgres"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/cloud/sqlstore"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// defaultTenant is the tenant of a jxc-cloud started without --tenant.
const defaultTenant = "default"

// adminPassword is the password of the administrator the test cloud
// creates at first start.
const adminPassword = "console-admin-2026"

// Cloud is a running jxc-cloud for a test, and the test's own handle on
// its database (to make users and store synced movements).
//
// The cloud runs as the jxc-cloud binary, which cmd/internal/cloudapp
// wires (Go does not let a package outside cmd/ import it): what is
// tested is what ships, the console mounted beside the API included.
type Cloud struct {
	URL   string
	Store cloud.Store
	Auth  *auth.Service
	// Broker is the URL of the cloud's embedded MQTT broker, for agents.
	Broker string
}

var cloudBin testenv.Binaries

// TestMain removes the binary built for the package.
func TestMain(m *testing.M) {
	code := m.Run()
	cloudBin.Remove()
	os.Exit(code)
}

// buildCloud builds jxc-cloud once for the package.
func buildCloud(tb testing.TB) string { return cloudBin.Path(tb, "jxc-cloud") }

// MustStartCloud starts jxc-cloud on a fresh database (PostgreSQL when
// JXC_TEST_POSTGRES is set, else SQLite) with the embedded broker and the
// administrator "admin" (adminPassword), and stops it when the test ends.
func MustStartCloud(tb testing.TB) *Cloud {
	tb.Helper()
	db := "sqlite:" + filepath.Join(tb.TempDir(), "cloud.db")
	if os.Getenv(testenv.PostgresEnv) != "" {
		db = testenv.PostgresDSN(tb)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(tb))
	mqttAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(tb))
	tb.Setenv("JXC_ADMIN_PASSWORD", adminPassword)
	testenv.StartProcess(tb, "jxc-cloud", buildCloud(tb), "--db", db, "--broker", "embedded",
		"--mqtt-listen", mqttAddr, "--listen", addr)
	url := "http://" + addr
	testenv.WaitFor(tb, 30*time.Second, func() error {
		res, err := http.Get(url + "/healthz")
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("/healthz: %s", res.Status)
		}
		return nil
	})
	ctx := context.Background()
	var store cloud.Store
	var err error
	if strings.HasPrefix(db, "sqlite:") {
		store, err = sqlite.Open(strings.TrimPrefix(db, "sqlite:"), sqlite.Options{})
	} else {
		store, err = postgres.Open(ctx, db, postgres.Options{})
	}
	if err != nil {
		tb.Fatalf("open the cloud's database: %v", err)
	}
	tb.Cleanup(func() { store.Close() })
	as, ok := store.(interface{ Auth() *sqlstore.AuthStore })
	if !ok {
		tb.Fatalf("store %T has no auth tables", store)
	}
	return &Cloud{URL: url, Store: store, Auth: auth.New(as.Auth(), auth.Options{}), Broker: "tcp://" + mqttAddr}
}

// CreateUser makes a user of the default tenant with roles, as the
// system; the user must change the password at the first sign-in.
func (c *Cloud) CreateUser(tb testing.TB, name, password string, roles ...string) {
	tb.Helper()
	_, _, err := c.Auth.CreateUser(context.Background(), auth.System(defaultTenant, "127.0.0.1"),
		auth.NewUser{Name: name, DisplayName: name, Password: password, Roles: roles, Scope: auth.AllSites()})
	if err != nil {
		tb.Fatalf("create user %s: %v", name, err)
	}
}

// Seed stores movements of two sites' replicas and each replica's status
// (as ingest stores an agent's up/status), so that the home page has
// sites, replicas, device health and stock to show. store-1's gate reader
// is connected; its scale is not, with an error; warehouse-1's scanner's
// clock is skewed.
func (c *Cloud) Seed(tb testing.TB) {
	tb.Helper()
	for i, s := range []struct {
		site string
		qty  []int64
	}{{"store-1", []int64{120, 35, -20}}, {"warehouse-1", []int64{800, 450}}} {
		r := syncproto.ReplicaID(0x1000 + i)
		b := &syncproto.Batch{Version: syncproto.Version, Tenant: defaultTenant, Site: s.site, Replica: r,
			From: 1, To: uint64(len(s.qty))}
		for j, q := range s.qty {
			seq := uint64(j + 1)
			body := &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{
				Bin: "A-01", Sku: fmt.Sprintf("SKU-%d", j%2+1), Qty: q, Reason: "receive"}}}
			e, err := syncproto.NewEvent(r, seq, syncproto.HLC(time.Now().UnixMilli())<<16+syncproto.HLC(seq), s.site, body)
			if err != nil {
				tb.Fatal(err)
			}
			b.Events = append(b.Events, e)
		}
		if _, err := c.Store.ApplyBatch(context.Background(), b); err != nil {
			tb.Fatalf("seed %s: %v", s.site, err)
		}
	}
	ss, ok := c.Store.(cloud.StatusStore)
	if !ok {
		tb.Fatalf("store %T keeps no statuses", c.Store)
	}
	now := time.Now().UTC()
	for _, st := range []cloud.ReplicaStatus{
		{Tenant: defaultTenant, Site: "store-1", Replica: syncproto.ReplicaID(0x1000).String(), Online: true,
			LastSeq: 5, AckedSeq: 3, MasterRev: 12, ReportedAt: now.Add(-2 * time.Second), ReceivedAt: now,
			Devices: []cloud.DeviceStatus{
				{Device: "gate-1", Kind: "reader", Connected: true, LastEventAt: now.Add(-time.Minute), ClockOffsetMS: 40},
				{Device: "scale-1", Kind: "scale", Error: "open /dev/ttyUSB0: no such file or directory"},
			}},
		{Tenant: defaultTenant, Site: "warehouse-1", Replica: syncproto.ReplicaID(0x1001).String(), Online: true,
			LastSeq: 2, AckedSeq: 2, MasterRev: 12, ReportedAt: now, ReceivedAt: now,
			Devices: []cloud.DeviceStatus{
				{Device: "scanner-1", Kind: "scanner", Connected: true, ClockOffsetMS: 4200, ClockSkewed: true},
			}},
	} {
		if err := ss.PutStatus(context.Background(), st); err != nil {
			tb.Fatalf("seed the status of %s: %v", st.Site, err)
		}
	}
}

// Browser is a headless Chromium tab with the console errors it logged.
type Browser struct {
	ctx  context.Context
	base string

	mu       sync.Mutex
	errors   []string
	refused  []string
	requests []string
}

// MustBrowser starts headless Chromium with a fresh profile, its viewport
// 1366×768, and stops it when the test ends. Every console error, uncaught
// exception and browser log error of the tab is kept (TakeErrors), but
// for the API's 4xx answers, which the browser logs as "Failed to load
// resource" although the page handles them (a refused save shows its
// field errors): those are kept apart (TakeRefused). A 5xx, a failed
// connection or a missing file stays an error.
func MustBrowser(tb testing.TB, base string) *Browser {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(testenv.Chromium(tb)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1366, 768),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &Browser{ctx: ctx, base: base}
	// The first run starts the browser; it must not have a timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	requests := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
		}
	}()
	failures := chromedp.Events(ctx, network.LoadingFailed)
	go func() {
		for ev, err := range failures {
			if err != nil {
				return
			}
			if !ev.Canceled {
				b.addError(fmt.Sprintf("request failed: %s %s", ev.ErrorText, ev.BlockedReason))
			}
		}
	}()
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleException, "assert":
				msg := fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
				if apiRefusal(base, m) {
					b.mu.Lock()
					b.refused = append(b.refused, msg)
					b.mu.Unlock()
					continue
				}
				b.addError(msg)
			}
		}
	}()
	return b
}

// apiRefusal reports whether m is the browser's log entry of a 4xx answer
// of the cloud API at base.
func apiRefusal(base string, m chromedp.ConsoleMessage) bool {
	return m.Source == "network" && strings.HasPrefix(m.URL, base+"/api/") &&
		strings.Contains(m.Text, "the server responded with a status of 4")
}

// TakeRequests returns the URLs the page requested since the last call.
func (b *Browser) TakeRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.requests
	b.requests = nil
	return r
}

// TakeRefused returns the API's 4xx answers logged since the last call.
func (b *Browser) TakeRefused() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.refused
	b.refused = nil
	return r
}

func (b *Browser) addError(s string) {
	b.mu.Lock()
	b.errors = append(b.errors, s)
	b.mu.Unlock()
}

// TakeErrors returns the console errors logged since the last call.
func (b *Browser) TakeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errors
	b.errors = nil
	return e
}

// stepTimeout bounds one call of Do or Eval.
const stepTimeout = 45 * time.Second

// Do runs actions, failing the test on an error.
func (b *Browser) Do(tb testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("browser: %v (console errors so far: %q)", err, b.TakeErrors())
	}
}

// Eval returns the value of a JavaScript expression in the page, awaiting
// a promise.
func Eval[T any](tb testing.TB, b *Browser, expr string) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("browser: evaluate %.80q: %v", expr, err)
	}
	return v
}

// Open loads path of the console and waits until sel is visible and the
// page settled.
func (b *Browser) Open(tb testing.TB, path, sel string) {
	tb.Helper()
	b.Do(tb, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel)), Settled())
}

// Settled waits until no loading mask is shown, the fonts are loaded and
// no CSS transition or animation runs (a tag zooming in).
func Settled() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`(() => {
			const busy = [...document.querySelectorAll('.el-loading-mask')].some(e => e.offsetParent !== null);
			const moving = document.getAnimations().some(a => a.playState === 'running');
			return !busy && !moving && document.fonts.status === 'loaded';
		})()`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second))(ctx, t)
		return err
	})
}

// SignIn signs in on the sign-in page and waits for the side menu.
func (b *Browser) SignIn(tb testing.TB, user, password string) {
	tb.Helper()
	b.Open(tb, "/login", "#login-username")
	b.Do(tb,
		chromedp.SendKeys(chromedp.CSS("#login-username"), user),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#side-menu")),
	)
}

// Text returns the text of the first element matching sel.
func (b *Browser) Text(tb testing.TB, sel string) string {
	tb.Helper()
	return Eval[string](tb, b, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ''}).innerText`, sel))
}

// WaitText waits up to 5 s until the text of sel contains want (the page
// updates a few ticks after an input), and returns the text then.
func (b *Browser) WaitText(tb testing.TB, sel, want string) string {
	tb.Helper()
	return Eval[string](tb, b, fmt.Sprintf(`new Promise(resolve => {
		const t0 = Date.now();
		const check = () => {
			const s = (document.querySelector(%q) || {innerText: ''}).innerText;
			if (s.includes(%q) || Date.now() - t0 > 5000) resolve(s); else setTimeout(check, 50);
		};
		check();
	})`, sel, want))
}

// Count returns how many elements match the CSS selector sel.
func (b *Browser) Count(tb testing.TB, sel string) int {
	tb.Helper()
	return Eval[int](tb, b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// APIResult is the answer of a request made by the page.
type APIResult struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

// Fetch makes a request from the page with its session cookie and, on a
// write, the session's CSRF token (read from /api/v1/auth/me).
func (b *Browser) Fetch(tb testing.TB, method, path string, body any) APIResult {
	tb.Helper()
	js, _ := json.Marshal(body)
	script := fmt.Sprintf(`(async () => {
		const me = await (await fetch('/api/v1/auth/me')).json();
		const r = await fetch(%q, {method: %q, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token || ''},
			body: %q === 'GET' ? undefined : %q});
		const text = await r.text();
		let parsed = null;
		try { parsed = JSON.parse(text); } catch (e) { parsed = text; }
		return {status: r.status, body: parsed};
	})()`, path, method, method, string(js))
	return Eval[APIResult](tb, b, script)
}

// ScreenshotDir is $JXC_SCREENSHOTS (created) or a temporary folder.
func ScreenshotDir(tb testing.TB) string { return testenv.ScreenshotDir(tb) }

// Screenshot saves the viewport as name.png in dir and fails the test if
// the picture is blank: almost one colour, or too few colours for a page
// with text.
func (b *Browser) Screenshot(tb testing.TB, dir, name string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	testenv.SaveScreenshot(tb, dir, name, buf)
}
