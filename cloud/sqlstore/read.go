package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// EventsAfter returns the stored events of replica with seq > after, in seq
// order, at most limit of them, stopping at the first gap. Each event's Raw
// is its body exactly as it was received. A zero replica or a limit below 1
// gives cloud.ErrInvalid.
func (s *Store) EventsAfter(ctx context.Context, replica syncproto.ReplicaID, after uint64, limit int) ([]syncproto.Event, error) {
	if replica == 0 || limit < 1 {
		return nil, fmt.Errorf("events after: %w: replica %s, limit %d", cloud.ErrInvalid, replica, limit)
	}
	if after >= math.MaxInt64-1 {
		return nil, nil // no stored seq is that high
	}
	var out []syncproto.Event
	next := after + 1
	err := s.queryRows(ctx, s.read, s.q(`SELECT seq, site, body FROM events WHERE replica = ? AND seq > ? ORDER BY seq LIMIT ?`),
		[]any{int64(replica), int64(after), int64(limit)}, func(rows *sql.Rows) error {
			var seq int64
			var site string
			var body []byte
			if err := rows.Scan(&seq, &site, &body); err != nil {
				return err
			}
			if uint64(seq) != next {
				return errStopRows // a gap
			}
			e, err := syncproto.DecodeEvent(replica, uint64(seq), site, body)
			if err != nil {
				return err
			}
			out = append(out, e)
			next++
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("events after %s/%d: %w", replica, after, err)
	}
	return out, nil
}

// Replicas returns every replica, sorted by tenant, site and replica ID.
// When site is given, only the replicas of tenant and site are returned
// (tenant may be empty: batches may name none); when only tenant is given,
// those of the tenant.
func (s *Store) Replicas(ctx context.Context, tenant, site string) ([]cloud.ReplicaInfo, error) {
	query := `SELECT replica, tenant, site, watermark, max_seq, first_seen, last_seen, conflict_seq FROM replicas`
	var args []any
	switch {
	case site != "":
		query += ` WHERE tenant = ? AND site = ?`
		args = append(args, tenant, site)
	case tenant != "":
		query += ` WHERE tenant = ?`
		args = append(args, tenant)
	}
	var out []cloud.ReplicaInfo
	err := s.queryRows(ctx, s.read, s.q(query), args, func(rows *sql.Rows) error {
		var r cloud.ReplicaInfo
		var id, wm, maxSeq, first, last, conflict int64
		if err := rows.Scan(&id, &r.Tenant, &r.Site, &wm, &maxSeq, &first, &last, &conflict); err != nil {
			return err
		}
		r.Replica = syncproto.ReplicaID(id)
		r.ID = r.Replica.String()
		r.Watermark, r.MaxSeq, r.ConflictSeq = uint64(wm), uint64(maxSeq), uint64(conflict)
		r.FirstSeen, r.LastSeen = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC()
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replicas: %w", err)
	}
	// Sorted here: the IDs are stored as signed integers, which SQL would
	// order differently from the unsigned IDs.
	slices.SortFunc(out, func(a, b cloud.ReplicaInfo) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.Site, b.Site), cmp.Compare(a.Replica, b.Replica))
	})
	return out, nil
}

// Stock returns the on-hand rows that match f, sorted by tenant, site, bin,
// sku and lot. Every key that has a movement or a count has a row, also when
// its quantity is zero.
func (s *Store) Stock(ctx context.Context, f cloud.StockFilter) ([]cloud.StockRow, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{{"tenant", f.Tenant}, {"site", f.Site}, {"bin", f.Bin}, {"sku", f.SKU}} {
		if c.val != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	query := `SELECT tenant, site, bin, sku, lot, qty FROM on_hand`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY tenant, site, bin, sku, lot`
	var out []cloud.StockRow
	err := s.queryRows(ctx, s.read, s.q(query), args, func(rows *sql.Rows) error {
		var r cloud.StockRow
		if err := rows.Scan(&r.Tenant, &r.Site, &r.Bin, &r.SKU, &r.Lot, &r.Qty); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	return out, nil
}
