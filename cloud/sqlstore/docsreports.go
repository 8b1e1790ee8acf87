package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

var _ docs.ReportStore = (*Store)(nil)

// reportReader reads for the business calculations (cloud/docs
// reports.go) on the read pool.
type reportReader struct{ s *Store }

// Reports returns the reader of the business calculations.
func (s *Store) Reports() docs.ReportReader { return reportReader{s: s} }

func (r reportReader) MasterByCode(ctx context.Context, tenant, kind, site, code string) (masterdata.Row, bool, error) {
	row, ok, err := mdReader{s: r.s, db: r.s.read}.byCode(ctx, tenant, kind, site, code)
	if err != nil {
		return row, false, r.s.classify(err)
	}
	return row, ok, nil
}

func (r reportReader) MasterGet(ctx context.Context, tenant, kind string, id int64) (masterdata.Row, error) {
	row, err := mdReader{s: r.s, db: r.s.read}.get(ctx, tenant, kind, id)
	if err != nil {
		return row, r.s.classify(err)
	}
	return row, nil
}

func (r reportReader) MasterList(ctx context.Context, tenant, kind, site string) ([]masterdata.Row, error) {
	q := `SELECT ` + mdColumns + ` FROM md_records WHERE tenant = ? AND kind = ?`
	args := []any{tenant, kind}
	if site != "" {
		q += ` AND site = ?`
		args = append(args, site)
	}
	var out []masterdata.Row
	err := r.s.queryRows(ctx, r.s.read, r.s.q(q+` ORDER BY code, id`), args, func(rows *sql.Rows) error {
		row, err := scanMD(rows)
		if err != nil {
			return err
		}
		out = append(out, row)
		return nil
	})
	if err != nil {
		return nil, r.s.classify(fmt.Errorf("list %s: %w", kind, err))
	}
	return out, nil
}

func (r reportReader) SiteOnHand(ctx context.Context, tenant, site string) (map[string]int64, error) {
	out := map[string]int64{}
	err := r.s.queryRows(ctx, r.s.read, r.s.q(`SELECT sku, SUM(qty) FROM on_hand WHERE tenant = ? AND site = ? GROUP BY sku`),
		[]any{tenant, site}, func(rows *sql.Rows) error {
			var sku string
			var n int64
			if err := rows.Scan(&sku, &n); err != nil {
				return err
			}
			out[sku] = n
			return nil
		})
	if err != nil {
		return nil, r.s.classify(fmt.Errorf("on-hand of %s: %w", site, err))
	}
	return out, nil
}

// Outflows reads the site's movements out since from in one query; the
// reason is inside the stored body (the events table has no column for
// it), so each row is decoded and the reasons are filtered here.
func (r reportReader) Outflows(ctx context.Context, tenant, site string, from syncproto.HLC, reasons []string) ([]docs.Outflow, error) {
	var out []docs.Outflow
	err := r.s.queryRows(ctx, r.s.read, r.s.q(`SELECT replica, seq, body FROM events
		WHERE tenant = ? AND site = ? AND kind = ? AND qty < 0 AND hlc >= ?`),
		[]any{tenant, site, int(syncproto.KindMovement), int64(from)}, func(rows *sql.Rows) error {
			e, err := scanEvent(rows, site)
			if err != nil {
				return err
			}
			m := e.Msg.GetMovement()
			if slices.Contains(reasons, m.GetReason()) {
				out = append(out, docs.Outflow{SKU: m.GetSku(), HLC: e.HLC, Qty: -m.GetQty()})
			}
			return nil
		})
	if err != nil {
		return nil, r.s.classify(fmt.Errorf("movements out of %s: %w", site, err))
	}
	return out, nil
}

func (r reportReader) PlanCounts(ctx context.Context, tenant, site, number string) ([]syncproto.Event, error) {
	var out []syncproto.Event
	err := r.s.queryRows(ctx, r.s.read, r.s.q(`SELECT replica, seq, body FROM events WHERE tenant = ? AND site = ? AND kind = ?`),
		[]any{tenant, site, int(syncproto.KindCount)}, func(rows *sql.Rows) error {
			e, err := scanEvent(rows, site)
			if err != nil {
				return err
			}
			if e.Msg.GetCount().GetDoc() == number {
				out = append(out, e)
			}
			return nil
		})
	if err != nil {
		return nil, r.s.classify(fmt.Errorf("counts of %s: %w", number, err))
	}
	return out, nil
}

func (r reportReader) KeyEvents(ctx context.Context, tenant string, k syncproto.Key) ([]syncproto.Event, error) {
	var out []syncproto.Event
	err := r.s.queryRows(ctx, r.s.read, r.s.q(`SELECT replica, seq, body FROM events
		WHERE tenant = ? AND site = ? AND bin = ? AND sku = ? AND lot = ? AND kind IN (?, ?)`),
		[]any{tenant, k.Site, k.Bin, k.SKU, k.Lot, int(syncproto.KindMovement), int(syncproto.KindCount)}, func(rows *sql.Rows) error {
			e, err := scanEvent(rows, k.Site)
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, r.s.classify(fmt.Errorf("events of %s: %w", k, err))
	}
	return out, nil
}

// scanEvent decodes a row of (replica, seq, body).
func scanEvent(rows *sql.Rows, site string) (syncproto.Event, error) {
	var rep, seq int64
	var body []byte
	if err := rows.Scan(&rep, &seq, &body); err != nil {
		return syncproto.Event{}, err
	}
	return syncproto.DecodeEvent(syncproto.ReplicaID(rep), uint64(seq), site, body)
}
