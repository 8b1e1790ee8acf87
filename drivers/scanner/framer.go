package scanner

import (
	"fmt"
	"sort"
	"strings"
)

// GS is the ASCII group separator, what GS1 FNC1 is transmitted as.
const GS = 0x1d

// Code is one code read by a scanner.
type Code struct {
	// Symbology is the AIM symbology identifier ("]C1", "]E0"…) the
	// scanner sent, or "" if it sent none.
	Symbology string
	// Data is the code without terminator, prefixes, suffixes and symbology
	// identifier, with the GS substitute turned back into GS.
	Data string
}

// String returns the code as drivers.Scan.Data carries it: the symbology
// identifier, if any, then the data.
func (c Code) String() string { return c.Symbology + c.Data }

// Framer turns what a scanner types or sends into codes: it splits at
// terminators, drops codes longer than the maximum, and cleans each code
// (Clean). A Framer holds the partial code between calls; use one per
// connection. It is not safe for concurrent use.
type Framer struct {
	max      int
	tab      bool
	buf      []byte
	over     bool // the current code passed max: drop it up to the terminator
	overLen  int
	prefixes []string // longest first
	suffixes []string // longest first
	gs       string
}

// NewFramer returns a Framer for cfg's Terminator, MaxLength, Prefixes,
// Suffixes and GSSubstitute. cfg should be valid (Config.Validate).
func NewFramer(cfg Config) *Framer {
	cfg = cfg.withDefaults()
	byLen := func(s []string) []string {
		s = append([]string(nil), s...)
		sort.SliceStable(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
		return s
	}
	return &Framer{
		max:      cfg.MaxLength,
		tab:      cfg.Terminator == TerminatorTab,
		prefixes: byLen(cfg.Prefixes),
		suffixes: byLen(cfg.Suffixes),
		gs:       cfg.GSSubstitute,
	}
}

// Feed consumes p. It calls code for each code completed by a terminator
// and bad, with an error wrapping ErrTooLong, for each code dropped for
// its length. Empty codes, such as the LF of a CRLF, are skipped.
func (f *Framer) Feed(p []byte, code func(Code), bad func(error)) {
	for _, b := range p {
		if b == '\r' || b == '\n' || (b == '\t' && f.tab) {
			if f.over {
				bad(fmt.Errorf("%w: %d bytes, more than %d; dropped", ErrTooLong, f.overLen, f.max))
			} else if c, ok := f.Clean(string(f.buf)); ok {
				code(c)
			}
			f.buf, f.over, f.overLen = f.buf[:0], false, 0
			continue
		}
		if f.over {
			f.overLen++
			continue
		}
		if len(f.buf) == f.max {
			f.over, f.overLen, f.buf = true, len(f.buf)+1, f.buf[:0]
			continue
		}
		f.buf = append(f.buf, b)
	}
}

// Pending reports how many bytes of an unterminated code the Framer holds.
func (f *Framer) Pending() int { return len(f.buf) + f.overLen }

// Clean turns one whole code, without terminator, into a Code: it strips
// the configured prefixes and suffixes (each at most once, longest first),
// takes an AIM symbology identifier among them as the Symbology, and
// replaces the GS substitute with GS. ok is false when nothing is left.
func (f *Framer) Clean(raw string) (c Code, ok bool) {
	used := make([]bool, len(f.prefixes))
	for again := true; again; {
		again = false
		for i, p := range f.prefixes {
			if used[i] {
				continue
			}
			switch {
			case p == "]" && c.Symbology == "" && isAIM(raw[:min(3, len(raw))]):
				c.Symbology, raw = raw[:3], raw[3:]
			case p != "]" && strings.HasPrefix(raw, p):
				if isAIM(p) && c.Symbology == "" {
					c.Symbology = p
				}
				raw = raw[len(p):]
			default:
				continue
			}
			used[i], again = true, true
			break
		}
	}
	used = make([]bool, len(f.suffixes))
	for again := true; again; {
		again = false
		for i, s := range f.suffixes {
			if !used[i] && strings.HasSuffix(raw, s) {
				raw = raw[:len(raw)-len(s)]
				used[i], again = true, true
				break
			}
		}
	}
	if f.gs != "" {
		raw = strings.ReplaceAll(raw, f.gs, string(rune(GS)))
	}
	c.Data = raw
	return c, raw != ""
}

// isAIM reports whether s is an AIM symbology identifier (ISO/IEC 15424):
// "]", a letter naming the symbology, a modifier character.
func isAIM(s string) bool {
	return len(s) == 3 && s[0] == ']' && isLetter(s[1]) && (isLetter(s[2]) || s[2] >= '0' && s[2] <= '9')
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
