// Package replenish computes replenishment suggestions (DOMAIN.md §8): for
// a SKU at a site, the daily demand d̄ (moving average of N days, or
// exponential smoothing F = αD + (1−α)F), its standard deviation σ, the
// safety stock z·σ·√L, the reorder point d̄·L + SS and, when the stock
// position (on hand + on order − reserved) is at or below it, a quantity
// to order up to the reorder point + d̄ × review days (or the max), rounded
// up to the purchase unit and the supplier's minimum. Suggestions are
// grouped by default supplier into draft purchase orders (GroupBySupplier);
// a store's shortfall becomes a draft transfer from a warehouse that has
// stock beyond its own reorder point (PlanTransfers); a sales order's lines
// beyond the stock available are what to buy for it (以销定购, ForSalesOrder).
//
// Everything is pure integer arithmetic: no input or output is a float.
// Demand and σ are carried in thousandths of a base unit per day (milli)
// and rounded half up there; square roots are integer square roots of
// exact products (math/big), so each result is reproducible from the
// Explanation it comes with. Safety stock and reorder point are rounded up
// to whole base units: a suggestion never protects less than the formula.
package replenish

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// Bounds on inputs, far enough from int64's limits that no sum or product
// here can overflow.
const (
	// MaxQty bounds every quantity in base units (docs.MaxQty).
	MaxQty = 1_000_000_000_000
	// MaxDays bounds lead time and review days.
	MaxDays = 365
	// MaxHistory bounds the days of demand history and the window.
	MaxHistory = 3660
	// MaxZMilli bounds z (in thousandths).
	MaxZMilli = 5000
)

// Method is how daily demand is forecast.
type Method int

const (
	// MovingAverage: d̄ is the mean of the last Window days.
	MovingAverage Method = iota
	// ExponentialSmoothing: F₁ = D₁, then F = αD + (1−α)F over the whole
	// history, α = AlphaPermille ÷ 1000; d̄ is the last F.
	ExponentialSmoothing
)

// ZTable gives z, in thousandths, for the service levels (per mille of
// cycles without a stock-out) that may be asked for: the standard normal
// quantiles 1.2816, 1.6449, 1.9600, 2.0537, 2.3263, 2.5758 rounded.
var ZTable = map[int]int64{900: 1282, 950: 1645, 975: 1960, 980: 2054, 990: 2326, 995: 2576}

// Input is one SKU at one site. Quantities are base units.
type Input struct {
	SKU, Site string
	// Supplier is the SKU's default supplier (its code), which groups the
	// suggestions into purchase orders; empty: none.
	Supplier string
	// History is the demand of each day, oldest first, days without sales
	// as 0.
	History []int64
	// OnHand may be negative (sold before the receipt was scanned); OnOrder
	// is what open purchase orders still have to deliver, Reserved what
	// approved sales orders have not shipped.
	OnHand, OnOrder, Reserved int64
	// Min and Max are the site's stock limits (库存上下限); 0: not set.
	// Min raises the trigger above the reorder point; Max is the level to
	// order up to instead of the reorder point + d̄ × review days.
	Min, Max int64
	// LeadTimeDays is L; ReviewDays how often the suggestion is reviewed.
	LeadTimeDays, ReviewDays int
	// ServiceLevel is per mille, a key of ZTable; ZMilli, when not 0,
	// gives z in thousandths instead.
	ServiceLevel int
	ZMilli       int64
	Method       Method
	// Window is N, the days of the moving average and of σ (both methods).
	// Fewer days of history: all of it.
	Window int
	// AlphaPermille is α for ExponentialSmoothing, 1–1000.
	AlphaPermille int
	// Factor is the purchase unit's ratio to the base unit (1 箱 = 12):
	// orders are whole purchase units. At least 1.
	Factor int64
	// MinOrder is the supplier's minimum order in base units; 0: none.
	MinOrder int64
}

// Suggestion is the computation for one Input and its result.
type Suggestion struct {
	SKU, Site, Supplier string
	// Days is how many days of history d̄ and σ are over.
	Days int
	// DemandMilli is d̄ and SigmaMilli σ, in thousandths of a base unit
	// per day; ZMilli is z in thousandths.
	DemandMilli, SigmaMilli, ZMilli int64
	// SafetyStock = ⌈z·σ·√L⌉; ReorderPoint = ⌈d̄·L⌉ + SafetyStock.
	SafetyStock, ReorderPoint int64
	// Trigger is the larger of ReorderPoint and Min: an order is
	// suggested when Position ≤ Trigger.
	Trigger int64
	// Target is what to order up to: Max when set, else ReorderPoint +
	// ⌈d̄ × ReviewDays⌉; never below Trigger.
	Target int64
	// Position = OnHand + OnOrder − Reserved.
	Position int64
	// Need is Target − Position when an order is due, else 0.
	Need int64
	// Qty is Need rounded up to whole purchase units (Factor) and to the
	// supplier's minimum; Units = Qty ÷ Factor.
	Qty, Units       int64
	Factor, MinOrder int64
	// BelowMin and AboveMax are the stock-limit alerts on Position.
	BelowMin, AboveMax bool
	// Explanation says how the numbers were reached, in English then
	// Chinese on a second line.
	Explanation string
}

// Suggest computes the suggestion for in. It returns an *Error (ErrNegative,
// ErrTooLarge or ErrParam, each also cloud.ErrInvalid) for input it refuses.
func Suggest(in Input) (Suggestion, error) {
	if err := check(in); err != nil {
		return Suggestion{}, err
	}
	s := Suggestion{SKU: in.SKU, Site: in.Site, Supplier: in.Supplier, Factor: in.Factor, MinOrder: in.MinOrder}
	var en, zh []string

	// d̄ and σ over the window.
	n := min(in.Window, len(in.History))
	win := in.History[len(in.History)-n:]
	var sum int64
	for _, d := range win {
		sum += d
	}
	switch {
	case len(in.History) == 0:
		en = append(en, "no demand history: d̄ 0")
		zh = append(zh, "无需求历史：日均需求 d̄ 为 0")
	case in.Method == ExponentialSmoothing:
		s.Days = len(in.History)
		s.DemandMilli = smooth(in.History, int64(in.AlphaPermille))
		en = append(en, fmt.Sprintf("d̄ %s/day by exponential smoothing over %d days (α %s, F₁ = first day)",
			milli(s.DemandMilli), s.Days, milli(int64(in.AlphaPermille))))
		zh = append(zh, fmt.Sprintf("日均需求 d̄ %s：%d 天指数平滑（α %s，F₁ 取首日）",
			milli(s.DemandMilli), s.Days, milli(int64(in.AlphaPermille))))
	default:
		s.Days = n
		s.DemandMilli = divHalfUp(sum*1000, int64(n))
		en = append(en, fmt.Sprintf("d̄ %s/day = moving average of the last %d days (%d ÷ %d)", milli(s.DemandMilli), n, sum, n))
		zh = append(zh, fmt.Sprintf("日均需求 d̄ %s = 最近 %d 天移动平均（%d ÷ %d）", milli(s.DemandMilli), n, sum, n))
	}
	s.SigmaMilli = sigmaMilli(win)
	if n >= 2 {
		en = append(en, fmt.Sprintf("σ %s (sample standard deviation of the last %d days)", milli(s.SigmaMilli), n))
		zh = append(zh, fmt.Sprintf("标准差 σ %s（最近 %d 天样本标准差）", milli(s.SigmaMilli), n))
	} else {
		en = append(en, "σ 0 (fewer than 2 days)")
		zh = append(zh, "标准差 σ 0（不足 2 天）")
	}

	// Safety stock and reorder point.
	s.ZMilli = in.ZMilli
	if s.ZMilli == 0 {
		s.ZMilli = ZTable[in.ServiceLevel]
	}
	L, R := int64(in.LeadTimeDays), int64(in.ReviewDays)
	s.SafetyStock = safetyStock(s.ZMilli, s.SigmaMilli, L)
	leadDemand := ceilDiv(s.DemandMilli*L, 1000)
	s.ReorderPoint = leadDemand + s.SafetyStock
	en = append(en, fmt.Sprintf("safety stock %d = ⌈z %s × σ %s × √%d days lead time⌉", s.SafetyStock, milli(s.ZMilli), milli(s.SigmaMilli), L),
		fmt.Sprintf("reorder point %d = ⌈d̄ × %d⌉ %d + %d", s.ReorderPoint, L, leadDemand, s.SafetyStock))
	zh = append(zh, fmt.Sprintf("安全库存 %d = ⌈z %s × σ %s × √提前期 %d 天⌉", s.SafetyStock, milli(s.ZMilli), milli(s.SigmaMilli), L),
		fmt.Sprintf("再订货点 %d = ⌈d̄ × %d⌉ %d + %d", s.ReorderPoint, L, leadDemand, s.SafetyStock))

	s.Trigger = s.ReorderPoint
	if in.Min > s.Trigger {
		s.Trigger = in.Min
		en = append(en, fmt.Sprintf("min %d is above it", in.Min))
		zh = append(zh, fmt.Sprintf("下限 %d 高于再订货点", in.Min))
	}
	cycle := ceilDiv(s.DemandMilli*R, 1000)
	if in.Max > 0 {
		s.Target = in.Max
	} else {
		s.Target = s.ReorderPoint + cycle
	}
	s.Target = max(s.Target, s.Trigger)

	s.Position = in.OnHand + in.OnOrder - in.Reserved
	s.BelowMin = in.Min > 0 && s.Position < in.Min
	s.AboveMax = in.Max > 0 && s.Position > in.Max
	pos := fmt.Sprintf("position %d = on hand %d + on order %d − reserved %d", s.Position, in.OnHand, in.OnOrder, in.Reserved)
	posZH := fmt.Sprintf("可用量 %d = 在库 %d + 在途 %d − 已占用 %d", s.Position, in.OnHand, in.OnOrder, in.Reserved)
	if s.Position > s.Trigger {
		en = append(en, fmt.Sprintf("%s > %d: no order", pos, s.Trigger))
		zh = append(zh, fmt.Sprintf("%s > %d：无需补货", posZH, s.Trigger))
		s.Explanation = strings.Join(en, "; ") + ".\n" + strings.Join(zh, "；") + "。"
		return s, nil
	}
	upTo := fmt.Sprintf("max %d", in.Max)
	upToZH := fmt.Sprintf("上限 %d", in.Max)
	if in.Max == 0 {
		upTo = fmt.Sprintf("%d + ⌈d̄ × %d review days⌉ %d", s.ReorderPoint, R, cycle)
		upToZH = fmt.Sprintf("%d + ⌈d̄ × 补货周期 %d 天⌉ %d", s.ReorderPoint, R, cycle)
	}
	s.Need = s.Target - s.Position
	en = append(en, fmt.Sprintf("%s ≤ %d: order up to %d (%s), need %d", pos, s.Trigger, s.Target, upTo, s.Need))
	zh = append(zh, fmt.Sprintf("%s ≤ %d：补至 %d（%s），缺口 %d", posZH, s.Trigger, s.Target, upToZH, s.Need))
	if s.Need > 0 {
		s.Qty, s.Units = roundOrder(s.Need, in.Factor, in.MinOrder)
		en = append(en, fmt.Sprintf("order %d = %d × %d per purchase unit", s.Qty, s.Units, in.Factor))
		zh = append(zh, fmt.Sprintf("建议采购 %d = %d 个采购单位 × %d", s.Qty, s.Units, in.Factor))
		if in.MinOrder > 0 {
			en[len(en)-1] += fmt.Sprintf(", supplier minimum %d", in.MinOrder)
			zh[len(zh)-1] += fmt.Sprintf("，供应商起订量 %d", in.MinOrder)
		}
	}
	s.Explanation = strings.Join(en, "; ") + ".\n" + strings.Join(zh, "；") + "。"
	return s, nil
}

// SuggestAll computes a suggestion for each input, in order; the first
// refused input's error names its SKU and site.
func SuggestAll(ins []Input) ([]Suggestion, error) {
	out := make([]Suggestion, 0, len(ins))
	for _, in := range ins {
		s, err := Suggest(in)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// check refuses input outside the bounds.
func check(in Input) error {
	who := fmt.Sprintf("SKU %s at %s", in.SKU, in.Site)
	if len(in.History) > MaxHistory {
		return refuse(ErrTooLarge, who, "%d days of history, at most %d", "需求历史 %d 天，最多 %d 天", len(in.History), MaxHistory)
	}
	for i, d := range in.History {
		if d < 0 {
			return refuse(ErrNegative, who, "demand of day %d is negative (%d)", "第 %d 天的需求为负（%d）", i+1, d)
		}
		if d > MaxQty {
			return refuse(ErrTooLarge, who, "demand of day %d is %d, at most %d", "第 %d 天的需求 %d 超过上限 %d", i+1, d, MaxQty)
		}
	}
	for _, q := range []struct {
		v        int64
		name, zh string
		neg      bool // may be negative
	}{
		{in.OnHand, "on hand", "在库", true}, {in.OnOrder, "on order", "在途", false},
		{in.Reserved, "reserved", "已占用", false}, {in.Min, "min", "下限", false}, {in.Max, "max", "上限", false},
		{in.Factor, "purchase factor", "采购单位换算", false}, {in.MinOrder, "minimum order", "起订量", false},
		{int64(in.LeadTimeDays), "lead time days", "提前期天数", false}, {int64(in.ReviewDays), "review days", "补货周期天数", false},
		{in.ZMilli, "z", "z 值", false},
	} {
		if q.v < 0 && !q.neg {
			return refuse(ErrNegative, who, "%s is negative (%d)", "%s为负（%d）", q.name, q.v)
		}
		if q.v > MaxQty || q.v < -MaxQty {
			return refuse(ErrTooLarge, who, "%s %d is beyond %d", "%s %d 超过上限 %d", q.name, q.v, MaxQty)
		}
	}
	switch {
	case in.LeadTimeDays > MaxDays || in.ReviewDays > MaxDays:
		return refuse(ErrTooLarge, who, "lead time %d and review %d days: at most %d each", "提前期 %d 天、补货周期 %d 天：各不超过 %d 天",
			in.LeadTimeDays, in.ReviewDays, MaxDays)
	case in.Window < 1 || in.Window > MaxHistory:
		return refuse(ErrParam, who, "window of %d days: 1 to %d", "统计窗口 %d 天：须为 1 到 %d", in.Window, MaxHistory)
	case in.Factor < 1:
		return refuse(ErrParam, who, "purchase factor %d: at least 1", "采购单位换算 %d：至少为 1", in.Factor)
	case in.Max > 0 && in.Max < in.Min:
		return refuse(ErrParam, who, "max %d is below min %d", "上限 %d 低于下限 %d", in.Max, in.Min)
	case in.ZMilli > MaxZMilli:
		return refuse(ErrTooLarge, who, "z %s is beyond %s", "z 值 %s 超过 %s", milli(in.ZMilli), milli(MaxZMilli))
	case in.ZMilli == 0 && ZTable[in.ServiceLevel] == 0:
		return refuse(ErrParam, who, "service level %d‰ is not one of 900, 950, 975, 980, 990, 995",
			"服务水平 %d‰ 须为 900、950、975、980、990、995 之一", in.ServiceLevel)
	case in.Method != MovingAverage && in.Method != ExponentialSmoothing:
		return refuse(ErrParam, who, "unknown method %d", "未知的预测方法 %d", int(in.Method))
	case in.Method == ExponentialSmoothing && (in.AlphaPermille < 1 || in.AlphaPermille > 1000):
		return refuse(ErrParam, who, "α %d‰: 1 to 1000", "平滑系数 α %d‰：须为 1 到 1000", in.AlphaPermille)
	}
	return nil
}

// smooth returns the last F of F₁ = D₁, F = αD + (1−α)F in thousandths,
// each step rounded half up: F' = (α·D·1000 + (1000−α)·F) ÷ 1000.
func smooth(h []int64, alpha int64) int64 {
	f := h[0] * 1000
	for _, d := range h[1:] {
		f = divHalfUp(alpha*d*1000+(1000-alpha)*f, 1000)
	}
	return f
}

// sigmaMilli returns 1000 × the sample standard deviation of x rounded
// half up: √((n·Σx² − (Σx)²) ÷ (n(n−1))), exactly in big integers. Fewer
// than two values: 0.
func sigmaMilli(x []int64) int64 {
	n := int64(len(x))
	if n < 2 {
		return 0
	}
	s1, s2 := new(big.Int), new(big.Int)
	for _, v := range x {
		b := big.NewInt(v)
		s1.Add(s1, b)
		s2.Add(s2, b.Mul(b, b))
	}
	num := new(big.Int).Mul(big.NewInt(n), s2)
	num.Sub(num, new(big.Int).Mul(s1, s1))
	num.Mul(num, big.NewInt(1_000_000))
	den := big.NewInt(n * (n - 1))
	// r = ⌊√(num/den)⌋; round up when num/den ≥ (r + ½)², that is when
	// 4·num ≥ (2r+1)²·den.
	r := new(big.Int).Sqrt(new(big.Int).Quo(num, den))
	t := new(big.Int).Lsh(r, 1)
	t.Add(t, big.NewInt(1))
	t.Mul(t, t).Mul(t, den)
	if new(big.Int).Lsh(num, 2).Cmp(t) >= 0 {
		r.Add(r, big.NewInt(1))
	}
	return r.Int64()
}

// safetyStock returns ⌈z·σ·√L⌉ for z and σ in thousandths:
// ⌈√(z²·σ²·L) ÷ 10⁶⌉, exactly.
func safetyStock(zMilli, sigmaMilli, days int64) int64 {
	p := big.NewInt(zMilli)
	p.Mul(p, p)
	s := big.NewInt(sigmaMilli)
	p.Mul(p, s.Mul(s, s))
	p.Mul(p, big.NewInt(days))
	r := new(big.Int).Sqrt(p)
	if new(big.Int).Mul(r, r).Cmp(p) < 0 {
		r.Add(r, big.NewInt(1)) // ⌈√p⌉
	}
	q, m := r.QuoRem(r, big.NewInt(1_000_000), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// roundOrder rounds need up to whole purchase units of factor, then up to
// the minimum order (itself in whole purchase units).
func roundOrder(need, factor, minOrder int64) (qty, units int64) {
	units = ceilDiv(need, factor)
	if m := ceilDiv(minOrder, factor); units < m {
		units = m
	}
	return units * factor, units
}

// ceilDiv is ⌈a ÷ b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// divHalfUp is a ÷ b rounded half up, for a ≥ 0, b > 0.
func divHalfUp(a, b int64) int64 { return (2*a + b) / (2 * b) }

// milli writes thousandths as a decimal: 7143 → "7.143", 50 → "0.05".
func milli(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	s := fmt.Sprintf("%s%d.%03d", sign, v/1000, v%1000)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// sortSuggestions orders by site, then SKU.
func sortSuggestions(s []Suggestion) {
	slices.SortStableFunc(s, func(a, b Suggestion) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.SKU, b.SKU))
	})
}
