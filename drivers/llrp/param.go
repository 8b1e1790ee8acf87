package llrp

import (
	"encoding/binary"
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// Parameter types (LLRP 1.1 §16.2). TV parameters are 1–127, TLV
// parameters 128–1023.
const (
	// TV parameters.
	tvAntennaID                = 1
	tvFirstSeenUTC             = 2
	tvFirstSeenUptime          = 3
	tvLastSeenUTC              = 4
	tvLastSeenUptime           = 5
	tvPeakRSSI                 = 6
	tvChannelIndex             = 7
	tvTagSeenCount             = 8
	tvROSpecID                 = 9
	tvInventoryParameterSpecID = 10
	tvC1G2CRC                  = 11
	tvC1G2PC                   = 12
	tvEPC96                    = 13
	tvSpecIndex                = 14
	tvClientRequestOpSpecRes   = 15
	tvAccessSpecID             = 16
	tvOpSpecID                 = 17
	tvC1G2SingulationDetails   = 18
	tvC1G2XPCW1                = 19
	tvC1G2XPCW2                = 20

	// TLV parameters.
	pUTCTimestamp                = 128
	pUptime                      = 129
	pROSpec                      = 177
	pROBoundarySpec              = 178
	pROSpecStartTrigger          = 179
	pROSpecStopTrigger           = 182
	pAISpec                      = 183
	pAISpecStopTrigger           = 184
	pInventoryParameterSpec      = 186
	pKeepaliveSpec               = 220
	pAntennaConfiguration        = 222
	pRFReceiver                  = 223
	pRFTransmitter               = 224
	pROReportSpec                = 237
	pTagReportContentSelector    = 238
	pTagReportData               = 240
	pEPCData                     = 241
	pReaderEventNotificationData = 246
	pConnectionAttemptEvent      = 256
	pConnectionCloseEvent        = 257
	pLLRPStatus                  = 287
	pFieldError                  = 288
	pParameterError              = 289
	pC1G2InventoryCommand        = 330
	pC1G2RFControl               = 335
	pC1G2SingulationControl      = 336
	pCustom                      = 1023
)

// tvLength is the body length of each TV parameter (the type byte
// excluded); 0 marks a type LLRP does not define, which cannot be skipped.
var tvLength = [128]int{
	tvAntennaID:                2,
	tvFirstSeenUTC:             8,
	tvFirstSeenUptime:          8,
	tvLastSeenUTC:              8,
	tvLastSeenUptime:           8,
	tvPeakRSSI:                 1,
	tvChannelIndex:             2,
	tvTagSeenCount:             2,
	tvROSpecID:                 4,
	tvInventoryParameterSpecID: 2,
	tvC1G2CRC:                  2,
	tvC1G2PC:                   2,
	tvEPC96:                    12,
	tvSpecIndex:                2,
	tvClientRequestOpSpecRes:   2,
	tvAccessSpecID:             4,
	tvOpSpecID:                 2,
	tvC1G2SingulationDetails:   4,
	tvC1G2XPCW1:                2,
	tvC1G2XPCW2:                2,
}

// Param is one encoded parameter: a TV (Type 1–127) or a TLV (Type
// 128–1023). Body excludes the parameter header.
type Param struct {
	Type uint16
	TV   bool
	Body []byte
}

// NextParam splits the first parameter off b. A TLV whose length is below
// its 4-byte header or beyond b, a TV of a type LLRP does not define (its
// length is unknown, so nothing after it can be read), or a TV cut short
// gives an error wrapping drivers.ErrProtocol.
func NextParam(b []byte) (Param, []byte, error) {
	if len(b) == 0 {
		return Param{}, nil, fmt.Errorf("no parameter: %w", drivers.ErrProtocol)
	}
	if b[0]&0x80 != 0 {
		t := uint16(b[0] & 0x7f)
		n := tvLength[t]
		if n == 0 {
			return Param{}, nil, fmt.Errorf("unknown TV parameter type %d: %w", t, drivers.ErrProtocol)
		}
		if len(b) < 1+n {
			return Param{}, nil, fmt.Errorf("TV parameter %d truncated: %d of %d bytes: %w", t, len(b), 1+n, drivers.ErrProtocol)
		}
		return Param{Type: t, TV: true, Body: b[1 : 1+n : 1+n]}, b[1+n:], nil
	}
	if len(b) < 4 {
		return Param{}, nil, fmt.Errorf("TLV parameter header truncated: %d bytes: %w", len(b), drivers.ErrProtocol)
	}
	// 6 reserved bits (ignored, as the spec asks of receivers), 10-bit type.
	t := binary.BigEndian.Uint16(b) & 0x3ff
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < 4 {
		return Param{}, nil, fmt.Errorf("TLV parameter %d length %d is shorter than its header: %w", t, n, drivers.ErrProtocol)
	}
	if n > len(b) {
		return Param{}, nil, fmt.Errorf("TLV parameter %d length %d exceeds the %d bytes left: %w", t, n, len(b), drivers.ErrProtocol)
	}
	return Param{Type: t, Body: b[4:n:n]}, b[n:], nil
}

// beginTLV appends a TLV header whose length endTLV fills in later; it
// returns the offset to hand to endTLV.
func beginTLV(b []byte, t uint16) ([]byte, int) {
	return append(b, byte(t>>8)&0x03, byte(t), 0, 0), len(b)
}

// endTLV sets the length of the TLV that starts at start to reach the end
// of b.
func endTLV(b []byte, start int) []byte {
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// fieldReader reads fixed fields from a parameter or message body and
// remembers the first shortfall, so decoders check once at the end.
type fieldReader struct {
	b    []byte
	what string
	err  error
}

func (r *fieldReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.b) < n {
		r.err = fmt.Errorf("%s truncated: need %d more bytes, have %d: %w", r.what, n, len(r.b), drivers.ErrProtocol)
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *fieldReader) u8() uint8 {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *fieldReader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *fieldReader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *fieldReader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// eachParam calls fn for every parameter in b, stopping at the first error.
func eachParam(b []byte, fn func(Param) error) error {
	for len(b) > 0 {
		p, rest, err := NextParam(b)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		b = rest
	}
	return nil
}
