package gate_test

import (
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent/gate"
)

func TestClock(t *testing.T) {
	agent := time.Now() // carries the monotonic clock, as the pipeline's do
	type obs struct {
		read time.Duration // reader time, from agent
		at   time.Duration // agent time received, from agent
	}
	tests := []struct {
		name       string
		observe    []obs
		at         time.Duration // agent time asked, from agent
		want       time.Duration // reader time expected, from agent
		wantOffset time.Duration
	}{
		{name: "in step", observe: []obs{{0, 0}}, at: time.Second, want: time.Second},
		{name: "10 minutes behind", observe: []obs{{-10 * time.Minute, 0}}, at: time.Second,
			want: -10*time.Minute + time.Second, wantOffset: -10 * time.Minute},
		{name: "5 s ahead", observe: []obs{{5 * time.Second, 0}}, at: 300 * time.Millisecond,
			want: 5300 * time.Millisecond, wantOffset: 5 * time.Second},
		// One batch: its latest stamp is the best estimate.
		{name: "batch keeps its latest stamp", observe: []obs{{-2 * time.Second, 0}, {-1 * time.Second, 0}, {-3 * time.Second, 0}},
			at: time.Second, want: 0, wantOffset: -time.Second},
		// The reader's clock stepped back: followed at its next read.
		{name: "clock stepped", observe: []obs{{0, 0}, {-time.Hour, 100 * time.Millisecond}},
			at: 200 * time.Millisecond, want: -time.Hour + 100*time.Millisecond, wantOffset: -time.Hour - 100*time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c gate.Clock
			for _, o := range tt.observe {
				c.Observe(agent.Add(o.read).Round(0).UTC(), agent.Add(o.at))
			}
			got, ok := c.Now(agent.Add(tt.at))
			if !ok || !got.Equal(agent.Add(tt.want)) {
				t.Fatalf("Now = %v, %v; want %v", got, ok, agent.Add(tt.want))
			}
			if off := c.Offset(); off != tt.wantOffset {
				t.Fatalf("Offset = %v, want %v", off, tt.wantOffset)
			}
		})
	}
	var c gate.Clock
	if _, ok := c.Now(agent); ok {
		t.Fatal("Now before any read: ok")
	}
}
