package llrp

import (
	"encoding/binary"
	"fmt"
)

// GET_READER_CAPABILITIES and its response, and the parameters read from
// it: the transmit power table and the C1G2 RF mode table, both inside
// RegulatoryCapabilities → UHFBandCapabilities.
const (
	pRegulatoryCapabilities       = 143
	pUHFBandCapabilities          = 144
	pTransmitPowerLevelTableEntry = 145
	pUHFC1G2RFModeTable           = 328
	pUHFC1G2RFModeTableEntry      = 329
)

// CapabilitiesRegulatory is GET_READER_CAPABILITIES' RequestedData for
// the regulatory capabilities (power table, frequencies, RF modes).
const CapabilitiesRegulatory uint8 = 3

// PowerLevel is one entry of a reader's transmit power table.
type PowerLevel struct {
	Index uint16
	// CdBm is the power in hundredths of a dBm (3000 is 30.00 dBm).
	CdBm int16
}

// Capabilities is the part of a reader's capabilities the driver uses.
type Capabilities struct {
	TxPower []PowerLevel
	// Modes are the ModeIdentifiers of the UHFC1G2RFModeTable.
	Modes []uint32
}

// NearestPower returns the index of the table entry closest to cdBm (the
// lower one on a tie), or false for an empty table.
func (c Capabilities) NearestPower(cdBm int) (uint16, bool) {
	best, bestDiff, found := uint16(0), 0, false
	for _, p := range c.TxPower {
		d := int(p.CdBm) - cdBm
		if d < 0 {
			d = -d
		}
		if !found || d < bestDiff || d == bestDiff && int(p.CdBm) < cdBm {
			best, bestDiff, found = p.Index, d, true
		}
	}
	return best, found
}

// AppendCapabilitiesResponse appends the body of a
// GET_READER_CAPABILITIES_RESPONSE to b: the status, then, on success,
// RegulatoryCapabilities holding c's power table and mode table.
func AppendCapabilitiesResponse(b []byte, s Status, c Capabilities) []byte {
	b = AppendStatus(b, s)
	if s.Code != StatusSuccess {
		return b
	}
	b, reg := beginTLV(b, pRegulatoryCapabilities)
	b = binary.BigEndian.AppendUint16(b, 0) // CountryCode: unspecified
	b = binary.BigEndian.AppendUint16(b, 0) // CommunicationsStandard: unspecified
	b, band := beginTLV(b, pUHFBandCapabilities)
	for _, p := range c.TxPower {
		var start int
		b, start = beginTLV(b, pTransmitPowerLevelTableEntry)
		b = binary.BigEndian.AppendUint16(b, p.Index)
		b = binary.BigEndian.AppendUint16(b, uint16(p.CdBm))
		b = endTLV(b, start)
	}
	b, table := beginTLV(b, pUHFC1G2RFModeTable)
	for _, m := range c.Modes {
		var start int
		b, start = beginTLV(b, pUHFC1G2RFModeTableEntry)
		b = binary.BigEndian.AppendUint32(b, m)
		// DR 64/3, M4, DSB-ASK, dense-interrogator mask; BDR 250 kbps,
		// PIE 2.0, Tari 25 µs.
		b = append(b, 0x80, 2, 2, 2)
		for _, v := range []uint32{250000, 2000, 25000, 25000, 0} {
			b = binary.BigEndian.AppendUint32(b, v)
		}
		b = endTLV(b, start)
	}
	b = endTLV(b, table)
	b = endTLV(b, band)
	return endTLV(b, reg)
}

// DecodeCapabilities decodes the body of a GET_READER_CAPABILITIES_RESPONSE:
// its status, and the power and mode tables when present. Parameters it
// does not use are skipped. Bad bytes give an error wrapping
// drivers.ErrProtocol.
func DecodeCapabilities(body []byte) (Capabilities, Status, error) {
	st, err := DecodeStatus(body)
	if err != nil {
		return Capabilities{}, Status{}, err
	}
	var c Capabilities
	err = eachParam(body, func(p Param) error {
		if p.TV || p.Type != pRegulatoryCapabilities {
			return nil
		}
		r := fieldReader{b: p.Body, what: "RegulatoryCapabilities"}
		r.u16() // CountryCode
		r.u16() // CommunicationsStandard
		if r.err != nil {
			return r.err
		}
		return eachParam(r.b, func(q Param) error {
			if q.TV || q.Type != pUHFBandCapabilities {
				return nil
			}
			return eachParam(q.Body, func(e Param) error {
				if e.TV {
					return nil
				}
				switch e.Type {
				case pTransmitPowerLevelTableEntry:
					f := fieldReader{b: e.Body, what: "TransmitPowerLevelTableEntry"}
					lvl := PowerLevel{Index: f.u16(), CdBm: int16(f.u16())}
					if f.err != nil {
						return f.err
					}
					c.TxPower = append(c.TxPower, lvl)
				case pUHFC1G2RFModeTable:
					return eachParam(e.Body, func(m Param) error {
						if m.TV || m.Type != pUHFC1G2RFModeTableEntry {
							return nil
						}
						f := fieldReader{b: m.Body, what: "UHFC1G2RFModeTableEntry"}
						id := f.u32()
						if f.err != nil {
							return f.err
						}
						c.Modes = append(c.Modes, id)
						return nil
					})
				}
				return nil
			})
		})
	})
	if err != nil {
		return Capabilities{}, Status{}, fmt.Errorf("GET_READER_CAPABILITIES_RESPONSE: %w", err)
	}
	return c, st, nil
}
