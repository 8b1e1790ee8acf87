package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/drivers"
)

type fakeDevices []drivers.Health

func (f fakeDevices) Health() []drivers.Health { return f }

// TestDevices: GET /api/v1/devices shows each device's health: connected,
// last read, reads/s, errors and clock offset. A gate that cannot connect
// used to show only in the logs and the MQTT status.
func TestDevices(t *testing.T) {
	last := time.Date(2025, 3, 1, 8, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		devices httpapi.Devices
		want    []httpapi.DeviceHealth
	}{
		{name: "no devices", want: []httpapi.DeviceHealth{}},
		{
			name: "a reader off by 10 minutes and one that cannot connect",
			devices: fakeDevices{
				{Device: "dock-1", Kind: "llrp", Connected: true, LastEvent: last, Events: 1200, PerSecond: 40, ClockOffsetMS: -600_012, ClockSkewed: true},
				{Device: "gate-2", Kind: "llrp", Errors: 7, LastError: "dial fx9600-gate2.store.lan:5084: connection refused"},
			},
			want: []httpapi.DeviceHealth{
				{Device: "dock-1", Kind: "llrp", Connected: true, LastRead: &last, Reads: 1200, ReadsPerSecond: 40, ClockOffsetMS: -600_012, ClockSkewed: true},
				{Device: "gate-2", Kind: "llrp", Errors: 7, LastError: "dial fx9600-gate2.store.lan:5084: connection refused"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := httpapi.New(newFakeLedger(), httpapi.Options{})
			if tt.devices != nil {
				api.SetDevices(tt.devices)
			}
			srv := httptest.NewServer(api.Handler())
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL + "/api/v1/devices")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got httpapi.DevicesResponse
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || got.Devices == nil || !reflect.DeepEqual(got.Devices, tt.want) {
				t.Fatalf("status %d, devices %+v; want 200, %+v", resp.StatusCode, got.Devices, tt.want)
			}
		})
	}
}
