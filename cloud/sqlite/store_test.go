package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/cloud/sqlstore"
	"github.com/jxc-edge/jxc/cloud/sqlstore/storetest"
	"github.com/jxc-edge/jxc/syncproto"
)

// quiet keeps the "applied migration" lines out of test output.
var quiet = sqlite.Options{Logger: slog.New(slog.DiscardHandler)}

func TestStore(t *testing.T) {
	storetest.RunStoreTests(t, func(t *testing.T, n int) []cloud.Store {
		path := filepath.Join(t.TempDir(), "cloud.db")
		stores := make([]cloud.Store, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := sqlite.Open(path, quiet)
				stores[i], errs[i] = s, err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("open store %d of %d: %v", i, n, err)
			}
			s := stores[i]
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
		}
		return stores
	})
}

// MustOpenStore opens a store in a temporary directory, closed at cleanup.
func MustOpenStore(tb testing.TB) (*sqlite.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "cloud.db")
	s, err := sqlite.Open(path, quiet)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

// TestReopen checks that what was stored survives closing and opening the
// file again, and that migrations are not applied twice.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	s, path := MustOpenStore(t)
	r := storetest.NewReplica(0xfeedface, "t", "s1")
	r.Move(t, "A", "sku", "", 7)
	r.Move(t, "A", "sku", "", 5)
	if _, err := s.ApplyBatch(ctx, r.Batch(t, 1, 2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := sqlite.Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Stock(ctx, cloud.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []cloud.StockRow{{Tenant: "t", Site: "s1", Bin: "A", SKU: "sku", Qty: 12}}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("stock after reopen: got %+v, want %+v", got, want)
	}
	reps, err := s2.Replicas(ctx, "t", "s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 || reps[0].Replica != syncproto.ReplicaID(0xfeedface) || reps[0].Watermark != 2 {
		t.Errorf("replicas after reopen: %+v", reps)
	}
}

func TestOpenBadPath(t *testing.T) {
	tests := []struct {
		name, path string
		wantErr    error
	}{
		{"empty", "", cloud.ErrInvalid},
		{"memory", ":memory:", cloud.ErrInvalid},
		{"query", filepath.Join(t.TempDir(), "a?b.db"), cloud.ErrInvalid},
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "dir", "cloud.db"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sqlite.Open(tt.path, quiet)
			if err == nil {
				s.Close()
				t.Fatal("got no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestMasterData(t *testing.T) {
	storetest.RunMasterDataTests(t, func(t *testing.T) storetest.MasterDataStore {
		s, _ := MustOpenStore(t)
		return s
	})
}

func TestAuth(t *testing.T) {
	storetest.RunAuthTests(t, func(t *testing.T) auth.Store {
		s, _ := MustOpenStore(t)
		// The suite reads the user records published for agents too.
		return storetest.WithMaster(s.Auth(), s)
	})
}

func TestIdempotency(t *testing.T) {
	storetest.RunIdempotencyTests(t, func(t *testing.T) *sqlstore.IdempotencyStore {
		s, _ := MustOpenStore(t)
		return s.Idempotency()
	})
}

// TestAuditAppendOnly checks that the database itself refuses to change or
// delete audit entries.
func TestAuditAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, path := MustOpenStore(t)
	err := s.Auth().Tx(ctx, func(tx auth.Tx) error {
		_, err := tx.AppendAudit(ctx, auth.Audit{Tenant: "t", Action: "x.y", RecordType: "x", RecordID: "1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`UPDATE audit_log SET action = 'z'`, `DELETE FROM audit_log`} {
		if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want refused", q, err)
		}
	}
}

func TestDocs(t *testing.T) {
	storetest.RunDocsTests(t, func(t *testing.T) storetest.DocsStore {
		s, _ := MustOpenStore(t)
		return s
	})
}
