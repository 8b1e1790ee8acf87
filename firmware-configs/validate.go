package profiles

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults for fields a profile leaves out, and limits. README.md lists
// them per field.
const (
	DefaultLLRPPort         = 5084
	DefaultReaderPorts      = 4
	MaxReaderPorts          = 32
	DefaultKeepalive        = 10 * time.Second
	DefaultSession          = 2
	DefaultSearchMode       = SearchDualTarget
	DefaultTagPopulation    = 32
	DefaultReportEveryNTags = 1
	DefaultPowerCdBm        = 3000
	MinPowerCdBm            = 1000
	MaxPowerCdBm            = 3300
	DefaultRSSIThresholdDBm = -70
	DefaultHoldOff          = 5 * time.Second
	// DefaultReplyTimeout is how long a polled scale may take to answer.
	DefaultReplyTimeout     = time.Second
	DefaultDepartureTimeout = 1 * time.Second
	DefaultMinReads         = 1
	DefaultOneSided         = OneSidedIgnore
	DefaultStableTimeout    = 3 * time.Second
	DefaultScannerBaud      = 9600
	// MaxNameLen bounds a device name, which is also the device of the
	// movements it records.
	MaxNameLen = 64
)

// checker collects the problems of one file.
type checker struct {
	file string
	ix   *index
	errs []error
	// skip holds paths that already failed to decode, skipAll is set when
	// a whole mapping did: validating their zero values would only add
	// noise.
	skip    map[string]bool
	skipAll bool
}

func (c *checker) add(path, msg string) {
	if c.skipAll || c.skip[path] {
		return
	}
	c.errs = append(c.errs, &FieldError{File: c.file, Path: path, Line: c.ix.line(path), Msg: msg})
}

func (c *checker) addf(path, format string, args ...any) { c.add(path, fmt.Sprintf(format, args...)) }

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// name checks a device name; an empty one is the file's name.
func (c *checker) name(n, fromFile string) string {
	if n == "" {
		if !nameRE.MatchString(fromFile) || len(fromFile) > MaxNameLen {
			c.addf("name", "required: the file name %q is not a valid device name (letters, digits, '.', '_', '-', at most %d)", fromFile, MaxNameLen)
		}
		return fromFile
	}
	if !nameRE.MatchString(n) || len(n) > MaxNameLen {
		c.addf("name", "%q is not a valid device name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most %d", n, MaxNameLen)
	}
	return n
}

// text checks a free-text field: UTF-8, no control characters, at most max
// bytes.
func (c *checker) text(path, s string, max int) {
	if len(s) > max {
		c.addf(path, "is %d bytes, limit %d", len(s), max)
		return
	}
	if !utf8.ValidString(s) {
		c.add(path, "is not valid UTF-8")
		return
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			c.add(path, "contains a control character")
			return
		}
	}
}

// intIn returns o's value, or def if it is not set, checking lo ≤ v ≤ hi.
func (c *checker) intIn(path string, o optInt, def, lo, hi int64) int64 {
	if !o.set {
		return def
	}
	if o.v < lo || o.v > hi {
		c.addf(path, "%d is not between %d and %d", o.v, lo, hi)
	}
	return o.v
}

// durIn returns o's value, or def if it is not set, checking lo ≤ v ≤ hi.
func (c *checker) durIn(path string, o optDuration, def, lo, hi time.Duration) time.Duration {
	if !o.set {
		return def
	}
	if o.v < lo || o.v > hi {
		c.addf(path, "%v is not between %v and %v", o.v, lo, hi)
	}
	return o.v
}

// oneOf returns s, or def if s is empty, checking it is one of allowed.
func oneOf[T ~string](c *checker, path, s string, def T, allowed ...T) T {
	if s == "" {
		return def
	}
	for _, a := range allowed {
		if string(a) == s {
			return a
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	c.addf(path, "%q is not %s", s, orList(names))
	return T(s)
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// hostPort checks a network address; with defPort > 0 a missing port is
// that one, otherwise a port is required.
func (c *checker) hostPort(path, addr string, defPort int) string {
	if addr == "" {
		c.add(path, "required: host:port")
		return ""
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if defPort == 0 {
			c.addf(path, "%q is not host:port", addr)
			return addr
		}
		host, port = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"), strconv.Itoa(defPort)
	}
	if !validHost(host) {
		c.addf(path, "%q does not name a host (an IP address or a DNS name)", addr)
		return addr
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		c.addf(path, "%q: port %q is not between 1 and 65535", addr, port)
		return addr
	}
	return net.JoinHostPort(host, port)
}

var hostRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$`)

func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	return len(h) <= 253 && hostRE.MatchString(h)
}

var serialPortRE = regexp.MustCompile(`^(/dev/[A-Za-z0-9._:/+-]+|(?i:COM)[1-9][0-9]{0,2})$`)

// serialPort checks a serial device path.
func (c *checker) serialPort(path, p string) {
	if !serialPortRE.MatchString(p) || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
		c.addf(path, "%q is not a serial device (/dev/ttyUSB0, /dev/serial/by-id/…, COM3)", p)
	}
}

func (c *checker) reader(f *readerFile, fileName string) *Reader {
	r := &Reader{
		Name:      c.name(f.Name, fileName),
		Model:     f.Model,
		Address:   c.hostPort("address", f.Address, DefaultLLRPPort),
		Vendor:    oneOf(c, "vendor", f.Vendor, "", VendorImpinj, VendorOther),
		Ports:     int(c.intIn("ports", f.Ports, DefaultReaderPorts, 1, MaxReaderPorts)),
		Keepalive: c.durIn("keepalive", f.Keepalive, DefaultKeepalive, time.Second, 5*time.Minute),
	}
	c.text("model", f.Model, 128)
	rs := &f.ROSpec
	r.ROSpec = ROSpec{
		ModeIndex:        uint16(c.intIn("rospec.mode_index", rs.ModeIndex, 0, 0, 65535)),
		Session:          uint8(c.intIn("rospec.session", rs.Session, DefaultSession, 0, 3)),
		SearchMode:       oneOf(c, "rospec.search_mode", rs.SearchMode, DefaultSearchMode, SearchReaderSelected, SearchSingleTarget, SearchDualTarget, SearchSingleTargetWithSuppression),
		TagPopulation:    uint16(c.intIn("rospec.tag_population", rs.TagPopulation, DefaultTagPopulation, 1, 65535)),
		TagTransitTime:   c.durIn("rospec.tag_transit_time", rs.TagTransitTime, 0, 0, time.Minute),
		ReportEveryNTags: uint16(c.intIn("rospec.report_every_n_tags", rs.ReportEveryNTags, DefaultReportEveryNTags, 1, 65535)),
	}
	if rs.TagTransitTime.set && rs.TagTransitTime.v%time.Millisecond != 0 {
		c.addf("rospec.tag_transit_time", "%v is not a whole number of milliseconds", rs.TagTransitTime.v)
	}

	if len(f.Antennas) == 0 {
		c.add("antennas", "required: at least one antenna")
	}
	maxPort := int64(r.Ports)
	if maxPort < 1 || maxPort > MaxReaderPorts {
		maxPort = MaxReaderPorts // ports is wrong and reported: check against the limit
	}
	seen := make(map[int64]int)
	roles := make(map[Role]int)
	for i, a := range f.Antennas {
		p := fmt.Sprintf("antennas[%d]", i)
		var port int64
		if !a.Port.set {
			c.add(p+".port", fmt.Sprintf("required: 1 to %d", maxPort))
		} else {
			port = c.intIn(p+".port", a.Port, 0, 1, maxPort)
			if j, dup := seen[port]; dup {
				c.addf(p+".port", "port %d is also antennas[%d]'s", port, j)
			}
			seen[port] = i
		}
		role := Role(a.Role)
		switch role {
		case RoleOuter, RoleInner:
			roles[role]++
		case "":
			if f.Gate != nil {
				c.add(p+".role", "required on a gate: outer or inner")
			}
		default:
			c.addf(p+".role", "%q is not outer or inner", a.Role)
		}
		r.Antennas = append(r.Antennas, Antenna{
			Port:      uint16(port),
			PowerCdBm: int(c.intIn(p+".power_cdbm", a.PowerCdBm, DefaultPowerCdBm, MinPowerCdBm, MaxPowerCdBm)),
			Role:      role,
		})
	}
	sort.SliceStable(r.Antennas, func(i, j int) bool { return r.Antennas[i].Port < r.Antennas[j].Port })

	if g := f.Gate; g != nil {
		gate := &Gate{
			Bin:              g.Bin,
			RSSIThresholdDBm: int(c.intIn("gate.rssi_threshold_dbm", g.RSSIThresholdDBm, DefaultRSSIThresholdDBm, -100, -10)),
			HoldOff:          c.durIn("gate.hold_off", g.HoldOff, DefaultHoldOff, 0, 10*time.Minute),
			DepartureTimeout: c.durIn("gate.departure_timeout", g.DepartureTimeout, DefaultDepartureTimeout, 100*time.Millisecond, time.Minute),
			MinReads:         int(c.intIn("gate.min_reads", g.MinReads, DefaultMinReads, 1, 1000)),
			OneSided:         oneOf(c, "gate.one_sided", g.OneSided, DefaultOneSided, OneSidedIgnore, OneSidedInnerIn, OneSidedOuterOut, OneSidedBoth),
		}
		if g.Bin == "" {
			c.add("gate.bin", "required: the bin the gate's movements are booked to")
		} else {
			c.text("gate.bin", g.Bin, 128)
		}
		if len(f.Antennas) > 0 && (roles[RoleOuter] == 0 || roles[RoleInner] == 0) {
			c.addf("antennas", "a gate needs at least one outer and one inner antenna, has %d outer and %d inner", roles[RoleOuter], roles[RoleInner])
		}
		r.Gate = gate
	}
	return r
}

var scaleBauds = []int64{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200}

// scaleSerial are a protocol's factory serial settings.
var scaleSerial = map[ScaleProtocol]struct {
	baud, dataBits, stopBits int
	parity                   Parity
}{
	ProtocolMTSICS:           {9600, 8, 1, ParityNone},
	ProtocolToledoContinuous: {9600, 7, 1, ParityEven},
	ProtocolToledo8217:       {9600, 7, 1, ParityEven},
}

func (c *checker) scale(f *scaleFile, fileName string) *Scale {
	s := &Scale{
		Name:          c.name(f.Name, fileName),
		Model:         f.Model,
		Protocol:      ScaleProtocol(f.Protocol),
		StableTimeout: c.durIn("stable_timeout", f.StableTimeout, DefaultStableTimeout, 100*time.Millisecond, time.Minute),
		ReplyTimeout:  c.durIn("reply_timeout", f.ReplyTimeout, DefaultReplyTimeout, 100*time.Millisecond, 30*time.Second),
		Checksum:      f.Checksum,
	}
	if f.Checksum && f.Protocol != string(ProtocolToledoContinuous) {
		c.add("checksum", "only for toledo-continuous, whose frames may end with a checksum byte")
	}
	c.text("model", f.Model, 128)
	if f.Protocol == "" {
		c.add("protocol", "required: mt-sics, toledo-continuous or toledo-8217")
	} else {
		s.Protocol = oneOf(c, "protocol", f.Protocol, "", ProtocolMTSICS, ProtocolToledoContinuous, ProtocolToledo8217)
	}
	if f.Unit == "" {
		c.add("unit", "required: g, kg or lb")
	} else {
		s.Unit = string(oneOf(c, "unit", f.Unit, "", "g", "kg", "lb"))
	}
	switch {
	case f.Port != "" && f.Address != "":
		c.add("address", "give port (serial) or address (TCP), not both")
	case f.Port == "" && f.Address == "":
		c.add("port", "required: a serial port, or an address for a scale on the network")
	case f.Address != "":
		s.Address = c.hostPort("address", f.Address, 0)
		for _, x := range []struct {
			path string
			set  bool
		}{{"baud", f.Baud.set}, {"data_bits", f.DataBits.set}, {"parity", f.Parity != ""}, {"stop_bits", f.StopBits.set}} {
			if x.set {
				c.add(x.path, "only for a serial port, not for a scale on the network")
			}
		}
	default:
		s.Port = f.Port
		c.serialPort("port", f.Port)
		def := scaleSerial[s.Protocol]
		if def.baud == 0 {
			def = scaleSerial[ProtocolMTSICS]
		}
		s.Baud = int(c.intIn("baud", f.Baud, int64(def.baud), 0, 1<<31))
		if f.Baud.set && !contains(scaleBauds, f.Baud.v) {
			c.addf("baud", "%d is not a standard rate (1200 to 115200)", f.Baud.v)
		}
		s.DataBits = int(c.intIn("data_bits", f.DataBits, int64(def.dataBits), 7, 8))
		s.StopBits = int(c.intIn("stop_bits", f.StopBits, int64(def.stopBits), 1, 2))
		s.Parity = oneOf(c, "parity", f.Parity, def.parity, ParityNone, ParityEven, ParityOdd)
	}
	return s
}

// terminators maps a profile's terminator names to bytes.
var terminators = map[string]string{"cr": "\r", "enter": "\r", "lf": "\n", "crlf": "\r\n", "tab": "\t"}

var (
	usbIDRE = regexp.MustCompile(`^0x[0-9A-Fa-f]{4}$`)
	aimRE   = regexp.MustCompile(`^\][A-Za-z][0-9A-Za-z]$`)
)

func (c *checker) scanner(f *scannerFile, fileName string) *Scanner {
	s := &Scanner{
		Name:         c.name(f.Name, fileName),
		Model:        f.Model,
		GSSubstitute: f.GSSubstitute,
	}
	c.text("model", f.Model, 128)
	if f.Transport == "" {
		c.add("transport", "required: usb-hid, hid-pos or serial")
	} else {
		s.Transport = oneOf(c, "transport", f.Transport, "", TransportUSBHID, TransportHIDPOS, TransportSerial)
	}
	usbID := func(path, v string) uint16 {
		if v == "" {
			c.addf(path, "required for a USB scanner: 4 hex digits such as \"0x0c2e\"")
			return 0
		}
		if !usbIDRE.MatchString(v) {
			c.addf(path, "%q is not 4 hex digits such as \"0x0c2e\"", v)
			return 0
		}
		n, _ := strconv.ParseUint(v[2:], 16, 16)
		if n == 0 {
			c.addf(path, "%q is not a USB ID", v)
		}
		return uint16(n)
	}
	switch s.Transport {
	case TransportUSBHID, TransportHIDPOS:
		s.VendorID = usbID("vendor_id", f.VendorID)
		s.ProductID = usbID("product_id", f.ProductID)
		if f.Port != "" {
			c.add("port", "only for a serial scanner")
		}
		if f.Baud.set {
			c.add("baud", "only for a serial scanner")
		}
	case TransportSerial:
		if f.Port == "" {
			c.add("port", "required for a serial scanner")
		} else {
			s.Port = f.Port
			c.serialPort("port", f.Port)
		}
		s.Baud = int(c.intIn("baud", f.Baud, DefaultScannerBaud, 0, 1<<31))
		if f.Baud.set && !contains(scaleBauds, f.Baud.v) {
			c.addf("baud", "%d is not a standard rate (1200 to 115200)", f.Baud.v)
		}
		if f.VendorID != "" {
			c.add("vendor_id", "only for a USB scanner")
		}
		if f.ProductID != "" {
			c.add("product_id", "only for a USB scanner")
		}
	}
	seen := make(map[string]int)
	for i, p := range f.SymbologyPrefixes {
		path := fmt.Sprintf("symbology_prefixes[%d]", i)
		if !aimRE.MatchString(p) {
			c.addf(path, "%q is not an AIM symbology identifier such as \"]C1\" (']', a letter, a modifier character)", p)
			continue
		}
		if j, dup := seen[p]; dup {
			c.addf(path, "%q is also symbology_prefixes[%d]", p, j)
		}
		seen[p] = i
		s.SymbologyPrefixes = append(s.SymbologyPrefixes, p)
	}
	if g := f.GSSubstitute; g != "" {
		ok := len(g) <= 8
		for i := 0; i < len(g); i++ {
			if g[i] < 0x21 || g[i] > 0x7e || (g[i] >= '0' && g[i] <= '9') {
				ok = false
			}
		}
		if !ok {
			c.addf("gs_substitute", "%q must be 1 to 8 printable ASCII characters and no digit (a digit would be taken for data)", g)
		}
	}
	def := "cr"
	switch f.Terminator {
	case "":
		s.Terminator = terminators[def]
	default:
		t, ok := terminators[f.Terminator]
		if !ok {
			c.addf("terminator", "%q is not cr, enter, lf, crlf or tab", f.Terminator)
		}
		s.Terminator = t
	}
	if st := f.Station; st != nil {
		s.Station = &Station{Bin: st.Bin, Reason: st.Reason, Scale: st.Scale}
		if st.Bin == "" {
			c.add("station.bin", "required: the bin scans are booked to")
		}
		c.text("station.bin", st.Bin, 64)
		switch {
		case st.Reason == "":
			s.Station.Reason = "receive"
		case !slices.Contains(StationReasons, st.Reason):
			c.addf("station.reason", "%q is not one of %s", st.Reason, strings.Join(StationReasons, ", "))
		}
		s.Station.Labels = c.labels(st.Labels)
	}
	return s
}

var prefixRE = regexp.MustCompile(`^2[0-9]*$`)

// labels checks a station's in-store label layouts; none gives
// DefaultLabels.
func (c *checker) labels(fs []labelFile) []LabelLayout {
	if len(fs) == 0 {
		return append([]LabelLayout(nil), DefaultLabels...)
	}
	out := make([]LabelLayout, 0, len(fs))
	prefixes := make(map[string]int)
	for i, f := range fs {
		p := fmt.Sprintf("station.labels[%d]", i)
		l := LabelLayout{Prefix: f.Prefix, PriceCheck: f.PriceCheck, Unit: f.Unit}
		l.PrefixDigits = int(c.intIn(p+".prefix_digits", f.PrefixDigits, 2, 1, 4))
		defItem := int64(5)
		if f.PriceCheck {
			defItem = 4
		}
		l.ItemDigits = int(c.intIn(p+".item_digits", f.ItemDigits, defItem, 1, 10))
		l.ValueDigits = int(c.intIn(p+".value_digits", f.ValueDigits, 5, 1, 10))
		switch {
		case f.Prefix == "":
			c.add(p+".prefix", `required: the digits the labels start with, quoted, e.g. "2" or "22"`)
		case !prefixRE.MatchString(f.Prefix):
			c.addf(p+".prefix", "%q is not digits starting with 2 (in-store codes are restricted circulation numbers 20–29)", f.Prefix)
		case len(f.Prefix) > l.PrefixDigits:
			c.addf(p+".prefix", "%q is longer than prefix_digits %d", f.Prefix, l.PrefixDigits)
		default:
			if j, dup := prefixes[f.Prefix]; dup {
				c.addf(p+".prefix", "%q is also station.labels[%d]'s prefix", f.Prefix, j)
			}
			prefixes[f.Prefix] = i
		}
		if f.PriceCheck && l.ValueDigits != 4 && l.ValueDigits != 5 {
			c.addf(p+".value_digits", "%d: a price check digit is defined for 4 or 5 digits only", l.ValueDigits)
		}
		check := 1
		if f.PriceCheck {
			check = 2
		}
		if n := l.PrefixDigits + l.ItemDigits + l.ValueDigits + check; n != 13 {
			c.addf(p, "prefix_digits %d + item_digits %d + value_digits %d + %d check digit(s) = %d, want 13 (EAN-13)",
				l.PrefixDigits, l.ItemDigits, l.ValueDigits, check, n)
		}
		switch Measure(f.Measure) {
		case MeasureWeight:
			l.Measure = MeasureWeight
			l.Decimals = int(c.intIn(p+".decimals", f.Decimals, 3, 0, 5))
			switch f.Unit {
			case "":
				l.Unit = "kg"
			case "kg", "lb":
			default:
				c.addf(p+".unit", "%q is not kg or lb", f.Unit)
			}
		case MeasurePrice:
			l.Measure = MeasurePrice
			l.Decimals = int(c.intIn(p+".decimals", f.Decimals, 2, 0, 4))
			if f.Unit != "" {
				c.add(p+".unit", "only for a weight: a price is in yuan")
			}
		case "":
			c.add(p+".measure", "required: weight (称重码) or price (金额码)")
		default:
			c.addf(p+".measure", "%q is not weight or price", f.Measure)
		}
		out = append(out, l)
	}
	return out
}

func contains(xs []int64, v int64) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}
