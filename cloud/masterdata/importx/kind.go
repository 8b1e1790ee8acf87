package importx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// kindInfo is what the importer knows of a kind of master data.
type kindInfo struct {
	// name is the API collection ("products"), sheet the name of the
	// sheet Export writes ("商品"); en and zh what one record is called.
	name, sheet, en, zh string
	cols                []*column
	// keyCols are the columns that name a record: its code (bins: site
	// and code).
	keyCols []string
	// multi: several rows make one record (a product's SKUs).
	multi bool
	// edit is the permission to import, export the one to export.
	edit, export auth.Permission
}

func (info *kindInfo) info() *kindInfo { return info }

// keyOf returns the key of a row, or the column and problem of a missing
// part.
func (info *kindInfo) keyOf(ln *line) (string, int, *msg) {
	parts := make([]string, len(info.keyCols))
	for i, k := range info.keyCols {
		c := colIndex(info.cols, k)
		if ln.vals[c] == "" {
			return "", c, msgf("is empty: it names the %[1]s of the row", "不能为空：它标识该行的%[2]s", info.en, info.zh)
		}
		parts[i] = ln.vals[c]
	}
	return strings.Join(parts, "\x00"), -1, nil
}

// kindZH is a kind's name in Chinese ("商品").
func kindZH(name string) string {
	if k, err := handlerOf(name); err == nil {
		return k.info().zh
	}
	return name
}

// handler is a kind's import and export.
type handler interface {
	info() *kindInfo
	check(ctx context.Context, im *Importer, p *auth.Principal, f *file) (*Report, []*group, error)
	commit(ctx context.Context, im *Importer, p *auth.Principal, pd *pending) (*Result, error)
	export(ctx context.Context, im *Importer, p *auth.Principal) ([][]string, error)
}

// env is what a kind's rows refer to besides the records themselves.
type env struct {
	// categories by code and codes by ID.
	catID   map[string]int64
	catCode map[int64]string
}

// unique is a value that must not be in two records of one file (a SKU
// code, a barcode), at its line and column.
type unique struct {
	space, value string
	line         int
	col          string
}

// spec is a kind's layout and rules, for records of type T.
type spec[T any] struct {
	*kindInfo
	kind *masterdata.Kind[T]
	meta func(*T) *masterdata.Meta
	// key is a stored record's key, as keyOf gives it for its rows.
	key func(*T) string
	// prepare loads what build and rows refer to (nil: nothing).
	prepare func(ctx context.Context, svc *masterdata.Service, p *auth.Principal) (*env, error)
	// build sets rec's fields from the group's cells: rec is a copy of
	// the stored record (before), or new (before nil). A column the file
	// lacks leaves its fields as they are.
	build func(b *builder, rec, before *T)
	// uniques lists the values of rec no other record of the file may
	// have (nil: none but the key).
	uniques func(b *builder, rec *T) []unique
	// locate returns the line and column of a field the service names
	// ("skus[1].barcodes[0]"); exact is false when the column is only
	// near it.
	locate func(b *builder, field string) (line int, col string, exact bool)
	// scopeCol is the column blamed when the caller may not write there
	// (a bin's site); "" for the key.
	scopeCol string
	// rows are the file rows of a record, cells in column order.
	rows func(e *env, rec *T) [][]string
	// cmp orders the exported records (nil: by code).
	cmp func(a, b *T) int
}

// loadAll returns every record of the kind the caller may see, by code.
func loadAll[T any](ctx context.Context, svc *masterdata.Service, k *masterdata.Kind[T], p *auth.Principal) ([]*T, error) {
	var out []*T
	for off := 0; ; {
		page, total, err := masterdata.List(ctx, svc, k, p, masterdata.ListQuery{Offset: off, Limit: masterdata.MaxPage, Sort: "code"})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		off += len(page)
		if len(page) == 0 || off >= total {
			return out, nil
		}
	}
}

// stored returns the stored records of the groups' keys, and the env.
// A few keys are looked up one by one (a search for the code, then the
// exact key); more, or a code whose search finds more than a page, load
// every record of the kind once.
func (s *spec[T]) stored(ctx context.Context, im *Importer, p *auth.Principal, groups []*group) (map[string]*T, *env, error) {
	byKey, err := s.lookup(ctx, im, p, groups)
	if err != nil {
		return nil, nil, err
	}
	if byKey == nil {
		all, err := loadAll(ctx, im.svc, s.kind, p)
		if err != nil {
			return nil, nil, err
		}
		byKey = make(map[string]*T, len(all))
		for _, r := range all {
			byKey[s.key(r)] = r
		}
	}
	e := &env{}
	if s.prepare != nil {
		if e, err = s.prepare(ctx, im.svc, p); err != nil {
			return nil, nil, err
		}
	}
	return byKey, e, nil
}

// lookup returns the stored records of the groups' keys, searching for
// each; nil when there are too many keys, or a search finds too much.
func (s *spec[T]) lookup(ctx context.Context, im *Importer, p *auth.Principal, groups []*group) (map[string]*T, error) {
	if len(groups) > im.opts.LookupMax {
		return nil, nil
	}
	out := map[string]*T{}
	for _, g := range groups {
		code := g.key[strings.LastIndexByte(g.key, 0)+1:]
		page, total, err := masterdata.List(ctx, im.svc, s.kind, p, masterdata.ListQuery{Q: code, Limit: masterdata.MaxPage})
		if err != nil {
			return nil, err
		}
		if total > len(page) {
			return nil, nil
		}
		for _, r := range page {
			if s.key(r) == g.key {
				out[g.key] = r
			}
		}
	}
	return out, nil
}

// make builds the record of a group over the stored one; before is nil
// for a new record, same reports a record the file does not change.
func (s *spec[T]) make(b *builder, stored map[string]*T) (rec, before *T, same bool) {
	before = stored[b.g.key]
	rec = new(T)
	if before != nil {
		rec = masterdata.Clone(before)
	}
	s.build(b, rec, before)
	if b.fail || before == nil {
		return rec, before, false
	}
	masterdata.Normalize(rec)
	masterdata.Normalize(before)
	x, err1 := json.Marshal(rec)
	y, err2 := json.Marshal(before)
	return rec, before, err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func (s *spec[T]) check(ctx context.Context, im *Importer, p *auth.Principal, f *file) (*Report, []*group, error) {
	stored, e, err := s.stored(ctx, im, p, f.groups)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Records: len(f.groups)}
	// First every record from its cells, and the values two records of
	// the file share: neither is written, which one is right is not
	// known.
	type built struct {
		b           *builder
		rec, before *T
		same        bool
	}
	recs := make([]built, len(f.groups))
	type seenAt struct {
		i, line int
		u       unique
		// told: the first record was told of a second.
		told bool
	}
	seen := map[string]seenAt{}
	for gi, g := range f.groups {
		if g.bad {
			continue
		}
		b := &builder{h: f.h, g: g, ps: f.ps, env: e}
		rec, before, same := s.make(b, stored)
		recs[gi] = built{b, rec, before, same}
		if b.fail || s.uniques == nil {
			continue
		}
		for _, u := range s.uniques(b, rec) {
			k := u.space + "\x00" + u.value
			o, dup := seen[k]
			switch {
			case !dup:
				seen[k] = seenAt{i: gi, line: u.line, u: u}
			case o.i != gi:
				ob := recs[o.i].b
				b.problem(u.line, u.col, msgf(alsoEN, alsoZH, u.value, ob.g.lines[o.line].num, u.space, spaceZH(u.space)))
				if !o.told {
					ob.problem(o.line, o.u.col, msgf(alsoEN, alsoZH, u.value, g.lines[u.line].num, u.space, spaceZH(u.space)))
					o.told = true
					seen[k] = o
				}
			}
		}
	}
	// Then each record's write, rolled back.
	var valid []*group
	for gi, g := range f.groups {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		r := recs[gi]
		if g.bad || r.b.fail {
			g.bad = true
			rep.Invalid++
			continue
		}
		if r.same {
			rep.Unchanged++
			valid = append(valid, g)
			continue
		}
		if err := s.write(ctx, im.dry, p, r.rec, r.before); err != nil {
			if !s.report(r.b, err) {
				return nil, nil, err
			}
			g.bad = true
			rep.Invalid++
			continue
		}
		if r.before == nil {
			rep.Create++
		} else {
			rep.Update++
		}
		valid = append(valid, g)
	}
	for _, g := range valid {
		rep.Valid += len(g.lines)
	}
	rep.Problems = f.ps.sorted()
	return rep, valid, nil
}

const (
	alsoEN = "%[1]q is also on row %[2]d: a %[3]s is unique"
	alsoZH = "%[1]q 与第 %[2]d 行重复：%[4]s不能重复"
)

func spaceZH(space string) string {
	switch space {
	case "SKU code":
		return "SKU 编码"
	case "barcode":
		return "条码"
	case "PLU":
		return "秤码"
	}
	return space
}

// write creates rec (before nil) or updates before to rec.
func (s *spec[T]) write(ctx context.Context, svc *masterdata.Service, p *auth.Principal, rec, before *T) error {
	if before == nil {
		_, err := masterdata.Create(ctx, svc, s.kind, p, rec)
		return err
	}
	m := s.meta(before)
	_, err := masterdata.Update(ctx, svc, s.kind, p, m.ID, m.Version, rec)
	return err
}

// report adds the problems of a refused write to the group and reports
// whether err was the record's (false: another failure, to return).
func (s *spec[T]) report(b *builder, err error) bool {
	var ve *masterdata.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			i, col, exact := s.locate(b, fe.Field)
			m := &msg{fe.Msg, fe.MsgZH}
			if !exact {
				m = &msg{fe.Field + ": " + fe.Msg, fe.Field + "：" + fe.MsgZH}
			}
			b.problem(i, col, m)
		}
		return true
	}
	var me *masterdata.Error
	if errors.As(err, &me) {
		b.problem(0, s.keyCols[len(s.keyCols)-1], &msg{me.Msg, me.MsgZH})
		return true
	}
	var ae *auth.Error
	if errors.As(err, &ae) && errors.Is(err, auth.ErrForbidden) {
		col := s.scopeCol
		if col == "" {
			col = s.keyCols[0]
		}
		b.problem(0, col, &msg{ae.Msg, ae.MsgZH})
		return true
	}
	return false
}

func (s *spec[T]) commit(ctx context.Context, im *Importer, p *auth.Principal, pd *pending) (*Result, error) {
	stored, e, err := s.stored(ctx, im, p, pd.groups)
	if err != nil {
		return nil, err
	}
	ps := &problems{h: pd.h}
	res := &Result{}
	type item struct {
		b           *builder
		rec, before *T
	}
	var items []item
	for _, g := range pd.groups {
		b := &builder{h: pd.h, g: g, ps: ps, env: e}
		rec, before, same := s.make(b, stored)
		switch {
		case b.fail:
			// What the rows refer to changed since the check.
			res.Failed++
		case same:
			res.Unchanged++
		default:
			items = append(items, item{b, rec, before})
		}
	}
	for len(items) > 0 {
		chunk := items[:min(len(items), im.opts.BatchSize)]
		items = items[len(chunk):]
		var created, updated int
		err := im.svc.Batch(ctx, func(svc *masterdata.Service) error {
			created, updated = 0, 0
			for _, it := range chunk {
				if err := s.write(ctx, svc, p, it.rec, it.before); err != nil {
					return err
				}
				if it.before == nil {
					created++
				} else {
					updated++
				}
			}
			return nil
		})
		if err == nil {
			res.Created += created
			res.Updated += updated
			continue
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		// A record of the batch failed: write them one by one, so only
		// the failing ones are left out.
		for _, it := range chunk {
			if err := s.write(ctx, im.svc, p, it.rec, it.before); err != nil {
				if !s.report(it.b, err) {
					return nil, fmt.Errorf("commit import: %w", err)
				}
				res.Failed++
				continue
			}
			if it.before == nil {
				res.Created++
			} else {
				res.Updated++
			}
		}
	}
	res.Problems = ps.sorted()
	return res, nil
}

func (s *spec[T]) export(ctx context.Context, im *Importer, p *auth.Principal) ([][]string, error) {
	all, err := loadAll(ctx, im.svc, s.kind, p)
	if err != nil {
		return nil, err
	}
	e := &env{}
	if s.prepare != nil {
		if e, err = s.prepare(ctx, im.svc, p); err != nil {
			return nil, err
		}
	}
	if s.cmp != nil {
		slices.SortStableFunc(all, s.cmp)
	}
	var rows [][]string
	for _, r := range all {
		rows = append(rows, s.rows(e, r)...)
	}
	return rows, nil
}
