package docs

import (
	"math"
	"testing"
)

func TestMulDivHalfEven(t *testing.T) {
	for _, c := range []struct {
		name    string
		a, b, c int64
		want    int64
	}{
		{"exact", 5000, 2, 5, 2000},
		{"half down to even", 5, 1, 2, 2},
		{"half up to even", 3, 1, 2, 2},
		{"above half", 1000, 2, 3, 667},
		{"below half", 1000, 1, 3, 333},
		{"no overflow", MaxMoney, MaxQty - 1, MaxQty, MaxMoney - 1},
		{"int64 range", math.MaxInt64, 1, 1, math.MaxInt64},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := mulDivHalfEven(c.a, c.b, c.c); got != c.want {
				t.Errorf("%d × %d ÷ %d = %d, want %d", c.a, c.b, c.c, got, c.want)
			}
		})
	}
}
