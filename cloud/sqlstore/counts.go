package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// countState returns the merged count state of a locked key before the
// batch's new counts (batch, already inserted): decoded from its row, or,
// for a row written before the counts column existed (counts NULL but a
// winner set), folded once from the key's stored counts.
func (s *Store) countState(ctx context.Context, tx *sql.Tx, tenant, site string, k binKey, st keyState, batch []*syncproto.Event) (*syncproto.CountState, error) {
	cs := new(syncproto.CountState)
	switch {
	case st.counts != nil:
		if err := cs.UnmarshalBinary(st.counts); err != nil {
			return nil, fmt.Errorf("counts of %s/%s/%s/%s/%s: %w", tenant, site, k.bin, k.sku, k.lot, err)
		}
	case st.win != eventID{}:
		counts, err := s.keyCounts(ctx, tx, tenant, site, k)
		if err != nil {
			return nil, err
		}
		for i := range counts {
			c := &counts[i]
			if slices.ContainsFunc(batch, func(b *syncproto.Event) bool { return b.Replica == c.Replica && b.Seq == c.Seq }) {
				continue
			}
			cs.Add(syncproto.RefOf(c), syncproto.VVFromPB(c.Msg.GetCount().GetCtx()))
		}
	}
	return cs, nil
}

// winnerContext returns the effective context of the winning count win:
// from the batch's new counts when it is one of them, else read from its
// stored body.
func (s *Store) winnerContext(ctx context.Context, tx *sql.Tx, site string, win eventID, batch []*syncproto.Event) (syncproto.VV, error) {
	for _, c := range batch {
		if c.Replica == win.replica && c.Seq == win.seq {
			return c.CountContext(), nil
		}
	}
	return s.countContext(ctx, tx, site, win)
}

// keyConflicts are the live counts of one key when more than one is live.
type keyConflicts struct {
	tenant, site string
	k            binKey
	counts       []syncproto.Event // the key's counts, or at least the live ones
	live         []syncproto.CountRef
}

// recordConflicts adds the live counts of a key with more than one live
// count to count_conflicts; counts already recorded are left as they are.
// known are decoded counts that may include live ones (the batch's); the
// others are read from their stored bodies for their operator and device.
// The caller holds the key's on-hand row lock, so no other transaction
// writes the key's conflicts meanwhile.
func (s *Store) recordConflicts(ctx context.Context, tx *sql.Tx, tenant, site string, k binKey, live []syncproto.CountRef, known []*syncproto.Event) error {
	now := s.now().UnixMilli()
	for _, c := range live {
		var op, dev string
		found := false
		for _, e := range known {
			if e.Replica == c.Replica && e.Seq == c.Seq {
				op, dev, found = e.Msg.GetCount().GetOperator(), e.Msg.GetCount().GetDevice(), true
				break
			}
		}
		if !found {
			e, err := s.storedEvent(ctx, tx, site, eventID{c.Replica, c.Seq})
			if err != nil {
				return err
			}
			op, dev = e.Msg.GetCount().GetOperator(), e.Msg.GetCount().GetDevice()
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO count_conflicts
			(tenant, site, bin, sku, lot, replica, seq, hlc, counted, operator, device, detected)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, site, bin, sku, lot, replica, seq) DO NOTHING`),
			tenant, site, k.bin, k.sku, k.lot, int64(c.Replica), int64(c.Seq), int64(c.HLC), c.Counted, op, dev, now)
		if err != nil {
			return fmt.Errorf("record count conflict: %w", err)
		}
	}
	return nil
}

// storedEvent reads and decodes one stored event.
func (s *Store) storedEvent(ctx context.Context, tx *sql.Tx, site string, id eventID) (syncproto.Event, error) {
	var body []byte
	err := tx.QueryRowContext(ctx, s.q(`SELECT body FROM events WHERE replica = ? AND seq = ?`),
		int64(id.replica), int64(id.seq)).Scan(&body)
	if err != nil {
		return syncproto.Event{}, fmt.Errorf("read event %s/%d: %w", id.replica, id.seq, err)
	}
	e, err := syncproto.DecodeEvent(id.replica, id.seq, site, body)
	if err != nil {
		return syncproto.Event{}, fmt.Errorf("read event %s/%d: %w", id.replica, id.seq, err)
	}
	return e, nil
}

// CountConflicts returns the keys that have had concurrent counts, with
// every count observed in conflict, filtered by f and sorted by tenant,
// site, bin, sku, lot. A key's conflict is open while more than one of its
// counts is live (no later count saw them all); a recount that saw them
// closes it. Winner names the count on-hand follows now.
func (s *Store) CountConflicts(ctx context.Context, f cloud.ConflictFilter) ([]cloud.CountConflict, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{{"c.tenant", f.Tenant}, {"c.site", f.Site}, {"c.bin", f.Bin}, {"c.sku", f.SKU}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	query := `SELECT c.tenant, c.site, c.bin, c.sku, c.lot, c.replica, c.seq, c.hlc, c.counted, c.operator, c.device,
			c.detected, h.qty, h.counts
		FROM count_conflicts c JOIN on_hand h
			ON h.tenant = c.tenant AND h.site = c.site AND h.bin = c.bin AND h.sku = c.sku AND h.lot = c.lot`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY c.tenant, c.site, c.bin, c.sku, c.lot, c.hlc, c.replica, c.seq`
	var out []cloud.CountConflict
	var state syncproto.CountState
	err := s.queryRows(ctx, s.read, s.q(query), args, func(rows *sql.Rows) error {
		var k cloud.CountConflict
		var o cloud.CountObservation
		var rep, seq, hlc, detected int64
		var counts []byte
		if err := rows.Scan(&k.Tenant, &k.Site, &k.Bin, &k.SKU, &k.Lot, &rep, &seq, &hlc, &o.Counted, &o.Operator, &o.Device,
			&detected, &k.OnHand, &counts); err != nil {
			return err
		}
		o.Replica, o.Seq, o.HLC = syncproto.ReplicaID(rep).String(), uint64(seq), syncproto.HLC(hlc)
		o.At, o.Detected = o.HLC.Time(), time.UnixMilli(detected).UTC()
		n := len(out)
		if n == 0 || out[n-1].Tenant != k.Tenant || out[n-1].Site != k.Site || out[n-1].Bin != k.Bin ||
			out[n-1].SKU != k.SKU || out[n-1].Lot != k.Lot {
			state = syncproto.CountState{}
			if err := state.UnmarshalBinary(counts); err != nil {
				return fmt.Errorf("counts of %s/%s/%s/%s/%s: %w", k.Tenant, k.Site, k.Bin, k.SKU, k.Lot, err)
			}
			w, _ := state.Winner()
			k.Winner = cloud.CountID{Replica: w.Replica.String(), Seq: w.Seq}
			k.Open = len(state.Live) > 1
			out = append(out, k)
			n++
		}
		for _, l := range state.Live {
			if l.Is(syncproto.ReplicaID(rep), uint64(seq)) {
				o.Live = true
			}
		}
		cur := &out[n-1]
		cur.Observations = append(cur.Observations, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count conflicts: %w", err)
	}
	if f.Open {
		out = slices.DeleteFunc(out, func(c cloud.CountConflict) bool { return !c.Open })
	}
	return out, nil
}
