package scanner_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/scanner"
)

func TestConfigValidate(t *testing.T) {
	serial := scanner.Config{Name: "gun-1", Kind: scanner.KindSerial, Port: "/dev/ttyUSB0"}
	usb := scanner.Config{Name: "wedge-1", Kind: scanner.KindUSBHID, VendorID: 0x0c2e, ProductID: 0x0b61}
	bad := scanner.DefaultHIDPOSLayout
	bad.MaxData = 0
	tests := []struct {
		name   string
		cfg    scanner.Config
		modify func(c *scanner.Config)
		field  string // "" = valid
	}{
		{"serial", serial, func(c *scanner.Config) {}, ""},
		{"serial, every option", serial, func(c *scanner.Config) {
			c.Baud, c.Parity, c.DataBits, c.StopBits = 115200, "even", 7, 2
			c.Terminator, c.MaxLength, c.Prefixes, c.Suffixes, c.GSSubstitute = "tab", 100, []string{"]"}, []string{"#"}, "<GS>"
			c.ReconnectMin, c.ReconnectMax = time.Second, time.Minute
		}, ""},
		{"usb", usb, func(c *scanner.Config) {}, ""},
		{"hid-pos with a layout", usb, func(c *scanner.Config) { c.Kind = scanner.KindHIDPOS; l := scanner.DefaultHIDPOSLayout; c.HIDPOS = &l }, ""},
		{"no name", serial, func(c *scanner.Config) { c.Name = " " }, "Name"},
		{"unknown kind", serial, func(c *scanner.Config) { c.Kind = "bluetooth" }, "Kind"},
		{"no kind", serial, func(c *scanner.Config) { c.Kind = "" }, "Kind"},
		{"usb without vendor", usb, func(c *scanner.Config) { c.VendorID = 0 }, "VendorID"},
		{"usb without product", usb, func(c *scanner.Config) { c.ProductID = 0 }, "ProductID"},
		{"hid-pos with a bad layout", usb, func(c *scanner.Config) { c.Kind = scanner.KindHIDPOS; c.HIDPOS = &bad }, "HIDPOS"},
		{"serial without port", serial, func(c *scanner.Config) { c.Port = "" }, "Port"},
		{"negative baud", serial, func(c *scanner.Config) { c.Baud = -1 }, "Baud"},
		{"unknown parity", serial, func(c *scanner.Config) { c.Parity = "N" }, "Parity"},
		{"9 data bits", serial, func(c *scanner.Config) { c.DataBits = 9 }, "DataBits"},
		{"3 stop bits", serial, func(c *scanner.Config) { c.StopBits = 3 }, "StopBits"},
		{"unknown terminator", serial, func(c *scanner.Config) { c.Terminator = "etx" }, "Terminator"},
		{"negative max length", serial, func(c *scanner.Config) { c.MaxLength = -1 }, "MaxLength"},
		{"empty prefix", serial, func(c *scanner.Config) { c.Prefixes = []string{"]", ""} }, "Prefixes[1]"},
		{"suffix with CR", serial, func(c *scanner.Config) { c.Suffixes = []string{"\r"} }, "Suffixes[0]"},
		{"GS substitute with LF", serial, func(c *scanner.Config) { c.GSSubstitute = "\n" }, "GSSubstitute"},
		{"GS substitute is the tab terminator", serial, func(c *scanner.Config) { c.Terminator, c.GSSubstitute = "tab", "\t" }, "GSSubstitute"},
		{"negative backoff", serial, func(c *scanner.Config) { c.ReconnectMin = -time.Second }, "ReconnectMin"},
		{"backoff max below min", serial, func(c *scanner.Config) { c.ReconnectMin, c.ReconnectMax = time.Second, time.Millisecond }, "ReconnectMax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			tt.modify(&c)
			err := c.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, scanner.ErrConfig) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("Validate = %v, want ErrConfig naming %s", err, tt.field)
			}
		})
	}
}

func TestNew(t *testing.T) {
	s, err := scanner.New(scanner.Config{Name: "gun", Kind: scanner.KindSerial, Port: "/dev/null"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*scanner.Scanner); !ok {
		t.Errorf("New(serial) = %T, want *scanner.Scanner", s)
	}
	if h := s.Health(); h.Device != "gun" || h.Kind != scanner.KindSerial || h.Connected {
		t.Errorf("Health() = %+v", h)
	}
	if s, err := scanner.New(scanner.Config{Name: "gun", Kind: scanner.KindSerial}); s != nil || !errors.Is(err, scanner.ErrConfig) {
		t.Errorf("New(invalid) = %v, %v; want nil, ErrConfig", s, err)
	}
	if _, err := scanner.NewSerial(scanner.Config{Name: "w", Kind: scanner.KindUSBHID, VendorID: 1, ProductID: 1}); !errors.Is(err, scanner.ErrConfig) {
		t.Errorf("NewSerial(usb config) error = %v, want ErrConfig", err)
	}
	if _, err := scanner.NewHID(scanner.Config{Name: "g", Kind: scanner.KindSerial, Port: "/dev/null"}, nil); !errors.Is(err, scanner.ErrConfig) {
		t.Errorf("NewHID(serial config) error = %v, want ErrConfig", err)
	}
}
