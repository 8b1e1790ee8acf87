package importx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Format is a file format.
type Format string

// The formats.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ContentType returns the media type of a file of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// ParseFormat reads a format name ("xlsx", "csv"); "" guesses it from the
// body's first bytes (a ZIP archive is XLSX).
func ParseFormat(name string, body []byte) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "xlsx":
		return XLSX, nil
	case "csv":
		return CSV, nil
	case "":
		if bytes.HasPrefix(body, []byte("PK\x03\x04")) {
			return XLSX, nil
		}
		return CSV, nil
	}
	return "", badRequest("format", fmt.Sprintf("format %q: xlsx or csv", name), fmt.Sprintf("格式 %q 无效：请用 xlsx 或 csv", name))
}

// utf8BOM starts the CSV files Export writes, so Excel reads them as
// UTF-8.
const utf8BOM = "\uFEFF"

// unzipLimit bounds what an XLSX file may unpack to: a ZIP bomb is
// refused, a real workbook of MaxRows rows fits.
const unzipLimit = 512 << 20

// readRows calls fn with each row of the file's table, numbered as a
// spreadsheet shows it (the header is row 1), empty rows included. An XLSX
// file's table is its sheet named one of sheets, else its first sheet. A
// CSV file is UTF-8 with or without a BOM (GB18030, as Excel saves "CSV"
// on a Chinese Windows, is read too), separated by commas (or semicolons
// or tabs, as its header shows). An error of fn stops the reading and is
// returned.
func readRows(format Format, body []byte, sheets []string, fn func(num int, cells []string) error) error {
	if format == XLSX {
		return readXLSX(body, sheets, fn)
	}
	return readCSV(body, fn)
}

func readXLSX(body []byte, sheets []string, fn func(num int, cells []string) error) error {
	if bytes.HasPrefix(body, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return badFile("this is an old Excel 97–2003 (.xls) file or a password-protected workbook: save it as an unprotected .xlsx workbook",
			"这是旧版 Excel 97–2003（.xls）文件或受密码保护的工作簿：请另存为无密码的 .xlsx 工作簿")
	}
	if !bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		return badFile("the file is not an XLSX workbook (send format=csv for a CSV file)",
			"文件不是 XLSX 工作簿（CSV 文件请用 format=csv）")
	}
	f, err := excelize.OpenReader(bytes.NewReader(body), excelize.Options{UnzipSizeLimit: unzipLimit})
	if err != nil {
		return badFile("the XLSX workbook cannot be read: "+err.Error(), "无法读取该 XLSX 工作簿："+err.Error())
	}
	defer f.Close()
	list := f.GetSheetList()
	if len(list) == 0 {
		return badFile("the workbook has no sheet", "工作簿中没有工作表")
	}
	sheet := list[0]
	for _, s := range list {
		for _, want := range sheets {
			if strings.EqualFold(strings.TrimSpace(s), want) {
				sheet = s
			}
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return badFile(fmt.Sprintf("sheet %q cannot be read: %v", sheet, err), fmt.Sprintf("无法读取工作表 %q：%v", sheet, err))
	}
	defer rows.Close()
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns()
		if err != nil {
			return badFile(fmt.Sprintf("row %d of sheet %q cannot be read: %v", num, sheet, err),
				fmt.Sprintf("无法读取工作表 %q 的第 %d 行：%v", sheet, num, err))
		}
		if err := fn(num, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return badFile(fmt.Sprintf("sheet %q cannot be read: %v", sheet, err), fmt.Sprintf("无法读取工作表 %q：%v", sheet, err))
	}
	return nil
}

func readCSV(body []byte, fn func(num int, cells []string) error) error {
	if bytes.HasPrefix(body, []byte("PK\x03\x04")) {
		return badFile("the file is an XLSX workbook, not CSV: send format=xlsx", "文件是 XLSX 工作簿而不是 CSV：请用 format=xlsx")
	}
	body = bytes.TrimPrefix(body, []byte(utf8BOM))
	if !utf8.Valid(body) {
		gb, err := simplifiedchinese.GB18030.NewDecoder().Bytes(body)
		if err != nil || !utf8.Valid(gb) {
			return badFile("the CSV file is neither UTF-8 nor GB18030 text: save it as \"CSV UTF-8\"",
				"CSV 文件既不是 UTF-8 也不是 GB18030 文本：请另存为“CSV UTF-8（逗号分隔）”")
		}
		body = gb
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return badFile("the file holds NUL bytes: it is not a CSV text file", "文件含有 NUL 字节，不是 CSV 文本文件")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = csvSeparator(body)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	num := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		num++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return badFile(fmt.Sprintf("CSV row %d (line %d): %v", num, pe.Line, pe.Err), fmt.Sprintf("CSV 第 %d 行（文本第 %d 行）格式错误：%v", num, pe.Line, pe.Err))
			}
			return badFile("the CSV file cannot be read: "+err.Error(), "无法读取 CSV 文件："+err.Error())
		}
		for i, c := range rec {
			// Export puts ' before a text a spreadsheet would take for a
			// formula; it is not part of the value.
			if strings.HasPrefix(c, "'") && formulaLead(c[1:]) {
				rec[i] = c[1:]
			}
		}
		if err := fn(num, rec); err != nil {
			return err
		}
	}
}

// csvSeparator is the comma, unless the first line has none and has
// semicolons or tabs (Excel's CSV in some locales, a pasted table).
func csvSeparator(body []byte) rune {
	line, _, _ := bytes.Cut(body, []byte("\n"))
	switch {
	case bytes.IndexByte(line, ',') >= 0:
		return ','
	case bytes.IndexByte(line, '\t') >= 0:
		return '\t'
	case bytes.IndexByte(line, ';') >= 0:
		return ';'
	}
	return ','
}

// writeTable writes a header and rows as a file of the format: an XLSX
// workbook with one sheet of text cells (so codes and barcodes keep their
// digits), or a UTF-8 CSV file with a BOM.
func writeTable(w io.Writer, format Format, sheet string, header []string, rows [][]string) error {
	if format == XLSX {
		return writeXLSX(w, sheet, header, rows)
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
		return err
	}
	out := make([]string, len(header))
	for _, r := range rows {
		for i, c := range r {
			if formulaLead(c) {
				c = "'" + c
			}
			out[i] = c
		}
		if err := cw.Write(out[:len(r)]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeXLSX(w io.Writer, sheet string, header []string, rows [][]string) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	// Every cell is text ("@"): Excel then keeps a barcode's digits and
	// a code's leading zeros, also in cells typed in later.
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, h := range header {
		width := float64(utf8.RuneCountInString(h))*2 + 4
		if width < 12 {
			width = 12
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetColStyle(1, len(header), text); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	vals := make([]any, len(header))
	for i, h := range header {
		vals[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow("A1", vals); err != nil {
		return err
	}
	for n, r := range rows {
		vals = vals[:len(r)]
		for i, c := range r {
			vals[i] = excelize.Cell{StyleID: text, Value: c}
		}
		cell, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
