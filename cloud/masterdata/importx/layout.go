package importx

import (
	"fmt"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// column is a column of a kind's table.
type column struct {
	// key is the English name: accepted as a header on import, and what
	// problems name in field ("product_code").
	key string
	// zh is the Chinese header Export writes ("商品编码").
	zh string
	// aliases are more headers accepted on import.
	aliases []string
	// required columns must be in the header.
	required bool
	// line marks, in a table whose rows group into records (products), a
	// column of each row (a SKU's); the others are the record's, the same
	// on each of its rows or left empty on all but one.
	line bool
	// kind says how values are compared across a record's rows.
	kind cellKind
}

type cellKind int

const (
	textCell cellKind = iota
	yuanCell
	boolCell
	intCell
)

// canonical is the value a cell stands for, to compare a record's rows.
func (c *column) canonical(v string) string {
	switch c.kind {
	case yuanCell:
		if f, m := parseYuan(v); m == nil {
			return fmt.Sprint(f)
		}
	case boolCell:
		if b, m := parseBool(v); m == nil {
			return fmt.Sprint(b)
		}
	case intCell:
		if n, m := parseInt(strings.TrimSuffix(narrow(v), "%"), -1<<62, 1<<62); m == nil {
			return fmt.Sprint(n)
		}
	}
	return v
}

// normHeader is how headers are compared: case, spaces, a * marking a
// required column and a bracketed note ("零售价(元)") do not count.
func normHeader(s string) string {
	s = strings.ToLower(narrow(s))
	s = strings.Trim(s, "* ")
	for _, br := range [][2]string{{"(", ")"}, {"（", "）"}, {"[", "]"}} {
		if i := strings.Index(s, br[0]); i > 0 && strings.HasSuffix(s, br[1]) {
			s = strings.TrimSpace(s[:i])
		}
	}
	return strings.Join(strings.Fields(s), "_")
}

// header is how a file's header row maps to a kind's columns.
type header struct {
	cols []*column
	// idx is the file column (0-based) of each of cols, -1 when absent;
	// names the header text there.
	idx   []int
	names []string
	width int
}

func (h *header) has(col int) bool { return h.idx[col] >= 0 }

// name is what a problem calls column col: the file's header, or the
// Chinese name of a column the file lacks.
func (h *header) name(col int) string {
	if h.idx[col] >= 0 {
		return h.names[col]
	}
	return h.cols[col].zh
}

// cell is the A1 name of column col on row num ("" when absent).
func (h *header) cell(col, num int) string {
	if h.idx[col] < 0 || num <= 0 {
		return ""
	}
	c, err := excelize.CoordinatesToCellName(h.idx[col]+1, num)
	if err != nil {
		return ""
	}
	return c
}

// readHeader maps the header cells to cols. Unknown, repeated or missing
// required columns refuse the file: a misspelt header would otherwise be
// a column silently ignored.
func readHeader(cols []*column, kind string, cells []string) (*header, error) {
	h := &header{cols: cols, idx: make([]int, len(cols)), names: make([]string, len(cols))}
	for i := range h.idx {
		h.idx[i] = -1
	}
	byName := map[string]int{}
	for i, c := range cols {
		for _, n := range append([]string{c.key, c.zh}, c.aliases...) {
			byName[normHeader(n)] = i
		}
	}
	var unknown []string
	for j, cell := range cells {
		n := normHeader(cell)
		if n == "" {
			continue
		}
		h.width = j + 1
		i, ok := byName[n]
		if !ok {
			unknown = append(unknown, strings.TrimSpace(cell))
			continue
		}
		if h.idx[i] >= 0 {
			return nil, badFile(fmt.Sprintf("columns %q and %q are both %s (%s)", h.names[i], strings.TrimSpace(cell), cols[i].zh, cols[i].key),
				fmt.Sprintf("列 %q 和 %q 重复，都是%s（%s）", h.names[i], strings.TrimSpace(cell), cols[i].zh, cols[i].key))
		}
		h.idx[i], h.names[i] = j, strings.TrimSpace(cell)
	}
	if h.width == 0 {
		return nil, badFile("row 1 must be the header (the column names), and it is empty", "第 1 行应为表头（列名），但它是空的")
	}
	if len(unknown) > 0 {
		return nil, badFile(fmt.Sprintf("unknown columns %s in row 1; a %s file has the columns %s", quoteList(unknown), kind, columnList(cols, false)),
			fmt.Sprintf("第 1 行有无法识别的列 %s；%s文件的列为 %s", quoteList(unknown), kindZH(kind), columnList(cols, true)))
	}
	var missing []string
	for i, c := range cols {
		if c.required && h.idx[i] < 0 {
			missing = append(missing, c.zh+" ("+c.key+")")
		}
	}
	if len(missing) > 0 {
		return nil, badFile(fmt.Sprintf("row 1 lacks the required columns %s", strings.Join(missing, ", ")),
			fmt.Sprintf("第 1 行缺少必需的列 %s", strings.Join(missing, "、")))
	}
	return h, nil
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func columnList(cols []*column, zh bool) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.zh + " (" + c.key + ")"
		if zh {
			names[i] = c.zh + "（" + c.key + "）"
		}
	}
	if zh {
		return strings.Join(names, "、")
	}
	return strings.Join(names, ", ")
}

// line is one data row of a file: its number as the spreadsheet shows it
// and its cells by column of the kind (trimmed; "" when absent).
type line struct {
	num  int
	vals []string
}

// group is the rows of one record, in file order.
type group struct {
	key   string
	lines []*line
	// src is, for each column of the record (not a line column), the
	// index in lines of the row whose value is the record's; 0 when no
	// row has one.
	src []int
	// bad groups have a problem and are not written; dup ones share
	// their key with another row.
	bad, dup bool
}

// problems collects the problems of a check, by row and column.
type problems struct {
	h    *header
	list []Problem
}

func (ps *problems) add(num, col int, m *msg) {
	p := Problem{Row: num, Error: m.en, ErrorZH: m.zh}
	if col >= 0 {
		p.Column, p.Field, p.Cell = ps.h.name(col), ps.h.cols[col].key, ps.h.cell(col, num)
	}
	ps.list = append(ps.list, p)
}

// sorted returns the problems by row, then column as in the file.
func (ps *problems) sorted() []Problem {
	order := map[string]int{}
	for i, c := range ps.h.cols {
		order[c.key] = ps.h.idx[i]
		if ps.h.idx[i] < 0 {
			order[c.key] = 1000 + i
		}
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return order[a.Field] < order[b.Field]
	})
	return ps.list
}

// colIndex returns the index of the column with key in cols; it panics on
// a key no column has (a programming error).
func colIndex(cols []*column, key string) int {
	for i, c := range cols {
		if c.key == key {
			return i
		}
	}
	panic("importx: no column " + key)
}

// builder reads a group's cells as a record's fields, adding a problem
// for each cell that does not parse.
type builder struct {
	h    *header
	g    *group
	ps   *problems
	env  *env
	fail bool
}

func (b *builder) col(key string) int { return colIndex(b.h.cols, key) }

// has reports whether the file has the column.
func (b *builder) has(key string) bool { return b.h.has(b.col(key)) }

// at returns the line and column of the record's value of a column.
func (b *builder) at(key string) (int, int) {
	c := b.col(key)
	if b.h.cols[c].line {
		return 0, c
	}
	return b.g.src[c], c
}

// text is the record's value of a column.
func (b *builder) text(key string) string {
	i, c := b.at(key)
	return b.g.lines[i].vals[c]
}

// lineText is line i's value of a column.
func (b *builder) lineText(i int, key string) string { return b.g.lines[i].vals[b.col(key)] }

// problem adds a problem at line i (-1: the record's line of the column).
func (b *builder) problem(i int, key string, m *msg) {
	li, c := b.at(key)
	if i >= 0 {
		li = i
	}
	b.ps.add(b.g.lines[li].num, c, m)
	b.fail = true
}

func (b *builder) yuanAt(i int, key string) int64 {
	v, m := parseYuan(b.lineText(i, key))
	if m != nil {
		b.problem(i, key, m)
	}
	return v
}

func (b *builder) yuan(key string) int64 {
	i, _ := b.at(key)
	return b.yuanAt(i, key)
}

func (b *builder) boolAt(i int, key string) bool {
	v, m := parseBool(b.lineText(i, key))
	if m != nil {
		b.problem(i, key, m)
	}
	return v
}

func (b *builder) boolean(key string) bool {
	i, _ := b.at(key)
	return b.boolAt(i, key)
}

func (b *builder) integer(key string, min, max int64) int64 {
	i, _ := b.at(key)
	v, m := parseInt(b.lineText(i, key), min, max)
	if m != nil {
		b.problem(i, key, m)
	}
	return v
}
