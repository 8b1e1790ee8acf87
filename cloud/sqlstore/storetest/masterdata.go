package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// MasterDataStore is what the master data suite needs of a store.
type MasterDataStore interface {
	masterdata.Store
	master.Store
	AuthStore() auth.Store
}

// RunMasterDataTests runs the master data rules (cloud/masterdata) on a
// store: writes, versions, references, keys, scope, audit and what agents
// receive.
func RunMasterDataTests(t *testing.T, open func(t *testing.T) MasterDataStore) {
	ms := &mdSuite{store: open(t)}
	for _, c := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"PublishToAgents", ms.testPublish},
		{"VersionsAndReferences", ms.testVersions},
		{"AuditAndRollback", ms.testAudit},
		{"ConcurrentBarcode", ms.testConcurrentBarcode},
		{"Scope", ms.testScope},
		{"Lists", ms.testLists},
		{"UsersToSites", ms.testUsersToSites},
	} {
		t.Run(c.name, func(t *testing.T) {
			mustT = t
			defer func() { mustT = nil }()
			c.fn(t)
		})
	}
}

// mustT is the running subtest of the suite, for must. The suite's
// subtests run one at a time.
var mustT *testing.T

// must returns v, failing the running subtest on err.
func must[T any](v T, err error) T {
	mustT.Helper()
	if err != nil {
		mustT.Fatal(err)
	}
	return v
}

type mdSuite struct {
	store   MasterDataStore
	tenants atomic.Int64
}

type mdEnv struct {
	*env
	md *masterdata.Service
}

func (ms *mdSuite) env(t *testing.T) *mdEnv {
	t.Helper()
	as := &authSuite{store: ms.store.AuthStore()}
	as.tenants.Store(1000 + ms.tenants.Add(1))
	return &mdEnv{env: as.env(t), md: masterdata.New(ms.store)}
}

// seedBasics creates sites s1 and s2, the units 个 and 箱 and kg.
func (e *mdEnv) seedBasics(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, s := range []string{"s1", "s2"} {
		must(masterdata.Create(ctx, e.md, masterdata.Sites, e.admin, &masterdata.Site{Meta: masterdata.Meta{Code: s, Name: "店 " + s}, Type: "store"}))
	}
	must(masterdata.Create(ctx, e.md, masterdata.Units, e.admin, &masterdata.Unit{Meta: masterdata.Meta{Code: "个", Name: "个"}}))
	must(masterdata.Create(ctx, e.md, masterdata.Units, e.admin, &masterdata.Unit{Meta: masterdata.Meta{Code: "箱", Name: "箱"}}))
	must(masterdata.Create(ctx, e.md, masterdata.Units, e.admin, &masterdata.Unit{Meta: masterdata.Meta{Code: "kg", Name: "千克"}, Weight: true}))
}

// gtin13 makes a valid GTIN-13 from 12 digits.
func gtin13(first12 string) string { return first12 + string(syncproto.GTINCheckDigit(first12)) }

func tee(code string, colours ...string) *masterdata.Product {
	p := &masterdata.Product{Meta: masterdata.Meta{Code: code, Name: "T恤 " + code}, BaseUnit: "个", RetailPrice: 5900,
		Attributes: []masterdata.Attribute{{Name: "颜色", Values: colours}},
		Units:      []masterdata.PackUnit{{Unit: "箱", Factor: 24}}}
	for i, c := range colours {
		p.SKUs = append(p.SKUs, masterdata.SKU{Code: fmt.Sprintf("%s-%d", code, i), Attrs: map[string]string{"颜色": c},
			Barcodes: []string{gtin13(fmt.Sprintf("69%05d%05d", len(code)*7, i))}})
	}
	return p
}

// agentView is what site holds after applying every master record.
func (ms *mdSuite) agentView(t *testing.T, tenant, site string) map[string]*master.Record {
	t.Helper()
	page := must(master.New(ms.store).After(context.Background(), tenant, site, 0, 0))
	out := map[string]*master.Record{}
	for i := range page.Records {
		r := page.Records[i]
		out[r.Kind+"/"+r.Key] = &r
	}
	return out
}

func (ms *mdSuite) testPublish(t *testing.T) {
	ctx := context.Background()
	e := ms.env(t)
	e.seedBasics(t)
	p := must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, tee("TS", "白", "黑")))
	must(masterdata.Create(ctx, e.md, masterdata.Bins, e.admin, &masterdata.Bin{Meta: masterdata.Meta{Code: "A-01", Name: "A区1号"}, Site: "s1"}))
	must(masterdata.Create(ctx, e.md, masterdata.StockLimits, e.admin, &masterdata.StockLimit{Site: "s2", SKU: "TS-0", Min: 5, Max: 50}))

	s1 := ms.agentView(t, e.tenant, "s1")
	r := s1["product/TS-1"]
	if r == nil || r.Deleted {
		t.Fatalf("s1 has no product TS-1: %v", s1)
	}
	var pr pb.ProductRecord
	if err := proto.Unmarshal(r.Body, &pr); err != nil {
		t.Fatal(err)
	}
	if pr.Name != "T恤 TS 黑" || pr.Price != 5900 || pr.Product != "TS" || len(pr.Gtins) != 1 || pr.Gtins[0] != p.SKUs[1].Barcodes[0] ||
		len(pr.Packs) != 1 || pr.Packs[0].Factor != 24 || len(pr.Attrs) != 1 || pr.Attrs[0] != "颜色=黑" || pr.VatRate != 13 {
		t.Errorf("product record %v", &pr)
	}
	if s1["bin/A-01"] == nil || s1["stock_limit/TS-0"] != nil {
		t.Errorf("s1's bins and limits: %v", s1)
	}
	s2 := ms.agentView(t, e.tenant, "s2")
	if s2["bin/A-01"] != nil || s2["stock_limit/TS-0"] == nil || s2["product/TS-0"] == nil {
		t.Errorf("s2's view: %v", s2)
	}
	// Dropping a SKU and disabling another: both become tombstones.
	p.SKUs = p.SKUs[:1]
	p.Attributes[0].Values = []string{"白"}
	p.SKUs[0].Disabled = true
	p2 := must(masterdata.Update(ctx, e.md, masterdata.Products, e.admin, p.ID, p.Version, p))
	s1 = ms.agentView(t, e.tenant, "s1")
	if !s1["product/TS-0"].Deleted || !s1["product/TS-1"].Deleted {
		t.Errorf("after dropping TS-1 and disabling TS-0: %v %v", s1["product/TS-0"], s1["product/TS-1"])
	}
	// A referenced SKU (the stock limit) cannot be dropped.
	p2.SKUs = []masterdata.SKU{{Code: "TS-9", Attrs: map[string]string{"颜色": "白"}}}
	_, err := masterdata.Update(ctx, e.md, masterdata.Products, e.admin, p2.ID, p2.Version, p2)
	if !errors.Is(err, masterdata.ErrReferenced) {
		t.Errorf("dropping a referenced SKU: %v, want ErrReferenced", err)
	}
}

func (ms *mdSuite) testVersions(t *testing.T) {
	ctx := context.Background()
	e := ms.env(t)
	sup := must(masterdata.Create(ctx, e.md, masterdata.Suppliers, e.admin, &masterdata.Supplier{Meta: masterdata.Meta{Code: "S1", Name: "华联供应"}}))
	if sup.Version != 1 || sup.Currency != "CNY" {
		t.Fatalf("created %+v", sup)
	}
	a, b := *sup, *sup
	a.Region, b.Region = "华东", "华南"
	if _, err := masterdata.Update(ctx, e.md, masterdata.Suppliers, e.admin, sup.ID, 1, &a); err != nil {
		t.Fatal(err)
	}
	_, err := masterdata.Update(ctx, e.md, masterdata.Suppliers, e.admin, sup.ID, 1, &b)
	if !errors.Is(err, masterdata.ErrStale) {
		t.Fatalf("second edit from version 1: %v, want ErrStale", err)
	}
	got := must(masterdata.Get(ctx, e.md, masterdata.Suppliers, e.admin, sup.ID))
	if got.Region != "华东" || got.Version != 2 {
		t.Errorf("after the refused edit: %+v", got)
	}
	if _, err := masterdata.Update(ctx, e.md, masterdata.Suppliers, e.admin, sup.ID, 0, &b); !errors.Is(err, masterdata.ErrVersionRequired) {
		t.Errorf("no version: %v", err)
	}
	// References: a category in use is disabled, not deleted.
	e.seedBasics(t)
	cat := must(masterdata.Create(ctx, e.md, masterdata.Categories, e.admin, &masterdata.Category{Meta: masterdata.Meta{Code: "C", Name: "服装"}}))
	sub := must(masterdata.Create(ctx, e.md, masterdata.Categories, e.admin, &masterdata.Category{Meta: masterdata.Meta{Code: "C1", Name: "T恤"}, ParentID: cat.ID}))
	cat.ParentID = sub.ID
	if _, err := masterdata.Update(ctx, e.md, masterdata.Categories, e.admin, cat.ID, cat.Version, cat); !isField(err, "parent_id") {
		t.Errorf("a cycle: %v", err)
	}
	prod := tee("P", "红")
	prod.CategoryID = sub.ID
	prod = must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, prod))
	if err := masterdata.Delete(ctx, e.md, masterdata.Categories, e.admin, sub.ID, sub.Version); !errors.Is(err, masterdata.ErrReferenced) {
		t.Errorf("delete a used category: %v", err)
	}
	sub = must(masterdata.SetDisabled(ctx, e.md, masterdata.Categories, e.admin, sub.ID, sub.Version, true))
	// A new product cannot use the disabled category.
	p2 := tee("Q", "蓝")
	p2.CategoryID = sub.ID
	if _, err := masterdata.Create(ctx, e.md, masterdata.Products, e.admin, p2); !isField(err, "category_id") {
		t.Errorf("a disabled category: %v", err)
	}
	// Deleting the product frees its barcodes and the category.
	if err := masterdata.Delete(ctx, e.md, masterdata.Products, e.admin, prod.ID, prod.Version); err != nil {
		t.Fatal(err)
	}
	if err := masterdata.Delete(ctx, e.md, masterdata.Categories, e.admin, sub.ID, sub.Version); err != nil {
		t.Errorf("delete the category no longer used: %v", err)
	}
	again := tee("P", "红")
	if _, err := masterdata.Create(ctx, e.md, masterdata.Products, e.admin, again); err != nil {
		t.Errorf("re-create with the freed barcode and SKU code: %v", err)
	}
}

func isField(err error, field string) bool {
	var ve *masterdata.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, f := range ve.Fields {
		if f.Field == field && f.Msg != "" && f.MsgZH != "" {
			return true
		}
	}
	return false
}

func (ms *mdSuite) testAudit(t *testing.T) {
	ctx := context.Background()
	e := ms.env(t)
	e.seedBasics(t)
	before := must(master.New(ms.store).After(ctx, e.tenant, "s1", 0, 0))
	bad := tee("B", "白")
	bad.SKUs[0].Barcodes = []string{"6901234000017"}
	if _, err := masterdata.Create(ctx, e.md, masterdata.Products, e.admin, bad); !isField(err, "skus[0].barcodes[0]") {
		t.Fatalf("bad check digit: %v", err)
	}
	after := must(master.New(ms.store).After(ctx, e.tenant, "s1", 0, 0))
	if after.UpTo != before.UpTo {
		t.Errorf("a refused write moved the revision from %d to %d", before.UpTo, after.UpTo)
	}
	p := must(masterdata.Create(ctx, e.md, masterdata.Products, e.admin, tee("G", "白")))
	entries := must(e.svc.SearchAudit(ctx, e.admin, auth.AuditFilter{RecordType: masterdata.KindProduct}))
	if len(entries) != 1 || entries[0].Action != "product.create" || entries[0].RecordID != fmt.Sprint(p.ID) ||
		entries[0].Before != nil || len(entries[0].After) == 0 || entries[0].User != auth.AdminUser {
		t.Errorf("audit: %+v", entries)
	}
}

func (ms *mdSuite) testConcurrentBarcode(t *testing.T) {
	ctx := context.Background()
	e := ms.env(t)
	e.seedBasics(t)
	const n = 8
	barcode := gtin13("690000000042")
	var wg sync.WaitGroup
	var ok atomic.Int32
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &masterdata.Product{Meta: masterdata.Meta{Code: fmt.Sprintf("C%d", i), Name: "茶"}, BaseUnit: "个",
				SKUs: []masterdata.SKU{{Code: fmt.Sprintf("C%d", i), Barcodes: []string{barcode}}}}
			_, err := masterdata.Create(ctx, e.md, masterdata.Products, e.admin, p)
			if err == nil {
				ok.Add(1)
				return
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	if ok.Load() != 1 {
		t.Errorf("%d creates with one barcode succeeded, want 1", ok.Load())
	}
	for err := range errs {
		var ve *masterdata.ValidationError
		var me *masterdata.Error
		if !errors.As(err, &ve) && !errors.As(err, &me) {
			t.Errorf("a losing create: %v (%T), want a validation or stale error", err, err)
		}
	}
	page := must(e.md.SKUsByBarcode(ctx, e.admin, barcode))
	if len(page) != 1 {
		t.Errorf("barcode %s has %d SKUs", barcode, len(page))
	}
}

func (ms *mdSuite) testScope(t *testing.T) {
	ctx := context.Background()
	e := ms.env(t)
	e.seedBasics(t)
	mgr := e.user(t, "mgr", auth.SitesScope("s1"), auth.RoleStoreManager)
	if _, err := masterdata.Create(ctx, e.md, masterdata.Bins, mgr, &masterdata.Bin{Meta: masterdata.Meta{Code: "X", Name: "X"}, Site: "s2"}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("a bin at another site: %v", err)
	}
	must(masterdata.Create(ctx, e.md, masterdata.Bins, e.admin, &masterdata.Bin{Meta: masterdata.Meta{Code: "X", Name: "X"}, Site: "s2"}))
	bins, total := mustList(t, ctx, e.md, masterdata.Bins, mgr, masterdata.ListQuery{})
	if total != 0 || len(bins) != 0 {
		t.Errorf("the s1 manager lists %d bins of s2", total)
	}
	if _, _, err := masterdata.List(ctx, e.md, masterdata.Bins, mgr, masterdata.ListQuery{Site: "s2"}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("listing s2's bins: %v", err)
	}
	auditor := e.user(t, "aud", auth.AllSites(), auth.RoleAuditor)
	if _, err := masterdata.Create(ctx, e.md, masterdata.Suppliers, auditor, &masterdata.Supplier{Meta: masterdata.Meta{Code: "S", Name: "S"}}); !errors.Is(err, auth.ErrForbidden) {
		t.Errorf("an auditor creates a supplier: %v", err)
	}
}

func mustList[T any](t *testing.T, ctx context.Context, s *masterdata.Service, k *masterdata.Kind[T], p *auth.Principal, q masterdata.ListQuery) ([]*T, int) {
	t.Helper()
	items, total, err := masterdata.List(ctx, s, k, p, q)
	if err != nil {
		t.Fatal(err)
	}
	return items, total
}

func (ms *mdSuite) testLists(t *testing.T) {
	ctx := context.Background()
	e := ms.env(t)
	for i := range 25 {
		c := &masterdata.Customer{Meta: masterdata.Meta{Code: fmt.Sprintf("K%02d", i), Name: fmt.Sprintf("客户%02d", i)}, Level: "AB"[i%2 : i%2+1]}
		if i == 7 {
			c.Name = "100%_折扣商行"
		}
		must(masterdata.Create(ctx, e.md, masterdata.Customers, e.admin, c))
	}
	items, total := mustList(t, ctx, e.md, masterdata.Customers, e.admin, masterdata.ListQuery{Limit: 10, Offset: 20, Sort: "-code"})
	if total != 25 || len(items) != 5 || items[0].Code != "K04" || items[4].Code != "K00" {
		t.Errorf("page 3 by code descending: total %d, %v", total, codes(items))
	}
	items, total = mustList(t, ctx, e.md, masterdata.Customers, e.admin, masterdata.ListQuery{Q: "%_"})
	if total != 1 || items[0].Code != "K07" {
		t.Errorf("q with LIKE's wildcards: %d %v", total, codes(items))
	}
	_, total = mustList(t, ctx, e.md, masterdata.Customers, e.admin, masterdata.ListQuery{Filters: map[string]string{"level": "B"}})
	if total != 12 {
		t.Errorf("level B: %d, want 12", total)
	}
	if _, _, err := masterdata.List(ctx, e.md, masterdata.Customers, e.admin, masterdata.ListQuery{Sort: "secret"}); !errors.Is(err, cloud.ErrInvalid) {
		t.Errorf("sort by an unknown field: %v", err)
	}
}

func codes[T any](items []*T) []string {
	var out []string
	for _, it := range items {
		out = append(out, any(it).(interface{ GetCode() string }).GetCode())
	}
	return out
}

func (ms *mdSuite) testUsersToSites(t *testing.T) {
	ctx := context.Background()
	e := ms.env(t)
	clerk := e.user(t, "clerk", auth.SitesScope("s1"), auth.RoleWarehouse)
	rec := ms.agentView(t, e.tenant, "s1")["user/clerk"]
	if rec == nil || rec.Deleted {
		t.Fatalf("s1 has no user clerk")
	}
	var u pb.UserRecord
	if err := proto.Unmarshal(rec.Body, &u); err != nil {
		t.Fatal(err)
	}
	ok, rehash := auth.VerifyPassword(u.PasswordHash, "clerk new password", testHash)
	if !ok || rehash || len(u.Roles) != 1 || u.Roles[0] != auth.RoleWarehouse || u.MustChangePassword ||
		!slices.Contains(u.Permissions, "inventory.edit") {
		t.Errorf("user record %v (password verifies: %v)", &u, ok)
	}
	if ms.agentView(t, e.tenant, "s2")["user/clerk"] != nil {
		t.Error("s2 has the s1 clerk")
	}
	if ms.agentView(t, e.tenant, "s2")["user/admin"] == nil {
		t.Error("the administrator (every site) is not at s2")
	}
	s2 := auth.SitesScope("s2")
	if _, err := e.svc.UpdateUser(ctx, e.admin, clerk.UserID, auth.UserChange{Scope: &s2}); err != nil {
		t.Fatal(err)
	}
	if r := ms.agentView(t, e.tenant, "s1")["user/clerk"]; r == nil || !r.Deleted {
		t.Errorf("s1 after the clerk moved to s2: %v", r)
	}
	if r := ms.agentView(t, e.tenant, "s2")["user/clerk"]; r == nil || r.Deleted {
		t.Errorf("s2 after the clerk moved there: %v", r)
	}
}
