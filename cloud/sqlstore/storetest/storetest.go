package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Opener opens n stores on one new, empty database, as n processes would
// (they may be opened concurrently, so their migrations race), and closes
// them when t ends.
type Opener func(t *testing.T, n int) []cloud.Store

// RunStoreTests runs the whole suite against the stores open makes. Most
// subtests share one store, each in its own tenant and with its own
// replicas; the concurrency test opens two stores on a database of its own.
func RunStoreTests(t *testing.T, open Opener) {
	su := &suite{s: open(t, 1)[0], rng: rand.New(rand.NewPCG(1, 2))}
	t.Run("Sequences", su.testSequences)
	t.Run("WrongSite", su.testWrongSite)
	t.Run("Invalid", su.testInvalid)
	t.Run("InvalidContent", su.testInvalidContent)
	t.Run("UnknownKinds", su.testUnknownKinds)
	t.Run("Counts", su.testCounts)
	t.Run("CountConflicts", su.testCountConflicts)
	t.Run("ManyCounts", su.testManyCounts)
	t.Run("EPCLocations", su.testEPCLocations)
	t.Run("EventsAfter", su.testEventsAfter)
	t.Run("ReplicasAndStock", su.testReplicasAndStock)
	t.Run("LargeBatch", su.testLargeBatch)
	t.Run("Conflicts", su.testConflicts)
	t.Run("RandomWorkload", su.testRandomWorkload)
	t.Run("Concurrent", func(t *testing.T) { su.testConcurrent(t, open(t, 2)) })
	t.Run("Master", su.testMaster)
	t.Run("MasterDeviceProfiles", su.testMasterDeviceProfiles)
	t.Run("MasterConcurrent", func(t *testing.T) { su.testMasterConcurrent(t, open(t, 2)) })
}

type suite struct {
	s       cloud.Store
	mu      sync.Mutex
	rng     *rand.Rand
	tenants int
	ids     map[syncproto.ReplicaID]bool
}

// tenant returns a tenant name no other subtest uses.
func (su *suite) tenant() string {
	su.mu.Lock()
	defer su.mu.Unlock()
	su.tenants++
	return fmt.Sprintf("t%03d", su.tenants)
}

// replica returns a new replica with an ID no other subtest uses. IDs are
// random 64-bit, so about half have the top bit set (stored as negative
// integers).
func (su *suite) replica(tenant, site string) *Replica {
	su.mu.Lock()
	defer su.mu.Unlock()
	if su.ids == nil {
		su.ids = make(map[syncproto.ReplicaID]bool)
	}
	for {
		id := syncproto.ReplicaID(su.rng.Uint64())
		if id != 0 && !su.ids[id] {
			su.ids[id] = true
			return NewReplica(id, tenant, site)
		}
	}
}

func (su *suite) apply(tb testing.TB, s cloud.Store, b *syncproto.Batch) cloud.Applied {
	tb.Helper()
	got, err := s.ApplyBatch(context.Background(), b)
	if err != nil {
		tb.Fatalf("apply %s %d..%d: %v", b.Replica, b.From, b.To, err)
	}
	return got
}

// testSequences delivers batches of one replica in table-given orders and
// checks watermark, Inserted, Gap, EventsAfter, Replicas and on-hand after
// each.
func (su *suite) testSequences(t *testing.T) {
	type step struct {
		from, to  uint64
		watermark uint64
		inserted  []uint64
		gap       bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"in order", []step{{1, 3, 3, []uint64{1, 2, 3}, false}, {4, 6, 6, []uint64{4, 5, 6}, false}}},
		{"duplicate", []step{{1, 3, 3, []uint64{1, 2, 3}, false}, {1, 3, 3, nil, false}, {2, 2, 3, nil, false}}},
		{"overlap", []step{{1, 3, 3, []uint64{1, 2, 3}, false}, {2, 5, 5, []uint64{4, 5}, false}}},
		{"gap then filled", []step{
			{4, 6, 0, []uint64{4, 5, 6}, true},
			{1, 2, 2, []uint64{1, 2}, true},
			{3, 3, 6, []uint64{3}, false},
		}},
		{"gap filled by an overlapping resend", []step{
			{5, 6, 0, []uint64{5, 6}, true},
			{1, 3, 3, []uint64{1, 2, 3}, true},
			{2, 4, 6, []uint64{4}, false},
		}},
		{"two gaps", []step{
			{3, 3, 0, []uint64{3}, true},
			{5, 5, 0, []uint64{5}, true},
			{1, 1, 1, []uint64{1}, true},
			{2, 2, 3, []uint64{2}, true},
			{4, 4, 5, []uint64{4}, false},
		}},
		{"duplicate above a gap", []step{
			{4, 5, 0, []uint64{4, 5}, true},
			{4, 5, 0, nil, true},
			{1, 6, 6, []uint64{1, 2, 3, 6}, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tenant := su.tenant()
			r := su.replica(tenant, "s1")
			for i := range 6 {
				r.Move(t, "A", fmt.Sprintf("sku-%d", i%2), "", int64(i+1))
			}
			m := newModel()
			for i, st := range tt.steps {
				what := fmt.Sprintf("step %d (%d..%d)", i, st.from, st.to)
				b := r.Batch(t, st.from, st.to)
				got := su.apply(t, su.s, b)
				want := m.apply(b)
				checkApplied(t, what+" (model)", got, want)
				if got.Watermark != st.watermark || got.Gap != st.gap || !slices.Equal(seqsOf(got.Inserted), st.inserted) {
					t.Errorf("%s: got watermark %d, inserted %v, gap %v; want %d, %v, %v",
						what, got.Watermark, seqsOf(got.Inserted), got.Gap, st.watermark, st.inserted, st.gap)
				}
				evs, err := su.s.EventsAfter(ctx, r.ID, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := seqsOf(evs), seqsOf(r.Events[:st.watermark]); !slices.Equal(g, w) {
					t.Errorf("%s: EventsAfter(0) = %v, want %v", what, g, w)
				}
				reps, err := su.s.Replicas(ctx, tenant, "s1")
				if err != nil {
					t.Fatal(err)
				}
				if len(reps) != 1 || reps[0].Replica != r.ID || reps[0].Watermark != st.watermark || reps[0].MaxSeq != m.max[r.ID] {
					t.Errorf("%s: Replicas = %+v, want %s with watermark %d, max seq %d", what, reps, r.ID, st.watermark, m.max[r.ID])
				}
				checkStock(t, su.s, what, []string{tenant}, WantStock(m.events(), func(syncproto.ReplicaID) string { return tenant }))
			}
		})
	}
}

// testWrongSite sends a replica's batch under another tenant or site: it
// must fail with ErrWrongSite and change nothing.
func (su *suite) testWrongSite(t *testing.T) {
	ctx := context.Background()
	tenant := su.tenant()
	r := su.replica(tenant, "s1")
	for i := range 4 {
		r.Move(t, "A", "sku", "", int64(10+i))
	}
	su.apply(t, su.s, r.Batch(t, 1, 2))
	other := su.tenant()
	tests := []struct {
		name, tenant, site string
		from, to           uint64
	}{
		{"other site", tenant, "s2", 3, 4},
		{"other tenant", other, "s1", 3, 4},
		{"no tenant", "", "s1", 3, 3},
		{"other site, stored seqs", tenant, "s2", 1, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := MustBatch(t, tt.tenant, tt.site, r.ID, r.Events[tt.from-1:tt.to])
			_, err := su.s.ApplyBatch(ctx, b)
			if !errors.Is(err, cloud.ErrWrongSite) {
				t.Fatalf("got error %v, want ErrWrongSite", err)
			}
			reps, err := su.s.Replicas(ctx, tenant, "s1")
			if err != nil {
				t.Fatal(err)
			}
			if len(reps) != 1 || reps[0].Watermark != 2 || reps[0].MaxSeq != 2 {
				t.Errorf("replica after a wrong-site batch: %+v, want watermark 2, max seq 2", reps)
			}
			if reps, _ := su.s.Replicas(ctx, tt.tenant, tt.site); len(reps) != 0 {
				t.Errorf("wrong-site batch made replicas %+v", reps)
			}
			evs, err := su.s.EventsAfter(ctx, r.ID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(seqsOf(evs), []uint64{1, 2}) {
				t.Errorf("events after a wrong-site batch: %v, want [1 2]", seqsOf(evs))
			}
			checkStock(t, su.s, "after wrong-site batch", []string{tenant, other}, []cloud.StockRow{{Tenant: tenant, Site: "s1", Bin: "A", SKU: "sku", Qty: 21}})
		})
	}
}

// testInvalid hands ApplyBatch batches DecodeBatch would not make.
func (su *suite) testInvalid(t *testing.T) {
	ctx := context.Background()
	tenant := su.tenant()
	r := su.replica(tenant, "s1")
	for range 3 {
		r.Move(t, "A", "sku", "", 1)
	}
	valid := r.Batch(t, 1, 3)
	tests := []struct {
		name   string
		mutate func(b *syncproto.Batch) *syncproto.Batch
	}{
		{"nil batch", func(*syncproto.Batch) *syncproto.Batch { return nil }},
		{"replica 0", func(b *syncproto.Batch) *syncproto.Batch {
			b.Replica = 0
			for i := range b.Events {
				b.Events[i].Replica = 0
			}
			return b
		}},
		{"no events", func(b *syncproto.Batch) *syncproto.Batch { b.Events, b.To = nil, 0; return b }},
		{"from 0", func(b *syncproto.Batch) *syncproto.Batch {
			b.From, b.To = 0, 2
			for i := range b.Events {
				b.Events[i].Seq = uint64(i)
			}
			return b
		}},
		{"to does not match", func(b *syncproto.Batch) *syncproto.Batch { b.To = 4; return b }},
		{"event seq does not match", func(b *syncproto.Batch) *syncproto.Batch { b.Events[1].Seq = 7; return b }},
		{"event of another replica", func(b *syncproto.Batch) *syncproto.Batch { b.Events[2].Replica++; return b }},
		{"event of another site", func(b *syncproto.Batch) *syncproto.Batch { b.Events[0].Site = "s9"; return b }},
		{"event without body", func(b *syncproto.Batch) *syncproto.Batch { b.Events[0].Msg = nil; return b }},
		{"bad site", func(b *syncproto.Batch) *syncproto.Batch {
			b.Site = "a/b"
			for i := range b.Events {
				b.Events[i].Site = b.Site
			}
			return b
		}},
		{"seq beyond int64", func(b *syncproto.Batch) *syncproto.Batch {
			b.From, b.To = math.MaxInt64-1, math.MaxInt64+1
			for i := range b.Events {
				b.Events[i].Seq = b.From + uint64(i)
			}
			return b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := *valid
			b.Events = slices.Clone(valid.Events)
			_, err := su.s.ApplyBatch(ctx, tt.mutate(&b))
			if !errors.Is(err, cloud.ErrInvalid) {
				t.Fatalf("got error %v, want ErrInvalid", err)
			}
			if reps, _ := su.s.Replicas(ctx, tenant, ""); len(reps) != 0 {
				t.Errorf("invalid batch made replicas %+v", reps)
			}
		})
	}
	t.Run("then valid", func(t *testing.T) {
		if got := su.apply(t, su.s, valid); got.Watermark != 3 || len(got.Inserted) != 3 {
			t.Errorf("valid batch after invalid ones: %+v", got)
		}
	})
}

// testUnknownKinds stores events this build cannot interpret and returns
// them byte for byte.
func (su *suite) testUnknownKinds(t *testing.T) {
	ctx := context.Background()
	tenant := su.tenant()
	r := su.replica(tenant, "s1")
	r.Move(t, "A", "sku", "", 5)
	r.Unknown(t, []byte("a kind from protocol v9"))
	r.Doc(t, "rcpt-1", "open")
	r.Unknown(t, nil)
	// A movement carrying a field this build does not know: still a
	// movement, and the unknown field survives.
	m := &pb.Event{Body: &pb.Event_Movement{Movement: &pb.Movement{Bin: "A", Sku: "sku", Qty: 2}}}
	m.ProtoReflect().SetUnknown([]byte{0xfa, 0x06, 0x03, 'n', 'e', 'w'}) // field 111, bytes "new"
	r.Add(t, m)
	r.Unknown(t, bytes.Repeat([]byte{0, 0xff}, 300))

	// Unknown kinds alone in a batch, then everything.
	got := su.apply(t, su.s, r.Batch(t, 2, 2))
	if !got.Gap || len(got.Inserted) != 1 || !bytes.Equal(got.Inserted[0].Raw, r.Events[1].Raw) {
		t.Errorf("unknown event alone: %+v", got)
	}
	got = su.apply(t, su.s, r.Batch(t, 1, r.Seq()))
	if got.Watermark != r.Seq() || got.Gap {
		t.Errorf("got watermark %d gap %v, want %d false", got.Watermark, got.Gap, r.Seq())
	}
	evs, err := su.s.EventsAfter(ctx, r.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != len(r.Events) {
		t.Fatalf("EventsAfter returned %d events, want %d", len(evs), len(r.Events))
	}
	for i := range evs {
		g, w := &evs[i], &r.Events[i]
		if g.Replica != w.Replica || g.Seq != w.Seq || g.Site != w.Site || g.HLC != w.HLC || g.Kind() != w.Kind() {
			t.Errorf("event %d: got %s/%d site %q hlc %d kind %s, want %s/%d site %q hlc %d kind %s",
				i, g.Replica, g.Seq, g.Site, g.HLC, g.Kind(), w.Replica, w.Seq, w.Site, w.HLC, w.Kind())
		}
		if !bytes.Equal(g.Raw, w.Raw) {
			t.Errorf("event %d (%s): raw %x, want %x", i, w.Kind(), g.Raw, w.Raw)
		}
		if !proto.Equal(g.Msg, w.Msg) {
			t.Errorf("event %d: decoded body %v, want %v", i, g.Msg, w.Msg)
		}
	}
	checkStock(t, su.s, "unknown kinds", []string{tenant}, []cloud.StockRow{{Tenant: tenant, Site: "s1", Bin: "A", SKU: "sku", Qty: 7}})
}

// testCounts checks count-reset semantics: each case's events are
// delivered in several orders, and on-hand must be the case's want and what
// syncproto.OnHandAll says after every batch.
func (su *suite) testCounts(t *testing.T) {
	const bin = "C-01"
	type reps struct{ a, b, c *Replica } // a.ID < b.ID < c.ID
	tests := []struct {
		name  string
		build func(t *testing.T, r reps)
		want  map[string]int64 // by SKU
	}{
		{"movements only", func(t *testing.T, r reps) {
			r.a.Move(t, bin, "x", "", 10)
			r.b.Move(t, bin, "x", "", -3)
		}, map[string]int64{"x": 7}},
		{"count resets what it saw", func(t *testing.T, r reps) {
			r.a.Move(t, bin, "x", "", 10)
			r.a.Move(t, bin, "x", "", 5)
			r.b.Count(t, bin, "x", "", 7, syncproto.VV{r.a.ID: 1})
		}, map[string]int64{"x": 12}},
		{"count saw everything", func(t *testing.T, r reps) {
			r.a.Move(t, bin, "x", "", 10)
			r.a.Move(t, bin, "x", "", 5)
			r.b.Count(t, bin, "x", "", 7, syncproto.VV{r.a.ID: 2})
		}, map[string]int64{"x": 7}},
		{"concurrent movement kept", func(t *testing.T, r reps) {
			r.a.Move(t, bin, "x", "", 10)
			r.b.Count(t, bin, "x", "", 3, syncproto.VV{r.a.ID: 1})
			r.c.Move(t, bin, "x", "", -2)
		}, map[string]int64{"x": 1}},
		{"own movements in context", func(t *testing.T, r reps) {
			r.a.Move(t, bin, "x", "", 4)
			r.a.Count(t, bin, "x", "", 10, syncproto.VV{r.a.ID: 1})
			r.a.Move(t, bin, "x", "", 1)
		}, map[string]int64{"x": 11}},
		{"conflicting counts, later HLC wins", func(t *testing.T, r reps) {
			r.b.Count(t, bin, "x", "", 9, nil)
			r.c.Clock += 100
			r.c.Count(t, bin, "x", "", 5, nil)
			r.a.Move(t, bin, "x", "", 1)
		}, map[string]int64{"x": 6}},
		{"conflicting counts, equal HLC, greater replica wins", func(t *testing.T, r reps) {
			r.a.Count(t, bin, "x", "", 5, nil)
			r.b.Count(t, bin, "x", "", 9, nil)
			r.c.Move(t, bin, "x", "", 2)
		}, map[string]int64{"x": 11}},
		{"superseded count", func(t *testing.T, r reps) {
			ca := r.a.Count(t, bin, "x", "", 5, nil)
			r.b.Clock = max(r.b.Clock, ca.HLC)
			r.b.Count(t, bin, "x", "", 2, syncproto.VV{r.a.ID: 1})
			r.a.Move(t, bin, "x", "", 3)
		}, map[string]int64{"x": 5}},
		{"superseded loser, then a concurrent later count wins", func(t *testing.T, r reps) {
			ca := r.a.Count(t, bin, "x", "", 5, nil)
			r.b.Clock = max(r.b.Clock, ca.HLC)
			r.b.Count(t, bin, "x", "", 7, syncproto.VV{r.a.ID: 1})
			r.c.Clock += 100
			r.c.Count(t, bin, "x", "", 4, nil)
			r.a.Move(t, bin, "x", "", 2)
		}, map[string]int64{"x": 6}},
		{"count of one key leaves another", func(t *testing.T, r reps) {
			r.a.Move(t, bin, "x", "", 4)
			r.a.Move(t, bin, "y", "", 6)
			r.b.Count(t, bin, "x", "", 1, syncproto.VV{r.a.ID: 2})
			r.b.Move(t, bin, "y", "", 1)
		}, map[string]int64{"x": 1, "y": 7}},
		// Causality decides, clocks only break ties (DESIGN.md §3): a
		// recount that saw a count wins though its clock is hours behind.
		{"recount behind a clock 2 h ahead", func(t *testing.T, r reps) {
			r.a.Clock += syncproto.MakeHLC(2*3600*1000, 0)
			r.a.Move(t, bin, "x", "", 100)
			r.a.Count(t, bin, "x", "", 100, syncproto.VV{r.a.ID: 1})
			r.b.Count(t, bin, "x", "", 7, syncproto.VV{r.a.ID: 2})
			r.a.Move(t, bin, "x", "", -2)
		}, map[string]int64{"x": 5}},
		{"recount behind a clock 48 h ahead", func(t *testing.T, r reps) {
			r.c.Clock += syncproto.MakeHLC(48*3600*1000, 0)
			r.c.Move(t, bin, "x", "", 100)
			r.c.Count(t, bin, "x", "", 100, syncproto.VV{r.c.ID: 1})
			r.a.Count(t, bin, "x", "", 7, syncproto.VV{r.c.ID: 2})
			r.c.Move(t, bin, "x", "", 1)
		}, map[string]int64{"x": 8}},
		{"recount after movements", func(t *testing.T, r reps) {
			r.a.Move(t, bin, "x", "", 20)
			r.a.Count(t, bin, "x", "", 18, syncproto.VV{r.a.ID: 1})
			r.a.Move(t, bin, "x", "", -5)
			r.b.Move(t, bin, "x", "", 3)
			r.a.Count(t, bin, "x", "", 12, syncproto.VV{r.a.ID: 3})
		}, map[string]int64{"x": 15}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 7))
			// Orders: every permutation of one batch per replica, then
			// one event per batch: in order, reversed, and shuffled.
			type order struct {
				name string
				plan func(r reps) []*syncproto.Batch
			}
			perReplica := func(idx [3]int) order {
				return order{fmt.Sprintf("replicas %v", idx), func(r reps) []*syncproto.Batch {
					all := []*Replica{r.a, r.b, r.c}
					var out []*syncproto.Batch
					for _, i := range idx {
						if all[i].Seq() > 0 {
							out = append(out, all[i].Batch(t, 1, all[i].Seq()))
						}
					}
					return out
				}}
			}
			single := func(name string, arrange func([]*syncproto.Batch)) order {
				return order{name, func(r reps) []*syncproto.Batch {
					var out []*syncproto.Batch
					for _, x := range []*Replica{r.a, r.b, r.c} {
						for seq := uint64(1); seq <= x.Seq(); seq++ {
							out = append(out, x.Batch(t, seq, seq))
						}
					}
					arrange(out)
					return out
				}}
			}
			orders := []order{
				perReplica([3]int{0, 1, 2}), perReplica([3]int{0, 2, 1}), perReplica([3]int{1, 0, 2}),
				perReplica([3]int{1, 2, 0}), perReplica([3]int{2, 0, 1}), perReplica([3]int{2, 1, 0}),
				single("one event per batch", func([]*syncproto.Batch) {}),
				single("one event per batch, reversed", slices.Reverse[[]*syncproto.Batch]),
			}
			for i := range 3 {
				orders = append(orders, single(fmt.Sprintf("one event per batch, shuffle %d", i), func(bs []*syncproto.Batch) {
					rng.Shuffle(len(bs), func(i, j int) { bs[i], bs[j] = bs[j], bs[i] })
				}))
			}
			for _, o := range orders {
				tenant := su.tenant()
				rs := []*Replica{su.replica(tenant, "s1"), su.replica(tenant, "s1"), su.replica(tenant, "s1")}
				slices.SortFunc(rs, func(x, y *Replica) int {
					if x.ID < y.ID {
						return -1
					}
					return 1
				})
				r := reps{rs[0], rs[1], rs[2]}
				tt.build(t, r)
				m := newModel()
				tenantOf := func(syncproto.ReplicaID) string { return tenant }
				for _, b := range o.plan(r) {
					got := su.apply(t, su.s, b)
					checkApplied(t, o.name, got, m.apply(b))
					checkStock(t, su.s, fmt.Sprintf("%s, after %s %d..%d", o.name, b.Replica, b.From, b.To), []string{tenant}, WantStock(m.events(), tenantOf))
				}
				var want []cloud.StockRow
				for sku, qty := range tt.want {
					want = append(want, cloud.StockRow{Tenant: tenant, Site: "s1", Bin: bin, SKU: sku, Qty: qty})
				}
				SortStock(want)
				checkStock(t, su.s, o.name+", the case's want", []string{tenant}, want)
				checkStock(t, su.s, o.name+", OnHandAll", []string{tenant}, WantStock(slices.Concat(r.a.Events, r.b.Events, r.c.Events), tenantOf))
				if o.name == orders[0].name {
					if err := su.s.RebuildOnHand(context.Background()); err != nil {
						t.Fatal(err)
					}
					checkStock(t, su.s, o.name+", rebuilt", []string{tenant}, want)
				}
			}
		})
	}
}

// testEventsAfter reads a replica's events with after, limit and a gap.
func (su *suite) testEventsAfter(t *testing.T) {
	ctx := context.Background()
	tenant := su.tenant()
	r := su.replica(tenant, "s1")
	for i := range 6 {
		r.Move(t, "A", "sku", "", int64(i))
	}
	su.apply(t, su.s, r.Batch(t, 1, 3))
	su.apply(t, su.s, r.Batch(t, 5, 6))
	tests := []struct {
		name    string
		replica syncproto.ReplicaID
		after   uint64
		limit   int
		want    []uint64
		wantErr error
	}{
		{"from the start, up to the gap", r.ID, 0, 10, []uint64{1, 2, 3}, nil},
		{"limit", r.ID, 0, 2, []uint64{1, 2}, nil},
		{"after and limit", r.ID, 1, 1, []uint64{2}, nil},
		{"at the gap", r.ID, 3, 10, nil, nil},
		{"above the gap", r.ID, 4, 10, []uint64{5, 6}, nil},
		{"after the last", r.ID, 6, 10, nil, nil},
		{"huge after", r.ID, math.MaxUint64, 10, nil, nil},
		{"unknown replica", r.ID + 1, 0, 10, nil, nil},
		{"limit 0", r.ID, 0, 0, nil, cloud.ErrInvalid},
		{"replica 0", 0, 0, 10, nil, cloud.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := su.s.EventsAfter(ctx, tt.replica, tt.after, tt.limit)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(seqsOf(got), tt.want) {
				t.Errorf("got seqs %v, want %v", seqsOf(got), tt.want)
			}
			for _, e := range got {
				w := r.Events[e.Seq-1]
				if e.Replica != w.Replica || e.Site != w.Site || e.HLC != w.HLC || !bytes.Equal(e.Raw, w.Raw) {
					t.Errorf("event %d differs from what was sent", e.Seq)
				}
			}
		})
	}
}

// testReplicasAndStock lists replicas and stock with filters.
func (su *suite) testReplicasAndStock(t *testing.T) {
	ctx := context.Background()
	ta, tb := su.tenant(), su.tenant()
	// IDs on both sides of the top bit, to check the unsigned sort.
	// Four IDs that share all bits but the top one and the last byte.
	base := su.replica(ta, "unused").ID &^ (1 << 63) &^ 0xff
	rs := []*Replica{
		NewReplica(base|1<<63|1, ta, "s1"), NewReplica(base|2, ta, "s1"), NewReplica(base|3, ta, "s2"), NewReplica(base|1<<63|4, tb, "s1"),
	}
	var all []syncproto.Event
	for i, r := range rs {
		r.Move(t, "A", "p", "", int64(i+1))
		r.Move(t, "B", "q", "L1", int64(10*(i+1)))
		if i%2 == 0 {
			r.Move(t, "A", "q", "", -1)
		}
		su.apply(t, su.s, r.Batch(t, 1, r.Seq()))
		all = append(all, r.Events...)
	}
	tenantOf := func(id syncproto.ReplicaID) string {
		for _, r := range rs {
			if r.ID == id {
				return r.Tenant
			}
		}
		return ""
	}
	t.Run("Replicas", func(t *testing.T) {
		tests := []struct {
			tenant, site string
			want         []*Replica
		}{
			{ta, "s1", []*Replica{rs[1], rs[0]}},
			{ta, "s2", []*Replica{rs[2]}},
			{ta, "", []*Replica{rs[1], rs[0], rs[2]}},
			{tb, "s1", []*Replica{rs[3]}},
			{tb, "s2", nil},
		}
		for _, tt := range tests {
			got, err := su.s.Replicas(ctx, tt.tenant, tt.site)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("Replicas(%q, %q): got %d replicas, want %d", tt.tenant, tt.site, len(got), len(tt.want))
				continue
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Replica != w.ID || g.ID != w.ID.String() || g.Tenant != w.Tenant || g.Site != w.Site ||
					g.Watermark != w.Seq() || g.MaxSeq != w.Seq() || g.FirstSeen.IsZero() || g.LastSeen.Before(g.FirstSeen) {
					t.Errorf("Replicas(%q, %q)[%d] = %+v, want %s of %s/%s at %d", tt.tenant, tt.site, i, g, w.ID, w.Tenant, w.Site, w.Seq())
				}
			}
		}
		every, err := su.s.Replicas(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSortedFunc(every, func(a, b cloud.ReplicaInfo) int {
			if a.Tenant != b.Tenant || a.Site != b.Site {
				return cmpStr(a.Tenant+"/"+a.Site, b.Tenant+"/"+b.Site)
			}
			if a.Replica < b.Replica {
				return -1
			}
			return 1
		}) {
			t.Errorf("Replicas(\"\", \"\") is not sorted by tenant, site, replica")
		}
		n := 0
		for _, r := range every {
			if r.Tenant == ta || r.Tenant == tb {
				n++
			}
		}
		if n != len(rs) {
			t.Errorf("Replicas(\"\", \"\") has %d of the test's %d replicas", n, len(rs))
		}
	})
	t.Run("Stock", func(t *testing.T) {
		want := WantStock(all, tenantOf)
		tests := []struct {
			name  string
			f     cloud.StockFilter
			match func(cloud.StockRow) bool
		}{
			{"tenant", cloud.StockFilter{Tenant: ta}, func(r cloud.StockRow) bool { return r.Tenant == ta }},
			{"site", cloud.StockFilter{Tenant: ta, Site: "s2"}, func(r cloud.StockRow) bool { return r.Tenant == ta && r.Site == "s2" }},
			{"sku", cloud.StockFilter{Tenant: tb, SKU: "q"}, func(r cloud.StockRow) bool { return r.Tenant == tb && r.SKU == "q" }},
			{"bin", cloud.StockFilter{Tenant: ta, Bin: "B"}, func(r cloud.StockRow) bool { return r.Tenant == ta && r.Bin == "B" }},
			{"all four", cloud.StockFilter{Tenant: ta, Site: "s1", Bin: "A", SKU: "p"}, func(r cloud.StockRow) bool {
				return r.Tenant == ta && r.Site == "s1" && r.Bin == "A" && r.SKU == "p"
			}},
		}
		for _, tt := range tests {
			got, err := su.s.Stock(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var w []cloud.StockRow
			for _, r := range want {
				if tt.match(r) {
					w = append(w, r)
				}
			}
			diffStock(t, tt.name, got, w)
		}
	})
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// testLargeBatch applies one batch of several thousand events, more than
// fit one statement's parameters if a store bound one value per parameter.
func (su *suite) testLargeBatch(t *testing.T) {
	tenant := su.tenant()
	r := su.replica(tenant, "s1")
	b := MovementBatch(t, tenant, "s1", r.ID, 1, 5000, 250)
	got := su.apply(t, su.s, b)
	if got.Watermark != 5000 || got.Gap || len(got.Inserted) != 5000 {
		t.Errorf("got watermark %d gap %v with %d inserted, want 5000 false 5000", got.Watermark, got.Gap, len(got.Inserted))
	}
	again := su.apply(t, su.s, MovementBatch(t, tenant, "s1", r.ID, 4001, 1000, 250))
	if again.Watermark != 5000 || len(again.Inserted) != 0 {
		t.Errorf("resend: got watermark %d with %d inserted, want 5000 and none", again.Watermark, len(again.Inserted))
	}
	checkStock(t, su.s, "large batch", []string{tenant}, WantStock(b.Events, func(syncproto.ReplicaID) string { return tenant }))
}

// testRandomWorkload delivers randomized histories in random batch orders
// with duplicates and overlapping resends; after every batch the result
// must match the model, on-hand must match syncproto.OnHandAll over the
// stored events, and RebuildOnHand must give the same.
func (su *suite) testRandomWorkload(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			ctx := context.Background()
			ta, tb := su.tenant(), su.tenant()
			w := newWorkload(t, su, seed, []siteSpec{{ta, "s1", 3}, {ta, "s2", 1}, {tb, "s1", 2}}, 400)
			m := newModel()
			tenantOf := func(id syncproto.ReplicaID) string { return w.tenantOf[id] }
			plan := w.deliveries(t, 12)
			for i, b := range plan {
				what := fmt.Sprintf("batch %d: %s %d..%d", i, b.Replica, b.From, b.To)
				checkApplied(t, what, su.apply(t, su.s, b), m.apply(b))
				if i%5 == 0 {
					checkStock(t, su.s, what, []string{ta, tb}, WantStock(m.events(), tenantOf))
				}
				if t.Failed() {
					t.FailNow()
				}
			}
			want := WantStock(w.all(), tenantOf)
			checkStock(t, su.s, "incremental", []string{ta, tb}, want)
			if err := su.s.RebuildOnHand(ctx); err != nil {
				t.Fatal(err)
			}
			checkStock(t, su.s, "rebuilt", []string{ta, tb}, want)
			su.checkComplete(t, su.s, w)
		})
	}
}

// checkComplete checks that every replica of w is stored whole: watermark
// and max seq at its last seq, EventsAfter returning all of it.
func (su *suite) checkComplete(t *testing.T, s cloud.Store, w *workload) {
	t.Helper()
	ctx := context.Background()
	for _, r := range w.replicas {
		reps, err := s.Replicas(ctx, r.Tenant, r.Site)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(reps, func(x cloud.ReplicaInfo) bool { return x.Replica == r.ID })
		if r.Seq() == 0 {
			continue
		}
		if i < 0 || reps[i].Watermark != r.Seq() || reps[i].MaxSeq != r.Seq() {
			t.Errorf("replica %s: %+v, want watermark and max seq %d", r.ID, reps, r.Seq())
			continue
		}
		evs, err := s.EventsAfter(ctx, r.ID, 0, int(r.Seq())+10)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != len(r.Events) {
			t.Errorf("replica %s: EventsAfter returned %d events, want %d", r.ID, len(evs), len(r.Events))
			continue
		}
		for j := range evs {
			if !bytes.Equal(evs[j].Raw, r.Events[j].Raw) || evs[j].Seq != r.Events[j].Seq {
				t.Errorf("replica %s: event %d differs", r.ID, j+1)
			}
		}
	}
}

// testConcurrent applies a workload's batches, each duplicate copy next to
// its original, from several goroutines over two stores on one database (two
// processes), with rebuilds in between. Every event must be inserted exactly
// once over all the Applied results, and the end state must be the pure
// function's.
func (su *suite) testConcurrent(t *testing.T, stores []cloud.Store) {
	ctx := context.Background()
	ta, tb := su.tenant(), su.tenant()
	w := newWorkload(t, su, 42, []siteSpec{{ta, "s1", 4}, {tb, "s1", 1}}, 1500)
	plan := w.deliveries(t, 30)
	// Three rebuilds at a quarter, half and three quarters of the way.
	rebuildAt := map[int]bool{len(plan) / 4: true, len(plan) / 2: true, 3 * len(plan) / 4: true}

	const workers = 4
	results := make([]cloud.Applied, len(plan))
	var next atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[g%len(stores)]
			for {
				i := int(next.Add(1)) - 1
				if i >= len(plan) {
					return
				}
				if rebuildAt[i] {
					if err := s.RebuildOnHand(ctx); err != nil {
						t.Errorf("rebuild: %v", err)
					}
				}
				got, err := s.ApplyBatch(ctx, plan[i])
				if err != nil {
					t.Errorf("apply %d: %v", i, err)
					return
				}
				results[i] = got
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	inserted := make(map[[2]uint64]int)
	watermark := make(map[syncproto.ReplicaID]uint64)
	for i, a := range results {
		for _, e := range a.Inserted {
			inserted[[2]uint64{uint64(e.Replica), e.Seq}]++
		}
		watermark[plan[i].Replica] = max(watermark[plan[i].Replica], a.Watermark)
	}
	for _, r := range w.replicas {
		for _, e := range r.Events {
			if n := inserted[[2]uint64{uint64(e.Replica), e.Seq}]; n != 1 {
				t.Errorf("event %s/%d inserted %d times, want once", e.Replica, e.Seq, n)
			}
		}
		if r.Seq() > 0 && watermark[r.ID] != r.Seq() {
			t.Errorf("replica %s: highest returned watermark %d, want %d", r.ID, watermark[r.ID], r.Seq())
		}
	}
	if len(inserted) != len(w.all()) {
		t.Errorf("inserted %d distinct events, want %d", len(inserted), len(w.all()))
	}
	tenantOf := func(id syncproto.ReplicaID) string { return w.tenantOf[id] }
	want := WantStock(w.all(), tenantOf)
	for i, s := range stores {
		checkStock(t, s, fmt.Sprintf("store %d, incremental", i), []string{ta, tb}, want)
		su.checkComplete(t, s, w)
	}
	if err := stores[0].RebuildOnHand(ctx); err != nil {
		t.Fatal(err)
	}
	checkStock(t, stores[1], "rebuilt", []string{ta, tb}, want)
}
