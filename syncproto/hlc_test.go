package syncproto_test

import (
	"testing"
	"time"

	"github.com/jxc-edge/jxc/syncproto"
)

// t0 is a fixed wall-clock instant the clock tests start from.
var t0 = time.Date(2025, 1, 14, 9, 30, 0, 0, time.UTC)

// FakeWall is a wall clock a test moves by hand.
type FakeWall struct{ now time.Time }

func (w *FakeWall) Now() time.Time { return w.now }

// Set moves the wall clock to ms milliseconds after t0 (negative: before).
func (w *FakeWall) Set(ms int64) { w.now = t0.Add(time.Duration(ms) * time.Millisecond) }

// NewFakeClock returns a clock reading w, with nothing issued yet.
func NewFakeClock(w *FakeWall) *syncproto.Clock {
	c := syncproto.NewClock(0)
	c.Now = w.Now
	return c
}

func TestHLCParts(t *testing.T) {
	tests := []struct {
		name    string
		wallMS  int64
		logical uint16
	}{
		{name: "zero", wallMS: 0, logical: 0},
		{name: "now", wallMS: t0.UnixMilli(), logical: 0},
		{name: "logical", wallMS: t0.UnixMilli(), logical: 7},
		{name: "max logical", wallMS: t0.UnixMilli(), logical: 65535},
		{name: "max wall", wallMS: 1<<48 - 1, logical: 65535},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := syncproto.MakeHLC(tt.wallMS, tt.logical)
			if got := h.WallMS(); got != tt.wallMS {
				t.Errorf("WallMS() = %d, want %d", got, tt.wallMS)
			}
			if got := h.Logical(); got != tt.logical {
				t.Errorf("Logical() = %d, want %d", got, tt.logical)
			}
		})
	}
}

func TestHLCOrder(t *testing.T) {
	ms := t0.UnixMilli()
	tests := []struct {
		name          string
		lower, higher syncproto.HLC
	}{
		{name: "logical", lower: syncproto.MakeHLC(ms, 1), higher: syncproto.MakeHLC(ms, 2)},
		{name: "wall beats logical", lower: syncproto.MakeHLC(ms, 65535), higher: syncproto.MakeHLC(ms+1, 0)},
		{name: "wall", lower: syncproto.MakeHLC(ms, 9), higher: syncproto.MakeHLC(ms+1000, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !(tt.lower < tt.higher) {
				t.Errorf("%v < %v is false", tt.lower, tt.higher)
			}
		})
	}
}

func TestHLCString(t *testing.T) {
	got := syncproto.MakeHLC(t0.UnixMilli()+42, 3).String()
	want := "2025-01-14T09:30:00.042Z#3"
	if got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := syncproto.MakeHLC(t0.UnixMilli(), 0).Time(), t0; !got.Equal(want) {
		t.Errorf("Time() = %v, want %v", got, want)
	}
}

// TestClockTick drives a clock along a wall-clock script (ms after t0 before
// each tick) and checks each tick's wall and logical parts.
func TestClockTick(t *testing.T) {
	type tick struct {
		wall        int64 // wall clock before the tick, ms after t0
		wantWall    int64 // wall part of the tick, ms after t0
		wantLogical uint16
	}
	tests := []struct {
		name  string
		ticks []tick
	}{
		{
			name:  "wall clock advances",
			ticks: []tick{{0, 0, 0}, {1, 1, 0}, {5, 5, 0}},
		},
		{
			name:  "same millisecond counts up",
			ticks: []tick{{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {1, 1, 0}},
		},
		{
			name: "wall clock goes backwards",
			// An NTP step of 2 s back: ticks stay above what was issued.
			ticks: []tick{{2000, 2000, 0}, {0, 2000, 1}, {1, 2000, 2}, {1999, 2000, 3}, {2001, 2001, 0}},
		},
		{
			name:  "wall clock before epoch of last tick then catches up",
			ticks: []tick{{10, 10, 0}, {-5000, 10, 1}, {11, 11, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w FakeWall
			c := NewFakeClock(&w)
			var prev syncproto.HLC
			for i, k := range tt.ticks {
				w.Set(k.wall)
				got := c.Tick()
				want := syncproto.MakeHLC(t0.UnixMilli()+k.wantWall, k.wantLogical)
				if got != want {
					t.Errorf("tick %d at wall %+d ms = %v, want %v", i, k.wall, got, want)
				}
				if got <= prev {
					t.Errorf("tick %d = %v, not after previous %v", i, got, prev)
				}
				if c.Last() != got {
					t.Errorf("Last() after tick %d = %v, want %v", i, c.Last(), got)
				}
				prev = got
			}
		})
	}
}

func TestClockLogicalCarry(t *testing.T) {
	ms := t0.UnixMilli()
	var w FakeWall
	w.Set(0)
	c := syncproto.NewClock(syncproto.MakeHLC(ms, 65534))
	c.Now = w.Now

	got := []syncproto.HLC{c.Tick(), c.Tick(), c.Tick()}
	want := []syncproto.HLC{
		syncproto.MakeHLC(ms, 65535),
		syncproto.MakeHLC(ms+1, 0), // the logical counter carries into the wall part
		syncproto.MakeHLC(ms+1, 1),
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tick %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestClockObserve(t *testing.T) {
	ms := t0.UnixMilli()
	tests := []struct {
		name     string
		wall     int64 // ms after t0
		observed syncproto.HLC
		want     syncproto.HLC
	}{
		{
			name:     "peer ahead of wall clock",
			wall:     0,
			observed: syncproto.MakeHLC(ms+5000, 3),
			want:     syncproto.MakeHLC(ms+5000, 4),
		},
		{
			name:     "peer at max logical",
			wall:     0,
			observed: syncproto.MakeHLC(ms+5000, 65535),
			want:     syncproto.MakeHLC(ms+5001, 0),
		},
		{
			name:     "peer behind wall clock",
			wall:     100,
			observed: syncproto.MakeHLC(ms+50, 9),
			want:     syncproto.MakeHLC(ms+100, 0),
		},
		{
			name:     "peer equal to wall clock",
			wall:     100,
			observed: syncproto.MakeHLC(ms+100, 0),
			want:     syncproto.MakeHLC(ms+100, 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w FakeWall
			w.Set(tt.wall)
			c := NewFakeClock(&w)
			c.Observe(tt.observed)
			got := c.Tick()
			if got != tt.want {
				t.Errorf("Tick() after Observe(%v) = %v, want %v", tt.observed, got, tt.want)
			}
			if got <= tt.observed {
				t.Errorf("Tick() = %v, not after observed %v", got, tt.observed)
			}
		})
	}
}

func TestClockObserveOlderKeepsLast(t *testing.T) {
	var w FakeWall
	w.Set(1000)
	c := NewFakeClock(&w)
	issued := c.Tick()
	c.Observe(issued - 100)
	if got := c.Last(); got != issued {
		t.Errorf("Last() = %v, want %v", got, issued)
	}
}

func TestNewClockStartsAfterLast(t *testing.T) {
	// A restarted agent passes the greatest HLC in its ledger: even with the
	// wall clock reset far back, the next tick is after it.
	last := syncproto.MakeHLC(t0.UnixMilli()+86_400_000, 12)
	var w FakeWall
	w.Set(0)
	c := syncproto.NewClock(last)
	c.Now = w.Now
	if got, want := c.Tick(), last+1; got != want {
		t.Errorf("Tick() = %v, want %v", got, want)
	}
}

func TestClockConcurrentTicksAreDistinct(t *testing.T) {
	var w FakeWall
	w.Set(0) // a frozen wall clock: every tick comes from the logical counter
	c := NewFakeClock(&w)
	const workers, each = 4, 500
	results := make(chan []syncproto.HLC, workers)
	for range workers {
		go func() {
			hs := make([]syncproto.HLC, each)
			for i := range hs {
				hs[i] = c.Tick()
			}
			results <- hs
		}()
	}
	seen := make(map[syncproto.HLC]bool, workers*each)
	for range workers {
		hs := <-results
		for i, h := range hs {
			if i > 0 && h <= hs[i-1] {
				t.Fatalf("one goroutine's ticks went %v then %v", hs[i-1], h)
			}
			if seen[h] {
				t.Fatalf("tick %v issued twice", h)
			}
			seen[h] = true
		}
	}
}

func TestClockObserveIgnoresFarFuture(t *testing.T) {
	ms := t0.UnixMilli()
	tests := []struct {
		name     string
		observed syncproto.HLC
		wantOK   bool
	}{
		{"just inside the skew", syncproto.MakeHLC(ms+syncproto.MaxSkew.Milliseconds(), 0), true},
		{"beyond the skew", syncproto.MakeHLC(ms+syncproto.MaxSkew.Milliseconds()+1, 0), false},
		{"at the end of time", syncproto.HLC(1<<64 - 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w FakeWall
			w.Set(0)
			c := NewFakeClock(&w)
			before := c.Last()
			if got := c.Observe(tt.observed); got != tt.wantOK {
				t.Fatalf("Observe(%v) = %v, want %v", tt.observed, got, tt.wantOK)
			}
			if !tt.wantOK && c.Last() != before {
				t.Errorf("Last() = %v after an ignored Observe, want %v", c.Last(), before)
			}
		})
	}
}
