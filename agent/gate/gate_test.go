package gate_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent/gate"
	"github.com/jxc-edge/jxc/drivers"
)

// step is a read given to Add, or a Flush at flush ms after t0.
type step struct {
	read  *drivers.TagRead
	flush int
}

// rd is a read of tag epc on port with rssi at ms after t0.
func rd(epc string, port uint16, rssi int8, ms int) step {
	at := t0.Add(time.Duration(ms) * time.Millisecond)
	return step{read: &drivers.TagRead{Reader: simReader, EPC: []byte(epc), Antenna: port, RSSI: rssi, FirstSeen: at, LastSeen: at, Count: 1}}
}

// with changes a read step.
func (s step) with(f func(*drivers.TagRead)) step {
	r := *s.read
	f(&r)
	s.read = &r
	return s
}

func fl(ms int) step { return step{flush: ms} }

// passString shows a pass compactly: "A in 4 reads 0-400ms".
func passString(p gate.Pass) string {
	if p.Reader != simReader || p.Bin != simBin {
		return fmt.Sprintf("%s: reader %q bin %q", p.EPC, p.Reader, p.Bin)
	}
	return fmt.Sprintf("%s %s %d reads %d-%dms", p.EPC, p.Direction, p.Reads,
		p.FirstSeen.Sub(t0).Milliseconds(), p.LastSeen.Sub(t0).Milliseconds())
}

func TestGate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   func(*gate.Config)
		steps []step
		want  []string
		stats func(gate.Stats) string // "" if as expected
	}{
		{
			name:  "outer then inner is in",
			steps: []step{rd("A", 1, -50, 0), rd("A", 2, -45, 100), rd("A", 3, -50, 300), rd("A", 4, -45, 400), fl(3000)},
			want:  []string{"A in 4 reads 0-400ms"},
		},
		{
			name:  "inner then outer is out",
			steps: []step{rd("A", 4, -50, 0), rd("A", 3, -45, 100), rd("A", 2, -50, 300), rd("A", 1, -45, 400), fl(3000)},
			want:  []string{"A out 4 reads 0-400ms"},
		},
		{
			// A reflection makes the inner antennas see the tag first, but
			// each side's strongest reads are in the order outer, inner.
			name: "peak decides, not first sighting",
			steps: []step{rd("A", 3, -66, 0), rd("A", 1, -48, 50), rd("A", 1, -42, 150), rd("A", 3, -60, 200),
				rd("A", 1, -55, 300), rd("A", 3, -43, 450), rd("A", 4, -50, 500), fl(3000)},
			want: []string{"A in 7 reads 0-500ms"},
		},
		{
			// Outer's strongest -45 runs from 100 to 500 ms (middle 300);
			// inner's is at 250: inner was closer first.
			name:  "middle of a run of peak reads",
			steps: []step{rd("A", 1, -45, 100), rd("A", 3, -45, 250), rd("A", 1, -45, 500), fl(3000)},
			cfg:   func(c *gate.Config) { c.MinReads = 1 },
			want:  []string{"A out 3 reads 100-500ms"},
		},
		{
			name:  "out-of-order reads",
			steps: []step{rd("A", 3, -45, 400), rd("A", 1, -45, 0), rd("A", 3, -50, 300), rd("A", 1, -50, 100), fl(3000)},
			want:  []string{"A in 4 reads 0-400ms"},
		},
		{
			name:  "reads below the threshold are ignored",
			steps: []step{rd("A", 1, -75, 0), rd("A", 1, -69, 100), rd("A", 3, -68, 300), rd("A", 3, -50, 400), fl(3000)},
			want:  nil,
			stats: func(s gate.Stats) string { return check(s.Weak == 2 && s.OneSided == 1, "2 weak reads, 1 one-sided") },
		},
		{
			name:  "no threshold",
			cfg:   func(c *gate.Config) { c.RSSIThreshold = 0 },
			steps: []step{rd("A", 1, -90, 0), rd("A", 1, -89, 100), rd("A", 3, -88, 300), rd("A", 3, -87, 400), fl(3000)},
			want:  []string{"A in 4 reads 0-400ms"},
		},
		{
			name:  "min reads per side",
			steps: []step{rd("A", 1, -45, 0), rd("A", 3, -45, 300), rd("A", 3, -50, 400), rd("A", 4, -50, 450), fl(3000)},
			want:  nil,
			stats: func(s gate.Stats) string { return check(s.OneSided == 1, "one-sided") },
		},
		{
			name:  "too few reads on both sides",
			steps: []step{rd("A", 1, -45, 0), rd("A", 3, -45, 300), fl(3000)},
			stats: func(s gate.Stats) string { return check(s.TooFew == 1 && s.Tracked == 0, "too few, forgotten") },
		},
		{
			name: "a read's count adds reads",
			steps: []step{rd("A", 1, -45, 0).with(func(r *drivers.TagRead) {
				r.Count, r.FirstSeen = 5, r.FirstSeen.Add(-20*time.Millisecond)
			}), rd("A", 3, -45, 300), rd("A", 3, -50, 400), fl(3000)},
			want: []string{"A in 7 reads -20-400ms"},
		},
		{
			name:  "one-sided ignored by default",
			steps: []step{rd("A", 3, -45, 0), rd("A", 4, -45, 100), rd("B", 1, -45, 0), rd("B", 2, -45, 100), fl(3000)},
			stats: func(s gate.Stats) string { return check(s.OneSided == 2, "2 one-sided") },
		},
		{
			name:  "one-sided inner-in",
			cfg:   func(c *gate.Config) { c.OneSided = gate.OneSidedInnerIn },
			steps: []step{rd("A", 3, -45, 0), rd("A", 4, -45, 100), rd("B", 1, -45, 0), rd("B", 2, -45, 100), fl(3000)},
			want:  []string{"A in 2 reads 0-100ms"},
		},
		{
			name:  "one-sided outer-out",
			cfg:   func(c *gate.Config) { c.OneSided = gate.OneSidedOuterOut },
			steps: []step{rd("A", 3, -45, 0), rd("A", 4, -45, 100), rd("B", 1, -45, 0), rd("B", 2, -45, 100), fl(3000)},
			want:  []string{"B out 2 reads 0-100ms"},
		},
		{
			name:  "one-sided both",
			cfg:   func(c *gate.Config) { c.OneSided = gate.OneSidedBoth },
			steps: []step{rd("A", 3, -45, 0), rd("A", 4, -45, 100), rd("B", 1, -45, 0), rd("B", 2, -45, 100), fl(3000)},
			want:  []string{"A in 2 reads 0-100ms", "B out 2 reads 0-100ms"},
		},
		{
			name:  "both sides at the same moment",
			steps: []step{rd("A", 1, -45, 100), rd("A", 3, -45, 100), rd("A", 2, -50, 0), rd("A", 4, -50, 200), fl(3000)},
			stats: func(s gate.Stats) string { return check(s.Ambiguous == 1, "ambiguous") },
		},
		{
			name: "departure timeout",
			steps: []step{rd("A", 1, -45, 0), rd("A", 1, -45, 100), rd("A", 3, -45, 300), rd("A", 3, -45, 400),
				fl(1000), fl(1899), rd("B", 1, -45, 1800), fl(1900)},
			want: []string{"A in 4 reads 0-400ms"},
			stats: func(s gate.Stats) string {
				return check(s.Tracked == 2 && s.In == 1, "A held off, B in the field")
			},
		},
		{
			name: "hold-off: one pass is one movement",
			steps: []step{rd("A", 1, -45, 0), rd("A", 1, -45, 100), rd("A", 3, -45, 300), rd("A", 3, -45, 400), fl(2000),
				// The forklift backs out and in again within 10 s of the pass.
				rd("A", 3, -45, 5000), rd("A", 3, -45, 5100), rd("A", 1, -45, 5300), rd("A", 1, -45, 5400),
				rd("A", 1, -45, 7000), rd("A", 1, -45, 7100), rd("A", 3, -45, 7300), rd("A", 3, -45, 7400), fl(10000)},
			want:  []string{"A in 4 reads 0-400ms"},
			stats: func(s gate.Stats) string { return check(s.HeldOff == 8, "8 reads held off") },
		},
		{
			name: "after the hold-off a new pass",
			steps: []step{rd("A", 1, -45, 0), rd("A", 1, -45, 100), rd("A", 3, -45, 300), rd("A", 3, -45, 400), fl(2000),
				rd("A", 3, -45, 5000), fl(10399), fl(10400),
				rd("A", 3, -45, 10500), rd("A", 3, -45, 10600), rd("A", 1, -45, 10800), rd("A", 1, -45, 10900), fl(13000)},
			want: []string{"A in 4 reads 0-400ms", "A out 4 reads 10500-10900ms"},
		},
		{
			name: "a read after the departure timeout decides the pass without a Flush",
			cfg:  func(c *gate.Config) { c.HoldOff = -1 },
			steps: []step{rd("A", 1, -45, 0), rd("A", 1, -45, 100), rd("A", 3, -45, 300), rd("A", 3, -45, 400),
				rd("A", 3, -45, 1900), rd("A", 3, -45, 2000), rd("A", 1, -45, 2200), rd("A", 1, -45, 2300), fl(5000)},
			want: []string{"A in 4 reads 0-400ms", "A out 4 reads 1900-2300ms"},
		},
		{
			name: "... and the hold-off still applies",
			steps: []step{rd("A", 1, -45, 0), rd("A", 1, -45, 100), rd("A", 3, -45, 300), rd("A", 3, -45, 400),
				rd("A", 3, -45, 1900), rd("A", 3, -45, 2000), rd("A", 1, -45, 2200), rd("A", 1, -45, 2300), fl(5000)},
			want: []string{"A in 4 reads 0-400ms"},
		},
		{
			// No pass, no hold-off: the tag may still pass for real.
			name: "a tag that came near and went back can pass right after",
			steps: []step{rd("A", 1, -45, 0), rd("A", 1, -45, 100), fl(2000),
				rd("A", 1, -45, 2500), rd("A", 1, -45, 2600), rd("A", 3, -45, 2800), rd("A", 3, -45, 2900), fl(5000)},
			want: []string{"A in 4 reads 2500-2900ms"},
		},
		{
			name: "reads of other readers, unknown antennas, no EPC are ignored",
			steps: []step{
				rd("A", 1, -45, 0).with(func(r *drivers.TagRead) { r.Reader = "dock-2" }),
				rd("A", 5, -45, 0), rd("A", 0, -45, 0), rd("A", 65535, -45, 0),
				rd("", 1, -45, 0),
				rd("A", 3, -45, 300), rd("A", 3, -45, 400), fl(3000)},
			stats: func(s gate.Stats) string {
				return check(s.Reads == 7 && s.OtherReader == 1 && s.UnknownAntenna == 3 && s.NoEPC == 1 && s.OneSided == 1, "ignored reads")
			},
		},
		{
			name:  "interleaved tags",
			steps: []step{rd("A", 1, -45, 0), rd("B", 3, -45, 50), rd("A", 2, -45, 100), rd("B", 4, -45, 150), rd("A", 3, -45, 300), rd("B", 1, -45, 320), rd("A", 4, -45, 400), rd("B", 2, -45, 420), fl(5000)},
			want:  []string{"A in 4 reads 0-400ms", "B out 4 reads 50-420ms"},
		},
		{
			name:  "max tags",
			cfg:   func(c *gate.Config) { c.MaxTags = 2; c.MinReads = 1 },
			steps: []step{rd("A", 1, -45, 0), rd("B", 1, -45, 0), rd("C", 1, -45, 0), rd("A", 3, -45, 300), rd("B", 3, -45, 300), rd("C", 3, -45, 300), fl(3000)},
			want:  []string{"A in 2 reads 0-300ms", "B in 2 reads 0-300ms"},
			stats: func(s gate.Stats) string { return check(s.Dropped == 2, "2 dropped") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := simConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			g := gate.New(cfg)
			var got []string
			for _, s := range tt.steps {
				if s.read != nil {
					g.Add(*s.read)
					continue
				}
				for _, p := range g.Flush(t0.Add(time.Duration(s.flush) * time.Millisecond)) {
					got = append(got, passString(p))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("passes:\n got %q\nwant %q", got, tt.want)
			}
			if tt.stats != nil {
				if msg := tt.stats(g.Stats()); msg != "" {
					t.Errorf("stats %+v: want %s", g.Stats(), msg)
				}
			}
		})
	}
}

func check(ok bool, what string) string {
	if ok {
		return ""
	}
	return what
}

func TestPassOwnsEPCAndTimes(t *testing.T) {
	g := gate.New(simConfig())
	epc := simEPC(7)
	at := t0.In(time.FixedZone("CST", 8*3600))
	for i, port := range []uint16{1, 2, 3, 4} {
		g.Add(drivers.TagRead{Reader: simReader, EPC: epc, Antenna: port, RSSI: -50,
			LastSeen: at.Add(time.Duration(i) * 100 * time.Millisecond), Count: 1})
	}
	epc[0] = 0xff // the reader's buffer is reused
	ps := g.Flush(t0.Add(time.Minute))
	if len(ps) != 1 {
		t.Fatalf("got %d passes", len(ps))
	}
	p := ps[0]
	if got, want := p.EPC, simEPC(7); string(got) != string(want) {
		t.Errorf("EPC %x, want %x", got, want)
	}
	if p.FirstSeen != t0 || p.LastSeen != t0.Add(300*time.Millisecond) || p.FirstSeen.Location() != time.UTC {
		t.Errorf("first %v, last %v: want UTC from a read's LastSeen when FirstSeen is zero", p.FirstSeen, p.LastSeen)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := simConfig()
	tests := []struct {
		name string
		edit func(*gate.Config)
		want string
	}{
		{"valid", func(*gate.Config) {}, ""},
		{"no inner", func(c *gate.Config) { c.Antennas = map[uint16]gate.Role{1: gate.RoleOuter} }, "has 1 outer and 0 inner"},
		{"bad role", func(c *gate.Config) { c.Antennas[5] = gate.Role(9) }, "antenna 5: role 9"},
		{"negative min reads", func(c *gate.Config) { c.MinReads = -1 }, "min reads -1"},
		{"negative departure", func(c *gate.Config) { c.DepartureTimeout = -time.Second }, "departure timeout -1s"},
		{"bad one-sided", func(c *gate.Config) { c.OneSided = 7 }, "one-sided policy 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			c.Antennas = map[uint16]gate.Role{}
			for p, r := range ok.Antennas {
				c.Antennas[p] = r
			}
			tt.edit(&c)
			err := c.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestAddDoesNotAllocate checks the hot path: reads of a tracked tag.
func TestAddDoesNotAllocate(t *testing.T) {
	g := gate.New(simConfig())
	epc := simEPC(1)
	r := drivers.TagRead{Reader: simReader, EPC: epc, Antenna: 1, RSSI: -50, LastSeen: t0, Count: 1}
	g.Add(r)
	allocs := testing.AllocsPerRun(1000, func() {
		r.LastSeen = r.LastSeen.Add(time.Millisecond)
		r.Antenna = r.Antenna%4 + 1
		g.Add(r)
	})
	if allocs != 0 {
		t.Errorf("Add allocates %v times per read of a tracked tag", allocs)
	}
}

// TestPopulation runs 500 tags through the portal in and, a minute later,
// out again: pallets of 50 overlapping, 20 to 50 read attempts per tag
// over four antennas, one in ten read again after its pass, 100
// staging-area tags read below the threshold, 30 shelf tags read by one
// antenna. Exactly one in-pass and one out-pass per
// tag must result, in that order, and nothing for the others.
func TestPopulation(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			reads := simReads(rng, simPopulation(rng, 500, t0, time.Minute), 100, 30)
			g := gate.New(simConfig())
			passes := feed(g, reads, 100*time.Millisecond)
			in, out := map[string]int{}, map[string]int{}
			for _, p := range passes {
				k := string(p.EPC)
				switch p.Direction {
				case gate.In:
					if _, twice := in[k]; twice {
						t.Errorf("%x in twice", p.EPC)
					}
					if _, already := out[k]; already {
						t.Errorf("%x in after out", p.EPC)
					}
					in[k]++
				case gate.Out:
					if _, twice := out[k]; twice {
						t.Errorf("%x out twice", p.EPC)
					}
					out[k]++
				}
			}
			for i := 0; i < 500; i++ {
				k := string(simEPC(i))
				if in[k] != 1 || out[k] != 1 {
					t.Errorf("tag %d: %d in, %d out; want 1 and 1", i, in[k], out[k])
				}
			}
			st := g.Stats()
			if len(in) != 500 || len(out) != 500 || st.In != 500 || st.Out != 500 {
				t.Fatalf("%d tags in, %d out, stats %+v; want 500 and 500", len(in), len(out), st)
			}
			if st.Weak == 0 || st.HeldOff == 0 || st.OneSided+st.TooFew != 30 || st.Ambiguous != 0 || st.Tracked != 0 {
				t.Errorf("stats %+v: want weak reads, reads held off, the 30 strays one-sided or too few, none ambiguous, none tracked", st)
			}
			t.Logf("%d reads: %d weak, %d held off; %d one-sided, %d too few", len(reads), st.Weak, st.HeldOff, st.OneSided, st.TooFew)
		})
	}
}
