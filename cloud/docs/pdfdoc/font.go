package pdfdoc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// loadFont reads the font at path, or else the first of DefaultFontPaths
// that exists, and checks that it is a single TrueType font. It returns
// the font's bytes and path, or an *Error with ErrNoFont (nothing found)
// or ErrFontFormat (a font of another kind) naming what it tried.
func loadFont(path string) ([]byte, string, error) {
	paths := DefaultFontPaths
	if path != "" {
		paths = []string{path}
	}
	var causes []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			causes = append(causes, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		if fontKind(b) == kindCollection {
			if b, err = firstFont(b); err != nil {
				if path != "" {
					return nil, "", errFontFormat(p, err.Error())
				}
				causes = append(causes, fmt.Sprintf("%s: %v", p, err))
				continue
			}
		}
		if kind := fontKind(b); kind != "" {
			if path != "" {
				return nil, "", errFontFormat(p, kind)
			}
			causes = append(causes, fmt.Sprintf("%s: %s", p, kind))
			continue
		}
		return b, p, nil
	}
	return nil, "", errNoFont(paths, causes)
}

const kindCollection = "a font collection (.ttc) 字体集合"

// fontKind says what is wrong with a font file for fpdf, or "" when it
// is a TrueType font with glyf outlines.
func fontKind(b []byte) string {
	if len(b) < 12 {
		return "not a font file 不是字体文件"
	}
	switch {
	case bytes.Equal(b[:4], []byte("ttcf")):
		return kindCollection
	case bytes.Equal(b[:4], []byte("OTTO")):
		return "OpenType with CFF outlines (.otf) CFF 轮廓字体"
	case bytes.Equal(b[:4], []byte{0, 1, 0, 0}), bytes.Equal(b[:4], []byte("true")):
	default:
		return "not a TrueType font file 不是 TrueType 字体"
	}
	// The table directory must hold a glyf table.
	n := int(b[4])<<8 | int(b[5])
	for i := range n {
		off := 12 + 16*i
		if off+16 > len(b) {
			break
		}
		if string(b[off:off+4]) == "glyf" {
			return ""
		}
	}
	return "a TrueType file without glyf outlines 无 glyf 轮廓"
}

// firstFont extracts the first font of a TrueType collection (.ttc) as a
// font file of its own: its table directory with the tables laid out
// after it, each on a four-byte boundary (the tables themselves, and so
// their checksums, are unchanged).
func firstFont(b []byte) ([]byte, error) {
	bad := errors.New("a damaged font collection (.ttc) 字体集合文件已损坏")
	if len(b) < 16 || binary.BigEndian.Uint32(b[8:]) == 0 {
		return nil, bad
	}
	off := int(binary.BigEndian.Uint32(b[12:]))
	if off < 0 || off+12 > len(b) {
		return nil, bad
	}
	n := int(binary.BigEndian.Uint16(b[off+4:]))
	dir := off + 12
	if dir+16*n > len(b) {
		return nil, bad
	}
	out := make([]byte, 12+16*n, len(b))
	copy(out, b[off:off+12])
	for i := range n {
		rec := b[dir+16*i : dir+16*i+16]
		start, length := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if start < 0 || length < 0 || start+length > len(b) || start+length < start {
			return nil, bad
		}
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		o := out[12+16*i : 12+16*i+16]
		copy(o, rec)
		binary.BigEndian.PutUint32(o[8:], uint32(len(out)))
		out = append(out, b[start:start+length]...)
	}
	return out, nil
}
