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
	"sync"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent"
	agenthttp "github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/agent/work"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// openWorkEdge opens an agent at site with its HTTP API and the site's
// work (agent/work) mounted, not connected.
func openWorkEdge(t testing.TB, site string) *edge {
	t.Helper()
	l, err := agentsqlite.Open(t.TempDir(), agentsqlite.Options{Tenant: "t", Site: site, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	srv := agenthttp.New(l, agenthttp.Options{Log: quiet, DeviceTokens: map[string]string{"e2e": edgeToken}})
	work.Register(srv.API(), work.New(l, quiet))
	e := &edge{l: l, api: httptest.NewServer(srv.Handler())}
	t.Cleanup(func() { e.api.Close(); l.Close() })
	return e
}

// work posts body to the agent's work API under an idempotency key and
// returns the status and the answer.
func (e *edge) work(t testing.TB, path, key string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, e.api.URL+"/api/v1/work"+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+edgeToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	if resp.StatusCode >= 300 {
		t.Logf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// connectStoppable syncs with broker until the returned stop is called.
func (e *edge) connectStoppable(t testing.TB, broker string) (stop func()) {
	c := mqtt.New(e.l, mqtt.Options{Broker: broker, Tenant: "t", Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// hasDoc waits until the agent holds the document of kind and number.
func (e *edge) hasDoc(t testing.TB, kind, number string) {
	t.Helper()
	testenv.WaitFor(t, time.Minute, func() error {
		req, _ := http.NewRequest(http.MethodGet, e.api.URL+"/api/v1/work/documents/"+kind+"/"+number, nil)
		req.Header.Set("Authorization", "Bearer "+edgeToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s %s at the agent: %d", kind, number, resp.StatusCode)
		}
		return nil
	})
}

// TestFlowsAcrossProcesses: a retail sale at a till that is offline, a
// sales order picked and shipped by a handheld that is offline, and a
// transfer between two sites, each worked through the agents' work API
// and ending as documents in the cloud once the links are back.
func TestFlowsAcrossProcesses(t *testing.T) {
	for _, st := range dbs(t) {
		t.Run(st.name, func(t *testing.T) {
			app, broker := startCloud(t, st.dsn, "flows-e2e-"+st.name)
			c := signIn(t, "http://"+app.Addr, "t", "admin", "admin password 1")
			c.seed(t,
				rec{"/api/v1/sites", map[string]any{"code": "s1", "name": "门店 s1", "type": "store"}},
				rec{"/api/v1/sites", map[string]any{"code": "s2", "name": "仓库 s2", "type": "warehouse"}},
				rec{"/api/v1/customers", map[string]any{"code": "C1", "name": "客户一"}},
				rec{"/api/v1/units", map[string]any{"code": "个", "name": "个"}},
				rec{"/api/v1/products", map[string]any{"code": "TEA", "name": "茶杯", "base_unit": "个",
					"skus": []any{map[string]any{"code": "TEA-1", "retail_price": 1500}}}},
			)
			till, hand, wh := openWorkEdge(t, "s1"), openWorkEdge(t, "s1"), openWorkEdge(t, "s2")
			wh.connect(t, broker.URL)
			approve := func(path string, d docs.Document) docs.Document { return c.approve(t, path, d.ID, d.Version) }
			get := func(path string, id int64) docs.Document {
				t.Helper()
				var out docs.Document
				if s := c.call(t, "GET", "/api/v1/"+path+"/"+strconv.FormatInt(id, 10), nil, &out); s != 200 {
					t.Fatalf("GET %s: %d", path, s)
				}
				return out
			}

			// HQ's documents: a sales order and its pick list for s1, a
			// transfer from s1 to s2.
			var so, pl, tr docs.Document
			if s := c.call(t, "POST", "/api/v1/sales-orders", map[string]any{"partner": "C1", "site": "s1", "date": "2026-11-25",
				"lines": []any{map[string]any{"sku": "TEA-1", "qty": 3, "price": 1200}}}, &so); s != 201 {
				t.Fatalf("create sales order: %d", s)
			}
			so = approve("sales-orders", so)
			if s := c.call(t, "POST", "/api/v1/pick-lists", map[string]any{"partner": "C1", "site": "s1", "date": "2026-11-25", "ref": so.Number,
				"lines": []any{map[string]any{"sku": "TEA-1", "qty": 3, "ref_line": 1, "bin": "A-01"}}}, &pl); s != 201 {
				t.Fatalf("create pick list: %d", s)
			}
			pl = approve("pick-lists", pl)
			if s := c.call(t, "POST", "/api/v1/transfers", map[string]any{"site": "s1", "to_site": "s2", "date": "2026-11-25",
				"lines": []any{map[string]any{"sku": "TEA-1", "qty": 4, "bin": "A-01"}}}, &tr); s != 201 {
				t.Fatalf("create transfer: %d", s)
			}
			tr = approve("transfers", tr)

			// The till gets its catalogue, then its link is cut: it sells
			// offline. The handheld gets the documents while online.
			stop := till.connectStoppable(t, broker.URL)
			testenv.WaitFor(t, time.Minute, func() error {
				recs, err := till.l.MasterRecords(context.Background(), "product")
				if err != nil || len(recs) == 0 {
					return fmt.Errorf("the till has no products yet (%v)", err)
				}
				return nil
			})
			stop()
			hand.connect(t, broker.URL)
			hand.hasDoc(t, "pick_list", pl.Number)
			hand.hasDoc(t, "transfer", tr.Number)
			wh.hasDoc(t, "transfer", tr.Number)
			if s, _ := hand.work(t, "/pick", "pick-wrong", map[string]any{"list": pl.Number, "sku": "NOPE", "qty": 1}); s < 400 {
				t.Fatalf("a wrong item was picked: %d", s)
			}
			for i, q := range []int64{2, 1} {
				if s, _ := hand.work(t, "/pick", "pick-"+strconv.Itoa(i), map[string]any{"list": pl.Number, "sku": "TEA-1", "qty": q}); s != 201 {
					t.Fatalf("pick %d: %d", i, s)
				}
			}
			if s, _ := hand.work(t, "/pick/finish", "pick-done", map[string]any{"list": pl.Number}); s != 201 {
				t.Fatalf("finish the pick: %d", s)
			}
			if s, _ := hand.work(t, "/transfer", "tr-out", map[string]any{"list": tr.Number, "sku": "TEA-1", "qty": 4}); s != 201 {
				t.Fatalf("transfer out: %d", s)
			}
			// The till sells offline all along; the same sale sent twice is
			// one sale.
			sale := map[string]any{"bin": "SHOP", "lines": []any{map[string]any{"sku": "TEA-1", "qty": 2}},
				"payments": []any{map[string]any{"method": "cash", "amount": 3000, "tendered": 5000}}}
			for range 2 {
				if s, _ := till.work(t, "/retail/sale", "sale-1", sale); s != 201 {
					t.Fatalf("sale: %d", s)
				}
			}
			// The destination receives three of four and finishes short.
			if s, _ := wh.work(t, "/transfer", "tr-in", map[string]any{"list": tr.Number, "sku": "TEA-1", "qty": 3}); s != 201 {
				t.Fatalf("transfer in: %d", s)
			}
			if s, _ := wh.work(t, "/transfer/finish", "tr-in-done", map[string]any{"list": tr.Number,
				"shorts": []any{map[string]any{"line": 1, "reason": "破损 damaged"}}}); s != 201 {
				t.Fatalf("finish the transfer: %d", s)
			}
			till.connect(t, broker.URL)
			testenv.WaitFor(t, time.Minute, func() error {
				if got := get("sales-orders", so.ID); got.Status != docs.StatusDone || got.Lines[0].Done != 3 {
					return fmt.Errorf("sales order %s %+v", got.Status, got.Lines)
				}
				if got := get("transfers", tr.ID); got.Status != docs.StatusDone || got.Lines[0].Out != 4 || got.Lines[0].In != 3 {
					return fmt.Errorf("transfer %s %+v", got.Status, got.Lines)
				}
				var sales, ships struct {
					Items []docs.Document `json:"items"`
					Total int             `json:"total"`
				}
				c.call(t, "GET", "/api/v1/retail-sales", nil, &sales)
				c.call(t, "GET", "/api/v1/shipments?ref="+pl.Number, nil, &ships)
				if sales.Total != 1 || sales.Items[0].Gross != 3000 || sales.Items[0].Site != "s1" {
					return fmt.Errorf("retail sales %+v", sales)
				}
				if ships.Total != 1 {
					return fmt.Errorf("shipments of %s: %+v", pl.Number, ships)
				}
				return nil
			})
		})
	}
}

// TestCountPlanOnTwoHandhelds: a blind count plan of a bin reaches two
// handhelds of one site; both count the same key while cut off from each
// other (neither saw the other's count), one also counts another key; once
// both are back the cloud shows the concurrent counts as one conflict
// with both observations, the other key without one, and the plan in
// progress.
func TestCountPlanOnTwoHandhelds(t *testing.T) {
	for _, st := range dbs(t) {
		t.Run(st.name, func(t *testing.T) {
			app, broker := startCloud(t, st.dsn, "count-e2e-"+st.name)
			c := signIn(t, "http://"+app.Addr, "t", "admin", "admin password 1")
			c.seed(t,
				rec{"/api/v1/sites", map[string]any{"code": "s1", "name": "门店 s1", "type": "store"}},
				rec{"/api/v1/units", map[string]any{"code": "个", "name": "个"}},
				rec{"/api/v1/products", map[string]any{"code": "CUP", "name": "杯子", "base_unit": "个",
					"attributes": []any{map[string]any{"name": "色", "values": []string{"白", "黑"}}},
					"skus": []any{map[string]any{"code": "CUP-W", "attrs": map[string]string{"色": "白"}},
						map[string]any{"code": "CUP-B", "attrs": map[string]string{"色": "黑"}}}}},
			)
			var plan docs.Document
			if s := c.call(t, "POST", "/api/v1/count-plans", map[string]any{"site": "s1", "date": "2026-11-25", "scope": "bins",
				"bins": []string{"A-01"}, "blind": true}, &plan); s != 201 {
				t.Fatalf("create plan: %d", s)
			}
			c.approve(t, "count-plans", plan.ID, 1)
			h1, h2 := openWorkEdge(t, "s1"), openWorkEdge(t, "s1")
			stop1, stop2 := h1.connectStoppable(t, broker.URL), h2.connectStoppable(t, broker.URL)
			h1.hasDoc(t, "count_plan", plan.Number)
			h2.hasDoc(t, "count_plan", plan.Number)
			stop1()
			stop2()
			// Both count CUP-W in A-01, each not having seen the other.
			s, res := h1.work(t, "/count", "c1", map[string]any{"plan": plan.Number, "sku": "CUP-W", "bin": "A-01", "counted": 7})
			if s != 201 {
				t.Fatalf("count on h1: %d", s)
			}
			if _, shown := res["expected"]; shown {
				t.Errorf("a blind plan showed the expected quantity: %v", res)
			}
			s, sess := h2.work(t, "/sessions", "s2-open", map[string]any{"type": "count", "ref": plan.Number})
			if s != 201 {
				t.Fatalf("open a count session: %d", s)
			}
			if s, _ := h2.work(t, "/count", "c2", map[string]any{"plan": plan.Number, "sku": "CUP-W", "bin": "A-01", "counted": 9}); s != 201 {
				t.Fatalf("count on h2: %d", s)
			}
			if s, _ := h2.work(t, "/count", "c3", map[string]any{"plan": plan.Number, "sku": "CUP-B", "bin": "A-01", "counted": 4}); s != 201 {
				t.Fatalf("count on h2: %d", s)
			}
			if s, _ := h2.work(t, "/count", "c4", map[string]any{"plan": plan.Number, "sku": "CUP-W", "bin": "B-09", "counted": 1}); s < 400 {
				t.Fatalf("a count outside the plan's bins was recorded: %d", s)
			}
			if s, _ := h2.work(t, "/sessions/"+fmt.Sprint(sess["id"])+"/close", "s2-close", map[string]any{}); s != 201 {
				t.Fatalf("close the count session: %d", s)
			}
			h1.connect(t, broker.URL)
			h2.connect(t, broker.URL)
			testenv.WaitFor(t, time.Minute, func() error {
				var p docs.Document
				if s := c.call(t, "GET", "/api/v1/count-plans/"+strconv.FormatInt(plan.ID, 10), nil, &p); s != 200 || p.Status != docs.StatusPartlyDone {
					return fmt.Errorf("plan: %d %s", s, p.Status)
				}
				var got struct {
					Conflicts []struct {
						Bin, SKU     string
						Observations []struct {
							Counted int64 `json:"counted"`
						} `json:"observations"`
					} `json:"conflicts"`
				}
				if s := c.call(t, "GET", "/api/v1/count-conflicts?site=s1", nil, &got); s != 200 {
					return fmt.Errorf("conflicts: %d", s)
				}
				if len(got.Conflicts) != 1 || got.Conflicts[0].SKU != "CUP-W" || len(got.Conflicts[0].Observations) != 2 {
					return fmt.Errorf("conflicts %+v", got.Conflicts)
				}
				return nil
			})
		})
	}
}

// TestHQWritesReachAgents: an other in approved at HQ is written as the
// cloud's own replica of the site; the site's online agent gets it pushed
// as a peer's events, and one that was offline pulls it when it
// connects, so both count it in their stock.
func TestHQWritesReachAgents(t *testing.T) {
	for _, st := range dbs(t) {
		t.Run(st.name, func(t *testing.T) {
			app, broker := startCloud(t, st.dsn, "hq-e2e-"+st.name)
			c := signIn(t, "http://"+app.Addr, "t", "admin", "admin password 1")
			c.seed(t,
				rec{"/api/v1/sites", map[string]any{"code": "s1", "name": "门店 s1", "type": "store"}},
				rec{"/api/v1/units", map[string]any{"code": "个", "name": "个"}},
				rec{"/api/v1/products", map[string]any{"code": "CUP", "name": "杯子", "base_unit": "个", "skus": []any{map[string]any{"code": "CUP-1"}}}},
			)
			online, later := openWorkEdge(t, "s1"), openWorkEdge(t, "s1")
			online.connect(t, broker.URL)
			var qr docs.Document
			if s := c.call(t, "POST", "/api/v1/other-ins", map[string]any{"site": "s1", "date": "2026-11-25", "reason": "found",
				"lines": []any{map[string]any{"sku": "CUP-1", "qty": 5, "bin": "A-01"}}}, &qr); s != 201 {
				t.Fatalf("create other in: %d", s)
			}
			c.approve(t, "other-ins", qr.ID, 1)
			later.connect(t, broker.URL)
			for name, e := range map[string]*edge{"online": online, "later": later} {
				testenv.WaitFor(t, time.Minute, func() error {
					rows, err := e.l.Stock(context.Background(), agent.StockFilter{SKU: "CUP-1", Bin: "A-01"})
					if err != nil || len(rows) != 1 || rows[0].Qty != 5 {
						return fmt.Errorf("%s agent's stock of CUP-1 at A-01: %+v %v", name, rows, err)
					}
					return nil
				})
			}
			testenv.WaitFor(t, time.Minute, func() error {
				var got docs.Document
				if s := c.call(t, "GET", "/api/v1/other-ins/"+strconv.FormatInt(qr.ID, 10), nil, &got); s != 200 || got.Status != docs.StatusDone {
					return fmt.Errorf("other in: %d %s", s, got.Status)
				}
				return nil
			})
		})
	}
}
