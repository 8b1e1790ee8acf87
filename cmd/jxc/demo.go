package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/mqtt"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cmd/internal/agentapp"
	"github.com/jxc-edge/jxc/cmd/internal/cli"
	"github.com/jxc-edge/jxc/cmd/internal/cloudapp"
	"github.com/jxc-edge/jxc/syncproto"
)

// DemoCommand runs the whole system in one process: the cloud on SQLite with
// an embedded MQTT broker, two agents of one store and one of a warehouse,
// and a generator that records through the agents' HTTP APIs while one
// agent's link is cut and restored. At the end it checks that the cloud's
// totals equal what was recorded.
type DemoCommand struct {
	// token is the API token the demo reads the cloud's stock with.
	token string
	// agentToken is the device token the workload records through the
	// agents' APIs with (every write there needs a caller).
	agentToken string

	out io.Writer
}

// bearerTransport adds a bearer token to every request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

type demoAgent struct {
	name, site string
	profiles   string
	app        *agentapp.App
	url        string
	// items and bins are what the workload books: SKUs and bins from the
	// agent's master data.
	items  []demoItem
	bins   []string
	moves  atomic.Int64
	counts atomic.Int64
	errors atomic.Int64
}

// Run runs the demo until it has checked its totals, or ctx is cancelled.
func (d *DemoCommand) Run(ctx context.Context, args []string) error {
	if d.out == nil {
		d.out = os.Stdout
	}
	fs := flag.NewFlagSet("jxc demo", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for the cloud database, ledgers and log (default: a new temporary one)")
	duration := fs.Duration("duration", 20*time.Second, "how long the generator records")
	rate := fs.Int("rate", 300, "operations per second across all agents")
	listen := cli.String(fs, "listen", "JXC_DEMO_LISTEN", "127.0.0.1:0", "cloud HTTP address")
	hold := fs.Bool("hold", false, "keep everything running after the check, until Ctrl-C")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate <= 0 || *duration <= 0 {
		return fmt.Errorf("--rate and --duration must be positive")
	}
	if *dir == "" {
		var err error
		if *dir, err = os.MkdirTemp("", "jxc-demo-*"); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(*dir, "demo.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	log := slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelInfo}))

	d.printf("JXC Edge demo / 演示 — data in %s (log: demo.log)\n", *dir)
	chain := demoChain()
	items, err := deviceItems(chain)
	if err != nil {
		return err
	}
	cloud, err := cloudapp.Start(ctx, cloudapp.Config{DB: "sqlite:" + filepath.Join(*dir, "cloud.db"),
		Broker: "embedded", MQTTListen: "127.0.0.1:0", Listen: *listen, Logger: log,
		Tenant: demoTenant, AdminPassword: demoAdminPassword})
	if err != nil {
		return err
	}
	defer cloud.Close()
	d.printf("cloud 云端: http://%s  broker 消息代理: %s (embedded)\n", cloud.Addr, cloud.BrokerURL)
	admin, err := demoAdmin(ctx, cloud.Auth)
	if err != nil {
		return err
	}
	if d.token, err = demoToken(ctx, cloud.Auth, admin); err != nil {
		return err
	}
	// HQ's master data, entered as the console would; then the users
	// (slow on purpose: password hashing), while the agents start.
	if err := d.seedMaster(ctx, cloud, admin, chain); err != nil {
		return err
	}
	usersDone := make(chan error, 1)
	go func() { usersDone <- chain.ApplyUsers(ctx, cloud.Auth, admin) }()

	devs, err := startDemoDevices(filepath.Join(*dir, "wh-bj-devices"), items, 60, *duration/2)
	if err != nil {
		<-usersDone
		return fmt.Errorf("device emulators: %w", err)
	}
	defer devs.close()

	agents := []*demoAgent{
		{name: "shop-sh-a", site: demoStores[0]},
		{name: "shop-sh-b", site: demoStores[0]},
		{name: "wh-bj", site: demoWarehouses[0], profiles: devs.dir},
	}
	d.agentToken = httpapi.NewDeviceToken()
	for _, a := range agents {
		a.app, err = agentapp.Start(ctx, agentapp.Config{DataDir: filepath.Join(*dir, a.name), Tenant: demoTenant, Site: a.site,
			Broker: cloud.BrokerURL, Listen: "127.0.0.1:0", Logger: log.With("agent", a.name), Profiles: a.profiles,
			DeviceTokens: map[string]string{"demo-workload": d.agentToken},
			Sync:         mqtt.Options{AckTimeout: 3 * time.Second, PullInterval: 2 * time.Second, StatusInterval: 2 * time.Second}})
		if err != nil {
			<-usersDone
			return err
		}
		defer a.app.Close()
		a.url = "http://" + a.app.Addr
		d.printf("agent 边缘节点 %-10s site %-12s replica %s  %s\n", a.name, a.site, a.app.Ledger.Replica(), a.url)
	}
	// The agents' catalogues come from the cloud's master data only.
	if err := d.waitMaster(ctx, cloud, agents); err != nil {
		<-usersDone
		return err
	}
	if err := <-usersDone; err != nil {
		return err
	}
	d.printUsers(cloud.Addr, chain)
	d.printf("\n")
	for _, a := range agents {
		if a.items, a.bins, err = workload(ctx, a, 40); err != nil {
			return err
		}
	}
	wh := agents[2]
	if err := devs.writeProfiles(); err != nil {
		return fmt.Errorf("device profiles: %w", err)
	}
	wh.app.Devices.Reload()
	d.printf("devices 设备 of %s: RFID portal 射频门 %s (LLRP), scale 秤 %s (MT-SICS), scanner 扫码枪 %s, profiles in %s\n"+
		"  tagged cases 整箱 through the portal: %s; %s\n  at the receiving desk 收货台: %s scanned, %s weighed and scanned\n",
		wh.name, devs.reader.Addr(), devs.scale.Path(), devs.scanner.Path(), devs.dir,
		items.caseNames[0], items.caseNames[1], items.countedName, items.weighedName)

	dd, err := d.makeDocs(ctx, cloud, admin, chain.Suppliers[0].Code, chain.Customers[0].Code, demoDocItems(wh.items))
	if err != nil {
		return err
	}

	// The generator: receipts, shipments and counts through the HTTP APIs;
	// beside it the documents' work at the sites and a till selling.
	gctx, stopGen := context.WithTimeout(ctx, *duration)
	defer stopGen()
	var wg sync.WaitGroup
	workErr := make(chan error, 1)
	wg.Add(1)
	go func() { defer wg.Done(); workErr <- d.work(gctx, dd, wh, agents[0], agents[1]) }()
	for i, a := range agents {
		wg.Add(1)
		go func() { defer wg.Done(); d.generate(gctx, a, *rate/len(agents), uint64(i)) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); devs.scan(gctx, 700*time.Millisecond) }()
	cut := agents[1]
	start := time.Now()
	tick := time.NewTicker(time.Second)
	cutDone := false
	for gctx.Err() == nil {
		select {
		case <-gctx.Done():
		case <-tick.C:
			el := time.Since(start)
			switch {
			case !cutDone && el >= *duration/4 && !cut.app.Sync.Offline():
				cut.app.Sync.SetOffline(true)
				d.printf("-- %s: link cut, it keeps recording offline / 断网,继续离线记账\n", cut.name)
			case !cutDone && el >= *duration*5/8 && cut.app.Sync.Offline():
				cut.app.Sync.SetOffline(false)
				cutDone = true
				d.printf("-- %s: link restored / 网络恢复\n", cut.name)
			}
			d.printLag(el, agents)
		}
	}
	wg.Wait()
	tick.Stop()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if cut.app.Sync.Offline() {
		cut.app.Sync.SetOffline(false)
	}
	d.printf("generator stopped; waiting for every agent to sync / 等待同步完成…\n")
	if err := d.waitSynced(ctx, agents); err != nil {
		d.printLag(time.Since(start), agents)
		return err
	}
	d.printLag(time.Since(start), agents)
	if err := <-workErr; err != nil {
		return fmt.Errorf("the documents' work at the sites: %w", err)
	}
	ok, err := d.check(ctx, cloud, agents)
	if err != nil {
		return err
	}
	docsOK, err := d.checkDocs(ctx, cloud, admin, dd)
	if err != nil {
		return err
	}
	if err := d.printDevices(ctx, wh); err != nil {
		return err
	}
	d.printf("\nconsole 管理后台: http://%s/ — sign in as any user above, tenant %s / 可用上方任一用户登录\n", cloud.Addr, demoTenant)
	d.printf("handheld and till pages 门店作业页面: each agent's address above (%s/ …) — sign in with a user of its site / 用该门店的用户登录\n", agents[0].url)
	if *hold {
		d.printf("running until Ctrl-C / 按 Ctrl-C 退出: curl -H 'Authorization: Bearer %s' http://%s/api/v1/stock\n", d.token, cloud.Addr)
		d.printf("agents 边缘节点: sign in with POST /api/v1/session {\"user\",\"password\"} (the users above), or write with the device token %s\n", d.agentToken)
		<-ctx.Done()
	}
	if !ok {
		return fmt.Errorf("cloud totals do not match what was recorded")
	}
	if !docsOK {
		return fmt.Errorf("the documents did not end done, or the retail sales do not match")
	}
	return nil
}

func (d *DemoCommand) printf(format string, args ...any) { fmt.Fprintf(d.out, format, args...) }

func (d *DemoCommand) generate(ctx context.Context, a *demoAgent, perSecond int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 42))
	client := &http.Client{Timeout: 10 * time.Second, Transport: bearerTransport{d.agentToken}}
	interval := time.Second / time.Duration(max(perSecond, 1))
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		it, bin := a.items[rng.IntN(len(a.items))], a.bins[rng.IntN(len(a.bins))]
		// A request under way finishes when the generator stops (the client's
		// timeout bounds it): a cancelled one might still be recorded by the
		// agent after the generator stopped, unknown to the final check.
		rctx := context.WithoutCancel(ctx)
		var err error
		switch p := rng.IntN(100); {
		case p < 2:
			lot := ""
			if it.lot {
				lot = demoLots[rng.IntN(len(demoLots))]
			}
			err = d.count(rctx, client, a, it.sku, bin, lot, rng)
		default:
			err = post(rctx, client, a.url+"/api/v1/movements", it.movement(rng, bin, p < 62))
			if err == nil {
				a.moves.Add(1)
			}
		}
		if err != nil {
			a.errors.Add(1)
		}
	}
}

// count records a stocktake of what the agent believes is there, off by a
// little now and then as real counts are.
func (d *DemoCommand) count(ctx context.Context, c *http.Client, a *demoAgent, sku, bin, lot string, rng *rand.Rand) error {
	rows, err := a.app.Ledger.Stock(ctx, stockFilter(sku, bin))
	if err != nil {
		return err
	}
	// A SKU stocked by lot in this bin is counted per lot (the agent
	// refuses a lot-less count there): count one of its lots instead.
	if lot == "" {
		for _, r := range rows {
			if r.Bin == bin && r.Lot != "" {
				lot = r.Lot
				break
			}
		}
	}
	var have int64
	for _, r := range rows {
		if r.Bin == bin && r.Lot == lot {
			have = r.Qty
		}
	}
	counted := max(have+int64(rng.IntN(5))-2, 0)
	err = post(ctx, c, a.url+"/api/v1/counts", map[string]any{"sku": sku, "bin": bin, "lot": lot, "counted": counted, "operator": "demo"})
	if err == nil {
		a.counts.Add(1)
	}
	return err
}

func stockFilter(sku, bin string) agent.StockFilter { return agent.StockFilter{SKU: sku, Bin: bin} }

func post(ctx context.Context, c *http.Client, url string, body any) error {
	return send(ctx, c, http.MethodPost, url, body, http.StatusCreated, "")
}

// send makes a request with body as JSON, and an Idempotency-Key when key
// is not empty, and refuses an answer other than want.
func send(ctx context.Context, c *http.Client, method, url string, body any, want int, key string) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, msg)
	}
	return nil
}

func (d *DemoCommand) printLag(el time.Duration, agents []*demoAgent) {
	var parts []string
	for _, a := range agents {
		l := a.app.Ledger
		state := "online"
		if !a.app.Sync.Connected() {
			state = "OFFLINE"
		}
		parts = append(parts, fmt.Sprintf("%s seq %5d acked %5d lag %4d %-7s", a.name, l.LastSeq(), l.AckedSeq(), l.LastSeq()-l.AckedSeq(), state))
	}
	d.printf("%4.0fs  %s\n", el.Seconds(), strings.Join(parts, " | "))
}

// waitSynced waits until the cloud has acknowledged every agent's events and
// every agent has applied its site peers' events, with no agent's last seq
// changing between two looks (a scan of the emulated devices may still be
// on its way when the generator stops).
func (d *DemoCommand) waitSynced(ctx context.Context, agents []*demoAgent) error {
	deadline := time.Now().Add(90 * time.Second)
	last := make([]uint64, len(agents))
	for {
		done := true
		for i, a := range agents {
			if n := a.app.Ledger.LastSeq(); n != last[i] {
				last[i], done = n, false
			}
			if a.app.Ledger.AckedSeq() < a.app.Ledger.LastSeq() {
				done = false
			}
			for _, p := range agents {
				if p != a && p.site == a.site && a.app.Ledger.PeerVV()[p.app.Ledger.Replica()] < p.app.Ledger.LastSeq() {
					done = false
				}
			}
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("agents not in sync after 90s")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// check compares the cloud's on-hand and every agent's with what the merge
// rules give for every event recorded, and prints per-site totals.
func (d *DemoCommand) check(ctx context.Context, cloud *cloudapp.App, agents []*demoAgent) (bool, error) {
	var all []syncproto.Event
	for _, a := range agents {
		for from := uint64(1); from <= a.app.Ledger.LastSeq(); {
			evs, err := a.app.Ledger.Events(ctx, from, 5000, 4<<20)
			if err != nil {
				return false, err
			}
			if len(evs) == 0 {
				break
			}
			all = append(all, evs...)
			from = evs[len(evs)-1].Seq + 1
		}
	}
	want := syncproto.OnHandAll(all)
	var deltas = map[string]int64{}
	for i := range all {
		if m := all[i].Msg.GetMovement(); m != nil {
			deltas[all[i].Site] += m.GetQty()
		}
	}
	var cloudRows struct {
		Rows []struct {
			Site, Bin, SKU, Lot string
			Qty                 int64
		} `json:"rows"`
	}
	if err := getJSON(ctx, "http://"+cloud.Addr+"/api/v1/stock", d.token, &cloudRows); err != nil {
		return false, err
	}
	got := map[syncproto.Key]int64{}
	for _, r := range cloudRows.Rows {
		got[syncproto.Key{Site: r.Site, Bin: r.Bin, SKU: r.SKU, Lot: r.Lot}] = r.Qty
	}
	ok := true
	sites := map[string][2]int64{}
	for k, w := range want {
		t := sites[k.Site]
		t[0] += w
		t[1] += got[k]
		sites[k.Site] = t
		if got[k] != w {
			ok = false
			d.printf("MISMATCH %s: cloud %d, recorded %d\n", k, got[k], w)
		}
	}
	for k := range got {
		if _, seen := want[k]; !seen {
			ok = false
			d.printf("MISMATCH %s: in the cloud (%d) but never recorded\n", k, got[k])
		}
	}
	for _, a := range agents {
		rows, err := a.app.Ledger.Stock(ctx, stockFilter("", ""))
		if err != nil {
			return false, err
		}
		for _, r := range rows {
			if k := (syncproto.Key{Site: r.Site, Bin: r.Bin, SKU: r.SKU, Lot: r.Lot}); want[k] != r.Qty {
				ok = false
				d.printf("MISMATCH agent %s %s: %d, recorded %d\n", a.name, k, r.Qty, want[k])
			}
		}
	}
	names := make([]string, 0, len(sites))
	for s := range sites {
		names = append(names, s)
	}
	sort.Strings(names)
	d.printf("\n%-12s %10s %10s %14s %14s\n", "site 站点", "movements", "counts", "recorded 记账", "cloud 云端")
	for _, s := range names {
		var moves, counts, errs int64
		for _, a := range agents {
			if a.site == s {
				moves += a.moves.Load()
				counts += a.counts.Load()
				errs += a.errors.Load()
			}
		}
		d.printf("%-12s %10d %10d %14d %14d   (Σ movement deltas %d, failed requests %d)\n", s, moves, counts, sites[s][0], sites[s][1], deltas[s], errs)
	}
	d.printf("(on-hand in base units: pieces, grams of goods sold by weight / 库存按基本单位：件、个、瓶…，称重商品按克)\n")
	if ok {
		d.printf("\nOK: cloud totals equal what was recorded, for every key; every agent agrees. / 云端库存与记账一致。\n")
	} else {
		d.printf("\nFAILED: see MISMATCH lines above. / 不一致。\n")
	}
	return ok, nil
}

// getJSON gets url into v, with token as the bearer API token unless it
// is empty.
func getJSON(ctx context.Context, url, token string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// The demo's cloud has the tenant of its agents, whose administrator has
// a fixed password so the console can be tried.
const (
	demoTenant        = "demo"
	demoAdminPassword = "jxc-demo-2026"
)

// demoToken makes an API token for admin, for reading the cloud's stock
// as an integration would.
func demoToken(ctx context.Context, svc *auth.Service, admin *auth.Principal) (string, error) {
	_, tok, err := svc.CreateToken(ctx, admin, auth.NewToken{Name: "demo", Permissions: []auth.Permission{"stock.view"}})
	if err != nil {
		return "", fmt.Errorf("demo API token: %w", err)
	}
	return tok, nil
}

// printDevices shows what the warehouse's devices did, their health as
// the agent's API serves it (GET /api/v1/devices).
func (d *DemoCommand) printDevices(ctx context.Context, a *demoAgent) error {
	st := a.app.Devices.Stats()
	d.printf("\ndevices of %s 设备: %d gate passes, %d scans (%d recorded, %d refused), %d unknown items\n",
		a.name, st.Passes, st.Scans, st.ScanMovements, st.ScanRejected, st.UnknownItems)
	var hs httpapi.DevicesResponse
	if err := getJSON(ctx, a.url+"/api/v1/devices", "", &hs); err != nil {
		return fmt.Errorf("device health: %w", err)
	}
	for _, h := range hs.Devices {
		d.printf("  %-8s %-8s connected %-5v reads %6d errors %d clock offset %d ms %s\n",
			h.Device, h.Kind, h.Connected, h.Reads, h.Errors, h.ClockOffsetMS, h.LastError)
	}
	return nil
}
