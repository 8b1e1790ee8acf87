package profiles_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	profiles "github.com/jxc-edge/jxc/firmware-configs"
)

const readerYAML = `kind: reader
name: dock-1
address: 192.168.10.21
antennas:
  - {port: 1, role: outer}
  - {port: 2, role: outer}
  - {port: 3, role: inner}
gate:
  bin: DOCK-1
`

const scaleYAML = `kind: scale
name: bench-1
protocol: mt-sics
port: /dev/ttyUSB0
unit: kg
`

const scannerYAML = `kind: scanner
name: scan-1
transport: usb-hid
vendor_id: "0x0c2e"
product_id: "0x0b61"
`

// labelsYAML is a station whose labels list the tests complete.
const labelsYAML = scannerYAML + "station:\n  bin: R1\n  labels:\n"

// edit returns base with every old replaced by new, pairwise; it fails the
// test if an old is not there, so a case cannot silently test nothing.
func edit(t *testing.T, base string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(base, pairs[i]) {
			t.Fatalf("edit: %q not in\n%s", pairs[i], base)
		}
		base = strings.Replace(base, pairs[i], pairs[i+1], 1)
	}
	return base
}

// errLines returns the messages of a (joined) error, one per problem.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, errLines(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		yaml func(t *testing.T) string
		// want holds the messages, each a whole line of the joined error
		// or, if it ends in "…", the start of one.
		want []string
	}{
		// Whole-file problems.
		{"empty", "x.yaml", func(t *testing.T) string { return "" }, []string{"x.yaml: file is empty; it must describe one device"}},
		{"comment only", "x.yaml", func(t *testing.T) string { return "# nothing\n" }, []string{"x.yaml: file is empty; it must describe one device"}},
		{"a scalar", "x.yaml", func(t *testing.T) string { return "reader\n" }, []string{"x.yaml: file must be a mapping of fields (kind: reader, name: …)"}},
		{"a list", "x.yaml", func(t *testing.T) string { return "- kind: reader\n" }, []string{"x.yaml: file must be a mapping of fields (kind: reader, name: …)"}},
		{"two documents", "x.yaml", func(t *testing.T) string { return readerYAML + "---\n" + scaleYAML }, []string{"x.yaml: file holds more than one YAML document; put one device in each file"}},
		{"syntax", "x.yaml", func(t *testing.T) string { return "kind: reader\n  name: x\n" }, []string{"x.yaml: mapping values are not allowed in this context (line 2)"}},
		{"tab indent", "x.yaml", func(t *testing.T) string { return "kind: reader\nrospec:\n\tsession: 1\n" }, []string{"x.yaml: found character that cannot start any token (line 3)"}},
		{"no kind", "x.yaml", func(t *testing.T) string { return "name: x\n" }, []string{"x.yaml: kind: required: reader, scale or scanner"}},
		{"unknown kind", "x.yaml", func(t *testing.T) string { return "kind: camera\nname: x\n" }, []string{`x.yaml: kind: "camera" is not reader, scale or scanner (line 1)`}},

		// Decoding: unknown fields, types, duplicates.
		{"unknown field", "dock-1.yaml", func(t *testing.T) string { return readerYAML + "colour: red\n" },
			[]string{`dock-1.yaml: colour: unknown field "colour" (line 10)`}},
		{"unknown nested field", "dock-1.yaml", func(t *testing.T) string {
			return edit(t, readerYAML, "{port: 2, role: outer}", "{port: 2, role: outer, gain: 6}")
		}, []string{`dock-1.yaml: antennas[1].gain: unknown field "gain" (line 6)`}},
		{"unknown gate field", "dock-1.yaml", func(t *testing.T) string { return edit(t, readerYAML, "  bin: DOCK-1\n", "  bin: DOCK-1\n  door: 3\n") },
			[]string{`dock-1.yaml: gate.door: unknown field "door" (line 10)`}},
		{"duplicate key", "dock-1.yaml", func(t *testing.T) string { return readerYAML + "address: 10.0.0.1\n" },
			[]string{"dock-1.yaml: address: given twice, first on line 3 (line 10)"}},
		{"fraction for integer", "dock-1.yaml", func(t *testing.T) string { return readerYAML + "rospec:\n  session: 1.5\n" },
			[]string{`dock-1.yaml: rospec.session: want an integer, got "1.5" (line 11)`}},
		{"string for integer", "dock-1.yaml", func(t *testing.T) string {
			return edit(t, readerYAML, "{port: 3, role: inner}", "{port: three, role: inner}")
		},
			[]string{`dock-1.yaml: antennas[2].port: want an integer, got "three" (line 7)`}},
		{"number for duration", "dock-1.yaml", func(t *testing.T) string { return readerYAML + "keepalive: 10\n" },
			[]string{`dock-1.yaml: keepalive: want a duration such as "10s" or "500ms", got "10" (line 10)`}},
		{"bad duration", "dock-1.yaml", func(t *testing.T) string {
			return edit(t, readerYAML, "  bin: DOCK-1\n", "  bin: DOCK-1\n  hold_off: 5 seconds\n")
		},
			[]string{`dock-1.yaml: gate.hold_off: want a duration such as "10s" or "500ms", got "5 seconds" (line 10)`}},
		{"list for string, no other noise", "dock-1.yaml", func(t *testing.T) string {
			return edit(t, readerYAML, "address: 192.168.10.21", "address: [192.168.10.21, 192.168.10.22]")
		}, []string{`dock-1.yaml: address: want a string, got a list (line 3)`}},
		{"mapping for list", "dock-1.yaml", func(t *testing.T) string { return "kind: reader\naddress: r1\nantennas: {port: 1}\n" },
			[]string{`dock-1.yaml: antennas: want a list, got a mapping (line 3)`}},
		{"list for an integer in a list", "dock-1.yaml", func(t *testing.T) string {
			return edit(t, readerYAML, "{port: 2, role: outer}", "{port: [2], role: outer}")
		},
			[]string{`dock-1.yaml: antennas[1].port: want an integer, got a list (line 6)`}},
		{"long value", "dock-1.yaml", func(t *testing.T) string { return edit(t, readerYAML, "{port: 2,", "{port: twotwotwotwo,") },
			[]string{`dock-1.yaml: antennas[1].port: want an integer, got "twotwot..." (line 6)`}},

		// Reader fields.
		{"bad name", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "name: dock-1", "name: dock 1") },
			[]string{`r.yaml: name: "dock 1" is not a valid device name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 (line 2)`}},
		{"file name not a name", "dock 1.yaml", func(t *testing.T) string { return edit(t, readerYAML, "name: dock-1\n", "") },
			[]string{`dock 1.yaml: name: required: the file name "dock 1" is not a valid device name…`}},
		{"no address", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "address: 192.168.10.21\n", "") },
			[]string{"r.yaml: address: required: host:port"}},
		{"bad address port", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "192.168.10.21", "192.168.10.21:99999") },
			[]string{`r.yaml: address: "192.168.10.21:99999": port "99999" is not between 1 and 65535 (line 3)`}},
		{"bad address host", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "192.168.10.21", "reader_1!") },
			[]string{`r.yaml: address: "reader_1!" does not name a host (an IP address or a DNS name) (line 3)`}},
		{"ports", "r.yaml", func(t *testing.T) string { return readerYAML + "ports: 0\n" }, []string{"r.yaml: ports: 0 is not between 1 and 32 (line 10)"}},
		{"keepalive", "r.yaml", func(t *testing.T) string { return readerYAML + "keepalive: 500ms\n" }, []string{"r.yaml: keepalive: 500ms is not between 1s and 5m0s (line 10)"}},
		{"session", "r.yaml", func(t *testing.T) string { return readerYAML + "rospec: {session: 4}\n" }, []string{"r.yaml: rospec.session: 4 is not between 0 and 3 (line 10)"}},
		{"mode index", "r.yaml", func(t *testing.T) string { return readerYAML + "rospec: {mode_index: 70000}\n" }, []string{"r.yaml: rospec.mode_index: 70000 is not between 0 and 65535 (line 10)"}},
		{"search mode", "r.yaml", func(t *testing.T) string { return readerYAML + "rospec: {search_mode: triple-target}\n" },
			[]string{`r.yaml: rospec.search_mode: "triple-target" is not reader-selected, single-target, dual-target or single-target-with-suppression (line 10)`}},
		{"vendor", "r.yaml", func(t *testing.T) string { return readerYAML + "vendor: zebra\n" },
			[]string{`r.yaml: vendor: "zebra" is not impinj or other (line 10)`}},
		{"tag population", "r.yaml", func(t *testing.T) string { return readerYAML + "rospec: {tag_population: 0}\n" }, []string{"r.yaml: rospec.tag_population: 0 is not between 1 and 65535 (line 10)"}},
		{"report every n", "r.yaml", func(t *testing.T) string { return readerYAML + "rospec: {report_every_n_tags: 0}\n" }, []string{"r.yaml: rospec.report_every_n_tags: 0 is not between 1 and 65535 (line 10)"}},
		{"transit time ms", "r.yaml", func(t *testing.T) string { return readerYAML + "rospec: {tag_transit_time: 1500us}\n" }, []string{"r.yaml: rospec.tag_transit_time: 1.5ms is not a whole number of milliseconds (line 10)"}},
		{"no antennas", "r.yaml", func(t *testing.T) string { return "kind: reader\naddress: r1\n" }, []string{"r.yaml: antennas: required: at least one antenna"}},
		{"antenna port beyond ports", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "{port: 3,", "{port: 5,") },
			[]string{"r.yaml: antennas[2].port: 5 is not between 1 and 4 (line 7)"}},
		{"antenna port missing", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "{port: 3, role: inner}", "{role: inner}") },
			[]string{"r.yaml: antennas[2].port: required: 1 to 4"}},
		{"antenna port twice", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "{port: 2,", "{port: 1,") },
			[]string{"r.yaml: antennas[1].port: port 1 is also antennas[0]'s (line 6)"}},
		{"antenna role", "dock-1.yaml", func(t *testing.T) string { return edit(t, readerYAML, "role: inner", "role: middle") },
			[]string{`dock-1.yaml: antennas[2].role: "middle" is not outer or inner (line 7)`, "dock-1.yaml: antennas: a gate needs at least one outer and one inner antenna, has 2 outer and 0 inner (line 4)"}},
		{"antenna role missing on a gate", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "{port: 1, role: outer}", "{port: 1}") },
			[]string{"r.yaml: antennas[0].role: required on a gate: outer or inner"}},
		{"antenna power", "r.yaml", func(t *testing.T) string {
			return edit(t, readerYAML, "{port: 1, role: outer}", "{port: 1, role: outer, power_cdbm: 30}")
		},
			[]string{"r.yaml: antennas[0].power_cdbm: 30 is not between 1000 and 3300 (line 5)"}},
		{"gate without bin", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "  bin: DOCK-1\n", "  min_reads: 2\n") },
			[]string{"r.yaml: gate.bin: required: the bin the gate's movements are booked to"}},
		{"gate rssi", "r.yaml", func(t *testing.T) string { return readerYAML + "  rssi_threshold_dbm: -5\n" }, []string{"r.yaml: gate.rssi_threshold_dbm: -5 is not between -100 and -10 (line 10)"}},
		{"gate hold-off", "r.yaml", func(t *testing.T) string { return readerYAML + "  hold_off: -1s\n" }, []string{"r.yaml: gate.hold_off: -1s is not between 0s and 10m0s (line 10)"}},
		{"gate departure", "r.yaml", func(t *testing.T) string { return readerYAML + "  departure_timeout: 50ms\n" }, []string{"r.yaml: gate.departure_timeout: 50ms is not between 100ms and 1m0s (line 10)"}},
		{"gate min reads", "r.yaml", func(t *testing.T) string { return readerYAML + "  min_reads: 0\n" }, []string{"r.yaml: gate.min_reads: 0 is not between 1 and 1000 (line 10)"}},
		{"gate one-sided", "r.yaml", func(t *testing.T) string { return readerYAML + "  one_sided: sometimes\n" },
			[]string{`r.yaml: gate.one_sided: "sometimes" is not ignore, inner-in, outer-out or both (line 10)`}},
		{"gate bin control char", "r.yaml", func(t *testing.T) string { return edit(t, readerYAML, "bin: DOCK-1", `bin: "DOCK\t1"`) },
			[]string{"r.yaml: gate.bin: contains a control character (line 9)"}},

		// Scale fields.
		{"scale protocol missing", "s.yaml", func(t *testing.T) string { return edit(t, scaleYAML, "protocol: mt-sics\n", "") },
			[]string{"s.yaml: protocol: required: mt-sics, toledo-continuous or toledo-8217"}},
		{"scale protocol", "s.yaml", func(t *testing.T) string { return edit(t, scaleYAML, "mt-sics", "sics") },
			[]string{`s.yaml: protocol: "sics" is not mt-sics, toledo-continuous or toledo-8217 (line 3)`}},
		{"scale unit missing", "s.yaml", func(t *testing.T) string { return edit(t, scaleYAML, "unit: kg\n", "") }, []string{"s.yaml: unit: required: g, kg or lb"}},
		{"scale unit", "s.yaml", func(t *testing.T) string { return edit(t, scaleYAML, "unit: kg", "unit: oz") }, []string{`s.yaml: unit: "oz" is not g, kg or lb (line 5)`}},
		{"scale port and address", "s.yaml", func(t *testing.T) string { return scaleYAML + "address: 10.0.0.5:4001\n" },
			[]string{"s.yaml: address: give port (serial) or address (TCP), not both (line 6)"}},
		{"scale neither", "s.yaml", func(t *testing.T) string { return edit(t, scaleYAML, "port: /dev/ttyUSB0\n", "") },
			[]string{"s.yaml: port: required: a serial port, or an address for a scale on the network"}},
		{"scale address without port", "s.yaml", func(t *testing.T) string { return edit(t, scaleYAML, "port: /dev/ttyUSB0", "address: scale.lan") },
			[]string{`s.yaml: address: "scale.lan" is not host:port (line 4)`}},
		{"scale address with serial settings", "s.yaml", func(t *testing.T) string {
			return edit(t, scaleYAML, "port: /dev/ttyUSB0", "address: scale.lan:4001\nbaud: 9600\nparity: even")
		}, []string{"s.yaml: baud: only for a serial port, not for a scale on the network (line 5)", "s.yaml: parity: only for a serial port, not for a scale on the network (line 6)"}},
		{"scale port", "s.yaml", func(t *testing.T) string { return edit(t, scaleYAML, "/dev/ttyUSB0", "ttyUSB0") },
			[]string{`s.yaml: port: "ttyUSB0" is not a serial device (/dev/ttyUSB0, /dev/serial/by-id/…, COM3) (line 4)`}},
		{"scale baud", "s.yaml", func(t *testing.T) string { return scaleYAML + "baud: 9601\n" }, []string{"s.yaml: baud: 9601 is not a standard rate (1200 to 115200) (line 6)"}},
		{"scale data bits", "s.yaml", func(t *testing.T) string { return scaleYAML + "data_bits: 6\n" }, []string{"s.yaml: data_bits: 6 is not between 7 and 8 (line 6)"}},
		{"scale stop bits", "s.yaml", func(t *testing.T) string { return scaleYAML + "stop_bits: 3\n" }, []string{"s.yaml: stop_bits: 3 is not between 1 and 2 (line 6)"}},
		{"scale parity", "s.yaml", func(t *testing.T) string { return scaleYAML + "parity: mark\n" }, []string{`s.yaml: parity: "mark" is not none, even or odd (line 6)`}},
		{"scale stable timeout", "s.yaml", func(t *testing.T) string { return scaleYAML + "stable_timeout: 2m\n" },
			[]string{"s.yaml: stable_timeout: 2m0s is not between 100ms and 1m0s (line 6)"}},

		{"scale checksum on mt-sics", "s.yaml", func(t *testing.T) string { return scaleYAML + "checksum: true\n" },
			[]string{"s.yaml: checksum: only for toledo-continuous, whose frames may end with a checksum byte (line 6)"}},
		{"scale reply timeout", "s.yaml", func(t *testing.T) string { return scaleYAML + "reply_timeout: 1m\n" },
			[]string{"s.yaml: reply_timeout: 1m0s is not between 100ms and 30s (line 6)"}},

		// Scanner fields.
		{"station without bin", "c.yaml", func(t *testing.T) string { return scannerYAML + "station:\n  reason: receive\n" },
			[]string{"c.yaml: station.bin: required: the bin scans are booked to"}},
		{"station reason", "c.yaml", func(t *testing.T) string { return scannerYAML + "station:\n  bin: R1\n  reason: steal\n" },
			[]string{`c.yaml: station.reason: "steal" is not one of receive, purchase, return, transfer_in, adjust, ship, sale, scrap, transfer_out (line 8)`}},
		{"station unknown field", "c.yaml", func(t *testing.T) string { return scannerYAML + "station:\n  bin: R1\n  qty: 3\n" },
			[]string{`c.yaml: station.qty: unknown field "qty" (line 8)`}},
		{"label prefix not 2x", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {prefix: \"12\", measure: price}\n" },
			[]string{`c.yaml: station.labels[0].prefix: "12" is not digits starting with 2 (in-store codes are restricted circulation numbers 20–29) (line 9)`}},
		{"label prefix missing", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {measure: price}\n" },
			[]string{`c.yaml: station.labels[0].prefix: required: the digits the labels start with, quoted, e.g. "2" or "22"`}},
		{"label prefix longer than its digits", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {prefix: \"221\", measure: weight}\n" },
			[]string{`c.yaml: station.labels[0].prefix: "221" is longer than prefix_digits 2 (line 9)`}},
		{"label prefix twice", "c.yaml", func(t *testing.T) string {
			return labelsYAML + "    - {prefix: \"22\", measure: price}\n    - {prefix: \"22\", measure: weight}\n"
		},
			[]string{`c.yaml: station.labels[1].prefix: "22" is also station.labels[0]'s prefix (line 10)`}},
		{"label measure missing", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {prefix: \"22\"}\n" },
			[]string{`c.yaml: station.labels[0].measure: required: weight (称重码) or price (金额码)`}},
		{"label measure unknown", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {prefix: \"22\", measure: volume}\n" },
			[]string{`c.yaml: station.labels[0].measure: "volume" is not weight or price (line 9)`}},
		{"label not 13 digits", "c.yaml", func(t *testing.T) string {
			return labelsYAML + "    - {prefix: \"22\", measure: price, item_digits: 6}\n"
		},
			[]string{`c.yaml: station.labels[0]: prefix_digits 2 + item_digits 6 + value_digits 5 + 1 check digit(s) = 14, want 13 (EAN-13) (line 9)`}},
		{"label price check on 6 digits", "c.yaml", func(t *testing.T) string {
			return labelsYAML + "    - {prefix: \"22\", measure: price, price_check: true, item_digits: 3, value_digits: 6}\n"
		},
			[]string{`c.yaml: station.labels[0].value_digits: 6: a price check digit is defined for 4 or 5 digits only (line 9)`}},
		{"label unit on a price", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {prefix: \"22\", measure: price, unit: kg}\n" },
			[]string{`c.yaml: station.labels[0].unit: only for a weight: a price is in yuan (line 9)`}},
		{"label weight unit", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {prefix: \"21\", measure: weight, unit: jin}\n" },
			[]string{`c.yaml: station.labels[0].unit: "jin" is not kg or lb (line 9)`}},
		{"label decimals", "c.yaml", func(t *testing.T) string {
			return labelsYAML + "    - {prefix: \"21\", measure: weight, decimals: 6}\n"
		},
			[]string{`c.yaml: station.labels[0].decimals: 6 is not between 0 and 5 (line 9)`}},
		{"label unknown field", "c.yaml", func(t *testing.T) string { return labelsYAML + "    - {prefix: \"21\", measure: weight, plu: 5}\n" },
			[]string{`c.yaml: station.labels[0].plu: unknown field "plu" (line 9)`}},
		{"scanner transport missing", "c.yaml", func(t *testing.T) string { return edit(t, scannerYAML, "transport: usb-hid\n", "") },
			[]string{"c.yaml: transport: required: usb-hid, hid-pos or serial"}},
		{"scanner transport", "c.yaml", func(t *testing.T) string { return edit(t, scannerYAML, "usb-hid", "bluetooth") },
			[]string{`c.yaml: transport: "bluetooth" is not usb-hid, hid-pos or serial (line 3)`}},
		{"scanner vendor missing", "c.yaml", func(t *testing.T) string { return edit(t, scannerYAML, "vendor_id: \"0x0c2e\"\n", "") },
			[]string{`c.yaml: vendor_id: required for a USB scanner: 4 hex digits such as "0x0c2e"`}},
		{"scanner vendor not hex", "c.yaml", func(t *testing.T) string { return edit(t, scannerYAML, `"0x0c2e"`, `"0c2e"`) },
			[]string{`c.yaml: vendor_id: "0c2e" is not 4 hex digits such as "0x0c2e" (line 4)`}},
		{"scanner product zero", "c.yaml", func(t *testing.T) string { return edit(t, scannerYAML, `"0x0b61"`, `"0x0000"`) },
			[]string{`c.yaml: product_id: "0x0000" is not a USB ID (line 5)`}},
		{"scanner usb with port and baud", "c.yaml", func(t *testing.T) string { return scannerYAML + "port: /dev/ttyACM0\nbaud: 9600\n" },
			[]string{"c.yaml: port: only for a serial scanner (line 6)", "c.yaml: baud: only for a serial scanner (line 7)"}},
		{"scanner serial without port", "c.yaml", func(t *testing.T) string { return "kind: scanner\ntransport: serial\n" },
			[]string{"c.yaml: port: required for a serial scanner"}},
		{"scanner serial with usb ids", "c.yaml", func(t *testing.T) string { return edit(t, scannerYAML, "usb-hid", "serial") + "port: COM3\n" },
			[]string{"c.yaml: vendor_id: only for a USB scanner (line 4)", "c.yaml: product_id: only for a USB scanner (line 5)"}},
		{"scanner serial baud", "c.yaml", func(t *testing.T) string { return "kind: scanner\ntransport: serial\nport: /dev/ttyS1\nbaud: 1000\n" },
			[]string{"c.yaml: baud: 1000 is not a standard rate (1200 to 115200) (line 4)"}},
		{"scanner AIM id", "c.yaml", func(t *testing.T) string { return scannerYAML + `symbology_prefixes: ["]C1", "C1"]` + "\n" },
			[]string{`c.yaml: symbology_prefixes[1]: "C1" is not an AIM symbology identifier such as "]C1" (']', a letter, a modifier character) (line 6)`}},
		{"scanner AIM id twice", "c.yaml", func(t *testing.T) string {
			return scannerYAML + "symbology_prefixes:\n  - \"]E0\"\n  - \"]C1\"\n  - \"]E0\"\n"
		},
			[]string{`c.yaml: symbology_prefixes[2]: "]E0" is also symbology_prefixes[0] (line 9)`}},
		{"scanner GS substitute digit", "c.yaml", func(t *testing.T) string { return scannerYAML + "gs_substitute: \"29\"\n" },
			[]string{`c.yaml: gs_substitute: "29" must be 1 to 8 printable ASCII characters and no digit (a digit would be taken for data) (line 6)`}},
		{"scanner GS substitute long", "c.yaml", func(t *testing.T) string { return scannerYAML + "gs_substitute: \"<<<GS>>>>\"\n" },
			[]string{`c.yaml: gs_substitute: "<<<GS>>>>" must be 1 to 8 printable ASCII characters…`}},
		{"scanner terminator", "c.yaml", func(t *testing.T) string { return scannerYAML + "terminator: semicolon\n" },
			[]string{`c.yaml: terminator: "semicolon" is not cr, enter, lf, crlf or tab (line 6)`}},

		// Everything at once.
		{"several problems", "dock-1.yaml", func(t *testing.T) string {
			return edit(t, readerYAML, "role: inner", "role: middle", "{port: 2,", "{port: 9,", "  bin: DOCK-1\n", "  bin: DOCK-1\n  min_reads: 0\n") + "bogus: 1\n"
		}, []string{
			`dock-1.yaml: bogus: unknown field "bogus" (line 11)`,
			"dock-1.yaml: antennas[1].port: 9 is not between 1 and 4 (line 6)",
			`dock-1.yaml: antennas[2].role: "middle" is not outer or inner (line 7)`,
			"dock-1.yaml: gate.min_reads: 0 is not between 1 and 1000 (line 10)",
			"dock-1.yaml: antennas: a gate needs at least one outer and one inner antenna, has 2 outer and 0 inner (line 4)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := profiles.Parse(tt.file, []byte(tt.yaml(t)))
			if err == nil {
				t.Fatalf("no error; set %+v", s)
			}
			if s != nil {
				t.Errorf("a set with an error")
			}
			if !errors.Is(err, profiles.ErrInvalid) {
				t.Errorf("error does not match ErrInvalid: %v", err)
			}
			var fe *profiles.FieldError
			if !errors.As(err, &fe) || fe.File != tt.file {
				t.Errorf("no *FieldError of %s in %v", tt.file, err)
			}
			got := errLines(err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					if p, ok := strings.CutSuffix(w, "…"); ok && strings.HasPrefix(g, p) || g == w {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %q in:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	tests := []struct {
		name, file, yaml string
		want             any
	}{
		{"reader", "dock-1.yaml", readerYAML, profiles.Reader{
			Name: "dock-1", Address: "192.168.10.21:5084", Ports: 4, Keepalive: 10 * time.Second, File: "dock-1.yaml",
			ROSpec: profiles.ROSpec{ModeIndex: 0, Session: 2, SearchMode: profiles.SearchDualTarget, TagPopulation: 32, ReportEveryNTags: 1},
			Antennas: []profiles.Antenna{
				{Port: 1, PowerCdBm: 3000, Role: profiles.RoleOuter},
				{Port: 2, PowerCdBm: 3000, Role: profiles.RoleOuter},
				{Port: 3, PowerCdBm: 3000, Role: profiles.RoleInner},
			},
			Gate: &profiles.Gate{Bin: "DOCK-1", RSSIThresholdDBm: -70, HoldOff: 5 * time.Second, DepartureTimeout: time.Second,
				MinReads: 1, OneSided: profiles.OneSidedIgnore},
		}},
		{"reader naming its vendor", "dock-1.yaml", readerYAML + "vendor: impinj\n", profiles.Reader{
			Name: "dock-1", Address: "192.168.10.21:5084", Vendor: profiles.VendorImpinj, Ports: 4, Keepalive: 10 * time.Second, File: "dock-1.yaml",
			ROSpec: profiles.ROSpec{ModeIndex: 0, Session: 2, SearchMode: profiles.SearchDualTarget, TagPopulation: 32, ReportEveryNTags: 1},
			Antennas: []profiles.Antenna{
				{Port: 1, PowerCdBm: 3000, Role: profiles.RoleOuter},
				{Port: 2, PowerCdBm: 3000, Role: profiles.RoleOuter},
				{Port: 3, PowerCdBm: 3000, Role: profiles.RoleInner},
			},
			Gate: &profiles.Gate{Bin: "DOCK-1", RSSIThresholdDBm: -70, HoldOff: 5 * time.Second, DepartureTimeout: time.Second,
				MinReads: 1, OneSided: profiles.OneSidedIgnore},
		}},
		{"reader without gate, name from file, IPv6, antennas sorted", "shelf.yml",
			"kind: reader\naddress: \"[fd00::21]\"\nantennas: [{port: 2}, {port: 1, power_cdbm: 2000}]\nrospec: {session: 0, mode_index: 0}\n",
			profiles.Reader{
				Name: "shelf", Address: "[fd00::21]:5084", Ports: 4, Keepalive: 10 * time.Second, File: "shelf.yml",
				ROSpec:   profiles.ROSpec{Session: 0, SearchMode: profiles.SearchDualTarget, TagPopulation: 32, ReportEveryNTags: 1},
				Antennas: []profiles.Antenna{{Port: 1, PowerCdBm: 2000}, {Port: 2, PowerCdBm: 3000}},
			}},
		{"mt-sics scale", "bench-1.yaml", scaleYAML, profiles.Scale{
			Name: "bench-1", Protocol: profiles.ProtocolMTSICS, Port: "/dev/ttyUSB0", Baud: 9600, DataBits: 8,
			Parity: profiles.ParityNone, StopBits: 1, Unit: "kg", StableTimeout: 3 * time.Second, ReplyTimeout: time.Second, File: "bench-1.yaml",
		}},
		{"toledo 8217 scale is 7E1", "lane-1.yaml", "kind: scale\nprotocol: toledo-8217\nport: COM3\nunit: lb\n", profiles.Scale{
			Name: "lane-1", Protocol: profiles.ProtocolToledo8217, Port: "COM3", Baud: 9600, DataBits: 7,
			Parity: profiles.ParityEven, StopBits: 1, Unit: "lb", StableTimeout: 3 * time.Second, ReplyTimeout: time.Second, File: "lane-1.yaml",
		}},
		{"network scale", "n.yaml", "kind: scale\nprotocol: mt-sics\naddress: 10.0.0.9:4001\nunit: g\n", profiles.Scale{
			Name: "n", Protocol: profiles.ProtocolMTSICS, Address: "10.0.0.9:4001", Unit: "g", StableTimeout: 3 * time.Second, ReplyTimeout: time.Second, File: "n.yaml",
		}},
		{"usb scanner, unquoted hex ids", "scan-1.yaml", "kind: scanner\ntransport: hid-pos\nvendor_id: 0x05e0\nproduct_id: 0x1200\n", profiles.Scanner{
			Name: "scan-1", Transport: profiles.TransportHIDPOS, VendorID: 0x05e0, ProductID: 0x1200, Terminator: "\r", File: "scan-1.yaml",
		}},
		{"serial scanner", "s.yaml", "kind: scanner\ntransport: serial\nport: /dev/ttyACM0\nterminator: crlf\ngs_substitute: \"<GS>\"\n", profiles.Scanner{
			Name: "s", Transport: profiles.TransportSerial, Port: "/dev/ttyACM0", Baud: 9600, GSSubstitute: "<GS>", Terminator: "\r\n", File: "s.yaml",
		}},
		{"station reads weight labels by default", "s.yaml", "kind: scanner\ntransport: serial\nport: /dev/ttyACM0\nstation: {bin: R1}\n", profiles.Scanner{
			Name: "s", Transport: profiles.TransportSerial, Port: "/dev/ttyACM0", Baud: 9600, Terminator: "\r", File: "s.yaml",
			Station: &profiles.Station{Bin: "R1", Reason: "receive", Labels: []profiles.LabelLayout{
				{Prefix: "2", PrefixDigits: 2, ItemDigits: 5, ValueDigits: 5, Measure: profiles.MeasureWeight, Decimals: 3, Unit: "kg"}}},
		}},
		{"station with price and weight labels", "s.yaml", "kind: scanner\ntransport: serial\nport: /dev/ttyACM0\nstation:\n  bin: R1\n  labels:\n" +
			"    - {prefix: \"22\", measure: price}\n" +
			"    - {prefix: \"28\", price_check: true, measure: price, decimals: 1}\n" +
			"    - {prefix: \"2\", item_digits: 6, value_digits: 4, measure: weight, decimals: 2}\n", profiles.Scanner{
			Name: "s", Transport: profiles.TransportSerial, Port: "/dev/ttyACM0", Baud: 9600, Terminator: "\r", File: "s.yaml",
			Station: &profiles.Station{Bin: "R1", Reason: "receive", Labels: []profiles.LabelLayout{
				{Prefix: "22", PrefixDigits: 2, ItemDigits: 5, ValueDigits: 5, Measure: profiles.MeasurePrice, Decimals: 2},
				{Prefix: "28", PrefixDigits: 2, ItemDigits: 4, PriceCheck: true, ValueDigits: 5, Measure: profiles.MeasurePrice, Decimals: 1},
				{Prefix: "2", PrefixDigits: 2, ItemDigits: 6, ValueDigits: 4, Measure: profiles.MeasureWeight, Decimals: 2, Unit: "kg"},
			}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := profiles.Parse(tt.file, []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != 1 {
				t.Fatalf("set of %d", s.Len())
			}
			var got any
			switch {
			case len(s.Readers()) == 1:
				got = s.Readers()[0]
			case len(s.Scales()) == 1:
				got = s.Scales()[0]
			default:
				got = s.Scanners()[0]
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestShipped loads the shipped profiles both from the folder and from the
// embedded copy: all valid, the same, of the expected hardware.
func TestShipped(t *testing.T) {
	s, err := profiles.LoadDir("devices")
	if err != nil {
		t.Fatalf("shipped profiles are invalid:\n%v", err)
	}
	emb, err := profiles.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if s.Version() != emb.Version() {
		t.Errorf("embedded profiles differ from devices/")
	}
	names := func(n int, f func(i int) string) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, f(i))
		}
		return out
	}
	rs, ss, cs := s.Readers(), s.Scales(), s.Scanners()
	got := [][]string{
		names(len(rs), func(i int) string { return rs[i].Name }),
		names(len(ss), func(i int) string { return ss[i].Name }),
		names(len(cs), func(i int) string { return cs[i].Name }),
	}
	want := [][]string{{"dock-1", "gate-2"}, {"scale-bench-1", "scale-checkout-1"}, {"scanner-dock-1", "scanner-pick-1", "scanner-recv-1"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("profiles %v, want %v", got, want)
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"dock-1 is a 4-antenna portal, 2 outer and 2 inner", len(rs[0].Antennas) == 4 && rs[0].Gate != nil &&
			rs[0].Antennas[0].Role == profiles.RoleOuter && rs[0].Antennas[1].Role == profiles.RoleOuter &&
			rs[0].Antennas[2].Role == profiles.RoleInner && rs[0].Antennas[3].Role == profiles.RoleInner},
		{"gate-2 is a 2-antenna gate", len(rs[1].Antennas) == 2 && rs[1].Gate != nil && rs[1].Ports == 8},
		{"bench scale is MT-SICS 8N1", ss[0].Protocol == profiles.ProtocolMTSICS && ss[0].DataBits == 8 && ss[0].Parity == profiles.ParityNone},
		{"checkout scale is Toledo 8217 at 9600 7E1", ss[1].Protocol == profiles.ProtocolToledo8217 && ss[1].Baud == 9600 &&
			ss[1].DataBits == 7 && ss[1].Parity == profiles.ParityEven && ss[1].StopBits == 1},
		{"serial scanner", cs[0].Transport == profiles.TransportSerial && cs[0].Port != ""},
		{"Zebra/Symbol USB HID", cs[1].Transport == profiles.TransportUSBHID && cs[1].VendorID == 0x05e0},
		{"Honeywell USB HID", cs[2].Transport == profiles.TransportUSBHID && cs[2].VendorID == 0x0c2e},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok {
				t.Errorf("not so: %+v %+v %+v", rs, ss, cs)
			}
		})
	}
	for _, r := range rs {
		if r.File != r.Name+".yaml" {
			t.Errorf("reader %s loaded from %q", r.Name, r.File)
		}
	}
}

func TestLoadDirProblems(t *testing.T) {
	other := edit(t, readerYAML, "name: dock-1", "name: dock-2", "192.168.10.21", "192.168.10.22")
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{"name twice", fstest.MapFS{
			"a.yaml": {Data: []byte(readerYAML)},
			"b.yaml": {Data: []byte(edit(t, other, "name: dock-2", "name: dock-1"))},
		}, []string{`b.yaml: name: "dock-1" is also the name of the device in a.yaml (line 2)`}},
		{"name twice across kinds", fstest.MapFS{
			"a.yaml": {Data: []byte(readerYAML)},
			"b.yaml": {Data: []byte(edit(t, scaleYAML, "name: bench-1", "name: dock-1"))},
		}, []string{`b.yaml: name: "dock-1" is also the name of the device in a.yaml (line 2)`}},
		{"name from file clashes", fstest.MapFS{
			"a.yaml":      {Data: []byte(readerYAML)},
			"dock-1.yaml": {Data: []byte(edit(t, other, "name: dock-2\n", ""))},
		}, []string{`dock-1.yaml: name: "dock-1" is also the name of the device in a.yaml`}},
		{"reader address twice", fstest.MapFS{
			"a.yaml": {Data: []byte(readerYAML)},
			"b.yaml": {Data: []byte(edit(t, other, "192.168.10.22", "192.168.10.21:5084"))},
		}, []string{"b.yaml: address: address 192.168.10.21:5084 is also used by a.yaml; a device can have one client"}},
		{"serial port twice", fstest.MapFS{
			"a.yaml": {Data: []byte(scaleYAML)},
			"b.yaml": {Data: []byte("kind: scanner\ntransport: serial\nport: /dev/ttyUSB0\n")},
		}, []string{"b.yaml: port: serial port /dev/ttyUSB0 is also used by a.yaml; a device can have one client"}},
		{"station scale not a scale", fstest.MapFS{
			"a.yaml": {Data: []byte(readerYAML)},
			"c.yaml": {Data: []byte(scannerYAML + "station:\n  bin: R1\n  scale: dock-1\n")},
		}, []string{`c.yaml: station.scale: "dock-1" is not the name of a scale profile`}},
		{"every file's problems at once", fstest.MapFS{
			"a.yaml":       {Data: []byte(edit(t, readerYAML, "role: inner", "role: middle"))},
			"b.yml":        {Data: []byte(scaleYAML + "colour: red\n")},
			"c.yaml":       {Data: []byte(readerYAML)},
			"d.yaml":       {Data: []byte("kind: scanner\n")},
			"README.md":    {Data: []byte("not a profile")},
			".hidden.yaml": {Data: []byte("kind: nonsense")},
		}, []string{
			`a.yaml: antennas[2].role: "middle" is not outer or inner (line 7)`,
			"a.yaml: antennas: a gate needs at least one outer and one inner antenna, has 2 outer and 0 inner (line 4)",
			`b.yml: colour: unknown field "colour" (line 6)`,
			"d.yaml: transport: required: usb-hid, hid-pos or serial",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := profiles.LoadFS(tt.files, ".")
			if err == nil {
				t.Fatalf("no error; %d profiles", s.Len())
			}
			got := errLines(err)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadDirAndLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := profiles.LoadDir(dir)
	if err != nil || s.Len() != 0 {
		t.Fatalf("empty dir: %v, %v", s, err)
	}
	write("dock-1.yaml", readerYAML)
	write("bench-1.yaml", scaleYAML)
	write("scan-1.yaml", scannerYAML)
	if err := os.Mkdir(filepath.Join(dir, "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "old", "broken.yaml"), []byte("kind: x"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = profiles.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Readers()) != 1 || len(s.Scales()) != 1 || len(s.Scanners()) != 1 {
		t.Fatalf("got %d readers, %d scales, %d scanners", len(s.Readers()), len(s.Scales()), len(s.Scanners()))
	}
	one, err := profiles.Load(filepath.Join(dir, "bench-1.yaml"))
	if err != nil || one.Len() != 1 || one.Scales()[0].File != "bench-1.yaml" {
		t.Fatalf("Load: %v, %v", one, err)
	}
	if _, err := profiles.Load(filepath.Join(dir, "missing.yaml")); err == nil || errors.Is(err, profiles.ErrInvalid) {
		t.Fatalf("Load of a missing file: got %v, want a file system error", err)
	}
	write("huge.yaml", "kind: scale\n"+strings.Repeat("# padding\n", profiles.MaxFileBytes/10+1))
	if _, err := profiles.LoadDir(dir); !errors.Is(err, profiles.ErrInvalid) || !strings.Contains(err.Error(), "huge.yaml: file is") {
		t.Fatalf("huge file: got %v", err)
	}
}

// TestVersion checks that the version follows meaning, not bytes.
func TestVersion(t *testing.T) {
	version := func(t *testing.T, files map[string]string) string {
		t.Helper()
		fs := fstest.MapFS{}
		for n, d := range files {
			fs[n] = &fstest.MapFile{Data: []byte(d)}
		}
		s, err := profiles.LoadFS(fs, ".")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Version()) != 64 {
			t.Fatalf("version %q", s.Version())
		}
		return s.Version()
	}
	base := version(t, map[string]string{"a.yaml": readerYAML, "b.yaml": scaleYAML})
	tests := []struct {
		name  string
		files map[string]string
		same  bool
	}{
		{"same files", map[string]string{"a.yaml": readerYAML, "b.yaml": scaleYAML}, true},
		{"other file names", map[string]string{"x.yaml": readerYAML, "y.yml": scaleYAML}, true},
		{"comments and layout", map[string]string{"a.yaml": "# dock door\n" + edit(t, readerYAML, "{port: 1, role: outer}", "{ role: outer,  port: 1 }"), "b.yaml": scaleYAML}, true},
		{"defaults spelled out", map[string]string{
			"a.yaml": edit(t, readerYAML, "192.168.10.21", "192.168.10.21:5084", "role: inner}", "role: inner, power_cdbm: 3000}") + "  hold_off: 5s\n  one_sided: ignore\nports: 4\n",
			"b.yaml": scaleYAML + "baud: 9600\nparity: none\n",
		}, true},
		{"a setting changed", map[string]string{"a.yaml": readerYAML + "  min_reads: 2\n", "b.yaml": scaleYAML}, false},
		{"a profile more", map[string]string{"a.yaml": readerYAML, "b.yaml": scaleYAML, "c.yaml": scannerYAML}, false},
		{"a profile less", map[string]string{"a.yaml": readerYAML}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := version(t, tt.files)
			if (got == base) != tt.same {
				t.Errorf("version %s vs %s: same = %v, want %v", got, base, got == base, tt.same)
			}
		})
	}
}

func TestCheckFileName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"gate-1.yaml", true},
		{"Scale_2.yml", true},
		{"gate-1.json", false},
		{".gate.yaml", false},
		{"../gate.yaml", false},
		{"sub/gate.yaml", false},
		{`sub\gate.yaml`, false},
		{"门.yaml", false},
		{strings.Repeat("a", 124) + ".yaml", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := profiles.CheckFileName(tt.name)
			if got := err == nil; got != tt.ok {
				t.Fatalf("CheckFileName(%q) = %v, want ok %v", tt.name, err, tt.ok)
			}
			if err != nil && !errors.Is(err, profiles.ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
		})
	}
}

func TestCheckRecord(t *testing.T) {
	tests := []struct {
		name, file, body string
		deleted          bool
		want             string // "" = valid; else in the error
	}{
		{"valid", "gate-1.yaml", readerYAML, false, ""},
		{"bad name", "gate-1.json", readerYAML, false, "gate-1.json"},
		{"bad body", "gate-1.yaml", "kind: reader\nports: x\n", false, "gate-1.yaml"},
		{"deleted: body not checked", "gate-1.yaml", "", true, ""},
		{"deleted: name still checked", "../gate.yaml", "", true, "../gate.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := profiles.CheckRecord(tt.file, []byte(tt.body), tt.deleted)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckRecord = %v, want nil", err)
			case tt.want != "" && (err == nil || !errors.Is(err, profiles.ErrInvalid) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("CheckRecord = %v, want an ErrInvalid naming %q", err, tt.want)
			}
		})
	}
}

func TestParseFiles(t *testing.T) {
	other := edit(t, readerYAML, "name: dock-1", "name: dock-2", "192.168.10.21", "192.168.10.22")
	s, err := profiles.ParseFiles(map[string][]byte{"a.yaml": []byte(readerYAML), "b.yaml": []byte(other)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := profiles.LoadFS(fstest.MapFS{"a.yaml": {Data: []byte(readerYAML)}, "b.yaml": {Data: []byte(other)}}, ".")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version() != d.Version() {
		t.Errorf("ParseFiles version %s, LoadFS %s", s.Version(), d.Version())
	}
	_, err = profiles.ParseFiles(map[string][]byte{"a.yaml": []byte(readerYAML), "b.yaml": []byte(edit(t, other, "name: dock-2", "name: dock-1")), "../c.yaml": []byte(scaleYAML)})
	got := strings.Join(errLines(err), "\n")
	want := `../c.yaml: is not a profile file name (letters, digits, '.', '_', '-', ending in .yaml or .yml, at most 128 bytes)` + "\n" +
		`b.yaml: name: "dock-1" is also the name of the device in a.yaml (line 2)`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
