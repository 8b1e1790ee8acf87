package llrp

import (
	"testing"
	"time"
)

func TestRateWindow(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	var w rateWindow
	// 100 reads in each of seconds 0..9, 500 more in second 9.
	for s := range 10 {
		for i := range 10 {
			w.add(base.Add(time.Duration(s)*time.Second+time.Duration(i)*100*time.Millisecond), 10)
		}
	}
	w.add(base.Add(9*time.Second+500*time.Millisecond), 500)
	tests := []struct {
		name string
		at   time.Duration
		want uint64
	}{
		// Inside second 9: seconds 4..8 count, the current one does not.
		{name: "steady", at: 9*time.Second + 900*time.Millisecond, want: 100},
		// In second 10: seconds 5..9, with the burst in 9.
		{name: "burst", at: 10*time.Second + 100*time.Millisecond, want: 200},
		// Long after: nothing in the window.
		{name: "idle", at: 30 * time.Second, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.perSecond(base.Add(tt.at)); got != tt.want {
				t.Fatalf("perSecond = %d, want %d", got, tt.want)
			}
		})
	}
}
