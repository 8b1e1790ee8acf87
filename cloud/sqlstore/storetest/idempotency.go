package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/sqlstore"
)

// RunIdempotencyTests runs the suite of the Idempotency-Key store against
// the store open returns. Subtests share it, each in its own tenant.
func RunIdempotencyTests(t *testing.T, open func(t *testing.T) *sqlstore.IdempotencyStore) {
	is := &idemSuite{store: open(t)}
	t.Run("ReserveCompleteReplay", is.testReserve)
	t.Run("Release", is.testRelease)
	t.Run("Expiry", is.testExpiry)
	t.Run("Concurrent", is.testConcurrent)
}

type idemSuite struct {
	store   *sqlstore.IdempotencyStore
	tenants atomic.Int64
}

func (is *idemSuite) tenant() string { return fmt.Sprintf("idem%03d", is.tenants.Add(1)) }

var idemT0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func idemRequest(body string, at time.Time) cloud.IdempotencyRecord {
	h := sha256.Sum256([]byte(body))
	return cloud.IdempotencyRecord{Method: "POST", Path: "/api/v1/users?x=1", BodyHash: h[:], Created: at}
}

func (is *idemSuite) reserve(t *testing.T, k cloud.IdempotencyKey, rec cloud.IdempotencyRecord) (cloud.IdempotencyRecord, bool) {
	t.Helper()
	got, ok, err := is.store.Reserve(context.Background(), k, rec, rec.Created.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return got, ok
}

func (is *idemSuite) testReserve(t *testing.T) {
	ctx := context.Background()
	k := cloud.IdempotencyKey{Tenant: is.tenant(), UserID: 7, Key: "order-1"}
	req := idemRequest(`{"name":"a"}`, idemT0)
	got, ok := is.reserve(t, k, req)
	if !ok || got.Done || got.Method != "POST" || !bytes.Equal(got.BodyHash, req.BodyHash) {
		t.Fatalf("first reserve: %+v, %v", got, ok)
	}
	// While it runs, the key is pending: another reserve gets the request.
	got, ok = is.reserve(t, k, idemRequest(`{"name":"b"}`, idemT0.Add(time.Second)))
	if ok || got.Done || got.Path != req.Path || !bytes.Equal(got.BodyHash, req.BodyHash) || !got.Created.Equal(idemT0) {
		t.Fatalf("reserve while pending: %+v, %v; want the first request, pending", got, ok)
	}
	// The answer, with a body that is not text, is given back whole.
	body := []byte("{\"id\":1}\n\x00\xff")
	done := req
	done.Status, done.ContentType, done.ETag, done.Location, done.Body = 201, "application/json", `"v1"`, "/api/v1/users/1", body
	if err := is.store.Complete(ctx, k, done); err != nil {
		t.Fatal(err)
	}
	got, ok = is.reserve(t, k, idemRequest(`{"name":"a"}`, idemT0.Add(time.Minute)))
	if ok || !got.Done || got.Status != 201 || got.ContentType != "application/json" || got.ETag != `"v1"` ||
		got.Location != "/api/v1/users/1" || !bytes.Equal(got.Body, body) {
		t.Fatalf("reserve after complete: %+v, %v", got, ok)
	}
	// Completing again, or releasing, a done key changes nothing.
	done.Status = 500
	if err := is.store.Complete(ctx, k, done); err != nil {
		t.Fatal(err)
	}
	if err := is.store.Release(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got, ok = is.reserve(t, k, req); ok || got.Status != 201 {
		t.Errorf("done key after complete and release: %+v, %v", got, ok)
	}
	// Keys are per tenant and user; an empty answer is kept as empty.
	for _, other := range []cloud.IdempotencyKey{{Tenant: k.Tenant, UserID: 8, Key: k.Key}, {Tenant: is.tenant(), UserID: 7, Key: k.Key}} {
		if _, ok := is.reserve(t, other, req); !ok {
			t.Errorf("key %+v taken by %+v", other, k)
		}
		if err := is.store.Complete(ctx, other, cloud.IdempotencyRecord{Status: 204}); err != nil {
			t.Fatal(err)
		}
		if got, _ := is.reserve(t, other, req); !got.Done || got.Status != 204 || len(got.Body) != 0 {
			t.Errorf("empty answer: %+v", got)
		}
	}
}

func (is *idemSuite) testRelease(t *testing.T) {
	ctx := context.Background()
	k := cloud.IdempotencyKey{Tenant: is.tenant(), UserID: 1, Key: "k"}
	if _, ok := is.reserve(t, k, idemRequest("x", idemT0)); !ok {
		t.Fatal("not reserved")
	}
	if err := is.store.Release(ctx, k); err != nil {
		t.Fatal(err)
	}
	// Released: the retry runs, and may be another request.
	if got, ok := is.reserve(t, k, idemRequest("y", idemT0)); !ok || got.Done {
		t.Errorf("after release: %+v, %v; want reserved again", got, ok)
	}
}

func (is *idemSuite) testExpiry(t *testing.T) {
	ctx := context.Background()
	tenant := is.tenant()
	old := cloud.IdempotencyKey{Tenant: tenant, UserID: 1, Key: "old"}
	young := cloud.IdempotencyKey{Tenant: tenant, UserID: 1, Key: "young"}
	is.reserve(t, old, idemRequest("a", idemT0))
	if err := is.store.Complete(ctx, old, cloud.IdempotencyRecord{Status: 201, Body: []byte("first")}); err != nil {
		t.Fatal(err)
	}
	is.reserve(t, young, idemRequest("a", idemT0.Add(23*time.Hour)))
	// A day later the old key is free again, for any request.
	later := idemT0.Add(24*time.Hour + time.Millisecond)
	if got, ok := is.reserve(t, old, idemRequest("b", later)); !ok || got.Done || !got.Created.Equal(later) {
		t.Errorf("expired key: %+v, %v; want reserved anew", got, ok)
	}
	if _, ok := is.reserve(t, young, idemRequest("a", later)); ok {
		t.Error("a key 1 h old was reserved again")
	}
	// Purge drops what is older than the bound, of every tenant.
	n, err := is.store.Purge(ctx, idemT0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n < 1 {
		t.Errorf("purged %d keys, want at least the young one", n)
	}
	if _, ok := is.reserve(t, young, idemRequest("a", later)); !ok {
		t.Error("purged key not free")
	}
	if _, ok := is.reserve(t, old, idemRequest("b", later)); ok {
		t.Error("purge dropped a key newer than the bound")
	}
}

func (is *idemSuite) testConcurrent(t *testing.T) {
	k := cloud.IdempotencyKey{Tenant: is.tenant(), UserID: 3, Key: "same"}
	const n = 8
	var wg sync.WaitGroup
	var won atomic.Int64
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := is.store.Reserve(context.Background(), k, idemRequest("x", idemT0), idemT0.Add(-24*time.Hour))
			if err != nil {
				errs <- err
				return
			}
			if ok {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if won.Load() != 1 {
		t.Errorf("%d of %d concurrent reserves won, want 1", won.Load(), n)
	}
}
