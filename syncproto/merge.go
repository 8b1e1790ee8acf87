package syncproto

import (
	"sort"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// This file holds the merge rules of DESIGN.md §3 as pure functions of a set
// of events. Every function first reduces its input to a set by (replica,
// seq), so duplicated, reordered or partitioned delivery of one event set
// gives one answer.

// VV is a version vector: for each replica, the highest seq such that every
// seq up to it is known.
type VV map[ReplicaID]uint64

// Contains reports whether the event (r, seq) is described by v.
func (v VV) Contains(r ReplicaID, seq uint64) bool { return seq <= v[r] }

// VVFromPB converts a count's context.
func VVFromPB(es []*pb.VVEntry) VV {
	v := make(VV, len(es))
	for _, e := range es {
		if e.GetSeq() > v[ReplicaID(e.GetReplica())] {
			v[ReplicaID(e.GetReplica())] = e.GetSeq()
		}
	}
	return v
}

// PB converts v to wire entries, sorted by replica and without zero entries.
func (v VV) PB() []*pb.VVEntry {
	out := make([]*pb.VVEntry, 0, len(v))
	for r, s := range v {
		if s > 0 {
			out = append(out, &pb.VVEntry{Replica: uint64(r), Seq: s})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Replica < out[j].Replica })
	return out
}

// Dedup returns the events as a set by (replica, seq), sorted by (replica, seq).
// When one key appears more than once the first occurrence is kept: events are
// immutable, so copies are equal.
func Dedup(events []Event) []Event {
	out := make([]Event, 0, len(events))
	seen := make(map[[2]uint64]bool, len(events))
	for _, e := range events {
		k := [2]uint64{uint64(e.Replica), e.Seq}
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Replica != out[j].Replica {
			return out[i].Replica < out[j].Replica
		}
		return out[i].Seq < out[j].Seq
	})
	return out
}

// Later reports whether a is after b in (hlc, replica) order, the total order
// that last-writer-wins registers and count conflicts use.
func Later(a, b *Event) bool {
	if a.HLC != b.HLC {
		return a.HLC > b.HLC
	}
	if a.Replica != b.Replica {
		return a.Replica > b.Replica
	}
	return a.Seq > b.Seq
}

// CountOutcome is the result of merging the counts of one key.
type CountOutcome struct {
	// Winner is the count that resets the key, nil when there is none.
	Winner *Event
	// Conflicts are the counts concurrent with the winner that lost to it:
	// neither saw the other. They are reported for review.
	Conflicts []Event
}

// MergeCounts picks the winning count among counts of one key by the rule
// of CountState: a count that is in the context of another count is
// superseded, whatever the clocks say; of the counts no other count has
// seen, the greatest (hlc, replica) wins and the others are conflicts.
// Winner points into counts' deduplicated copy and is nil only when counts
// is empty.
func MergeCounts(counts []Event) CountOutcome {
	counts = Dedup(counts)
	st, w := FoldCounts(counts)
	out := CountOutcome{Winner: w}
	for _, c := range st.Conflicts() {
		out.Conflicts = append(out.Conflicts, *findCount(counts, c))
	}
	return out
}

// FoldCounts merges counts (count events of one key, each once) into their
// CountState and returns it with the winning event, which points into
// counts; the winner is nil only when counts is empty. Rebuilds use it to
// get both the state they store and the winner on-hand follows.
func FoldCounts(counts []Event) (*CountState, *Event) {
	st := new(CountState)
	for i := range counts {
		st.Add(RefOf(&counts[i]), VVFromPB(counts[i].Msg.GetCount().GetCtx()))
	}
	w, ok := st.Winner()
	if !ok {
		return st, nil
	}
	return st, findCount(counts, w)
}

func findCount(counts []Event, c CountRef) *Event {
	for i := range counts {
		if counts[i].Replica == c.Replica && counts[i].Seq == c.Seq {
			return &counts[i]
		}
	}
	return nil
}

func (e *Event) ctx() VV {
	return EffectiveContext(e.Replica, e.Seq, VVFromPB(e.Msg.GetCount().GetCtx()))
}

// CountContext returns the context of a count event as the merge rules
// take it (EffectiveContext of the version vector it carries), nil for
// other kinds.
func (e *Event) CountContext() VV {
	if e.Kind() != KindCount {
		return nil
	}
	return e.ctx()
}

// OnHand returns the on-hand quantity of key in a set of events: the sum of
// the movements' deltas (a PN-counter), reset by the winning count to
// counted + the deltas of the key's movements that the count had not seen.
func OnHand(events []Event, key Key) int64 {
	return OnHandAll(events)[key]
}

// OnHandAll returns the on-hand quantity of every key that has a movement or
// a count in events. Sums are exact whatever the order of the events
// (QtySum); a key whose on-hand is beyond the int64 range, which only a set
// of events the stores refuse can give, is left out (CheckOnHandAll
// reports it).
func OnHandAll(events []Event) map[Key]int64 {
	events = Dedup(events)
	counts := make(map[Key][]Event)
	moves := make(map[Key][]*Event)
	for i := range events {
		e := &events[i]
		k, ok := e.KeyOf()
		if !ok {
			continue
		}
		if e.Kind() == KindCount {
			counts[k] = append(counts[k], *e)
		} else {
			moves[k] = append(moves[k], e)
		}
	}
	out := make(map[Key]int64, len(moves)+len(counts))
	for k := range moves {
		out[k] = 0
	}
	for k := range counts {
		out[k] = 0
	}
	for k := range out {
		var sum QtySum
		var ctx VV
		if cs := counts[k]; len(cs) > 0 {
			w := MergeCounts(cs).Winner
			sum.Add(w.Msg.GetCount().GetCounted())
			ctx = w.ctx()
		}
		for _, m := range moves[k] {
			if !ctx.Contains(m.Replica, m.Seq) {
				sum.Add(m.Msg.GetMovement().GetQty())
			}
		}
		q, err := sum.Int64()
		if err != nil {
			delete(out, k)
			continue
		}
		out[k] = q
	}
	return out
}

// Location is where a serialized item (EPC) last moved.
type Location struct {
	Site, Bin, SKU string
	// In reports whether the last movement brought the item in (qty > 0).
	In bool
	// By is the event that decided it.
	Replica ReplicaID
	Seq     uint64
	HLC     HLC
}

// EPCLocations returns the location of every EPC: the location of its
// movement with the greatest (hlc, replica), a last-writer-wins register.
func EPCLocations(events []Event) map[string]Location {
	events = Dedup(events)
	best := make(map[string]*Event)
	for i := range events {
		e := &events[i]
		epc := e.Msg.GetMovement().GetEpc()
		if e.Kind() != KindMovement || epc == "" {
			continue
		}
		if b := best[epc]; b == nil || Later(e, b) {
			best[epc] = e
		}
	}
	out := make(map[string]Location, len(best))
	for epc, e := range best {
		m := e.Msg.GetMovement()
		out[epc] = Location{Site: e.Site, Bin: m.GetBin(), SKU: m.GetSku(), In: m.GetQty() > 0,
			Replica: e.Replica, Seq: e.Seq, HLC: e.HLC}
	}
	return out
}

// DocState is the merged status of an edge document.
type DocState struct {
	Type, Status string
	Replica      ReplicaID
	Seq          uint64
	HLC          HLC
}

// DocStatuses returns every document's status: the status of its document
// event with the greatest (hlc, replica), a last-writer-wins register.
func DocStatuses(events []Event) map[string]DocState {
	events = Dedup(events)
	best := make(map[string]*Event)
	for i := range events {
		e := &events[i]
		if e.Kind() != KindDoc {
			continue
		}
		id := e.Msg.GetDoc().GetDoc()
		if b := best[id]; b == nil || Later(e, b) {
			best[id] = e
		}
	}
	out := make(map[string]DocState, len(best))
	for id, e := range best {
		d := e.Msg.GetDoc()
		out[id] = DocState{Type: d.GetDocType(), Status: d.GetStatus(), Replica: e.Replica, Seq: e.Seq, HLC: e.HLC}
	}
	return out
}
