package httpapi

import (
	"net/http"
	"time"

	"github.com/jxc-edge/jxc/drivers"
)

// Devices reports the health of the agent's devices (agent/devices'
// Manager).
type Devices interface {
	// Health returns every running device's health, sorted by name.
	Health() []drivers.Health
}

// DevicesResponse is the body of GET /api/v1/devices.
type DevicesResponse struct {
	Devices []DeviceHealth `json:"devices"`
}

// DeviceHealth is one device's health as GET /api/v1/devices shows it.
type DeviceHealth struct {
	Device    string `json:"device"`
	Kind      string `json:"kind"`
	Connected bool   `json:"connected"`
	// LastRead is the time of the device's latest reading; absent before
	// the first.
	LastRead *time.Time `json:"last_read,omitempty"`
	// Reads counts readings delivered; ReadsPerSecond is the rate over the
	// last few seconds.
	Reads          uint64 `json:"reads"`
	ReadsPerSecond uint64 `json:"reads_per_second"`
	// Errors counts errors met; LastError is the latest.
	Errors    uint64 `json:"errors"`
	LastError string `json:"last_error,omitempty"`
	// ClockOffsetMS is the device's clock minus the agent's in ms;
	// ClockSkewed is set beyond drivers.MaxClockOffset (2 s).
	ClockOffsetMS int64 `json:"clock_offset_ms"`
	ClockSkewed   bool  `json:"clock_skewed"`
}

// SetDevices makes GET /api/v1/devices report d. Call it before serving;
// without it the list is empty (an agent with no device profiles).
func (s *Server) SetDevices(d Devices) { s.devices = d }

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	out := DevicesResponse{Devices: []DeviceHealth{}}
	if s.devices != nil {
		for _, h := range s.devices.Health() {
			d := DeviceHealth{Device: h.Device, Kind: h.Kind, Connected: h.Connected, Reads: h.Events,
				ReadsPerSecond: h.PerSecond, Errors: h.Errors, LastError: h.LastError,
				ClockOffsetMS: h.ClockOffsetMS, ClockSkewed: h.ClockSkewed}
			if !h.LastEvent.IsZero() {
				t := h.LastEvent.UTC()
				d.LastRead = &t
			}
			out.Devices = append(out.Devices, d)
		}
	}
	s.Reply(w, r, http.StatusOK, out)
}
