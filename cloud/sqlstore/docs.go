package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

var _ docs.Store = (*Store)(nil)

const docColumns = `id, type, number, status, partner, site, to_site, ref, external_id, edge_id, doc_date, version, net, tax, gross,
	body, updated_at, updated_by`

func scanDoc(sc interface{ Scan(...any) error }) (docs.Row, error) {
	var r docs.Row
	var body string
	var at int64
	err := sc.Scan(&r.ID, &r.Type, &r.Number, &r.Status, &r.Partner, &r.Site, &r.ToSite, &r.Ref, &r.ExternalID, &r.EdgeID, &r.Date,
		&r.Version, &r.Net, &r.Tax, &r.Gross, &body, &at, &r.UpdatedBy)
	r.Body, r.UpdatedAt = []byte(body), fromMS(at)
	return r, err
}

func docNotFound(id int64) error {
	return &docs.Error{Err: docs.ErrNotFound, Msg: fmt.Sprintf("no document with id %d", id), MsgZH: fmt.Sprintf("单据（id %d）不存在", id)}
}

// docGet reads a document and its lines on db, locking the document's row
// when lock is set.
func (s *Store) docGet(ctx context.Context, db authDB, lock bool, tenant, typ string, id int64) (docs.Row, error) {
	q := `SELECT ` + docColumns + ` FROM docs WHERE tenant = ? AND type = ? AND id = ?`
	if lock {
		q += s.forUpdate("docs")
	}
	r, err := scanDoc(db.QueryRowContext(ctx, s.q(q), tenant, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, docNotFound(id)
	}
	if err != nil {
		return r, fmt.Errorf("read document %d: %w", id, err)
	}
	r.Lines, err = s.docLines(ctx, db, r.ID)
	return r, err
}

func (s *Store) docLines(ctx context.Context, db authDB, id int64) ([]docs.LineRow, error) {
	var out []docs.LineRow
	err := s.queryRows(ctx, db, s.q(`SELECT line, sku, qty_base, ref_line FROM doc_lines WHERE doc_id = ? ORDER BY line`), []any{id},
		func(rows *sql.Rows) error {
			var l docs.LineRow
			if err := rows.Scan(&l.Line, &l.SKU, &l.QtyBase, &l.RefLine); err != nil {
				return err
			}
			out = append(out, l)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read lines of document %d: %w", id, err)
	}
	return out, nil
}

// docProgress reads the progress of the lines of number (a document's
// number or edge id) recorded at the document's sites (its site and a
// transfer's destination; any site when the cloud has no such document),
// attributes what named the number alone to the first line of each SKU
// (docs.Attribute), and puts what other sites recorded naming it under
// docs.ElsewhereLine.
func (s *Store) docProgress(ctx context.Context, db authDB, tenant, number string) (map[int]docs.Progress, error) {
	var site, toSite string
	var known bool
	err := db.QueryRowContext(ctx, s.q(`SELECT site, to_site FROM docs WHERE tenant = ? AND (number = ? OR edge_id = ?)`),
		tenant, number, number).Scan(&site, &toSite)
	switch {
	case err == nil:
		known = true
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("read the sites of %s: %w", number, err)
	}
	here := func(at string) bool { return !known || at == site || (toSite != "" && at == toSite) }
	add := func(a, b docs.Progress) docs.Progress {
		return docs.Progress{In: a.In + b.In, Out: a.Out + b.Out, Moves: a.Moves + b.Moves}
	}
	out := map[int]docs.Progress{}
	err = s.queryRows(ctx, db, s.q(`SELECT line, site, qty_in, qty_out, moves FROM doc_progress WHERE tenant = ? AND number = ?`),
		[]any{tenant, number}, func(rows *sql.Rows) error {
			var line int
			var at string
			var p docs.Progress
			if err := rows.Scan(&line, &at, &p.In, &p.Out, &p.Moves); err != nil {
				return err
			}
			if !here(at) {
				line = docs.ElsewhereLine
			}
			out[line] = add(out[line], p)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read progress of %s: %w", number, err)
	}
	unlinked := map[string]docs.Progress{}
	err = s.queryRows(ctx, db, s.q(`SELECT sku, site, qty_in, qty_out, moves FROM doc_unlinked WHERE tenant = ? AND number = ?`),
		[]any{tenant, number}, func(rows *sql.Rows) error {
			var sku, at string
			var p docs.Progress
			if err := rows.Scan(&sku, &at, &p.In, &p.Out, &p.Moves); err != nil {
				return err
			}
			if !here(at) {
				out[docs.ElsewhereLine] = add(out[docs.ElsewhereLine], p)
				return nil
			}
			unlinked[sku] = add(unlinked[sku], p)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read unlinked progress of %s: %w", number, err)
	}
	if len(unlinked) == 0 {
		return out, nil
	}
	var lines []docs.LineRow
	err = s.queryRows(ctx, db, s.q(`SELECT l.line, l.sku, l.qty_base, l.ref_line FROM doc_lines l JOIN docs d ON d.id = l.doc_id
		WHERE d.tenant = ? AND d.number = ? ORDER BY l.line`), []any{tenant, number}, func(rows *sql.Rows) error {
		var l docs.LineRow
		if err := rows.Scan(&l.Line, &l.SKU, &l.QtyBase, &l.RefLine); err != nil {
			return err
		}
		lines = append(lines, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read lines of %s: %w", number, err)
	}
	return docs.Attribute(out, lines, unlinked), nil
}

// docChildDone sums, by line of number, the done quantities of the lines
// of the documents made from it (not void) that name a line of it.
func (s *Store) docChildDone(ctx context.Context, db authDB, tenant, number string) (map[int]int64, error) {
	type child struct {
		typ, number, edge string
		id                int64
	}
	var kids []child
	err := s.queryRows(ctx, db, s.q(`SELECT id, type, number, edge_id FROM docs WHERE tenant = ? AND ref = ? AND status <> ?`),
		[]any{tenant, number, docs.StatusVoid}, func(rows *sql.Rows) error {
			var c child
			if err := rows.Scan(&c.id, &c.typ, &c.number, &c.edge); err != nil {
				return err
			}
			kids = append(kids, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read documents made from %s: %w", number, err)
	}
	out := map[int]int64{}
	for _, c := range kids {
		t := docs.TypeOf(c.typ)
		if t == nil || t.Measure == docs.MeasureNone || t.Measure == docs.MeasureChildren {
			continue
		}
		key := c.number
		if c.edge != "" {
			key = c.edge
		}
		lines, err := s.docLines(ctx, db, c.id)
		if err != nil {
			return nil, err
		}
		prog, err := s.docProgress(ctx, db, tenant, key)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l.RefLine > 0 {
				out[l.RefLine] += t.Measure.Done(prog[l.Line])
			}
		}
	}
	return out, nil
}

// docLinks lists the documents made from number and the one named ref.
func (s *Store) docLinks(ctx context.Context, db authDB, tenant, number, ref string) ([]docs.Link, error) {
	var out []docs.Link
	q := `SELECT id, type, number, status, doc_date, CASE WHEN ref = ? THEN 'to' ELSE 'from' END FROM docs
		WHERE tenant = ? AND (ref = ? OR number = ?) ORDER BY number`
	err := s.queryRows(ctx, db, s.q(q), []any{number, tenant, number, ref}, func(rows *sql.Rows) error {
		var l docs.Link
		if err := rows.Scan(&l.ID, &l.Type, &l.Number, &l.Status, &l.Date, &l.Dir); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read links of %s: %w", number, err)
	}
	return out, nil
}

// DocChildDone: see docs.Store.
func (s *Store) DocChildDone(ctx context.Context, tenant, number string) (map[int]int64, error) {
	out, err := s.docChildDone(ctx, s.read, tenant, number)
	if err != nil {
		return nil, s.classify(err)
	}
	return out, nil
}

// DocLinks: see docs.Store.
func (s *Store) DocLinks(ctx context.Context, tenant, number, ref string) ([]docs.Link, error) {
	out, err := s.docLinks(ctx, s.read, tenant, number, ref)
	if err != nil {
		return nil, s.classify(err)
	}
	return out, nil
}

// DocGet returns a document with its lines.
func (s *Store) DocGet(ctx context.Context, tenant, typ string, id int64) (docs.Row, error) {
	r, err := s.docGet(ctx, s.read, false, tenant, typ, id)
	if err != nil {
		var de *docs.Error
		if errors.As(err, &de) {
			return r, err
		}
		return r, s.classify(err)
	}
	return r, nil
}

// DocProgress returns the progress of a document's lines.
func (s *Store) DocProgress(ctx context.Context, tenant, number string) (map[int]docs.Progress, error) {
	p, err := s.docProgress(ctx, s.read, tenant, number)
	if err != nil {
		return nil, s.classify(err)
	}
	return p, nil
}

// DocList returns a page of documents, newest number first.
func (s *Store) DocList(ctx context.Context, tenant string, q docs.Query) ([]docs.Row, int, error) {
	where := []string{`tenant = ?`, `type = ?`}
	args := []any{tenant, q.Type}
	in := func(col string, vs []string) {
		if len(vs) == 0 {
			where = append(where, `1 = 0`)
			return
		}
		where = append(where, col+` IN (?`+strings.Repeat(`, ?`, len(vs)-1)+`)`)
		for _, v := range vs {
			args = append(args, v)
		}
	}
	if q.Q != "" {
		where = append(where, `lower(number) LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(q.Q))
	}
	if q.Statuses != nil {
		in("status", q.Statuses)
	}
	if q.Sites != nil {
		// A transfer is its destination's too.
		n := len(where)
		in("site", q.Sites)
		if len(q.Sites) > 0 {
			in("to_site", q.Sites)
			where = append(where[:n], `(`+where[n]+` OR `+where[n+1]+`)`)
		}
	}
	if q.Ref != "" {
		where = append(where, `ref = ?`)
		args = append(args, q.Ref)
	}
	if q.Partner != "" {
		where = append(where, `partner = ?`)
		args = append(args, q.Partner)
	}
	if q.DateFrom != "" {
		where = append(where, `doc_date >= ?`)
		args = append(args, q.DateFrom)
	}
	if q.DateTo != "" {
		where = append(where, `doc_date <= ?`)
		args = append(args, q.DateTo)
	}
	cond := strings.Join(where, ` AND `)
	var total int
	if err := s.read.QueryRowContext(ctx, s.q(`SELECT count(*) FROM docs WHERE `+cond), args...).Scan(&total); err != nil {
		return nil, 0, s.classify(fmt.Errorf("count documents: %w", err))
	}
	var out []docs.Row
	err := s.queryRows(ctx, s.read, s.q(`SELECT `+docColumns+` FROM docs WHERE `+cond+` ORDER BY number DESC LIMIT ? OFFSET ?`),
		append(args, q.Limit, q.Offset), func(rows *sql.Rows) error {
			r, err := scanDoc(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, 0, s.classify(fmt.Errorf("list documents: %w", err))
	}
	return out, total, nil
}

// DocTx runs fn in one write transaction.
func (s *Store) DocTx(ctx context.Context, fn func(docs.Tx) error) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return fn(&docTx{s: s, tx: tx})
	})
	return s.domainTxErr(err, &docs.Error{Err: docs.ErrStale, Msg: "another change took the same number at the same time: try again",
		MsgZH: "另一项修改同时使用了相同的单据编号，请重试"})
}

type docTx struct {
	s  *Store
	tx *sql.Tx
	// put are the master records this transaction put, by tenant.
	put map[string][]master.Record
}

func (t *docTx) Get(ctx context.Context, tenant, typ string, id int64) (docs.Row, error) {
	return t.s.docGet(ctx, t.tx, true, tenant, typ, id)
}

// MasterByCode reads without locking: a document refers to master data
// by code, and keeps what it read (names, factors) in its own body.
func (t *docTx) MasterByCode(ctx context.Context, tenant, kind, code string) (masterdata.Row, bool, error) {
	return mdReader{s: t.s, db: t.tx}.byCode(ctx, tenant, kind, "", code)
}

func (t *docTx) MasterGet(ctx context.Context, tenant, kind string, id int64) (masterdata.Row, error) {
	return mdReader{s: t.s, db: t.tx}.get(ctx, tenant, kind, id)
}

// NextNumber bumps the counter row of (tenant, prefix, day): the row lock,
// held to the commit, orders concurrent creates, so no two get one number.
func (t *docTx) NextNumber(ctx context.Context, tenant, prefix, day string) (int, error) {
	if _, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO doc_counters (tenant, prefix, day, last) VALUES (?, ?, ?, 0)
		ON CONFLICT (tenant, prefix, day) DO NOTHING`), tenant, prefix, day); err != nil {
		return 0, fmt.Errorf("number counter: %w", err)
	}
	var n int
	if err := t.tx.QueryRowContext(ctx, t.s.q(`UPDATE doc_counters SET last = last + 1 WHERE tenant = ? AND prefix = ? AND day = ? RETURNING last`),
		tenant, prefix, day).Scan(&n); err != nil {
		return 0, fmt.Errorf("number counter: %w", err)
	}
	return n, nil
}

func (t *docTx) Insert(ctx context.Context, tenant string, r docs.Row) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, t.s.q(`INSERT INTO docs (tenant, type, number, status, partner, site, to_site, ref, external_id,
		edge_id, doc_date, version, net, tax, gross, body, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		tenant, r.Type, r.Number, r.Status, r.Partner, r.Site, r.ToSite, r.Ref, r.ExternalID, r.EdgeID, r.Date, r.Version, r.Net,
		r.Tax, r.Gross, string(r.Body), ms(r.UpdatedAt), r.UpdatedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert document %s: %w", r.Number, err)
	}
	return id, t.setLines(ctx, id, r.Lines)
}

func (t *docTx) Update(ctx context.Context, tenant string, r docs.Row) error {
	_, err := t.tx.ExecContext(ctx, t.s.q(`UPDATE docs SET status = ?, partner = ?, site = ?, to_site = ?, ref = ?, doc_date = ?,
		version = ?, net = ?, tax = ?, gross = ?, body = ?, updated_at = ?, updated_by = ? WHERE tenant = ? AND id = ?`),
		r.Status, r.Partner, r.Site, r.ToSite, r.Ref, r.Date, r.Version, r.Net, r.Tax, r.Gross, string(r.Body), ms(r.UpdatedAt),
		r.UpdatedBy, tenant, r.ID)
	if err != nil {
		return fmt.Errorf("update document %d: %w", r.ID, err)
	}
	return t.setLines(ctx, r.ID, r.Lines)
}

func (t *docTx) setLines(ctx context.Context, id int64, lines []docs.LineRow) error {
	if _, err := t.tx.ExecContext(ctx, t.s.q(`DELETE FROM doc_lines WHERE doc_id = ?`), id); err != nil {
		return fmt.Errorf("lines of document %d: %w", id, err)
	}
	for _, l := range lines {
		if _, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO doc_lines (doc_id, line, sku, qty_base, ref_line) VALUES (?, ?, ?, ?, ?)`),
			id, l.Line, l.SKU, l.QtyBase, l.RefLine); err != nil {
			return fmt.Errorf("lines of document %d: %w", id, err)
		}
	}
	return nil
}

func (t *docTx) Progress(ctx context.Context, tenant, number string) (map[int]docs.Progress, error) {
	return t.s.docProgress(ctx, t.tx, tenant, number)
}

// byWhere reads the one document matching cond, with its lines.
func (t *docTx) byWhere(ctx context.Context, cond string, args ...any) (docs.Row, bool, error) {
	r, err := scanDoc(t.tx.QueryRowContext(ctx, t.s.q(`SELECT `+docColumns+` FROM docs WHERE `+cond), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read document: %w", err)
	}
	r.Lines, err = t.s.docLines(ctx, t.tx, r.ID)
	return r, err == nil, err
}

func (t *docTx) ByNumber(ctx context.Context, tenant, number string) (docs.Row, bool, error) {
	return t.byWhere(ctx, `tenant = ? AND number = ?`, tenant, number)
}

func (t *docTx) ByExternalID(ctx context.Context, tenant, typ, externalID string) (docs.Row, bool, error) {
	return t.byWhere(ctx, `tenant = ? AND type = ? AND external_id = ?`, tenant, typ, externalID)
}

func (t *docTx) ByEdgeID(ctx context.Context, tenant, edgeID string) (docs.Row, bool, error) {
	return t.byWhere(ctx, `tenant = ? AND edge_id = ?`, tenant, edgeID)
}

func (t *docTx) Children(ctx context.Context, tenant, number string) ([]docs.Link, error) {
	links, err := t.s.docLinks(ctx, t.tx, tenant, number, "")
	var out []docs.Link
	for _, l := range links {
		if l.Dir == "to" && l.Status != docs.StatusVoid {
			out = append(out, l)
		}
	}
	return out, err
}

func (t *docTx) PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error) {
	for _, r := range recs {
		if err := master.Check(r); err != nil {
			return nil, fmt.Errorf("master record %s %q: %w", r.Kind, r.Key, err)
		}
	}
	put, err := t.s.putMasterTx(ctx, t.tx, tenant, recs)
	if err == nil {
		if t.put == nil {
			t.put = map[string][]master.Record{}
		}
		t.put[tenant] = append(t.put[tenant], put...)
	}
	return put, err
}

func (t *docTx) AppendAudit(ctx context.Context, a auth.Audit) error {
	_, err := t.s.authTx(t.tx).AppendAudit(ctx, a)
	return err
}

// progressChunk is how many lines one multi-row upsert of doc_progress
// writes (5 parameters each). The keys of one statement are distinct.
const progressChunk = 200

// docKey is a document of a tenant, docLine one of its lines.
type docKey struct{ tenant, number string }

type docLine struct {
	docKey
	line int
	site string
}

// docSKU is what named a document by number alone, by SKU (and the site
// that recorded it).
type docSKU struct {
	docKey
	sku, site string
}

// projection is what a step or a rebuild has read and not yet written.
type projection struct {
	lines    map[docLine]docs.Progress
	unlinked map[docSKU]docs.Progress
	edge     []docs.EdgeEvent
	// feed are the (site, SKU) keys whose on-hand the events changed
	// (the stock feed).
	feed map[feedKey]bool
}

// feedKey is a SKU at a site of a tenant.
type feedKey struct{ tenant, site, sku string }

func newProjection() *projection {
	return &projection{lines: map[docLine]docs.Progress{}, unlinked: map[docSKU]docs.Progress{}, feed: map[feedKey]bool{}}
}

// markFeed marks in the stock feed the keys of feed and the sales orders
// of the touched pick lists; it runs last in the projection's
// transaction (markStock's lock order).
func (s *Store) markFeed(ctx context.Context, tx *sql.Tx, feed map[feedKey]bool, touched map[docKey]bool) error {
	keys := map[string][]docs.StockKey{}
	for k := range feed {
		keys[k.tenant] = append(keys[k.tenant], docs.StockKey{Site: k.site, SKU: k.sku})
	}
	if err := s.feedOfTouched(ctx, tx, touched, keys); err != nil {
		return err
	}
	return s.markStock(ctx, tx, keys)
}

func (p *projection) size() int { return len(p.lines) + len(p.unlinked) + len(p.edge) }

// ProjectProgress runs one step of the progress projection; see
// docs.Store and DESIGN.md.
func (s *Store) ProjectProgress(ctx context.Context, limit int, edge docs.EdgeFunc) (docs.Projected, error) {
	var out docs.Projected
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		out = docs.Projected{}
		if err := s.lockProjection(ctx, tx); err != nil {
			return err
		}
		touched, feed, err := s.projectStep(ctx, tx, limit, edge, &out)
		if err != nil {
			return err
		}
		if out.Changed, err = s.docStatuses(ctx, tx, touched); err != nil {
			return err
		}
		return s.markFeed(ctx, tx, feed, touched)
	})
	if err != nil {
		return docs.Projected{}, s.classify(fmt.Errorf("project document progress: %w", err))
	}
	return out, nil
}

// RebuildProgress deletes the progress and cursors and projects the whole
// log again in one transaction, then derives every open document's
// status again. Sums are kept in memory and written once per line (up to
// rebuildFlush lines at a time): updating a row many times in one
// transaction makes PostgreSQL walk ever longer chains of its versions.
// Documents made from edge documents stay (edge skips those it made).
func (s *Store) RebuildProgress(ctx context.Context, edge docs.EdgeFunc) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockProjection(ctx, tx); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM doc_progress`, `DELETE FROM doc_unlinked`, `DELETE FROM doc_cursors`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		var reps []pendingRep
		err := s.queryRows(ctx, tx, s.q(`SELECT replica, tenant, watermark FROM replicas WHERE watermark > 0 ORDER BY replica`),
			nil, func(rows *sql.Rows) error {
				var p pendingRep
				if err := rows.Scan(&p.replica, &p.tenant, &p.watermark); err != nil {
					return err
				}
				reps = append(reps, p)
				return nil
			})
		if err != nil {
			return fmt.Errorf("read replicas: %w", err)
		}
		pr := newProjection()
		feed := map[feedKey]bool{}
		var out docs.Projected
		for _, p := range reps {
			for {
				n, last, err := s.readEvents(ctx, tx, p, docs.ProgressBatch, pr, &out)
				if err != nil {
					return err
				}
				if n < docs.ProgressBatch {
					break
				}
				p.after = last
			}
			if pr.size() >= rebuildFlush {
				maps.Copy(feed, pr.feed)
				if _, err := s.writeProgress(ctx, tx, pr, edge, &out); err != nil {
					return err
				}
				pr = newProjection()
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO doc_cursors (replica, seq) VALUES (?, ?)`), p.replica, p.watermark); err != nil {
				return fmt.Errorf("cursor of %d: %w", p.replica, err)
			}
		}
		maps.Copy(feed, pr.feed)
		if _, err := s.writeProgress(ctx, tx, pr, edge, &out); err != nil {
			return err
		}
		all := map[docKey]bool{}
		err = s.queryRows(ctx, tx, s.q(`SELECT tenant, number FROM docs WHERE status IN (?, ?, ?)`),
			[]any{docs.StatusApproved, docs.StatusPartlyDone, docs.StatusDone}, func(rows *sql.Rows) error {
				var k docKey
				if err := rows.Scan(&k.tenant, &k.number); err != nil {
					return err
				}
				all[k] = true
				return nil
			})
		if err != nil {
			return err
		}
		if _, err = s.docStatuses(ctx, tx, all); err != nil {
			return err
		}
		return s.markFeed(ctx, tx, feed, all)
	})
	if err != nil {
		return s.classify(fmt.Errorf("rebuild document progress: %w", err))
	}
	return nil
}

// rebuildFlush bounds the lines a rebuild sums in memory before writing.
const rebuildFlush = 100_000

// lockProjection takes the projection's one row: steps of several
// processes run one at a time (SQLite's one writer does the same).
func (s *Store) lockProjection(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE doc_projection SET steps = steps + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("lock projection: %w", err)
	}
	return nil
}

// pendingRep is a replica whose watermark is above the projection's
// cursor (after).
type pendingRep struct {
	replica          int64
	tenant           string
	watermark, after int64
}

// projectStep reads at most limit events past the cursor of each
// replica, up to its watermark, adds the movements and counts naming a
// document to doc_progress (doc_unlinked), hands the document events to
// edge and moves the cursors. It returns the documents touched.
func (s *Store) projectStep(ctx context.Context, tx *sql.Tx, limit int, edge docs.EdgeFunc, out *docs.Projected) (map[docKey]bool, map[feedKey]bool, error) {
	var reps []pendingRep
	err := s.queryRows(ctx, tx, s.q(`SELECT r.replica, r.tenant, r.watermark, COALESCE(c.seq, 0) FROM replicas r
		LEFT JOIN doc_cursors c ON c.replica = r.replica WHERE r.watermark > COALESCE(c.seq, 0) ORDER BY r.replica LIMIT 1000`),
		nil, func(rows *sql.Rows) error {
			var p pendingRep
			if err := rows.Scan(&p.replica, &p.tenant, &p.watermark, &p.after); err != nil {
				return err
			}
			reps = append(reps, p)
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("read cursors: %w", err)
	}
	pr := newProjection()
	budget := limit
	for _, p := range reps {
		if budget <= 0 {
			break
		}
		n, last, err := s.readEvents(ctx, tx, p, budget, pr, out)
		if err != nil {
			return nil, nil, err
		}
		if n < budget { // fewer than asked: every event up to the watermark is read
			last = p.watermark
		}
		budget -= n
		out.Replicas++
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO doc_cursors (replica, seq) VALUES (?, ?)
			ON CONFLICT (replica) DO UPDATE SET seq = excluded.seq`), p.replica, last); err != nil {
			return nil, nil, fmt.Errorf("move cursor of %d: %w", p.replica, err)
		}
	}
	touched, err := s.writeProgress(ctx, tx, pr, edge, out)
	return touched, pr.feed, err
}

// readEvents reads at most limit events of p.replica with seq in
// (p.after, p.watermark] and adds what names a document to pr. It returns
// how many it read and the last one's seq.
func (s *Store) readEvents(ctx context.Context, tx *sql.Tx, p pendingRep, limit int, pr *projection, out *docs.Projected) (int, int64, error) {
	n, last := 0, p.after
	err := s.queryRows(ctx, tx, s.q(`SELECT seq, kind, site, hlc, body FROM events WHERE replica = ? AND seq > ? AND seq <= ?
		ORDER BY seq LIMIT ?`), []any{p.replica, p.after, p.watermark, limit},
		func(rows *sql.Rows) error {
			var seq, kind, hlc int64
			var site string
			var body []byte
			if err := rows.Scan(&seq, &kind, &site, &hlc, &body); err != nil {
				return err
			}
			n, last = n+1, seq
			switch syncproto.Kind(kind) {
			case syncproto.KindMovement, syncproto.KindCount, syncproto.KindDoc:
			default:
				return nil
			}
			e, err := syncproto.DecodeEvent(syncproto.ReplicaID(p.replica), uint64(seq), site, body)
			if err != nil {
				return nil // stored events were checked at ingest; an undecodable one names nothing
			}
			if d := e.Msg.GetDoc(); d != nil {
				pr.edge = append(pr.edge, docs.EdgeEvent{Tenant: p.tenant, Site: site, Replica: syncproto.ReplicaID(p.replica),
					Seq: uint64(seq), HLC: syncproto.HLC(hlc), Doc: d})
				return nil
			}
			if c := e.Msg.GetCount(); c != nil {
				pr.feed[feedKey{p.tenant, site, c.GetSku()}] = true
				if c.GetDoc() != "" {
					k := docLine{docKey{p.tenant, c.GetDoc()}, 0, site}
					v := pr.lines[k]
					v.Moves++
					pr.lines[k] = v
				}
				return nil
			}
			m := e.Msg.GetMovement()
			pr.feed[feedKey{p.tenant, site, m.GetSku()}] = true
			q := m.GetQty()
			add := func(v docs.Progress) docs.Progress {
				if q >= 0 {
					v.In += q
				} else {
					v.Out -= q
				}
				v.Moves++
				return v
			}
			if number, line, ok := syncproto.ParseDocLine(m.GetDoc()); ok {
				k := docLine{docKey{p.tenant, number}, line, site}
				pr.lines[k] = add(pr.lines[k])
				out.Moves++
			} else if docs.LooksLikeNumber(m.GetDoc()) {
				k := docSKU{docKey{p.tenant, m.GetDoc()}, m.GetSku(), site}
				pr.unlinked[k] = add(pr.unlinked[k])
				out.Moves++
			}
			return nil
		})
	if err != nil {
		return 0, 0, fmt.Errorf("read events of %d: %w", p.replica, err)
	}
	out.Events += n
	return n, last, nil
}

// writeProgress adds pr's sums to doc_progress and doc_unlinked, in key
// order, hands its edge documents to edge, and returns the documents it
// touched.
func (s *Store) writeProgress(ctx context.Context, tx *sql.Tx, pr *projection, edge docs.EdgeFunc, out *docs.Projected) (map[docKey]bool, error) {
	touched := map[docKey]bool{}
	keys := make([]docLine, 0, len(pr.lines))
	for k := range pr.lines {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.tenant != b.tenant {
			return a.tenant < b.tenant
		}
		if a.number != b.number {
			return a.number < b.number
		}
		if a.line != b.line {
			return a.line < b.line
		}
		return a.site < b.site
	})
	for rest := keys; len(rest) > 0; {
		n := min(len(rest), progressChunk)
		var b strings.Builder
		b.WriteString(`INSERT INTO doc_progress (tenant, number, line, site, qty_in, qty_out, moves) VALUES `)
		args := make([]any, 0, 7*n)
		for i, k := range rest[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(?, ?, ?, ?, ?, ?, ?)`)
			p := pr.lines[k]
			args = append(args, k.tenant, k.number, k.line, k.site, p.In, p.Out, p.Moves)
			touched[k.docKey] = true
		}
		b.WriteString(` ON CONFLICT (tenant, number, line, site) DO UPDATE SET qty_in = doc_progress.qty_in + excluded.qty_in,
			qty_out = doc_progress.qty_out + excluded.qty_out, moves = doc_progress.moves + excluded.moves`)
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return nil, fmt.Errorf("document progress: %w", err)
		}
		rest = rest[n:]
	}
	skus := make([]docSKU, 0, len(pr.unlinked))
	for k := range pr.unlinked {
		skus = append(skus, k)
	}
	sort.Slice(skus, func(i, j int) bool {
		a, b := skus[i], skus[j]
		if a.tenant != b.tenant {
			return a.tenant < b.tenant
		}
		if a.number != b.number {
			return a.number < b.number
		}
		if a.sku != b.sku {
			return a.sku < b.sku
		}
		return a.site < b.site
	})
	for _, k := range skus {
		p := pr.unlinked[k]
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO doc_unlinked (tenant, number, sku, site, qty_in, qty_out, moves) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, number, sku, site) DO UPDATE SET qty_in = doc_unlinked.qty_in + excluded.qty_in,
			qty_out = doc_unlinked.qty_out + excluded.qty_out, moves = doc_unlinked.moves + excluded.moves`),
			k.tenant, k.number, k.sku, k.site, p.In, p.Out, p.Moves); err != nil {
			return nil, fmt.Errorf("unlinked document progress: %w", err)
		}
		touched[k.docKey] = true
	}
	if edge != nil {
		dt := &docTx{s: s, tx: tx}
		for _, e := range pr.edge {
			numbers, err := edge(ctx, dt, e)
			var refused *docs.EdgeRefusal
			if errors.As(err, &refused) {
				out.Refused = append(out.Refused, refused.Error())
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, n := range numbers {
				touched[docKey{e.Tenant, n}] = true
			}
			if len(numbers) > 0 && e.Doc.GetStatus() == syncproto.EdgeDone {
				out.Made = append(out.Made, numbers[0])
			}
		}
		for tenant, recs := range dt.put {
			if out.Published == nil {
				out.Published = map[string][]master.Record{}
			}
			out.Published[tenant] = append(out.Published[tenant], recs...)
		}
	}
	return touched, nil
}

// docStatuses derives the status of each touched document that exists,
// and of the documents they were made from, from their lines and
// progress (docs.DeriveStatus under the type's Measure), in number order,
// and writes those that changed. The version is not bumped: progress is
// derived, not a change someone made.
func (s *Store) docStatuses(ctx context.Context, tx *sql.Tx, touched map[docKey]bool) ([]docs.Changed, error) {
	keys := make([]docKey, 0, len(touched))
	for k := range touched {
		keys = append(keys, k)
	}
	var out []docs.Changed
	seen := map[docKey]bool{}
	for len(keys) > 0 {
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].tenant != keys[j].tenant {
				return keys[i].tenant < keys[j].tenant
			}
			return keys[i].number < keys[j].number
		})
		var parents []docKey
		for _, k := range keys {
			if seen[k] {
				continue
			}
			seen[k] = true
			var id int64
			var typ, status, ref, edgeID string
			err := tx.QueryRowContext(ctx, s.q(`SELECT id, type, status, ref, edge_id FROM docs WHERE tenant = ? AND (number = ? OR edge_id = ?)`+
				s.forUpdate("docs")), k.tenant, k.number, k.number).Scan(&id, &typ, &status, &ref, &edgeID)
			if errors.Is(err, sql.ErrNoRows) {
				continue // work naming a document the cloud does not have (yet)
			}
			if err != nil {
				return nil, fmt.Errorf("read document %s: %w", k.number, err)
			}
			if ref != "" {
				parents = append(parents, docKey{k.tenant, ref})
			}
			t := docs.TypeOf(typ)
			if t == nil || t.Measure == docs.MeasureNone || edgeID != "" && t.Name != docs.TypeTransfer {
				continue
			}
			if t.Measure == docs.MeasureTransfer && status == docs.StatusDone {
				continue // its destination ended the in leg, short or not
			}
			lines, err := s.docLines(ctx, tx, id)
			if err != nil {
				return nil, err
			}
			var done map[int]int64
			if t.Measure == docs.MeasureChildren {
				if done, err = s.docChildDone(ctx, tx, k.tenant, k.number); err != nil {
					return nil, err
				}
			} else {
				key := k.number
				if edgeID != "" {
					key = edgeID
				}
				prog, err := s.docProgress(ctx, tx, k.tenant, key)
				if err != nil {
					return nil, err
				}
				done = map[int]int64{}
				for line, p := range prog {
					done[line] = t.Measure.Done(p)
				}
			}
			ordered := map[int]int64{}
			for _, l := range lines {
				ordered[l.Line] += l.QtyBase
			}
			next := docs.DeriveStatus(status, ordered, done)
			if next == status {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE docs SET status = ? WHERE id = ?`), next, id); err != nil {
				return nil, fmt.Errorf("status of %s: %w", k.number, err)
			}
			out = append(out, docs.Changed{Tenant: k.tenant, Number: k.number, From: status, To: next})
		}
		keys = parents
	}
	return out, nil
}

// RawMovementSum returns how many movements are stored and the sum of
// their quantities in one SQL aggregate: the baseline the progress
// projection's benchmark compares with.
func (s *Store) RawMovementSum(ctx context.Context) (n, qty int64, err error) {
	err = s.read.QueryRowContext(ctx, s.q(`SELECT count(*), COALESCE(sum(qty), 0) FROM events WHERE kind = ?`),
		int64(syncproto.KindMovement)).Scan(&n, &qty)
	return n, qty, err
}
