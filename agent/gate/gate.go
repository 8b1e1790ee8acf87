// Package gate turns the raw tag reads of an RFID gate portal into passes:
// one Pass per tag that went through the door, inbound or outbound
// (DESIGN.md §5). It is pure logic with no I/O and no clock of its own:
// reads carry their reader's times, and the caller's ticker calls Flush
// with the current time on that reader's clock (Clock translates the
// agent's) to decide the tags that have left. Sink records passes in the
// ledger.
//
// How a pass and its direction are decided is in DESIGN.md in this folder.
package gate

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jxc-edge/jxc/drivers"
)

// Role is the side of the portal an antenna faces.
type Role uint8

// Antenna roles: a tag seen by outer antennas, then by inner ones, moved
// in.
const (
	RoleNone Role = iota // not part of the gate: its reads are ignored
	RoleOuter
	RoleInner
)

// String returns "outer", "inner" or "none".
func (r Role) String() string {
	switch r {
	case RoleOuter:
		return "outer"
	case RoleInner:
		return "inner"
	}
	return "none"
}

// Direction is the way a tag went through the portal.
type Direction uint8

// Directions.
const (
	In  Direction = 1 // outer then inner: into the bin
	Out Direction = 2 // inner then outer: out of the bin
)

// String returns "in" or "out".
func (d Direction) String() string {
	switch d {
	case In:
		return "in"
	case Out:
		return "out"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// OneSided says what to do with a tag that left after being seen, enough
// times, by one side only. The zero value ignores it.
type OneSided uint8

// One-sided policies; OneSidedBoth is OneSidedInnerIn|OneSidedOuterOut.
const (
	// OneSidedIgnore: no pass. The tag came near the door and went back, or
	// was read through the wall.
	OneSidedIgnore OneSided = 0
	// OneSidedInnerIn: a tag seen only by inner antennas went in (a door
	// whose outer antennas miss tags on the far side of a pallet).
	OneSidedInnerIn OneSided = 1
	// OneSidedOuterOut: a tag seen only by outer antennas went out.
	OneSidedOuterOut OneSided = 2
	// OneSidedBoth: the side that saw the tag decides.
	OneSidedBoth OneSided = OneSidedInnerIn | OneSidedOuterOut
)

// Defaults for Config fields left zero.
const (
	DefaultMinReads         = 1
	DefaultHoldOff          = 5 * time.Second
	DefaultDepartureTimeout = time.Second
	DefaultMaxTags          = 1 << 16
)

// Config configures a Gate. The agent fills it from the reader's profile
// (firmware-configs: gate and antennas).
type Config struct {
	// Reader is the reader's name, copied into every Pass. Reads from
	// another reader are ignored; empty accepts every reader.
	Reader string
	// Bin is the bin the gate books to, copied into every Pass.
	Bin string
	// Antennas maps antenna ports to roles; reads on other ports are
	// ignored.
	Antennas map[uint16]Role
	// RSSIThreshold in dBm: reads weaker than it are ignored. Zero means no
	// threshold (no read is that strong).
	RSSIThreshold int8
	// MinReads is how many reads (summing TagRead.Count) above the
	// threshold a side needs to count as having seen a tag. Zero means
	// DefaultMinReads.
	MinReads int
	// HoldOff: once a tag's pass is decided, its reads until HoldOff after
	// its last read are absorbed and make no new pass. Zero means
	// DefaultHoldOff; negative means none.
	HoldOff time.Duration
	// DepartureTimeout: a tag with no read for this long has left and its
	// pass is decided. Zero means DefaultDepartureTimeout.
	DepartureTimeout time.Duration
	// OneSided is the policy for tags seen by one side only.
	OneSided OneSided
	// MaxTags bounds the tags tracked at once (in the field or held off);
	// reads of further new tags are dropped and counted. Zero means
	// DefaultMaxTags.
	MaxTags int
}

// Validate reports what is wrong with c for a working gate: no outer or no
// inner antenna, a role out of range, or a negative duration or count.
func (c *Config) Validate() error {
	var errs []error
	var outer, inner int
	for port, r := range c.Antennas {
		switch r {
		case RoleOuter:
			outer++
		case RoleInner:
			inner++
		case RoleNone:
		default:
			errs = append(errs, fmt.Errorf("antenna %d: role %d is not outer or inner", port, r))
		}
	}
	if outer == 0 || inner == 0 {
		errs = append(errs, fmt.Errorf("a gate needs an outer and an inner antenna, has %d outer and %d inner", outer, inner))
	}
	if c.MinReads < 0 {
		errs = append(errs, fmt.Errorf("min reads %d is negative", c.MinReads))
	}
	if c.DepartureTimeout < 0 {
		errs = append(errs, fmt.Errorf("departure timeout %v is negative", c.DepartureTimeout))
	}
	if c.MaxTags < 0 {
		errs = append(errs, fmt.Errorf("max tags %d is negative", c.MaxTags))
	}
	if c.OneSided > OneSidedBoth {
		errs = append(errs, fmt.Errorf("one-sided policy %d is unknown", c.OneSided))
	}
	return errors.Join(errs...)
}

// Pass is one tag's way through the portal.
type Pass struct {
	// EPC is the tag's EPC; the Pass owns it.
	EPC       []byte
	Direction Direction
	// Reader and Bin are the gate's (Config.Reader and Config.Bin).
	Reader, Bin string
	// FirstSeen and LastSeen span the reads that counted (above the
	// threshold, on a gate antenna), in UTC.
	FirstSeen, LastSeen time.Time
	// Reads is how many reads counted, summing TagRead.Count.
	Reads int
}

// Stats are a Gate's counters since New.
type Stats struct {
	// Reads is the number of TagReads given to Add.
	Reads uint64
	// OtherReader, UnknownAntenna, NoEPC and Weak count reads ignored
	// because they came from another reader, from a port with no role,
	// without an EPC, or below the RSSI threshold.
	OtherReader, UnknownAntenna, NoEPC, Weak uint64
	// HeldOff counts reads absorbed in a tag's hold-off after its pass.
	HeldOff uint64
	// Dropped counts reads of new tags dropped because MaxTags were
	// tracked.
	Dropped uint64
	// In and Out count passes.
	In, Out uint64
	// OneSided counts tags that left seen by one side only and made no
	// pass (OneSidedIgnore); TooFew those no side saw MinReads times;
	// Ambiguous those both sides saw at the same moment.
	OneSided, TooFew, Ambiguous uint64
	// Tracked is the number of tags tracked now.
	Tracked int
}

// side is what one side of the portal saw of a tag.
type side struct {
	reads int
	// peak is the strongest RSSI; peakFrom and peakTo the first and last
	// read at it (unix ns). The middle of the two is when the tag was
	// closest to this side.
	peak             int8
	peakFrom, peakTo int64
}

// tag is the state of one tag. States are reused through a free list.
type tag struct {
	key         string // the EPC, as the map key
	sides       [2]side
	first, last int64 // unix ns, reads that counted
	reads       int
	// holdUntil > 0: the pass is decided, reads before it are absorbed.
	holdUntil int64
	// prev and next link the tag into the gate's active or held list, or
	// (next) the free list.
	prev, next *tag
}

// tagList is a doubly linked list of tags through a sentinel.
type tagList struct{ root tag }

func (l *tagList) init() { l.root.prev, l.root.next = &l.root, &l.root }

func (l *tagList) front() *tag {
	if l.root.next == &l.root {
		return nil
	}
	return l.root.next
}

func (l *tagList) back() *tag { return l.root.prev }

func (l *tagList) pushBack(t *tag) {
	t.prev, t.next = l.root.prev, &l.root
	l.root.prev.next = t
	l.root.prev = t
}

func remove(t *tag) {
	t.prev.next, t.next.prev = t.next, t.prev
	t.prev, t.next = nil, nil
}

// Gate aggregates one portal's reads into passes. It is not safe for
// concurrent use: one goroutine feeds it reads and calls Flush.
type Gate struct {
	cfg       Config
	roles     []Role // by antenna port
	minReads  int
	holdOff   int64
	departure int64
	maxTags   int

	tags map[string]*tag
	// active holds the tags in the field, least recently read first, so
	// Flush finds the departed ones at the front; held the tags whose pass
	// is decided, in order of decision (and so, nearly, of hold-off end).
	active, held tagList
	free         *tag
	pending      []Pass
	stats        Stats
}

// New returns a gate with cfg, zero fields defaulted. It does not fail: a
// config Validate rejects makes a gate that never passes anything.
func New(cfg Config) *Gate {
	g := &Gate{cfg: cfg, tags: make(map[string]*tag)}
	g.active.init()
	g.held.init()
	g.minReads = cfg.MinReads
	if g.minReads <= 0 {
		g.minReads = DefaultMinReads
	}
	switch {
	case cfg.HoldOff == 0:
		g.holdOff = int64(DefaultHoldOff)
	case cfg.HoldOff > 0:
		g.holdOff = int64(cfg.HoldOff)
	}
	g.departure = int64(cfg.DepartureTimeout)
	if g.departure <= 0 {
		g.departure = int64(DefaultDepartureTimeout)
	}
	g.maxTags = cfg.MaxTags
	if g.maxTags <= 0 {
		g.maxTags = DefaultMaxTags
	}
	maxPort := uint16(0)
	for p := range cfg.Antennas {
		maxPort = max(maxPort, p)
	}
	g.roles = make([]Role, int(maxPort)+1)
	for p, r := range cfg.Antennas {
		if r == RoleOuter || r == RoleInner {
			g.roles[p] = r
		}
	}
	return g
}

// Config returns the gate's configuration as given to New.
func (g *Gate) Config() Config { return g.cfg }

// Add takes one read. Reads of a tag may come slightly out of order. A read
// later than the tag's last one by the departure timeout or more first
// decides the tag's previous pass, so passes do not depend on how often
// Flush runs. Add does not allocate for a tag already tracked.
func (g *Gate) Add(r drivers.TagRead) {
	g.stats.Reads++
	if g.cfg.Reader != "" && r.Reader != g.cfg.Reader {
		g.stats.OtherReader++
		return
	}
	var role Role
	if int(r.Antenna) < len(g.roles) {
		role = g.roles[r.Antenna]
	}
	if role == RoleNone {
		g.stats.UnknownAntenna++
		return
	}
	if len(r.EPC) == 0 {
		g.stats.NoEPC++
		return
	}
	if g.cfg.RSSIThreshold != 0 && r.RSSI < g.cfg.RSSIThreshold {
		g.stats.Weak++
		return
	}
	last := unixNano(r.LastSeen, r.FirstSeen)
	first := unixNano(r.FirstSeen, r.LastSeen)
	if first > last {
		first = last
	}
	n := int(r.Count)
	if n == 0 {
		n = 1
	}

	t := g.tags[string(r.EPC)]
	if t != nil && t.holdUntil == 0 && first-t.last >= g.departure {
		if !g.decide(t) {
			t = nil
		}
	}
	switch {
	case t == nil:
		if len(g.tags) >= g.maxTags {
			g.stats.Dropped++
			return
		}
		t = g.alloc(string(r.EPC))
		g.tags[t.key] = t
		g.active.pushBack(t)
	case t.holdUntil != 0:
		if last < t.holdUntil {
			g.stats.HeldOff++
			return
		}
		remove(t)
		t.reset()
		g.active.pushBack(t)
	case g.active.back() != t:
		remove(t)
		g.active.pushBack(t)
	}
	if t.reads == 0 || first < t.first {
		t.first = first
	}
	if last > t.last {
		t.last = last
	}
	t.reads += n
	s := &t.sides[role-1]
	switch {
	case s.reads == 0 || r.RSSI > s.peak:
		s.peak, s.peakFrom, s.peakTo = r.RSSI, last, last
	case r.RSSI == s.peak:
		s.peakFrom, s.peakTo = min(s.peakFrom, last), max(s.peakTo, last)
	}
	s.reads += n
}

// unixNano returns t in unix ns, or alt's if t is zero.
func unixNano(t, alt time.Time) int64 {
	if t.IsZero() {
		t = alt
	}
	return t.UnixNano()
}

// Flush decides the passes of tags not read since now minus the departure
// timeout, forgets tags whose hold-off ended by now, and returns every pass
// decided since the last Flush (by Add or here), ordered by last read and
// EPC. now must be on the clock the reads carry, the reader's, never the
// agent's wall clock: Clock.Now gives it. It looks only at the
// tags it decides or forgets (the lists are in order of last read), so its
// cost does not grow with the tags in the field. The slice is the
// caller's.
func (g *Gate) Flush(now time.Time) []Pass {
	ns := now.UnixNano()
	for t := g.active.front(); t != nil && ns-t.last >= g.departure; t = g.active.front() {
		g.decide(t)
	}
	for t := g.held.front(); t != nil && ns >= t.holdUntil; t = g.held.front() {
		g.forget(t)
	}
	out := g.pending
	g.pending = nil
	sort.Slice(out, func(i, j int) bool {
		if !out[i].LastSeen.Equal(out[j].LastSeen) {
			return out[i].LastSeen.Before(out[j].LastSeen)
		}
		return bytes.Compare(out[i].EPC, out[j].EPC) < 0
	})
	return out
}

// Stats returns the gate's counters.
func (g *Gate) Stats() Stats {
	s := g.stats
	s.Tracked = len(g.tags)
	return s
}

// decide ends a tag's pass and takes it off the active list. If the sides
// say so it queues a Pass and holds the tag off, and returns true;
// otherwise the tag is forgotten (no pass, no hold-off: it may still pass
// for real) and it returns false.
func (g *Gate) decide(t *tag) bool {
	outer, inner := &t.sides[RoleOuter-1], &t.sides[RoleInner-1]
	sawOuter, sawInner := outer.reads >= g.minReads, inner.reads >= g.minReads
	var dir Direction
	switch {
	case sawOuter && sawInner:
		// Twice the middle of each side's peak run, to stay in integers.
		o, i := outer.peakFrom+outer.peakTo, inner.peakFrom+inner.peakTo
		switch {
		case o < i:
			dir = In
		case o > i:
			dir = Out
		default:
			g.stats.Ambiguous++
		}
	case sawOuter:
		if g.cfg.OneSided&OneSidedOuterOut != 0 {
			dir = Out
		} else {
			g.stats.OneSided++
		}
	case sawInner:
		if g.cfg.OneSided&OneSidedInnerIn != 0 {
			dir = In
		} else {
			g.stats.OneSided++
		}
	default:
		g.stats.TooFew++
	}
	if dir == 0 {
		g.forget(t)
		return false
	}
	if dir == In {
		g.stats.In++
	} else {
		g.stats.Out++
	}
	g.pending = append(g.pending, Pass{
		EPC:       []byte(t.key),
		Direction: dir,
		Reader:    g.cfg.Reader,
		Bin:       g.cfg.Bin,
		FirstSeen: time.Unix(0, t.first).UTC(),
		LastSeen:  time.Unix(0, t.last).UTC(),
		Reads:     t.reads,
	})
	remove(t)
	// With no hold-off the next read, even at the same instant, starts a
	// new pass.
	t.holdUntil = t.last + g.holdOff
	if t.holdUntil == 0 {
		t.holdUntil = 1 // 0 means not held
	}
	g.held.pushBack(t)
	return true
}

// forget drops a tag from its list and the map and frees its state.
func (g *Gate) forget(t *tag) {
	remove(t)
	delete(g.tags, t.key)
	*t = tag{next: g.free}
	g.free = t
}

func (t *tag) reset() {
	*t = tag{key: t.key}
}

func (g *Gate) alloc(key string) *tag {
	t := g.free
	if t == nil {
		return &tag{key: key}
	}
	g.free = t.next
	*t = tag{key: key}
	return t
}
