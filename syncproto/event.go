package syncproto

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Kind is the kind of an event's body.
type Kind uint8

// Event kinds. KindUnknown is a body this build does not know (a later
// version's kind): such events are stored and passed on, never dropped.
const (
	KindUnknown Kind = iota
	KindMovement
	KindCount
	KindDoc
)

func (k Kind) String() string {
	switch k {
	case KindMovement:
		return "movement"
	case KindCount:
		return "count"
	case KindDoc:
		return "doc"
	}
	return "unknown"
}

// Event is one ledger entry with its identity. Msg is the decoded body and
// Raw its encoding as stored and sent; Msg's replica, seq and site fields are
// empty (they live here), and Raw keeps fields this build does not know.
type Event struct {
	Replica ReplicaID
	Seq     uint64
	HLC     HLC
	Site    string
	Msg     *pb.Event
	Raw     []byte
}

// Kind returns the kind of the event's body.
func (e *Event) Kind() Kind { return KindOf(e.Msg) }

// KindOf returns the kind of a body.
func KindOf(m *pb.Event) Kind {
	switch m.GetBody().(type) {
	case *pb.Event_Movement:
		return KindMovement
	case *pb.Event_Count:
		return KindCount
	case *pb.Event_Doc:
		return KindDoc
	}
	return KindUnknown
}

// NewEvent builds an event from a body, setting the body's HLC and encoding
// it. The body must not set replica, seq or site.
func NewEvent(r ReplicaID, seq uint64, hlc HLC, site string, body *pb.Event) (Event, error) {
	if body.GetReplica() != 0 || body.GetSeq() != 0 || body.GetSite() != "" {
		return Event{}, fmt.Errorf("new event: body sets replica, seq or site")
	}
	body.Hlc = uint64(hlc)
	raw, err := proto.MarshalOptions{Deterministic: true}.Marshal(body)
	if err != nil {
		return Event{}, fmt.Errorf("new event: %w", err)
	}
	return Event{Replica: r, Seq: seq, HLC: hlc, Site: site, Msg: body, Raw: raw}, nil
}

// DecodeEvent rebuilds an event from its stored identity and body bytes.
func DecodeEvent(r ReplicaID, seq uint64, site string, raw []byte) (Event, error) {
	if len(raw) > MaxDecodedSize {
		return Event{}, fmt.Errorf("%w: event of %d bytes", ErrTooLarge, len(raw))
	}
	m := new(pb.Event)
	if err := proto.Unmarshal(raw, m); err != nil {
		return Event{}, fmt.Errorf("%w: event %s/%d: %v", ErrMalformed, r, seq, err)
	}
	return Event{Replica: r, Seq: seq, HLC: HLC(m.GetHlc()), Site: site, Msg: m, Raw: raw}, nil
}

// Key names the stock of one SKU and lot in one bin of one site.
type Key struct {
	Site, Bin, SKU, Lot string
}

func (k Key) String() string {
	return fmt.Sprintf("%s/%s/%s/%s", k.Site, k.Bin, k.SKU, k.Lot)
}

// KeyOf returns the stock key a movement or count touches, and false for
// other kinds.
func (e *Event) KeyOf() (Key, bool) {
	switch b := e.Msg.GetBody().(type) {
	case *pb.Event_Movement:
		return Key{e.Site, b.Movement.GetBin(), b.Movement.GetSku(), b.Movement.GetLot()}, true
	case *pb.Event_Count:
		return Key{e.Site, b.Count.GetBin(), b.Count.GetSku(), b.Count.GetLot()}, true
	}
	return Key{}, false
}
