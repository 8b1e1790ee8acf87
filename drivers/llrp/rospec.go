package llrp

import (
	"encoding/binary"
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// SearchMode is Impinj's inventory search mode (ImpinjInventorySearchMode,
// a custom parameter of Impinj readers only).
type SearchMode uint16

// Impinj inventory search modes. SearchModeUnset sends nothing, which
// keeps the reader's own choice and works on every reader.
const (
	SearchModeUnset SearchMode = 0
	// SearchModeSingleTarget inventories tags from state A to B only.
	SearchModeSingleTarget SearchMode = 1
	// SearchModeDualTarget flips tags A→B then B→A: each tag is read
	// repeatedly, good for direction from antenna order.
	SearchModeDualTarget SearchMode = 2
	// SearchModeSingleTargetSuppression is Impinj TagFocus (session 1).
	SearchModeSingleTargetSuppression SearchMode = 3
)

// AntennaConfig is one antenna of an ROSpec.
type AntennaConfig struct {
	// ID is the reader's antenna port, from 1.
	ID uint16
	// TxPowerIndex is an index into the reader's transmit power table
	// (GET_READER_CAPABILITIES, from 1). When it is 0, TxPowerCdBm (in
	// hundredths of a dBm, 3000 = 30.00 dBm) picks the table entry nearest
	// to it, read from the reader on each connect; both 0 keep the
	// reader's setting.
	TxPowerIndex uint16
	TxPowerCdBm  int
	// RxSensitivityIndex is an index into the reader's receive sensitivity
	// table (from 1); 0 keeps the reader's setting.
	RxSensitivityIndex uint16
	// HopTableID and ChannelIndex go with TxPowerIndex in RFTransmitter;
	// 0 means 1, the first (usually only) hop table and channel.
	HopTableID, ChannelIndex uint16
}

// ROSpecConfig is the reader operation the driver installs on every
// connect: one AISpec that inventories EPC Class 1 Gen 2 tags on the given
// antennas until it is deleted (stop triggers Null), and reports tags as
// configured. Zero values give a working ROSpec on any reader.
type ROSpecConfig struct {
	// ID names the ROSpec on the reader; 0 means 1 (0 is "all ROSpecs" in
	// DELETE_ROSPEC and cannot name one).
	ID uint32
	// Priority is 0 (highest) to 7.
	Priority uint8
	// StartImmediate makes the start trigger Immediate, so the ROSpec runs
	// as soon as it is enabled; otherwise the trigger is Null and the driver
	// starts it with START_ROSPEC.
	StartImmediate bool
	// Antennas lists the antennas to inventory and their settings; empty
	// means every antenna (antenna ID 0) with the reader's RF settings.
	Antennas []AntennaConfig
	// ModeIndex selects the reader's C1G2 RF mode (an index into its
	// UHFC1G2RFModeTable; vendors number them differently, Impinj's 1000
	// is "autoset"). Tari is in ns; 0 lets the mode choose.
	ModeIndex uint16
	Tari      uint16
	// Session is the Gen2 session, 0–3 (gate portals usually use 1 or 2).
	Session uint8
	// TagPopulation is the expected number of tags in the field at once
	// and TagTransitTimeMS the expected time one stays there; the reader
	// tunes its anticollision from them. 0 leaves them to the reader.
	TagPopulation    uint16
	TagTransitTimeMS uint32
	// SearchMode is sent as Impinj's custom parameter when not
	// SearchModeUnset and the reader is an Impinj one (Config.Vendor, or
	// its capabilities); the driver then first enables Impinj extensions
	// (IMPINJ_ENABLE_EXTENSIONS). Other readers get the ROSpec without it.
	SearchMode SearchMode
	// ReportEveryN makes the reader send an RO_ACCESS_REPORT once N tag
	// reports are buffered (ROReportTrigger "upon N tags or end of AISpec";
	// the AISpec never ends). 0 means 1: every tag read at once.
	ReportEveryN uint16
	// ReportTimeoutMS, when not 0 and the connection runs LLRP 1.1, makes
	// the reader report every that many milliseconds instead (trigger
	// "upon N milliseconds", LLRP 1.1 only; LLRP has no "N tags or
	// timeout" trigger). On an LLRP 1.0.1 reader ReportEveryN applies.
	ReportTimeoutMS uint16
}

// TagField is a set of the optional TagReportData fields. Its bits are the
// TagReportContentSelector's (LLRP 1.1 §13.2.1.1).
type TagField uint16

// Tag report fields.
const (
	FieldROSpecID                 TagField = 1 << 15
	FieldSpecIndex                TagField = 1 << 14
	FieldInventoryParameterSpecID TagField = 1 << 13
	FieldAntennaID                TagField = 1 << 12
	FieldChannelIndex             TagField = 1 << 11
	FieldPeakRSSI                 TagField = 1 << 10
	FieldFirstSeen                TagField = 1 << 9
	FieldLastSeen                 TagField = 1 << 8
	FieldTagSeenCount             TagField = 1 << 7
	FieldAccessSpecID             TagField = 1 << 6
)

// ReportFields are the fields the driver asks readers to report.
const ReportFields = FieldAntennaID | FieldPeakRSSI | FieldFirstSeen | FieldLastSeen | FieldTagSeenCount

// ROReportTrigger values (LLRP 1.1 §13.2.1).
const (
	ReportTriggerNone             uint8 = 0
	ReportTriggerNTagsOrEndAISpec uint8 = 1
	ReportTriggerNTagsOrEndROSpec uint8 = 2
	ReportTriggerNMillisOrEndAI   uint8 = 5 // LLRP 1.1 only
)

// protocolEPCGlobalC1G2 is the InventoryParameterSpec ProtocolID of EPC
// Class 1 Gen 2.
const protocolEPCGlobalC1G2 = 1

// ROSpec is an ROSpec as it travels in ADD_ROSPEC: the configuration and
// what the encoder derived from it for the connection's version.
type ROSpec struct {
	ROSpecConfig
	// ReportTrigger and ReportN are the ROReportSpec's trigger and N.
	ReportTrigger uint8
	ReportN       uint16
	// Fields is the TagReportContentSelector.
	Fields TagField
	// AntennaIDs are the AISpec's antennas (0 means all).
	AntennaIDs []uint16
}

// Normalized returns c with its defaults filled in (ID 1, ReportEveryN 1),
// or an error if a field is out of range.
func (c ROSpecConfig) Normalized() (ROSpecConfig, error) {
	if c.ID == 0 {
		c.ID = 1
	}
	if c.ReportEveryN == 0 {
		c.ReportEveryN = 1
	}
	if c.Priority > 7 {
		return c, fmt.Errorf("rospec priority %d out of 0..7", c.Priority)
	}
	if c.Session > 3 {
		return c, fmt.Errorf("rospec session %d out of 0..3", c.Session)
	}
	seen := map[uint16]bool{}
	for _, a := range c.Antennas {
		if a.ID == 0 {
			return c, fmt.Errorf("rospec antenna ID 0: list antennas from 1, or none for all")
		}
		if seen[a.ID] {
			return c, fmt.Errorf("rospec antenna %d listed twice", a.ID)
		}
		seen[a.ID] = true
	}
	return c, nil
}

// AppendAddROSpec appends the body of an ADD_ROSPEC for c, as sent on a
// connection running the given LLRP version, to b. The ROSpec is added
// disabled. c should be Normalized.
func AppendAddROSpec(b []byte, c ROSpecConfig, version uint8) []byte {
	b, spec := beginTLV(b, pROSpec)
	b = binary.BigEndian.AppendUint32(b, c.ID)
	b = append(b, c.Priority, 0) // CurrentState: Disabled

	b, boundary := beginTLV(b, pROBoundarySpec)
	b, start := beginTLV(b, pROSpecStartTrigger)
	if c.StartImmediate {
		b = append(b, 1) // Immediate
	} else {
		b = append(b, 0) // Null: START_ROSPEC starts it
	}
	b = endTLV(b, start)
	b, start = beginTLV(b, pROSpecStopTrigger)
	b = append(b, 0)                        // Null
	b = binary.BigEndian.AppendUint32(b, 0) // DurationTriggerValue
	b = endTLV(b, start)
	b = endTLV(b, boundary)

	b, ai := beginTLV(b, pAISpec)
	if len(c.Antennas) == 0 {
		b = binary.BigEndian.AppendUint16(b, 1)
		b = binary.BigEndian.AppendUint16(b, 0)
	} else {
		b = binary.BigEndian.AppendUint16(b, uint16(len(c.Antennas)))
		for _, a := range c.Antennas {
			b = binary.BigEndian.AppendUint16(b, a.ID)
		}
	}
	b, start = beginTLV(b, pAISpecStopTrigger)
	b = append(b, 0) // Null: run until the ROSpec stops
	b = binary.BigEndian.AppendUint32(b, 0)
	b = endTLV(b, start)

	b, inv := beginTLV(b, pInventoryParameterSpec)
	b = binary.BigEndian.AppendUint16(b, 1) // InventoryParameterSpecID
	b = append(b, protocolEPCGlobalC1G2)
	if len(c.Antennas) == 0 {
		b = appendAntennaConfig(b, AntennaConfig{}, c)
	}
	for _, a := range c.Antennas {
		b = appendAntennaConfig(b, a, c)
	}
	b = endTLV(b, inv)
	b = endTLV(b, ai)

	b, report := beginTLV(b, pROReportSpec)
	if c.ReportTimeoutMS > 0 && version >= Version11 {
		b = append(b, ReportTriggerNMillisOrEndAI)
		b = binary.BigEndian.AppendUint16(b, c.ReportTimeoutMS)
	} else {
		b = append(b, ReportTriggerNTagsOrEndAISpec)
		b = binary.BigEndian.AppendUint16(b, max(c.ReportEveryN, 1))
	}
	b, start = beginTLV(b, pTagReportContentSelector)
	b = binary.BigEndian.AppendUint16(b, uint16(ReportFields))
	b = endTLV(b, start)
	b = endTLV(b, report)

	return endTLV(b, spec)
}

func appendAntennaConfig(b []byte, a AntennaConfig, c ROSpecConfig) []byte {
	b, ac := beginTLV(b, pAntennaConfiguration)
	b = binary.BigEndian.AppendUint16(b, a.ID)
	var start int
	if a.RxSensitivityIndex != 0 {
		b, start = beginTLV(b, pRFReceiver)
		b = binary.BigEndian.AppendUint16(b, a.RxSensitivityIndex)
		b = endTLV(b, start)
	}
	if a.TxPowerIndex != 0 {
		b, start = beginTLV(b, pRFTransmitter)
		b = binary.BigEndian.AppendUint16(b, orOne(a.HopTableID))
		b = binary.BigEndian.AppendUint16(b, orOne(a.ChannelIndex))
		b = binary.BigEndian.AppendUint16(b, a.TxPowerIndex)
		b = endTLV(b, start)
	}
	b, cmd := beginTLV(b, pC1G2InventoryCommand)
	b = append(b, 0) // TagInventoryStateAware: no
	b, start = beginTLV(b, pC1G2RFControl)
	b = binary.BigEndian.AppendUint16(b, c.ModeIndex)
	b = binary.BigEndian.AppendUint16(b, c.Tari)
	b = endTLV(b, start)
	b, start = beginTLV(b, pC1G2SingulationControl)
	b = append(b, c.Session<<6)
	b = binary.BigEndian.AppendUint16(b, c.TagPopulation)
	b = binary.BigEndian.AppendUint32(b, c.TagTransitTimeMS)
	b = endTLV(b, start)
	if c.SearchMode != SearchModeUnset {
		b, start = beginTLV(b, pCustom)
		b = binary.BigEndian.AppendUint32(b, ImpinjVendorID)
		b = binary.BigEndian.AppendUint32(b, impinjSearchModeSubtype)
		b = binary.BigEndian.AppendUint16(b, uint16(c.SearchMode))
		b = endTLV(b, start)
	}
	b = endTLV(b, cmd)
	return endTLV(b, ac)
}

func orOne(v uint16) uint16 {
	if v == 0 {
		return 1
	}
	return v
}

// DecodeAddROSpec decodes the body of an ADD_ROSPEC as AppendAddROSpec
// writes it, for emulators and tests: it reads back what this package
// sends, checks the structure LLRP requires (one ROSpec with a
// ROBoundarySpec and an AISpec holding an EPC Class 1 Gen 2
// InventoryParameterSpec), and skips parameters it does not use. Bad
// bytes give an error wrapping drivers.ErrProtocol.
func DecodeAddROSpec(body []byte) (ROSpec, error) {
	var (
		s     ROSpec
		found bool
	)
	err := eachParam(body, func(p Param) error {
		if p.TV || p.Type != pROSpec {
			return nil
		}
		if found {
			return fmt.Errorf("two ROSpec parameters: %w", drivers.ErrProtocol)
		}
		found = true
		return decodeROSpec(p.Body, &s)
	})
	if err != nil {
		return ROSpec{}, fmt.Errorf("ADD_ROSPEC: %w", err)
	}
	if !found {
		return ROSpec{}, fmt.Errorf("ADD_ROSPEC without ROSpec: %w", drivers.ErrProtocol)
	}
	return s, nil
}

func decodeROSpec(body []byte, s *ROSpec) error {
	r := fieldReader{b: body, what: "ROSpec"}
	s.ID = r.u32()
	s.Priority = r.u8()
	r.u8() // CurrentState
	if r.err != nil {
		return r.err
	}
	var boundary, aispec bool
	err := eachParam(r.b, func(p Param) error {
		if p.TV {
			return nil
		}
		switch p.Type {
		case pROBoundarySpec:
			boundary = true
			return eachParam(p.Body, func(q Param) error {
				if q.Type == pROSpecStartTrigger && !q.TV {
					t := fieldReader{b: q.Body, what: "ROSpecStartTrigger"}
					s.StartImmediate = t.u8() == 1
					return t.err
				}
				return nil
			})
		case pAISpec:
			if aispec {
				return nil // the driver sends one; others are the reader's business
			}
			aispec = true
			return decodeAISpec(p.Body, s)
		case pROReportSpec:
			t := fieldReader{b: p.Body, what: "ROReportSpec"}
			s.ReportTrigger = t.u8()
			s.ReportN = t.u16()
			if t.err != nil {
				return t.err
			}
			switch s.ReportTrigger {
			case ReportTriggerNMillisOrEndAI:
				s.ReportTimeoutMS = s.ReportN
			default:
				s.ReportEveryN = s.ReportN
			}
			return eachParam(t.b, func(q Param) error {
				if q.Type == pTagReportContentSelector && !q.TV {
					f := fieldReader{b: q.Body, what: "TagReportContentSelector"}
					s.Fields = TagField(f.u16())
					return f.err
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !boundary {
		return fmt.Errorf("ROSpec without ROBoundarySpec: %w", drivers.ErrProtocol)
	}
	if !aispec {
		return fmt.Errorf("ROSpec without AISpec: %w", drivers.ErrProtocol)
	}
	return nil
}

func decodeAISpec(body []byte, s *ROSpec) error {
	r := fieldReader{b: body, what: "AISpec"}
	n := int(r.u16())
	ids := r.take(2 * n)
	if r.err != nil {
		return r.err
	}
	s.AntennaIDs = make([]uint16, n)
	for i := range s.AntennaIDs {
		s.AntennaIDs[i] = binary.BigEndian.Uint16(ids[2*i:])
	}
	var inventory bool
	err := eachParam(r.b, func(p Param) error {
		if p.TV || p.Type != pInventoryParameterSpec {
			return nil
		}
		f := fieldReader{b: p.Body, what: "InventoryParameterSpec"}
		f.u16() // InventoryParameterSpecID
		proto := f.u8()
		if f.err != nil {
			return f.err
		}
		if proto != protocolEPCGlobalC1G2 {
			return fmt.Errorf("InventoryParameterSpec protocol %d, want EPCGlobalClass1Gen2: %w", proto, drivers.ErrProtocol)
		}
		inventory = true
		return eachParam(f.b, func(q Param) error {
			if q.TV || q.Type != pAntennaConfiguration {
				return nil
			}
			return decodeAntennaConfig(q.Body, s)
		})
	})
	if err != nil {
		return err
	}
	if !inventory {
		return fmt.Errorf("AISpec without InventoryParameterSpec: %w", drivers.ErrProtocol)
	}
	return nil
}

func decodeAntennaConfig(body []byte, s *ROSpec) error {
	r := fieldReader{b: body, what: "AntennaConfiguration"}
	a := AntennaConfig{ID: r.u16()}
	if r.err != nil {
		return r.err
	}
	err := eachParam(r.b, func(p Param) error {
		if p.TV {
			return nil
		}
		switch p.Type {
		case pRFReceiver:
			f := fieldReader{b: p.Body, what: "RFReceiver"}
			a.RxSensitivityIndex = f.u16()
			return f.err
		case pRFTransmitter:
			f := fieldReader{b: p.Body, what: "RFTransmitter"}
			a.HopTableID, a.ChannelIndex, a.TxPowerIndex = f.u16(), f.u16(), f.u16()
			return f.err
		case pC1G2InventoryCommand:
			f := fieldReader{b: p.Body, what: "C1G2InventoryCommand"}
			f.u8()
			if f.err != nil {
				return f.err
			}
			return eachParam(f.b, func(q Param) error {
				if q.TV {
					return nil
				}
				switch q.Type {
				case pC1G2RFControl:
					g := fieldReader{b: q.Body, what: "C1G2RFControl"}
					s.ModeIndex, s.Tari = g.u16(), g.u16()
					return g.err
				case pC1G2SingulationControl:
					g := fieldReader{b: q.Body, what: "C1G2SingulationControl"}
					s.Session = g.u8() >> 6
					s.TagPopulation = g.u16()
					s.TagTransitTimeMS = g.u32()
					return g.err
				case pCustom:
					g := fieldReader{b: q.Body, what: "Custom"}
					vendor, subtype := g.u32(), g.u32()
					if g.err != nil {
						return g.err
					}
					if vendor == ImpinjVendorID && subtype == impinjSearchModeSubtype {
						s.SearchMode = SearchMode(g.u16())
						return g.err
					}
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if a.ID != 0 {
		s.Antennas = append(s.Antennas, a)
	}
	return nil
}
