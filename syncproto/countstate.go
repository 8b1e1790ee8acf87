package syncproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// CountRef is what deciding a key's winning count needs of one count: its
// identity, its HLC and the quantity it counted. Its context is given to
// CountState.Add alongside and not kept.
type CountRef struct {
	Replica ReplicaID
	Seq     uint64
	HLC     HLC
	Counted int64
}

// Is reports whether c names the event (r, seq).
func (c CountRef) Is(r ReplicaID, seq uint64) bool { return c.Replica == r && c.Seq == seq }

// after reports whether c is after d in (hlc, replica, seq) order, the order
// of Later.
func (c CountRef) after(d CountRef) bool {
	if c.HLC != d.HLC {
		return c.HLC > d.HLC
	}
	if c.Replica != d.Replica {
		return c.Replica > d.Replica
	}
	return c.Seq > d.Seq
}

// RefOf returns the CountRef of a count event.
func RefOf(e *Event) CountRef {
	return CountRef{Replica: e.Replica, Seq: e.Seq, HLC: e.HLC, Counted: e.Msg.GetCount().GetCounted()}
}

// CountState is the merged state of one key's counts (DESIGN.md §3), kept
// incrementally: adding a count costs time proportional to its context plus
// the number of live counts, never to the key's history.
//
// The rule it keeps: a count that is in the context of another count of the
// key is superseded, whatever their clocks say (causality decides). The
// counts no other count has seen are live; they are truly concurrent, and
// the greatest (hlc, replica) among them wins while the others are
// conflicts. Clocks only order what is concurrent. When no count is live,
// which only counts whose contexts name each other in a cycle can cause (no
// replica following §3 writes such contexts; a forged or corrupt one can),
// the greatest (hlc, replica) of all counts wins, so there is always a
// winner while there are counts.
//
// The state is a function of the set of counts added: any order of Add
// gives the same Winner and Live.
type CountState struct {
	// Seen is the pointwise maximum of the effective contexts of every
	// count added: a count (r, s) has been seen by some count iff
	// Seen[r] >= s.
	Seen VV
	// Live are the counts no other count has seen, sorted by (replica, seq).
	Live []CountRef
	// Last is the greatest count of all in (hlc, replica, seq) order; its
	// Seq is 0 while no count was added.
	Last CountRef
	// N is the number of counts added.
	N uint64
}

// EffectiveContext returns the context a count is taken to have seen: ctx,
// except that a count cannot have seen its own replica's events at or
// after its own seq, so that entry is capped at seq − 1. ctx is not changed.
func EffectiveContext(r ReplicaID, seq uint64, ctx VV) VV {
	if s, ok := ctx[r]; ok && s >= seq {
		c := make(VV, len(ctx))
		for k, v := range ctx {
			c[k] = v
		}
		c[r] = seq - 1
		return c
	}
	return ctx
}

// Add merges count c with context ctx (as the count carries it) into the
// state. It returns whether the winner changed. Callers add each count
// once; adding one again changes nothing but N.
func (s *CountState) Add(c CountRef, ctx VV) (winnerChanged bool) {
	before, had := s.Winner()
	for i := range s.Live {
		if s.Live[i].Is(c.Replica, c.Seq) {
			return false
		}
	}
	ctx = EffectiveContext(c.Replica, c.Seq, ctx)
	superseded := s.Seen.Contains(c.Replica, c.Seq)
	live := s.Live[:0]
	for _, l := range s.Live {
		if !ctx.Contains(l.Replica, l.Seq) {
			live = append(live, l)
		}
	}
	clear(s.Live[len(live):])
	s.Live = live
	if s.Seen == nil {
		s.Seen = make(VV, len(ctx))
	}
	for r, q := range ctx {
		if q > s.Seen[r] {
			s.Seen[r] = q
		}
	}
	if !superseded {
		i, _ := slices.BinarySearchFunc(s.Live, c, compareRefs)
		s.Live = slices.Insert(s.Live, i, c)
	}
	if s.N == 0 || c.after(s.Last) {
		s.Last = c
	}
	s.N++
	after, _ := s.Winner()
	return !had || before.Replica != after.Replica || before.Seq != after.Seq
}

func compareRefs(a, b CountRef) int {
	switch {
	case a.Replica < b.Replica:
		return -1
	case a.Replica > b.Replica:
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// Winner returns the count that resets the key, and false when no count
// was added.
func (s *CountState) Winner() (CountRef, bool) {
	if s == nil || s.N == 0 {
		return CountRef{}, false
	}
	if len(s.Live) == 0 {
		return s.Last, true
	}
	w := s.Live[0]
	for _, l := range s.Live[1:] {
		if l.after(w) {
			w = l
		}
	}
	return w, true
}

// Conflicts returns the live counts other than the winner: counts
// concurrent with it that lost by (hlc, replica), to be reviewed.
func (s *CountState) Conflicts() []CountRef {
	w, ok := s.Winner()
	if !ok || len(s.Live) < 2 {
		return nil
	}
	out := make([]CountRef, 0, len(s.Live)-1)
	for _, l := range s.Live {
		if !l.Is(w.Replica, w.Seq) {
			out = append(out, l)
		}
	}
	return out
}

// countStateVersion is the first byte of an encoded CountState.
const countStateVersion = 1

// ErrBadCountState is returned by UnmarshalBinary for bytes that are not an
// encoded CountState.
var ErrBadCountState = errors.New("bad count state encoding")

// MarshalBinary encodes the state for storage (it is a cache, never sent):
// a version byte, N, Last, the live counts and Seen sorted by replica.
func (s *CountState) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 16+len(s.Live)*28+len(s.Seen)*12)
	b = append(b, countStateVersion)
	b = binary.AppendUvarint(b, s.N)
	b = appendRef(b, s.Last)
	b = binary.AppendUvarint(b, uint64(len(s.Live)))
	for _, l := range s.Live {
		b = appendRef(b, l)
	}
	seen := s.Seen.PB()
	b = binary.AppendUvarint(b, uint64(len(seen)))
	for _, e := range seen {
		b = binary.LittleEndian.AppendUint64(b, e.GetReplica())
		b = binary.AppendUvarint(b, e.GetSeq())
	}
	return b, nil
}

func appendRef(b []byte, c CountRef) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(c.Replica))
	b = binary.AppendUvarint(b, c.Seq)
	b = binary.AppendUvarint(b, uint64(c.HLC))
	return binary.AppendVarint(b, c.Counted)
}

// UnmarshalBinary decodes what MarshalBinary wrote. It returns an error
// wrapping ErrBadCountState for anything else.
func (s *CountState) UnmarshalBinary(b []byte) error {
	d := stateDecoder{b: b}
	if len(b) == 0 || b[0] != countStateVersion {
		return fmt.Errorf("%w: version", ErrBadCountState)
	}
	d.b = d.b[1:]
	var out CountState
	out.N = d.uvarint()
	out.Last = d.ref()
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return fmt.Errorf("%w: %d live counts in %d bytes", ErrBadCountState, n, len(d.b))
	}
	out.Live = make([]CountRef, 0, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		out.Live = append(out.Live, d.ref())
	}
	n = d.uvarint()
	if n > uint64(len(d.b)) {
		return fmt.Errorf("%w: %d seen entries in %d bytes", ErrBadCountState, n, len(d.b))
	}
	out.Seen = make(VV, n)
	for i := uint64(0); i < n && d.err == nil; i++ {
		r := ReplicaID(d.u64())
		out.Seen[r] = d.uvarint()
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrBadCountState, len(d.b))
	}
	*s = out
	return nil
}

type stateDecoder struct {
	b   []byte
	err error
}

func (d *stateDecoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated", ErrBadCountState)
	}
	d.b = nil
}

func (d *stateDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *stateDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *stateDecoder) u64() uint64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *stateDecoder) ref() CountRef {
	return CountRef{Replica: ReplicaID(d.u64()), Seq: d.uvarint(), HLC: HLC(d.uvarint()), Counted: d.varint()}
}
