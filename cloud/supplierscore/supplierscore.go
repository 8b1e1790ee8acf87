// Package supplierscore rates suppliers per month (DOMAIN.md §6):
//
//   - delivery = 100 × on-time receipts ÷ receipts, a receipt being on time
//     when received on or before its purchase order's expected date;
//   - quality = 100 × (received − returned) ÷ received, in base units;
//   - the weighted score (default 50/50), banded 0–30 很差 very poor,
//     30–50 差 poor, 50–80 一般 fair, 80–100 优秀 excellent;
//   - an overall score over the last 12 months, weighted linearly: the
//     month scored 12, the one before 11, … the oldest 1.
//
// Scores are integers in hundredths of a point (0–10000 for 0–100),
// every division rounded half to even; no float is used.
package supplierscore

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"time"

	"github.com/jxc-edge/jxc/cloud"
)

// MaxQty bounds a receipt's or return's quantity in base units
// (docs.MaxQty).
const MaxQty = 1_000_000_000_000

// Full is a score of 100 points, in hundredths.
const Full = 10000

// Errors of the package, each wrapped in an *Error with English and
// Chinese messages; errors.Is(err, cloud.ErrInvalid) holds for all.
var (
	// ErrInput means a receipt or return is malformed: no supplier, no
	// date, a negative or too large quantity.
	ErrInput = errors.New("invalid receipt or return")
	// ErrWeights means the weights are negative, too large or both zero.
	ErrWeights = errors.New("invalid weights")
	// ErrTooLarge means a month's quantities add up beyond int64.
	ErrTooLarge = errors.New("quantities too large")
)

// Error is a refusal with its reason in English and Chinese.
type Error struct {
	Err        error
	Msg, MsgZH string
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) ErrorZH() string { return e.MsgZH }

// Unwrap gives the sentinel and cloud.ErrInvalid.
func (e *Error) Unwrap() []error { return []error{e.Err, cloud.ErrInvalid} }

func refuse(err error, en, zh string) error {
	return &Error{Err: err, Msg: en + " " + zh, MsgZH: zh}
}

// Period is a calendar month.
type Period struct {
	Year  int
	Month time.Month
}

// PeriodOf is the month of t, in t's location.
func PeriodOf(t time.Time) Period { return Period{t.Year(), t.Month()} }

// Add is the period n months later (earlier for n < 0).
func (p Period) Add(n int) Period {
	m := p.Year*12 + int(p.Month) - 1 + n
	return Period{m / 12, time.Month(m%12 + 1)}
}

func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

func (p Period) index() int { return p.Year*12 + int(p.Month) - 1 }

// Receipt is one purchase receipt against a purchase order.
type Receipt struct {
	Supplier, PO string
	// Expected is the PO's expected date, Received the receipt's; only
	// their calendar dates (in their own locations) count.
	Expected, Received time.Time
	Qty                int64 // base units
}

// Return is one purchase return (采购退货) to a supplier.
type Return struct {
	Supplier string
	Qty      int64 // base units
	Date     time.Time
}

// Weights weigh delivery against quality; the zero value is the default
// 50/50. Each is 0–1000 and they may not both be 0.
type Weights struct {
	Delivery, Quality int
}

// Band is a score's grade.
type Band int

const (
	VeryPoor  Band = iota // 0 ≤ score < 30: 很差
	Poor                  // 30 ≤ score < 50: 差
	Fair                  // 50 ≤ score < 80: 一般
	Excellent             // 80 ≤ score ≤ 100: 优秀
)

// BandOf grades a score in hundredths; a boundary belongs to the band
// above it (exactly 80.00 is 优秀).
func BandOf(score int64) Band {
	switch {
	case score >= 8000:
		return Excellent
	case score >= 5000:
		return Fair
	case score >= 3000:
		return Poor
	}
	return VeryPoor
}

// String names the band in Chinese and English: "优秀 excellent".
func (b Band) String() string {
	switch b {
	case VeryPoor:
		return "很差 very poor"
	case Poor:
		return "差 poor"
	case Fair:
		return "一般 fair"
	case Excellent:
		return "优秀 excellent"
	}
	return fmt.Sprintf("Band(%d)", int(b))
}

// Score is a supplier's month.
type Score struct {
	Supplier string
	Period   Period
	// Receipts and OnTime count the month's receipts (by received date).
	Receipts, OnTime int
	// Received and Returned are the month's quantities (returns by their
	// date), base units.
	Received, Returned int64
	// Delivery, Quality and Weighted are in hundredths of a point.
	Delivery, Quality, Weighted int64
	Band                        Band
}

// Monthly scores each supplier for each month in which it delivered (a
// month with no receipts has no score: nothing was delivered to rate;
// returns dated in such a month count in no month). Quality is floored at
// 0 when a month's returns exceed its receipts (returns of goods received
// earlier). The scores come ordered by supplier, then month. It returns
// an *Error for a malformed receipt or return, or bad weights.
func Monthly(receipts []Receipt, returns []Return, w Weights) ([]Score, error) {
	wd, wq, err := weights(w)
	if err != nil {
		return nil, err
	}
	type key struct {
		supplier string
		period   Period
	}
	acc := map[key]*Score{}
	for i, r := range receipts {
		if err := checkLine("receipt", "收货", i, r.Supplier, r.Qty, r.Received, r.Expected); err != nil {
			return nil, err
		}
		k := key{r.Supplier, PeriodOf(r.Received)}
		s := acc[k]
		if s == nil {
			s = &Score{Supplier: r.Supplier, Period: k.period}
			acc[k] = s
		}
		s.Receipts++
		if !after(r.Received, r.Expected) {
			s.OnTime++
		}
		if s.Received > math.MaxInt64-r.Qty {
			return nil, tooLarge(r.Supplier, k.period)
		}
		s.Received += r.Qty
	}
	for i, r := range returns {
		if err := checkLine("return", "退货", i, r.Supplier, r.Qty, r.Date, r.Date); err != nil {
			return nil, err
		}
		s := acc[key{r.Supplier, PeriodOf(r.Date)}]
		if s == nil {
			continue
		}
		if s.Returned > math.MaxInt64-r.Qty {
			return nil, tooLarge(r.Supplier, s.Period)
		}
		s.Returned += r.Qty
	}
	out := make([]Score, 0, len(acc))
	for _, s := range acc {
		s.Delivery = ratio(uint64(s.OnTime), uint64(s.Receipts))
		switch {
		case s.Received == 0: // only receipts of nothing: nothing to find fault with
			s.Quality = Full
		case s.Returned >= s.Received:
			s.Quality = 0
		default:
			s.Quality = ratio(uint64(s.Received-s.Returned), uint64(s.Received))
		}
		s.Weighted = divHalfEven(wd*s.Delivery+wq*s.Quality, wd+wq)
		s.Band = BandOf(s.Weighted)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Score) int {
		return cmp.Or(cmp.Compare(a.Supplier, b.Supplier), cmp.Compare(a.Period.index(), b.Period.index()))
	})
	return out, nil
}

// Overall is a supplier's score over the 12 months up to a month.
type Overall struct {
	Supplier string
	AsOf     Period
	// Score is Σ wᵢ·scoreᵢ ÷ Σ wᵢ, half to even, over the months that
	// have a score; month AsOf has weight 12, the month before 11, …
	// AsOf − 11 months weight 1.
	Score int64
	Band  Band
	// Periods is how many months had a score, WeightSum their Σ wᵢ.
	Periods, WeightSum int
}

// OverallScore weighs supplier's monthly scores (from Monthly) over the
// 12 months ending with asOf, most recent heaviest; months without a score
// leave their weight out. ok is false when none of the 12 has a score.
func OverallScore(scores []Score, supplier string, asOf Period) (o Overall, ok bool) {
	o = Overall{Supplier: supplier, AsOf: asOf}
	var sum int64
	for _, s := range scores {
		age := asOf.index() - s.Period.index()
		if s.Supplier != supplier || age < 0 || age > 11 {
			continue
		}
		w := 12 - age
		sum += int64(w) * s.Weighted
		o.WeightSum += w
		o.Periods++
	}
	if o.Periods == 0 {
		return o, false
	}
	o.Score = divHalfEven(sum, int64(o.WeightSum))
	o.Band = BandOf(o.Score)
	return o, true
}

// FormatPoints writes hundredths of a point as a decimal: 8750 → "87.50".
func FormatPoints(h int64) string {
	sign := ""
	if h < 0 {
		sign, h = "-", -h
	}
	return fmt.Sprintf("%s%d.%02d", sign, h/100, h%100)
}

func weights(w Weights) (int64, int64, error) {
	if w == (Weights{}) {
		return 50, 50, nil
	}
	if w.Delivery < 0 || w.Quality < 0 || w.Delivery > 1000 || w.Quality > 1000 {
		return 0, 0, refuse(ErrWeights,
			fmt.Sprintf("weights %d/%d: each must be 0 to 1000", w.Delivery, w.Quality),
			fmt.Sprintf("权重 %d/%d：每项须为 0 到 1000", w.Delivery, w.Quality))
	}
	if w.Delivery+w.Quality == 0 {
		return 0, 0, refuse(ErrWeights, "weights 0/0: one must be above 0", "权重 0/0：至少一项须大于 0")
	}
	return int64(w.Delivery), int64(w.Quality), nil
}

func checkLine(what, whatZH string, i int, supplier string, qty int64, t1, t2 time.Time) error {
	var en, zh string
	switch {
	case supplier == "":
		en, zh = "names no supplier", "未指定供应商"
	case qty < 0:
		en, zh = fmt.Sprintf("has a negative quantity (%d)", qty), fmt.Sprintf("数量为负（%d）", qty)
	case qty > MaxQty:
		en, zh = fmt.Sprintf("quantity %d is beyond %d", qty, MaxQty), fmt.Sprintf("数量 %d 超过上限 %d", qty, MaxQty)
	case t1.IsZero() || t2.IsZero():
		en, zh = "has no date", "缺少日期"
	default:
		return nil
	}
	return refuse(ErrInput, fmt.Sprintf("%s %d (%s) %s", what, i+1, supplier, en),
		fmt.Sprintf("第 %d 条%s（%s）%s", i+1, whatZH, supplier, zh))
}

func tooLarge(supplier string, p Period) error {
	return refuse(ErrTooLarge, fmt.Sprintf("%s %s: quantities add up beyond int64", supplier, p),
		fmt.Sprintf("%s %s：数量合计超出范围", supplier, p))
}

// after says whether a's calendar date is after b's.
func after(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay*10000+int(am)*100+ad > by*10000+int(bm)*100+bd
}

// ratio is Full × num ÷ den rounded half to even, for 0 ≤ num ≤ den,
// den > 0, in 128 bits so that no sum of quantities overflows it.
func ratio(num, den uint64) int64 {
	hi, lo := bits.Mul64(Full, num)
	q, r := bits.Div64(hi, lo, den) // q ≤ Full: no overflow
	if r > den-r || r == den-r && q%2 == 1 {
		q++
	}
	return int64(q)
}

// divHalfEven is a ÷ b rounded half to even, for a ≥ 0, b > 0.
func divHalfEven(a, b int64) int64 {
	q, r := a/b, a%b
	if 2*r > b || 2*r == b && q%2 == 1 {
		q++
	}
	return q
}
