// Package sqlstore is the SQL core shared by the cloud stores cloud/sqlite
// and cloud/postgres: the schema and its migrations, the ingest transaction
// that makes delivery exactly-once, and the queries, written once for
// database/sql with a small Dialect for what differs. DESIGN.md beside this
// file explains the transaction and why it is safe under concurrency.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud"
)

// Dialect is what differs between the databases the core runs on.
type Dialect struct {
	// Name selects the migrations: migrations/<Name>/NNNN_*.sql.
	Name string
	// Numbered reports whether placeholders are $1, $2 … instead of ?.
	Numbered bool
	// RowLocks reports whether SELECT … FOR UPDATE OF locks rows and LOCK
	// TABLE … IN EXCLUSIVE MODE exists. Databases without them (SQLite) must
	// serialize write transactions instead.
	RowLocks bool
	// Arrays reports whether the driver binds Go slices ([]int64, []string,
	// [][]byte) as array parameters and the database has unnest(): bulk
	// statements then carry one array per column instead of running once
	// per row.
	Arrays bool
	// TxOptions are used for every write transaction.
	TxOptions *sql.TxOptions
	// MigrationLock, when set, is run first in every migration transaction
	// to serialize processes migrating one database at the same time.
	MigrationLock string
	// Retryable reports whether a transaction that failed with err may be
	// run again from the start: a serialization failure, a deadlock, a busy
	// database.
	Retryable func(err error) bool
	// Transient reports whether err may pass if the call is made again
	// later, besides Retryable errors: a lost or refused connection. Such
	// errors (and Retryable ones that outlast MaxRetries) are returned
	// wrapping cloud.ErrTransient. Nil: only Retryable ones.
	Transient func(err error) bool
}

// Config configures a Store.
type Config struct {
	Dialect Dialect
	// Write runs write transactions. For SQLite it must be limited to one
	// connection that begins transactions with BEGIN IMMEDIATE.
	Write *sql.DB
	// Read runs queries; it may be Write.
	Read *sql.DB
	// Now returns the time recorded as a replica's first and last seen;
	// time.Now when nil.
	Now func() time.Time
	// MaxRetries bounds how often a retryable transaction is run again;
	// 20 when zero.
	MaxRetries int
	// Logger logs applied migrations and retried transactions;
	// slog.Default() when nil.
	Logger *slog.Logger
}

// Store implements cloud.Store on a SQL database. It holds no state of its
// own besides its connection pools, so any number of Stores (in any number
// of processes) may share one database.
type Store struct {
	d          Dialect
	write      *sql.DB
	read       *sql.DB
	now        func() time.Time
	maxRetries int
	log        *slog.Logger
}

var _ cloud.Store = (*Store)(nil)

// New applies the pending migrations and returns a Store. The caller keeps
// ownership of the pools: Close closes both.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Write == nil || cfg.Read == nil {
		return nil, fmt.Errorf("sqlstore: %w: no database", cloud.ErrInvalid)
	}
	s := &Store{d: cfg.Dialect, write: cfg.Write, read: cfg.Read, now: cfg.Now, maxRetries: cfg.MaxRetries}
	s.log = cfg.Logger
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "store", "db", s.d.Name)
	if s.now == nil {
		s.now = time.Now
	}
	if s.maxRetries <= 0 {
		s.maxRetries = 20
	}
	if s.d.Retryable == nil {
		s.d.Retryable = func(error) bool { return false }
	}
	if s.d.Transient == nil {
		s.d.Transient = func(error) bool { return false }
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes the database pools.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// q rewrites the ? placeholders of query for the dialect. Queries in this
// package never contain a ? inside a literal.
func (s *Store) q(query string) string {
	if !s.d.Numbered {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + len(query)/4)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// forUpdate returns the locking clause for rows of table, empty when the
// dialect has no row locks.
func (s *Store) forUpdate(table string) string {
	if !s.d.RowLocks {
		return ""
	}
	return " FOR UPDATE OF " + table
}

// writeTx runs fn in a write transaction and commits it, running it again
// from the start when it fails with a retryable error. fn must not keep
// anything from a failed attempt.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || !s.d.Retryable(err) || attempt >= s.maxRetries {
			return err
		}
		s.log.Debug("retrying transaction", "attempt", attempt+1, "err", err)
		// Back off a little, with jitter, so that two transactions that
		// just deadlocked do not collide again in lockstep.
		wait := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, s.d.TxOptions)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rb := ignoreDone(tx.Rollback()); rb != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rb))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}
