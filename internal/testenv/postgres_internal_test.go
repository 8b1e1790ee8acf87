package testenv

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// postgresFakeTB records what PostgresDSN does to its test: Fatalf stops it
// (by panicking, recovered by run) and cleanups are kept for the caller.
type postgresFakeTB struct {
	testing.TB
	fatal    string
	cleanups []func()
}

type postgresFatal struct{}

func (f *postgresFakeTB) Helper()               {}
func (f *postgresFakeTB) Cleanup(fn func())     { f.cleanups = append(f.cleanups, fn) }
func (f *postgresFakeTB) Errorf(string, ...any) {}
func (f *postgresFakeTB) Fatalf(s string, a ...any) {
	f.fatal = fmt.Sprintf(s, a...)
	panic(postgresFatal{})
}

func (f *postgresFakeTB) run(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(postgresFatal); !ok {
				panic(r)
			}
		}
	}()
	fn()
}

func TestPostgresDSNUnreachable(t *testing.T) {
	t.Setenv(PostgresEnv, "postgres://jxc:s3cret@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5")
	f := &postgresFakeTB{TB: t}
	var dsn string
	f.run(func() { dsn = PostgresDSN(f) })
	if f.fatal == "" {
		t.Fatalf("got DSN %q and no Fatalf for an unreachable server", dsn)
	}
	for _, want := range []string{"127.0.0.1:1", "make test", PostgresEnv} {
		if !strings.Contains(f.fatal, want) {
			t.Errorf("Fatalf message %q does not mention %q", f.fatal, want)
		}
	}
	if strings.Contains(f.fatal, "s3cret") {
		t.Errorf("Fatalf message %q shows the password", f.fatal)
	}
}

// TestPostgresDSN checks that the database exists, is empty and usable, and
// is dropped by the cleanup.
func TestPostgresDSN(t *testing.T) {
	ctx := context.Background()
	f := &postgresFakeTB{TB: t}
	var dsn string
	f.run(func() { dsn = PostgresDSN(f) })
	if f.fatal != "" {
		t.Fatal(f.fatal)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	var tables int
	err = conn.QueryRow(ctx, `SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')`).Scan(&name, &tables)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "jxc_t_") || tables != 0 {
		t.Errorf("database %q with %d tables, want a new jxc_t_* database", name, tables)
	}
	// Cleanup must drop it even while a connection is open (WITH (FORCE)).
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	conn.Close(ctx)
	admin, err := pgx.Connect(ctx, postgresServer())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var n int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after cleanup", name)
	}
}
