package cloudapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	agenthttp "github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

// edge is an agent of tenant t: its ledger, its HTTP API, and its sync
// client once connected.
type edge struct {
	l   *agentsqlite.Ledger
	api *httptest.Server
}

// edgeToken is the device token the tests record at an edge with.
const edgeToken = "docs-test-device-token-01"

// openEdge opens an agent ledger at site with its HTTP API, not connected.
func openEdge(t testing.TB, site string) *edge {
	t.Helper()
	l, err := agentsqlite.Open(t.TempDir(), agentsqlite.Options{Tenant: "t", Site: site, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	e := &edge{l: l, api: httptest.NewServer(agenthttp.New(l, agenthttp.Options{Log: quiet,
		DeviceTokens: map[string]string{"e2e": edgeToken}}).Handler())}
	t.Cleanup(func() { e.api.Close(); l.Close() })
	return e
}

// connect starts syncing with broker until the test ends.
func (e *edge) connect(t testing.TB, broker string) {
	c := mqtt.New(e.l, mqtt.Options{Broker: broker, Tenant: "t", Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// receive records a receipt of qty base units against a PO line, through
// the agent's HTTP API.
func (e *edge) receive(t testing.TB, number string, line int, sku string, qty int64) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"sku": sku, "bin": "RECV", "qty": qty, "reason": "receive",
		"doc": syncproto.DocLine(number, line), "operator": "e2e"})
	req, err := http.NewRequest(http.MethodPost, e.api.URL+"/api/v1/movements", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+edgeToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("record movement: %d %s", resp.StatusCode, body)
	}
}

// purchaseOrders lists the purchase orders the agent holds.
func (e *edge) purchaseOrders(t testing.TB) agenthttp.MasterResponse {
	t.Helper()
	resp, err := http.Get(e.api.URL + "/api/v1/master/" + syncproto.KindPurchaseOrder)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out agenthttp.MasterResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPurchaseOrderReceivedByTwoAgents: a PO approved through the cloud's
// API reaches the agents of its site; two agents of that site (one
// offline while it works) receive it in parts, and the cloud's PO ends
// exactly received with every movement counted once.
func TestPurchaseOrderReceivedByTwoAgents(t *testing.T) {
	for _, st := range dbs(t) {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			app, broker := startCloud(t, st.dsn, "docs-e2e-"+st.name)
			c := signIn(t, "http://"+app.Addr, "t", "admin", "admin password 1")
			for path, body := range map[string]map[string]any{
				"/api/v1/sites":     {"code": "s1", "name": "门店 s1", "type": "store"},
				"/api/v1/suppliers": {"code": "SUP", "name": "华东供应"},
			} {
				if s := c.call(t, "POST", path, body, nil); s != 201 {
					t.Fatalf("POST %s: %d", path, s)
				}
			}
			for _, u := range []string{"个", "箱"} {
				if s := c.call(t, "POST", "/api/v1/units", map[string]any{"code": u, "name": u}, nil); s != 201 {
					t.Fatalf("create unit %s: %d", u, s)
				}
			}
			prod := map[string]any{"code": "CUP", "name": "杯子", "base_unit": "个", "units": []any{map[string]any{"unit": "箱", "factor": 12}},
				"attributes": []any{map[string]any{"name": "颜色", "values": []string{"白", "黑"}}},
				"skus": []any{map[string]any{"code": "CUP-1", "attrs": map[string]string{"颜色": "白"}},
					map[string]any{"code": "CUP-2", "attrs": map[string]string{"颜色": "黑"}}}}
			if s := c.call(t, "POST", "/api/v1/products", prod, nil); s != 201 {
				t.Fatalf("create product: %d", s)
			}
			a, b := openEdge(t, "s1"), openEdge(t, "s1")
			a.connect(t, broker.URL)

			var po docs.Document
			if s := c.call(t, "POST", "/api/v1/purchase-orders", map[string]any{"partner": "SUP", "site": "s1", "date": "2026-11-25",
				"lines": []any{map[string]any{"sku": "CUP-1", "unit": "箱", "qty": 2, "price": 2400},
					map[string]any{"sku": "CUP-2", "qty": 5, "price": 199, "vat_rate": 9}}}, &po); s != 201 {
				t.Fatalf("create PO: %d", s)
			}
			if po.Status != docs.StatusDraft || po.Gross != 2*2400+624+5*199+90 {
				t.Fatalf("created %+v", po)
			}
			req, _ := http.NewRequest("POST", c.base+"/api/v1/purchase-orders/"+strconv.FormatInt(po.ID, 10)+"/approve", nil)
			req.Header.Set("If-Match", `"1"`)
			req.Header.Set("X-CSRF-Token", c.csrf)
			resp, err := c.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("approve: %d", resp.StatusCode)
			}
			// Refusals: lines are fixed once approved (409 state), a change
			// needs If-Match (428), an old version is stale (412).
			id := strconv.FormatInt(po.ID, 10)
			draft := map[string]any{"partner": "SUP", "site": "s1", "date": "2026-11-25",
				"lines": []any{map[string]any{"sku": "CUP-1", "qty": 1, "price": 1}}}
			reason := map[string]any{"reason": "x"}
			for _, r := range []struct {
				method, path, ifMatch string
				body                  any
				status                int
				code                  string
			}{
				{"PUT", "/api/v1/purchase-orders/" + id, `"2"`, draft, 409, "state"},
				{"POST", "/api/v1/purchase-orders/" + id + "/close", "", reason, 428, "precondition_required"},
				{"POST", "/api/v1/purchase-orders/" + id + "/close", `"1"`, reason, 412, "stale"},
				{"POST", "/api/v1/purchase-orders/999/void", `"1"`, nil, 404, "not_found"},
			} {
				var rd io.Reader
				if r.body != nil {
					b, _ := json.Marshal(r.body)
					rd = bytes.NewReader(b)
				}
				req, _ := http.NewRequest(r.method, c.base+r.path, rd)
				if r.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				req.Header.Set("X-CSRF-Token", c.csrf)
				if r.ifMatch != "" {
					req.Header.Set("If-Match", r.ifMatch)
				}
				resp, err := c.hc.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var refusal struct {
					Code    string `json:"code"`
					ErrorZH string `json:"error_zh"`
				}
				json.NewDecoder(resp.Body).Decode(&refusal)
				resp.Body.Close()
				if resp.StatusCode != r.status || refusal.Code != r.code || refusal.ErrorZH == "" {
					t.Errorf("%s %s: %d %+v, want %d %s", r.method, r.path, resp.StatusCode, refusal, r.status, r.code)
				}
			}
			// The online agent gets it pushed.
			testenv.WaitFor(t, time.Minute, func() error {
				got := a.purchaseOrders(t)
				if len(got.Records) != 1 || got.Records[0].Key != po.Number || got.Records[0].Document == nil ||
					got.Records[0].Document.Lines[0].QtyBase != 24 {
					return fmt.Errorf("agent a's purchase orders: %+v", got)
				}
				return nil
			})
			// a receives part of line 1 and all of line 2; b, offline,
			// receives the rest of line 1, then connects.
			a.receive(t, po.Number, 1, "CUP-1", 10)
			a.receive(t, po.Number, 2, "CUP-2", 5)
			b.receive(t, po.Number, 1, "CUP-1", 6)
			b.receive(t, po.Number, 1, "CUP-1", 8)
			get := func() docs.Document {
				var out docs.Document
				if s := c.call(t, "GET", "/api/v1/purchase-orders/"+strconv.FormatInt(po.ID, 10), nil, &out); s != 200 {
					t.Fatalf("get PO: %d", s)
				}
				return out
			}
			testenv.WaitFor(t, time.Minute, func() error {
				if got := get(); got.Status != docs.StatusPartlyDone || got.Lines[0].Done != 10 || got.Lines[1].Done != 5 {
					return fmt.Errorf("after a's receipts: %s %d %d", got.Status, got.Lines[0].Done, got.Lines[1].Done)
				}
				return nil
			})
			b.connect(t, broker.URL)
			testenv.WaitFor(t, time.Minute, func() error {
				if got := get(); got.Status != docs.StatusDone || got.Lines[0].Done != 24 || got.Lines[1].Done != 5 {
					return fmt.Errorf("after b's receipts: %s %d %d", got.Status, got.Lines[0].Done, got.Lines[1].Done)
				}
				return nil
			})
			// b got the order at its connect too.
			testenv.WaitFor(t, time.Minute, func() error {
				if got := b.purchaseOrders(t); len(got.Records) != 1 || got.Records[0].Key != po.Number {
					return fmt.Errorf("agent b's purchase orders: %+v", got)
				}
				return nil
			})
			// Each movement counted once, also after a rebuild.
			for range 2 {
				prog, err := app.Store.(docs.Store).DocProgress(ctx, "t", po.Number)
				if err != nil {
					t.Fatal(err)
				}
				if prog[1] != (docs.Progress{In: 24, Moves: 3}) || prog[2] != (docs.Progress{In: 5, Moves: 1}) {
					t.Fatalf("progress %v", prog)
				}
				if err := app.Docs.RebuildProgress(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if got := get(); got.Status != docs.StatusDone || got.Lines[0].Over {
				t.Errorf("after the rebuild: %+v", got)
			}
		})
	}
}
