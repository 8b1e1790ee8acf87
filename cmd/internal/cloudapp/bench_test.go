package cloudapp_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// Receiving a 500-line purchase order by scans: scanLines lines, each
// received by scansPerLine scans of one, from scanWorkers handhelds at
// once (each a sequence of HTTP calls, as a person scanning).
const (
	scanLines    = 500
	scansPerLine = 2
	scanWorkers  = 4
)

// BenchmarkPOReceiveByScans measures a 500-line purchase order received by
// scans at an agent's work API (POST /api/v1/work/receive, each answered
// once its movement is durable, checked against the order and the
// tolerance): scans/s at the edge, and scans/s through to the cloud's
// order reaching "done" (synced over the real Mosquitto, projected into
// the order's progress). The raw limit beside it is the same number of
// movements appended straight to a ledger by as many writers
// (raw-appends/s): what the edge's checks, HTTP and idempotency cost.
func BenchmarkPOReceiveByScans(b *testing.B) {
	for _, st := range []struct{ name, dsn string }{
		{"sqlite", "sqlite:" + filepath.Join(b.TempDir(), "cloud.db")},
		{"postgres", testenv.PostgresDSN(b)},
	} {
		b.Run(st.name, func(b *testing.B) {
			app, broker := startCloud(b, st.dsn, "bench-scans-"+st.name)
			c := signIn(b, "http://"+app.Addr, "t", "admin", "admin password 1")
			c.seed(b,
				rec{"/api/v1/sites", map[string]any{"code": "s1", "name": "仓库 s1", "type": "warehouse"}},
				rec{"/api/v1/suppliers", map[string]any{"code": "SUP", "name": "华东供应"}},
				rec{"/api/v1/units", map[string]any{"code": "个", "name": "个"}},
			)
			var skus []string
			for p := range scanLines / 50 {
				var vals []string
				var ps []any
				for v := range 50 {
					val := fmt.Sprintf("%03d", v)
					code := fmt.Sprintf("P%02d-%s", p, val)
					vals = append(vals, val)
					ps = append(ps, map[string]any{"code": code, "attrs": map[string]string{"号": val}})
					skus = append(skus, code)
				}
				prod := map[string]any{"code": fmt.Sprintf("P%02d", p), "name": fmt.Sprintf("商品 %02d", p), "base_unit": "个",
					"attributes": []any{map[string]any{"name": "号", "values": vals}}, "skus": ps}
				if s := c.call(b, "POST", "/api/v1/products", prod, nil); s != 201 {
					b.Fatalf("create product %d: %d", p, s)
				}
			}
			edge := openWorkEdge(b, "s1")
			edge.connect(b, broker.URL)

			var edgeTime, total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				lines := make([]any, len(skus))
				for j, sku := range skus {
					lines[j] = map[string]any{"sku": sku, "qty": scansPerLine, "price": 100}
				}
				var po docs.Document
				if s := c.call(b, "POST", "/api/v1/purchase-orders", map[string]any{"partner": "SUP", "site": "s1", "date": "2026-11-25",
					"lines": lines}, &po); s != 201 {
					b.Fatalf("create PO: %d", s)
				}
				c.approve(b, "purchase-orders", po.ID, 1)
				edge.hasDoc(b, "purchase_order", po.Number)
				b.StartTimer()

				start := time.Now()
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, scanWorkers)
				for w := range scanWorkers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							n := int(next.Add(1)) - 1
							if n >= len(skus)*scansPerLine {
								return
							}
							key := fmt.Sprintf("%s-%d-%d", po.Number, w, n)
							if s, body := edge.work(b, "/receive", key, map[string]any{"po": po.Number, "sku": skus[n%len(skus)],
								"qty": 1, "bin": "RECV"}); s != 201 {
								errs <- fmt.Errorf("scan %d: %d %v", n, s, body)
								return
							}
						}
					}()
				}
				wg.Wait()
				close(errs)
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
				edgeTime += time.Since(start)
				testenv.WaitFor(b, 5*time.Minute, func() error {
					var got docs.Document
					if s := c.call(b, "GET", "/api/v1/purchase-orders/"+strconv.FormatInt(po.ID, 10), nil, &got); s != 200 {
						return fmt.Errorf("get PO: %d", s)
					}
					if got.Status != docs.StatusDone {
						return fmt.Errorf("PO %s", got.Status)
					}
					return nil
				})
				total += time.Since(start)
			}
			scans := float64(b.N * len(skus) * scansPerLine)
			b.ReportMetric(scans/edgeTime.Seconds(), "scans/s")
			b.ReportMetric(scans/total.Seconds(), "received-scans/s")
			b.ReportMetric(rawAppends(b, b.N*len(skus)*scansPerLine), "raw-appends/s")
		})
	}
}

// rawAppends appends n receipt movements straight to a fresh ledger with
// scanWorkers writers and returns the rate.
func rawAppends(b *testing.B, n int) float64 {
	l, err := agentsqlite.Open(b.TempDir(), agentsqlite.Options{Tenant: "t", Site: "s1", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range scanWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if _, err := l.RecordMovement(context.Background(), agent.MovementInput{SKU: "P00-001", Bin: "RECV", Qty: 1,
					Reason: "receive", Doc: "CG20261125-0001#1"}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}
