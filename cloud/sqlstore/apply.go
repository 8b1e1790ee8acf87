package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// ApplyBatch stores b's events idempotently by (replica, seq), advances the
// replica's watermark over contiguous seqs and updates on-hand for the events
// that were new, all in one transaction; see DESIGN.md. A batch whose tenant
// or site differs from its replica's gives cloud.ErrWrongSite, a malformed
// one cloud.ErrInvalid; both change nothing. When it returns nil the batch is
// committed (fsynced: SQLite runs with synchronous=FULL, PostgreSQL with its
// commit durability) and may be acked.
//
// An event whose (replica, seq) is stored with another body, or a new event
// at or above the replica's conflict seq, is refused with everything after
// it: the events before it are applied, the replica's conflict seq is
// lowered to it, all committed, and the Applied (Conflict set) is returned
// with an error wrapping cloud.ErrConflict. Such a batch must not be retried.
func (s *Store) ApplyBatch(ctx context.Context, b *syncproto.Batch) (cloud.Applied, error) {
	if err := checkBatch(b); err != nil {
		return cloud.Applied{}, fmt.Errorf("apply batch: %w", err)
	}
	var out cloud.Applied
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.applyBatch(ctx, tx, b)
		return err
	})
	if err != nil {
		return cloud.Applied{}, fmt.Errorf("apply batch %s %d..%d: %w", b.Replica, b.From, b.To, s.classify(err))
	}
	if out.Conflict != 0 {
		return out, fmt.Errorf("apply batch %s %d..%d: %w: seq %d", b.Replica, b.From, b.To, cloud.ErrConflict, out.Conflict)
	}
	return out, nil
}

// checkBatch rejects a batch that syncproto.DecodeBatch would not have
// produced: the store must not trust that every caller used it.
func checkBatch(b *syncproto.Batch) error {
	switch {
	case b == nil:
		return fmt.Errorf("%w: nil batch", cloud.ErrInvalid)
	case b.Replica == 0:
		return fmt.Errorf("%w: batch has replica 0", cloud.ErrInvalid)
	case len(b.Events) == 0:
		return fmt.Errorf("%w: batch has no events", cloud.ErrInvalid)
	case b.From == 0:
		return fmt.Errorf("%w: batch starts at seq 0", cloud.ErrInvalid)
	case b.To >= math.MaxInt64 || b.From > b.To || b.To-b.From != uint64(len(b.Events)-1):
		return fmt.Errorf("%w: seqs %d..%d with %d events", cloud.ErrInvalid, b.From, b.To, len(b.Events))
	}
	if err := syncproto.ValidName(b.Site); err != nil {
		return fmt.Errorf("%w: site: %v", cloud.ErrInvalid, err)
	}
	if b.Tenant != "" {
		if err := syncproto.ValidName(b.Tenant); err != nil {
			return fmt.Errorf("%w: tenant: %v", cloud.ErrInvalid, err)
		}
	}
	for i := range b.Events {
		e := &b.Events[i]
		if e.Replica != b.Replica || e.Seq != b.From+uint64(i) || e.Site != b.Site {
			return fmt.Errorf("%w: event %d is %s/%d at site %q in batch %s %d..%d at site %q",
				cloud.ErrInvalid, i, e.Replica, e.Seq, e.Site, b.Replica, b.From, b.To, b.Site)
		}
		if e.Msg == nil {
			return fmt.Errorf("%w: event %d has no decoded body", cloud.ErrInvalid, e.Seq)
		}
	}
	// The same content rules as the agent and ingest: a string PostgreSQL
	// cannot store (NUL) or a quantity beyond the bound is malformed, not a
	// database failure to retry.
	if err := syncproto.ValidateEvents(b.Events); err != nil {
		return fmt.Errorf("%w: %w", cloud.ErrInvalid, err)
	}
	return nil
}

func (s *Store) applyBatch(ctx context.Context, tx *sql.Tx, b *syncproto.Batch) (cloud.Applied, error) {
	now := s.now().UnixMilli()
	rep := int64(b.Replica)

	// Make the replica's row exist, then lock it: every transaction of one
	// replica is serialized from here on, so the event inserts below never
	// wait on another transaction's uncommitted copy of the same events.
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO replicas (replica, tenant, site, watermark, max_seq, first_seen, last_seen)
		VALUES (?, ?, ?, 0, 0, ?, ?) ON CONFLICT (replica) DO NOTHING`), rep, b.Tenant, b.Site, now, now)
	if err != nil {
		return cloud.Applied{}, fmt.Errorf("insert replica: %w", err)
	}
	var tenant, site string
	var wm, maxSeq, flagged int64
	err = tx.QueryRowContext(ctx, s.q(`SELECT tenant, site, watermark, max_seq, conflict_seq FROM replicas WHERE replica = ?`+
		s.forUpdate("replicas")), rep).Scan(&tenant, &site, &wm, &maxSeq, &flagged)
	if err != nil {
		return cloud.Applied{}, fmt.Errorf("lock replica: %w", err)
	}
	if tenant != b.Tenant || site != b.Site {
		return cloud.Applied{}, fmt.Errorf("%w: replica %s is of %q/%q, the batch names %q/%q",
			cloud.ErrWrongSite, b.Replica, tenant, site, b.Tenant, b.Site)
	}
	watermark := uint64(wm)

	// Only the events before a conflict are applied (conflict.go).
	conflict, err := s.firstConflict(ctx, tx, b, uint64(maxSeq), uint64(flagged))
	if err != nil {
		return cloud.Applied{}, err
	}
	if conflict != 0 {
		flagged = min(int64(conflict), cmp.Or(flagged, math.MaxInt64))
		if conflict == b.From {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE replicas SET conflict_seq = ?, last_seen = ? WHERE replica = ?`), flagged, now, rep)
			if err != nil {
				return cloud.Applied{}, fmt.Errorf("flag replica: %w", err)
			}
			return cloud.Applied{Watermark: watermark, Gap: uint64(maxSeq) > watermark, Conflict: conflict}, nil
		}
		cut := *b
		cut.Events, cut.To = b.Events[:conflict-b.From], conflict-1
		b = &cut
	}

	// Events at or below the watermark are stored already.
	evs := b.Events
	if watermark >= b.From {
		evs = evs[min(watermark-b.From+1, uint64(len(evs))):]
	}
	isNew, err := s.insertEvents(ctx, tx, b, evs)
	if err != nil {
		return cloud.Applied{}, err
	}
	var inserted []syncproto.Event
	for i := range evs {
		if isNew[i] {
			inserted = append(inserted, evs[i])
		}
	}

	// The watermark moves only when this batch holds watermark+1; it then
	// covers the batch and any run of stored events right above it (stored
	// earlier after a gap).
	if b.From <= watermark+1 && b.To > watermark {
		watermark = b.To
		if uint64(maxSeq) > b.To {
			var end int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT e.seq FROM events e
				WHERE e.replica = ? AND e.seq >= ?
				AND NOT EXISTS (SELECT 1 FROM events n WHERE n.replica = e.replica AND n.seq = e.seq + 1)
				ORDER BY e.seq LIMIT 1`), rep, int64(b.To)).Scan(&end)
			if err != nil {
				return cloud.Applied{}, fmt.Errorf("find watermark: %w", err)
			}
			watermark = uint64(end)
		}
	}
	maxSeq = max(maxSeq, int64(b.To))

	if err := s.applyOnHand(ctx, tx, b.Tenant, b.Site, inserted); err != nil {
		return cloud.Applied{}, err
	}
	if err := s.upsertEPCs(ctx, tx, latestEPCs(b.Tenant, inserted)); err != nil {
		return cloud.Applied{}, err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE replicas SET watermark = ?, max_seq = ?, last_seen = ?, conflict_seq = ? WHERE replica = ?`),
		int64(watermark), maxSeq, now, flagged, rep)
	if err != nil {
		return cloud.Applied{}, fmt.Errorf("update replica: %w", err)
	}
	return cloud.Applied{Watermark: watermark, Inserted: inserted, Gap: uint64(maxSeq) > watermark, Conflict: conflict}, nil
}
