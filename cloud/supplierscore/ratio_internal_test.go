package supplierscore

import (
	"math"
	"testing"
)

func TestRatio(t *testing.T) {
	tests := []struct {
		num, den uint64
		want     int64
	}{
		{0, 1, 0},
		{1, 1, Full},
		{2, 3, 6667},             // 6666.67
		{1, 32, 312},             // 312.5, to even
		{3, 32, 938},             // 937.5, to even
		{1 << 62, 1 << 63, 5000}, // 10000 × 2⁶² overflows 64 bits
		{math.MaxUint64 - 1, math.MaxUint64, Full}, // 9999.99…
		{math.MaxUint64 / 3, math.MaxUint64, 3333},
	}
	for _, tt := range tests {
		if got := ratio(tt.num, tt.den); got != tt.want {
			t.Errorf("ratio(%d, %d) = %d, want %d", tt.num, tt.den, got, tt.want)
		}
	}
}
