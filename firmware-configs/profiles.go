// Package profiles loads and validates device profiles: the YAML files in
// firmware-configs/ that say how the agent talks to each RFID reader,
// scale and barcode scanner of a site (DESIGN.md §7), and, for a reader
// that is a gate portal, which antenna faces which side and which bin its
// movements are booked to (DESIGN.md §5).
//
// One file describes one device; README.md in this folder is the reference
// of every field. Loading reports every problem of every file at once, each
// as a *FieldError naming the file, the field path and the line
// ("dock-1.yaml: antennas[2].role: "middle" is not outer or inner (line
// 21)"); unknown fields are errors, and omitted optional fields get the
// documented defaults. A loaded Set is immutable and has a Version, a hash
// of its meaning (not of its bytes), so the cloud can push profiles and an
// agent can tell whether anything changed.
//
// The package imports nothing else of the project: the agent maps these
// plain structs onto its driver and gate configurations.
package profiles

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

var (
	// ErrInvalid is matched (errors.Is) by every error about a profile's
	// content; a *FieldError says which file, field and line.
	ErrInvalid = errors.New("invalid device profile")
)

// FieldError is one problem in one profile file.
type FieldError struct {
	// File is the file's base name ("dock-1.yaml").
	File string
	// Path is the field path ("antennas[2].role", 0-based list indexes);
	// empty for a problem with the whole file (syntax, empty file).
	Path string
	// Line is the line in the file, 0 if unknown.
	Line int
	// Msg says what is wrong.
	Msg string
}

// Error returns "file: path: msg (line N)".
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", e.Line)
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Kind is a device kind, the value of a profile's "kind" field.
type Kind string

// The device kinds.
const (
	KindReader  Kind = "reader"
	KindScale   Kind = "scale"
	KindScanner Kind = "scanner"
)

// Role is the side of a gate portal an antenna faces.
type Role string

// Antenna roles. A tag seen by outer antennas and then by inner ones moved
// in (DESIGN.md §5).
const (
	RoleOuter Role = "outer"
	RoleInner Role = "inner"
)

// SearchMode is the Gen2 inventory search mode: Impinj's
// InventorySearchMode, a vendor extension. The driver sends it only to a
// reader that is an Impinj one (by Reader.Vendor, or else by the
// manufacturer in the reader's capabilities); any other reader inventories
// in its own search mode.
type SearchMode string

// Search modes.
const (
	SearchReaderSelected              SearchMode = "reader-selected"
	SearchSingleTarget                SearchMode = "single-target"
	SearchDualTarget                  SearchMode = "dual-target"
	SearchSingleTargetWithSuppression SearchMode = "single-target-with-suppression"
)

// Vendor is a reader's maker as a profile names it, which decides whether
// vendor extensions are used.
type Vendor string

// Vendors. A profile that names none leaves it to the reader's
// capabilities (its manufacturer).
const (
	// VendorImpinj: the reader takes Impinj's extensions (search mode).
	VendorImpinj Vendor = "impinj"
	// VendorOther: the reader takes no vendor extension.
	VendorOther Vendor = "other"
)

// OneSided says what a gate does with a tag that left after being seen by
// antennas of one side only.
type OneSided string

// One-sided policies.
const (
	// OneSidedIgnore records no movement (the default): the tag came near
	// the door and went back, or was read through a wall.
	OneSidedIgnore OneSided = "ignore"
	// OneSidedInnerIn counts a tag seen only inside as moved in (for a door
	// whose outer antennas miss tags on the far side of a pallet); one seen
	// only outside is still ignored.
	OneSidedInnerIn OneSided = "inner-in"
	// OneSidedOuterOut counts a tag seen only outside as moved out.
	OneSidedOuterOut OneSided = "outer-out"
	// OneSidedBoth is inner-in and outer-out: the side last seen wins.
	OneSidedBoth OneSided = "both"
)

// ScaleProtocol is a scale's output protocol.
type ScaleProtocol string

// Scale protocols.
const (
	// ProtocolMTSICS is Mettler Toledo Standard Interface Command Set
	// (request/response: "SI", "S", "Z", "T").
	ProtocolMTSICS ScaleProtocol = "mt-sics"
	// ProtocolToledoContinuous is Toledo continuous output (STX-framed
	// status and weight, sent all the time).
	ProtocolToledoContinuous ScaleProtocol = "toledo-continuous"
	// ProtocolToledo8217 is the 8217 checkout protocol ("W" asks for the
	// weight).
	ProtocolToledo8217 ScaleProtocol = "toledo-8217"
)

// Parity is a serial line's parity.
type Parity string

// Parities.
const (
	ParityNone Parity = "none"
	ParityEven Parity = "even"
	ParityOdd  Parity = "odd"
)

// Transport is how a barcode scanner is attached.
type Transport string

// Scanner transports.
const (
	// TransportUSBHID is a USB keyboard (HID boot keyboard reports).
	TransportUSBHID Transport = "usb-hid"
	// TransportHIDPOS is the USB HID point-of-sale scanner usage page
	// (0x8C), which carries the code and its symbology unchanged.
	TransportHIDPOS Transport = "hid-pos"
	// TransportSerial is RS-232 or USB CDC-ACM, one code per line.
	TransportSerial Transport = "serial"
)

// Reader is an RFID reader (LLRP) profile.
type Reader struct {
	Name  string `json:"name"`
	Model string `json:"model,omitempty"`
	// Address is host:port of the reader's LLRP server (port 5084 if the
	// file gives none).
	Address string `json:"address"`
	// Vendor is VendorImpinj, VendorOther or empty: ask the reader.
	Vendor Vendor `json:"vendor,omitempty"`
	// Ports is how many antenna ports the reader has; antenna ports are
	// 1..Ports.
	Ports int `json:"ports"`
	// Keepalive is the LLRP keepalive period the reader is asked for; the
	// driver reconnects when it misses some.
	Keepalive time.Duration `json:"keepalive"`
	ROSpec    ROSpec        `json:"rospec"`
	// Antennas are sorted by port, one per port used.
	Antennas []Antenna `json:"antennas"`
	// Gate is nil if the reader is not a gate portal.
	Gate *Gate `json:"gate,omitempty"`

	// File is the base name of the file it was loaded from.
	File string `json:"-"`
}

// ROSpec holds the reader operation parameters the driver puts in its
// ROSpec and AISpec.
type ROSpec struct {
	// ModeIndex is an index into the reader's UHFC1G2RFModeTable (LLRP
	// ModeIndex). Vendors number their modes differently (Impinj: 1002 is
	// AutoSet Static DRM); the driver checks it against the reader's
	// capabilities.
	ModeIndex uint16 `json:"mode_index"`
	// Session is the Gen2 session, 0 to 3.
	Session    uint8      `json:"session"`
	SearchMode SearchMode `json:"search_mode"`
	// TagPopulation is the expected number of tags in the field at once.
	TagPopulation uint16 `json:"tag_population"`
	// TagTransitTime is how long a tag is expected to stay in the field
	// (LLRP TagTransitTime, milliseconds on the wire); 0 means unknown.
	TagTransitTime time.Duration `json:"tag_transit_time"`
	// ReportEveryNTags is the ROReportSpec's N: the reader sends a report
	// after every N tags seen.
	ReportEveryNTags uint16 `json:"report_every_n_tags"`
}

// Antenna is one antenna port in use.
type Antenna struct {
	Port uint16 `json:"port"`
	// PowerCdBm is the transmit power in hundredths of a dBm (3000 is
	// 30.00 dBm), not a power-table index: the driver picks the reader's
	// transmit power table entry nearest to it.
	PowerCdBm int `json:"power_cdbm"`
	// Role is RoleOuter or RoleInner; empty only on a reader with no gate.
	Role Role `json:"role,omitempty"`
}

// Gate is a reader's gate portal settings: where movements are booked and
// how a pass and its direction are decided (agent/gate).
type Gate struct {
	// Bin is the bin the gate's movements are booked to.
	Bin string `json:"bin"`
	// RSSIThresholdDBm: reads weaker than this are ignored.
	RSSIThresholdDBm int `json:"rssi_threshold_dbm"`
	// HoldOff: after a tag's pass is decided, further reads of it within
	// this time of its last read make no new pass.
	HoldOff time.Duration `json:"hold_off"`
	// DepartureTimeout: a tag not read for this long has left the portal
	// and its pass is decided.
	DepartureTimeout time.Duration `json:"departure_timeout"`
	// MinReads is how many reads a side (outer or inner) needs before it
	// counts as having seen the tag.
	MinReads int      `json:"min_reads"`
	OneSided OneSided `json:"one_sided"`
}

// Scale is a weighing scale profile. Exactly one of Port and Address is
// set; the serial fields are zero for a TCP scale.
type Scale struct {
	Name     string        `json:"name"`
	Model    string        `json:"model,omitempty"`
	Protocol ScaleProtocol `json:"protocol"`
	// Port is the serial device ("/dev/ttyUSB0", "/dev/serial/by-id/…",
	// "COM3").
	Port string `json:"port,omitempty"`
	// Address is host:port of a scale on the network.
	Address  string `json:"address,omitempty"`
	Baud     int    `json:"baud,omitempty"`
	DataBits int    `json:"data_bits,omitempty"`
	Parity   Parity `json:"parity,omitempty"`
	StopBits int    `json:"stop_bits,omitempty"`
	// Unit is the unit the scale is set to weigh in: "g", "kg" or "lb".
	Unit string `json:"unit"`
	// StableTimeout is how long the driver waits for a stable weight
	// before answering drivers.ErrUnstable.
	StableTimeout time.Duration `json:"stable_timeout"`
	// Checksum: the toledo-continuous frames end with the checksum byte.
	Checksum bool `json:"checksum,omitempty"`
	// ReplyTimeout is how long a polled scale (mt-sics, toledo-8217) may
	// take to answer a command; raise it for serial servers on slow links.
	ReplyTimeout time.Duration `json:"reply_timeout"`

	// File is the base name of the file it was loaded from.
	File string `json:"-"`
}

// Scanner is a barcode scanner profile. A USB scanner has VendorID and
// ProductID; a serial one Port and Baud.
type Scanner struct {
	Name      string    `json:"name"`
	Model     string    `json:"model,omitempty"`
	Transport Transport `json:"transport"`
	VendorID  uint16    `json:"vendor_id,omitempty"`
	ProductID uint16    `json:"product_id,omitempty"`
	Port      string    `json:"port,omitempty"`
	Baud      int       `json:"baud,omitempty"`
	// SymbologyPrefixes are the AIM symbology identifiers ("]C1" GS1-128,
	// "]E0" EAN-13, "]d2" GS1 DataMatrix, …) the scanner is set to put in
	// front of each code; empty if it sends none.
	SymbologyPrefixes []string `json:"symbology_prefixes,omitempty"`
	// GSSubstitute is what the scanner sends in place of the GS1 group
	// separator (ASCII 29), which a keyboard cannot type; empty if it
	// sends GS itself.
	GSSubstitute string `json:"gs_substitute,omitempty"`
	// Terminator is the bytes that end each code ("\r", "\n", "\r\n" or
	// "\t").
	Terminator string `json:"terminator"`
	// Station, when set, makes the scanner a fixed scanning station: every
	// code scanned records a movement into its bin (a receiving desk, a
	// weighing station). Without it, scans go to whoever reads them.
	Station *Station `json:"station,omitempty"`

	// File is the base name of the file it was loaded from.
	File string `json:"-"`
}

// Station is what a scan at a fixed scanning station records: a movement of
// the scanned item into (or out of) Bin with Reason. The quantity is the
// weight or count the code itself carries (GS1 AIs 310n/320n/30, 37 with
// 02, an in-store weight label), a price label's amount divided by the
// catalogue's unit price, else the stable weight of Scale when one is named
// and the item is sold by weight, else 1; a weight or count ≤ 0 is refused
// (README.md, "What a station books").
type Station struct {
	Bin    string `json:"bin"`
	Reason string `json:"reason"`
	// Scale names a scale profile of the same set; empty for none.
	Scale string `json:"scale,omitempty"`
	// Labels are the layouts of the in-store EAN-13 labels that the site's
	// label-printing scales print, each applying to the codes that start
	// with its Prefix (the longest matching prefix wins); DefaultLabels
	// when the profile gives none.
	Labels []LabelLayout `json:"labels"`
}

// Measure says what the value field of an in-store label holds.
type Measure string

// Measures of a LabelLayout.
const (
	// MeasureWeight: the value is the net weight (称重码).
	MeasureWeight Measure = "weight"
	// MeasurePrice: the value is the amount payable (金额码).
	MeasurePrice Measure = "price"
)

// LabelLayout is how a label-printing scale (大华 Dahua, 顶尖 Aclas, 寺冈
// Teraoka…) lays out an in-store EAN-13 (a restricted circulation number,
// GS1 prefix 20–29):
//
//	prefix | item code | [price check digit] | weight or price | check digit
//
// PrefixDigits + ItemDigits + ValueDigits + 1 (+ 1 with PriceCheck) is 13.
type LabelLayout struct {
	// Prefix is what a code starts with for this layout to apply: "2"
	// for any of 20–29, "22" for one flag.
	Prefix string `json:"prefix"`
	// PrefixDigits is how many leading digits come before the item code.
	PrefixDigits int `json:"prefix_digits"`
	// ItemDigits is the length of the item code (the scale's PLU number).
	ItemDigits int `json:"item_digits"`
	// PriceCheck: a price/weight check digit (GS1 General Specifications
	// §7.9.3) precedes the value.
	PriceCheck bool `json:"price_check,omitempty"`
	// ValueDigits is the length of the weight or price field.
	ValueDigits int     `json:"value_digits"`
	Measure     Measure `json:"measure"`
	// Decimals of the value: 3 for a weight in kg held in grams, 2 for a
	// price held in fen.
	Decimals int `json:"decimals"`
	// Unit is the unit of a weight, "kg" or "lb"; empty for a price.
	Unit string `json:"unit,omitempty"`
}

// DefaultLabels is what a station reads in-store labels with when its
// profile gives no layout: "2X IIIII WWWWW C", any prefix 20–29, a 5-digit
// item code and the weight in grams.
var DefaultLabels = []LabelLayout{{Prefix: "2", PrefixDigits: 2, ItemDigits: 5, ValueDigits: 5, Measure: MeasureWeight, Decimals: 3, Unit: "kg"}}

// StationReasons are the reasons a station may record; "ship", "sale",
// "scrap" and "transfer_out" take stock out, the others bring it in.
var StationReasons = []string{"receive", "purchase", "return", "transfer_in", "adjust", "ship", "sale", "scrap", "transfer_out"}

// Set is the validated profiles of a site, each kind sorted by name. Names
// are unique across kinds. A Set is not changed after loading.
type Set struct {
	readers  []Reader
	scales   []Scale
	scanners []Scanner
	version  string
}

// Readers returns the reader profiles, sorted by name. The slice is the
// caller's to keep; its Antennas and Gate are shared, not to be changed.
func (s *Set) Readers() []Reader { return append([]Reader(nil), s.readers...) }

// Scales returns the scale profiles, sorted by name.
func (s *Set) Scales() []Scale { return append([]Scale(nil), s.scales...) }

// Scanners returns the scanner profiles, sorted by name.
func (s *Set) Scanners() []Scanner { return append([]Scanner(nil), s.scanners...) }

// Len returns the number of profiles.
func (s *Set) Len() int { return len(s.readers) + len(s.scales) + len(s.scanners) }

// Version returns a hash (64 hex digits, SHA-256) of what the set means:
// its profiles with every default applied, in name order. Comments,
// formatting, field order, file names and spelling out a default do not
// change it; any change of a setting does.
func (s *Set) Version() string { return s.version }

// MaxFileBytes bounds a profile file's size.
const MaxFileBytes = 256 << 10

// Parse parses and validates one profile file; name is its file name, used
// in errors and as the device's name when the file gives none. It returns
// a Set of one profile, or an error joining a *FieldError (matching
// ErrInvalid) for every problem found.
func Parse(name string, data []byte) (*Set, error) {
	p, errs := parseFile(name, data)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newSet([]profile{p})
}

// IsProfileFile reports whether LoadDir reads a file of this base name: it
// ends in .yaml or .yml and does not start with a dot.
func IsProfileFile(name string) bool {
	return !strings.HasPrefix(name, ".") && (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml"))
}

// CheckFileName returns a *FieldError (matching ErrInvalid) unless name
// is a file name LoadDir reads: a base name (no / or \, not "." or "..")
// of at most 128 bytes of letters, digits, '.', '_' and '-', ending in
// .yaml or .yml and not starting with a dot. Profiles named by someone
// else (a cloud's record key) are checked with it before being written.
func CheckFileName(name string) error {
	bad := len(name) > 128 || !IsProfileFile(name)
	for i := 0; i < len(name) && !bad; i++ {
		c := name[i]
		bad = !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')
	}
	if bad {
		return &FieldError{File: name, Msg: "is not a profile file name (letters, digits, '.', '_', '-', ending in .yaml or .yml, at most 128 bytes)"}
	}
	return nil
}

// CheckRecord checks a profile held outside a folder, as a cloud's master
// record (key name, content body): name must pass CheckFileName and body,
// unless deleted, be a valid profile on its own (Parse). Rules between
// profiles are left to ParseFiles on the whole folder. The cloud checks a
// record with it before storing it, an agent again before applying it.
func CheckRecord(name string, body []byte, deleted bool) error {
	if err := CheckFileName(name); err != nil || deleted {
		return err
	}
	_, err := Parse(name, body)
	return err
}

// ParseFiles validates files (base name → content) as one Set, as LoadDir
// would the folder holding them: every problem of every file, and those
// between files, joined. Names must pass CheckFileName.
func ParseFiles(files map[string][]byte) (*Set, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var (
		ps   []profile
		errs []error
	)
	for _, n := range names {
		if err := CheckFileName(n); err != nil {
			errs = append(errs, err)
			continue
		}
		data := files[n]
		if len(data) > MaxFileBytes {
			errs = append(errs, &FieldError{File: n, Msg: fmt.Sprintf("file is %d bytes, limit %d", len(data), MaxFileBytes)})
			continue
		}
		p, perrs := parseFile(n, data)
		if len(perrs) > 0 {
			errs = append(errs, perrs...)
			continue
		}
		ps = append(ps, p)
	}
	errs = append(errs, crossCheck(ps)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newSet(ps)
}

// Load reads and validates one profile file, as Parse.
func Load(file string) (*Set, error) {
	data, err := readFile(os.DirFS(filepath.Dir(file)), filepath.Base(file))
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(file), data)
}

// LoadDir loads every *.yaml and *.yml file directly in dir (not in
// subfolders; README.md and other files are left alone) as one Set. Every
// problem of every file is reported at once (errors.Join), as are device
// names used twice and two profiles naming the same reader address or
// serial port. A directory with no profile is a valid, empty Set.
func LoadDir(dir string) (*Set, error) {
	return LoadFS(os.DirFS(dir), ".")
}

// LoadFS is LoadDir on a file system (an embed.FS, a fstest.MapFS, …).
func LoadFS(fsys fs.FS, dir string) (*Set, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("load profiles: %w", err)
	}
	var (
		ps   []profile
		errs []error
	)
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !IsProfileFile(n) {
			continue
		}
		data, err := readFile(fsys, path.Join(dir, n))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, perrs := parseFile(n, data)
		if len(perrs) > 0 {
			errs = append(errs, perrs...)
			continue
		}
		ps = append(ps, p)
	}
	errs = append(errs, crossCheck(ps)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newSet(ps)
}

//go:embed devices/*.yaml
var shipped embed.FS

// Shipped returns the example profiles shipped in firmware-configs/devices
// (embedded in the binary), for the demo and as templates.
func Shipped() (*Set, error) { return LoadFS(shipped, "devices") }

func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	if st.Size() > MaxFileBytes {
		return nil, &FieldError{File: path.Base(name), Msg: fmt.Sprintf("file is %d bytes, limit %d", st.Size(), MaxFileBytes)}
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	return data, nil
}

// profile is one parsed profile of any kind.
type profile struct {
	kind     Kind
	name     string
	file     string
	reader   *Reader
	scale    *Scale
	scanner  *Scanner
	nameLine int
}

// crossCheck finds what is wrong only between files: a name used twice, a
// reader address or a serial port or scale address used twice.
func crossCheck(ps []profile) []error {
	var errs []error
	names := make(map[string]string)
	ends := make(map[string]string) // endpoint → file
	claim := func(p profile, field, endpoint string) {
		if endpoint == "" {
			return
		}
		if other, dup := ends[endpoint]; dup {
			errs = append(errs, &FieldError{File: p.file, Path: field,
				Msg: fmt.Sprintf("%s is also used by %s; a device can have one client", endpoint, other)})
			return
		}
		ends[endpoint] = p.file
	}
	for _, p := range ps {
		if other, dup := names[p.name]; dup {
			errs = append(errs, &FieldError{File: p.file, Path: "name", Line: p.nameLine,
				Msg: fmt.Sprintf("%q is also the name of the device in %s", p.name, other)})
		} else {
			names[p.name] = p.file
		}
		switch p.kind {
		case KindReader:
			claim(p, "address", "address "+p.reader.Address)
		case KindScale:
			if p.scale.Port != "" {
				claim(p, "port", "serial port "+p.scale.Port)
			}
			if p.scale.Address != "" {
				claim(p, "address", "address "+p.scale.Address)
			}
		case KindScanner:
			if p.scanner.Port != "" {
				claim(p, "port", "serial port "+p.scanner.Port)
			}
		}
	}
	scales := make(map[string]bool)
	for _, p := range ps {
		if p.kind == KindScale {
			scales[p.name] = true
		}
	}
	for _, p := range ps {
		if p.kind == KindScanner && p.scanner.Station != nil && p.scanner.Station.Scale != "" && !scales[p.scanner.Station.Scale] {
			errs = append(errs, &FieldError{File: p.file, Path: "station.scale",
				Msg: fmt.Sprintf("%q is not the name of a scale profile", p.scanner.Station.Scale)})
		}
	}
	return errs
}

func newSet(ps []profile) (*Set, error) {
	s := &Set{}
	for _, p := range ps {
		switch p.kind {
		case KindReader:
			s.readers = append(s.readers, *p.reader)
		case KindScale:
			s.scales = append(s.scales, *p.scale)
		case KindScanner:
			s.scanners = append(s.scanners, *p.scanner)
		}
	}
	sort.Slice(s.readers, func(i, j int) bool { return s.readers[i].Name < s.readers[j].Name })
	sort.Slice(s.scales, func(i, j int) bool { return s.scales[i].Name < s.scales[j].Name })
	sort.Slice(s.scanners, func(i, j int) bool { return s.scanners[i].Name < s.scanners[j].Name })
	// encoding/json writes struct fields in declaration order and every
	// value here is a plain number, string or list, so the encoding is
	// canonical for this package's version of the structs.
	b, err := json.Marshal(struct {
		V        int       `json:"v"`
		Readers  []Reader  `json:"readers"`
		Scales   []Scale   `json:"scales"`
		Scanners []Scanner `json:"scanners"`
	}{1, s.readers, s.scales, s.scanners})
	if err != nil {
		return nil, fmt.Errorf("profiles version: %w", err)
	}
	sum := sha256.Sum256(b)
	s.version = hex.EncodeToString(sum[:])
	return s, nil
}
