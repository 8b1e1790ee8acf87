package docs

import "errors"

// MaxMoney bounds a line's amount and a price (fen), as master data
// bounds prices: far from int64's limit, so that amount × rate and the
// sum of MaxLines lines cannot overflow.
const MaxMoney = 1_000_000_000_000

// MaxQty bounds a quantity in base units (syncproto.MaxQty).
const MaxQty = 1_000_000_000_000

// errRange is an amount beyond MaxMoney.
var errRange = errors.New("amount out of range")

// DivRoundHalfEven returns a ÷ b rounded half to even (banker's
// rounding), for a ≥ 0 and b > 0, in integers only.
func DivRoundHalfEven(a, b int64) int64 {
	q, r := a/b, a%b
	switch {
	case 2*r > b:
		q++
	case 2*r == b && q%2 == 1:
		q++
	}
	return q
}

// Amounts are a line's money in fen: net of VAT, the VAT and gross.
type Amounts struct {
	Net   int64 `json:"net" required:"false" doc:"Net of VAT, fen 不含税金额（分）."`
	Tax   int64 `json:"tax" required:"false" doc:"VAT, fen 税额（分）."`
	Gross int64 `json:"gross" required:"false" doc:"Net + VAT, fen 价税合计（分）."`
}

// LineAmounts computes a line of qty at price (fen per unit; including
// VAT when inclusive) at rate percent, by DOMAIN.md §3: exclusive, tax =
// round_half_even(net × rate / 100); inclusive, tax =
// round_half_even(gross × rate / (100 + rate)) and net = gross − tax. It
// returns errRange when qty × price is beyond MaxMoney; qty, price and
// rate must not be negative.
func LineAmounts(qty, price int64, rate int32, inclusive bool) (Amounts, error) {
	if qty < 0 || price < 0 || rate < 0 || (price != 0 && qty > MaxMoney/price) {
		return Amounts{}, errRange
	}
	amount := qty * price
	r := int64(rate)
	if inclusive {
		tax := DivRoundHalfEven(amount*r, 100+r)
		return Amounts{Net: amount - tax, Tax: tax, Gross: amount}, nil
	}
	tax := DivRoundHalfEven(amount*r, 100)
	return Amounts{Net: amount, Tax: tax, Gross: amount + tax}, nil
}
