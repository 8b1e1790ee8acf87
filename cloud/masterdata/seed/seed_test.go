package seed_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/masterdata/seed"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/syncproto"
)

const tenant = "demo"

// cheap hashes keep the users' passwords quick to set in tests.
var cheap = auth.HashParams{Memory: 64, Time: 1, Threads: 1}

// MustOpenCloud opens a fresh SQLite cloud store with an administrator
// signed in, and returns the services and the administrator.
func MustOpenCloud(tb testing.TB) (*sqlite.Store, *masterdata.Service, *auth.Service, *auth.Principal) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "cloud.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	as := auth.New(st.Auth(), auth.Options{Hash: cheap})
	ctx := context.Background()
	if _, err := as.Bootstrap(ctx, tenant, seed.DefaultPassword); err != nil {
		tb.Fatal(err)
	}
	si, err := as.SignIn(ctx, tenant, auth.AdminUser, seed.DefaultPassword, "test")
	if err != nil {
		tb.Fatal(err)
	}
	p, err := as.AuthenticateSession(ctx, si.Token, "test")
	if err != nil {
		tb.Fatal(err)
	}
	return st, masterdata.New(st), as, p
}

// TestGenerate: the chain has what the demo promises, and is the same
// every time.
func TestGenerate(t *testing.T) {
	c := seed.Generate(seed.Options{})
	if !reflect.DeepEqual(c, seed.Generate(seed.Options{})) {
		t.Fatal("two chains of the same options differ")
	}
	var variants, byWeight, multiUnit, lots, shelfLife int
	barcodes := map[string]string{}
	for _, p := range c.Products {
		switch {
		case len(p.Attributes) > 0:
			variants++
		case p.SoldByWeight:
			byWeight++
			if p.BaseUnit != "kg" || p.WeightDecimals != 3 || p.PLU == "" {
				t.Errorf("%s sold by weight: unit %q, %d decimals, PLU %q", p.Code, p.BaseUnit, p.WeightDecimals, p.PLU)
			}
		}
		if len(p.Units) > 0 {
			multiUnit++
		}
		if p.LotTracked {
			lots++
			if p.ShelfLifeDays > 0 {
				shelfLife++
			}
		}
		var all []string
		for _, s := range p.SKUs {
			all = append(all, s.Barcodes...)
		}
		for _, u := range p.Units {
			all = append(all, u.Barcodes...)
		}
		for _, b := range all {
			if len(b) != 13 || syncproto.GTINCheckDigit(b[:12]) != b[12] {
				t.Errorf("%s: %q is not a GTIN-13 with its check digit", p.Code, b)
			}
			if other, dup := barcodes[b]; dup {
				t.Errorf("%s: barcode %s is also %s's", p.Code, b, other)
			}
			barcodes[b] = p.Code
		}
		if p.RetailPrice <= p.PurchasePrice || p.WholesalePrice < p.PurchasePrice || p.WholesalePrice > p.RetailPrice {
			t.Errorf("%s: prices retail %d, wholesale %d, purchase %d fen", p.Code, p.RetailPrice, p.WholesalePrice, p.PurchasePrice)
		}
	}
	for _, tt := range []struct {
		what      string
		got, want int
	}{
		{"products", len(c.Products), 200}, {"products with colour × size variants", variants, 10},
		{"products sold by weight", byWeight, 10}, {"products with a case", multiUnit, 50},
		{"lot-tracked products", lots, 20}, {"lot-tracked products with a shelf life", shelfLife, 20},
		{"SKUs", c.SKUs(), 300}, {"stock limits", len(c.StockLimits), 60},
	} {
		if tt.got < tt.want {
			t.Errorf("%d %s, want at least %d", tt.got, tt.what, tt.want)
		}
	}
	if len(c.Suppliers) != 20 || len(c.Customers) != 50 || len(c.Accounts) < 3 {
		t.Errorf("%d suppliers, %d customers, %d accounts; want 20, 50, 3+", len(c.Suppliers), len(c.Customers), len(c.Accounts))
	}
	if len(c.Sites) != 3 || len(c.Bins) < 15 {
		t.Errorf("%d sites, %d bins", len(c.Sites), len(c.Bins))
	}
	roles := map[string]int{}
	for _, u := range c.Users {
		roles[u.Role]++
		if u.Role == auth.RoleStoreManager && len(u.Sites) != 1 {
			t.Errorf("store manager %s sees %v, want one store", u.Name, u.Sites)
		}
	}
	for _, r := range auth.BuiltinRoles() {
		if roles[r.Name] == 0 {
			t.Errorf("no user of the role %s", r.Name)
		}
	}
}

// TestApply writes the chain into a fresh tenant through the service: the
// service's validation accepts every record, the counts are what was
// generated, agents' master records are published, and the users can sign
// in with their first passwords (and must change them then).
func TestApply(t *testing.T) {
	st, md, as, admin := MustOpenCloud(t)
	ctx := context.Background()
	c := seed.Generate(seed.Options{})
	start := time.Now()
	n, err := c.Apply(ctx, md, admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("applied %+v in %v", n, time.Since(start))
	want := seed.Counts{Units: len(c.Units), Categories: len(c.Categories), Sites: len(c.Sites), Bins: len(c.Bins),
		Products: len(c.Products), SKUs: c.SKUs(), StockLimits: len(c.StockLimits), Suppliers: len(c.Suppliers),
		Customers: len(c.Customers), Accounts: len(c.Accounts)}
	if n != want {
		t.Errorf("counts %+v, want %+v", n, want)
	}
	if _, total, err := masterdata.List(ctx, md, masterdata.SKUs, admin, masterdata.ListQuery{Limit: 1}); err != nil || total != c.SKUs() {
		t.Errorf("GET /skus total %d, %v; want %d", total, err, c.SKUs())
	}
	// A category tree two levels deep.
	top := int64(0)
	tops, _, err := masterdata.List(ctx, md, masterdata.Categories, admin, masterdata.ListQuery{ParentID: &top, Limit: 50})
	if err != nil || len(tops) != 5 || tops[1].Name != "饮料" {
		t.Fatalf("top categories: %d, %v", len(tops), err)
	}
	under, _, err := masterdata.List(ctx, md, masterdata.Categories, admin, masterdata.ListQuery{ParentID: &tops[1].ID, Limit: 50})
	if err != nil || len(under) != 4 {
		t.Errorf("categories under 饮料: %d, %v", len(under), err)
	}

	// What a store's agents receive: every SKU, the store's bins and
	// stock limits.
	page, err := master.New(st).After(ctx, tenant, "shanghai-01", 0, master.MaxLimit)
	if err != nil || !page.Complete {
		t.Fatalf("master records of shanghai-01: %v (complete %v)", err, page.Complete)
	}
	kinds := map[string]int{}
	for _, r := range page.Records {
		kinds[r.Kind]++
	}
	if kinds[syncproto.KindProduct] != c.SKUs() || kinds[syncproto.KindBin] != 5 || kinds[syncproto.KindStockLimit] != 30 {
		t.Errorf("shanghai-01 receives %v; want %d products, 5 bins, 30 stock limits", kinds, c.SKUs())
	}

	// Once only.
	if _, err := c.Apply(ctx, md, admin); !errors.Is(err, seed.ErrSeeded) {
		t.Errorf("second Apply = %v, want ErrSeeded", err)
	}

	if err := c.ApplyUsers(ctx, as, admin); err != nil {
		t.Fatal(err)
	}
	for _, u := range c.Users {
		t.Run(u.Name, func(t *testing.T) {
			si, err := as.SignIn(ctx, tenant, u.Name, u.Password, "test")
			if err != nil {
				t.Fatal(err)
			}
			p, err := as.AuthenticateSession(ctx, si.Token, "test")
			if err != nil {
				t.Fatal(err)
			}
			if !p.MustChangePassword {
				t.Error("need not change the first password")
			}
			if fmt.Sprint(p.Scope.Sites) != fmt.Sprint(u.Sites) || p.Scope.All != (len(u.Sites) == 0) {
				t.Errorf("scope %+v, want %v", p.Scope, u.Sites)
			}
		})
	}
	// Existing users are left alone.
	if err := c.ApplyUsers(ctx, as, admin); err != nil {
		t.Errorf("second ApplyUsers: %v", err)
	}
}
