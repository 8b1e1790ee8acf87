package syncproto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Size limits (DESIGN.md §4).
const (
	// MaxWireSize bounds every message on the wire.
	MaxWireSize = 256 << 10
	// MaxDecodedSize bounds a batch after decompression.
	MaxDecodedSize = 4 << 20
	// MaxBatchBody bounds the uncompressed body a batch builder fills, so that
	// even an incompressible batch fits MaxWireSize.
	MaxBatchBody = MaxWireSize - 1024
	// CompressThreshold is the body size above which a batch is compressed.
	CompressThreshold = 512
	// MaxBatchEvents bounds the events of one batch. Every event costs the
	// decoder a few hundred bytes of memory whatever its size, so without it
	// a few hundred bytes of zstd (millions of empty events) make it allocate
	// over half a gigabyte. A batch of MaxBatchBody holds far fewer real events.
	MaxBatchEvents = 1 << 16
)

// Wire formats: the first byte of an encoded batch.
const (
	formatRaw  byte = 0
	formatZstd byte = 1
)

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	zdecs   = sync.Pool{New: func() any {
		d, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxDecodedSize), zstd.WithDecoderMaxWindow(MaxDecodedSize))
		return d
	}}
)

// Batch is a decoded batch: the consecutive events From..To of one replica.
type Batch struct {
	Version uint32
	Tenant  string
	Site    string
	Replica ReplicaID
	From    uint64
	To      uint64
	Events  []Event
}

// BatchHeader names what a batch is about; the events follow.
type BatchHeader struct {
	Tenant  string
	Site    string
	Replica ReplicaID
	From    uint64
}

// EncodeBatch encodes the events from h.From on, given as their Raw bodies.
// The body is zstd-compressed above CompressThreshold. It returns ErrTooLarge
// when the result would be over MaxWireSize, the body over MaxDecodedSize or
// the events more than MaxBatchEvents.
func EncodeBatch(h BatchHeader, raws [][]byte) ([]byte, error) {
	if len(raws) == 0 {
		return nil, fmt.Errorf("encode batch: no events")
	}
	if len(raws) > MaxBatchEvents {
		return nil, fmt.Errorf("%w: batch of %d events, limit %d", ErrTooLarge, len(raws), MaxBatchEvents)
	}
	body := make([]byte, 0, 64+BatchBodySize(raws))
	body = protowire.AppendTag(body, 1, protowire.VarintType)
	body = protowire.AppendVarint(body, Version)
	body = appendString(body, 2, h.Tenant)
	body = appendString(body, 3, h.Site)
	body = protowire.AppendTag(body, 4, protowire.Fixed64Type)
	body = protowire.AppendFixed64(body, uint64(h.Replica))
	body = protowire.AppendTag(body, 5, protowire.VarintType)
	body = protowire.AppendVarint(body, h.From)
	body = protowire.AppendTag(body, 6, protowire.VarintType)
	body = protowire.AppendVarint(body, h.From+uint64(len(raws))-1)
	for _, r := range raws {
		body = protowire.AppendTag(body, 7, protowire.BytesType)
		body = protowire.AppendBytes(body, r)
	}
	if len(body) > MaxDecodedSize {
		// It might compress under MaxWireSize, but DecodeBatch would refuse it.
		return nil, fmt.Errorf("%w: batch of %d events is %d bytes uncompressed", ErrTooLarge, len(raws), len(body))
	}
	out := frame(body)
	if len(out) > MaxWireSize {
		return nil, fmt.Errorf("%w: batch of %d events is %d bytes on the wire", ErrTooLarge, len(raws), len(out))
	}
	return out, nil
}

// BatchBodySize returns roughly how many uncompressed bytes raws take in a
// batch, for builders that stop before MaxBatchBody.
func BatchBodySize(raws [][]byte) int {
	n := 0
	for _, r := range raws {
		n += EventWireSize(r)
	}
	return n
}

// FitBatch returns how many of raws, from the first on, a batch builder
// should put in one batch: the most whose BatchBodySize (the framing of each
// event included) is at most MaxBatchBody, and at most MaxBatchEvents. The
// rest of MaxWireSize covers the batch header and zstd's worst-case
// expansion of an incompressible body, so EncodeBatch accepts the result. It
// returns at least 1 when raws is not empty: an event larger than a batch is
// the writer's bug, and EncodeBatch reports it.
func FitBatch(raws [][]byte) int {
	size := 0
	for i, r := range raws {
		size += EventWireSize(r)
		if i > 0 && (size > MaxBatchBody || i == MaxBatchEvents) {
			return i
		}
	}
	return len(raws)
}

// EventWireSize returns the uncompressed bytes one event adds to a batch.
func EventWireSize(raw []byte) int {
	return 1 + protowire.SizeBytes(len(raw))
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// DecodeBatch decodes and checks a batch: size and event count limits,
// version, a non-zero replica, a valid site, and events that are exactly the
// range From..To. Each returned event has its identity filled in and Raw
// pointing into a fresh buffer (not into wire).
func DecodeBatch(wire []byte) (*Batch, error) {
	body, err := unframe(wire)
	if err != nil {
		return nil, err
	}
	b := new(Batch)
	var raws [][]byte
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 {
			return nil, fmt.Errorf("%w: batch: %v", ErrMalformed, protowire.ParseError(n))
		}
		body = body[n:]
		var v uint64
		var bs []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(body)
		case protowire.Fixed64Type:
			v, n = protowire.ConsumeFixed64(body)
		case protowire.BytesType:
			bs, n = protowire.ConsumeBytes(body)
		default:
			n = protowire.ConsumeFieldValue(num, typ, body)
		}
		if n < 0 {
			return nil, fmt.Errorf("%w: batch field %d: %v", ErrMalformed, num, protowire.ParseError(n))
		}
		body = body[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			b.Version = uint32(v)
		case num == 2 && typ == protowire.BytesType:
			b.Tenant = string(bs)
		case num == 3 && typ == protowire.BytesType:
			b.Site = string(bs)
		case num == 4 && typ == protowire.Fixed64Type:
			b.Replica = ReplicaID(v)
		case num == 5 && typ == protowire.VarintType:
			b.From = v
		case num == 6 && typ == protowire.VarintType:
			b.To = v
		case num == 7 && typ == protowire.BytesType:
			if len(raws) == MaxBatchEvents {
				return nil, fmt.Errorf("%w: batch of more than %d events", ErrTooLarge, MaxBatchEvents)
			}
			// Capped, so that appending to one event's Raw cannot overwrite
			// the next event's bytes in the shared buffer.
			raws = append(raws, bs[:len(bs):len(bs)])
		case num <= 7:
			return nil, fmt.Errorf("%w: batch field %d has wire type %d", ErrMalformed, num, typ)
		}
		// Later fields are from a newer version: skipped.
	}
	if b.Version == 0 {
		return nil, fmt.Errorf("%w: batch", ErrVersion)
	}
	if b.Replica == 0 {
		return nil, fmt.Errorf("%w: batch has replica 0", ErrMalformed)
	}
	if err := ValidName(b.Site); err != nil {
		return nil, fmt.Errorf("%w: batch site: %v", ErrMalformed, err)
	}
	if b.Tenant != "" {
		if err := ValidName(b.Tenant); err != nil {
			return nil, fmt.Errorf("%w: batch tenant: %v", ErrMalformed, err)
		}
	}
	if b.From == 0 || b.To < b.From || b.To-b.From+1 != uint64(len(raws)) {
		return nil, fmt.Errorf("%w: seqs %d..%d with %d events", ErrNotConsecutive, b.From, b.To, len(raws))
	}
	b.Events = make([]Event, len(raws))
	for i, raw := range raws {
		ev, err := DecodeEvent(b.Replica, b.From+uint64(i), b.Site, raw)
		if err != nil {
			return nil, err
		}
		if ev.Msg.GetReplica() != 0 || ev.Msg.GetSeq() != 0 || ev.Msg.GetSite() != "" {
			return nil, fmt.Errorf("%w: event %d sets replica, seq or site inside a batch", ErrMalformed, ev.Seq)
		}
		b.Events[i] = ev
	}
	return b, nil
}

// frame prepends the format byte to body, compressing it with zstd above
// CompressThreshold.
func frame(body []byte) []byte {
	if len(body) > CompressThreshold {
		return zenc.EncodeAll(body, append(make([]byte, 0, len(body)/2), formatZstd))
	}
	return append([]byte{formatRaw}, body...)
}

// unframe checks wire's size and returns its body, decompressed if need
// be, in a fresh buffer (never pointing into wire) of at most
// MaxDecodedSize bytes.
func unframe(wire []byte) ([]byte, error) {
	if len(wire) > MaxWireSize {
		return nil, fmt.Errorf("%w: %d bytes on the wire, limit %d", ErrTooLarge, len(wire), MaxWireSize)
	}
	if len(wire) == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrMalformed)
	}
	switch wire[0] {
	case formatRaw:
		return bytes.Clone(wire[1:]), nil
	case formatZstd:
		return decompress(wire[1:])
	}
	return nil, fmt.Errorf("%w: unknown format byte %#x", ErrMalformed, wire[0])
}

func decompress(src []byte) ([]byte, error) {
	d := zdecs.Get().(*zstd.Decoder)
	defer zdecs.Put(d)
	if err := d.Reset(bytes.NewReader(src)); err != nil {
		return nil, fmt.Errorf("%w: zstd: %v", ErrMalformed, err)
	}
	out, err := io.ReadAll(io.LimitReader(d, MaxDecodedSize+1))
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
			return nil, fmt.Errorf("%w: decompressed batch over %d bytes", ErrTooLarge, MaxDecodedSize)
		}
		return nil, fmt.Errorf("%w: zstd: %v", ErrMalformed, err)
	}
	if len(out) > MaxDecodedSize {
		return nil, fmt.Errorf("%w: decompressed batch over %d bytes", ErrTooLarge, MaxDecodedSize)
	}
	return out, nil
}

// Message is a small control message: Ack, Pull, Status or MasterPull.
type Message interface {
	proto.Message
	GetVersion() uint32
}

// Encode marshals a control message, setting its version.
func Encode(m Message) ([]byte, error) {
	switch v := m.(type) {
	case *pb.Ack:
		v.Version = Version
	case *pb.Pull:
		v.Version = Version
	case *pb.Status:
		v.Version = Version
	case *pb.MasterPull:
		v.Version = Version
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", m, err)
	}
	if len(b) > MaxWireSize {
		return nil, fmt.Errorf("%w: %T of %d bytes", ErrTooLarge, m, len(b))
	}
	return b, nil
}

// Decode unmarshals a control message and checks its size and version.
func Decode(wire []byte, m Message) error {
	if len(wire) > MaxWireSize {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(wire))
	}
	if err := proto.Unmarshal(wire, m); err != nil {
		return fmt.Errorf("%w: %T: %v", ErrMalformed, m, err)
	}
	if m.GetVersion() == 0 {
		return fmt.Errorf("%w: %T", ErrVersion, m)
	}
	return nil
}
