package postgres_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/postgres"
	"github.com/jxc-edge/jxc/cloud/sqlstore"
	"github.com/jxc-edge/jxc/cloud/sqlstore/storetest"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// openStores opens n stores on one new database at the same time, as n
// cloud processes starting together would: their migrations race. It
// returns the stores and the database's DSN.
func openStores(t testing.TB, n int) ([]*postgres.Store, string) {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(context.Background(), dsn, postgres.Options{Logger: slog.New(slog.DiscardHandler)})
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
	return stores, dsn
}

func TestStore(t *testing.T) {
	storetest.RunStoreTests(t, func(t *testing.T, n int) []cloud.Store {
		var out []cloud.Store
		stores, _ := openStores(t, n)
		for _, s := range stores {
			out = append(out, s)
		}
		return out
	})
}

// TestOpenConcurrently opens several stores on a fresh database at once: the
// migrations must be applied exactly once and every Open must succeed.
func TestOpenConcurrently(t *testing.T) {
	ctx := context.Background()
	stores, dsn := openStores(t, 4)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ms, err := sqlstore.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	var rows, versions int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || versions != len(ms) {
		t.Errorf("schema_migrations has %d rows of %d versions, want %d", rows, versions, len(ms))
	}

	r := storetest.NewReplica(0xabc, "t", "s1")
	r.Move(t, "A", "sku", "", 3)
	for i, s := range stores {
		got, err := s.ApplyBatch(ctx, r.Batch(t, 1, 1))
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		if got.Watermark != 1 || (i == 0) != (len(got.Inserted) == 1) {
			t.Errorf("store %d: %+v", i, got)
		}
	}
}

func TestMasterData(t *testing.T) {
	storetest.RunMasterDataTests(t, func(t *testing.T) storetest.MasterDataStore {
		stores, _ := openStores(t, 1)
		return stores[0]
	})
}

func TestAuth(t *testing.T) {
	storetest.RunAuthTests(t, func(t *testing.T) auth.Store {
		stores, _ := openStores(t, 1)
		// The suite reads the user records published for agents too.
		return storetest.WithMaster(stores[0].Auth(), stores[0])
	})
}

func TestIdempotency(t *testing.T) {
	storetest.RunIdempotencyTests(t, func(t *testing.T) *sqlstore.IdempotencyStore {
		stores, _ := openStores(t, 1)
		return stores[0].Idempotency()
	})
}

// TestAuditAppendOnly checks that the database itself refuses to change or
// delete audit entries.
func TestAuditAppendOnly(t *testing.T) {
	ctx := context.Background()
	stores, dsn := openStores(t, 1)
	err := stores[0].Auth().Tx(ctx, func(tx auth.Tx) error {
		_, err := tx.AppendAudit(ctx, auth.Audit{Tenant: "t", Action: "x.y", RecordType: "x", RecordID: "1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{`UPDATE audit_log SET action = 'z'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := conn.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want refused", q, err)
		}
	}
}

func TestDocs(t *testing.T) {
	storetest.RunDocsTests(t, func(t *testing.T) storetest.DocsStore {
		stores, _ := openStores(t, 1)
		return stores[0]
	})
}
