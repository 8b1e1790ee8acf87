package llrp

import (
	"encoding/binary"
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// ConnectionStatus is the status of a ConnectionAttemptEvent.
type ConnectionStatus uint16

// ConnectionAttemptEvent statuses (LLRP 1.1 §13.2.6.13).
const (
	// ConnSuccess: the connection is accepted.
	ConnSuccess ConnectionStatus = 0
	// ConnReaderConnectionExists: refused, the reader already holds a
	// connection it initiated.
	ConnReaderConnectionExists ConnectionStatus = 1
	// ConnClientConnectionExists: refused, another client is connected.
	ConnClientConnectionExists ConnectionStatus = 2
	// ConnFailedOther: refused for any other reason.
	ConnFailedOther ConnectionStatus = 3
	// ConnAnotherAttempted: sent to the connected client when someone else
	// tried to connect.
	ConnAnotherAttempted ConnectionStatus = 4
)

// ReaderEvent is what this package reads from a READER_EVENT_NOTIFICATION:
// the timestamp and the connection events. Other events are skipped.
type ReaderEvent struct {
	// Timestamp is in microseconds: since the Unix epoch (UTC), or since
	// the reader booted when Uptime is set.
	Timestamp uint64
	Uptime    bool
	// ConnectionAttempt is set when the notification carries a
	// ConnectionAttemptEvent; ConnectionStatus is then its status.
	ConnectionAttempt bool
	ConnectionStatus  ConnectionStatus
	// ConnectionClosed is set when the reader announces it is closing the
	// connection (ConnectionCloseEvent).
	ConnectionClosed bool
}

// AppendReaderEvent appends the body of a READER_EVENT_NOTIFICATION
// carrying e to b.
func AppendReaderEvent(b []byte, e ReaderEvent) []byte {
	b, data := beginTLV(b, pReaderEventNotificationData)
	ts := uint16(pUTCTimestamp)
	if e.Uptime {
		ts = pUptime
	}
	b, start := beginTLV(b, ts)
	b = binary.BigEndian.AppendUint64(b, e.Timestamp)
	b = endTLV(b, start)
	if e.ConnectionAttempt {
		b, start = beginTLV(b, pConnectionAttemptEvent)
		b = binary.BigEndian.AppendUint16(b, uint16(e.ConnectionStatus))
		b = endTLV(b, start)
	}
	if e.ConnectionClosed {
		b, start = beginTLV(b, pConnectionCloseEvent)
		b = endTLV(b, start)
	}
	return endTLV(b, data)
}

// DecodeReaderEvent decodes the body of a READER_EVENT_NOTIFICATION. Bad
// bytes, or a notification without its ReaderEventNotificationData or
// timestamp, give an error wrapping drivers.ErrProtocol.
func DecodeReaderEvent(body []byte) (ReaderEvent, error) {
	var (
		e     ReaderEvent
		found bool
	)
	err := eachParam(body, func(p Param) error {
		if p.TV || p.Type != pReaderEventNotificationData {
			return nil
		}
		if found {
			return fmt.Errorf("two ReaderEventNotificationData parameters: %w", drivers.ErrProtocol)
		}
		found = true
		var haveTime bool
		err := eachParam(p.Body, func(q Param) error {
			if q.TV {
				return nil
			}
			switch q.Type {
			case pUTCTimestamp, pUptime:
				r := fieldReader{b: q.Body, what: "timestamp"}
				e.Timestamp = r.u64()
				e.Uptime = q.Type == pUptime
				haveTime = true
				return r.err
			case pConnectionAttemptEvent:
				r := fieldReader{b: q.Body, what: "ConnectionAttemptEvent"}
				e.ConnectionStatus = ConnectionStatus(r.u16())
				e.ConnectionAttempt = true
				return r.err
			case pConnectionCloseEvent:
				e.ConnectionClosed = true
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("ReaderEventNotificationData: %w", err)
		}
		if !haveTime {
			return fmt.Errorf("ReaderEventNotificationData without timestamp: %w", drivers.ErrProtocol)
		}
		return nil
	})
	if err != nil {
		return ReaderEvent{}, err
	}
	if !found {
		return ReaderEvent{}, fmt.Errorf("READER_EVENT_NOTIFICATION without ReaderEventNotificationData: %w", drivers.ErrProtocol)
	}
	return e, nil
}

// ReaderConfig is the part of SET_READER_CONFIG this package uses.
type ReaderConfig struct {
	ResetToFactoryDefault bool
	// KeepaliveMS is the interval of periodic KEEPALIVE messages in
	// milliseconds; 0 turns them off (KeepaliveSpec trigger Null). The
	// KeepaliveSpec is sent only when SetKeepalive is true.
	KeepaliveMS  uint32
	SetKeepalive bool
}

// AppendReaderConfig appends the body of a SET_READER_CONFIG to b.
func AppendReaderConfig(b []byte, c ReaderConfig) []byte {
	var flags byte
	if c.ResetToFactoryDefault {
		flags = 0x80
	}
	b = append(b, flags)
	if !c.SetKeepalive {
		return b
	}
	b, start := beginTLV(b, pKeepaliveSpec)
	trigger := byte(0)
	if c.KeepaliveMS > 0 {
		trigger = 1 // Periodic
	}
	b = append(b, trigger)
	b = binary.BigEndian.AppendUint32(b, c.KeepaliveMS)
	return endTLV(b, start)
}

// DecodeReaderConfig decodes the body of a SET_READER_CONFIG. Parameters
// other than KeepaliveSpec are skipped.
func DecodeReaderConfig(body []byte) (ReaderConfig, error) {
	r := fieldReader{b: body, what: "SET_READER_CONFIG"}
	var c ReaderConfig
	c.ResetToFactoryDefault = r.u8()&0x80 != 0
	if r.err != nil {
		return ReaderConfig{}, r.err
	}
	err := eachParam(r.b, func(p Param) error {
		if p.TV || p.Type != pKeepaliveSpec {
			return nil
		}
		k := fieldReader{b: p.Body, what: "KeepaliveSpec"}
		trigger := k.u8()
		ms := k.u32()
		if k.err != nil {
			return k.err
		}
		switch trigger {
		case 0:
			c.KeepaliveMS = 0
		case 1:
			c.KeepaliveMS = ms
		default:
			return fmt.Errorf("KeepaliveSpec trigger type %d: %w", trigger, drivers.ErrProtocol)
		}
		c.SetKeepalive = true
		return nil
	})
	if err != nil {
		return ReaderConfig{}, err
	}
	return c, nil
}

// AppendSupportedVersion appends the body of a
// GET_SUPPORTED_VERSION_RESPONSE to b.
func AppendSupportedVersion(b []byte, current, supported uint8, s Status) []byte {
	b = append(b, current, supported)
	return AppendStatus(b, s)
}

// DecodeSupportedVersion decodes the body of a
// GET_SUPPORTED_VERSION_RESPONSE: the current and the highest supported
// version, then the status (which, unlike every other response, comes
// after fixed fields).
func DecodeSupportedVersion(body []byte) (current, supported uint8, s Status, err error) {
	r := fieldReader{b: body, what: "GET_SUPPORTED_VERSION_RESPONSE"}
	current, supported = r.u8(), r.u8()
	if r.err != nil {
		return 0, 0, Status{}, r.err
	}
	s, err = DecodeStatus(r.b)
	return current, supported, s, err
}

// AppendROSpecID appends a 32-bit ROSpec ID, the body of DELETE_ROSPEC,
// ENABLE_ROSPEC, START_ROSPEC and their kin, to b.
func AppendROSpecID(b []byte, id uint32) []byte {
	return binary.BigEndian.AppendUint32(b, id)
}

// DecodeROSpecID decodes the ROSpec ID that starts body.
func DecodeROSpecID(body []byte) (uint32, error) {
	r := fieldReader{b: body, what: "ROSpecID"}
	id := r.u32()
	return id, r.err
}

// Impinj's LLRP extensions: their IANA private enterprise number, and the
// custom message subtypes that turn the extensions on for a connection.
const (
	ImpinjVendorID                 uint32 = 25882
	ImpinjEnableExtensions         uint8  = 21
	ImpinjEnableExtensionsResponse uint8  = 22
)

// impinjSearchModeSubtype is the ImpinjInventorySearchMode custom
// parameter subtype.
const impinjSearchModeSubtype = 23

// AppendCustomMessage appends the body of a CUSTOM_MESSAGE to b: vendor
// identifier, 8-bit message subtype, then the vendor's payload.
func AppendCustomMessage(b []byte, vendor uint32, subtype uint8, payload []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, vendor)
	b = append(b, subtype)
	return append(b, payload...)
}

// DecodeCustomMessage splits a CUSTOM_MESSAGE body into vendor, subtype
// and payload (which aliases body).
func DecodeCustomMessage(body []byte) (vendor uint32, subtype uint8, payload []byte, err error) {
	r := fieldReader{b: body, what: "CUSTOM_MESSAGE"}
	vendor, subtype = r.u32(), r.u8()
	return vendor, subtype, r.b, r.err
}
