package scale

import (
	"fmt"
	"net"
	"time"
)

// Protocol names, as Config.Protocol takes them.
const (
	ProtocolMTSICS           = "mt-sics"
	ProtocolToledoContinuous = "toledo-continuous"
	ProtocolToledo8217       = "toledo-8217"
)

// Defaults applied by Open to zero Config fields.
const (
	DefaultBaud          = 9600
	DefaultStableTimeout = 5 * time.Second
	DefaultIdleTimeout   = 3 * time.Second
	DefaultReplyTimeout  = time.Second
)

// Config describes one scale. Exactly one of Port and Address is set.
// Zero values take the defaults documented on each field.
type Config struct {
	// Name names the scale in Health (its profile name); defaults to Port
	// or Address.
	Name string
	// Protocol is "mt-sics", "toledo-continuous" or "toledo-8217".
	Protocol string
	// Port is a serial device path (e.g. /dev/ttyUSB0, /dev/pts/3).
	Port string
	// Address is host:port of a scale (or serial server) on TCP.
	Address string
	// Baud is the serial speed; default 9600. Ignored on TCP.
	Baud int
	// DataBits is 7 or 8; default 8 for mt-sics and 7 for the Toledo
	// protocols. With 7 data bits the eighth bit of every byte received is
	// taken as the parity bit (see DESIGN.md), also on TCP.
	DataBits int
	// Parity is "none", "even" or "odd"; default "none" for mt-sics and
	// "even" for the Toledo protocols (7E1).
	Parity string
	// StopBits is 1 or 2; default 1. Ignored on TCP.
	StopBits int
	// Unit is the unit the scale must weigh in ("kg", "g", "lb"…). When
	// set, a weight in any other unit is refused with ErrUnitMismatch.
	// Required for toledo-8217, whose replies carry no unit.
	Unit string
	// StableTimeout bounds every operation: Stable gives up with
	// drivers.ErrUnstable when the weight has not settled by then, and
	// Zero and Tare (which wait for a stable load too) likewise; default 5s.
	StableTimeout time.Duration
	// Checksum says the toledo-continuous frames end with the optional
	// checksum byte after CR. Other protocols ignore it.
	Checksum bool
	// IdleTimeout is how long a toledo-continuous link may send nothing
	// before it is closed and reconnected; default 3s. The polled
	// protocols are silent between commands and ignore it.
	IdleTimeout time.Duration
	// ReplyTimeout is how long the polled protocols wait for the answer
	// to a command the scale answers at once (MT-SICS SI, TA, TAC, I4;
	// 8217 W, Z, T, C); default 1s. No answer in time fails the operation
	// with ErrNoResponse and rebuilds the connection. Raise it for serial
	// servers on slow links.
	ReplyTimeout time.Duration
}

// withDefaults returns c with the zero fields set to their defaults, or an
// error wrapping ErrInvalidConfig that names the offending field.
func (c Config) withDefaults() (Config, error) {
	bad := func(field string, format string, args ...any) (Config, error) {
		return c, fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
	}
	toledo := false
	switch c.Protocol {
	case ProtocolMTSICS:
	case ProtocolToledoContinuous, ProtocolToledo8217:
		toledo = true
	case "":
		return bad("Protocol", "required (%s, %s or %s)", ProtocolMTSICS, ProtocolToledoContinuous, ProtocolToledo8217)
	default:
		return bad("Protocol", "%q is not one of %s, %s, %s", c.Protocol, ProtocolMTSICS, ProtocolToledoContinuous, ProtocolToledo8217)
	}
	switch {
	case c.Port == "" && c.Address == "":
		return bad("Port", "one of Port (serial device) or Address (host:port) is required")
	case c.Port != "" && c.Address != "":
		return bad("Address", "set either Port or Address, not both")
	case c.Address != "":
		if _, _, err := net.SplitHostPort(c.Address); err != nil {
			return bad("Address", "%q is not host:port: %v", c.Address, err)
		}
	}
	if c.Name == "" {
		c.Name = c.Port + c.Address
	}
	if c.Baud == 0 {
		c.Baud = DefaultBaud
	}
	if c.Baud < 0 {
		return bad("Baud", "%d is not a speed", c.Baud)
	}
	if c.DataBits == 0 {
		c.DataBits = 8
		if toledo {
			c.DataBits = 7
		}
	}
	if c.DataBits != 7 && c.DataBits != 8 {
		return bad("DataBits", "%d: must be 7 or 8", c.DataBits)
	}
	if c.Parity == "" {
		c.Parity = "none"
		if toledo {
			c.Parity = "even"
		}
	}
	switch c.Parity {
	case "none", "even", "odd":
	default:
		return bad("Parity", "%q: must be none, even or odd", c.Parity)
	}
	if c.StopBits == 0 {
		c.StopBits = 1
	}
	if c.StopBits != 1 && c.StopBits != 2 {
		return bad("StopBits", "%d: must be 1 or 2", c.StopBits)
	}
	if c.Protocol == ProtocolToledo8217 && c.Unit == "" {
		return bad("Unit", "required for %s: its replies carry no unit", c.Protocol)
	}
	if c.StableTimeout == 0 {
		c.StableTimeout = DefaultStableTimeout
	}
	if c.StableTimeout < 0 {
		return bad("StableTimeout", "%v is negative", c.StableTimeout)
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.IdleTimeout < 0 {
		return bad("IdleTimeout", "%v is negative", c.IdleTimeout)
	}
	if c.ReplyTimeout == 0 {
		c.ReplyTimeout = DefaultReplyTimeout
	}
	if c.ReplyTimeout < 0 {
		return bad("ReplyTimeout", "%v is negative", c.ReplyTimeout)
	}
	return c, nil
}
