// Package drivers holds what every device driver shares: the readings a
// driver delivers, its health, and the small interfaces the agent's device
// pipeline uses. Each protocol has its own package (drivers/llrp,
// drivers/scale, drivers/scanner) with an emulator that speaks the same
// bytes. Packages under drivers import no other folder of the project.
package drivers

import (
	"context"
	"errors"
	"time"
)

var (
	// ErrUnstable means a scale's weight did not settle in time; no weight
	// is delivered.
	ErrUnstable = errors.New("weight not stable")
	// ErrOverload means the load is above the scale's range.
	ErrOverload = errors.New("scale overload")
	// ErrUnderload means the load is below the scale's range (e.g. the pan
	// is off).
	ErrUnderload = errors.New("scale underload")
	// ErrDevice means the device answered with an error; the text says which.
	ErrDevice = errors.New("device error")
	// ErrProtocol means the device sent bytes that do not follow its
	// protocol; the text says what was wrong.
	ErrProtocol = errors.New("protocol error")
	// ErrBusy means another client holds the device (e.g. an LLRP reader
	// already connected to someone else).
	ErrBusy = errors.New("device busy")
)

// TagRead is one report of an RFID tag seen by a reader antenna.
type TagRead struct {
	// Reader names the reader (its profile name).
	Reader string
	// EPC is the tag's EPC bank contents (EPC-96 is 12 bytes).
	EPC []byte
	// Antenna is the reader's antenna port, from 1.
	Antenna uint16
	// RSSI is the peak received signal strength in dBm.
	RSSI int8
	// FirstSeen and LastSeen are UTC times; Count is how many times the tag
	// was seen in the report period (at least 1).
	FirstSeen, LastSeen time.Time
	Count               uint16
}

// Weight is a stable weight as a scale reported it, in integer units:
// Value × 10^-Decimals Unit (e.g. 1234 with 3 decimals in kg is 1.234 kg).
type Weight struct {
	Value    int64
	Decimals int
	Unit     string
	// Net is true when a tare was subtracted; Tare is then the tare in the
	// same units, when the scale reports it.
	Net  bool
	Tare int64
}

// Scan is one code read by a barcode scanner, as the scanner sent it.
type Scan struct {
	Device string
	Data   string
	Time   time.Time
}

// Health is a device's state as its driver sees it.
type Health struct {
	Device    string    `json:"device"`
	Kind      string    `json:"kind"`
	Connected bool      `json:"connected"`
	LastEvent time.Time `json:"last_event"`
	// Events counts readings delivered; Errors the errors met, LastError
	// the latest.
	Events    uint64 `json:"events"`
	Errors    uint64 `json:"errors"`
	LastError string `json:"last_error,omitempty"`
	// PerSecond is the reading rate over the last few seconds.
	PerSecond uint64 `json:"per_second"`
	// ClockOffsetMS is how far the device's clock is ahead of the agent's
	// (negative: behind), in milliseconds, as its latest timestamped
	// reading showed (network latency included); 0 for a device that
	// stamps nothing or counts uptime. ClockSkewed is set when it is
	// beyond MaxClockOffset either way.
	ClockOffsetMS int64 `json:"clock_offset_ms"`
	ClockSkewed   bool  `json:"clock_skewed"`
}

// MaxClockOffset is how far a device's clock may be from the agent's
// before Health flags it. Nothing the agent decides depends on the offset
// (a gate runs on its reader's clock), but timestamps off by more than
// this (readers without NTP drift by minutes) mislead whoever reads them.
const MaxClockOffset = 2 * time.Second

// SetClockOffset sets ClockOffsetMS and ClockSkewed from d, the device's
// clock minus the agent's.
func (h *Health) SetClockOffset(d time.Duration) {
	h.ClockOffsetMS = d.Milliseconds()
	h.ClockSkewed = d > MaxClockOffset || d < -MaxClockOffset
}

// Reader is an RFID reader: Run connects (and reconnects) and sends every
// tag read to out until ctx is done.
type Reader interface {
	Run(ctx context.Context, out chan<- TagRead) error
	Health() Health
}

// Scale is a weighing scale. Stable returns the next stable weight, or an
// error (ErrUnstable, ErrOverload, ErrUnderload, ErrDevice…) when the scale
// cannot give one; a weight in motion is never returned as a weight.
type Scale interface {
	Stable(ctx context.Context) (Weight, error)
	Zero(ctx context.Context) error
	Tare(ctx context.Context) error
	Health() Health
	Close() error
}

// Scanner is a barcode scanner: Run sends every code read to out until ctx
// is done.
type Scanner interface {
	Run(ctx context.Context, out chan<- Scan) error
	Health() Health
}
