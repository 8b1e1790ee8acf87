package replenish_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/replenish"
)

// base is the input of the first case; others change it.
func base() replenish.Input {
	return replenish.Input{
		SKU: "6901234500017", Site: "shanghai-01", Supplier: "S0007",
		History: []int64{5, 7, 6, 8, 4, 9, 10},
		OnHand:  20, OnOrder: 12, Reserved: 5,
		LeadTimeDays: 4, ReviewDays: 7, ServiceLevel: 950,
		Method: replenish.MovingAverage, Window: 7,
		Factor: 12, MinOrder: 24,
	}
}

func TestSuggest(t *testing.T) {
	type want struct {
		demand, sigma, ss, rop, trigger, target, position, need, qty, units int64
		belowMin                                                            bool
	}
	tests := []struct {
		name string
		in   func(*replenish.Input)
		want want
	}{
		{
			// Σ = 5+7+6+8+4+9+10 = 49, d̄ = 49 ÷ 7 = 7.000.
			// Σx² = 25+49+36+64+16+81+100 = 371; σ² = (7·371 − 49²) ÷ (7·6)
			// = 196 ÷ 42 = 4.6667, σ = 2.16025 → 2.160.
			// SS = ⌈1.645 × 2.160 × √4⌉ = ⌈7.1064⌉ = 8; ROP = ⌈7 × 4⌉ + 8 = 36.
			// Target = 36 + ⌈7 × 7⌉ = 85. Position = 20 + 12 − 5 = 27 ≤ 36:
			// need 85 − 27 = 58 → ⌈58 ÷ 12⌉ = 5 cases = 60 ≥ minimum 24.
			name: "moving average",
			in:   func(*replenish.Input) {},
			want: want{demand: 7000, sigma: 2160, ss: 8, rop: 36, trigger: 36, target: 85, position: 27, need: 58, qty: 60, units: 5},
		},
		{
			// Window 3 of [100 100 2 4 6]: 2, 4, 6; d̄ = 12 ÷ 3 = 4.000.
			// σ² = (3·56 − 144) ÷ 6 = 4, σ = 2.000.
			// SS = ⌈2.326 × 2 × √9⌉ = ⌈13.956⌉ = 14; ROP = ⌈4 × 9⌉ + 14 = 50.
			// Max 80 is the target. Position 30 ≤ 50: need 50, factor 1,
			// supplier minimum 100 → 100.
			name: "window shorter than history, max, supplier minimum",
			in: func(in *replenish.Input) {
				in.History = []int64{100, 100, 2, 4, 6}
				in.Window, in.LeadTimeDays, in.ServiceLevel = 3, 9, 990
				in.Max, in.OnHand, in.OnOrder, in.Reserved = 80, 30, 0, 0
				in.Factor, in.MinOrder = 1, 100
			},
			want: want{demand: 4000, sigma: 2000, ss: 14, rop: 50, trigger: 50, target: 80, position: 30, need: 50, qty: 100, units: 100},
		},
		{
			// α = 0.5: F₁ = 10; F = 0.5·20 + 0.5·10 = 15; F = 0.5·30 + 0.5·15
			// = 22.5. σ of 10, 20, 30: 200 ÷ 2 = 100, σ = 10.
			// SS = ⌈1.282 × 10 × √1⌉ = ⌈12.82⌉ = 13; ROP = ⌈22.5⌉ + 13 = 36.
			// Target = 36 + ⌈22.5 × 2⌉ = 81. Position 40 − 10 = 30 ≤ 36:
			// need 51 → ⌈51 ÷ 6⌉ = 9 × 6 = 54.
			name: "exponential smoothing",
			in: func(in *replenish.Input) {
				in.History = []int64{10, 20, 30}
				in.Method, in.AlphaPermille, in.Window = replenish.ExponentialSmoothing, 500, 3
				in.ServiceLevel, in.LeadTimeDays, in.ReviewDays = 900, 1, 2
				in.OnHand, in.OnOrder, in.Reserved, in.Factor, in.MinOrder = 40, 0, 10, 6, 0
			},
			want: want{demand: 22500, sigma: 10000, ss: 13, rop: 36, trigger: 36, target: 81, position: 30, need: 51, qty: 54, units: 9},
		},
		{
			// α = 0.3 over [7 0 0]: F = 7; 0.7 × 7 = 4.9; 0.7 × 4.9 = 3.43.
			// σ of 7, 0, 0: (3·49 − 49) ÷ 6 = 16.333, σ = 4.04145 → 4.041.
			// SS = ⌈2.326 × 4.041 × √1⌉ = ⌈9.3994⌉ = 10; ROP = ⌈3.43⌉ + 10 = 14.
			// Target = 14 + ⌈3.43 × 7⌉ = 14 + 25 = 39; position 0: need 39,
			// factor 1 → 39.
			name: "exponential smoothing, rounding each step",
			in: func(in *replenish.Input) {
				in.History = []int64{7, 0, 0}
				in.Method, in.AlphaPermille, in.Window = replenish.ExponentialSmoothing, 300, 30
				in.ServiceLevel, in.LeadTimeDays = 990, 1
				in.OnHand, in.OnOrder, in.Reserved, in.Factor, in.MinOrder = 0, 0, 0, 1, 0
			},
			want: want{demand: 3430, sigma: 4041, ss: 10, rop: 14, trigger: 14, target: 39, position: 0, need: 39, qty: 39, units: 39},
		},
		{
			// z given as 1.000; 1, 4, 7: d̄ 4, σ² = 18 ÷ 2 = 9, σ 3.
			// SS = ⌈1 × 3 × √4⌉ = 6 exactly (no rounding up);
			// ROP = 16 + 6 = 22; position 32 − 5 = 27 > 22: no order.
			name: "above the reorder point",
			in: func(in *replenish.Input) {
				in.History, in.Window, in.ZMilli = []int64{1, 4, 7}, 7, 1000
			},
			want: want{demand: 4000, sigma: 3000, ss: 6, rop: 22, trigger: 22, target: 22 + 28, position: 27},
		},
		{
			// No history: d̄, σ, SS, ROP all 0; min 10 is the trigger,
			// max 50 the target. Position 4 < 10: need 46, factor 1.
			name: "no history, min and max",
			in: func(in *replenish.Input) {
				in.History, in.Min, in.Max = nil, 10, 50
				in.OnHand, in.OnOrder, in.Reserved, in.Factor, in.MinOrder = 4, 0, 0, 1, 0
			},
			want: want{trigger: 10, target: 50, position: 4, need: 46, qty: 46, units: 46, belowMin: true},
		},
		{
			// All zero demand, no limits, nothing in stock: position 0 ≤ ROP
			// 0, but the target is 0 too: nothing to buy.
			name: "all zero demand",
			in: func(in *replenish.Input) {
				in.History = []int64{0, 0, 0, 0}
				in.OnHand, in.OnOrder, in.Reserved = 0, 0, 0
			},
			want: want{},
		},
		{
			// Oversold: on hand −3, no demand history: need 3, ⌈3 ÷ 12⌉ = 1
			// case = 12, minimum 24 = 2 cases.
			name: "negative on hand",
			in: func(in *replenish.Input) {
				in.History, in.OnHand, in.OnOrder, in.Reserved = nil, -3, 0, 0
			},
			want: want{position: -3, need: 3, qty: 24, units: 2},
		},
		{
			// One day: d̄ 9, σ 0 (fewer than two days); ROP = ⌈9 × 4⌉ = 36.
			name: "one day of history",
			in: func(in *replenish.Input) {
				in.History = []int64{9}
			},
			want: want{demand: 9000, rop: 36, trigger: 36, target: 36 + 63, position: 27, need: 72, qty: 72, units: 6},
		},
		{
			// 0 and 1: σ² = (2·1 − 1) ÷ 2 = 0.5, σ = 0.70711 → 0.707 (half up);
			// d̄ = 1 ÷ 2 = 0.5. SS = ⌈1.645 × 0.707 × 2⌉ = ⌈2.326⌉ = 3;
			// ROP = ⌈0.5 × 4⌉ + 3 = 5; position 27: no order.
			name: "fractional demand",
			in: func(in *replenish.Input) {
				in.History = []int64{0, 1}
			},
			want: want{demand: 500, sigma: 707, ss: 3, rop: 5, trigger: 5, target: 5 + 4, position: 27},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.in(&in)
			s, err := replenish.Suggest(in)
			if err != nil {
				t.Fatal(err)
			}
			got := want{s.DemandMilli, s.SigmaMilli, s.SafetyStock, s.ReorderPoint, s.Trigger, s.Target,
				s.Position, s.Need, s.Qty, s.Units, s.BelowMin}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v\n%s", got, tt.want, s.Explanation)
			}
			if lines := strings.Split(s.Explanation, "\n"); len(lines) != 2 || !strings.Contains(lines[0], "d̄") ||
				!strings.Contains(lines[1], "再订货点") {
				t.Errorf("explanation:\n%s", s.Explanation)
			}
		})
	}
}

func TestSuggestExplanation(t *testing.T) {
	s, err := replenish.Suggest(base())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"d̄ 7/day = moving average of the last 7 days (49 ÷ 7)", "σ 2.16", "safety stock 8 = ⌈z 1.645 × σ 2.16 × √4 days lead time⌉",
		"reorder point 36 = ⌈d̄ × 4⌉ 28 + 8", "position 27 = on hand 20 + on order 12 − reserved 5 ≤ 36",
		"order up to 85 (36 + ⌈d̄ × 7 review days⌉ 49), need 58", "order 60 = 5 × 12 per purchase unit, supplier minimum 24",
		"日均需求 d̄ 7 = 最近 7 天移动平均（49 ÷ 7）", "安全库存 8", "可用量 27 = 在库 20 + 在途 12 − 已占用 5 ≤ 36", "建议采购 60 = 5 个采购单位 × 12",
	} {
		if !strings.Contains(s.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, s.Explanation)
		}
	}
}

func TestSuggestRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   func(*replenish.Input)
		want error
	}{
		{"negative demand", func(in *replenish.Input) { in.History[2] = -1 }, replenish.ErrNegative},
		{"demand too large", func(in *replenish.Input) { in.History[0] = replenish.MaxQty + 1 }, replenish.ErrTooLarge},
		{"history too long", func(in *replenish.Input) { in.History = make([]int64, replenish.MaxHistory+1) }, replenish.ErrTooLarge},
		{"negative on order", func(in *replenish.Input) { in.OnOrder = -1 }, replenish.ErrNegative},
		{"negative reserved", func(in *replenish.Input) { in.Reserved = -1 }, replenish.ErrNegative},
		{"on hand too large", func(in *replenish.Input) { in.OnHand = replenish.MaxQty + 1 }, replenish.ErrTooLarge},
		{"on hand too negative", func(in *replenish.Input) { in.OnHand = -replenish.MaxQty - 1 }, replenish.ErrTooLarge},
		{"negative lead time", func(in *replenish.Input) { in.LeadTimeDays = -1 }, replenish.ErrNegative},
		{"lead time too long", func(in *replenish.Input) { in.LeadTimeDays = replenish.MaxDays + 1 }, replenish.ErrTooLarge},
		{"negative minimum order", func(in *replenish.Input) { in.MinOrder = -12 }, replenish.ErrNegative},
		{"factor 0", func(in *replenish.Input) { in.Factor = 0 }, replenish.ErrParam},
		{"window 0", func(in *replenish.Input) { in.Window = 0 }, replenish.ErrParam},
		{"service level not in the table", func(in *replenish.Input) { in.ServiceLevel = 920 }, replenish.ErrParam},
		{"negative z", func(in *replenish.Input) { in.ZMilli = -1 }, replenish.ErrNegative},
		{"z too large", func(in *replenish.Input) { in.ZMilli = replenish.MaxZMilli + 1 }, replenish.ErrTooLarge},
		{"α 0", func(in *replenish.Input) { in.Method = replenish.ExponentialSmoothing }, replenish.ErrParam},
		{"α above 1000‰", func(in *replenish.Input) {
			in.Method, in.AlphaPermille = replenish.ExponentialSmoothing, 1001
		}, replenish.ErrParam},
		{"unknown method", func(in *replenish.Input) { in.Method = 7 }, replenish.ErrParam},
		{"max below min", func(in *replenish.Input) { in.Min, in.Max = 10, 5 }, replenish.ErrParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.in(&in)
			_, err := replenish.Suggest(in)
			var e *replenish.Error
			if !errors.Is(err, tt.want) || !errors.Is(err, cloud.ErrInvalid) || !errors.As(err, &e) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if !strings.Contains(e.Msg, in.SKU) || e.MsgZH == "" || !strings.ContainsFunc(e.MsgZH, isHan) {
				t.Errorf("not a bilingual message naming the SKU: %q / %q", e.Msg, e.MsgZH)
			}
		})
	}
}

func isHan(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }

func TestSuggestLargestInputs(t *testing.T) {
	// Every bound at once must not overflow: 10 years of 10¹² a day.
	in := base()
	in.History = make([]int64, replenish.MaxHistory)
	for i := range in.History {
		in.History[i] = replenish.MaxQty
	}
	in.Window, in.LeadTimeDays, in.ReviewDays = replenish.MaxHistory, replenish.MaxDays, replenish.MaxDays
	in.OnHand, in.OnOrder, in.Reserved, in.ZMilli = -replenish.MaxQty, 0, replenish.MaxQty, replenish.MaxZMilli
	in.Factor, in.MinOrder = replenish.MaxQty, replenish.MaxQty
	s, err := replenish.Suggest(in)
	if err != nil {
		t.Fatal(err)
	}
	// d̄ = 10¹², σ = 0: ROP = 365·10¹², target = 730·10¹², position
	// −2·10¹², need 732·10¹² = 732 purchase units of 10¹².
	if s.DemandMilli != replenish.MaxQty*1000 || s.SigmaMilli != 0 || s.ReorderPoint != 365*replenish.MaxQty ||
		s.Need != 732*replenish.MaxQty || s.Units != 732 {
		t.Errorf("%+v", s)
	}
}
