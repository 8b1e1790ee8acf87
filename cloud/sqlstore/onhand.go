package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jxc-edge/jxc/syncproto"
)

// binKey is an on-hand key inside one tenant and site (a batch's events all
// share those). Keys are sorted by (bin, sku, lot) byte-wise, the order the
// schema's collation gives, and rows are locked in that order.
type binKey struct{ bin, sku, lot string }

func compareKeys(a, b binKey) int {
	return cmp.Or(cmp.Compare(a.bin, b.bin), cmp.Compare(a.sku, b.sku), cmp.Compare(a.lot, b.lot))
}

// eventID names an event; the zero value names none.
type eventID struct {
	replica syncproto.ReplicaID
	seq     uint64
}

func idOf(e *syncproto.Event) eventID {
	if e == nil {
		return eventID{}
	}
	return eventID{e.Replica, e.Seq}
}

// keyState is a key's on-hand row.
type keyState struct {
	qty int64
	win eventID // the winning count
	// counts is the key's merged count state (syncproto.CountState
	// encoded); nil when the key has no count, or for a row written before
	// the column existed. In updates, nil leaves the stored state as it is.
	counts []byte
}

// move is a movement as on-hand needs it.
type move struct {
	id  eventID
	qty int64
}

// foldKey is syncproto.OnHandAll for one key: the winning count's quantity
// counted (0 without one) plus the movements its context ctx had not seen,
// summed exactly; an error wrapping syncproto.ErrOverflow if that is beyond
// int64.
func foldKey(counted int64, ctx syncproto.VV, moves []move) (int64, error) {
	var sum syncproto.QtySum
	sum.Add(counted)
	for _, m := range moves {
		if !ctx.Contains(m.id.replica, m.id.seq) {
			sum.Add(m.qty)
		}
	}
	return sum.Int64()
}

// keyWork is what a batch's new events do to one key.
type keyWork struct {
	moves  []*syncproto.Event
	counts []*syncproto.Event
}

// applyOnHand updates on-hand for events that were just inserted (of one
// tenant and site), following DESIGN.md §3 exactly as syncproto.OnHandAll:
// a movement adds its qty unless the key's winning count has it in its
// context; a count is merged into the key's count state (in time
// proportional to its context), and if the winner changed the key is
// recomputed from its events. Counts left concurrent are recorded in
// count_conflicts.
func (s *Store) applyOnHand(ctx context.Context, tx *sql.Tx, tenant, site string, inserted []syncproto.Event) error {
	work := make(map[binKey]*keyWork)
	for i := range inserted {
		e := &inserted[i]
		k, ok := e.KeyOf()
		if !ok {
			continue
		}
		bk := binKey{k.Bin, k.SKU, k.Lot}
		w := work[bk]
		if w == nil {
			w = new(keyWork)
			work[bk] = w
		}
		if e.Kind() == syncproto.KindCount {
			w.counts = append(w.counts, e)
		} else {
			w.moves = append(w.moves, e)
		}
	}
	if len(work) == 0 {
		return nil
	}
	keys := make([]binKey, 0, len(work))
	for k := range work {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)

	// Lock the keys' rows in key order, making them exist.
	states, err := s.lockOnHand(ctx, tx, tenant, site, keys)
	if err != nil {
		return err
	}
	var updates []onHandRow
	for _, k := range keys {
		w, st := work[k], states[k]
		var vv syncproto.VV
		switch {
		case len(w.counts) > 0:
			cs, err := s.countState(ctx, tx, tenant, site, k, st, w.counts)
			if err != nil {
				return err
			}
			for _, c := range w.counts {
				cs.Add(syncproto.RefOf(c), syncproto.VVFromPB(c.Msg.GetCount().GetCtx()))
			}
			blob, err := cs.MarshalBinary()
			if err != nil {
				return fmt.Errorf("encode counts: %w", err)
			}
			if len(cs.Live) > 1 {
				if err := s.recordConflicts(ctx, tx, tenant, site, k, cs.Live, w.counts); err != nil {
					return err
				}
			}
			wr, _ := cs.Winner()
			win := eventID{wr.Replica, wr.Seq}
			if vv, err = s.winnerContext(ctx, tx, site, win, w.counts); err != nil {
				return err
			}
			if win != st.win {
				moves, err := s.keyMoves(ctx, tx, tenant, site, k)
				if err != nil {
					return err
				}
				q, err := foldKey(wr.Counted, vv, moves)
				if err != nil {
					return fmt.Errorf("key %s/%s/%s/%s/%s: %w", tenant, site, k.bin, k.sku, k.lot, err)
				}
				updates = append(updates, onHandRow{tenant, site, k, keyState{q, win, blob}})
				continue
			}
			st.counts = blob
		case st.win != eventID{}:
			if vv, err = s.countContext(ctx, tx, site, st.win); err != nil {
				return err
			}
		}
		sum := syncproto.QtySum{}
		sum.Add(st.qty)
		changed := false
		for _, m := range w.moves {
			if !vv.Contains(m.Replica, m.Seq) {
				sum.Add(m.Msg.GetMovement().GetQty())
				changed = true
			}
		}
		q, err := sum.Int64()
		if err != nil {
			return fmt.Errorf("key %s/%s/%s/%s/%s: %w", tenant, site, k.bin, k.sku, k.lot, err)
		}
		if len(w.counts) == 0 {
			st.counts = nil // unchanged: not written back
		}
		if (changed && q != st.qty) || len(w.counts) > 0 {
			updates = append(updates, onHandRow{tenant, site, k, keyState{q, st.win, st.counts}})
		}
	}
	return s.updateOnHand(ctx, tx, tenant, site, updates)
}

// keyCounts returns every stored count of a key, decoded.
func (s *Store) keyCounts(ctx context.Context, tx *sql.Tx, tenant, site string, k binKey) ([]syncproto.Event, error) {
	var out []syncproto.Event
	err := s.queryRows(ctx, tx, s.q(`SELECT replica, seq, body FROM events
		WHERE tenant = ? AND site = ? AND bin = ? AND sku = ? AND lot = ? AND kind = ?`),
		[]any{tenant, site, k.bin, k.sku, k.lot, int64(syncproto.KindCount)}, func(rows *sql.Rows) error {
			var r, seq int64
			var body []byte
			if err := rows.Scan(&r, &seq, &body); err != nil {
				return err
			}
			e, err := syncproto.DecodeEvent(syncproto.ReplicaID(r), uint64(seq), site, body)
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read counts: %w", err)
	}
	return out, nil
}

// keyMoves returns every stored movement of a key.
func (s *Store) keyMoves(ctx context.Context, tx *sql.Tx, tenant, site string, k binKey) ([]move, error) {
	var out []move
	err := s.queryRows(ctx, tx, s.q(`SELECT replica, seq, qty FROM events
		WHERE tenant = ? AND site = ? AND bin = ? AND sku = ? AND lot = ? AND kind = ?`),
		[]any{tenant, site, k.bin, k.sku, k.lot, int64(syncproto.KindMovement)}, func(rows *sql.Rows) error {
			var r, seq, qty int64
			if err := rows.Scan(&r, &seq, &qty); err != nil {
				return err
			}
			out = append(out, move{eventID{syncproto.ReplicaID(r), uint64(seq)}, qty})
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read movements: %w", err)
	}
	return out, nil
}

// countContext returns the context of a stored count.
func (s *Store) countContext(ctx context.Context, tx *sql.Tx, site string, id eventID) (syncproto.VV, error) {
	var body []byte
	err := tx.QueryRowContext(ctx, s.q(`SELECT body FROM events WHERE replica = ? AND seq = ?`),
		int64(id.replica), int64(id.seq)).Scan(&body)
	if err != nil {
		return nil, fmt.Errorf("read winning count %s/%d: %w", id.replica, id.seq, err)
	}
	e, err := syncproto.DecodeEvent(id.replica, id.seq, site, body)
	if err != nil {
		return nil, fmt.Errorf("read winning count: %w", err)
	}
	return e.CountContext(), nil
}

// querier is what *sql.Tx and *sql.DB have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// errStopRows, returned by a queryRows callback, ends the rows early
// without an error.
var errStopRows = errors.New("stop reading rows")

// queryRows runs query and calls fn for each row.
func (s *Store) queryRows(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) (err error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	for rows.Next() {
		if err := fn(rows); err != nil {
			if errors.Is(err, errStopRows) {
				return nil
			}
			return err
		}
	}
	return rows.Err()
}

// RebuildOnHand recomputes the on-hand table (with each key's count state)
// and the EPC locations from the stored events, in one transaction; counts
// found concurrent are added to count_conflicts (kept history, never
// deleted). On PostgreSQL it locks on_hand against writers first (readers
// go on seeing the old rows), so batches applied meanwhile wait and then
// apply their events on top of the rebuilt rows.
func (s *Store) RebuildOnHand(ctx context.Context) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if s.d.RowLocks {
			if _, err := tx.ExecContext(ctx, `LOCK TABLE on_hand IN EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("lock on_hand: %w", err)
			}
		}
		rows, conflicts, err := s.foldAll(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM on_hand`); err != nil {
			return fmt.Errorf("clear on_hand: %w", err)
		}
		if err := s.insertOnHand(ctx, tx, rows); err != nil {
			return err
		}
		for _, c := range conflicts {
			var evs []*syncproto.Event
			for i := range c.counts {
				evs = append(evs, &c.counts[i])
			}
			if err := s.recordConflicts(ctx, tx, c.tenant, c.site, c.k, c.live, evs); err != nil {
				return err
			}
		}
		return s.rebuildEPCs(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("rebuild on-hand: %w", err)
	}
	return nil
}

type onHandRow struct {
	tenant, site string
	k            binKey
	st           keyState
}

// foldAll computes every key's on-hand from the events in one pass over
// them, ordered by key and, within a key, counts before movements, so only
// one key's counts are held at a time.
func (s *Store) foldAll(ctx context.Context, tx *sql.Tx) ([]onHandRow, []keyConflicts, error) {
	var out []onHandRow
	var counts []syncproto.Event
	var conflicts []keyConflicts
	var vv syncproto.VV      // the current key's winning count's context
	var sum syncproto.QtySum // the current key's on-hand, exact
	decided := false
	// finish sets the current key's quantity from sum.
	finish := func() error {
		if len(out) == 0 {
			return nil
		}
		cur := &out[len(out)-1]
		q, err := sum.Int64()
		if err != nil {
			return fmt.Errorf("key %s/%s/%s/%s/%s: %w", cur.tenant, cur.site, cur.k.bin, cur.k.sku, cur.k.lot, err)
		}
		cur.st.qty, sum = q, syncproto.QtySum{}
		return nil
	}
	// decide picks the current key's winner once its counts are all read.
	decide := func() {
		if decided || len(out) == 0 {
			return
		}
		decided, vv = true, nil
		if len(counts) > 0 {
			cs, w := syncproto.FoldCounts(counts)
			cur := &out[len(out)-1]
			blob, err := cs.MarshalBinary()
			if err != nil {
				panic(err) // MarshalBinary never fails
			}
			cur.st.win, cur.st.counts = idOf(w), blob
			sum.Add(w.Msg.GetCount().GetCounted())
			vv = w.CountContext()
			if len(cs.Live) > 1 {
				conflicts = append(conflicts, keyConflicts{cur.tenant, cur.site, cur.k, slices.Clone(counts), cs.Live})
			}
		}
	}
	err := s.queryRows(ctx, tx, `SELECT tenant, site, bin, sku, lot, kind, replica, seq, qty,
			CASE WHEN kind = 2 THEN body ELSE NULL END
		FROM events WHERE kind IN (1, 2)
		ORDER BY tenant, site, bin, sku, lot, kind DESC`, nil, func(rows *sql.Rows) error {
		var r onHandRow
		var kind, rep, seq, qty int64
		var body []byte
		if err := rows.Scan(&r.tenant, &r.site, &r.k.bin, &r.k.sku, &r.k.lot, &kind, &rep, &seq, &qty, &body); err != nil {
			return err
		}
		if n := len(out); n == 0 || out[n-1].tenant != r.tenant || out[n-1].site != r.site || out[n-1].k != r.k {
			decide()
			if err := finish(); err != nil {
				return err
			}
			out = append(out, r)
			counts, decided = counts[:0], false
		}
		id := eventID{syncproto.ReplicaID(rep), uint64(seq)}
		switch syncproto.Kind(kind) {
		case syncproto.KindCount:
			if decided {
				return fmt.Errorf("count %s/%d read after the movements of its key", id.replica, id.seq)
			}
			e, err := syncproto.DecodeEvent(id.replica, id.seq, r.site, body)
			if err != nil {
				return err
			}
			counts = append(counts, e)
		case syncproto.KindMovement:
			decide()
			if !vv.Contains(id.replica, id.seq) {
				sum.Add(qty)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("read events: %w", err)
	}
	decide()
	if err := finish(); err != nil {
		return nil, nil, err
	}
	return out, conflicts, nil
}
