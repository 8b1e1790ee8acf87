package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresDefaultURL is the server tests use when JXC_TEST_POSTGRES is unset:
// the one `make test` starts.
const PostgresDefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresEnv names the environment variable that overrides
// PostgresDefaultURL.
const PostgresEnv = "JXC_TEST_POSTGRES"

// PostgresDSN creates a new, empty, uniquely named database (jxc_t_<random>)
// on the test server, drops it when the test ends, and returns its DSN. The
// server is the one named by $JXC_TEST_POSTGRES, PostgresDefaultURL when that
// is unset. An unreachable server fails the test (never skips it).
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	server := postgresServer()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("testenv: random database name: %v", err)
	}
	name := "jxc_t_" + hex.EncodeToString(b[:])
	dsn, err := postgresWithDatabase(server, name)
	if err != nil {
		tb.Fatalf("testenv: $%s=%q: %v", PostgresEnv, postgresRedact(server), err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("testenv: cannot reach PostgreSQL at %s (from $%s, or the default %s): %v\n"+
			"Start one with `make test` (it installs and starts PostgreSQL), or point $%s at a server "+
			"where this user may CREATE DATABASE.",
			postgresRedact(server), PostgresEnv, PostgresDefaultURL, err, PostgresEnv)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("testenv: create database %s on %s: %v", name, postgresRedact(server), err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	return dsn
}

// postgresServer returns the DSN of the test server.
func postgresServer() string {
	if s := os.Getenv(PostgresEnv); s != "" {
		return s
	}
	return PostgresDefaultURL
}

// postgresWithDatabase returns the DSN server with its database replaced by
// name; server is a postgres:// URL or a key=value string.
func postgresWithDatabase(server, name string) (string, error) {
	if strings.HasPrefix(server, "postgres://") || strings.HasPrefix(server, "postgresql://") {
		u, err := url.Parse(server)
		if err != nil {
			return "", err
		}
		u.Path = "/" + name
		q := u.Query()
		q.Del("dbname")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// key=value form: a later dbname wins.
	return server + " dbname=" + name, nil
}

// postgresRedact hides a password in a URL DSN.
func postgresRedact(server string) string {
	if u, err := url.Parse(server); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return server
}
