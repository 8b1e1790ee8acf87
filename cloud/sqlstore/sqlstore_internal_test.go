package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite"
)

var errFlaky = errors.New("flaky")

// mustOpen returns a Store on a new SQLite file whose dialect retries
// errFlaky.
func mustOpen(t *testing.T) *Store {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "db")+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	s, err := New(context.Background(), Config{
		Dialect:    Dialect{Name: "sqlite", Retryable: func(err error) bool { return errors.Is(err, errFlaky) }},
		Write:      db,
		Read:       db,
		MaxRetries: 3,
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestWriteTxRetries(t *testing.T) {
	errOther := errors.New("other")
	tests := []struct {
		name      string
		fails     []error // what the attempts return, in order; nil after
		wantCalls int
		wantErr   error
	}{
		{"no failure", nil, 1, nil},
		{"retryable twice", []error{errFlaky, errFlaky}, 3, nil},
		{"not retryable", []error{errOther}, 1, errOther},
		{"retries run out", []error{errFlaky, errFlaky, errFlaky, errFlaky, errFlaky}, 4, errFlaky},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t)
			ctx := context.Background()
			calls := 0
			err := s.writeTx(ctx, func(tx *sql.Tx) error {
				calls++
				// Each attempt writes; a failed attempt's write must be
				// rolled back.
				if _, err := tx.ExecContext(ctx, `INSERT INTO replicas (replica, tenant, site, watermark, max_seq, first_seen, last_seen) VALUES (?, 't', 's', 0, 0, 0, 0)`, calls); err != nil {
					return err
				}
				if calls <= len(tt.fails) {
					return tt.fails[calls-1]
				}
				return nil
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("got error %v, want %v", err, tt.wantErr)
			}
			if calls != tt.wantCalls {
				t.Errorf("got %d attempts, want %d", calls, tt.wantCalls)
			}
			var n int
			if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM replicas`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			want := 0
			if tt.wantErr == nil {
				want = 1
			}
			if n != want {
				t.Errorf("%d rows committed, want %d", n, want)
			}
		})
	}
}

func TestQ(t *testing.T) {
	tests := []struct {
		numbered bool
		in, want string
	}{
		{false, `SELECT ? FROM t WHERE a = ?`, `SELECT ? FROM t WHERE a = ?`},
		{true, `SELECT ? FROM t WHERE a = ?`, `SELECT $1 FROM t WHERE a = $2`},
		{true, `unnest(?::text[], ?::text[])`, `unnest($1::text[], $2::text[])`},
		{true, `SELECT 1`, `SELECT 1`},
	}
	for _, tt := range tests {
		s := &Store{d: Dialect{Numbered: tt.numbered}}
		if got := s.q(tt.in); got != tt.want {
			t.Errorf("q(%q) with numbered=%v = %q, want %q", tt.in, tt.numbered, got, tt.want)
		}
	}
}

// TestMigrations checks that both dialects' migrations parse, are in order,
// and have the same versions: one schema, one migration per dialect.
func TestMigrations(t *testing.T) {
	var versions [][]int
	for _, d := range []string{"sqlite", "postgres"} {
		ms, err := Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		var vs []int
		for _, m := range ms {
			if m.SQL == "" {
				t.Errorf("%s/%s is empty", d, m.Name)
			}
			vs = append(vs, m.Version)
		}
		if !slices.IsSorted(vs) || vs[0] != 1 {
			t.Errorf("%s migrations %v are not numbered from 1 in order", d, vs)
		}
		versions = append(versions, vs)
	}
	if !slices.Equal(versions[0], versions[1]) {
		t.Errorf("sqlite migrations %v, postgres %v: want the same versions", versions[0], versions[1])
	}
	if _, err := Migrations("oracle"); err == nil {
		t.Error("migrations of an unknown dialect: got no error")
	}
}

// TestMigrateTwice checks that opening a migrated database applies nothing.
func TestMigrateTwice(t *testing.T) {
	s := mustOpen(t)
	ctx := context.Background()
	if err := s.migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	ms, _ := Migrations("sqlite")
	if n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}
