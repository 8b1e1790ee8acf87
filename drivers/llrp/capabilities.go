package llrp

import (
	"encoding/binary"
	"fmt"
)

// GET_READER_CAPABILITIES and its response, and the parameters read from
// it: the manufacturer (GeneralDeviceCapabilities), and the transmit power
// table, frequencies and C1G2 RF mode table (RegulatoryCapabilities →
// UHFBandCapabilities).
const (
	pGeneralDeviceCapabilities     = 137
	pReceiveSensitivityTableEntry  = 139
	pPerAntennaAirProtocol         = 140
	pGPIOCapabilities              = 141
	pLLRPCapabilities              = 142
	pRegulatoryCapabilities        = 143
	pUHFBandCapabilities           = 144
	pTransmitPowerLevelTableEntry  = 145
	pFrequencyInformation          = 146
	pFrequencyHopTable             = 147
	pFixedFrequencyTable           = 148
	pC1G2LLRPCapabilities          = 327
	pUHFC1G2RFModeTable            = 328
	pUHFC1G2RFModeTableEntry       = 329
	protocolEPCGlobalClass1Gen2    = 1
	generalCanSetAntennaProperties = 0x8000
	generalHasUTCClock             = 0x4000
)

// GET_READER_CAPABILITIES' RequestedData values.
const (
	// CapabilitiesAll asks for every capability parameter.
	CapabilitiesAll uint8 = 0
	// CapabilitiesGeneral asks for the general device capabilities
	// (manufacturer, model, firmware, antennas, UTC clock).
	CapabilitiesGeneral uint8 = 1
	// CapabilitiesLLRP asks for the LLRP capabilities (ROSpec limits).
	CapabilitiesLLRP uint8 = 2
	// CapabilitiesRegulatory asks for the regulatory capabilities (power
	// table, frequencies, RF modes).
	CapabilitiesRegulatory uint8 = 3
	// CapabilitiesAirProtocol asks for the air protocol (C1G2) LLRP
	// capabilities.
	CapabilitiesAirProtocol uint8 = 4
)

// PowerLevel is one entry of a reader's transmit power table.
type PowerLevel struct {
	Index uint16
	// CdBm is the power in hundredths of a dBm (3000 is 30.00 dBm).
	CdBm int16
}

// Capabilities is the part of a reader's capabilities the driver uses, and
// what the emulator reports.
type Capabilities struct {
	// General is set when the response held GeneralDeviceCapabilities;
	// the fields up to UTCClock come from it. Manufacturer is the IANA
	// private enterprise number of the reader's maker (ImpinjVendorID for
	// Impinj), Model the maker's model number.
	General      bool
	Manufacturer uint32
	Model        uint32
	Firmware     string
	MaxAntennas  uint16
	// UTCClock: the reader says it has a UTC clock. Without one its
	// timestamps are uptime.
	UTCClock bool
	// CountryCode is the ISO 3166 numeric code the reader is set for (0:
	// unspecified).
	CountryCode uint16
	TxPower     []PowerLevel
	// Hopping and Frequencies are the FrequencyInformation: the channels
	// in kHz of the first hop table, or of the fixed frequency table when
	// the reader does not hop.
	Hopping     bool
	Frequencies []uint32
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
// GET_READER_CAPABILITIES_RESPONSE to b, as a reader answers the
// RequestedData requested: the status, then, on success, the parameters
// asked for, in the order and with the sub-parameters the spec requires
// (GeneralDeviceCapabilities with a receive sensitivity table, GPIO
// capabilities and one PerAntennaAirProtocol per antenna;
// LLRPCapabilities; RegulatoryCapabilities with the power table,
// FrequencyInformation and the RF mode table; C1G2LLRPCapabilities).
// Fields c does not hold are given plausible values.
func AppendCapabilitiesResponse(b []byte, s Status, requested uint8, c Capabilities) []byte {
	b = AppendStatus(b, s)
	if s.Code != StatusSuccess {
		return b
	}
	all := requested == CapabilitiesAll
	if all || requested == CapabilitiesGeneral {
		b = appendGeneralCapabilities(b, c)
	}
	if all || requested == CapabilitiesLLRP {
		var start int
		b, start = beginTLV(b, pLLRPCapabilities)
		// No RF survey, buffer warnings, client OpSpecs, state-aware
		// singulation or report holding; one priority level; no OpSpec
		// timeout.
		b = append(b, 0, 1, 0, 0)
		for _, v := range []uint32{8, 1, 1, 0, 0} { // ROSpecs, specs per ROSpec, IPSpecs per AISpec, AccessSpecs, OpSpecs
			b = binary.BigEndian.AppendUint32(b, v)
		}
		b = endTLV(b, start)
	}
	if all || requested == CapabilitiesRegulatory {
		b = appendRegulatoryCapabilities(b, c)
	}
	if all || requested == CapabilitiesAirProtocol {
		var start int
		b, start = beginTLV(b, pC1G2LLRPCapabilities)
		b = append(b, 0)                        // no block erase, write, permalock, recommissioning, UMI method 2, XPC
		b = binary.BigEndian.AppendUint16(b, 2) // MaxNumSelectFiltersPerQuery
		b = endTLV(b, start)
	}
	return b
}

func appendGeneralCapabilities(b []byte, c Capabilities) []byte {
	b, gen := beginTLV(b, pGeneralDeviceCapabilities)
	antennas := max(c.MaxAntennas, 1)
	b = binary.BigEndian.AppendUint16(b, antennas)
	flags := uint16(generalCanSetAntennaProperties)
	if c.UTCClock {
		flags |= generalHasUTCClock
	}
	b = binary.BigEndian.AppendUint16(b, flags)
	b = binary.BigEndian.AppendUint32(b, c.Manufacturer)
	b = binary.BigEndian.AppendUint32(b, c.Model)
	fw := c.Firmware
	if len(fw) > 0xffff {
		fw = fw[:0xffff]
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(fw)))
	b = append(b, fw...)
	var start int
	b, start = beginTLV(b, pReceiveSensitivityTableEntry)
	b = binary.BigEndian.AppendUint16(b, 1) // index 1: 0 dB, the reader's own sensitivity
	b = binary.BigEndian.AppendUint16(b, 0)
	b = endTLV(b, start)
	b, start = beginTLV(b, pGPIOCapabilities)
	b = binary.BigEndian.AppendUint32(b, 0) // no GPIs, no GPOs
	b = endTLV(b, start)
	for a := uint16(1); a <= antennas; a++ {
		b, start = beginTLV(b, pPerAntennaAirProtocol)
		b = binary.BigEndian.AppendUint16(b, a)
		b = binary.BigEndian.AppendUint16(b, 1) // one protocol ID
		b = append(b, protocolEPCGlobalClass1Gen2)
		b = endTLV(b, start)
	}
	return endTLV(b, gen)
}

func appendRegulatoryCapabilities(b []byte, c Capabilities) []byte {
	b, reg := beginTLV(b, pRegulatoryCapabilities)
	b = binary.BigEndian.AppendUint16(b, c.CountryCode)
	b = binary.BigEndian.AppendUint16(b, 0) // CommunicationsStandard: unspecified
	b, band := beginTLV(b, pUHFBandCapabilities)
	power := c.TxPower
	if len(power) == 0 {
		// The spec wants at least one entry.
		power = []PowerLevel{{Index: 1, CdBm: 3000}}
	}
	for _, p := range power {
		var start int
		b, start = beginTLV(b, pTransmitPowerLevelTableEntry)
		b = binary.BigEndian.AppendUint16(b, p.Index)
		b = binary.BigEndian.AppendUint16(b, uint16(p.CdBm))
		b = endTLV(b, start)
	}
	b, freq := beginTLV(b, pFrequencyInformation)
	freqs := c.Frequencies
	if len(freqs) == 0 {
		freqs = []uint32{920625}
	}
	if c.Hopping {
		b = append(b, 0x80)
		var start int
		b, start = beginTLV(b, pFrequencyHopTable)
		b = append(b, 1, 0) // HopTableID 1, reserved
		b = binary.BigEndian.AppendUint16(b, uint16(len(freqs)))
		for _, f := range freqs {
			b = binary.BigEndian.AppendUint32(b, f)
		}
		b = endTLV(b, start)
	} else {
		b = append(b, 0)
		var start int
		b, start = beginTLV(b, pFixedFrequencyTable)
		b = binary.BigEndian.AppendUint16(b, uint16(len(freqs)))
		for _, f := range freqs {
			b = binary.BigEndian.AppendUint32(b, f)
		}
		b = endTLV(b, start)
	}
	b = endTLV(b, freq)
	b, table := beginTLV(b, pUHFC1G2RFModeTable)
	modes := c.Modes
	if len(modes) == 0 {
		modes = []uint32{0} // the spec wants at least one entry
	}
	for _, m := range modes {
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
// its status, the general device capabilities, and the power, frequency
// and mode tables, each when present. Parameters it does not use are
// skipped. Bad bytes give an error wrapping drivers.ErrProtocol.
func DecodeCapabilities(body []byte) (Capabilities, Status, error) {
	st, err := DecodeStatus(body)
	if err != nil {
		return Capabilities{}, Status{}, err
	}
	var c Capabilities
	err = eachParam(body, func(p Param) error {
		if p.TV {
			return nil
		}
		switch p.Type {
		case pGeneralDeviceCapabilities:
			return c.decodeGeneral(p.Body)
		case pRegulatoryCapabilities:
			return c.decodeRegulatory(p.Body)
		}
		return nil
	})
	if err != nil {
		return Capabilities{}, Status{}, fmt.Errorf("GET_READER_CAPABILITIES_RESPONSE: %w", err)
	}
	return c, st, nil
}

func (c *Capabilities) decodeGeneral(body []byte) error {
	r := fieldReader{b: body, what: "GeneralDeviceCapabilities"}
	c.MaxAntennas = r.u16()
	flags := r.u16()
	c.Manufacturer = r.u32()
	c.Model = r.u32()
	fw := r.take(int(r.u16()))
	if r.err != nil {
		return r.err
	}
	c.General = true
	c.UTCClock = flags&generalHasUTCClock != 0
	c.Firmware = printable(fw)
	return nil
}

func (c *Capabilities) decodeRegulatory(body []byte) error {
	r := fieldReader{b: body, what: "RegulatoryCapabilities"}
	c.CountryCode = r.u16()
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
			case pFrequencyInformation:
				return c.decodeFrequencies(e.Body)
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
}

func (c *Capabilities) decodeFrequencies(body []byte) error {
	r := fieldReader{b: body, what: "FrequencyInformation"}
	c.Hopping = r.u8()&0x80 != 0
	if r.err != nil {
		return r.err
	}
	return eachParam(r.b, func(p Param) error {
		if p.TV || c.Frequencies != nil {
			return nil
		}
		var f fieldReader
		switch p.Type {
		case pFrequencyHopTable:
			f = fieldReader{b: p.Body, what: "FrequencyHopTable"}
			f.u8() // HopTableID
			f.u8() // reserved
		case pFixedFrequencyTable:
			f = fieldReader{b: p.Body, what: "FixedFrequencyTable"}
		default:
			return nil
		}
		n := int(f.u16())
		freqs := make([]uint32, 0, min(n, len(f.b)/4))
		for range n {
			freqs = append(freqs, f.u32())
		}
		if f.err != nil {
			return f.err
		}
		c.Frequencies = freqs
		return nil
	})
}
