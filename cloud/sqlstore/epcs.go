package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// signFlip maps uint64 order onto int64 order: a < b as uint64 exactly when
// int64(a^signFlip) < int64(b^signFlip). epc_locations stores HLCs and
// replica IDs so, for SQL to compare them.
const signFlip = 1 << 63

func ord(v uint64) int64 { return int64(v ^ signFlip) }

// epcMove is the latest movement of one EPC among some events.
type epcMove struct {
	tenant, epc string
	e           *syncproto.Event
}

// latestEPCs returns, for each EPC named by a movement of evs, its movement
// with the greatest (hlc, replica, seq), sorted by EPC (the order rows are
// locked in, after the on-hand keys).
func latestEPCs(tenant string, evs []syncproto.Event) []epcMove {
	best := make(map[string]*syncproto.Event)
	for i := range evs {
		e := &evs[i]
		epc := e.Msg.GetMovement().GetEpc()
		if e.Kind() != syncproto.KindMovement || epc == "" {
			continue
		}
		if b := best[epc]; b == nil || syncproto.Later(e, b) {
			best[epc] = e
		}
	}
	out := make([]epcMove, 0, len(best))
	for epc, e := range best {
		out = append(out, epcMove{tenant, epc, e})
	}
	slices.SortFunc(out, func(a, b epcMove) int { return cmp.Compare(a.epc, b.epc) })
	return out
}

// upsertEPCs writes each EPC's movement unless the stored one is later: the
// register's merge, so any order of batches gives the same rows.
func (s *Store) upsertEPCs(ctx context.Context, tx *sql.Tx, moves []epcMove) error {
	if len(moves) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO epc_locations
		(tenant, epc, site, bin, sku, lot, qty, hlc_ord, rep_ord, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant, epc) DO UPDATE SET site = excluded.site, bin = excluded.bin, sku = excluded.sku,
			lot = excluded.lot, qty = excluded.qty, hlc_ord = excluded.hlc_ord, rep_ord = excluded.rep_ord, seq = excluded.seq
		WHERE (excluded.hlc_ord, excluded.rep_ord, excluded.seq) > (epc_locations.hlc_ord, epc_locations.rep_ord, epc_locations.seq)`))
	if err != nil {
		return fmt.Errorf("store epc locations: %w", err)
	}
	defer stmt.Close()
	for _, m := range moves {
		mv := m.e.Msg.GetMovement()
		_, err := stmt.ExecContext(ctx, m.tenant, m.epc, m.e.Site, mv.GetBin(), mv.GetSku(), mv.GetLot(), mv.GetQty(),
			ord(uint64(m.e.HLC)), ord(uint64(m.e.Replica)), int64(m.e.Seq))
		if err != nil {
			return fmt.Errorf("store epc location %s: %w", m.epc, err)
		}
	}
	return nil
}

// rebuildEPCs recomputes epc_locations from every stored movement.
func (s *Store) rebuildEPCs(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM epc_locations`); err != nil {
		return fmt.Errorf("clear epc locations: %w", err)
	}
	// Read everything first: a connection cannot write while it streams
	// rows (pgx).
	byTenant := make(map[string][]syncproto.Event)
	err := s.queryRows(ctx, tx, `SELECT tenant, site, replica, seq, body FROM events WHERE kind = 1`, nil,
		func(rows *sql.Rows) error {
			var t, site string
			var rep, seq int64
			var body []byte
			if err := rows.Scan(&t, &site, &rep, &seq, &body); err != nil {
				return err
			}
			e, err := syncproto.DecodeEvent(syncproto.ReplicaID(rep), uint64(seq), site, body)
			if err != nil {
				return err
			}
			if e.Msg.GetMovement().GetEpc() != "" {
				e.Raw = nil
				byTenant[t] = append(byTenant[t], e)
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("rebuild epc locations: %w", err)
	}
	for t, evs := range byTenant {
		if err := s.upsertEPCs(ctx, tx, latestEPCs(t, evs)); err != nil {
			return fmt.Errorf("rebuild epc locations: %w", err)
		}
	}
	return nil
}

// EPCLocation returns where an EPC of tenant is, and false when no stored
// movement names it.
func (s *Store) EPCLocation(ctx context.Context, tenant, epc string) (cloud.EPCLocation, bool, error) {
	l := cloud.EPCLocation{Tenant: tenant, EPC: epc}
	var qty, hlc, rep, seq int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT site, bin, sku, lot, qty, hlc_ord, rep_ord, seq FROM epc_locations
		WHERE tenant = ? AND epc = ?`), tenant, epc).Scan(&l.Site, &l.Bin, &l.SKU, &l.Lot, &qty, &hlc, &rep, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return cloud.EPCLocation{}, false, nil
	}
	if err != nil {
		return cloud.EPCLocation{}, false, fmt.Errorf("epc location: %w", err)
	}
	l.In = qty > 0
	l.HLC = syncproto.HLC(uint64(hlc) ^ signFlip)
	l.Replica = syncproto.ReplicaID(uint64(rep) ^ signFlip).String()
	l.Seq = uint64(seq)
	l.At = l.HLC.Time()
	return l, true, nil
}
