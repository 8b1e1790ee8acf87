package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// This file holds the statements that touch many rows at once. Each has two
// forms: with array parameters (PostgreSQL) one statement carries a whole
// batch as one array per column through unnest(), so it is parsed and
// planned once and costs one round trip; without them (SQLite, in-process,
// where a round trip is a function call) one prepared statement runs per row.

// insertEvents inserts evs, consecutive seqs of b's replica, unless stored,
// and reports which of them were new. The caller holds the replica's lock.
func (s *Store) insertEvents(ctx context.Context, tx *sql.Tx, b *syncproto.Batch, evs []syncproto.Event) ([]bool, error) {
	isNew := make([]bool, len(evs))
	if len(evs) == 0 {
		return isNew, nil
	}
	n := len(evs)
	seq, hlc, kind, qty := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	bin, sku, lot := make([]string, n), make([]string, n), make([]string, n)
	body := make([][]byte, n)
	for i := range evs {
		e := &evs[i]
		seq[i], hlc[i], kind[i] = int64(e.Seq), int64(e.HLC), int64(e.Kind())
		switch m := e.Msg.GetBody().(type) {
		case *pb.Event_Movement:
			bin[i], sku[i], lot[i], qty[i] = m.Movement.GetBin(), m.Movement.GetSku(), m.Movement.GetLot(), m.Movement.GetQty()
		case *pb.Event_Count:
			bin[i], sku[i], lot[i], qty[i] = m.Count.GetBin(), m.Count.GetSku(), m.Count.GetLot(), m.Count.GetCounted()
		}
		body[i] = e.Raw
		if body[i] == nil {
			body[i] = []byte{}
		}
	}
	rep := int64(b.Replica)

	if s.d.Arrays {
		first := evs[0].Seq
		err := s.queryRows(ctx, tx, s.q(`INSERT INTO events (replica, seq, hlc, kind, tenant, site, bin, sku, lot, qty, body)
			SELECT ?, v.seq, v.hlc, v.kind, ?, ?, v.bin, v.sku, v.lot, v.qty, v.body
			FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bytea[])
				AS v(seq, hlc, kind, bin, sku, lot, qty, body)
			ON CONFLICT (replica, seq) DO NOTHING RETURNING seq`),
			[]any{rep, b.Tenant, b.Site, seq, hlc, kind, bin, sku, lot, qty, body}, func(rows *sql.Rows) error {
				var got int64
				if err := rows.Scan(&got); err != nil {
					return err
				}
				i := uint64(got) - first
				if uint64(got) < first || i >= uint64(n) {
					return fmt.Errorf("database returned seq %d outside %d..%d", got, first, first+uint64(n)-1)
				}
				isNew[i] = true
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("insert events: %w", err)
		}
		return isNew, nil
	}

	err := s.eachRow(ctx, tx, `INSERT INTO events (replica, seq, hlc, kind, tenant, site, bin, sku, lot, qty, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (replica, seq) DO NOTHING`, n, func(i int) []any {
		return []any{rep, seq[i], hlc[i], kind[i], b.Tenant, b.Site, bin[i], sku[i], lot[i], qty[i], body[i]}
	}, func(i int, affected int64) error {
		isNew[i] = affected == 1
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("insert events: %w", err)
	}
	return isNew, nil
}

// insertOnHand inserts rows into on_hand, which must not have their keys.
func (s *Store) insertOnHand(ctx context.Context, tx *sql.Tx, rows []onHandRow) error {
	if len(rows) == 0 {
		return nil
	}
	c := columns(rows)
	if s.d.Arrays {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO on_hand (tenant, site, bin, sku, lot, qty, count_replica, count_seq, counts)
			SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bytea[])`),
			c.tenant, c.site, c.bin, c.sku, c.lot, c.qty, c.cr, c.cs, c.counts)
		if err != nil {
			return fmt.Errorf("insert on-hand rows: %w", err)
		}
		return nil
	}
	err := s.eachRow(ctx, tx, `INSERT INTO on_hand (tenant, site, bin, sku, lot, qty, count_replica, count_seq, counts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(rows), func(i int) []any {
		return []any{c.tenant[i], c.site[i], c.bin[i], c.sku[i], c.lot[i], c.qty[i], c.cr[i], c.cs[i], nullBytes(c.counts[i])}
	}, nil)
	if err != nil {
		return fmt.Errorf("insert on-hand rows: %w", err)
	}
	return nil
}

// lockOnHand makes the on-hand rows of keys (sorted, distinct) exist, locks
// them one by one in key order and returns their state, in one statement:
// an upsert whose conflict branch is a no-op update (which locks the row as
// SELECT … FOR UPDATE would, and RETURNING gives the latest committed
// version once the lock is ours). Being driven by the primary key, row by
// row, its cost does not depend on planner estimates; see DESIGN.md.
func (s *Store) lockOnHand(ctx context.Context, tx *sql.Tx, tenant, site string, keys []binKey) (map[binKey]keyState, error) {
	states := make(map[binKey]keyState, len(keys))
	scan := func(rows *sql.Rows) error {
		var k binKey
		var st keyState
		var r, seq int64
		if err := rows.Scan(&k.bin, &k.sku, &k.lot, &st.qty, &r, &seq, &st.counts); err != nil {
			return err
		}
		st.win = eventID{syncproto.ReplicaID(r), uint64(seq)}
		states[k] = st
		return nil
	}
	const upsert = ` ON CONFLICT (tenant, site, bin, sku, lot) DO UPDATE SET qty = on_hand.qty
		RETURNING bin, sku, lot, qty, count_replica, count_seq, counts`
	if s.d.Arrays {
		bin, sku, lot := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			bin[i], sku[i], lot[i] = k.bin, k.sku, k.lot
		}
		err := s.queryRows(ctx, tx, s.q(`INSERT INTO on_hand (tenant, site, bin, sku, lot, qty, count_replica, count_seq)
			SELECT ?, ?, v.bin, v.sku, v.lot, 0, 0, 0
			FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS v(bin, sku, lot, n)
			ORDER BY v.n`+upsert), []any{tenant, site, bin, sku, lot}, scan)
		if err != nil {
			return nil, fmt.Errorf("lock on-hand rows: %w", err)
		}
	} else {
		stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO on_hand (tenant, site, bin, sku, lot, qty, count_replica, count_seq)
			VALUES (?, ?, ?, ?, ?, 0, 0, 0)`+upsert))
		if err != nil {
			return nil, fmt.Errorf("lock on-hand rows: %w", err)
		}
		defer stmt.Close()
		for _, k := range keys {
			if err := s.queryRows(ctx, stmtQuerier{stmt}, "", []any{tenant, site, k.bin, k.sku, k.lot}, scan); err != nil {
				return nil, fmt.Errorf("lock on-hand rows: %w", err)
			}
		}
	}
	for _, k := range keys {
		if _, ok := states[k]; !ok {
			return nil, fmt.Errorf("lock on-hand rows: row %s/%s/%s/%s/%s missing", tenant, site, k.bin, k.sku, k.lot)
		}
	}
	return states, nil
}

// stmtQuerier runs a prepared statement as a querier; the query text is
// ignored.
type stmtQuerier struct{ stmt *sql.Stmt }

func (q stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return q.stmt.QueryContext(ctx, args...)
}

// updateOnHand writes the state of rows (of tenant and site, keys distinct),
// whose rows the caller has locked: each key once. With arrays it is an
// upsert that always takes its conflict branch: a bulk update driven by the
// primary key, with no join for the planner to misjudge.
func (s *Store) updateOnHand(ctx context.Context, tx *sql.Tx, tenant, site string, rows []onHandRow) error {
	if len(rows) == 0 {
		return nil
	}
	c := columns(rows)
	var affected int64
	if s.d.Arrays {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO on_hand (tenant, site, bin, sku, lot, qty, count_replica, count_seq, counts)
			SELECT ?, ?, v.bin, v.sku, v.lot, v.qty, v.cr, v.cs, v.counts
			FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bytea[])
				AS v(bin, sku, lot, qty, cr, cs, counts)
			ON CONFLICT (tenant, site, bin, sku, lot) DO UPDATE
			SET qty = excluded.qty, count_replica = excluded.count_replica, count_seq = excluded.count_seq,
				counts = COALESCE(excluded.counts, on_hand.counts)`),
			tenant, site, c.bin, c.sku, c.lot, c.qty, c.cr, c.cs, c.counts)
		if err != nil {
			return fmt.Errorf("update on-hand: %w", err)
		}
		if affected, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("update on-hand: %w", err)
		}
	} else {
		err := s.eachRow(ctx, tx, `UPDATE on_hand SET qty = ?, count_replica = ?, count_seq = ?, counts = COALESCE(?, counts)
			WHERE tenant = ? AND site = ? AND bin = ? AND sku = ? AND lot = ?`, len(rows), func(i int) []any {
			return []any{c.qty[i], c.cr[i], c.cs[i], nullBytes(c.counts[i]), tenant, site, c.bin[i], c.sku[i], c.lot[i]}
		}, func(_ int, n int64) error {
			affected += n
			return nil
		})
		if err != nil {
			return fmt.Errorf("update on-hand: %w", err)
		}
	}
	if affected != int64(len(rows)) {
		return fmt.Errorf("update on-hand: %d rows updated, want %d", affected, len(rows))
	}
	return nil
}

// onHandColumns are on-hand rows as one slice per column.
type onHandColumns struct {
	tenant, site, bin, sku, lot []string
	qty, cr, cs                 []int64
	counts                      [][]byte // nil elements: NULL
}

func columns(rows []onHandRow) onHandColumns {
	n := len(rows)
	c := onHandColumns{
		tenant: make([]string, n), site: make([]string, n), bin: make([]string, n), sku: make([]string, n), lot: make([]string, n),
		qty: make([]int64, n), cr: make([]int64, n), cs: make([]int64, n), counts: make([][]byte, n),
	}
	for i, r := range rows {
		c.tenant[i], c.site[i], c.bin[i], c.sku[i], c.lot[i] = r.tenant, r.site, r.k.bin, r.k.sku, r.k.lot
		c.qty[i], c.cr[i], c.cs[i], c.counts[i] = r.st.qty, int64(r.st.win.replica), int64(r.st.win.seq), r.st.counts
	}
	return c
}

// eachRow prepares query once and runs it n times with args(i), passing
// each run's affected row count to done (when not nil).
func (s *Store) eachRow(ctx context.Context, tx *sql.Tx, query string, n int, args func(i int) []any, done func(i int, affected int64) error) (err error) {
	stmt, err := tx.PrepareContext(ctx, s.q(query))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stmt.Close()) }()
	for i := range n {
		res, err := stmt.ExecContext(ctx, args(i)...)
		if err != nil {
			return err
		}
		if done != nil {
			affected, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if err := done(i, affected); err != nil {
				return err
			}
		}
	}
	return nil
}

// nullBytes binds a nil byte slice as NULL, not as an empty blob.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
