package syncproto_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// This file checks the merge rules of DESIGN.md §3. The property tests run
// them on simulated histories: replicas write events with their own HLC
// clocks and now and then learn a prefix of another replica's log, so each
// count carries the version vector its replica really had, and every HLC is
// greater than everything its replica had seen.

// SimReplica is one simulated agent.
type SimReplica struct {
	ID    syncproto.ReplicaID
	Site  string
	Clock *syncproto.Clock
	// Log is what this replica wrote; Log[i] has seq i+1.
	Log []syncproto.Event
	// Seen is the prefix of every replica's log this one has applied,
	// its own included.
	Seen syncproto.VV
}

// Sim is a simulated set of replicas sharing one wall clock.
type Sim struct {
	t        fataler
	wall     time.Time
	Replicas []*SimReplica
	// Events is every event written, in the order written.
	Events []syncproto.Event
}

// NewSim returns replicas with the given IDs and sites. Replica i's wall
// clock is off from the shared one by skewMS[i] milliseconds.
func NewSim(t fataler, ids []syncproto.ReplicaID, sites []string, skewMS []int64) *Sim {
	s := &Sim{t: t, wall: t0}
	for i, id := range ids {
		skew := time.Duration(skewMS[i]) * time.Millisecond
		c := syncproto.NewClock(0)
		c.Now = func() time.Time { return s.wall.Add(skew) }
		s.Replicas = append(s.Replicas, &SimReplica{ID: id, Site: sites[i], Clock: c, Seen: syncproto.VV{}})
	}
	return s
}

// Advance moves the shared wall clock on by ms milliseconds.
func (s *Sim) Advance(ms int) { s.wall = s.wall.Add(time.Duration(ms) * time.Millisecond) }

// Write appends an event with body to r's log, stamped by r's clock.
func (s *Sim) Write(r *SimReplica, body *pb.Event) syncproto.Event {
	s.t.Helper()
	seq := uint64(len(r.Log)) + 1
	e := MustEvent(s.t, r.ID, seq, r.Clock.Tick(), r.Site, body)
	r.Log = append(r.Log, e)
	r.Seen[r.ID] = seq
	s.Events = append(s.Events, e)
	return e
}

// WriteRaw appends an event of a kind this build does not know.
func (s *Sim) WriteRaw(r *SimReplica) syncproto.Event {
	s.t.Helper()
	seq := uint64(len(r.Log)) + 1
	e, err := syncproto.DecodeEvent(r.ID, seq, r.Site, FutureEvent(s.t, r.Clock.Tick(), 20, []byte("future")))
	if err != nil {
		s.t.Fatalf("decode future event: %v", err)
	}
	r.Log = append(r.Log, e)
	r.Seen[r.ID] = seq
	s.Events = append(s.Events, e)
	return e
}

// Move writes a movement of key by r.
func (s *Sim) Move(r *SimReplica, k syncproto.Key, qty int64) syncproto.Event {
	return s.Write(r, Move(k.Bin, k.SKU, k.Lot, qty))
}

// Count writes a count of key by r, with what r has seen as its context.
func (s *Sim) Count(r *SimReplica, k syncproto.Key, counted int64) syncproto.Event {
	return s.Write(r, Count(k.Bin, k.SKU, k.Lot, counted, maps.Clone(r.Seen)))
}

// Learn makes r apply q's log up to seq upto, in seq order.
func (s *Sim) Learn(r, q *SimReplica, upto uint64) {
	for seq := r.Seen[q.ID] + 1; seq <= upto; seq++ {
		r.Clock.Observe(q.Log[seq-1].HLC)
		r.Seen[q.ID] = seq
	}
}

// SyncFrom makes r learn everything q has seen (a sync through the cloud).
func (s *Sim) SyncFrom(r, q *SimReplica) {
	for _, p := range s.Replicas {
		s.Learn(r, p, max(r.Seen[p.ID], q.Seen[p.ID]))
	}
}

// SyncAll makes r learn every event written so far.
func (s *Sim) SyncAll(r *SimReplica) {
	for _, p := range s.Replicas {
		s.Learn(r, p, uint64(len(p.Log)))
	}
}

// The small world the simulated replicas work in.
var (
	simSites  = []string{"store-1", "store-2"}
	simBins   = []string{"A-01", "B-02"}
	simSKUs   = []string{"SKU-1", "SKU-2"}
	simLots   = []string{"", "L1"}
	simEPCs   = []string{"E1", "E2"}
	simDocs   = []string{"D1", "D2"}
	simStatus = []string{"open", "closed", "cancelled"}
)

// SimOpts shapes a generated history.
type SimOpts struct {
	NoCounts bool // write no counts
	OneSite  bool // put every replica in one site
}

// DrawSim draws replicas and a history of events for them.
func DrawSim(t *rapid.T, opts SimOpts) *Sim {
	n := rapid.IntRange(2, 4).Draw(t, "replicas")
	ids := rapid.SliceOfNDistinct(rapid.Uint64Min(1), n, n, rapid.ID[uint64]).Draw(t, "ids")
	var rids []syncproto.ReplicaID
	var sites []string
	var skews []int64
	for i := range n {
		rids = append(rids, syncproto.ReplicaID(ids[i]))
		site := simSites[0]
		if !opts.OneSite {
			site = rapid.SampledFrom(simSites).Draw(t, "site")
		}
		sites = append(sites, site)
		skews = append(skews, rapid.Int64Range(-3, 3).Draw(t, "skew"))
	}
	s := NewSim(t, rids, sites, skews)
	steps := rapid.IntRange(0, 60).Draw(t, "steps")
	for range steps {
		// Small steps of the wall clock: replicas often write in the same
		// millisecond, so logical counters and equal HLCs across replicas occur.
		s.Advance(rapid.IntRange(0, 2).Draw(t, "tick"))
		r := s.Replicas[rapid.IntRange(0, n-1).Draw(t, "replica")]
		switch action := rapid.IntRange(0, 12).Draw(t, "action"); {
		case action <= 3:
			s.Move(r, DrawKey(t, r.Site), rapid.Int64Range(-20, 20).Draw(t, "qty"))
		case action <= 5:
			qty := rapid.SampledFrom([]int64{-1, 1}).Draw(t, "epc qty")
			s.Write(r, MoveEPC(rapid.SampledFrom(simBins).Draw(t, "bin"), "SKU-1", rapid.SampledFrom(simEPCs).Draw(t, "epc"), qty))
		case action <= 7:
			if !opts.NoCounts {
				s.Count(r, DrawKey(t, r.Site), rapid.Int64Range(0, 50).Draw(t, "counted"))
			}
		case action == 8:
			s.Write(r, Doc(rapid.SampledFrom(simDocs).Draw(t, "doc"), "receipt", rapid.SampledFrom(simStatus).Draw(t, "status")))
		case action == 9:
			s.WriteRaw(r)
		case action <= 11:
			q := s.Replicas[rapid.IntRange(0, n-1).Draw(t, "from")]
			upto := rapid.Uint64Range(r.Seen[q.ID], uint64(len(q.Log))).Draw(t, "upto")
			s.Learn(r, q, upto)
		default:
			s.SyncFrom(r, s.Replicas[rapid.IntRange(0, n-1).Draw(t, "from")])
		}
	}
	return s
}

// DrawKey draws a stock key of site.
func DrawKey(t *rapid.T, site string) syncproto.Key {
	return syncproto.Key{
		Site: site,
		Bin:  rapid.SampledFrom(simBins).Draw(t, "bin"),
		SKU:  rapid.SampledFrom(simSKUs).Draw(t, "sku"),
		Lot:  rapid.SampledFrom(simLots).Draw(t, "lot"),
	}
}

// CountView is MergeCounts' answer for one key, by event identity.
type CountView struct {
	Winner    EventKey
	Conflicts []EventKey
}

// View is everything the merge rules derive from a set of events.
type View struct {
	OnHand map[syncproto.Key]int64
	Counts map[syncproto.Key]CountView
	EPCs   map[string]syncproto.Location
	Docs   map[string]syncproto.DocState
}

// ViewOf applies every merge rule to events.
func ViewOf(events []syncproto.Event) View {
	byKey := make(map[syncproto.Key][]syncproto.Event)
	for _, e := range events {
		if k, ok := e.KeyOf(); ok && e.Kind() == syncproto.KindCount {
			byKey[k] = append(byKey[k], e)
		}
	}
	counts := make(map[syncproto.Key]CountView, len(byKey))
	for k, cs := range byKey {
		out := syncproto.MergeCounts(cs)
		var v CountView
		if out.Winner != nil {
			v.Winner = KeyOfEvent(*out.Winner)
		}
		for _, c := range out.Conflicts {
			v.Conflicts = append(v.Conflicts, KeyOfEvent(c))
		}
		counts[k] = v
	}
	return View{
		OnHand: syncproto.OnHandAll(events),
		Counts: counts,
		EPCs:   syncproto.EPCLocations(events),
		Docs:   syncproto.DocStatuses(events),
	}
}

// CheckSameView fails t unless got and want are the same view.
func CheckSameView(t *rapid.T, got, want View) {
	t.Helper()
	if !maps.Equal(got.OnHand, want.OnHand) {
		t.Fatalf("OnHandAll = %v, want %v", got.OnHand, want.OnHand)
	}
	if !reflect.DeepEqual(got.Counts, want.Counts) {
		t.Fatalf("MergeCounts = %v, want %v", got.Counts, want.Counts)
	}
	if !maps.Equal(got.EPCs, want.EPCs) {
		t.Fatalf("EPCLocations = %v, want %v", got.EPCs, want.EPCs)
	}
	if !maps.Equal(got.Docs, want.Docs) {
		t.Fatalf("DocStatuses = %v, want %v", got.Docs, want.Docs)
	}
}

func TestMergeIgnoresDeliveryOrder(t *testing.T) {
	t.Run("permutation", rapid.MakeCheck(func(t *rapid.T) {
		events := DrawSim(t, SimOpts{}).Events
		want := ViewOf(events)
		got := ViewOf(rapid.Permutation(events).Draw(t, "order"))
		CheckSameView(t, got, want)
	}))
	t.Run("duplication", rapid.MakeCheck(func(t *rapid.T) {
		events := DrawSim(t, SimOpts{}).Events
		want := ViewOf(events)
		var delivered []syncproto.Event
		for _, e := range events {
			for range rapid.IntRange(1, 3).Draw(t, "copies") {
				delivered = append(delivered, e)
			}
		}
		got := ViewOf(rapid.Permutation(delivered).Draw(t, "order"))
		CheckSameView(t, got, want)
	}))
	t.Run("partition", rapid.MakeCheck(func(t *rapid.T) {
		events := DrawSim(t, SimOpts{}).Events
		want := ViewOf(events)
		// Split the set into parts (an event may land in more than one, as
		// when two ledgers both hold it), then merge the parts pairwise in
		// any order by set union until one is left.
		parts := make([][]syncproto.Event, rapid.IntRange(1, 5).Draw(t, "parts"))
		for _, e := range events {
			i := rapid.IntRange(0, len(parts)-1).Draw(t, "part")
			parts[i] = append(parts[i], e)
			if rapid.IntRange(0, 4).Draw(t, "also elsewhere") == 0 {
				j := rapid.IntRange(0, len(parts)-1).Draw(t, "other part")
				parts[j] = append(parts[j], e)
			}
		}
		for len(parts) > 1 {
			i := rapid.IntRange(0, len(parts)-1).Draw(t, "merge")
			j := rapid.IntRange(0, len(parts)-2).Draw(t, "into")
			a := parts[i]
			parts = slices.Delete(parts, i, i+1)
			parts[j] = syncproto.Dedup(append(slices.Clone(parts[j]), a...))
		}
		got := ViewOf(parts[0])
		CheckSameView(t, got, want)
	}))
}

func TestMergeRulesOnSimulatedHistories(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := DrawSim(t, SimOpts{})
		events := s.Events
		counts := make(map[syncproto.Key][]syncproto.Event)
		moves := make(map[syncproto.Key][]syncproto.Event)
		for _, e := range events {
			k, ok := e.KeyOf()
			switch {
			case !ok:
			case e.Kind() == syncproto.KindCount:
				counts[k] = append(counts[k], e)
			default:
				moves[k] = append(moves[k], e)
			}
		}
		byID := make(map[EventKey]syncproto.Event, len(events))
		for _, e := range events {
			byID[KeyOfEvent(e)] = e
		}

		// The simulation itself keeps the HLC rule: a count's HLC is after
		// every event in its context.
		for _, cs := range counts {
			for _, c := range cs {
				for r, upto := range c.CountContext() {
					for seq := uint64(1); seq <= upto; seq++ {
						if seen := byID[EventKey{r, seq}]; seen.HLC >= c.HLC {
							t.Fatalf("count %v/%d at %v has seen %v/%d at %v", c.Replica, c.Seq, c.HLC, r, seq, seen.HLC)
						}
					}
				}
			}
		}

		onHand := syncproto.OnHandAll(events)
		for k, cs := range counts {
			out := syncproto.MergeCounts(cs)
			if out.Winner == nil {
				t.Fatalf("%v: %d counts and no winner", k, len(cs))
			}
			// Live counts are exactly those in no other count's context.
			var live []EventKey
			for _, c := range cs {
				superseded := false
				for _, d := range cs {
					if d.CountContext().Contains(c.Replica, c.Seq) {
						superseded = true
					}
				}
				if !superseded {
					live = append(live, KeyOfEvent(c))
				}
			}
			gotLive := []EventKey{KeyOfEvent(*out.Winner)}
			for _, c := range out.Conflicts {
				if !syncproto.Later(out.Winner, &c) {
					t.Fatalf("%v: winner %v/%d at %v is not later than conflict %v/%d at %v",
						k, out.Winner.Replica, out.Winner.Seq, out.Winner.HLC, c.Replica, c.Seq, c.HLC)
				}
				gotLive = append(gotLive, KeyOfEvent(c))
			}
			sortKeys(live)
			sortKeys(gotLive)
			if !slices.Equal(gotLive, live) {
				t.Fatalf("%v: winner and conflicts %v, want the counts no other count saw %v", k, gotLive, live)
			}
			// On-hand is the winner plus the movements it had not seen.
			want := out.Winner.Msg.GetCount().GetCounted()
			ctx := out.Winner.CountContext()
			for _, m := range moves[k] {
				if !ctx.Contains(m.Replica, m.Seq) {
					want += m.Msg.GetMovement().GetQty()
				}
			}
			if onHand[k] != want {
				t.Fatalf("OnHand(%v) = %d, want %d", k, onHand[k], want)
			}
		}
	})
}

func sortKeys(ks []EventKey) {
	slices.SortFunc(ks, func(a, b EventKey) int {
		if a.Replica != b.Replica {
			return cmpUint(uint64(a.Replica), uint64(b.Replica))
		}
		return cmpUint(a.Seq, b.Seq)
	})
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestOnHandWithoutCountsIsSumOfDeltas(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		events := DrawSim(t, SimOpts{NoCounts: true}).Events
		want := make(map[syncproto.Key]int64)
		for _, e := range events {
			if k, ok := e.KeyOf(); ok {
				want[k] += e.Msg.GetMovement().GetQty()
			}
		}
		if got := syncproto.OnHandAll(events); !maps.Equal(got, want) {
			t.Fatalf("OnHandAll = %v, want %v", got, want)
		}
	})
}

func TestCountResetsOnHand(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := DrawSim(t, SimOpts{OneSite: true})
		r := s.Replicas[rapid.IntRange(0, len(s.Replicas)-1).Draw(t, "counter")]
		k := DrawKey(t, r.Site)
		counted := rapid.Int64Range(0, 100).Draw(t, "counted")

		// r has seen everything when it counts, and nothing moves after.
		s.Advance(1)
		s.SyncAll(r)
		c := s.Count(r, k, counted)
		if got := syncproto.OnHand(s.Events, k); got != counted {
			t.Fatalf("OnHand right after a count of %d by a replica that saw everything = %d", counted, got)
		}
		out := syncproto.MergeCounts(CountsOf(s.Events, k))
		if out.Winner == nil || KeyOfEvent(*out.Winner) != KeyOfEvent(c) || len(out.Conflicts) != 0 {
			t.Fatalf("MergeCounts = %+v, want the new count %v/%d alone", out, c.Replica, c.Seq)
		}

		// Movements the count did not see, by any replica, land on top of it.
		want := counted
		for range rapid.IntRange(0, 10).Draw(t, "later moves") {
			s.Advance(rapid.IntRange(0, 2).Draw(t, "tick"))
			q := s.Replicas[rapid.IntRange(0, len(s.Replicas)-1).Draw(t, "mover")]
			key := k
			if !rapid.Bool().Draw(t, "same key") {
				key = DrawKey(t, q.Site)
			}
			qty := rapid.Int64Range(-20, 20).Draw(t, "qty")
			s.Move(q, key, qty)
			if key == k {
				want += qty
			}
			if rapid.Bool().Draw(t, "sync") {
				s.SyncFrom(q, s.Replicas[rapid.IntRange(0, len(s.Replicas)-1).Draw(t, "from")])
			}
		}
		if got := syncproto.OnHand(s.Events, k); got != want {
			t.Fatalf("OnHand = %d, want count %d + later moves = %d", got, counted, want)
		}
	})
}

func TestConcurrentCounts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := DrawSim(t, SimOpts{OneSite: true})
		i := rapid.IntRange(0, len(s.Replicas)-1).Draw(t, "a")
		j := rapid.IntRange(0, len(s.Replicas)-2).Draw(t, "b")
		if j >= i {
			j++
		}
		a, b := s.Replicas[i], s.Replicas[j]
		k := DrawKey(t, a.Site)

		// Both have seen everything before, neither sees the other's count.
		s.SyncAll(a)
		s.SyncAll(b)
		s.Advance(rapid.IntRange(0, 1).Draw(t, "tick"))
		ca := s.Count(a, k, rapid.Int64Range(0, 100).Draw(t, "counted a"))
		cb := s.Count(b, k, rapid.Int64Range(0, 100).Draw(t, "counted b"))
		win, lose := ca, cb
		if syncproto.Later(&cb, &ca) {
			win, lose = cb, ca
		}
		out := syncproto.MergeCounts(CountsOf(s.Events, k))
		if out.Winner == nil || KeyOfEvent(*out.Winner) != KeyOfEvent(win) {
			t.Fatalf("winner = %+v, want %v/%d (hlc %v over %v)", out.Winner, win.Replica, win.Seq, win.HLC, lose.HLC)
		}
		if len(out.Conflicts) != 1 || KeyOfEvent(out.Conflicts[0]) != KeyOfEvent(lose) {
			t.Fatalf("conflicts = %v, want only %v/%d", out.Conflicts, lose.Replica, lose.Seq)
		}
		if got, want := syncproto.OnHand(s.Events, k), win.Msg.GetCount().GetCounted(); got != want {
			t.Fatalf("OnHand = %d, want the winner's %d", got, want)
		}

		// A replica that has seen both counts and counts again supersedes both.
		c := s.Replicas[rapid.IntRange(0, len(s.Replicas)-1).Draw(t, "c")]
		s.SyncAll(c)
		cc := s.Count(c, k, 7)
		out = syncproto.MergeCounts(CountsOf(s.Events, k))
		if out.Winner == nil || KeyOfEvent(*out.Winner) != KeyOfEvent(cc) || len(out.Conflicts) != 0 {
			t.Fatalf("MergeCounts = %+v, want %v/%d alone", out, cc.Replica, cc.Seq)
		}
	})
}

// CountsOf returns the counts of key k among events.
func CountsOf(events []syncproto.Event, k syncproto.Key) []syncproto.Event {
	var out []syncproto.Event
	for _, e := range events {
		if got, ok := e.KeyOf(); ok && got == k && e.Kind() == syncproto.KindCount {
			out = append(out, e)
		}
	}
	return out
}

// The examples below spell out each rule on a handful of events.

const (
	ra syncproto.ReplicaID = 0xa
	rb syncproto.ReplicaID = 0xb
	rc syncproto.ReplicaID = 0xc
)

var keyA = syncproto.Key{Site: "store-1", Bin: "A-01", SKU: "SKU-1"}

// At returns an HLC ms milliseconds after t0.
func At(ms int64, logical uint16) syncproto.HLC { return syncproto.MakeHLC(t0.UnixMilli()+ms, logical) }

func TestOnHandExamples(t *testing.T) {
	mv := func(r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC, qty int64) syncproto.Event {
		return MustEvent(t, r, seq, hlc, "store-1", Move("A-01", "SKU-1", "", qty))
	}
	ct := func(r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC, counted int64, ctx syncproto.VV) syncproto.Event {
		return MustEvent(t, r, seq, hlc, "store-1", Count("A-01", "SKU-1", "", counted, ctx))
	}
	tests := []struct {
		name          string
		events        []syncproto.Event
		want          int64
		wantWinner    EventKey
		wantConflicts []EventKey
	}{
		{
			name:   "movements add up",
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10), mv(rb, 1, At(1, 0), -3), mv(ra, 2, At(2, 0), 5)},
			want:   12,
		},
		{
			name:       "count resets what it saw",
			events:     []syncproto.Event{mv(ra, 1, At(0, 0), 10), mv(rb, 1, At(1, 0), -3), ct(ra, 2, At(2, 0), 4, syncproto.VV{ra: 1, rb: 1})},
			want:       4,
			wantWinner: EventKey{ra, 2},
		},
		{
			name: "movement after the count is added",
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10), ct(ra, 2, At(2, 0), 4, syncproto.VV{ra: 1}),
				mv(ra, 3, At(3, 0), -1)},
			want:       3,
			wantWinner: EventKey{ra, 2},
		},
		{
			name: "concurrent movement is not swallowed",
			// b received 6 while offline; a's count did not see it, even
			// though b's HLC is earlier.
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10), mv(rb, 1, At(1, 0), 6),
				ct(ra, 2, At(5, 0), 9, syncproto.VV{ra: 1})},
			want:       15,
			wantWinner: EventKey{ra, 2},
		},
		{
			name: "count seen by a later count is superseded",
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10), ct(ra, 2, At(1, 0), 8, syncproto.VV{ra: 1}),
				mv(rb, 1, At(2, 0), 2), ct(rb, 2, At(3, 0), 20, syncproto.VV{ra: 2, rb: 1})},
			want:       20,
			wantWinner: EventKey{rb, 2},
		},
		{
			name: "superseded by a count one logical tick later",
			events: []syncproto.Event{ct(ra, 1, At(50, 0), 8, nil),
				ct(rb, 1, At(50, 1), 20, syncproto.VV{ra: 1})},
			want:       20,
			wantWinner: EventKey{rb, 1},
		},
		{
			name: "concurrent counts: greater hlc wins",
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10), ct(ra, 2, At(5, 0), 8, syncproto.VV{ra: 1}),
				ct(rb, 1, At(4, 0), 9, syncproto.VV{ra: 1})},
			want:          8,
			wantWinner:    EventKey{ra, 2},
			wantConflicts: []EventKey{{rb, 1}},
		},
		{
			name: "concurrent counts: equal hlc, greater replica wins",
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10), ct(ra, 2, At(5, 0), 8, syncproto.VV{ra: 1}),
				ct(rb, 1, At(5, 0), 9, syncproto.VV{ra: 1})},
			want:          9,
			wantWinner:    EventKey{rb, 1},
			wantConflicts: []EventKey{{ra, 2}},
		},
		{
			name: "concurrent counts: the winner's unseen movements are added",
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10), mv(rb, 1, At(1, 0), 4),
				ct(ra, 2, At(5, 0), 8, syncproto.VV{ra: 1}), ct(rb, 2, At(6, 0), 9, syncproto.VV{rb: 1})},
			want:          19, // b counted 9, having seen its own +4 but not a's +10
			wantWinner:    EventKey{rb, 2},
			wantConflicts: []EventKey{{ra, 2}},
		},
		{
			name: "three counts: one superseded, two in conflict",
			events: []syncproto.Event{ct(ra, 1, At(1, 0), 1, nil), ct(rb, 1, At(2, 0), 2, syncproto.VV{ra: 1}),
				ct(rc, 1, At(3, 0), 3, nil)},
			want:          3,
			wantWinner:    EventKey{rc, 1},
			wantConflicts: []EventKey{{rb, 1}},
		},
		{
			name:       "negative on-hand is kept",
			events:     []syncproto.Event{ct(ra, 1, At(1, 0), 0, nil), mv(rb, 1, At(0, 0), -2)},
			want:       -2,
			wantWinner: EventKey{ra, 1},
		},
		{
			// Counts of dishonest or corrupt replicas can claim to have seen
			// each other. The merge must still pick a winner, not crash.
			name: "counts whose contexts name each other",
			events: []syncproto.Event{mv(ra, 1, At(0, 0), 10),
				ct(ra, 2, At(5, 0), 8, syncproto.VV{ra: 1, rb: 1}), ct(rb, 1, At(6, 0), 9, syncproto.VV{ra: 2})},
			want:       9,
			wantWinner: EventKey{rb, 1},
		},
		{
			// Causality decides, clocks only break ties: a's clock runs
			// 8 h ahead; b saw a's count and recounted, with an HLC far
			// below a's (b refused to observe a clock that far ahead).
			name: "recount that saw a count from a clock hours ahead",
			events: []syncproto.Event{mv(ra, 1, At(8*3600e3, 0), 100), ct(ra, 2, At(8*3600e3+1, 0), 100, syncproto.VV{ra: 1}),
				ct(rb, 1, At(5, 0), 7, syncproto.VV{ra: 2})},
			want:       7,
			wantWinner: EventKey{rb, 1},
		},
		{
			// b's clock was reset to 1970: its recount still supersedes.
			name: "recount from a clock reset to 1970",
			events: []syncproto.Event{ct(ra, 1, At(0, 0), 100, nil),
				MustEvent(t, rb, 1, syncproto.MakeHLC(1000, 0), "store-1", Count("A-01", "SKU-1", "", 7, syncproto.VV{ra: 1})),
				mv(ra, 2, At(10, 0), 5)},
			want:       12,
			wantWinner: EventKey{rb, 1},
		},
		{
			// Three counts naming each other in a cycle (forged): none is
			// live, the greatest (hlc, replica) of all wins.
			name: "counts whose contexts form a three-cycle",
			events: []syncproto.Event{ct(ra, 1, At(1, 0), 1, syncproto.VV{rc: 1}), ct(rb, 1, At(3, 0), 2, syncproto.VV{ra: 1}),
				ct(rc, 1, At(2, 0), 3, syncproto.VV{rb: 1})},
			want:       2,
			wantWinner: EventKey{rb, 1},
		},
		{
			name:       "count that claims to have seen its own future",
			events:     []syncproto.Event{ct(ra, 1, At(1, 0), 5, syncproto.VV{ra: 9}), ct(ra, 2, At(2, 0), 6, syncproto.VV{ra: 1})},
			want:       6,
			wantWinner: EventKey{ra, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := syncproto.OnHand(tt.events, keyA); got != tt.want {
				t.Errorf("OnHand = %d, want %d", got, tt.want)
			}
			// The same on any order of delivery.
			rev := slices.Clone(tt.events)
			slices.Reverse(rev)
			if got := syncproto.OnHand(rev, keyA); got != tt.want {
				t.Errorf("OnHand of reversed events = %d, want %d", got, tt.want)
			}
			out := syncproto.MergeCounts(CountsOf(tt.events, keyA))
			var gotWinner EventKey
			if out.Winner != nil {
				gotWinner = KeyOfEvent(*out.Winner)
			}
			if gotWinner != tt.wantWinner {
				t.Errorf("winner = %v, want %v", gotWinner, tt.wantWinner)
			}
			var gotConflicts []EventKey
			for _, c := range out.Conflicts {
				gotConflicts = append(gotConflicts, KeyOfEvent(c))
			}
			if !slices.Equal(gotConflicts, tt.wantConflicts) {
				t.Errorf("conflicts = %v, want %v", gotConflicts, tt.wantConflicts)
			}
		})
	}
}

func TestOnHandAllKeys(t *testing.T) {
	events := []syncproto.Event{
		MustEvent(t, ra, 1, At(0, 0), "store-1", Move("A-01", "SKU-1", "", 5)),
		MustEvent(t, ra, 2, At(1, 0), "store-1", Move("A-01", "SKU-1", "L1", 2)),
		MustEvent(t, ra, 3, At(2, 0), "store-1", Move("A-01", "SKU-1", "L1", -2)),
		MustEvent(t, ra, 4, At(3, 0), "store-1", Count("B-02", "SKU-2", "", 0, syncproto.VV{ra: 3})),
		MustEvent(t, rb, 1, At(0, 0), "store-2", Move("A-01", "SKU-1", "", 7)),
		MustEvent(t, rb, 2, At(1, 0), "store-2", Doc("RC-1", "receipt", "open")),
	}
	got := syncproto.OnHandAll(events)
	want := map[syncproto.Key]int64{
		{Site: "store-1", Bin: "A-01", SKU: "SKU-1"}:            5,
		{Site: "store-1", Bin: "A-01", SKU: "SKU-1", Lot: "L1"}: 0,
		{Site: "store-1", Bin: "B-02", SKU: "SKU-2"}:            0,
		{Site: "store-2", Bin: "A-01", SKU: "SKU-1"}:            7,
	}
	if !maps.Equal(got, want) {
		t.Errorf("OnHandAll = %v, want %v", got, want)
	}
	if got := syncproto.OnHand(events, syncproto.Key{Site: "store-9", Bin: "X", SKU: "Y"}); got != 0 {
		t.Errorf("OnHand of an unknown key = %d, want 0", got)
	}
}

func TestEPCLocationsExamples(t *testing.T) {
	at := func(r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC, site, bin, epc string, qty int64) syncproto.Event {
		return MustEvent(t, r, seq, hlc, site, MoveEPC(bin, "SKU-1", epc, qty))
	}
	tests := []struct {
		name   string
		events []syncproto.Event
		want   map[string]syncproto.Location
	}{
		{
			name:   "in through the gate",
			events: []syncproto.Event{at(ra, 1, At(0, 0), "store-1", "DOCK-1", "E1", 1)},
			want:   map[string]syncproto.Location{"E1": {Site: "store-1", Bin: "DOCK-1", SKU: "SKU-1", In: true, Replica: ra, Seq: 1, HLC: At(0, 0)}},
		},
		{
			name: "last move wins whatever the delivery order",
			events: []syncproto.Event{at(rb, 1, At(9, 0), "store-1", "A-01", "E1", 1), at(ra, 1, At(0, 0), "store-1", "DOCK-1", "E1", 1),
				at(ra, 2, At(10, 0), "store-1", "DOCK-1", "E1", -1)},
			want: map[string]syncproto.Location{"E1": {Site: "store-1", Bin: "DOCK-1", SKU: "SKU-1", In: false, Replica: ra, Seq: 2, HLC: At(10, 0)}},
		},
		{
			name:   "equal hlc: greater replica wins",
			events: []syncproto.Event{at(rb, 1, At(5, 0), "store-2", "B-02", "E1", 1), at(ra, 1, At(5, 0), "store-1", "A-01", "E1", 1)},
			want:   map[string]syncproto.Location{"E1": {Site: "store-2", Bin: "B-02", SKU: "SKU-1", In: true, Replica: rb, Seq: 1, HLC: At(5, 0)}},
		},
		{
			name: "movements without an EPC are not items",
			events: []syncproto.Event{MustEvent(t, ra, 1, At(0, 0), "store-1", Move("A-01", "SKU-1", "", 3)),
				at(ra, 2, At(1, 0), "store-1", "A-01", "E2", 1)},
			want: map[string]syncproto.Location{"E2": {Site: "store-1", Bin: "A-01", SKU: "SKU-1", In: true, Replica: ra, Seq: 2, HLC: At(1, 0)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rev := slices.Clone(tt.events)
			slices.Reverse(rev)
			for _, events := range [][]syncproto.Event{tt.events, rev} {
				if got := syncproto.EPCLocations(events); !maps.Equal(got, tt.want) {
					t.Errorf("EPCLocations = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestDocStatusesExamples(t *testing.T) {
	doc := func(r syncproto.ReplicaID, seq uint64, hlc syncproto.HLC, id, status string) syncproto.Event {
		return MustEvent(t, r, seq, hlc, "store-1", Doc(id, "count", status))
	}
	events := []syncproto.Event{
		doc(ra, 1, At(0, 0), "CS-1", "open"),
		doc(rb, 1, At(3, 0), "CS-1", "closed"),
		doc(ra, 2, At(2, 0), "CS-1", "cancelled"), // concurrent with b's close, earlier
		doc(ra, 3, At(4, 0), "CS-2", "open"),
		doc(rb, 2, At(4, 0), "CS-2", "cancelled"), // same hlc: b > a
	}
	want := map[string]syncproto.DocState{
		"CS-1": {Type: "count", Status: "closed", Replica: rb, Seq: 1, HLC: At(3, 0)},
		"CS-2": {Type: "count", Status: "cancelled", Replica: rb, Seq: 2, HLC: At(4, 0)},
	}
	for i := range 3 {
		// Rotate the delivery order.
		events := append(slices.Clone(events[i:]), events[:i]...)
		if got := syncproto.DocStatuses(events); !maps.Equal(got, want) {
			t.Errorf("rotation %d: DocStatuses = %v, want %v", i, got, want)
		}
	}
}

func TestDedup(t *testing.T) {
	e := func(r syncproto.ReplicaID, seq uint64) syncproto.Event {
		return MustEvent(t, r, seq, At(int64(seq), 0), "store-1", Move("A-01", "SKU-1", "", 1))
	}
	got := syncproto.Dedup([]syncproto.Event{e(rb, 2), e(ra, 1), e(rb, 1), e(ra, 1), e(rb, 2)})
	var gotKeys []EventKey
	for _, g := range got {
		gotKeys = append(gotKeys, KeyOfEvent(g))
	}
	want := []EventKey{{ra, 1}, {rb, 1}, {rb, 2}}
	if !slices.Equal(gotKeys, want) {
		t.Errorf("Dedup = %v, want %v", gotKeys, want)
	}
}

func TestVV(t *testing.T) {
	v := syncproto.VV{rb: 3, ra: 5, rc: 0}
	pbv := v.PB()
	if got, want := fmt.Sprint(pbv), fmt.Sprint([]*pb.VVEntry{{Replica: uint64(ra), Seq: 5}, {Replica: uint64(rb), Seq: 3}}); got != want {
		t.Errorf("PB() = %s, want %s", got, want)
	}
	back := syncproto.VVFromPB(pbv)
	if want := (syncproto.VV{ra: 5, rb: 3}); !maps.Equal(back, want) {
		t.Errorf("VVFromPB(PB()) = %v, want %v", back, want)
	}
	// A context that names a replica twice means the greater seq.
	dup := syncproto.VVFromPB([]*pb.VVEntry{{Replica: uint64(ra), Seq: 5}, {Replica: uint64(ra), Seq: 2}})
	if want := (syncproto.VV{ra: 5}); !maps.Equal(dup, want) {
		t.Errorf("VVFromPB with a duplicate = %v, want %v", dup, want)
	}
	tests := []struct {
		name string
		r    syncproto.ReplicaID
		seq  uint64
		want bool
	}{
		{name: "below", r: ra, seq: 4, want: true},
		{name: "at", r: ra, seq: 5, want: true},
		{name: "above", r: ra, seq: 6, want: false},
		{name: "unknown replica", r: 0x99, seq: 1, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := v.Contains(tt.r, tt.seq); got != tt.want {
				t.Errorf("Contains(%v, %d) = %v, want %v", tt.r, tt.seq, got, tt.want)
			}
		})
	}
	var none syncproto.VV
	if none.Contains(ra, 1) {
		t.Error("a nil VV contains (a, 1)")
	}
}
