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
	"github.com/jxc-edge/jxc/syncproto"
)

var _ docs.Store = (*Store)(nil)

const docColumns = `id, type, number, status, partner, site, doc_date, version, net, tax, gross, body, updated_at, updated_by`

func scanDoc(sc interface{ Scan(...any) error }) (docs.Row, error) {
	var r docs.Row
	var body string
	var at int64
	err := sc.Scan(&r.ID, &r.Type, &r.Number, &r.Status, &r.Partner, &r.Site, &r.Date, &r.Version, &r.Net, &r.Tax, &r.Gross,
		&body, &at, &r.UpdatedBy)
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
	err := s.queryRows(ctx, db, s.q(`SELECT line, sku, qty_base FROM doc_lines WHERE doc_id = ? ORDER BY line`), []any{id},
		func(rows *sql.Rows) error {
			var l docs.LineRow
			if err := rows.Scan(&l.Line, &l.SKU, &l.QtyBase); err != nil {
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

func (s *Store) docProgress(ctx context.Context, db authDB, tenant, number string) (map[int]docs.Progress, error) {
	out := map[int]docs.Progress{}
	err := s.queryRows(ctx, db, s.q(`SELECT line, qty, moves FROM doc_progress WHERE tenant = ? AND number = ?`), []any{tenant, number},
		func(rows *sql.Rows) error {
			var line int
			var p docs.Progress
			if err := rows.Scan(&line, &p.Qty, &p.Moves); err != nil {
				return err
			}
			out[line] = p
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read progress of %s: %w", number, err)
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
		in("site", q.Sites)
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
	err := t.tx.QueryRowContext(ctx, t.s.q(`INSERT INTO docs (tenant, type, number, status, partner, site, doc_date, version, net, tax, gross,
		body, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		tenant, r.Type, r.Number, r.Status, r.Partner, r.Site, r.Date, r.Version, r.Net, r.Tax, r.Gross, string(r.Body),
		ms(r.UpdatedAt), r.UpdatedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert document %s: %w", r.Number, err)
	}
	return id, t.setLines(ctx, id, r.Lines)
}

func (t *docTx) Update(ctx context.Context, tenant string, r docs.Row) error {
	_, err := t.tx.ExecContext(ctx, t.s.q(`UPDATE docs SET status = ?, partner = ?, site = ?, doc_date = ?, version = ?, net = ?, tax = ?,
		gross = ?, body = ?, updated_at = ?, updated_by = ? WHERE tenant = ? AND id = ?`),
		r.Status, r.Partner, r.Site, r.Date, r.Version, r.Net, r.Tax, r.Gross, string(r.Body), ms(r.UpdatedAt), r.UpdatedBy, tenant, r.ID)
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
		if _, err := t.tx.ExecContext(ctx, t.s.q(`INSERT INTO doc_lines (doc_id, line, sku, qty_base) VALUES (?, ?, ?, ?)`),
			id, l.Line, l.SKU, l.QtyBase); err != nil {
			return fmt.Errorf("lines of document %d: %w", id, err)
		}
	}
	return nil
}

func (t *docTx) Progress(ctx context.Context, tenant, number string) (map[int]docs.Progress, error) {
	return t.s.docProgress(ctx, t.tx, tenant, number)
}

func (t *docTx) PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error) {
	for _, r := range recs {
		if err := master.Check(r); err != nil {
			return nil, fmt.Errorf("master record %s %q: %w", r.Kind, r.Key, err)
		}
	}
	return t.s.putMasterTx(ctx, t.tx, tenant, recs)
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
}

// ProjectProgress runs one step of the progress projection; see
// docs.Store and DESIGN.md.
func (s *Store) ProjectProgress(ctx context.Context, limit int) (docs.Projected, error) {
	var out docs.Projected
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		out = docs.Projected{}
		if err := s.lockProjection(ctx, tx); err != nil {
			return err
		}
		touched, err := s.projectStep(ctx, tx, limit, &out)
		if err != nil {
			return err
		}
		out.Changed, err = s.docStatuses(ctx, tx, touched)
		return err
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
func (s *Store) RebuildProgress(ctx context.Context) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockProjection(ctx, tx); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM doc_progress`, `DELETE FROM doc_cursors`} {
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
		sum := map[docLine]docs.Progress{}
		var out docs.Projected
		for _, p := range reps {
			for {
				n, last, err := s.readMoves(ctx, tx, p, docs.ProgressBatch, sum, &out)
				if err != nil {
					return err
				}
				if n < docs.ProgressBatch {
					break
				}
				p.after = last
			}
			if len(sum) >= rebuildFlush {
				if _, err := s.writeProgress(ctx, tx, sum); err != nil {
					return err
				}
				clear(sum)
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO doc_cursors (replica, seq) VALUES (?, ?)`), p.replica, p.watermark); err != nil {
				return fmt.Errorf("cursor of %d: %w", p.replica, err)
			}
		}
		if _, err := s.writeProgress(ctx, tx, sum); err != nil {
			return err
		}
		all := map[docKey]bool{}
		err = s.queryRows(ctx, tx, s.q(`SELECT tenant, number FROM docs WHERE status IN (?, ?, ?)`),
			[]any{docs.StatusApproved, docs.StatusPartlyReceived, docs.StatusReceived}, func(rows *sql.Rows) error {
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
		_, err = s.docStatuses(ctx, tx, all)
		return err
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

// projectStep reads at most limit movements past the cursor of each
// replica, up to its watermark, adds those naming a document line to
// doc_progress and moves the cursors. It returns the documents touched.
func (s *Store) projectStep(ctx context.Context, tx *sql.Tx, limit int, out *docs.Projected) (map[docKey]bool, error) {
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
		return nil, fmt.Errorf("read cursors: %w", err)
	}
	sum := map[docLine]docs.Progress{}
	budget := limit
	for _, p := range reps {
		if budget <= 0 {
			break
		}
		n, last, err := s.readMoves(ctx, tx, p, budget, sum, out)
		if err != nil {
			return nil, err
		}
		if n < budget { // fewer than asked: every movement up to the watermark is read
			last = p.watermark
		}
		budget -= n
		out.Replicas++
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO doc_cursors (replica, seq) VALUES (?, ?)
			ON CONFLICT (replica) DO UPDATE SET seq = excluded.seq`), p.replica, last); err != nil {
			return nil, fmt.Errorf("move cursor of %d: %w", p.replica, err)
		}
	}
	return s.writeProgress(ctx, tx, sum)
}

// readMoves reads at most limit movements of p.replica with seq in
// (p.after, p.watermark] and adds those naming a document line to sum. It
// returns how many it read and the last one's seq.
func (s *Store) readMoves(ctx context.Context, tx *sql.Tx, p pendingRep, limit int, sum map[docLine]docs.Progress, out *docs.Projected) (int, int64, error) {
	n, last := 0, p.after
	err := s.queryRows(ctx, tx, s.q(`SELECT seq, site, body FROM events WHERE replica = ? AND seq > ? AND seq <= ? AND kind = ?
		ORDER BY seq LIMIT ?`), []any{p.replica, p.after, p.watermark, int64(syncproto.KindMovement), limit},
		func(rows *sql.Rows) error {
			var seq int64
			var site string
			var body []byte
			if err := rows.Scan(&seq, &site, &body); err != nil {
				return err
			}
			n, last = n+1, seq
			e, err := syncproto.DecodeEvent(syncproto.ReplicaID(p.replica), uint64(seq), site, body)
			if err != nil {
				return nil // stored events were checked at ingest; an undecodable one names nothing
			}
			m := e.Msg.GetMovement()
			number, line, ok := syncproto.ParseDocLine(m.GetDoc())
			if !ok {
				return nil
			}
			k := docLine{docKey{p.tenant, number}, line}
			pr := sum[k]
			pr.Qty += m.GetQty()
			pr.Moves++
			sum[k] = pr
			out.Moves++
			return nil
		})
	if err != nil {
		return 0, 0, fmt.Errorf("read events of %d: %w", p.replica, err)
	}
	out.Events += n
	return n, last, nil
}

// writeProgress adds sum to doc_progress, in key order, and returns the
// documents it touched.
func (s *Store) writeProgress(ctx context.Context, tx *sql.Tx, sum map[docLine]docs.Progress) (map[docKey]bool, error) {
	keys := make([]docLine, 0, len(sum))
	for k := range sum {
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
		return a.line < b.line
	})
	touched := map[docKey]bool{}
	for rest := keys; len(rest) > 0; {
		n := min(len(rest), progressChunk)
		var b strings.Builder
		b.WriteString(`INSERT INTO doc_progress (tenant, number, line, qty, moves) VALUES `)
		args := make([]any, 0, 5*n)
		for i, k := range rest[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(?, ?, ?, ?, ?)`)
			p := sum[k]
			args = append(args, k.tenant, k.number, k.line, p.Qty, p.Moves)
			touched[k.docKey] = true
		}
		b.WriteString(` ON CONFLICT (tenant, number, line) DO UPDATE SET qty = doc_progress.qty + excluded.qty, moves = doc_progress.moves + excluded.moves`)
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return nil, fmt.Errorf("document progress: %w", err)
		}
		rest = rest[n:]
	}
	return touched, nil
}

// docStatuses derives the status of each touched document that exists
// from its lines and progress (docs.ReceiptStatus), in number order, and
// writes those that changed. The version is not bumped: progress is
// derived, not a change someone made.
func (s *Store) docStatuses(ctx context.Context, tx *sql.Tx, touched map[docKey]bool) ([]docs.Changed, error) {
	keys := make([]docKey, 0, len(touched))
	for k := range touched {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].tenant != keys[j].tenant {
			return keys[i].tenant < keys[j].tenant
		}
		return keys[i].number < keys[j].number
	})
	var out []docs.Changed
	for _, k := range keys {
		var id int64
		var status string
		err := tx.QueryRowContext(ctx, s.q(`SELECT id, status FROM docs WHERE tenant = ? AND number = ?`+s.forUpdate("docs")),
			k.tenant, k.number).Scan(&id, &status)
		if errors.Is(err, sql.ErrNoRows) {
			continue // a movement naming a document the cloud does not have (yet)
		}
		if err != nil {
			return nil, fmt.Errorf("read document %s: %w", k.number, err)
		}
		lines, err := s.docLines(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		prog, err := s.docProgress(ctx, tx, k.tenant, k.number)
		if err != nil {
			return nil, err
		}
		ordered, received := map[int]int64{}, map[int]int64{}
		for _, l := range lines {
			ordered[l.Line] += l.QtyBase
		}
		for line, p := range prog {
			received[line] = p.Qty
		}
		next := docs.ReceiptStatus(status, ordered, received)
		if next == status {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE docs SET status = ? WHERE id = ?`), next, id); err != nil {
			return nil, fmt.Errorf("status of %s: %w", k.number, err)
		}
		out = append(out, docs.Changed{Tenant: k.tenant, Number: k.number, From: status, To: next})
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
