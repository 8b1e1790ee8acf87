//go:build cgo && usb

package scanner

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/google/gousb"

	"github.com/jxc-edge/jxc/drivers"
)

var _ drivers.Scanner = (*USBScanner)(nil)

// USBScanner is a USB HID scanner read through libusb: a keyboard wedge
// (KindUSBHID) or a HID-POS scanner (KindHIDPOS).
type USBScanner struct {
	*HIDScanner
}

// NewUSB returns the USB scanner cfg describes. It opens nothing: Run
// opens the device by VendorID and ProductID (and Serial, when set),
// detaches the kernel driver, claims the HID interface and reads its
// interrupt IN endpoint, opening it again with backoff when it is
// unplugged. The error wraps ErrConfig when cfg is invalid.
func NewUSB(cfg Config) (*USBScanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h, err := NewHID(cfg, func(ctx context.Context) (Device, error) { return openUSB(cfg) })
	if err != nil {
		return nil, err
	}
	return &USBScanner{HIDScanner: h}, nil
}

// usbDevice is a claimed HID interface and its interrupt IN endpoint.
type usbDevice struct {
	ctx    *gousb.Context
	dev    *gousb.Device
	config *gousb.Config
	intf   *gousb.Interface
	ep     *gousb.InEndpoint
	buf    []byte
}

// openUSB opens the scanner cfg names and claims its HID interface: for a
// keyboard wedge the boot keyboard interface (switched to the boot
// protocol, so reports are the 8-byte boot layout), for HID-POS the first
// other HID interface with an interrupt IN endpoint.
func openUSB(cfg Config) (_ Device, err error) {
	uctx, err := newUSBContext()
	if err != nil {
		return nil, err
	}
	d := &usbDevice{ctx: uctx}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	vid, pid := gousb.ID(cfg.VendorID), gousb.ID(cfg.ProductID)
	devs, err := d.ctx.OpenDevices(func(desc *gousb.DeviceDesc) bool {
		return desc.Vendor == vid && desc.Product == pid
	})
	for _, dev := range devs {
		if d.dev == nil && (cfg.Serial == "" || serialOf(dev) == cfg.Serial) {
			d.dev = dev
			continue
		}
		dev.Close()
	}
	if d.dev == nil {
		if err == nil {
			err = errors.New("not found")
		}
		if cfg.Serial != "" {
			return nil, fmt.Errorf("usb %s:%s serial %q: %w", vid, pid, cfg.Serial, err)
		}
		return nil, fmt.Errorf("usb %s:%s: %w", vid, pid, err)
	}
	if err := d.dev.SetAutoDetach(true); err != nil {
		return nil, fmt.Errorf("usb %s: auto-detach: %w", d.dev, err)
	}
	num, err := d.dev.ActiveConfigNum()
	if err != nil {
		return nil, fmt.Errorf("usb %s: active config: %w", d.dev, err)
	}
	if d.config, err = d.dev.Config(num); err != nil {
		return nil, fmt.Errorf("usb %s: config %d: %w", d.dev, num, err)
	}
	setting, ep, ok := pickHID(d.config.Desc, cfg.Kind == KindUSBHID)
	if !ok {
		return nil, fmt.Errorf("usb %s: no HID interface with an interrupt IN endpoint for %s", d.dev, cfg.Kind)
	}
	if d.intf, err = d.config.Interface(setting.Number, setting.Alternate); err != nil {
		return nil, fmt.Errorf("usb %s: claim interface %d: %w", d.dev, setting.Number, err)
	}
	if d.ep, err = d.intf.InEndpoint(ep.Number); err != nil {
		return nil, fmt.Errorf("usb %s: endpoint %s: %w", d.dev, ep.Address, err)
	}
	if cfg.Kind == KindUSBHID && setting.SubClass == 1 {
		// HID class requests to the interface: SET_PROTOCOL(boot) and
		// SET_IDLE(0), as a host's keyboard driver sends them. A device
		// that refuses them keeps working in its default mode.
		const classToInterface = 0x21
		const setIdle, setProtocol = 0x0a, 0x0b
		_, _ = d.dev.Control(classToInterface, setProtocol, 0, uint16(setting.Number), nil)
		_, _ = d.dev.Control(classToInterface, setIdle, 0, uint16(setting.Number), nil)
	}
	// An interrupt transfer ends at a short packet or a full buffer, so a
	// buffer of exactly one packet returns one report per read.
	d.buf = make([]byte, ep.MaxPacketSize)
	return d, nil
}

// newUSBContext initialises libusb. gousb panics when libusb_init fails
// (no usbfs, e.g. in a container without /dev/bus/usb); that is an error
// to retry here, not a reason to crash the agent.
func newUSBContext() (c *gousb.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("libusb init: %v", r)
		}
	}()
	return gousb.NewContext(), nil
}

// pickHID finds the interface to read: HID class with an interrupt IN
// endpoint, the boot keyboard (subclass 1, protocol 1) first for a wedge,
// anything but a boot keyboard or mouse first for HID-POS.
func pickHID(cd gousb.ConfigDesc, wedge bool) (gousb.InterfaceSetting, gousb.EndpointDesc, bool) {
	var fallback *gousb.InterfaceSetting
	var fallbackEP gousb.EndpointDesc
	for _, intf := range cd.Interfaces {
		for _, s := range intf.AltSettings {
			if s.Class != gousb.ClassHID {
				continue
			}
			for _, ep := range sortedEndpoints(s.Endpoints) {
				if ep.Direction != gousb.EndpointDirectionIn || ep.TransferType != gousb.TransferTypeInterrupt {
					continue
				}
				keyboard := s.SubClass == 1 && s.Protocol == 1
				boot := s.SubClass == 1 && s.Protocol != 0
				if (wedge && keyboard) || (!wedge && !boot) {
					return s, ep, true
				}
				if fallback == nil {
					s := s
					fallback, fallbackEP = &s, ep
				}
			}
		}
	}
	if fallback != nil {
		return *fallback, fallbackEP, true
	}
	return gousb.InterfaceSetting{}, gousb.EndpointDesc{}, false
}

// sortedEndpoints lists endpoints by address, so the pick does not depend
// on map order.
func sortedEndpoints(m map[gousb.EndpointAddress]gousb.EndpointDesc) []gousb.EndpointDesc {
	eps := make([]gousb.EndpointDesc, 0, len(m))
	for _, ep := range m {
		eps = append(eps, ep)
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].Address < eps[j].Address })
	return eps
}

func serialOf(dev *gousb.Device) string {
	s, err := dev.SerialNumber()
	if err != nil {
		return ""
	}
	return s
}

// ReadReport reads one report; an unplugged device fails with libusb's
// "no device" error, which ends the connection.
func (d *usbDevice) ReadReport(ctx context.Context, p []byte) (int, error) {
	n, err := d.ep.ReadContext(ctx, d.buf)
	copy(p, d.buf[:n])
	return min(n, len(p)), err
}

// Close releases the interface (the kernel driver is attached again), the
// device and the libusb context.
func (d *usbDevice) Close() error {
	if d.intf != nil {
		d.intf.Close()
	}
	var errs []error
	if d.config != nil {
		errs = append(errs, d.config.Close())
	}
	if d.dev != nil {
		errs = append(errs, d.dev.Close())
	}
	errs = append(errs, d.ctx.Close())
	return errors.Join(errs...)
}
