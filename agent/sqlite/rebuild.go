package sqlite

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"

	"github.com/jxc-edge/jxc/syncproto"
)

// runRebuild runs a rebuild request in a transaction of its own and answers
// it. The key cache is dropped either way: the stock table may have changed
// under it.
func (w *writer) runRebuild(r *request) {
	ctx := r.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	err := w.rebuild(ctx)
	w.keys = make(map[stockKey]*keyState)
	w.clearScratch()
	r.done <- result{err: err}
}

// rebuild recomputes on-hand from the events alone. Pass 1 decodes every
// stored body, checks the columns derived from it (hlc, kind, key_id, qty)
// and collects each key's counts; their merged state and winner are
// decided by folding them into a syncproto.CountState. Pass 2 sums each key's movements that its winner
// had not seen (from the qty column, checked in pass 1). Rows that differ
// are replaced; rows of keys without events are deleted.
func (w *writer) rebuild(ctx context.Context) (err error) {
	tx, err := w.conn.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	if err := w.recomputeStock(ctx, true); err != nil {
		return err
	}
	if err := w.recomputeDocs(ctx, true); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// recomputeStock is the body of rebuild, run in the caller's transaction.
// With warn, a row that differs is logged as a bug of the incremental path;
// a fork changes on-hand on purpose and passes false.
func (w *writer) recomputeStock(ctx context.Context, warn bool) error {
	l := w.l

	type row struct {
		key    stockKey
		qty    int64
		counts []byte
	}
	stock := make(map[int64]row)
	ids := make(map[stockKey]int64)
	err := w.queryCtx(ctx, `SELECT id, bin, sku, lot, qty, counts FROM stock`, func(v []driver.Value) error {
		k := stockKey{v[1].(string), v[2].(string), v[3].(string)}
		r := row{key: k, qty: v[4].(int64)}
		if v[5] != nil {
			r.counts = slices.Clone(v[5].([]byte))
		}
		stock[v[0].(int64)] = r
		ids[k] = v[0].(int64)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read stock: %w", err)
	}

	counts := make(map[int64][]syncproto.Event)
	n := 0
	err = w.queryCtx(ctx, `SELECT replica, seq, hlc, kind, key_id, qty, body FROM events`, func(v []driver.Value) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		e, err := syncproto.DecodeEvent(syncproto.ReplicaID(v[0].(int64)), uint64(v[1].(int64)), l.site, v[6].([]byte))
		if err != nil {
			return err
		}
		if int64(e.HLC) != v[2].(int64) || int64(e.Kind()) != v[3].(int64) {
			return fmt.Errorf("event %s/%d: stored hlc or kind differs from its body", e.Replica, e.Seq)
		}
		k, ok := e.KeyOf()
		if !ok {
			if v[4] != nil {
				return fmt.Errorf("event %s/%d: a %s has key_id %v", e.Replica, e.Seq, e.Kind(), v[4])
			}
			return nil
		}
		id, ok := ids[stockKey{k.Bin, k.SKU, k.Lot}]
		if !ok || v[4] != id {
			return fmt.Errorf("event %s/%d: key_id %v does not name its key %s", e.Replica, e.Seq, v[4], k)
		}
		var qty int64
		if e.Kind() == syncproto.KindCount {
			qty = e.Msg.GetCount().GetCounted()
			counts[id] = append(counts[id], e)
		} else {
			qty = e.Msg.GetMovement().GetQty()
		}
		if v[5].(int64) != qty {
			return fmt.Errorf("event %s/%d: stored qty %d differs from its body's %d", e.Replica, e.Seq, v[5], qty)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan events: %w", err)
	}

	winners := make(map[int64]*winner, len(counts))
	states := make(map[int64][]byte, len(counts))
	sums := make(map[int64]*syncproto.QtySum, len(stock))
	for id, cs := range counts {
		st, win := mergeCounts(cs)
		if states[id], err = st.MarshalBinary(); err != nil {
			return fmt.Errorf("encode counts of key %d: %w", id, err)
		}
		winners[id] = win
		sums[id] = new(syncproto.QtySum)
		sums[id].Add(win.counted)
	}
	err = w.queryCtx(ctx, `SELECT key_id, replica, seq, qty FROM events WHERE key_id IS NOT NULL AND kind = 1`, func(v []driver.Value) error {
		id := v[0].(int64)
		sum := sums[id]
		if sum == nil {
			sum = new(syncproto.QtySum)
			sums[id] = sum
		}
		if win := winners[id]; win == nil || !win.ctx.Contains(syncproto.ReplicaID(v[1].(int64)), uint64(v[2].(int64))) {
			sum.Add(v[3].(int64))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sum movements: %w", err)
	}
	want := make(map[int64]int64, len(sums))
	for id, sum := range sums {
		q, err := sum.Int64()
		if err != nil {
			r := stock[id]
			return fmt.Errorf("key %s/%s/%s: %w", r.key.bin, r.key.sku, r.key.lot, err)
		}
		want[id] = q
	}

	changed := 0
	for id, r := range stock {
		q, ok := want[id]
		switch {
		case !ok:
			if _, err := w.conn.(driver.ExecerContext).ExecContext(ctx, `DELETE FROM stock WHERE id = ?`,
				[]driver.NamedValue{{Ordinal: 1, Value: id}}); err != nil {
				return fmt.Errorf("delete stock row: %w", err)
			}
			changed++
		case q != r.qty || !bytes.Equal(states[id], r.counts):
			if _, err := w.exec(w.updCounts, q, states[id], id); err != nil {
				return fmt.Errorf("update stock: %w", err)
			}
			if warn && q != r.qty {
				l.log.Warn("rebuild corrected on-hand", "bin", r.key.bin, "sku", r.key.sku, "lot", r.key.lot,
					"had", r.qty, "rebuilt", q)
			}
			changed++
		}
	}
	l.log.Info("rebuild done", "events", n, "keys", len(want), "changed", changed)
	return nil
}

// queryCtx runs an unprepared query on the write connection and calls fn
// for each row.
func (w *writer) queryCtx(ctx context.Context, q string, fn func([]driver.Value) error) error {
	rows, err := w.conn.QueryContext(ctx, q, nil)
	if err != nil {
		return err
	}
	return scanRows(rows, fn)
}

// mergeCounts folds a key's counts (at least one) into their merged state
// and returns it with the winner.
func mergeCounts(counts []syncproto.Event) (*syncproto.CountState, *winner) {
	st, w := syncproto.FoldCounts(counts)
	return st, &winner{replica: w.Replica, seq: w.Seq, counted: w.Msg.GetCount().GetCounted(), ctx: w.CountContext()}
}
