package pdfdoc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jxc-edge/jxc/cloud"
)

// Errors of the package, each wrapped in an *Error that carries the
// message in English and Chinese.
var (
	// ErrNoFont means no usable CJK font was found: not at
	// Options.FontPath, nor at any of DefaultFontPaths. A service should
	// answer 503: printing works again once the font is installed.
	ErrNoFont = errors.New("no CJK font")
	// ErrFontFormat means the font file is not a TrueType font with glyf
	// outlines (an OpenType/CFF font such as Noto Sans CJK);
	// errors.Is(err, ErrNoFont) holds as well.
	ErrFontFormat = errors.New("unsupported font format")
	// ErrAmountRange means an amount is too large to write in capitals.
	ErrAmountRange = errors.New("amount out of range")
	// ErrDocument means the document cannot be printed as given (its
	// totals differ from its lines, a line's gross is not net + tax, the
	// notes do not fit on a page); errors.Is(err, cloud.ErrInvalid) holds.
	ErrDocument = errors.New("document cannot be printed")
)

// Error is a refusal with its reason in English and Chinese.
type Error struct {
	Err        error
	Msg, MsgZH string
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) ErrorZH() string { return e.MsgZH }

// Unwrap gives the sentinel; a font format error also is ErrNoFont, a
// document error also is cloud.ErrInvalid.
func (e *Error) Unwrap() []error {
	switch e.Err {
	case ErrFontFormat:
		return []error{e.Err, ErrNoFont}
	case ErrDocument, ErrAmountRange:
		return []error{e.Err, cloud.ErrInvalid}
	}
	return []error{e.Err}
}

func errAmountRange(fen int64) error {
	return &Error{Err: ErrAmountRange,
		Msg:   fmt.Sprintf("amount %s is too large to write in Chinese capitals 金额过大，无法写成大写", FormatFen(fen)),
		MsgZH: fmt.Sprintf("金额 %s 过大，无法写成大写", FormatFen(fen))}
}

func errNoFont(tried []string, causes []string) error {
	list := strings.Join(tried, ", ")
	why := ""
	if len(causes) > 0 {
		why = " (" + strings.Join(causes, "; ") + ")"
	}
	return &Error{Err: ErrNoFont,
		Msg: fmt.Sprintf("no Chinese font for PDF printing 找不到打印 PDF 所需的中文字体: tried %s%s; "+
			"install Debian's fonts-wqy-microhei or set the font path to a TrueType (.ttf/.ttc) CJK font", list, why),
		MsgZH: fmt.Sprintf("找不到打印 PDF 所需的中文字体：已尝试 %s%s；请安装 Debian 的 fonts-wqy-microhei，"+
			"或把字体路径设为 TrueType（.ttf/.ttc）中文字体", list, why)}
}

func errFontFormat(path, kind string) error {
	return &Error{Err: ErrFontFormat,
		Msg: fmt.Sprintf("font %s is %s, not a TrueType font with glyf outlines 字体格式不支持; "+
			"use a TrueType CJK font such as wqy-microhei.ttc", path, kind),
		MsgZH: fmt.Sprintf("字体 %s 是 %s，不是 TrueType（glyf 轮廓）字体；请使用 TrueType 中文字体，如 wqy-microhei.ttc",
			path, kind)}
}

func errDocument(msg, msgZH string) error {
	return &Error{Err: ErrDocument, Msg: msg + " " + msgZH, MsgZH: msgZH}
}
