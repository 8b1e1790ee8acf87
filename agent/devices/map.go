package devices

import (
	"fmt"
	"time"

	"github.com/jxc-edge/jxc/agent/gate"
	"github.com/jxc-edge/jxc/drivers/llrp"
	"github.com/jxc-edge/jxc/drivers/scale"
	"github.com/jxc-edge/jxc/drivers/scanner"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
)

// This file maps validated device profiles onto the drivers' and the gate's
// configurations. Profiles are checked by package profiles; what is left to
// check here is only what a driver adds.

var searchModes = map[profiles.SearchMode]llrp.SearchMode{
	"":                            llrp.SearchModeUnset,
	profiles.SearchReaderSelected: llrp.SearchModeUnset,
	profiles.SearchSingleTarget:   llrp.SearchModeSingleTarget,
	profiles.SearchDualTarget:     llrp.SearchModeDualTarget,
	profiles.SearchSingleTargetWithSuppression: llrp.SearchModeSingleTargetSuppression,
}

var vendors = map[profiles.Vendor]llrp.Vendor{
	"":                    llrp.VendorUnknown,
	profiles.VendorImpinj: llrp.VendorImpinj,
	profiles.VendorOther:  llrp.VendorOther,
}

// ReaderConfig maps a reader profile to the LLRP driver's configuration.
func ReaderConfig(p profiles.Reader) llrp.Config {
	rs := llrp.ROSpecConfig{
		ModeIndex:        p.ROSpec.ModeIndex,
		Session:          p.ROSpec.Session,
		TagPopulation:    p.ROSpec.TagPopulation,
		TagTransitTimeMS: uint32(p.ROSpec.TagTransitTime / time.Millisecond),
		SearchMode:       searchModes[p.ROSpec.SearchMode],
		ReportEveryN:     p.ROSpec.ReportEveryNTags,
	}
	for _, a := range p.Antennas {
		rs.Antennas = append(rs.Antennas, llrp.AntennaConfig{ID: a.Port, TxPowerCdBm: a.PowerCdBm})
	}
	return llrp.Config{Name: p.Name, Address: p.Address, KeepAlive: p.Keepalive, ROSpec: rs, Vendor: vendors[p.Vendor]}
}

var oneSided = map[profiles.OneSided]gate.OneSided{
	"":                        gate.OneSidedIgnore,
	profiles.OneSidedIgnore:   gate.OneSidedIgnore,
	profiles.OneSidedInnerIn:  gate.OneSidedInnerIn,
	profiles.OneSidedOuterOut: gate.OneSidedOuterOut,
	profiles.OneSidedBoth:     gate.OneSidedBoth,
}

// GateConfig maps a reader profile with a gate section to the gate's
// configuration; ok is false for a reader that is not a gate.
func GateConfig(p profiles.Reader) (cfg gate.Config, ok bool) {
	if p.Gate == nil {
		return gate.Config{}, false
	}
	cfg = gate.Config{
		Reader:           p.Name,
		Bin:              p.Gate.Bin,
		Antennas:         make(map[uint16]gate.Role, len(p.Antennas)),
		MinReads:         p.Gate.MinReads,
		HoldOff:          p.Gate.HoldOff,
		DepartureTimeout: p.Gate.DepartureTimeout,
		OneSided:         oneSided[p.Gate.OneSided],
	}
	if t := p.Gate.RSSIThresholdDBm; t >= -128 && t < 0 {
		cfg.RSSIThreshold = int8(t)
	}
	for _, a := range p.Antennas {
		switch a.Role {
		case profiles.RoleOuter:
			cfg.Antennas[a.Port] = gate.RoleOuter
		case profiles.RoleInner:
			cfg.Antennas[a.Port] = gate.RoleInner
		}
	}
	return cfg, true
}

// ScaleConfig maps a scale profile to the scale driver's configuration.
func ScaleConfig(p profiles.Scale) scale.Config {
	return scale.Config{Name: p.Name, Protocol: string(p.Protocol), Port: p.Port, Address: p.Address,
		Baud: p.Baud, DataBits: p.DataBits, Parity: string(p.Parity), StopBits: p.StopBits,
		Unit: p.Unit, StableTimeout: p.StableTimeout, Checksum: p.Checksum, ReplyTimeout: p.ReplyTimeout}
}

// ScannerConfig maps a scanner profile to the scanner driver's configuration.
func ScannerConfig(p profiles.Scanner) (scanner.Config, error) {
	c := scanner.Config{Name: p.Name, Kind: string(p.Transport), VendorID: p.VendorID, ProductID: p.ProductID,
		Port: p.Port, Baud: p.Baud, Prefixes: p.SymbologyPrefixes, GSSubstitute: p.GSSubstitute}
	switch p.Terminator {
	case "\r", "\n", "\r\n", "":
		c.Terminator = "enter"
	case "\t":
		c.Terminator = "tab"
	default:
		return c, fmt.Errorf("scanner %s: terminator %q not supported by the driver", p.Name, p.Terminator)
	}
	return c, nil
}
