package supplierscore_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/supplierscore"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestMonthly(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	receipts := []supplierscore.Receipt{
		// S1, November: on time (same day, later hour), late, early.
		{Supplier: "S1", PO: "CG20261101-0001", Expected: day(2026, 11, 5), Received: day(2026, 11, 5).Add(18 * time.Hour), Qty: 100},
		{Supplier: "S1", PO: "CG20261101-0002", Expected: day(2026, 11, 10), Received: day(2026, 11, 12), Qty: 50},
		{Supplier: "S1", PO: "CG20261101-0003", Expected: day(2026, 11, 20), Received: day(2026, 11, 18), Qty: 30},
		// S1, December: the 1st of December in Shanghai is December,
		// whatever UTC says; on time against the 1st.
		{Supplier: "S1", PO: "CG20261120-0001", Expected: day(2026, 12, 1), Received: time.Date(2026, 12, 1, 7, 0, 0, 0, shanghai), Qty: 32},
		// S2, October: one receipt, a day late.
		{Supplier: "S2", PO: "CG20261001-0001", Expected: day(2026, 10, 1), Received: day(2026, 10, 2), Qty: 10},
		// S3, October: returns exceed what was received that month.
		{Supplier: "S3", PO: "CG20261001-0002", Expected: day(2026, 10, 9), Received: day(2026, 10, 9), Qty: 5},
	}
	returns := []supplierscore.Return{
		{Supplier: "S1", Qty: 9, Date: day(2026, 11, 25)},
		{Supplier: "S1", Qty: 31, Date: day(2026, 12, 3)},
		{Supplier: "S1", Qty: 1000, Date: day(2026, 9, 3)}, // no receipts in September: no month
		{Supplier: "S3", Qty: 8, Date: day(2026, 10, 20)},
	}
	got, err := supplierscore.Monthly(receipts, returns, supplierscore.Weights{})
	if err != nil {
		t.Fatal(err)
	}
	want := []supplierscore.Score{
		// Delivery 10000 × 2 ÷ 3 = 6666.67 → 6667; quality 10000 × (180 −
		// 9) ÷ 180 = 9500; weighted (6667 + 9500) ÷ 2 = 8083.5 → 8084
		// (half to even: 8083 is odd). 80.84: 优秀.
		{Supplier: "S1", Period: supplierscore.Period{Year: 2026, Month: 11}, Receipts: 3, OnTime: 2,
			Received: 180, Returned: 9, Delivery: 6667, Quality: 9500, Weighted: 8084, Band: supplierscore.Excellent},
		// Delivery 10000; quality 10000 × 1 ÷ 32 = 312.5 → 312 (even);
		// weighted (10000 + 312) ÷ 2 = 5156. 一般.
		{Supplier: "S1", Period: supplierscore.Period{Year: 2026, Month: 12}, Receipts: 1, OnTime: 1,
			Received: 32, Returned: 31, Delivery: 10000, Quality: 312, Weighted: 5156, Band: supplierscore.Fair},
		// Delivery 0, quality 100: weighted exactly 50.00, the boundary,
		// which is 一般.
		{Supplier: "S2", Period: supplierscore.Period{Year: 2026, Month: 10}, Receipts: 1, OnTime: 0,
			Received: 10, Delivery: 0, Quality: 10000, Weighted: 5000, Band: supplierscore.Fair},
		// Returned 8 > received 5: quality 0; weighted 5000.
		{Supplier: "S3", Period: supplierscore.Period{Year: 2026, Month: 10}, Receipts: 1, OnTime: 1,
			Received: 5, Returned: 8, Delivery: 10000, Quality: 0, Weighted: 5000, Band: supplierscore.Fair},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}

	// Weights 70/30 for November: (70 × 6667 + 30 × 9500) ÷ 100 =
	// 751690 ÷ 100 = 7516.9 → 7517, 一般. Weights 0/1: quality alone.
	for _, tt := range []struct {
		w    supplierscore.Weights
		want int64
		band supplierscore.Band
	}{
		{supplierscore.Weights{Delivery: 70, Quality: 30}, 7517, supplierscore.Fair},
		{supplierscore.Weights{Delivery: 0, Quality: 1}, 9500, supplierscore.Excellent},
		{supplierscore.Weights{Delivery: 1, Quality: 0}, 6667, supplierscore.Fair},
	} {
		got, err := supplierscore.Monthly(receipts[:3], returns[:1], tt.w)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Weighted != tt.want || got[0].Band != tt.band {
			t.Errorf("weights %+v: %+v, want %d %v", tt.w, got, tt.want, tt.band)
		}
	}
}

func TestMonthlyHalfEven(t *testing.T) {
	// 3 on time of 32: 10000 × 3 ÷ 32 = 937.5 → 938 (937 is odd);
	// 1 of 32: 312.5 → 312. Quality 100 both.
	for onTime, want := range map[int]int64{1: 312, 3: 938} {
		var rs []supplierscore.Receipt
		for i := range 32 {
			exp := day(2026, 3, 10)
			if i < onTime {
				exp = day(2026, 3, 31)
			}
			rs = append(rs, supplierscore.Receipt{Supplier: "S", Expected: exp, Received: day(2026, 3, 15), Qty: 1})
		}
		got, err := supplierscore.Monthly(rs, nil, supplierscore.Weights{})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Delivery != want {
			t.Errorf("%d of 32 on time: delivery %d, want %d", onTime, got[0].Delivery, want)
		}
	}
}

func TestMonthlyLargeQuantities(t *testing.T) {
	// 3 × 10¹² received, 1 returned: 10000 × (3·10¹² − 1) ÷ 3·10¹² =
	// 9999.9999999967 → 10000, computed without overflow.
	var rs []supplierscore.Receipt
	for range 3 {
		rs = append(rs, supplierscore.Receipt{Supplier: "S", Expected: day(2026, 1, 2), Received: day(2026, 1, 2), Qty: supplierscore.MaxQty})
	}
	got, err := supplierscore.Monthly(rs, []supplierscore.Return{{Supplier: "S", Qty: 1, Date: day(2026, 1, 9)}}, supplierscore.Weights{})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Quality != 10000 || got[0].Received != 3*supplierscore.MaxQty {
		t.Errorf("%+v", got[0])
	}
}

func TestMonthlyRefuses(t *testing.T) {
	ok := supplierscore.Receipt{Supplier: "S1", PO: "CG1", Expected: day(2026, 1, 1), Received: day(2026, 1, 1), Qty: 1}
	tests := []struct {
		name     string
		receipts []supplierscore.Receipt
		returns  []supplierscore.Return
		w        supplierscore.Weights
		want     error
	}{
		{"no supplier", []supplierscore.Receipt{{Expected: ok.Expected, Received: ok.Received, Qty: 1}}, nil, supplierscore.Weights{}, supplierscore.ErrInput},
		{"negative receipt", []supplierscore.Receipt{ok, {Supplier: "S1", Expected: ok.Expected, Received: ok.Received, Qty: -1}}, nil, supplierscore.Weights{}, supplierscore.ErrInput},
		{"receipt too large", []supplierscore.Receipt{{Supplier: "S1", Expected: ok.Expected, Received: ok.Received, Qty: supplierscore.MaxQty + 1}}, nil, supplierscore.Weights{}, supplierscore.ErrInput},
		{"no expected date", []supplierscore.Receipt{{Supplier: "S1", Received: ok.Received, Qty: 1}}, nil, supplierscore.Weights{}, supplierscore.ErrInput},
		{"negative return", []supplierscore.Receipt{ok}, []supplierscore.Return{{Supplier: "S1", Qty: -2, Date: ok.Received}}, supplierscore.Weights{}, supplierscore.ErrInput},
		{"return without date", []supplierscore.Receipt{ok}, []supplierscore.Return{{Supplier: "S1", Qty: 2}}, supplierscore.Weights{}, supplierscore.ErrInput},
		{"negative weight", []supplierscore.Receipt{ok}, nil, supplierscore.Weights{Delivery: -1, Quality: 50}, supplierscore.ErrWeights},
		{"weight too large", []supplierscore.Receipt{ok}, nil, supplierscore.Weights{Delivery: 1001, Quality: 50}, supplierscore.ErrWeights},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := supplierscore.Monthly(tt.receipts, tt.returns, tt.w)
			var e *supplierscore.Error
			if !errors.Is(err, tt.want) || !errors.Is(err, cloud.ErrInvalid) || !errors.As(err, &e) ||
				!strings.ContainsFunc(e.MsgZH, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) {
				t.Fatalf("err %v, want %v with a Chinese message", err, tt.want)
			}
		})
	}
}

func TestOverallScore(t *testing.T) {
	p := func(y int, m time.Month) supplierscore.Period { return supplierscore.Period{Year: y, Month: m} }
	scores := []supplierscore.Score{
		{Supplier: "S1", Period: p(2026, 12), Weighted: 9000}, // age 0, weight 12
		{Supplier: "S1", Period: p(2026, 11), Weighted: 8000}, // age 1, weight 11
		{Supplier: "S1", Period: p(2026, 6), Weighted: 4000},  // age 6, weight 6
		{Supplier: "S1", Period: p(2026, 1), Weighted: 2000},  // age 11, weight 1
		{Supplier: "S1", Period: p(2025, 12), Weighted: 0},    // age 12: out
		{Supplier: "S1", Period: p(2027, 1), Weighted: 0},     // after asOf: out
		{Supplier: "S2", Period: p(2026, 12), Weighted: 0},    // another supplier
	}
	// (12·9000 + 11·8000 + 6·4000 + 1·2000) ÷ (12 + 11 + 6 + 1) =
	// 222000 ÷ 30 = 7400: 一般.
	got, ok := supplierscore.OverallScore(scores, "S1", p(2026, 12))
	want := supplierscore.Overall{Supplier: "S1", AsOf: p(2026, 12), Score: 7400, Band: supplierscore.Fair, Periods: 4, WeightSum: 30}
	if !ok || got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}

	// Half to even: 11·a + 1·b over 12 with (a, b) = (0, 6) is 0.5 → 0;
	// (1, 7) is 1.5 → 2.
	for _, tt := range []struct{ a, b, want int64 }{{0, 6, 0}, {1, 7, 2}} {
		s := []supplierscore.Score{
			{Supplier: "S", Period: p(2026, 5), Weighted: tt.a},
			{Supplier: "S", Period: p(2025, 7), Weighted: tt.b},
		}
		if got, _ := supplierscore.OverallScore(s, "S", p(2026, 6)); got.Score != tt.want || got.WeightSum != 12 {
			t.Errorf("%d, %d: %+v, want %d", tt.a, tt.b, got, tt.want)
		}
	}

	if _, ok := supplierscore.OverallScore(scores, "S9", p(2026, 12)); ok {
		t.Errorf("a supplier without scores has an overall score")
	}
	// Across a year boundary, asOf 2027-01: 2027-01 (weight 12, score 0),
	// 2026-12 (11), 2026-11 (10), 2026-06 (5); 2026-01 is now age 12, out.
	// (12·0 + 11·9000 + 10·8000 + 5·4000) ÷ 38 = 199000 ÷ 38 = 5236.84 → 5237.
	if got, ok := supplierscore.OverallScore(scores, "S1", p(2027, 1)); !ok || got.Periods != 4 ||
		got.WeightSum != 38 || got.Score != 5237 {
		t.Errorf("asOf 2027-01: %+v", got)
	}
}

func TestBand(t *testing.T) {
	for score, want := range map[int64]string{
		0: "很差 very poor", 2999: "很差 very poor", 3000: "差 poor", 4999: "差 poor",
		5000: "一般 fair", 7999: "一般 fair", 8000: "优秀 excellent", 10000: "优秀 excellent",
	} {
		if got := supplierscore.BandOf(score).String(); got != want {
			t.Errorf("BandOf(%d) = %s, want %s", score, got, want)
		}
	}
	if got := supplierscore.FormatPoints(8084); got != "80.84" {
		t.Errorf("FormatPoints(8084) = %s", got)
	}
	if got := (supplierscore.Period{Year: 2026, Month: 1}).Add(-1).String(); got != "2025-12" {
		t.Errorf("2026-01 − 1 = %s", got)
	}
}
