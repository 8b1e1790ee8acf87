package docs_test

import (
	"math/big"
	"testing"

	"pgregory.net/rapid"

	"github.com/jxc-edge/jxc/cloud/docs"
)

// refHalfEven is a ÷ b rounded half to even with big rationals.
func refHalfEven(a, b int64) int64 {
	x := new(big.Rat).SetFrac64(a, b)
	fl := new(big.Int).Quo(big.NewInt(a), big.NewInt(b)) // a, b ≥ 0: floor
	frac := new(big.Rat).Sub(x, new(big.Rat).SetInt(fl))
	switch frac.Cmp(big.NewRat(1, 2)) {
	case 1:
		fl.Add(fl, big.NewInt(1))
	case 0:
		if fl.Bit(0) == 1 {
			fl.Add(fl, big.NewInt(1))
		}
	}
	return fl.Int64()
}

func TestDivRoundHalfEven(t *testing.T) {
	for _, c := range []struct{ a, b, want int64 }{
		{5, 2, 2}, {7, 2, 4}, {1, 2, 0}, {3, 2, 2}, {0, 7, 0}, {149, 100, 1}, {150, 100, 2}, {250, 100, 2}, {251, 100, 3},
	} {
		if got := docs.DivRoundHalfEven(c.a, c.b); got != c.want {
			t.Errorf("DivRoundHalfEven(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.Int64Range(0, docs.MaxMoney*200).Draw(t, "a")
		b := rapid.Int64Range(1, 1000).Draw(t, "b")
		if got, want := docs.DivRoundHalfEven(a, b), refHalfEven(a, b); got != want {
			t.Fatalf("DivRoundHalfEven(%d, %d) = %d, want %d", a, b, got, want)
		}
	})
}

func TestLineAmounts(t *testing.T) {
	// 3 × 0.99 yuan at 13 %: exclusive 297 + 38.61 → 39; inclusive
	// 297 × 13 / 113 = 34.168… → 34.
	got, _ := docs.LineAmounts(3, 99, 13, false)
	if want := (docs.Amounts{Net: 297, Tax: 39, Gross: 336}); got != want {
		t.Errorf("exclusive: %+v, want %+v", got, want)
	}
	got, _ = docs.LineAmounts(3, 99, 13, true)
	if want := (docs.Amounts{Net: 263, Tax: 34, Gross: 297}); got != want {
		t.Errorf("inclusive: %+v, want %+v", got, want)
	}
	// Half to even: 50 × 1 % = 0.5 → 0; 150 × 1 % = 1.5 → 2.
	if got, _ := docs.LineAmounts(50, 1, 1, false); got.Tax != 0 {
		t.Errorf("0.5 fen rounded to %d", got.Tax)
	}
	if got, _ := docs.LineAmounts(150, 1, 1, false); got.Tax != 2 {
		t.Errorf("1.5 fen rounded to %d", got.Tax)
	}
	if _, err := docs.LineAmounts(docs.MaxMoney, 2, 13, false); err == nil {
		t.Error("an amount beyond MaxMoney was accepted")
	}
	rapid.Check(t, func(t *rapid.T) {
		qty := rapid.Int64Range(1, 1_000_000).Draw(t, "qty")
		price := rapid.Int64Range(0, docs.MaxMoney/qty).Draw(t, "price")
		rate := rapid.SampledFrom([]int32{0, 1, 3, 6, 9, 13, 17, 100}).Draw(t, "rate")
		inclusive := rapid.Bool().Draw(t, "inclusive")
		a, err := docs.LineAmounts(qty, price, rate, inclusive)
		if err != nil {
			t.Fatal(err)
		}
		if a.Net+a.Tax != a.Gross || a.Net < 0 || a.Tax < 0 {
			t.Fatalf("%+v does not add up", a)
		}
		amount := qty * price
		var want int64
		if inclusive {
			want = refHalfEven(amount*int64(rate), 100+int64(rate))
			if a.Gross != amount {
				t.Fatalf("inclusive gross %d, want %d", a.Gross, amount)
			}
		} else {
			want = refHalfEven(amount*int64(rate), 100)
			if a.Net != amount {
				t.Fatalf("exclusive net %d, want %d", a.Net, amount)
			}
		}
		if a.Tax != want {
			t.Fatalf("tax %d, want %d", a.Tax, want)
		}
	})
}
