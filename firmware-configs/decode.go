package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The file structs mirror the YAML. Optional fields are opt* types, so an
// omitted field is told apart from a zero and gets its default; they also
// refuse what yaml.v3 would otherwise let through (1.5 truncated to an
// integer).

type readerFile struct {
	Kind      string        `yaml:"kind"`
	Name      string        `yaml:"name"`
	Model     string        `yaml:"model"`
	Address   string        `yaml:"address"`
	Vendor    string        `yaml:"vendor"`
	Ports     optInt        `yaml:"ports"`
	Keepalive optDuration   `yaml:"keepalive"`
	ROSpec    rospecFile    `yaml:"rospec"`
	Antennas  []antennaFile `yaml:"antennas"`
	Gate      *gateFile     `yaml:"gate"`
}

type rospecFile struct {
	ModeIndex        optInt      `yaml:"mode_index"`
	Session          optInt      `yaml:"session"`
	SearchMode       string      `yaml:"search_mode"`
	TagPopulation    optInt      `yaml:"tag_population"`
	TagTransitTime   optDuration `yaml:"tag_transit_time"`
	ReportEveryNTags optInt      `yaml:"report_every_n_tags"`
}

type antennaFile struct {
	Port      optInt `yaml:"port"`
	PowerCdBm optInt `yaml:"power_cdbm"`
	Role      string `yaml:"role"`
}

type gateFile struct {
	Bin              string      `yaml:"bin"`
	RSSIThresholdDBm optInt      `yaml:"rssi_threshold_dbm"`
	HoldOff          optDuration `yaml:"hold_off"`
	DepartureTimeout optDuration `yaml:"departure_timeout"`
	MinReads         optInt      `yaml:"min_reads"`
	OneSided         string      `yaml:"one_sided"`
}

type scaleFile struct {
	Kind          string      `yaml:"kind"`
	Name          string      `yaml:"name"`
	Model         string      `yaml:"model"`
	Protocol      string      `yaml:"protocol"`
	Port          string      `yaml:"port"`
	Address       string      `yaml:"address"`
	Baud          optInt      `yaml:"baud"`
	DataBits      optInt      `yaml:"data_bits"`
	Parity        string      `yaml:"parity"`
	StopBits      optInt      `yaml:"stop_bits"`
	Unit          string      `yaml:"unit"`
	StableTimeout optDuration `yaml:"stable_timeout"`
	Checksum      bool        `yaml:"checksum"`
	ReplyTimeout  optDuration `yaml:"reply_timeout"`
}

type scannerFile struct {
	Kind              string       `yaml:"kind"`
	Name              string       `yaml:"name"`
	Model             string       `yaml:"model"`
	Transport         string       `yaml:"transport"`
	VendorID          string       `yaml:"vendor_id"`
	ProductID         string       `yaml:"product_id"`
	Port              string       `yaml:"port"`
	Baud              optInt       `yaml:"baud"`
	SymbologyPrefixes []string     `yaml:"symbology_prefixes"`
	GSSubstitute      string       `yaml:"gs_substitute"`
	Terminator        string       `yaml:"terminator"`
	Station           *stationFile `yaml:"station"`
}

// stationFile is a scanner's station section: what a scan records.
type stationFile struct {
	Bin    string      `yaml:"bin"`
	Reason string      `yaml:"reason"`
	Scale  string      `yaml:"scale"`
	Labels []labelFile `yaml:"labels"`
}

// labelFile is one in-store label layout of a station.
type labelFile struct {
	Prefix       string `yaml:"prefix"`
	PrefixDigits optInt `yaml:"prefix_digits"`
	ItemDigits   optInt `yaml:"item_digits"`
	PriceCheck   bool   `yaml:"price_check"`
	ValueDigits  optInt `yaml:"value_digits"`
	Measure      string `yaml:"measure"`
	Decimals     optInt `yaml:"decimals"`
	Unit         string `yaml:"unit"`
}

// optInt is an optional YAML integer.
type optInt struct {
	v   int64
	set bool
}

// UnmarshalYAML accepts an integer scalar only. Its errors are
// *yaml.TypeError in yaml.v3's own format, so decoding goes on and every
// problem is reported.
func (o *optInt) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return typeError(n, "an integer")
	}
	if err := n.Decode(&o.v); err != nil {
		return typeError(n, "an integer within ±9223372036854775807")
	}
	o.set = true
	return nil
}

// optDuration is an optional duration, written as a string such as "10s",
// "500ms" or "1m30s" (a bare number is refused: seconds or nanoseconds?).
type optDuration struct {
	v   time.Duration
	set bool
}

// UnmarshalYAML accepts a Go duration string.
func (o *optDuration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return typeError(n, `a duration such as "10s" or "500ms"`)
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		return typeError(n, `a duration such as "10s" or "500ms"`)
	}
	o.v, o.set = d, true
	return nil
}

// typeError reports n as not being what was wanted, in yaml.v3's format.
func typeError(n *yaml.Node, want string) error {
	v := ""
	if n.Kind == yaml.ScalarNode {
		v = " `" + n.Value + "`"
		if len(n.Value) > 10 {
			v = " `" + n.Value[:7] + "...`"
		}
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: cannot unmarshal %s%s into %s", n.Line, n.ShortTag(), v, want)}}
}

// index maps lines and paths of a parsed document both ways, so yaml.v3's
// line-numbered errors get a field path and validation errors a line.
type index struct {
	lines map[string]int      // path → line
	keys  map[keyAt]string    // a mapping key at a line → its path
	vals  map[int][]pathValue // line → the nodes on it, outermost first
}

type keyAt struct {
	line int
	key  string
}

type pathValue struct {
	path, value string
}

func newIndex(root *yaml.Node) *index {
	ix := &index{lines: make(map[string]int), keys: make(map[keyAt]string), vals: make(map[int][]pathValue)}
	ix.walk(root, "", 0)
	return ix
}

func (ix *index) walk(n *yaml.Node, p string, depth int) {
	if depth > 64 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := k.Value
			if p != "" {
				kp = p + "." + k.Value
			}
			ix.keys[keyAt{k.Line, k.Value}] = kp
			if _, ok := ix.lines[kp]; !ok {
				ix.lines[kp] = k.Line
			}
			ix.note(kp, v)
			ix.walk(v, kp, depth+1)
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			ip := fmt.Sprintf("%s[%d]", p, i)
			ix.note(ip, v)
			ix.walk(v, ip, depth+1)
		}
	}
}

// note records value node v at path p.
func (ix *index) note(p string, v *yaml.Node) {
	if _, ok := ix.lines[p]; !ok {
		ix.lines[p] = v.Line
	}
	ix.vals[v.Line] = append(ix.vals[v.Line], pathValue{p, v.Value})
}

// at returns the path of the innermost value node at line whose value is
// value; value "" finds the innermost mapping or list (their value is
// empty), as yaml.v3 names no value for them. yaml.v3 gives no column, so
// two equal values on one line are told apart no further.
func (ix *index) at(line int, value string) string {
	vs := ix.vals[line]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].value == value {
			return vs[i].path
		}
	}
	if len(vs) > 0 {
		return vs[len(vs)-1].path
	}
	return ""
}

// atValue is at for a value as yaml.v3 quotes it: values longer than 10
// bytes are cut to 7 and "...".
func (ix *index) atValue(line int, quoted string) string {
	if short, ok := strings.CutSuffix(quoted, "..."); ok && len(short) == 7 {
		vs := ix.vals[line]
		for i := len(vs) - 1; i >= 0; i-- {
			if len(vs[i].value) > 10 && strings.HasPrefix(vs[i].value, short) {
				return vs[i].path
			}
		}
	}
	return ix.at(line, quoted)
}

// line returns the line of path p, or 0.
func (ix *index) line(p string) int { return ix.lines[p] }

var (
	reUnknown  = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)
	reSetTwice = regexp.MustCompile(`^line (\d+): field (.+) already set in type \S+$`)
	reKeyTwice = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	reType     = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	reLine     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// decodeError turns one of yaml.v3's messages into a FieldError.
func decodeError(file string, ix *index, msg string) *FieldError {
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := reUnknown.FindStringSubmatch(msg); m != nil {
		line := atoi(m[1])
		return &FieldError{File: file, Path: ix.keys[keyAt{line, m[2]}], Line: line, Msg: fmt.Sprintf("unknown field %q", m[2])}
	}
	if m := reSetTwice.FindStringSubmatch(msg); m != nil {
		line := atoi(m[1])
		return &FieldError{File: file, Path: ix.keys[keyAt{line, m[2]}], Line: line, Msg: "given twice"}
	}
	if m := reKeyTwice.FindStringSubmatch(msg); m != nil {
		line := atoi(m[1])
		return &FieldError{File: file, Path: ix.keys[keyAt{line, m[2]}], Line: line, Msg: "given twice, first on line " + m[3]}
	}
	if m := reType.FindStringSubmatch(msg); m != nil {
		line := atoi(m[1])
		got := describeTag(m[2])
		if m[3] != "" {
			got = strconv.Quote(m[3])
		}
		return &FieldError{File: file, Path: ix.atValue(line, m[3]), Line: line, Msg: fmt.Sprintf("want %s, got %s", describeType(m[4]), got)}
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		return &FieldError{File: file, Line: atoi(m[1]), Msg: m[2]}
	}
	return &FieldError{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

func describeTag(tag string) string {
	switch tag {
	case "map":
		return "a mapping"
	case "seq":
		return "a list"
	case "null":
		return "nothing"
	}
	return "a " + tag
}

// describeType names a Go type of the file structs (as yaml.v3 prints it)
// for users; the opt* types give their description themselves.
func describeType(t string) string {
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "profiles.") || strings.HasPrefix(t, "*profiles."):
		return "a mapping"
	}
	return t
}

// parseFile decodes and validates one file.
func parseFile(file string, data []byte) (profile, []error) {
	fail := func(msg string) (profile, []error) { return profile{}, []error{&FieldError{File: file, Msg: msg}} }
	if len(data) > MaxFileBytes {
		return fail(fmt.Sprintf("file is %d bytes, limit %d", len(data), MaxFileBytes))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return fail("file is empty; it must describe one device")
		}
		return profile{}, []error{decodeError(file, &index{}, err.Error())}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return fail("file holds more than one YAML document; put one device in each file")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return fail("file must be a mapping of fields (kind: reader, name: …)")
	}
	root := doc.Content[0]
	ix := newIndex(root)
	kind := ""
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "kind" {
			kind = root.Content[i+1].Value
		}
	}
	c := &checker{file: file, ix: ix, skip: make(map[string]bool)}
	strict := func(v any) {
		d := yaml.NewDecoder(bytes.NewReader(data))
		d.KnownFields(true)
		err := d.Decode(v)
		var te *yaml.TypeError
		switch {
		case errors.As(err, &te):
			for _, m := range te.Errors {
				fe := decodeError(file, ix, m)
				c.errs = append(c.errs, fe)
				if fe.Path != "" {
					c.skip[fe.Path] = true
				}
				if reKeyTwice.MatchString(m) {
					// yaml.v3 then decodes nothing of that mapping:
					// checking its empty fields would only add noise.
					c.skipAll = true
				}
			}
		case err != nil:
			c.errs = append(c.errs, decodeError(file, ix, err.Error()))
		}
	}
	name := defaultName(file)
	p := profile{kind: Kind(kind), file: file, nameLine: ix.line("name")}
	switch Kind(kind) {
	case KindReader:
		var rf readerFile
		strict(&rf)
		p.reader = c.reader(&rf, name)
		p.reader.File, p.name = file, p.reader.Name
	case KindScale:
		var sf scaleFile
		strict(&sf)
		p.scale = c.scale(&sf, name)
		p.scale.File, p.name = file, p.scale.Name
	case KindScanner:
		var sf scannerFile
		strict(&sf)
		p.scanner = c.scanner(&sf, name)
		p.scanner.File, p.name = file, p.scanner.Name
	case "":
		c.add("kind", "required: reader, scale or scanner")
	default:
		c.add("kind", fmt.Sprintf("%q is not reader, scale or scanner", kind))
	}
	if len(c.errs) > 0 {
		return profile{}, c.errs
	}
	return p, nil
}

// defaultName is a file's name without its extension.
func defaultName(file string) string {
	for _, ext := range []string{".yaml", ".yml"} {
		if s, ok := strings.CutSuffix(file, ext); ok {
			return s
		}
	}
	return file
}
