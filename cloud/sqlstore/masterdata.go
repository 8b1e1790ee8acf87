package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

var _ masterdata.Store = (*Store)(nil)

// AuthStore returns the accounts store as auth.Store.
func (s *Store) AuthStore() auth.Store { return s.Auth() }

// mdReader reads master data from the read pool or, locking, in a
// transaction.
type mdReader struct {
	s    *Store
	db   authDB
	lock bool
}

const mdColumns = `id, kind, site, code, name, parent_id, disabled, version, rev, body, updated_at, updated_by`

func scanMD(sc interface{ Scan(...any) error }) (masterdata.Row, error) {
	var r masterdata.Row
	var rev, at int64
	var body string
	if err := sc.Scan(&r.ID, &r.Kind, &r.Site, &r.Code, &r.Name, &r.ParentID, &r.Disabled, &r.Version, &rev, &body, &at, &r.UpdatedBy); err != nil {
		return r, err
	}
	r.Rev, r.Body, r.UpdatedAt = uint64(rev), []byte(body), fromMS(at)
	return r, nil
}

func (r mdReader) lockClause() string {
	if r.lock {
		return r.s.forUpdate("md_records")
	}
	return ""
}

func (r mdReader) get(ctx context.Context, tenant, kind string, id int64) (masterdata.Row, error) {
	row, err := scanMD(r.db.QueryRowContext(ctx, r.s.q(`SELECT `+mdColumns+` FROM md_records WHERE tenant = ? AND kind = ? AND id = ?`+r.lockClause()),
		tenant, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row, masterdata.NotFound(kind, id)
	}
	if err != nil {
		return row, fmt.Errorf("read %s %d: %w", kind, id, err)
	}
	return row, nil
}

func (r mdReader) byCode(ctx context.Context, tenant, kind, site, code string) (masterdata.Row, bool, error) {
	row, err := scanMD(r.db.QueryRowContext(ctx, r.s.q(`SELECT `+mdColumns+` FROM md_records WHERE tenant = ? AND kind = ? AND site = ? AND code = ?`+r.lockClause()),
		tenant, kind, site, code))
	if errors.Is(err, sql.ErrNoRows) {
		return row, false, nil
	}
	if err != nil {
		return row, false, fmt.Errorf("read %s %q: %w", kind, code, err)
	}
	return row, true, nil
}

// MDGet returns a record.
func (s *Store) MDGet(ctx context.Context, tenant, kind string, id int64) (masterdata.Row, error) {
	return mdReader{s: s, db: s.read}.get(ctx, tenant, kind, id)
}

// MDKeyOwner returns the record owning a unique value.
func (s *Store) MDKeyOwner(ctx context.Context, tenant, space, value string) (masterdata.Ref, bool, error) {
	var ref masterdata.Ref
	err := s.read.QueryRowContext(ctx, s.q(`SELECT owner_kind, owner_id FROM md_keys WHERE tenant = ? AND space = ? AND value = ?`),
		tenant, space, value).Scan(&ref.Kind, &ref.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return ref, false, nil
	}
	if err != nil {
		return ref, false, fmt.Errorf("read key %s %q: %w", space, value, err)
	}
	return ref, true, nil
}

// likePattern is a LIKE pattern matching v anywhere, with \ as escape.
func likePattern(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(v)) + "%"
}

// MDList returns a page of one kind's records and how many match.
func (s *Store) MDList(ctx context.Context, tenant string, q masterdata.Query) ([]masterdata.Row, int, error) {
	where := []string{`r.tenant = ?`, `r.kind = ?`}
	args := []any{tenant, q.Kind}
	if q.Q != "" {
		where = append(where, `(lower(r.code) LIKE ? ESCAPE '\' OR lower(r.name) LIKE ? ESCAPE '\')`)
		p := likePattern(q.Q)
		args = append(args, p, p)
	}
	if q.Disabled != nil {
		where = append(where, `r.disabled = ?`)
		args = append(args, *q.Disabled)
	}
	if q.ParentID != nil {
		where = append(where, `r.parent_id = ?`)
		args = append(args, *q.ParentID)
	}
	if q.Sites != nil {
		col := "r.site"
		if q.Kind == masterdata.KindSite {
			col = "r.code"
		}
		if len(q.Sites) == 0 {
			where = append(where, `1 = 0`)
		} else {
			where = append(where, col+` IN (?`+strings.Repeat(`, ?`, len(q.Sites)-1)+`)`)
			for _, site := range q.Sites {
				args = append(args, site)
			}
		}
	}
	names := make([]string, 0, len(q.Filters))
	for n := range q.Filters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "barcode" {
			where = append(where, `EXISTS (SELECT 1 FROM md_keys k WHERE k.tenant = r.tenant AND k.space = ? AND k.value = ? AND k.owner_id = r.id)`)
			args = append(args, masterdata.SpaceBarcode, q.Filters[n])
			continue
		}
		where = append(where, `EXISTS (SELECT 1 FROM md_filters f WHERE f.tenant = r.tenant AND f.kind = r.kind AND f.name = ? AND f.value = ? AND f.id = r.id)`)
		args = append(args, n, q.Filters[n])
	}
	cond := strings.Join(where, ` AND `)
	var total int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT count(*) FROM md_records r WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, s.classify(fmt.Errorf("count %s: %w", q.Kind, err))
	}
	order := map[string]string{"code": "r.code", "name": "r.name", "updated_at": "r.updated_at"}[q.Sort]
	if order == "" {
		order = "r.code"
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	var out []masterdata.Row
	err := s.queryRows(ctx, s.read, s.q(`SELECT `+prefixed(mdColumns, "r.")+` FROM md_records r WHERE `+cond+
		` ORDER BY `+order+dir+`, r.id`+dir+` LIMIT ? OFFSET ?`), append(args, q.Limit, q.Offset), func(rows *sql.Rows) error {
		r, err := scanMD(rows)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, 0, s.classify(fmt.Errorf("list %s: %w", q.Kind, err))
	}
	return out, total, nil
}

func prefixed(cols, p string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// MDTx runs fn in one write transaction.
func (s *Store) MDTx(ctx context.Context, fn func(masterdata.Tx) error) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return fn(&mdTx{mdReader: mdReader{s: s, db: tx, lock: true}, tx: tx})
	})
	return s.domainTxErr(err, &masterdata.Error{Err: masterdata.ErrStale, Msg: "another change took the same code or value at the same time: try again",
		MsgZH: "另一项修改同时使用了相同的编码或值，请重试"})
}

// domainTxErr is what a write transaction of the business layer (master
// data, documents) returns for err: the domain's own refusals as they
// are, a unique constraint's refusal (a concurrent write took the same
// value) as unique, anything else classified.
func (s *Store) domainTxErr(err, unique error) error {
	if err == nil {
		return nil
	}
	var me *masterdata.Error
	var de *docs.Error
	var ve *masterdata.ValidationError
	var ae *auth.Error
	if errors.As(err, &me) || errors.As(err, &de) || errors.As(err, &ve) || errors.As(err, &ae) {
		return err
	}
	if uniqueViolation(err) {
		return unique
	}
	return s.classify(err)
}

type mdTx struct {
	mdReader
	tx *sql.Tx
}

func (t *mdTx) Get(ctx context.Context, tenant, kind string, id int64) (masterdata.Row, error) {
	return t.get(ctx, tenant, kind, id)
}

func (t *mdTx) ByCode(ctx context.Context, tenant, kind, site, code string) (masterdata.Row, bool, error) {
	return t.byCode(ctx, tenant, kind, site, code)
}

func (t *mdTx) Children(ctx context.Context, tenant, kind string, parentID int64) ([]masterdata.Row, error) {
	var out []masterdata.Row
	err := t.s.queryRows(ctx, t.db, t.s.q(`SELECT `+mdColumns+` FROM md_records WHERE tenant = ? AND kind = ? AND parent_id = ? ORDER BY id`+t.lockClause()),
		[]any{tenant, kind, parentID}, func(rows *sql.Rows) error {
			r, err := scanMD(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read %s of %d: %w", kind, parentID, err)
	}
	return out, nil
}

func (t *mdTx) Insert(ctx context.Context, tenant string, r masterdata.Row) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, t.s.q(`INSERT INTO md_records (tenant, kind, site, code, name, parent_id, disabled, version, rev, body, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		tenant, r.Kind, r.Site, r.Code, r.Name, r.ParentID, r.Disabled, r.Version, int64(r.Rev), string(r.Body), ms(r.UpdatedAt), r.UpdatedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert %s %q: %w", r.Kind, r.Code, err)
	}
	return id, t.setFilters(ctx, tenant, r.Kind, id, r.Filters)
}

func (t *mdTx) Update(ctx context.Context, tenant string, r masterdata.Row) error {
	_, err := t.tx.ExecContext(ctx, t.s.q(`UPDATE md_records SET site = ?, code = ?, name = ?, parent_id = ?, disabled = ?, version = ?, rev = ?,
		body = ?, updated_at = ?, updated_by = ? WHERE tenant = ? AND kind = ? AND id = ?`),
		r.Site, r.Code, r.Name, r.ParentID, r.Disabled, r.Version, int64(r.Rev), string(r.Body), ms(r.UpdatedAt), r.UpdatedBy, tenant, r.Kind, r.ID)
	if err != nil {
		return fmt.Errorf("update %s %d: %w", r.Kind, r.ID, err)
	}
	return t.setFilters(ctx, tenant, r.Kind, r.ID, r.Filters)
}

func (t *mdTx) setFilters(ctx context.Context, tenant, kind string, id int64, fs map[string]string) error {
	if _, err := t.tx.ExecContext(ctx, t.s.q(`DELETE FROM md_filters WHERE id = ?`), id); err != nil {
		return fmt.Errorf("filters of %d: %w", id, err)
	}
	for n, v := range fs {
		if _, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO md_filters (tenant, kind, name, value, id) VALUES (?, ?, ?, ?, ?)`),
			tenant, kind, n, v, id); err != nil {
			return fmt.Errorf("filters of %d: %w", id, err)
		}
	}
	return nil
}

func (t *mdTx) Delete(ctx context.Context, tenant, kind string, id int64) error {
	for _, q := range []string{
		`DELETE FROM md_filters WHERE id = ?`,
		`DELETE FROM md_keys WHERE owner_id = ?`,
		`DELETE FROM md_refs WHERE from_id = ?`,
	} {
		if _, err := t.tx.ExecContext(ctx, t.s.q(q), id); err != nil {
			return fmt.Errorf("delete %s %d: %w", kind, id, err)
		}
	}
	if _, err := t.tx.ExecContext(ctx, t.s.q(`DELETE FROM md_records WHERE tenant = ? AND kind = ? AND id = ?`), tenant, kind, id); err != nil {
		return fmt.Errorf("delete %s %d: %w", kind, id, err)
	}
	return nil
}

func (t *mdTx) SetKeys(ctx context.Context, tenant string, owner masterdata.Ref, keys []masterdata.Key) (*masterdata.Key, masterdata.Ref, error) {
	if _, err := t.tx.ExecContext(ctx, t.s.q(`DELETE FROM md_keys WHERE owner_id = ?`), owner.ID); err != nil {
		return nil, masterdata.Ref{}, fmt.Errorf("keys of %d: %w", owner.ID, err)
	}
	for i, k := range keys {
		var by masterdata.Ref
		err := t.tx.QueryRowContext(ctx, t.s.q(`SELECT owner_kind, owner_id FROM md_keys WHERE tenant = ? AND space = ? AND value = ?`),
			tenant, k.Space, k.Value).Scan(&by.Kind, &by.ID)
		if err == nil {
			return &keys[i], by, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, by, fmt.Errorf("key %s %q: %w", k.Space, k.Value, err)
		}
		if _, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO md_keys (tenant, space, value, owner_kind, owner_id) VALUES (?, ?, ?, ?, ?)`),
			tenant, k.Space, k.Value, owner.Kind, owner.ID); err != nil {
			return nil, by, fmt.Errorf("key %s %q: %w", k.Space, k.Value, err)
		}
	}
	return nil, masterdata.Ref{}, nil
}

func (t *mdTx) SetRefs(ctx context.Context, tenant string, from masterdata.Ref, to []masterdata.Ref) error {
	if _, err := t.tx.ExecContext(ctx, t.s.q(`DELETE FROM md_refs WHERE from_id = ?`), from.ID); err != nil {
		return fmt.Errorf("references of %d: %w", from.ID, err)
	}
	seen := map[int64]bool{}
	for _, r := range to {
		if seen[r.ID] || r.ID == from.ID {
			continue
		}
		seen[r.ID] = true
		if _, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO md_refs (tenant, from_kind, from_id, to_kind, to_id) VALUES (?, ?, ?, ?, ?)`),
			tenant, from.Kind, from.ID, r.Kind, r.ID); err != nil {
			return fmt.Errorf("references of %d: %w", from.ID, err)
		}
	}
	return nil
}

func (t *mdTx) Referrers(ctx context.Context, tenant string, to masterdata.Ref, limit int) ([]masterdata.Ref, error) {
	var out []masterdata.Ref
	err := t.s.queryRows(ctx, t.db, t.s.q(`SELECT from_kind, from_id FROM md_refs WHERE to_id = ? ORDER BY from_id LIMIT ?`),
		[]any{to.ID, limit}, func(rows *sql.Rows) error {
			var r masterdata.Ref
			if err := rows.Scan(&r.Kind, &r.ID); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("referrers of %d: %w", to.ID, err)
	}
	return out, nil
}

func (t *mdTx) NextRev(ctx context.Context, tenant string) (uint64, error) {
	if _, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO md_revisions (tenant, rev) VALUES (?, 0) ON CONFLICT (tenant) DO NOTHING`), tenant); err != nil {
		return 0, fmt.Errorf("revision: %w", err)
	}
	var rev int64
	if err := t.tx.QueryRowContext(ctx, t.s.q(`UPDATE md_revisions SET rev = rev + 1 WHERE tenant = ? RETURNING rev`), tenant).Scan(&rev); err != nil {
		return 0, fmt.Errorf("revision: %w", err)
	}
	return uint64(rev), nil
}

func (t *mdTx) PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error) {
	for i, r := range recs {
		if r.Deleted {
			recs[i].Body = nil
		}
		if err := master.Check(recs[i]); err != nil {
			return nil, fmt.Errorf("master record %s %q: %w", r.Kind, r.Key, err)
		}
	}
	return t.s.putMasterTx(ctx, t.tx, tenant, recs)
}

func (t *mdTx) AppendAudit(ctx context.Context, a auth.Audit) error {
	_, err := t.s.authTx(t.tx).AppendAudit(ctx, a)
	return err
}

// uniqueViolation reports whether err is a unique constraint's refusal
// (SQLite's message, PostgreSQL's SQLSTATE 23505).
func uniqueViolation(err error) bool {
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505")
}
