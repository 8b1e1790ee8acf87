//go:build cgo && usb

package scanner

import (
	"testing"

	"github.com/google/gousb"
)

func TestPickHID(t *testing.T) {
	in := func(n int, typ gousb.TransferType) map[gousb.EndpointAddress]gousb.EndpointDesc {
		addr := gousb.EndpointAddress(0x80 | n)
		return map[gousb.EndpointAddress]gousb.EndpointDesc{addr: {Address: addr, Number: n, Direction: gousb.EndpointDirectionIn, TransferType: typ, MaxPacketSize: 8}}
	}
	intf := func(num int, class gousb.Class, sub gousb.Class, proto gousb.Protocol, eps map[gousb.EndpointAddress]gousb.EndpointDesc) gousb.InterfaceDesc {
		return gousb.InterfaceDesc{Number: num, AltSettings: []gousb.InterfaceSetting{{Number: num, Class: class, SubClass: sub, Protocol: proto, Endpoints: eps}}}
	}
	keyboard := intf(0, gousb.ClassHID, 1, 1, in(1, gousb.TransferTypeInterrupt))
	pos := intf(1, gousb.ClassHID, 0, 0, in(2, gousb.TransferTypeInterrupt))
	cdc := intf(2, gousb.ClassData, 0, 0, in(3, gousb.TransferTypeBulk))
	bulkHID := intf(3, gousb.ClassHID, 0, 0, in(4, gousb.TransferTypeBulk))
	tests := []struct {
		name   string
		intfs  []gousb.InterfaceDesc
		wedge  bool
		want   int // interface number, -1 for none
		wantEP int
	}{
		{"wedge on a composite device", []gousb.InterfaceDesc{cdc, pos, keyboard}, true, 0, 1},
		{"hid-pos on a composite device", []gousb.InterfaceDesc{keyboard, cdc, pos}, false, 1, 2},
		{"wedge without a boot keyboard takes any HID", []gousb.InterfaceDesc{cdc, pos}, true, 1, 2},
		{"hid-pos on a keyboard-only device", []gousb.InterfaceDesc{keyboard}, false, 0, 1},
		{"no interrupt HID endpoint", []gousb.InterfaceDesc{cdc, bulkHID}, true, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ep, ok := pickHID(gousb.ConfigDesc{Number: 1, Interfaces: tt.intfs}, tt.wedge)
			if tt.want < 0 {
				if ok {
					t.Fatalf("picked interface %d", s.Number)
				}
				return
			}
			if !ok || s.Number != tt.want || ep.Number != tt.wantEP {
				t.Errorf("picked interface %d endpoint %d (%v), want %d endpoint %d", s.Number, ep.Number, ok, tt.want, tt.wantEP)
			}
		})
	}
}
