package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata/seed"
	"github.com/jxc-edge/jxc/cmd/internal/cloudapp"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// The demo's sites: a store with two agents, a second store without one,
// and the warehouse with the emulated devices.
var (
	demoStores     = []string{"shanghai-01", "shanghai-02"}
	demoWarehouses = []string{"beijing-wh"}
)

// demoChain is the chain the demo seeds its cloud with.
func demoChain() *seed.Chain {
	return seed.Generate(seed.Options{Stores: demoStores, Warehouses: demoWarehouses, Password: demoAdminPassword})
}

// demoAdmin signs the demo's administrator in, as the console would, and
// returns the session's principal.
func demoAdmin(ctx context.Context, svc *auth.Service) (*auth.Principal, error) {
	si, err := svc.SignIn(ctx, demoTenant, auth.AdminUser, demoAdminPassword, "demo")
	if err != nil {
		return nil, fmt.Errorf("demo sign-in: %w", err)
	}
	p, err := svc.AuthenticateSession(ctx, si.Token, "demo")
	if err != nil {
		return nil, fmt.Errorf("demo sign-in: %w", err)
	}
	return p, nil
}

// seedMaster writes the chain's master data through the cloud's master
// data service as admin (audited and published to agents like console
// input) and prints what it wrote. A cloud seeded by an earlier run (the
// same --dir) is left as it is.
func (d *DemoCommand) seedMaster(ctx context.Context, cloud *cloudapp.App, admin *auth.Principal, c *seed.Chain) error {
	start := time.Now()
	n, err := c.Apply(ctx, cloud.MasterData, admin)
	if errors.Is(err, seed.ErrSeeded) {
		d.printf("master data 主数据: already seeded by an earlier run in this folder / 此目录中已有主数据，未重复录入\n")
		return nil
	}
	if err != nil {
		return err
	}
	d.printf("master data 主数据: entered through the master data service as %s in %.1f s (audited, published to agents)\n"+
		"  以管理员身份经主数据服务录入（有审计记录，并下发到边缘节点）:\n"+
		"  %d products 商品 (%d SKUs), %d categories 分类, %d units 单位, %d sites 门店/仓库, %d bins 库位,\n"+
		"  %d stock limits 库存上下限, %d suppliers 供应商, %d customers 客户, %d settlement accounts 结算账户\n",
		admin.User, time.Since(start).Seconds(), n.Products, n.SKUs, n.Categories, n.Units, n.Sites, n.Bins,
		n.StockLimits, n.Suppliers, n.Customers, n.Accounts)
	return nil
}

// waitMaster waits until every agent holds every master record the cloud
// has for its site, as it pulled them over down/master, and prints how
// many each applied.
func (d *DemoCommand) waitMaster(ctx context.Context, cloud *cloudapp.App, agents []*demoAgent) error {
	ms, ok := cloud.Store.(master.Store)
	if !ok {
		return fmt.Errorf("cloud store %T keeps no master records", cloud.Store)
	}
	svc := master.New(ms)
	start := time.Now()
	deadline := start.Add(60 * time.Second)
	heads := map[string]uint64{}
	for _, a := range agents {
		if _, ok := heads[a.site]; ok {
			continue
		}
		var rev uint64
		for {
			page, err := svc.After(ctx, demoTenant, a.site, rev, 0)
			if err != nil {
				return err
			}
			rev = page.UpTo
			if page.Complete {
				break
			}
		}
		heads[a.site] = rev
	}
	for _, a := range agents {
		for a.app.Ledger.MasterRev() < heads[a.site] {
			if time.Now().After(deadline) {
				return fmt.Errorf("agent %s holds master revision %d after 60 s, the cloud %d", a.name, a.app.Ledger.MasterRev(), heads[a.site])
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	var parts []string
	for _, a := range agents {
		parts = append(parts, fmt.Sprintf("%s %d", a.name, a.app.Ledger.Stats().MasterApplied))
	}
	d.printf("agents pulled master data 边缘节点已拉取主数据 (down/master, %.1f s): %s records 条\n",
		time.Since(start).Seconds(), strings.Join(parts, ", "))
	return nil
}

// demoItem is a SKU the workload books, as the agent's catalogue (its
// master records) describes it.
type demoItem struct {
	sku     string
	lot     bool // lot-tracked: every movement names a lot
	weighed bool // sold by weight: quantities in grams
}

// workload reads from the agent's own master records what its workload
// books: up to n SKUs spread over the catalogue, and the site's bins.
func workload(ctx context.Context, a *demoAgent, n int) ([]demoItem, []string, error) {
	recs, err := a.app.Ledger.MasterRecords(ctx, syncproto.KindProduct)
	if err != nil {
		return nil, nil, err
	}
	var all []demoItem
	for _, r := range recs {
		if r.GetDeleted() {
			continue
		}
		var p pb.ProductRecord
		if err := proto.Unmarshal(r.GetBody(), &p); err != nil {
			continue
		}
		all = append(all, demoItem{sku: r.GetKey(), lot: p.GetLotTracked(), weighed: p.GetByWeight()})
	}
	bins, err := a.app.Ledger.MasterRecords(ctx, syncproto.KindBin)
	if err != nil {
		return nil, nil, err
	}
	var codes []string
	for _, b := range bins {
		if !b.GetDeleted() {
			codes = append(codes, b.GetKey())
		}
	}
	if len(all) == 0 || len(codes) == 0 {
		return nil, nil, fmt.Errorf("agent %s has %d products and %d bins from the cloud", a.name, len(all), len(codes))
	}
	step := max(1, len(all)/n)
	var items []demoItem
	for i := 0; i < len(all) && len(items) < n; i += step {
		items = append(items, all[i])
	}
	return items, codes, nil
}

// demoLots are the lots of lot-tracked SKUs.
var demoLots = []string{"L20261101", "L20261115", "L20261203"}

// movement returns a receipt (in) or a shipment of it in bin, with a
// quantity fit for the SKU: pieces, or grams of goods sold by weight.
func (it demoItem) movement(rng *rand.Rand, bin string, in bool) map[string]any {
	m := map[string]any{"sku": it.sku, "bin": bin, "operator": "demo"}
	if it.lot {
		m["lot"] = demoLots[rng.IntN(len(demoLots))]
	}
	switch {
	case in && it.weighed:
		m["qty"], m["unit_cost"] = 2000+rng.IntN(18000), 1+rng.IntN(5) // grams; fen per gram
	case in:
		m["qty"], m["unit_cost"] = 1+rng.IntN(24), 150+rng.IntN(3000)
	case it.weighed:
		m["qty"] = -(200 + rng.IntN(2800))
	default:
		m["qty"] = -(1 + rng.IntN(12))
	}
	if in {
		m["reason"], m["currency"] = "receive", "CNY"
	} else {
		m["reason"] = "ship"
	}
	return m
}

// demoDeviceItems are the seeded items the warehouse's devices handle:
// two cases with their own GTIN that cross the RFID portal (one pass
// books a case's 24), a counted item and one sold by weight that the
// receiving desk scans.
type demoDeviceItems struct {
	cases            [2]string // GTIN-14 of the case barcodes
	counted, weighed string    // GTIN-13
	// caseNames, countedName and weighedName say what they are: SKU,
	// name and, for a case, its size.
	caseNames                [2]string
	countedName, weighedName string
}

// deviceItems picks them from the chain: the first water and the first
// milk sold in cases, the first tea drink, the first meat.
func deviceItems(c *seed.Chain) (demoDeviceItems, error) {
	var d demoDeviceItems
	find := func(cat string, ok func(seed.Product) bool) (seed.Product, error) {
		for _, p := range c.Products {
			if p.Category == cat && ok(p) {
				return p, nil
			}
		}
		return seed.Product{}, fmt.Errorf("the demo chain has no product of category %s for the devices", cat)
	}
	cased := func(p seed.Product) bool { return len(p.Units) > 0 && len(p.Units[0].Barcodes) > 0 }
	for i, cat := range []string{"2001", "1004"} {
		p, err := find(cat, cased)
		if err != nil {
			return d, err
		}
		d.cases[i] = "0" + p.Units[0].Barcodes[0]
		d.caseNames[i] = fmt.Sprintf("%s %s ×%d", p.SKUs[0].Code, p.Name, p.Units[0].Factor)
	}
	p, err := find("2003", func(p seed.Product) bool { return len(p.SKUs[0].Barcodes) > 0 })
	if err != nil {
		return d, err
	}
	d.counted, d.countedName = p.SKUs[0].Barcodes[0], p.SKUs[0].Code+" "+p.Name
	if p, err = find("5003", func(p seed.Product) bool { return p.SoldByWeight && len(p.SKUs[0].Barcodes) > 0 }); err != nil {
		return d, err
	}
	d.weighed, d.weighedName = p.SKUs[0].Barcodes[0], p.SKUs[0].Code+" "+p.Name
	return d, nil
}

// printUsers prints the console's address and how each user signs in.
func (d *DemoCommand) printUsers(addr string, c *seed.Chain) {
	titles := map[string]string{}
	for _, r := range auth.BuiltinRoles() {
		titles[r.Name] = r.TitleZH
	}
	d.printf("\nconsole 管理后台: http://%s/   tenant 租户: %s   API docs 接口文档: http://%s/api/docs\n", addr, demoTenant, addr)
	row := func(cols ...string) {
		w := []int{12, 15, 26, 16}
		var b strings.Builder
		b.WriteString("  ")
		for i, col := range cols {
			b.WriteString(col)
			if i < len(w) {
				b.WriteString(strings.Repeat(" ", max(1, w[i]-displayWidth(col))))
			}
		}
		d.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
	row("user 用户", "password 密码", "role 角色", "sites 站点", "name 姓名")
	row(auth.AdminUser, demoAdminPassword, auth.RoleAdministrator+" "+titles[auth.RoleAdministrator], "all 全部", "Administrator 管理员")
	for _, u := range c.Users {
		sites := "all 全部"
		if len(u.Sites) > 0 {
			sites = strings.Join(u.Sites, ",")
		}
		row(u.Name, u.Password, u.Role+" "+titles[u.Role], sites, u.DisplayName)
	}
	d.printf("  (every user but admin sets a new password at the first sign-in / 除 admin 外，首次登录须修改密码)\n")
}

// displayWidth is how many terminal columns s takes: East Asian wide
// characters (Chinese, full-width punctuation) take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
