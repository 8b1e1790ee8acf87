package masterdata

import (
	"context"
	"errors"
	"fmt"
)

// DryRun returns a service over the same store whose writes run in full
// (checks, unique keys, references, publication, audit) inside a
// transaction that is then rolled back: a write that would succeed
// returns the record as it would be stored, a write that would fail
// returns the error it would, and nothing is stored. An import checks its
// records with it, so they are checked exactly as their real write will
// be.
func (s *Service) DryRun() *Service {
	return &Service{store: dryStore{s.store}, now: s.now}
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run: roll back")

type dryStore struct{ Store }

func (d dryStore) MDTx(ctx context.Context, fn func(Tx) error) error {
	err := d.Store.MDTx(ctx, func(tx Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// Batch runs fn with a service whose writes all join one store
// transaction, committed when fn returns nil and rolled back whole when it
// returns an error. A write that fails inside the batch may have left part
// of its change in the transaction, so once one fails Batch rolls back
// and returns its error, also when fn carried on and returned nil; the
// caller then writes the records one by one. fn may run more than once
// when the store retries a transaction that lost a lock: it must start
// from scratch each time. An import commits its records in batches with
// it.
func (s *Service) Batch(ctx context.Context, fn func(*Service) error) error {
	return s.store.MDTx(ctx, func(tx Tx) error {
		ts := &txStore{Store: s.store, tx: tx}
		if err := fn(&Service{store: ts, now: s.now}); err != nil {
			return err
		}
		if ts.failed != nil {
			return fmt.Errorf("a write of the batch failed: %w", ts.failed)
		}
		return nil
	})
}

// txStore runs every write in one open transaction.
type txStore struct {
	Store
	tx     Tx
	failed error
}

func (t *txStore) MDTx(ctx context.Context, fn func(Tx) error) error {
	if t.failed != nil {
		return fmt.Errorf("a write of the batch failed before: %w", t.failed)
	}
	if err := fn(t.tx); err != nil {
		t.failed = err
		return err
	}
	return nil
}
