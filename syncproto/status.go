package syncproto

import (
	"fmt"

	"github.com/jxc-edge/jxc/syncproto/pb"
)

// MaxStatusDevices bounds the devices one status reports.
const MaxStatusDevices = 256

// DecodeStatus decodes and checks an up/status payload (Decode), then its
// site, device count and strings.
func DecodeStatus(b []byte) (*pb.Status, error) {
	var s pb.Status
	if err := Decode(b, &s); err != nil {
		return nil, err
	}
	if err := ValidName(s.GetSite()); err != nil {
		return nil, fmt.Errorf("%w: status site: %v", ErrMalformed, err)
	}
	if len(s.GetDevices()) > MaxStatusDevices {
		return nil, fmt.Errorf("%w: status lists %d devices, limit %d", ErrMalformed, len(s.GetDevices()), MaxStatusDevices)
	}
	for i, d := range s.GetDevices() {
		for _, f := range []stringField{{"device", d.GetDevice(), true}, {"kind", d.GetKind(), false}, {"error", d.GetError(), false}} {
			if err := CheckString(fmt.Sprintf("devices[%d].%s", i, f.name), f.v, f.required); err != nil {
				return nil, fmt.Errorf("%w: status: %v", ErrMalformed, err)
			}
		}
	}
	return &s, nil
}
