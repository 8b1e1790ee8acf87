package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// IdempotencyHeader is the header that makes a POST safe to retry: the
// same key (per user) gets the first answer again instead of a second
// write.
const IdempotencyHeader = "Idempotency-Key"

// ReplayedHeader marks an answer given again for an Idempotency-Key
// ("true").
const ReplayedHeader = "Idempotent-Replayed"

// IdempotencyTTL is how long a key keeps its answer; after it the key
// may be used again for any request.
const IdempotencyTTL = 24 * time.Hour

// maxIdempotencyKey bounds a key's length in bytes.
const maxIdempotencyKey = 128

// purgeEvery is how often expired keys of every tenant are deleted, at
// the first keyed request after it passed.
const purgeEvery = 10 * time.Minute

// Idempotency keeps the answers of keyed POSTs; *sqlstore.IdempotencyStore
// has it. See its methods for what each must do.
type Idempotency interface {
	// Reserve records rec under k as pending unless k holds a record
	// created at or after expired, which it returns (with false). Of
	// concurrent calls for one key exactly one reserves it.
	Reserve(ctx context.Context, k cloud.IdempotencyKey, rec cloud.IdempotencyRecord, expired time.Time) (cloud.IdempotencyRecord, bool, error)
	// Complete stores the answer of k's pending request.
	Complete(ctx context.Context, k cloud.IdempotencyKey, rec cloud.IdempotencyRecord) error
	// Release deletes k's record if still pending.
	Release(ctx context.Context, k cloud.IdempotencyKey) error
	// Purge deletes the records created before before.
	Purge(ctx context.Context, before time.Time) (int64, error)
}

// idempotencyParam documents the header on every POST.
var idempotencyParam = &huma.Param{Name: IdempotencyHeader, In: "header",
	Description: "Makes the POST safe to retry: for 24 hours the same key (per user) gets the first answer again, " +
		"with " + ReplayedHeader + ": true, instead of a second write; the key used for another request is 422 " +
		"idempotency_mismatch, while the first still runs 409 idempotency_in_progress. One-time secrets (a generated " +
		"password, a new token) are not in a replay. 1 to 128 printable ASCII characters, such as a UUID.",
	Schema: &huma.Schema{Type: huma.TypeString, MinLength: ptr(1), MaxLength: ptr(maxIdempotencyKey)}}

func ptr[T any](v T) *T { return &v }

// secretFields are the top-level JSON fields of a request or an answer
// that are never stored with a key: passwords and one-time secrets (a
// new API token, a generated password). They are left out of the request
// body's hash (a retry differing only in them is the same request) and
// of the stored answer (a replay lacks them: they are shown once).
var secretFields = []string{"password", "old_password", "new_password", "secret"}

// idempotent runs a POST carrying an Idempotency-Key for p (next is the
// rest of the chain): it reserves the key, replays the stored answer of a
// retry, refuses the key reused for another request (422
// idempotency_mismatch) or while its first request still runs (409
// idempotency_in_progress), and stores the answer of the request it runs
// before sending it. A 2xx or 4xx answer is stored; a 5xx (or a client
// gone, 499) releases the key so that a retry runs again.
func (s *Server) idempotent(ctx huma.Context, r *http.Request, p *auth.Principal, next func(huma.Context)) {
	key, err := idempotencyKey(r.Header)
	if err != nil {
		huma.WriteErr(s.api, ctx, 0, "", err)
		return
	}
	if s.opts.Idempotency == nil {
		huma.WriteErr(s.api, ctx, 0, "", &httpx.Problem{Status: http.StatusNotImplemented, Reason: "idempotency_unavailable",
			Msg:   "this server keeps no idempotency keys; send the request without " + IdempotencyHeader,
			MsgZH: "此服务器不支持幂等键，请去掉 " + IdempotencyHeader + " 请求头后重试"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxStrictBody+1))
	if err != nil {
		huma.WriteErr(s.api, ctx, 0, "", httpx.BadRequest("bad_body", "cannot read the request body", "无法读取请求体"))
		return
	}
	if len(body) > maxStrictBody {
		huma.WriteErr(s.api, ctx, 0, "", &httpx.Problem{Status: http.StatusRequestEntityTooLarge, Reason: "too_large",
			Msg: fmt.Sprintf("the request body exceeds %d bytes", maxStrictBody), MsgZH: "请求体过大"})
		return
	}
	r.Body = readCloser{bytes.NewReader(body), r.Body}
	hash := sha256.Sum256(redact(body))
	now := time.Now()
	s.purgeKeys(ctx.Context(), now)
	k := cloud.IdempotencyKey{Tenant: p.Tenant, UserID: p.UserID, Key: key}
	rec := cloud.IdempotencyRecord{Method: r.Method, Path: r.URL.RequestURI(), BodyHash: hash[:], Created: now.UTC()}
	got, reserved, err := s.opts.Idempotency.Reserve(ctx.Context(), k, rec, now.Add(-IdempotencyTTL))
	if err != nil {
		huma.WriteErr(s.api, ctx, 0, "", err)
		return
	}
	if !reserved {
		switch {
		case got.Method != rec.Method || got.Path != rec.Path || !bytes.Equal(got.BodyHash, rec.BodyHash):
			huma.WriteErr(s.api, ctx, 0, "", &httpx.Problem{Status: http.StatusUnprocessableEntity, Reason: "idempotency_mismatch",
				Msg:   fmt.Sprintf("the %s %q was used for another request (%s %s); use a new key for a new request", IdempotencyHeader, key, got.Method, got.Path),
				MsgZH: fmt.Sprintf("幂等键 %q 已用于另一个请求（%s %s），新请求请使用新的幂等键", key, got.Method, got.Path)})
		case !got.Done:
			huma.WriteErr(s.api, ctx, 0, "", &httpx.Problem{Status: http.StatusConflict, Reason: "idempotency_in_progress",
				Msg:   fmt.Sprintf("the first request with the %s %q is still running; retry later", IdempotencyHeader, key),
				MsgZH: fmt.Sprintf("使用幂等键 %q 的第一个请求仍在处理中，请稍后重试", key)})
		default:
			replay(ctx, got)
		}
		return
	}

	// The answer is captured, stored, then sent: a client that got it and
	// retries finds it stored.
	_, w := humago.Unwrap(ctx)
	cw := httpx.NewCapture(w)
	bg := context.WithoutCancel(ctx.Context())
	defer func() {
		if v := recover(); v != nil {
			s.release(bg, k)
			panic(v)
		}
	}()
	next(humago.NewContext(ctx.Operation(), r.WithContext(ctx.Context()), cw))

	status := cw.Status()
	if status >= 200 && status < 300 || status >= 400 && status < 500 && status != httpx.StatusClientClosedRequest {
		ans := rec
		ans.Status, ans.Body = status, redact(cw.Body.Bytes())
		ans.ContentType, ans.ETag, ans.Location = cw.Header().Get("Content-Type"), cw.Header().Get("ETag"), cw.Header().Get("Location")
		if err := s.opts.Idempotency.Complete(bg, k, ans); err != nil {
			s.Log.Error("store the answer of an idempotency key", "key", key, "err", err)
			s.release(bg, k)
		}
	} else {
		s.release(bg, k)
	}
	for name, vs := range cw.Header() {
		w.Header()[name] = vs
	}
	w.WriteHeader(status)
	_, _ = w.Write(cw.Body.Bytes())
}

// release frees k after a request that may be retried, logging a failure
// (the key then answers 409 until it expires).
func (s *Server) release(ctx context.Context, k cloud.IdempotencyKey) {
	if err := s.opts.Idempotency.Release(ctx, k); err != nil {
		s.Log.Error("release an idempotency key", "key", k.Key, "err", err)
	}
}

// replay answers with a stored answer.
func replay(ctx huma.Context, rec cloud.IdempotencyRecord) {
	for name, v := range map[string]string{"Content-Type": rec.ContentType, "ETag": rec.ETag, "Location": rec.Location} {
		if v != "" {
			ctx.SetHeader(name, v)
		}
	}
	ctx.SetHeader(ReplayedHeader, "true")
	ctx.SetStatus(rec.Status)
	_, _ = ctx.BodyWriter().Write(rec.Body)
}

// purgeKeys deletes expired keys at most once per purgeEvery.
func (s *Server) purgeKeys(ctx context.Context, now time.Time) {
	last := s.lastPurge.Load()
	if now.UnixNano()-last < int64(purgeEvery) || !s.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	if n, err := s.opts.Idempotency.Purge(ctx, now.Add(-IdempotencyTTL)); err != nil {
		s.Log.Warn("purge expired idempotency keys", "err", err)
	} else if n > 0 {
		s.Log.Debug("purged expired idempotency keys", "keys", n)
	}
}

// idempotencyKey returns the one Idempotency-Key of h: 1 to 128 bytes of
// printable ASCII.
func idempotencyKey(h http.Header) (string, error) {
	vs := h.Values(IdempotencyHeader)
	ok := len(vs) == 1 && len(vs[0]) >= 1 && len(vs[0]) <= maxIdempotencyKey
	for i := 0; ok && i < len(vs[0]); i++ {
		ok = vs[0][i] >= 0x20 && vs[0][i] <= 0x7e
	}
	if !ok {
		var fe FieldErrors
		fe.Add("header."+IdempotencyHeader,
			fmt.Sprintf("one key of 1 to %d printable ASCII characters", maxIdempotencyKey),
			fmt.Sprintf("须为一个 1 到 %d 个可打印 ASCII 字符的键", maxIdempotencyKey))
		return "", fe
	}
	return vs[0], nil
}

// redact returns a JSON object body without its secretFields (its other
// fields in key order), or body itself when it is not an object or has
// none of them.
func redact(body []byte) []byte {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return body
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(trimmed, &obj) != nil {
		return body
	}
	found := false
	for _, f := range secretFields {
		if _, ok := obj[f]; ok {
			delete(obj, f)
			found = true
		}
	}
	if !found {
		return body
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return append(out, '\n')
}
