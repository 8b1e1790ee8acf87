package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jxc-edge/jxc/cloud"
)

// IdempotencyStore keeps the Idempotency-Key reservations and answers of
// the cloud API's POSTs (migration 0006): cloud/httpapi reserves a key
// before running the request, completes it with the answer, or releases
// it when the request failed in a way a retry may not.
type IdempotencyStore struct {
	s *Store
}

// Idempotency returns the idempotency-key store on s's database.
func (s *Store) Idempotency() *IdempotencyStore { return &IdempotencyStore{s: s} }

const (
	idemPending = "pending"
	idemDone    = "done"
)

// Reserve records rec (a pending request: Done and the answer are ignored)
// under k, unless k holds a record created at or after expired: then it
// returns that record and false, changing nothing. A record of k created
// before expired is replaced. Of concurrent calls for one key exactly one
// reserves it.
func (is *IdempotencyStore) Reserve(ctx context.Context, k cloud.IdempotencyKey, rec cloud.IdempotencyRecord, expired time.Time) (cloud.IdempotencyRecord, bool, error) {
	s := is.s
	var (
		got      cloud.IdempotencyRecord
		reserved bool
	)
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		got, reserved = cloud.IdempotencyRecord{}, false
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys WHERE tenant = ? AND user_id = ? AND key = ? AND created_at < ?`),
			k.Tenant, k.UserID, k.Key, ms(expired)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO idempotency_keys
			(tenant, user_id, key, method, path, body_hash, state, status, content_type, etag, location, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', '', '', ?, ?) ON CONFLICT (tenant, user_id, key) DO NOTHING`),
			k.Tenant, k.UserID, k.Key, rec.Method, rec.Path, nonNil(rec.BodyHash), idemPending, []byte{}, ms(rec.Created))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			reserved = true
			return nil
		}
		var state string
		var created int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT method, path, body_hash, state, status, content_type, etag, location, body, created_at
			FROM idempotency_keys WHERE tenant = ? AND user_id = ? AND key = ?`), k.Tenant, k.UserID, k.Key).
			Scan(&got.Method, &got.Path, &got.BodyHash, &state, &got.Status, &got.ContentType, &got.ETag, &got.Location, &got.Body, &created)
		got.Done, got.Created = state == idemDone, fromMS(created)
		return err
	})
	if err != nil {
		return cloud.IdempotencyRecord{}, false, fmt.Errorf("reserve idempotency key: %w", s.classify(err))
	}
	if reserved {
		rec.Done, rec.Status, rec.ContentType, rec.ETag, rec.Location, rec.Body = false, 0, "", "", "", nil
		return rec, true, nil
	}
	return got, false, nil
}

// Complete stores the answer of the request that reserved k (rec.Status,
// the headers and Body) and marks it done. A key no longer pending (it
// expired and was taken again, or was released) is left alone.
func (is *IdempotencyStore) Complete(ctx context.Context, k cloud.IdempotencyKey, rec cloud.IdempotencyRecord) error {
	s := is.s
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE idempotency_keys SET state = ?, status = ?, content_type = ?, etag = ?, location = ?, body = ?
			WHERE tenant = ? AND user_id = ? AND key = ? AND state = ?`),
			idemDone, rec.Status, rec.ContentType, rec.ETag, rec.Location, nonNil(rec.Body), k.Tenant, k.UserID, k.Key, idemPending)
		return err
	})
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", s.classify(err))
	}
	return nil
}

// Release deletes the reservation of k if it is still pending, so that a
// retry runs the request again.
func (is *IdempotencyStore) Release(ctx context.Context, k cloud.IdempotencyKey) error {
	s := is.s
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys WHERE tenant = ? AND user_id = ? AND key = ? AND state = ?`),
			k.Tenant, k.UserID, k.Key, idemPending)
		return err
	})
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", s.classify(err))
	}
	return nil
}

// Purge deletes the keys of every tenant created before before, pending
// or done, and returns how many.
func (is *IdempotencyStore) Purge(ctx context.Context, before time.Time) (int64, error) {
	s := is.s
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys WHERE created_at < ?`), ms(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", s.classify(err))
	}
	return n, nil
}

// nonNil returns b, or an empty slice for nil: nil binds as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
