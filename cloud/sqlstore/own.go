package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// appendOwn stores bodies as the next events of the cloud's own replica
// of (tenant, site) (syncproto.CloudReplica), in tx: the replica's row is
// locked, so concurrent writers of several cloud processes take
// consecutive seqs; HLCs follow the wall clock and never go back. The
// events go through applyBatch like any replica's, so on-hand, counts and
// the watermark follow, and agents of the site get them as a peer's.
func (s *Store) appendOwn(ctx context.Context, tx *sql.Tx, tenant, site string, bodies []*pb.Event) ([]syncproto.Event, error) {
	if len(bodies) == 0 {
		return nil, nil
	}
	rep := syncproto.CloudReplica(tenant, site)
	now := s.now().UnixMilli()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO replicas (replica, tenant, site, watermark, max_seq, first_seen, last_seen)
		VALUES (?, ?, ?, 0, 0, ?, ?) ON CONFLICT (replica) DO NOTHING`), int64(rep), tenant, site, now, now); err != nil {
		return nil, fmt.Errorf("cloud replica: %w", err)
	}
	var wm, maxSeq int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT watermark, max_seq FROM replicas WHERE replica = ?`+s.forUpdate("replicas")),
		int64(rep)).Scan(&wm, &maxSeq); err != nil {
		return nil, fmt.Errorf("lock cloud replica: %w", err)
	}
	if maxSeq != wm {
		return nil, fmt.Errorf("cloud replica %s of %s/%s has a gap (%d..%d)", rep, tenant, site, wm, maxSeq)
	}
	var last int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(max(hlc), 0) FROM events WHERE replica = ?`), int64(rep)).Scan(&last); err != nil {
		return nil, fmt.Errorf("cloud replica clock: %w", err)
	}
	hlc := max(syncproto.MakeHLC(now, 0), syncproto.HLC(last)+1)
	events := make([]syncproto.Event, len(bodies))
	for i, b := range bodies {
		e, err := syncproto.NewEvent(rep, uint64(wm)+uint64(i)+1, hlc+syncproto.HLC(i), "", b)
		if err != nil {
			return nil, err
		}
		e.Site = site
		events[i] = e
	}
	raws := make([][]byte, len(events))
	for i := range events {
		raws[i] = events[i].Raw
	}
	wire, err := syncproto.EncodeBatch(syncproto.BatchHeader{Tenant: tenant, Site: site, Replica: rep, From: uint64(wm) + 1}, raws)
	if err != nil {
		return nil, err
	}
	b, err := syncproto.DecodeBatch(wire)
	if err != nil {
		return nil, err
	}
	if err := checkBatch(b); err != nil {
		return nil, err
	}
	applied, err := s.applyBatch(ctx, tx, b)
	if err != nil {
		return nil, err
	}
	if applied.Conflict != 0 {
		return nil, fmt.Errorf("cloud replica %s: conflict at seq %d", rep, applied.Conflict)
	}
	return b.Events, nil
}

// AppendOwn: see docs.Tx.
func (t *docTx) AppendOwn(ctx context.Context, tenant, site string, bodies []*pb.Event) ([]syncproto.Event, error) {
	return t.s.appendOwn(ctx, t.tx, tenant, site, bodies)
}
