package handheld_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jxc-edge/jxc/internal/testenv"
)

var bins testenv.Binaries

// TestMain removes the binaries built for the package.
func TestMain(m *testing.M) {
	code := m.Run()
	bins.Remove()
	os.Exit(code)
}

// binary builds jxc-cloud and jxc-agent once for the package and returns
// the path of name: what is tested is what ships.
func binary(tb testing.TB, name string) string { return bins.Path(tb, name, "jxc-cloud", "jxc-agent") }

// waitHTTP waits until url answers 200.
func waitHTTP(tb testing.TB, url string) {
	tb.Helper()
	testenv.WaitFor(tb, 30*time.Second, func() error {
		res, err := http.Get(url)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", url, res.Status)
		}
		return nil
	})
}

// client calls a JSON API: the cloud's with its session cookie and CSRF
// token, the agent's with a bearer token.
type client struct {
	base, csrf, bearer string
	hc                 *http.Client
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// do sends body (JSON, if not nil) and decodes the answer into out (if
// not nil); it returns the status.
func (c *client) do(tb testing.TB, method, path string, body, out any, header ...string) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil && resp.StatusCode < 300 {
			tb.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	if resp.StatusCode >= 300 {
		tb.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// must is do that fails the test unless the status is want.
func (c *client) must(tb testing.TB, want int, method, path string, body, out any, header ...string) {
	tb.Helper()
	if s := c.do(tb, method, path, body, out, header...); s != want {
		tb.Fatalf("%s %s: %d, want %d", method, path, s, want)
	}
}

// Phone is the viewport of the tests: a 412×915 phone, touch and mobile
// emulated.
const phoneW, phoneH = 412, 915

// browser is a headless Chromium tab on a phone's viewport, keeping the
// page's console errors.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(tb testing.TB) *browser {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(testenv.Chromium(tb)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(phoneW, phoneH),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulateMobile)); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The API's refusals (4xx) are logged by the browser as
			// failed loads; the page shows them. Anything else is an error.
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) &&
				!(m.Source == "network" && strings.Contains(m.Text, "status of 4")) {
				b.mu.Lock()
				b.errors = append(b.errors, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line))
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) takeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errors
	b.errors = nil
	return e
}

// do runs actions, failing the test on an error.
func (b *browser) do(tb testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("browser: %v (console errors: %q)", err, b.takeErrors())
	}
}

// eval returns the value of a JavaScript expression, awaiting a promise.
func eval[T any](tb testing.TB, b *browser, expr string) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 150*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("browser: evaluate %.80q: %v", expr, err)
	}
	return v
}

// waitText waits up to timeout until the text of sel contains every want,
// and fails the test with the text it has otherwise.
func (b *browser) waitText(tb testing.TB, sel string, timeout time.Duration, want ...string) string {
	tb.Helper()
	js, _ := json.Marshal(want)
	got := eval[string](tb, b, fmt.Sprintf(`new Promise(resolve => {
		const t0 = Date.now();
		const check = () => {
			const s = (document.querySelector(%q) || {innerText: ''}).innerText;
			if (%s.every(w => s.includes(w)) || Date.now() - t0 > %d) resolve(s); else setTimeout(check, 100);
		};
		check();
	})`, sel, js, timeout.Milliseconds()))
	for _, w := range want {
		if !strings.Contains(got, w) {
			tb.Fatalf("%s says %q, want it to contain %q", sel, got, w)
		}
	}
	return got
}

// fill empties the input sel and types v (the page's v-model sees it).
func (b *browser) fill(tb testing.TB, sel, v string) {
	tb.Helper()
	eval[bool](tb, b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true })()`, sel))
	b.do(tb, chromedp.SendKeys(chromedp.CSS(sel), v))
}

// count returns how many elements match sel.
func (b *browser) count(tb testing.TB, sel string) int {
	tb.Helper()
	return eval[int](tb, b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// focused returns the id of the element that has the focus.
func (b *browser) focused(tb testing.TB) string {
	tb.Helper()
	return eval[string](tb, b, `(document.activeElement && document.activeElement.id) || ''`)
}

// screenshotDir is $JXC_SCREENSHOTS (created) or a temporary folder.
func screenshotDir(tb testing.TB) string { return testenv.ScreenshotDir(tb) }

// screenshot saves the viewport as name.png in dir after the page has
// settled, and fails the test if the picture is blank.
func (b *browser) screenshot(tb testing.TB, dir, name string) {
	tb.Helper()
	eval[bool](tb, b, `new Promise(r => { const t0 = Date.now(); const c = () => (document.getAnimations().every(a => a.playState !== 'running') || Date.now() - t0 > 3000) ? r(true) : setTimeout(c, 50); c(); })`)
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	testenv.SaveScreenshot(tb, dir, name, buf)
}
