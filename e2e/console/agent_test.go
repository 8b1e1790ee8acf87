package console_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jxc-edge/jxc/agent/mqtt"
	agentsqlite "github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
)

// startAgent runs an agent of the cloud's default tenant at site, syncing
// through the cloud's broker, until the test ends.
func startAgent(t *testing.T, c *Cloud, site string) *agentsqlite.Ledger {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	l, err := agentsqlite.Open(t.TempDir(), agentsqlite.Options{Tenant: defaultTenant, Site: site, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	sc := mqtt.New(l, mqtt.Options{Broker: c.Broker, Tenant: defaultTenant, Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; l.Close() })
	return l
}

// TestProductReachesAgentCatalogue: a product with two colours made in
// the console's form, with a barcode on its first SKU, reaches the
// catalogue of a store's agent that is online (pushed at the save): a
// scan of the barcode finds the SKU, at the form's price.
func TestProductReachesAgentCatalogue(t *testing.T) {
	c := MustStartCloud(t)
	b := MustBrowser(t, c.URL)
	b.SignIn(t, "admin", adminPassword)
	mustPost(t, b, "/api/v1/units", map[string]any{"code": "件", "name": "件"})
	mustPost(t, b, "/api/v1/sites", map[string]any{"code": "store-9", "name": "九号店", "type": "store"})
	l := startAgent(t, c, "store-9")
	testenv.WaitFor(t, time.Minute, func() error {
		if l.MasterRev() == 0 {
			return fmt.Errorf("the agent has no master data yet")
		}
		return nil
	})

	const code, barcode = "E2E-AGENT", "6901234000023"
	fillProduct(t, b, code, "E2E 到店商品")
	generateColours(t, b, code)
	b.Do(t, chromedp.SendKeys(chromedp.CSS(".product-skus .sku-barcodes input"), barcode+"\r"))
	saveRecord(t, b)
	var sku string
	testenv.WaitFor(t, time.Minute, func() error {
		p, ok, err := l.ProductByGTIN(context.Background(), barcode)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("the agent's catalogue has no %s", barcode)
		}
		if p.Price != 5900 {
			return fmt.Errorf("%s → %s at %d fen, want 5900", barcode, p.SKU, p.Price)
		}
		sku = p.SKU
		return nil
	})
	recs, err := l.MasterRecords(context.Background(), syncproto.KindProduct)
	if err != nil {
		t.Fatal(err)
	}
	var both int
	for _, r := range recs {
		if !r.Deleted && len(r.Key) > len(code) && r.Key[:len(code)] == code {
			both++
		}
	}
	if both != 2 {
		t.Errorf("the agent holds %d SKUs of %s (%s scanned), want 2", both, code, sku)
	}
}
