package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/sqlite"
)

func TestProducts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	if err := l.PutProducts(ctx, []agent.Product{
		{GTIN: "6901234567892", SKU: "TEA-500G", Name: "绿茶 500 g", Unit: "pcs"},
		{GTIN: "036000291452", SKU: "TISSUE-10", Name: "Tissues, 10 pack"},
		{GTIN: "96385074", SKU: "GUM"},
		{GTIN: "10614141000415", SKU: "CASE-12", Unit: "case"},
		{GTIN: "2012345000001", SKU: "PORK", Unit: "kg", Price: 2980},
	}); err != nil {
		t.Fatal(err)
	}
	// Upsert: a later put replaces the entry of the same GTIN, whatever
	// length it is given in.
	if err := l.PutProducts(ctx, []agent.Product{{GTIN: "00036000291452", SKU: "TISSUE-10B", Name: "Tissues"}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, gtin string
		want       agent.Product
		found      bool
	}{
		{"EAN-13", "6901234567892", agent.Product{GTIN: "06901234567892", SKU: "TEA-500G", Name: "绿茶 500 g", Unit: "pcs"}, true},
		{"as GTIN-14", "06901234567892", agent.Product{GTIN: "06901234567892", SKU: "TEA-500G", Name: "绿茶 500 g", Unit: "pcs"}, true},
		{"replaced", "036000291452", agent.Product{GTIN: "00036000291452", SKU: "TISSUE-10B", Name: "Tissues"}, true},
		{"GTIN-8", "00000096385074", agent.Product{GTIN: "00000096385074", SKU: "GUM"}, true},
		{"GTIN-14", "10614141000415", agent.Product{GTIN: "10614141000415", SKU: "CASE-12", Unit: "case"}, true},
		{"price per unit", "02012345000001", agent.Product{GTIN: "02012345000001", SKU: "PORK", Unit: "kg", Price: 2980}, true},
		{"unknown", "4006381333931", agent.Product{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, found, err := l.ProductByGTIN(ctx, tc.gtin)
			if err != nil || found != tc.found || got != tc.want {
				t.Fatalf("got %+v, %v, %v; want %+v, %v", got, found, err, tc.want, tc.found)
			}
		})
	}
	if _, _, err := l.ProductByGTIN(ctx, "123"); !errors.Is(err, agent.ErrInvalid) {
		t.Fatalf("malformed gtin: got %v, want ErrInvalid", err)
	}
	// Products are not events.
	if got := l.LastSeq(); got != 0 {
		t.Fatalf("products made events: last seq %d", got)
	}
	l.Close()
	l = MustOpenLedgerDir(t, dir, sqlite.Options{})
	if got, found, err := l.ProductByGTIN(ctx, "6901234567892"); err != nil || !found || got.SKU != "TEA-500G" {
		t.Fatalf("after reopen: %+v, %v, %v", got, found, err)
	}
	l.Close()
	if _, _, err := l.ProductByGTIN(ctx, "6901234567892"); !errors.Is(err, agent.ErrClosed) {
		t.Fatalf("after close: got %v, want ErrClosed", err)
	}
	if err := l.PutProducts(ctx, []agent.Product{{GTIN: "6901234567892", SKU: "X"}}); !errors.Is(err, agent.ErrClosed) {
		t.Fatalf("put after close: got %v, want ErrClosed", err)
	}
}

func TestPutProductsInvalid(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	good := []agent.Product{{GTIN: "6901234567892", SKU: "TEA"}, {GTIN: "4006381333931", SKU: "PEN"}, {GTIN: "96385074", SKU: "GUM"}}
	with := func(i int, edit func(*agent.Product)) []agent.Product {
		ps := append([]agent.Product(nil), good...)
		edit(&ps[i])
		return ps
	}
	for _, tc := range []struct {
		name string
		in   []agent.Product
		want string
	}{
		{"empty gtin", with(0, func(p *agent.Product) { p.GTIN = "" }), "products[0].gtin: GTIN \"\" has 0 characters"},
		{"bad check digit", with(1, func(p *agent.Product) { p.GTIN = "4006381333932" }), "products[1].gtin: GTIN \"4006381333932\" has check digit 2, want 1"},
		{"letters", with(2, func(p *agent.Product) { p.GTIN = "ABCDEFGH" }), "products[2].gtin"},
		{"duplicate in another form", with(2, func(p *agent.Product) { p.GTIN = "06901234567892" }), "products[2].gtin 06901234567892 is also products[0].gtin"},
		{"empty sku", with(1, func(p *agent.Product) { p.SKU = "" }), "products[1].sku is empty"},
		{"long name", with(2, func(p *agent.Product) { p.Name = strings.Repeat("名", 50) }), "products[2].name is 150 bytes"},
		{"control char in unit", with(0, func(p *agent.Product) { p.Unit = "k\tg" }), "products[0].unit contains a control character"},
		{"negative price", with(1, func(p *agent.Product) { p.Price = -1 }), "products[1].price -1 is outside 0 … 1000000000000 fen"},
		{"too many", make([]agent.Product, sqlite.MaxProductsPerCall+1), "16385 products, limit 16384"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := l.PutProducts(ctx, tc.in)
			if !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalid with %q", err, tc.want)
			}
			// All or nothing: the valid entries of a rejected call are not stored.
			if _, found, err := l.ProductByGTIN(ctx, "96385074"); found || err != nil {
				t.Fatalf("entry of a rejected call stored: %v, %v", found, err)
			}
		})
	}
	if err := l.PutProducts(ctx, nil); err != nil {
		t.Fatalf("no products: %v", err)
	}
}

// TestProductsMigration opens a ledger made before the catalogue existed
// (schema version 1) and checks that 0002 and 0003 are applied on open and
// earlier data is kept.
func TestProductsMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	mustMove(t, l, move("A1", "sku1", "", 4))
	l.Close()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE products`, `DELETE FROM schema_migrations WHERE version IN (2, 3, 8)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	l = MustOpenLedgerDir(t, dir, sqlite.Options{})
	if err := l.PutProducts(ctx, []agent.Product{{GTIN: "6901234567892", SKU: "TEA", Price: 1500}}); err != nil {
		t.Fatalf("put after migrating: %v", err)
	}
	if got, _, err := l.ProductByGTIN(ctx, "6901234567892"); err != nil || got.Price != 1500 {
		t.Fatalf("price after migrating: %+v, %v", got, err)
	}
	if got := stockMap(t, l); len(got) != 1 {
		t.Fatalf("stock after migrating: %v", got)
	}
	l.Close()
	db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var versions []int
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	if len(versions) < 3 || versions[0] != 1 || versions[1] != 2 || versions[2] != 3 {
		t.Fatalf("schema versions %v, want 1, 2, 3 and the later ones", versions)
	}
}

// TestProductPriceMigration opens a ledger whose catalogue predates prices
// (schema version 2): 0003 is applied on open, the entries are kept and
// have no price (0) until one is put.
func TestProductPriceMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := MustOpenLedgerDir(t, dir, sqlite.Options{})
	if err := l.PutProducts(ctx, []agent.Product{{GTIN: "6901234567892", SKU: "TEA", Unit: "pcs", Price: 700}}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE products DROP COLUMN price`, `DELETE FROM schema_migrations WHERE version = 3`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	l = MustOpenLedgerDir(t, dir, sqlite.Options{})
	got, found, err := l.ProductByGTIN(ctx, "6901234567892")
	if want := (agent.Product{GTIN: "06901234567892", SKU: "TEA", Unit: "pcs"}); err != nil || !found || got != want {
		t.Fatalf("after migrating: %+v, %v, %v; want %+v", got, found, err, want)
	}
	if err := l.PutProducts(ctx, []agent.Product{{GTIN: "6901234567892", SKU: "TEA", Unit: "pcs", Price: 750}}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := l.ProductByGTIN(ctx, "6901234567892"); err != nil || got.Price != 750 {
		t.Fatalf("price after migrating: %+v, %v", got, err)
	}
}

// TestPutProductsPacks: an entry with a factor is a pack's barcode, read
// back with its factor; an ordinary one reads 0; a negative one is refused.
func TestPutProductsPacks(t *testing.T) {
	ctx := context.Background()
	l := MustOpenLedger(t)
	if err := l.PutProducts(ctx, []agent.Product{{GTIN: "6901234567892", SKU: "TEA", Factor: 1},
		{GTIN: "16901234567899", SKU: "TEA", Factor: 12}}); err != nil {
		t.Fatal(err)
	}
	for gtin, want := range map[string]int64{"6901234567892": 0, "16901234567899": 12} {
		if p, ok, err := l.ProductByGTIN(ctx, gtin); err != nil || !ok || p.Factor != want || p.Units() != max(want, 1) {
			t.Errorf("%s: %+v, %v, %v; want factor %d", gtin, p, ok, err, want)
		}
	}
	err := l.PutProducts(ctx, []agent.Product{{GTIN: "16901234567899", SKU: "TEA", Factor: -12}})
	if !errors.Is(err, agent.ErrInvalid) || !strings.Contains(err.Error(), "products[0].factor") {
		t.Errorf("negative factor: %v", err)
	}
}
