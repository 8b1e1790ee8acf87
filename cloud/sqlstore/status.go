package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jxc-edge/jxc/cloud"
)

var _ cloud.StatusStore = (*Store)(nil)

// PutStatus stores s as its replica's latest status.
func (s *Store) PutStatus(ctx context.Context, st cloud.ReplicaStatus) error {
	devices := st.Devices
	if devices == nil {
		devices = []cloud.DeviceStatus{}
	}
	dj, err := json.Marshal(devices)
	if err != nil {
		return err
	}
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO replica_status (tenant, site, replica, online, last_seq, acked_seq, master_rev, reported_at, received_at, devices)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, site, replica) DO UPDATE SET online = excluded.online, last_seq = excluded.last_seq,
			acked_seq = excluded.acked_seq, master_rev = excluded.master_rev, reported_at = excluded.reported_at,
			received_at = excluded.received_at, devices = excluded.devices`),
			st.Tenant, st.Site, st.Replica, st.Online, int64(st.LastSeq), int64(st.AckedSeq), int64(st.MasterRev),
			ms(st.ReportedAt), ms(st.ReceivedAt), string(dj))
		return err
	})
	if err != nil {
		return s.classify(fmt.Errorf("store status of %s: %w", st.Replica, err))
	}
	return nil
}

// Statuses returns the latest statuses of a tenant's replicas at sites
// (every site when nil).
func (s *Store) Statuses(ctx context.Context, tenant string, sites []string) ([]cloud.ReplicaStatus, error) {
	q := `SELECT tenant, site, replica, online, last_seq, acked_seq, master_rev, reported_at, received_at, devices
		FROM replica_status WHERE tenant = ?`
	args := []any{tenant}
	if sites != nil {
		if len(sites) == 0 {
			return []cloud.ReplicaStatus{}, nil
		}
		q += ` AND site IN (?` + strings.Repeat(`, ?`, len(sites)-1) + `)`
		for _, site := range sites {
			args = append(args, site)
		}
	}
	q += ` ORDER BY site, replica`
	out := []cloud.ReplicaStatus{}
	err := s.queryRows(ctx, s.read, s.q(q), args, func(rows *sql.Rows) error {
		var st cloud.ReplicaStatus
		var last, acked, rev, rep, recv int64
		var dj string
		if err := rows.Scan(&st.Tenant, &st.Site, &st.Replica, &st.Online, &last, &acked, &rev, &rep, &recv, &dj); err != nil {
			return err
		}
		st.LastSeq, st.AckedSeq, st.MasterRev = uint64(last), uint64(acked), uint64(rev)
		st.ReportedAt, st.ReceivedAt = fromMS(rep), fromMS(recv)
		if err := json.Unmarshal([]byte(dj), &st.Devices); err != nil {
			return fmt.Errorf("devices of %s: %w", st.Replica, err)
		}
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, s.classify(fmt.Errorf("read statuses: %w", err))
	}
	return out, nil
}
