// Package sqlite is the cloud store on one SQLite file (modernc.org/sqlite,
// pure Go): the default, with zero setup. The SQL and its semantics live in
// cloud/sqlstore; this package opens the database for it.
//
// The database runs in WAL mode with synchronous=FULL: the cloud acks a
// batch to its agent once ApplyBatch returns, and the agent may then prune
// those events, so a commit must survive power loss, not only a crash of the
// process (NORMAL in WAL mode may lose the last commits on power loss). The
// cost is one fsync of the WAL per batch, shared by up to thousands of events.
//
// All writes go through one connection that begins with BEGIN IMMEDIATE, so
// write transactions are serialized (also against other processes on the
// same file, which wait up to BusyTimeout); reads use a pool of read-only
// connections that WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/sqlstore"
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// BusyTimeout is how long a statement waits for a lock held by another
	// connection or process before failing with SQLITE_BUSY (the whole
	// transaction is then retried). Default 10s.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool. Default 4.
	ReadConns int
	// Logger gets applied migrations and retried transactions.
	// Default slog.Default().
	Logger *slog.Logger
	// Now is the clock for replicas' first and last seen. Default time.Now.
	Now func() time.Time
}

// Store is the cloud store on SQLite. It is safe for concurrent use, also by
// several processes opening the same file.
//
// Its methods are the shared SQL core's (cloud/sqlstore); this package only
// opens the database for it.
type Store struct {
	*sqlstore.Store
}

var _ cloud.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and applies the
// pending migrations. path must name a file (not ":memory:": the read and
// write pools would see different databases) and must not contain '?'.
func Open(path string, opts Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open cloud sqlite: %w: path %q must be a plain file path", cloud.ErrInvalid, path)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = 4
	}
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	common.Add("_pragma", "foreign_keys(1)")

	wq := url.Values{"_pragma": append([]string{"journal_mode(WAL)", "synchronous(FULL)"}, common["_pragma"]...)}
	wq.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("open cloud sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Connect the writer first: it turns WAL on before any reader opens.
	// Two processes opening a new file at once both switch it to WAL; the
	// loser gets SQLITE_BUSY at once (the busy handler does not wait for
	// a journal mode change), so connecting is retried within the busy
	// timeout.
	for deadline := time.Now().Add(opts.BusyTimeout); ; {
		err := write.Ping()
		if err == nil {
			break
		}
		if !retryable(err) || time.Now().After(deadline) {
			write.Close()
			return nil, fmt.Errorf("open cloud sqlite %s: %w", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}

	rq := url.Values{"_pragma": append([]string{"query_only(1)"}, common["_pragma"]...)}
	read, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open cloud sqlite: %w", err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)

	core, err := sqlstore.New(context.Background(), sqlstore.Config{
		Dialect: sqlstore.Dialect{
			Name:      "sqlite",
			Retryable: retryable,
		},
		Write:  write,
		Read:   read,
		Now:    opts.Now,
		Logger: opts.Logger,
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open cloud sqlite %s: %w", path, err), write.Close(), read.Close())
	}
	return &Store{Store: core}, nil
}

// retryable reports a lock another connection held for longer than the busy
// timeout.
func retryable(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}
