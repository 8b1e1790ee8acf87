package llrp

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/jxc-edge/jxc/drivers"
)

// LLRP protocol versions as the 3-bit header field carries them.
const (
	// Version101 is LLRP 1.0.1, which every reader speaks.
	Version101 uint8 = 1
	// Version11 is LLRP 1.1, negotiated with GET_SUPPORTED_VERSION and
	// SET_PROTOCOL_VERSION.
	Version11 uint8 = 2
)

// HeaderLen is the length of an LLRP message header: 3 reserved bits, a
// 3-bit version, a 10-bit message type, a 32-bit length (of the whole
// message, header included) and a 32-bit message ID, all big-endian.
const HeaderLen = 10

// DefaultMaxMessageSize bounds the length a message header may claim; a
// larger length is rejected before anything is allocated for it.
const DefaultMaxMessageSize = 1 << 20

// MessageType is the 10-bit LLRP message type.
type MessageType uint16

// The message types this package speaks (LLRP 1.1 §16, binary encoding).
const (
	MsgGetReaderCapabilities         MessageType = 1
	MsgSetReaderConfig               MessageType = 3
	MsgCloseConnectionResponse       MessageType = 4
	MsgGetReaderCapabilitiesResponse MessageType = 11
	MsgSetReaderConfigResponse       MessageType = 13
	MsgCloseConnection               MessageType = 14
	MsgAddROSpec                     MessageType = 20
	MsgDeleteROSpec                  MessageType = 21
	MsgStartROSpec                   MessageType = 22
	MsgStopROSpec                    MessageType = 23
	MsgEnableROSpec                  MessageType = 24
	MsgDisableROSpec                 MessageType = 25
	MsgAddROSpecResponse             MessageType = 30
	MsgDeleteROSpecResponse          MessageType = 31
	MsgStartROSpecResponse           MessageType = 32
	MsgStopROSpecResponse            MessageType = 33
	MsgEnableROSpecResponse          MessageType = 34
	MsgDisableROSpecResponse         MessageType = 35
	MsgGetSupportedVersion           MessageType = 46
	MsgSetProtocolVersion            MessageType = 47
	MsgGetSupportedVersionResponse   MessageType = 56
	MsgSetProtocolVersionResponse    MessageType = 57
	MsgROAccessReport                MessageType = 61
	MsgKeepalive                     MessageType = 62
	MsgReaderEventNotification       MessageType = 63
	MsgKeepaliveAck                  MessageType = 72
	MsgErrorMessage                  MessageType = 100
	MsgCustomMessage                 MessageType = 1023
)

var messageNames = map[MessageType]string{
	MsgGetReaderCapabilities:         "GET_READER_CAPABILITIES",
	MsgGetReaderCapabilitiesResponse: "GET_READER_CAPABILITIES_RESPONSE",
	MsgSetReaderConfig:               "SET_READER_CONFIG",
	MsgCloseConnectionResponse:       "CLOSE_CONNECTION_RESPONSE",
	MsgSetReaderConfigResponse:       "SET_READER_CONFIG_RESPONSE",
	MsgCloseConnection:               "CLOSE_CONNECTION",
	MsgAddROSpec:                     "ADD_ROSPEC",
	MsgDeleteROSpec:                  "DELETE_ROSPEC",
	MsgStartROSpec:                   "START_ROSPEC",
	MsgStopROSpec:                    "STOP_ROSPEC",
	MsgEnableROSpec:                  "ENABLE_ROSPEC",
	MsgDisableROSpec:                 "DISABLE_ROSPEC",
	MsgAddROSpecResponse:             "ADD_ROSPEC_RESPONSE",
	MsgDeleteROSpecResponse:          "DELETE_ROSPEC_RESPONSE",
	MsgStartROSpecResponse:           "START_ROSPEC_RESPONSE",
	MsgStopROSpecResponse:            "STOP_ROSPEC_RESPONSE",
	MsgEnableROSpecResponse:          "ENABLE_ROSPEC_RESPONSE",
	MsgDisableROSpecResponse:         "DISABLE_ROSPEC_RESPONSE",
	MsgGetSupportedVersion:           "GET_SUPPORTED_VERSION",
	MsgSetProtocolVersion:            "SET_PROTOCOL_VERSION",
	MsgGetSupportedVersionResponse:   "GET_SUPPORTED_VERSION_RESPONSE",
	MsgSetProtocolVersionResponse:    "SET_PROTOCOL_VERSION_RESPONSE",
	MsgROAccessReport:                "RO_ACCESS_REPORT",
	MsgKeepalive:                     "KEEPALIVE",
	MsgReaderEventNotification:       "READER_EVENT_NOTIFICATION",
	MsgKeepaliveAck:                  "KEEPALIVE_ACK",
	MsgErrorMessage:                  "ERROR_MESSAGE",
	MsgCustomMessage:                 "CUSTOM_MESSAGE",
}

// String returns the LLRP name of t, or "message type N".
func (t MessageType) String() string {
	if s, ok := messageNames[t]; ok {
		return s
	}
	return fmt.Sprintf("message type %d", uint16(t))
}

// Message is one LLRP message. Body is everything after the header: the
// message's fields and parameters.
type Message struct {
	Version uint8
	Type    MessageType
	ID      uint32
	Body    []byte
}

// AppendMessage appends m, framed with its header, to b.
func AppendMessage(b []byte, m Message) []byte {
	b = appendHeader(b, m.Version, m.Type, uint32(HeaderLen+len(m.Body)), m.ID)
	return append(b, m.Body...)
}

func appendHeader(b []byte, version uint8, t MessageType, length, id uint32) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(version&7)<<10|uint16(t)&0x3ff)
	b = binary.BigEndian.AppendUint32(b, length)
	return binary.BigEndian.AppendUint32(b, id)
}

// VersionError is a message whose header names an LLRP version other than
// 1.0.1 and 1.1 but whose length is sane. It was read whole, so the stream
// is still in step: the LLRP spec has a reader answer it with an
// ERROR_MESSAGE carrying M_UnsupportedVersion and the message's ID, and a
// client can skip it. It wraps drivers.ErrProtocol.
type VersionError struct {
	Version uint8
	Type    MessageType
	ID      uint32
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("%v (ID %d) in unsupported LLRP version %d: %v", e.Type, e.ID, e.Version, drivers.ErrProtocol)
}

// Unwrap returns drivers.ErrProtocol.
func (e *VersionError) Unwrap() error { return drivers.ErrProtocol }

// parseHeader checks a message header and returns its fields. The length
// must be at least HeaderLen and at most max; the version 1 or 2. A header
// whose only fault is its version gives a *VersionError: the message can
// be skipped by its length.
func parseHeader(h []byte, max int) (version uint8, t MessageType, length, id uint32, err error) {
	v := binary.BigEndian.Uint16(h)
	version = uint8(v>>10) & 7
	t = MessageType(v & 0x3ff)
	length = binary.BigEndian.Uint32(h[2:])
	id = binary.BigEndian.Uint32(h[6:])
	badVersion := version != Version101 && version != Version11
	var lenErr string
	switch {
	case length < HeaderLen:
		lenErr = fmt.Sprintf("length %d is shorter than its header", length)
	case uint64(length) > uint64(max):
		lenErr = fmt.Sprintf("length %d exceeds the %d-byte limit", length, max)
	}
	switch {
	case badVersion && lenErr != "":
		return 0, 0, 0, 0, fmt.Errorf("message header %X: unknown LLRP version %d, %s: %w", h[:HeaderLen], version, lenErr, drivers.ErrProtocol)
	case lenErr != "":
		return 0, 0, 0, 0, fmt.Errorf("%v message %s: %w", t, lenErr, drivers.ErrProtocol)
	case badVersion:
		return version, t, length, id, &VersionError{Version: version, Type: t, ID: id}
	}
	return version, t, length, id, nil
}

// DecodeMessage decodes the first message in b and returns it with the
// number of bytes it took. Body aliases b. A header that breaks the rules
// (unknown version, length below 10 or above max), or a b shorter than the
// length claimed, gives an error wrapping drivers.ErrProtocol; for a
// *VersionError the count is the message's length, so it can be skipped. A
// max ≤ 0 means DefaultMaxMessageSize.
func DecodeMessage(b []byte, max int) (Message, int, error) {
	if max <= 0 {
		max = DefaultMaxMessageSize
	}
	if len(b) < HeaderLen {
		return Message{}, 0, fmt.Errorf("truncated message header: %d bytes: %w", len(b), drivers.ErrProtocol)
	}
	v, t, n, id, err := parseHeader(b, max)
	var ve *VersionError
	if err != nil && !errors.As(err, &ve) {
		return Message{}, 0, err
	}
	if uint64(len(b)) < uint64(n) {
		return Message{}, 0, fmt.Errorf("truncated %v: %d of %d bytes: %w", t, len(b), n, drivers.ErrProtocol)
	}
	if ve != nil {
		return Message{}, int(n), ve
	}
	return Message{Version: v, Type: t, ID: id, Body: b[HeaderLen:n:n]}, int(n), nil
}

// MessageReader reads LLRP messages from a stream, reusing one buffer.
type MessageReader struct {
	r   *bufio.Reader
	max int
	hdr [HeaderLen]byte
	buf []byte
}

// NewMessageReader returns a MessageReader on r that rejects messages longer
// than max bytes (max ≤ 0 means DefaultMaxMessageSize).
func NewMessageReader(r io.Reader, max int) *MessageReader {
	if max <= 0 {
		max = DefaultMaxMessageSize
	}
	return &MessageReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next reads the next message. Its Body is valid until the next call. A
// message in an unsupported LLRP version is read whole and gives a
// *VersionError: the stream stays in step and Next may be called again.
// Any other bad header gives an error wrapping drivers.ErrProtocol, and the
// stream is then out of step and must be closed; I/O errors are returned
// as they are (a stream ending inside a message gives io.ErrUnexpectedEOF).
func (mr *MessageReader) Next() (Message, error) {
	if _, err := io.ReadFull(mr.r, mr.hdr[:]); err != nil {
		return Message{}, err
	}
	v, t, n, id, err := parseHeader(mr.hdr[:], mr.max)
	var ve *VersionError
	if err != nil && !errors.As(err, &ve) {
		return Message{}, err
	}
	if ve != nil {
		if _, err := mr.r.Discard(int(n) - HeaderLen); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return Message{}, fmt.Errorf("read %v body: %w", t, err)
		}
		return Message{}, ve
	}
	size := int(n) - HeaderLen
	if cap(mr.buf) < size {
		// Grow geometrically so a burst of growing reports does not
		// reallocate each time; never past the limit.
		c := max(size, 2*cap(mr.buf))
		c = min(c, mr.max)
		mr.buf = make([]byte, size, c)
	}
	body := mr.buf[:size]
	if _, err := io.ReadFull(mr.r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Message{}, fmt.Errorf("read %v body: %w", t, err)
	}
	return Message{Version: v, Type: t, ID: id, Body: body}, nil
}
