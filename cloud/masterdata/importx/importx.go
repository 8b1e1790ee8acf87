// Package importx imports and exports master data as spreadsheets: products
// (with their variants, pack unit and barcodes), suppliers, customers and
// bins, as XLSX workbooks or UTF-8 CSV files, with Chinese headers (English
// names accepted).
//
// An import has two steps. Check reads the file, checks every row (the
// cells, duplicates within the file, and each record's write through the
// master data service in a transaction that is rolled back) and keeps the
// valid records as a pending import; nothing is written. Commit writes
// the pending import's records through the service, so audit, revisions
// and the publication to agents happen as for any other write. DESIGN.md
// beside this file has the rules.
package importx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// Errors of the package, each in an *Error with English and Chinese
// messages.
var (
	// ErrBadFile: the file cannot be read as the kind's table (not XLSX
	// or CSV, no header, unknown or missing columns, no rows, too many).
	ErrBadFile = errors.New("bad file")
	// ErrTooLarge: the file is larger than Options.MaxFileSize.
	ErrTooLarge = errors.New("file too large")
	// ErrBadRequest: an unknown kind or format.
	ErrBadRequest = errors.New("bad request")
	// ErrNotFound: the caller has no pending import with that ID (never
	// made, expired, already committed, or another user's).
	ErrNotFound = errors.New("import not found")
)

// Error is a refusal with its reason in English and Chinese.
type Error struct {
	Err error
	// Field is the request field at fault ("query.kind", "body").
	Field      string
	Msg, MsgZH string
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) ErrorZH() string { return e.MsgZH }
func (e *Error) Unwrap() error   { return e.Err }

func badFile(en, zh string) error {
	return &Error{Err: ErrBadFile, Field: "body", Msg: en, MsgZH: zh}
}

func badRequest(field, en, zh string) error {
	return &Error{Err: ErrBadRequest, Field: "query." + field, Msg: en, MsgZH: zh}
}

// Options are the limits of an Importer. The zero value of each field
// takes its default.
type Options struct {
	// MaxFileSize bounds an imported file. Default 20 MiB.
	MaxFileSize int
	// MaxRows bounds the data rows of a file. Default 100,000.
	MaxRows int
	// MaxProblems bounds the problems a report lists (it counts them
	// all). Default 10,000.
	MaxProblems int
	// PendingTTL is how long a checked import waits for its commit.
	// Default 30 minutes.
	PendingTTL time.Duration
	// MaxPending bounds the pending imports kept (the oldest goes first),
	// MaxPendingPerUser those of one user, MaxPendingRows their rows in
	// all. Defaults 64, 4 and 1,000,000.
	MaxPending, MaxPendingPerUser, MaxPendingRows int
	// BatchSize is how many records a commit writes in one transaction.
	// Default 100.
	BatchSize int
	// LookupMax: a file of at most this many records looks each one up
	// in the store; a larger one loads every record of its kind once.
	// Default 50.
	LookupMax int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultMaxFileSize = 20 << 20
	DefaultMaxRows     = 100_000
)

// Importer imports and exports master data through a service. It keeps
// the pending imports in memory: a restart of the process forgets them
// (the user checks the file again). It is safe for concurrent use.
type Importer struct {
	svc, dry *masterdata.Service
	opts     Options

	mu      sync.Mutex
	pending map[string]*pending
}

// New returns an importer writing through svc.
func New(svc *masterdata.Service, opts Options) *Importer {
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 10_000
	}
	if opts.PendingTTL <= 0 {
		opts.PendingTTL = 30 * time.Minute
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = 64
	}
	if opts.MaxPendingPerUser <= 0 {
		opts.MaxPendingPerUser = 4
	}
	if opts.MaxPendingRows <= 0 {
		opts.MaxPendingRows = 1_000_000
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.LookupMax <= 0 {
		opts.LookupMax = 50
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Importer{svc: svc, dry: svc.DryRun(), opts: opts, pending: map[string]*pending{}}
}

// MaxFileSize returns the largest file Check accepts.
func (im *Importer) MaxFileSize() int { return im.opts.MaxFileSize }

// Kinds are the kinds of master data that import and export, by their API
// collection names.
var Kinds = []string{"products", "suppliers", "customers", "bins"}

func handlerOf(kind string) (handler, error) {
	switch kind {
	case "products":
		return productSpec, nil
	case "suppliers":
		return supplierSpec, nil
	case "customers":
		return customerSpec, nil
	case "bins":
		return binSpec, nil
	}
	return nil, badRequest("kind", fmt.Sprintf("kind %q: products, suppliers, customers or bins", kind),
		fmt.Sprintf("类型 %q 无效：请用 products、suppliers、customers 或 bins", kind))
}

// Problem is one problem of an imported file.
type Problem struct {
	Row     int    `json:"row" doc:"The row as the spreadsheet shows it (the header is row 1)."`
	Column  string `json:"column" doc:"The column's header as in the file (its Chinese name when the file lacks it); empty when no column is to blame."`
	Field   string `json:"field" doc:"The column's English name (product_code)."`
	Cell    string `json:"cell,omitempty" doc:"The cell, A1-style (I5)."`
	Error   string `json:"error"`
	ErrorZH string `json:"error_zh"`
}

// Report is the result of a check.
type Report struct {
	// ID names the pending import for Commit; empty when no record is
	// valid (there is nothing to commit).
	ID     string `json:"id" doc:"The pending import to commit; empty when nothing is valid."`
	Kind   string `json:"kind"`
	Format Format `json:"format"`
	// Rows counts the data rows (not empty ones), Valid those of valid
	// records.
	Rows  int `json:"rows"`
	Valid int `json:"valid"`
	// Records counts the records the rows make (a product of several
	// rows is one); Create, Update and Unchanged the valid ones a commit
	// would create, update and leave as they are; Invalid the others.
	Records   int `json:"records"`
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Invalid   int `json:"invalid"`
	// Problems lists the problems by row, at most Options.MaxProblems;
	// ProblemsTotal counts them all.
	Problems      []Problem `json:"problems" nullable:"false"`
	ProblemsTotal int       `json:"problems_total"`
	// ExpiresAt is when the pending import is dropped if not committed.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Result is what a commit wrote.
type Result struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Failed counts the records refused at the commit, because the
	// stored data changed since the check; Problems says why.
	Failed   int       `json:"failed"`
	Problems []Problem `json:"problems" nullable:"false"`
}

// pending is a checked import waiting for its commit.
type pending struct {
	id      string
	tenant  string
	user    int64
	kind    string
	h       *header
	groups  []*group
	rows    int
	expires time.Time
}

// Check reads a file of kind ("products", "suppliers", "customers",
// "bins") and checks every row as a commit would write it, writing
// nothing, and keeps the valid records for Commit. The caller needs the
// kind's edit permission. A file that cannot be read as the kind's table
// is an *Error wrapping ErrBadFile (ErrTooLarge when over the size limit);
// the problems of its rows are in the report.
func (im *Importer) Check(ctx context.Context, p *auth.Principal, kind string, format Format, body []byte) (*Report, error) {
	k, err := handlerOf(kind)
	if err != nil {
		return nil, err
	}
	if err := p.Can(k.info().edit); err != nil {
		return nil, err
	}
	if len(body) > im.opts.MaxFileSize {
		return nil, &Error{Err: ErrTooLarge, Field: "body",
			Msg:   fmt.Sprintf("the file has %d bytes; at most %d (%d MiB) are accepted: split it", len(body), im.opts.MaxFileSize, im.opts.MaxFileSize>>20),
			MsgZH: fmt.Sprintf("文件有 %d 字节，超过上限 %d（%d MiB），请拆分后再导入", len(body), im.opts.MaxFileSize, im.opts.MaxFileSize>>20)}
	}
	if format != XLSX && format != CSV {
		return nil, badRequest("format", fmt.Sprintf("format %q: xlsx or csv", format), fmt.Sprintf("格式 %q 无效：请用 xlsx 或 csv", format))
	}
	f, err := im.read(k.info(), format, body)
	if err != nil {
		return nil, err
	}
	rep, groups, err := k.check(ctx, im, p, f)
	if err != nil {
		return nil, err
	}
	rep.Kind, rep.Format, rep.Rows = kind, format, f.rows
	rep.ProblemsTotal = len(rep.Problems)
	if len(rep.Problems) > im.opts.MaxProblems {
		rep.Problems = rep.Problems[:im.opts.MaxProblems]
	}
	if rep.Problems == nil {
		rep.Problems = []Problem{}
	}
	if len(groups) == 0 {
		return rep, nil
	}
	pd := &pending{tenant: p.Tenant, user: p.UserID, kind: kind, h: f.h, groups: groups,
		expires: im.opts.Now().Add(im.opts.PendingTTL)}
	for _, g := range groups {
		pd.rows += len(g.lines)
	}
	if pd.id, err = newID(); err != nil {
		return nil, err
	}
	im.put(pd)
	rep.ID, rep.ExpiresAt = pd.id, &pd.expires
	return rep, nil
}

// Commit writes the valid records of the caller's pending import id
// through the service: new codes created, existing ones updated from their
// current version, unchanged ones left alone. It writes BatchSize records
// per transaction; when one of them fails (the data changed since the
// check) that batch is written again record by record, so only the failing
// records are left out, each with its problem in the result. A pending
// import commits once. An unknown, expired or committed ID, or another
// user's, is an *Error wrapping ErrNotFound.
func (im *Importer) Commit(ctx context.Context, p *auth.Principal, id string) (*Result, error) {
	pd := im.take(p, id)
	if pd == nil {
		return nil, &Error{Err: ErrNotFound, Field: "path.id",
			Msg:   fmt.Sprintf("no pending import %q: it expired, was committed, or is not yours; check the file again", id),
			MsgZH: fmt.Sprintf("没有待提交的导入 %q：它已过期、已提交或不属于您，请重新检查文件", id)}
	}
	k, err := handlerOf(pd.kind)
	if err != nil {
		return nil, err
	}
	if err := p.Can(k.info().edit); err != nil {
		return nil, err
	}
	res, err := k.commit(ctx, im, p, pd)
	if err != nil {
		return nil, err
	}
	if res.Problems == nil {
		res.Problems = []Problem{}
	}
	return res, nil
}

// Export writes every record of kind that the caller may see as a file of
// the format, in the layout Check reads. It needs the kind's export
// permission (bins: site.view) and its view permission; bins are those of
// the caller's sites.
func (im *Importer) Export(ctx context.Context, p *auth.Principal, kind string, format Format, w io.Writer) error {
	k, err := handlerOf(kind)
	if err != nil {
		return err
	}
	if format != XLSX && format != CSV {
		return badRequest("format", fmt.Sprintf("format %q: xlsx or csv", format), fmt.Sprintf("格式 %q 无效：请用 xlsx 或 csv", format))
	}
	if err := p.Can(k.info().export); err != nil {
		return err
	}
	rows, err := k.export(ctx, im, p)
	if err != nil {
		return err
	}
	info := k.info()
	header := make([]string, len(info.cols))
	for i, c := range info.cols {
		header[i] = c.zh
	}
	return writeTable(w, format, info.sheet, header, rows)
}

// file is a read file: its header and its rows grouped into records.
type file struct {
	h      *header
	rows   int
	groups []*group
	ps     *problems
}

// read reads the file's rows and groups them into records. Rows that
// make no record (a missing key, a key repeated in a kind of one row per
// record) get their problems here.
func (im *Importer) read(info *kindInfo, format Format, body []byte) (*file, error) {
	f := &file{}
	byKey := map[string]*group{}
	var last *group
	err := readRows(format, body, []string{info.sheet, info.name}, func(num int, cells []string) error {
		if num == 1 {
			h, err := readHeader(info.cols, info.name, cells)
			if err != nil {
				return err
			}
			f.h, f.ps = h, &problems{h: h}
			return nil
		}
		empty := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				empty = false
				break
			}
		}
		if empty {
			return nil
		}
		f.rows++
		if f.rows > im.opts.MaxRows {
			return badFile(fmt.Sprintf("the file has more than %d data rows: split it", im.opts.MaxRows),
				fmt.Sprintf("文件的数据行超过 %d 行，请拆分后再导入", im.opts.MaxRows))
		}
		ln := &line{num: num, vals: make([]string, len(f.h.cols))}
		for i, j := range f.h.idx {
			if j >= 0 && j < len(cells) {
				ln.vals[i] = strings.TrimSpace(cells[j])
			}
		}
		stray := false
		for j := f.h.width; j < len(cells); j++ {
			if strings.TrimSpace(cells[j]) != "" {
				cell, _ := cellName(j, num)
				f.ps.list = append(f.ps.list, Problem{Row: num, Cell: cell,
					Error:   fmt.Sprintf("%s holds %q in a column without a header: name the column or clear the cell", cell, strings.TrimSpace(cells[j])),
					ErrorZH: fmt.Sprintf("%s 有内容 %q，但该列没有表头：请填写列名或清空该单元格", cell, strings.TrimSpace(cells[j]))})
				stray = true
				break
			}
		}
		key, keyCol, m := info.keyOf(ln)
		if m != nil {
			if info.multi && last != nil && key == "" {
				// An empty product code continues the product above
				// (merged cells).
				last.lines = append(last.lines, ln)
				last.bad = last.bad || stray
				return nil
			}
			f.ps.add(num, keyCol, m)
			last = nil
			return nil
		}
		g := byKey[key]
		switch {
		case g == nil:
			g = &group{key: key, lines: []*line{ln}}
			byKey[key] = g
			f.groups = append(f.groups, g)
		case info.multi:
			g.lines = append(g.lines, ln)
		default:
			// Which of the rows is right is not known: neither is written.
			keyCol = colIndex(info.cols, info.keyCols[len(info.keyCols)-1])
			shown := strings.ReplaceAll(key, "\x00", "/")
			f.ps.add(num, keyCol, msgf(dupEN, dupZH, shown, g.lines[0].num, info.en, info.zh))
			if !g.dup {
				f.ps.add(g.lines[0].num, keyCol, msgf(dupEN, dupZH, shown, num, info.en, info.zh))
				g.dup, g.bad = true, true
			}
			return nil
		}
		g.bad = g.bad || stray
		last = g
		return nil
	})
	if err != nil {
		return nil, err
	}
	if f.h == nil {
		return nil, badFile("the file is empty: row 1 must be the header", "文件是空的：第 1 行应为表头")
	}
	if f.rows == 0 {
		return nil, badFile("the file has a header and no data rows", "文件只有表头，没有数据行")
	}
	for _, g := range f.groups {
		info.resolve(f.ps, g)
	}
	return f, nil
}

const (
	dupEN = "%[1]q is also on row %[2]d: one row per %[3]s"
	dupZH = "%[1]q 与第 %[2]d 行重复：每条%[4]s只能有一行"
)

// resolve picks, for each record column of a group, the row whose value
// is the record's: the first that has one. Another row with a different
// value is a problem.
func (info *kindInfo) resolve(ps *problems, g *group) {
	g.src = make([]int, len(info.cols))
	for c, col := range info.cols {
		if col.line {
			continue
		}
		first := -1
		for i, ln := range g.lines {
			v := ln.vals[c]
			if v == "" {
				continue
			}
			if first < 0 {
				first = i
				g.src[c] = i
				continue
			}
			if w := g.lines[first].vals[c]; col.canonical(v) != col.canonical(w) {
				ps.add(ln.num, c, msgf("%[1]q differs from %[2]q on row %[3]d: the rows of one %[4]s share its columns (or leave them empty)",
					"%[1]q 与第 %[3]d 行的 %[2]q 不同：同一%[5]s的各行，这些列须相同（或留空）", v, w, g.lines[first].num, info.en, info.zh))
				g.bad = true
			}
		}
	}
}

func cellName(col, row int) (string, error) {
	return excelize.CoordinatesToCellName(col+1, row)
}

func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("import id: %w", err)
	}
	return "imp_" + hex.EncodeToString(b[:]), nil
}

// put keeps a pending import, dropping expired ones, then the user's
// oldest and the oldest of all while over the limits.
func (im *Importer) put(pd *pending) {
	im.mu.Lock()
	defer im.mu.Unlock()
	now := im.opts.Now()
	rows, mine := 0, 0
	for id, o := range im.pending {
		if !now.Before(o.expires) {
			delete(im.pending, id)
			continue
		}
		rows += o.rows
		if o.tenant == pd.tenant && o.user == pd.user {
			mine++
		}
	}
	for len(im.pending) > 0 && (len(im.pending) >= im.opts.MaxPending || mine >= im.opts.MaxPendingPerUser ||
		rows+pd.rows > im.opts.MaxPendingRows) {
		var oldest *pending
		for _, o := range im.pending {
			if mine >= im.opts.MaxPendingPerUser && (o.tenant != pd.tenant || o.user != pd.user) {
				continue
			}
			if oldest == nil || o.expires.Before(oldest.expires) {
				oldest = o
			}
		}
		if oldest == nil {
			break
		}
		delete(im.pending, oldest.id)
		rows -= oldest.rows
		if oldest.tenant == pd.tenant && oldest.user == pd.user {
			mine--
		}
	}
	im.pending[pd.id] = pd
}

// take removes and returns the caller's pending import id, nil when there
// is none.
func (im *Importer) take(p *auth.Principal, id string) *pending {
	im.mu.Lock()
	defer im.mu.Unlock()
	pd := im.pending[id]
	if pd == nil || pd.tenant != p.Tenant || pd.user != p.UserID {
		return nil
	}
	delete(im.pending, id)
	if !im.opts.Now().Before(pd.expires) {
		return nil
	}
	return pd
}
