package replenish_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/replenish"
)

// mustSuggest computes suggestions, failing the test on an error.
func mustSuggest(tb testing.TB, ins ...replenish.Input) []replenish.Suggestion {
	tb.Helper()
	s, err := replenish.SuggestAll(ins)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// sku is base() for another SKU, site and supplier, with no history and
// a min/max so that the need is simply max − on hand.
func sku(code, site, supplier string, onHand, maxQty int64) replenish.Input {
	in := base()
	in.SKU, in.Site, in.Supplier = code, site, supplier
	in.History, in.OnHand, in.OnOrder, in.Reserved = nil, onHand, 0, 0
	in.Min, in.Max, in.Factor, in.MinOrder = 1, maxQty, 1, 0
	return in
}

func TestGroupBySupplier(t *testing.T) {
	s := mustSuggest(t,
		sku("B", "shanghai-01", "S2", 0, 10),  // need 10
		sku("A", "shanghai-01", "S1", 0, 5),   // need 5
		sku("C", "shanghai-01", "S1", 50, 60), // position 50 > min 1: no order
		sku("A", "shanghai-02", "S1", 0, 7),   // need 7, another site: another PO
		sku("D", "shanghai-01", "", 0, 3),     // no supplier
		sku("B", "beijing-wh", "S2", 0, 100),  // need 100
		sku("E", "shanghai-01", "S1", 0, 2),   // need 2, same PO as A
	)
	pos, none := replenish.GroupBySupplier(s)
	type line struct {
		sku string
		qty int64
	}
	type po struct {
		supplier, site string
		lines          []line
	}
	var got []po
	for _, p := range pos {
		x := po{supplier: p.Supplier, site: p.Site}
		for _, l := range p.Lines {
			x.lines = append(x.lines, line{l.SKU, l.Qty})
		}
		got = append(got, x)
	}
	want := []po{
		{"S1", "shanghai-01", []line{{"A", 5}, {"E", 2}}},
		{"S1", "shanghai-02", []line{{"A", 7}}},
		{"S2", "beijing-wh", []line{{"B", 100}}},
		{"S2", "shanghai-01", []line{{"B", 10}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if len(none) != 1 || none[0].SKU != "D" || none[0].Qty != 3 {
		t.Errorf("without supplier: %+v", none)
	}
}

func TestPlanTransfers(t *testing.T) {
	// Store 01 needs 58 of A (the moving-average case: target 85 −
	// position 27); store 02 needs 10 of A and 4 of B; the warehouse has
	// A: 100 on hand − 10 reserved − reorder point 40 = 50 to spare, and
	// B: 20 − 0 − 30 < 0, nothing.
	a1 := base()
	a2 := sku(a1.SKU, "shanghai-02", "S0007", 0, 10)
	a2.Factor, a2.MinOrder = 12, 24
	b2 := sku("B", "shanghai-02", "S2", 0, 4)
	wa := sku(a1.SKU, "beijing-wh", "S0007", 0, 100) // the warehouse's own need stays
	s := mustSuggest(t, a2, b2, wa, a1)
	wh := replenish.Warehouse{Site: "beijing-wh", Stock: map[string]replenish.WarehouseStock{
		a1.SKU: {OnHand: 100, Reserved: 10, ReorderPoint: 40},
		"B":    {OnHand: 20, ReorderPoint: 30},
	}}
	transfers, purchase := replenish.PlanTransfers(s, wh)

	// Store 01 comes first (by site): transfer 50 of its 58; 8 are left,
	// ⌈8 ÷ 12⌉ = 1 case, below the minimum 24: 2 cases = 24. Store 02
	// gets nothing: the surplus is gone; it buys its 10 as 2 cases = 24.
	if len(transfers) != 1 || transfers[0].From != "beijing-wh" || transfers[0].To != "shanghai-01" ||
		len(transfers[0].Lines) != 1 || transfers[0].Lines[0].Qty != 50 {
		t.Fatalf("transfers %+v", transfers)
	}
	if ex := transfers[0].Lines[0].Explanation; !strings.Contains(ex, "beijing-wh has 50 beyond its reorder point (on hand 100 − reserved 10 − reorder point 40)") ||
		!strings.Contains(ex, "调拨 50") {
		t.Errorf("explanation %s", ex)
	}
	type row struct {
		site, sku       string
		need, qty, unit int64
	}
	var got []row
	for _, p := range purchase {
		got = append(got, row{p.Site, p.SKU, p.Need, p.Qty, p.Units})
	}
	want := []row{
		{"beijing-wh", a1.SKU, 100, 100, 100},
		{"shanghai-01", a1.SKU, 8, 24, 2},
		{"shanghai-02", a1.SKU, 10, 24, 2},
		{"shanghai-02", "B", 4, 4, 4},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("purchase\ngot  %+v\nwant %+v", got, want)
	}
	if !strings.Contains(purchase[1].Explanation, "50 transferred from beijing-wh; left to buy 24") {
		t.Errorf("explanation %s", purchase[1].Explanation)
	}
	// The input is not changed.
	if s[3].Need != 58 || s[3].Qty != 60 {
		t.Errorf("input changed: %+v", s[3])
	}

	// A transfer that covers the whole need leaves nothing to buy.
	wh.Stock[a1.SKU] = replenish.WarehouseStock{OnHand: 1000, ReorderPoint: 40}
	transfers, purchase = replenish.PlanTransfers(s, wh)
	if len(transfers) != 2 || transfers[0].Lines[0].Qty != 58 || transfers[1].To != "shanghai-02" || transfers[1].Lines[0].Qty != 10 {
		t.Errorf("transfers %+v", transfers)
	}
	if purchase[1].Qty != 0 || purchase[2].Qty != 0 || purchase[1].Need != 0 {
		t.Errorf("purchase %+v", purchase)
	}
}

func TestForSalesOrder(t *testing.T) {
	lines := []replenish.SalesLine{
		{Line: 1, SKU: "A", Qty: 10},
		{Line: 2, SKU: "B", Qty: 5},
		{Line: 3, SKU: "A", Qty: 8},
		{Line: 4, SKU: "C", Qty: 3},
		{Line: 5, SKU: "D", Qty: 30},
	}
	available := map[string]int64{"A": 12, "B": 10, "D": -5}
	units := map[string]replenish.PurchaseUnit{"A": {Factor: 4, Supplier: "S1"}, "D": {Factor: 12, MinOrder: 48, Supplier: "S2"}}
	got, err := replenish.ForSalesOrder(lines, available, units)
	if err != nil {
		t.Fatal(err)
	}
	// A: line 1 takes 10 of 12, line 3 the last 2 and is 6 short: ⌈6 ÷ 4⌉
	// = 2 × 4 = 8. B is covered. C has no stock and no purchase unit: 3.
	// D has less than nothing (−5 counts as 0): 30 short, ⌈30 ÷ 12⌉ = 3
	// cases = 36, below the minimum 48: 4 cases = 48.
	want := []replenish.Shortfall{
		{Line: 3, SKU: "A", Ordered: 8, Covered: 2, Short: 6, Qty: 8, Supplier: "S1"},
		{Line: 4, SKU: "C", Ordered: 3, Covered: 0, Short: 3, Qty: 3},
		{Line: 5, SKU: "D", Ordered: 30, Covered: 0, Short: 30, Qty: 48, Supplier: "S2"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	for name, tt := range map[string]struct {
		lines []replenish.SalesLine
		units map[string]replenish.PurchaseUnit
		want  error
	}{
		"negative quantity":  {[]replenish.SalesLine{{Line: 1, SKU: "A", Qty: -1}}, nil, replenish.ErrNegative},
		"quantity too large": {[]replenish.SalesLine{{Line: 1, SKU: "A", Qty: replenish.MaxQty + 1}}, nil, replenish.ErrTooLarge},
		"factor 0": {[]replenish.SalesLine{{Line: 1, SKU: "A", Qty: 1}},
			map[string]replenish.PurchaseUnit{"A": {Factor: 0}}, replenish.ErrParam},
	} {
		_, err := replenish.ForSalesOrder(tt.lines, nil, tt.units)
		var e *replenish.Error
		if !errors.Is(err, tt.want) || !errors.Is(err, cloud.ErrInvalid) || !errors.As(err, &e) || !strings.ContainsFunc(e.MsgZH, isHan) {
			t.Errorf("%s: err %v", name, err)
		}
	}
}
