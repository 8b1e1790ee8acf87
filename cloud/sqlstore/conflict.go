package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/jxc-edge/jxc/syncproto"
)

// firstConflict returns the first seq of b that must not be stored, 0 when
// there is none: an event stored with another body than b's, or, when the
// replica was flagged at seq flagged (> 0), a new event at or above it. Two
// ledgers are then writing under one replica ID (DESIGN.md, "Conflicts").
// maxSeq is the replica's highest stored seq; the caller holds the
// replica's lock.
//
// Only seqs up to maxSeq can be stored, so a batch wholly above it (the
// common case: new events) costs no query. Below, the stored bodies of the
// batch's range are read and compared byte for byte: bodies are stored
// exactly as received, and a replica sends an event as the same bytes every
// time.
func (s *Store) firstConflict(ctx context.Context, tx *sql.Tx, b *syncproto.Batch, maxSeq, flagged uint64) (uint64, error) {
	stored := make(map[uint64]bool)
	var conflict uint64
	if b.From <= maxSeq {
		err := s.queryRows(ctx, tx, s.q(`SELECT seq, body FROM events WHERE replica = ? AND seq >= ? AND seq <= ? ORDER BY seq`),
			[]any{int64(b.Replica), int64(b.From), int64(min(b.To, maxSeq))}, func(rows *sql.Rows) error {
				var seq int64
				var body []byte
				if err := rows.Scan(&seq, &body); err != nil {
					return err
				}
				i := uint64(seq) - b.From
				if uint64(seq) < b.From || i >= uint64(len(b.Events)) {
					return fmt.Errorf("database returned seq %d outside %d..%d", seq, b.From, b.To)
				}
				if !bytes.Equal(body, b.Events[i].Raw) {
					conflict = uint64(seq)
					return errStopRows
				}
				stored[uint64(seq)] = true
				return nil
			})
		if err != nil {
			return 0, fmt.Errorf("compare stored events: %w", err)
		}
	}
	if flagged != 0 {
		end := b.To
		if conflict != 0 {
			end = conflict - 1
		}
		for seq := max(b.From, flagged); seq <= end; seq++ {
			if !stored[seq] {
				return seq, nil
			}
		}
	}
	return conflict, nil
}
