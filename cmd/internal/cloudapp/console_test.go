package cloudapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"testing"
	"time"

	"log/slog"
	"path/filepath"

	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cmd/internal/cloudapp"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

var quiet = slog.New(slog.DiscardHandler)

// dbs are the cloud databases the tests run on: SQLite and PostgreSQL.
func dbs(t testing.TB) []struct{ name, dsn string } {
	return []struct{ name, dsn string }{
		{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "cloud.db")},
		{"postgres", testenv.PostgresDSN(t)},
	}
}

// startAgent runs an agent ledger of tenant t at site, syncing with broker.
func startAgent(t testing.TB, site, broker string) *agentsqlite.Ledger {
	t.Helper()
	l, err := agentsqlite.Open(t.TempDir(), agentsqlite.Options{Tenant: "t", Site: site, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	c := mqtt.New(l, mqtt.Options{Broker: broker, Tenant: "t", Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; l.Close() })
	return l
}

// startCloud runs the cloud on dsn with the real Mosquitto, tenant t
// and its administrator "admin" (password "admin password 1"), until the
// test ends, and returns it once its ingest is connected.
func startCloud(t testing.TB, dsn, clientID string) (*cloudapp.App, *testenv.Mosquitto) {
	t.Helper()
	broker := testenv.StartMosquitto(t)
	app, err := cloudapp.Start(context.Background(), cloudapp.Config{DB: dsn, Broker: broker.URL, Listen: "127.0.0.1:0",
		ClientID: clientID, Logger: quiet, Tenant: "t", AdminPassword: "admin password 1", Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	testenv.WaitFor(t, 30*time.Second, func() error {
		if !app.Ingest.Connected() {
			return fmt.Errorf("ingest not connected")
		}
		return nil
	})
	return app, broker
}

// product returns the SKU and price an agent's catalogue gives a GTIN.
func product(t testing.TB, l *agentsqlite.Ledger, gtin string) (string, int64) {
	t.Helper()
	p, ok, err := l.ProductByGTIN(context.Background(), gtin)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "", 0
	}
	return p.SKU, p.Price
}

// console is an HTTP client signed in to the cloud's API as a browser is:
// the session cookie and the CSRF header.
type console struct {
	base string
	hc   *http.Client
	csrf string
}

func signIn(t testing.TB, base, tenant, user, password string) *console {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &console{base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if status := c.call(t, "POST", "/api/v1/auth/login", map[string]string{"tenant": tenant, "username": user, "password": password}, &me); status != 200 {
		t.Fatalf("sign in: %d", status)
	}
	c.csrf = me.CSRF
	return c
}

// callErr is call for an expected error answer, decoded into out.
func (c *console) callErr(t testing.TB, method, path string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode
}

// call sends body as JSON and decodes the answer into out; it returns the
// status.
func (c *console) call(t testing.TB, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, path, resp.StatusCode, b)
	} else if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// TestConsoleProductReachesAgent: a product made through the cloud's API
// reaches an online agent's catalogue at once (pushed), and one that was
// offline when it was made finds it at its next connect; a bin reaches
// only its site.
func TestConsoleProductReachesAgent(t *testing.T) {
	for _, st := range dbs(t) {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			app, broker := startCloud(t, st.dsn, "console-e2e-"+st.name)
			l1 := startAgent(t, "s1", broker.URL)
			c := signIn(t, "http://"+app.Addr, "t", "admin", "admin password 1")
			for _, site := range []string{"s1", "s2"} {
				if s := c.call(t, "POST", "/api/v1/sites", map[string]any{"code": site, "name": "门店 " + site, "type": "store"}, nil); s != 201 {
					t.Fatalf("create site %s: %d", site, s)
				}
			}
			if s := c.call(t, "POST", "/api/v1/units", map[string]any{"code": "件", "name": "件"}, nil); s != 201 {
				t.Fatalf("create unit: %d", s)
			}
			white, black := gtin("690123400001"), gtin("690123400002")
			prod := map[string]any{"code": "TEE", "name": "纯棉T恤", "base_unit": "件", "retail_price": 5900,
				"attributes": []any{map[string]any{"name": "颜色", "values": []string{"白", "黑"}}},
				"skus": []any{
					map[string]any{"code": "TEE-W", "attrs": map[string]string{"颜色": "白"}, "barcodes": []string{white}},
					map[string]any{"code": "TEE-B", "attrs": map[string]string{"颜色": "黑"}, "barcodes": []string{black}, "retail_price": 6900},
				}}
			if s := c.call(t, "POST", "/api/v1/products", prod, nil); s != 201 {
				t.Fatalf("create product: %d", s)
			}
			if s := c.call(t, "POST", "/api/v1/bins", map[string]any{"site": "s2", "code": "A-01", "name": "A区"}, nil); s != 201 {
				t.Fatalf("create bin: %d", s)
			}
			// s1 is online: the product is pushed.
			testenv.WaitFor(t, time.Minute, func() error {
				if sku, price := product(t, l1, black); sku != "TEE-B" || price != 6900 {
					return fmt.Errorf("s1's catalogue: %s → %q at %d fen", black, sku, price)
				}
				return nil
			})
			if sku, price := product(t, l1, white); sku != "TEE-W" || price != 5900 {
				t.Errorf("s1's catalogue: %s → %q at %d", white, sku, price)
			}
			bins, err := l1.MasterRecords(ctx, syncproto.KindBin)
			if err != nil || len(bins) != 0 {
				t.Errorf("s1 holds bins %v (%v), want none: the bin is s2's", bins, err)
			}
			// s2 was offline: it pulls everything at its connect.
			l2 := startAgent(t, "s2", broker.URL)
			testenv.WaitFor(t, time.Minute, func() error {
				if sku, _ := product(t, l2, white); sku != "TEE-W" {
					return fmt.Errorf("s2's catalogue: %s → %q", white, sku)
				}
				if bins, err := l2.MasterRecords(ctx, syncproto.KindBin); err != nil || len(bins) != 1 || bins[0].Key != "A-01" {
					return fmt.Errorf("s2's bins: %v %v", bins, err)
				}
				return nil
			})
			// The console sees both agents online, from their up/status.
			testenv.WaitFor(t, time.Minute, func() error {
				var devs struct {
					Items []struct {
						Site      string `json:"site"`
						Online    bool   `json:"online"`
						MasterRev uint64 `json:"master_rev"`
					} `json:"items"`
				}
				if s := c.call(t, "GET", "/api/v1/devices", nil, &devs); s != 200 {
					return fmt.Errorf("devices: %d", s)
				}
				online := map[string]bool{}
				for _, d := range devs.Items {
					online[d.Site] = d.Online && d.MasterRev > 0
				}
				if !online["s1"] || !online["s2"] {
					return fmt.Errorf("statuses %+v: want s1 and s2 online with master data", devs.Items)
				}
				return nil
			})
			// A device profile with a mistake is refused naming its field
			// and line; a good one is stored for the site's agents.
			var bad struct {
				Errors []struct {
					Field string `json:"field"`
					Error string `json:"error"`
				} `json:"errors"`
			}
			badYAML := "kind: reader\nname: gate-1\naddress: 127.0.0.1:5084\nantennas:\n  - port: 1\n    role: sideways\n"
			if s := c.callErr(t, "PUT", "/api/v1/device-profiles/s1/gate-1.yaml", map[string]string{"yaml": badYAML}, &bad); s != 400 ||
				len(bad.Errors) == 0 || bad.Errors[0].Field != "body.yaml.antennas[0].role" {
				t.Errorf("bad profile: %d %+v", s, bad)
			}
			good := "kind: reader\nname: gate-1\naddress: 127.0.0.1:5084\nantennas:\n  - {port: 1, role: outer}\n  - {port: 2, role: inner}\ngate:\n  bin: DOOR\n"
			if s := c.call(t, "PUT", "/api/v1/device-profiles/s1/gate-1.yaml", map[string]string{"yaml": good}, nil); s != 200 {
				t.Errorf("good profile: %d", s)
			}
			testenv.WaitFor(t, time.Minute, func() error {
				ps, err := l1.MasterRecords(ctx, syncproto.KindDeviceProfile)
				if err != nil || len(ps) != 1 || string(ps[0].Body) != good {
					return fmt.Errorf("s1's profiles: %v %v", ps, err)
				}
				return nil
			})
			// The administrator reaches every site's agent, for offline sign-in.
			users, err := l2.MasterRecords(ctx, syncproto.KindUser)
			if err != nil || len(users) != 1 || users[0].Key != "admin" {
				t.Errorf("s2's users: %v %v", users, err)
			}
		})
	}
}

func gtin(first12 string) string { return first12 + string(syncproto.GTINCheckDigit(first12)) }

// rec is a record to post: the collection's path and the body.
type rec struct {
	path string
	body map[string]any
}

// seed posts each record, requiring 201.
func (c *console) seed(t testing.TB, recs ...rec) {
	t.Helper()
	for _, r := range recs {
		if s := c.call(t, "POST", r.path, r.body, nil); s != 201 {
			t.Fatalf("POST %s: %d", r.path, s)
		}
	}
}

// approve approves the document at /api/v1/{path}/{id} of version and
// returns it as approved.
func (c *console) approve(t testing.TB, path string, id, version int64) docs.Document {
	t.Helper()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/"+path+"/"+strconv.FormatInt(id, 10)+"/approve", nil)
	req.Header.Set("If-Match", `"`+strconv.FormatInt(version, 10)+`"`)
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out docs.Document
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 {
		t.Fatalf("approve %s %d: %d", path, id, resp.StatusCode)
	}
	return out
}
