package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

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

type devicesOutput struct{ Body DevicesResponse }

func (s *Server) registerDevices() {
	Register(s, huma.Operation{OperationID: "devices", Method: http.MethodGet, Path: "/api/v1/devices",
		Summary: "Device health 设备状态", Tags: []string{"system 系统"},
		Description: "Each device's health, sorted by name; clock_skewed when its clock is more than 2 s off the agent's."},
		AccessOpen, func(ctx context.Context, _ *struct{}) (*devicesOutput, error) {
			return &devicesOutput{Body: s.deviceHealth()}, nil
		})
}

func (s *Server) deviceHealth() DevicesResponse {
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
	return out
}
