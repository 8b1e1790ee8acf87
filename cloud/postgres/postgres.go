// Package postgres is the cloud store on PostgreSQL (pgx), for production:
// several cloud processes may share one database and apply batches at the
// same time. The SQL and its semantics live in cloud/sqlstore (see its
// DESIGN.md for the locking that makes that safe); this package opens the
// database for it.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/sqlstore"
)

// migrationLockID is the pg_advisory_xact_lock key that serializes cloud
// processes migrating one database at the same time.
const migrationLockID = 0x6a78632d6d696772 // "jxc-migr"

// Options configures Open. The zero value is ready to use.
type Options struct {
	// MaxConns bounds the connections of the pool. Default 10.
	MaxConns int
	// Logger gets applied migrations and retried transactions.
	// Default slog.Default().
	Logger *slog.Logger
	// Now is the clock for replicas' first and last seen. Default time.Now.
	Now func() time.Time
}

// Store is the cloud store on PostgreSQL. It is safe for concurrent use,
// also by several processes sharing the database.
//
// Its methods are the shared SQL core's (cloud/sqlstore); this package only
// opens the database for it.
type Store struct {
	*sqlstore.Store
}

var _ cloud.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string, as pgx parses it) and applies the pending migrations;
// processes opening one database at once apply each migration once.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open cloud postgres: %w: %v", cloud.ErrInvalid, err)
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 10
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open cloud postgres %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	core, err := sqlstore.New(ctx, sqlstore.Config{
		Dialect: sqlstore.Dialect{
			Name:     "postgres",
			Numbered: true,
			RowLocks: true,
			// The locking in sqlstore is designed for READ COMMITTED; say
			// so rather than rely on the server's default.
			TxOptions:     &sql.TxOptions{Isolation: sql.LevelReadCommitted},
			MigrationLock: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLockID),
			Arrays:        true,
			Retryable:     retryable,
			Transient:     transient,
		},
		Write:  db,
		Read:   db,
		Now:    opts.Now,
		Logger: opts.Logger,
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open cloud postgres: %w", err), db.Close())
	}
	return &Store{Store: core}, nil
}

// retryable reports a serialization failure or a deadlock: the transaction
// was rolled back and may be run again.
func retryable(err error) bool {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return false
	}
	return e.Code == "40001" || e.Code == "40P01"
}

// transient reports an error that may pass if the batch is stored again
// later: the connection was lost or refused, or the server is shutting
// down, starting or out of connections. Errors of the data (22xxx, such as
// a NUL byte in text), of constraints or of the schema are not: they fail
// the same way every time.
func transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"): // connection exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", pe.Code == "53300":
			return true // admin or crash shutdown, cannot connect now, too many connections
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return pgconn.SafeToRetry(err) || errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}
