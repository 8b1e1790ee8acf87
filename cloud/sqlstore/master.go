package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/syncproto"
)

var _ master.Store = (*Store)(nil)

// masterChunk is how many records one multi-row upsert writes (7
// parameters each, well below SQLite's and PostgreSQL's limits).
const masterChunk = 100

// PutMaster stores recs (checked by cloud/master) in one transaction. It
// first adds len(recs) to the tenant's row of master_revisions: that row
// lock, held to the commit, orders every writer of the tenant, so revisions
// are handed out and become visible in order (on SQLite the one write
// connection does the same). Each record gets the next revision, in the
// order given, and replaces the stored version of its (site, kind, key).
func (s *Store) PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	var out []master.Record
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.putMasterTx(ctx, tx, tenant, recs)
		return err
	})
	if err != nil {
		return nil, s.classify(err)
	}
	return out, nil
}

// putMasterTx is PutMaster in the transaction tx.
func (s *Store) putMasterTx(ctx context.Context, tx *sql.Tx, tenant string, recs []master.Record) ([]master.Record, error) {
	out := make([]master.Record, len(recs))
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO master_revisions (tenant, rev) VALUES (?, 0) ON CONFLICT (tenant) DO NOTHING`), tenant); err != nil {
		return nil, fmt.Errorf("master revision: %w", err)
	}
	var end int64
	if err := tx.QueryRowContext(ctx, s.q(`UPDATE master_revisions SET rev = rev + ? WHERE tenant = ? RETURNING rev`),
		int64(len(recs)), tenant).Scan(&end); err != nil {
		return nil, fmt.Errorf("master revision: %w", err)
	}
	if uint64(end) > syncproto.MaxMasterRev {
		return nil, fmt.Errorf("%w: master revisions of tenant %q exhausted", cloud.ErrInvalid, tenant)
	}
	rev := uint64(end) - uint64(len(recs))
	for i, r := range recs {
		rev++
		r.Rev = rev
		if r.Body == nil {
			r.Body = []byte{} // NOT NULL; nil binds as NULL
		}
		out[i] = r
	}
	for rest := out; len(rest) > 0; {
		n := min(len(rest), masterChunk)
		var b strings.Builder
		b.WriteString(`INSERT INTO master_records (tenant, site, kind, key, rev, deleted, body) VALUES `)
		args := make([]any, 0, 7*n)
		for i, r := range rest[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(?, ?, ?, ?, ?, ?, ?)`)
			args = append(args, tenant, r.Site, r.Kind, r.Key, int64(r.Rev), r.Deleted, r.Body)
		}
		b.WriteString(` ON CONFLICT (tenant, site, kind, key) DO UPDATE SET rev = excluded.rev, deleted = excluded.deleted, body = excluded.body`)
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return nil, fmt.Errorf("store master records: %w", err)
		}
		rest = rest[n:]
	}
	return out, nil
}

// MasterAfter returns the current records for site with a revision above
// rev, in revision order, at most limit. It reads the tenant's newest
// revision first: every revision up to it is committed (PutMaster), so a
// page that holds every record after rev covers up to it.
func (s *Store) MasterAfter(ctx context.Context, tenant, site string, rev uint64, limit int) (master.Page, error) {
	if limit <= 0 {
		return master.Page{}, fmt.Errorf("%w: limit %d", cloud.ErrInvalid, limit)
	}
	var head int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT rev FROM master_revisions WHERE tenant = ?`), tenant).Scan(&head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return master.Page{}, s.classify(fmt.Errorf("master revision: %w", err))
	}
	var p master.Page
	err = s.queryRows(ctx, s.read, s.q(`SELECT site, kind, key, rev, deleted, body FROM master_records
		WHERE tenant = ? AND rev > ? AND (site = '' OR site = ?) ORDER BY rev LIMIT ?`),
		[]any{tenant, int64(rev), site, limit + 1}, func(rows *sql.Rows) error {
			var r master.Record
			var rv int64
			if err := rows.Scan(&r.Site, &r.Kind, &r.Key, &rv, &r.Deleted, &r.Body); err != nil {
				return err
			}
			r.Rev = uint64(rv)
			p.Records = append(p.Records, r)
			return nil
		})
	if err != nil {
		return master.Page{}, s.classify(fmt.Errorf("read master records: %w", err))
	}
	if len(p.Records) > limit {
		p.Records = p.Records[:limit]
		p.UpTo = p.Records[limit-1].Rev
		return p, nil
	}
	p.Complete = true
	p.UpTo = max(rev, uint64(head))
	if n := len(p.Records); n > 0 {
		p.UpTo = max(p.UpTo, p.Records[n-1].Rev)
	}
	return p, nil
}

// MasterRecordsOf returns the current master records of a kind addressed
// to site ("" for those to every site), tombstones left out, by key.
func (s *Store) MasterRecordsOf(ctx context.Context, tenant, site, kind string) ([]master.Record, error) {
	var out []master.Record
	err := s.queryRows(ctx, s.read, s.q(`SELECT key, rev, body FROM master_records
		WHERE tenant = ? AND site = ? AND kind = ? AND deleted = ? ORDER BY key`),
		[]any{tenant, site, kind, false}, func(rows *sql.Rows) error {
			r := master.Record{Site: site, Kind: kind}
			var rev int64
			if err := rows.Scan(&r.Key, &rev, &r.Body); err != nil {
				return err
			}
			r.Rev = uint64(rev)
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, s.classify(fmt.Errorf("read master records: %w", err))
	}
	return out, nil
}
