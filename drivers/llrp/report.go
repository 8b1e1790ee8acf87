package llrp

import (
	"encoding/binary"
	"fmt"

	"github.com/jxc-edge/jxc/drivers"
)

// TagReport is one TagReportData of an RO_ACCESS_REPORT.
type TagReport struct {
	// EPC is the tag's EPC: 12 bytes from an EPC-96 parameter, or the
	// bytes of an EPCData parameter (EPCBits long, padded to a byte). When
	// decoded it aliases the message body.
	EPC     []byte
	EPCBits uint16
	Antenna uint16
	// PeakRSSI is in dBm.
	PeakRSSI int8
	// FirstSeen and LastSeen are microseconds since the Unix epoch (UTC),
	// or since the reader booted when the matching Uptime flag is set.
	FirstSeen, LastSeen             uint64
	FirstSeenUptime, LastSeenUptime bool
	SeenCount                       uint16
	// Present holds the fields this TagReportData carried itself; Known
	// those that have a value, carried or inherited (see ReportState).
	Present, Known TagField
}

// ReportState is the per-connection memory that TagReportData decoding
// needs: LLRP lets a reader leave out an optional parameter whose value
// has not changed, and the value is then the last one reported on the
// connection for that field. The zero value is a fresh connection.
type ReportState struct {
	last TagReport
}

// Reset forgets every inherited value, as on a new connection.
func (s *ReportState) Reset() { s.last = TagReport{} }

// DecodeROAccessReport decodes the body of an RO_ACCESS_REPORT and calls fn
// for every TagReportData, in order, with absent optional fields filled
// from st. The *TagReport and its EPC are only valid during the call.
// Parameters other than TagReportData (RFSurveyReportData, Custom, …) are
// skipped by their length, as are unknown TLVs inside a TagReportData.
// It returns the number of TagReportData decoded. Bad bytes give an error
// wrapping drivers.ErrProtocol; fn's own error stops decoding and is
// returned as is. st has then been advanced by the reports before the
// error.
func DecodeROAccessReport(body []byte, st *ReportState, fn func(*TagReport) error) (int, error) {
	n := 0
	for b := body; len(b) > 0; {
		p, rest, err := NextParam(b)
		if err != nil {
			return n, fmt.Errorf("RO_ACCESS_REPORT: %w", err)
		}
		b = rest
		if p.TV || p.Type != pTagReportData {
			continue
		}
		tr := &st.last
		if err := decodeTagReportData(p.Body, tr); err != nil {
			return n, fmt.Errorf("RO_ACCESS_REPORT TagReportData %d: %w", n+1, err)
		}
		n++
		if err := fn(tr); err != nil {
			return n, err
		}
	}
	return n, nil
}

// decodeTagReportData decodes into tr, which holds the previous report's
// values; fields the body carries overwrite them.
func decodeTagReportData(b []byte, tr *TagReport) error {
	tr.EPC = nil
	tr.Present = 0
	for len(b) > 0 {
		p, rest, err := NextParam(b)
		if err != nil {
			return err
		}
		b = rest
		if !p.TV {
			if p.Type == pEPCData {
				if tr.EPC != nil {
					return fmt.Errorf("two EPCs: %w", drivers.ErrProtocol)
				}
				r := fieldReader{b: p.Body, what: "EPCData"}
				bits := r.u16()
				epc := r.take((int(bits) + 7) / 8)
				if r.err != nil {
					return r.err
				}
				if bits == 0 {
					return fmt.Errorf("EPCData of 0 bits: %w", drivers.ErrProtocol)
				}
				tr.EPC, tr.EPCBits = epc, bits
			}
			// AirProtocolTagData, OpSpecResults, Custom and unknown TLVs.
			continue
		}
		v := p.Body
		switch p.Type {
		case tvEPC96:
			if tr.EPC != nil {
				return fmt.Errorf("two EPCs: %w", drivers.ErrProtocol)
			}
			tr.EPC, tr.EPCBits = v, 96
		case tvAntennaID:
			tr.Antenna = binary.BigEndian.Uint16(v)
			tr.Present |= FieldAntennaID
		case tvPeakRSSI:
			tr.PeakRSSI = int8(v[0])
			tr.Present |= FieldPeakRSSI
		case tvFirstSeenUTC, tvFirstSeenUptime:
			tr.FirstSeen = binary.BigEndian.Uint64(v)
			tr.FirstSeenUptime = p.Type == tvFirstSeenUptime
			tr.Present |= FieldFirstSeen
		case tvLastSeenUTC, tvLastSeenUptime:
			tr.LastSeen = binary.BigEndian.Uint64(v)
			tr.LastSeenUptime = p.Type == tvLastSeenUptime
			tr.Present |= FieldLastSeen
		case tvTagSeenCount:
			tr.SeenCount = binary.BigEndian.Uint16(v)
			tr.Present |= FieldTagSeenCount
		}
	}
	if tr.EPC == nil {
		return fmt.Errorf("no EPC-96 or EPCData: %w", drivers.ErrProtocol)
	}
	tr.Known |= tr.Present
	return nil
}

// AppendTagReportData appends a TagReportData parameter for t to b, with
// the optional fields in fields (of FieldAntennaID, FieldPeakRSSI,
// FieldFirstSeen, FieldLastSeen, FieldTagSeenCount). A 96-bit EPC is sent
// as EPC-96 unless epcData is set or EPCBits says otherwise; any other EPC
// as EPCData.
func AppendTagReportData(b []byte, t *TagReport, fields TagField, epcData bool) []byte {
	b, start := beginTLV(b, pTagReportData)
	bits := t.EPCBits
	if bits == 0 {
		bits = uint16(8 * len(t.EPC))
	}
	if bits == 96 && len(t.EPC) == 12 && !epcData {
		b = append(b, 0x80|tvEPC96)
		b = append(b, t.EPC...)
	} else {
		var epc int
		b, epc = beginTLV(b, pEPCData)
		b = binary.BigEndian.AppendUint16(b, bits)
		b = append(b, t.EPC...)
		b = endTLV(b, epc)
	}
	if fields&FieldAntennaID != 0 {
		b = append(b, 0x80|tvAntennaID)
		b = binary.BigEndian.AppendUint16(b, t.Antenna)
	}
	if fields&FieldPeakRSSI != 0 {
		b = append(b, 0x80|tvPeakRSSI, byte(t.PeakRSSI))
	}
	if fields&FieldFirstSeen != 0 {
		typ := byte(tvFirstSeenUTC)
		if t.FirstSeenUptime {
			typ = tvFirstSeenUptime
		}
		b = append(b, 0x80|typ)
		b = binary.BigEndian.AppendUint64(b, t.FirstSeen)
	}
	if fields&FieldLastSeen != 0 {
		typ := byte(tvLastSeenUTC)
		if t.LastSeenUptime {
			typ = tvLastSeenUptime
		}
		b = append(b, 0x80|typ)
		b = binary.BigEndian.AppendUint64(b, t.LastSeen)
	}
	if fields&FieldTagSeenCount != 0 {
		b = append(b, 0x80|tvTagSeenCount)
		b = binary.BigEndian.AppendUint16(b, t.SeenCount)
	}
	return endTLV(b, start)
}
