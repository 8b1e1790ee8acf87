// Package httpapi is the edge agent's local HTTP API: handhelds, tills,
// gates and scripts on the site's LAN record movements and counts, sign
// in, and read stock and sync state through it. The operations are
// declared with huma, which generates the OpenAPI 3.1 document
// (GET /api/v1/openapi.json) from the Go types; other packages add theirs
// to the same API (API, Register). Every answer is JSON; errors carry an
// English and a Chinese message (Error). A write is answered 201 only once
// its event is durable in the ledger.
//
// Who may call what: every write (any method but GET and HEAD) needs a
// signed-in user (POST /api/v1/session, then Authorization: Bearer …) or a
// device token; reads stay open to the site's LAN, except the list of the
// site's users and the session itself. Handlers learn the caller from
// agent/session (session.From) and demand a permission with Require.
package httpapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/internal/humax"
)

// MaxBodyBytes is the largest request body accepted; larger ones get 413.
const MaxBodyBytes = 64 << 10

// MaxProductsBodyBytes is the largest body of PUT /api/v1/products, a list
// of catalogue entries (about 10,000 at ~100 bytes each).
const MaxProductsBodyBytes = 1 << 20

// OpenAPIPath is where the OpenAPI document is served (.json; .yaml too).
const OpenAPIPath = "/api/v1/openapi"

// SyncStatus reports the state of the agent's link to the cloud.
type SyncStatus interface {
	// Connected reports whether the agent is connected to the broker now.
	Connected() bool
}

// Options configures a Server.
type Options struct {
	// Sync reports the link; nil reports connected: false.
	Sync SyncStatus
	// Log may be nil to discard logs.
	Log *slog.Logger
	// Auth keeps sessions, device tokens and sign-in failures and reads
	// the site's users (agent/sqlite's AuthStore). Without it only
	// DeviceTokens authenticate and sign-in answers 503.
	Auth AuthStore
	// DeviceTokens are device tokens given at start (name → token), for
	// zero-setup use (jxc demo, tests, JXC_DEVICE_TOKEN), besides those
	// made with `jxc-agent token add`.
	DeviceTokens map[string]string
	// SessionIdle ends a session not used for this long (default
	// DefaultSessionIdle).
	SessionIdle time.Duration
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
}

// Server serves the agent's HTTP API. Create it with New.
type Server struct {
	ledger  agent.Ledger
	opts    Options
	devices Devices
	master  MasterLister
	api     huma.API
	// devTokens maps the SHA-256 of each token of Options.DeviceTokens
	// to its name.
	devTokens map[[32]byte]string
	base      *httpx.API
	log       *slog.Logger
}

// New returns a server over ledger.
func New(l agent.Ledger, opts Options) *Server {
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = DefaultSessionIdle
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{base: httpx.NewAPI("agent", opts.Log), ledger: l, opts: opts, devTokens: make(map[[32]byte]string)}
	s.log = s.base.Log
	for name, tok := range opts.DeviceTokens {
		s.devTokens[HashToken(tok)] = name
	}
	cfg := huma.DefaultConfig("JXC Edge agent API 边缘节点接口", "1")
	cfg.Info.Description = "The local API of one edge agent (a store's or warehouse's replica), on the site's LAN. " +
		"Every write needs `Authorization: Bearer …`: a session token from POST /api/v1/session (a user of the site, " +
		"checked offline against the users the cloud publishes) or a device token (`jxc-agent token add NAME`). " +
		"Reads are open on the LAN, except the site's users and the session. Errors are one JSON shape (Error) with an " +
		"English and a Chinese message, a code and, when a field is at fault, its name. " +
		"本地接口：写操作需登录（会话令牌）或设备令牌；读操作在局域网内开放。"
	cfg.OpenAPIPath = OpenAPIPath
	cfg.DocsPath = "" // jxc-agent serves /api/docs from the console's build (agentapp)
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil // no $schema links added to bodies
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer",
			Description: "A session token (POST /api/v1/session) or a device token (jxc-agent token add)."},
	}
	s.api = humago.New(s.base, cfg)
	s.api.UseMiddleware(s.middleware)
	if m, ok := l.(MasterLister); ok {
		s.master = m
	}
	s.registerRecords()
	s.registerStock()
	s.registerProducts()
	s.registerMaster()
	s.registerDevices()
	s.registerSession()
	return s
}

// API returns the huma API, for other packages to add operations to
// (with Register, or huma.Register and the same rules: a write needs a
// caller). Add them before serving.
func (s *Server) API() huma.API { return s.api }

// Handler returns the HTTP handler of the API.
func (s *Server) Handler() http.Handler { return s.base.Handler() }

// ServeHTTP serves r, so that a *Server is an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.base.ServeHTTP(w, r) }

// HandleFunc serves pattern (http.ServeMux syntax) with f beside the
// API's operations, outside its OpenAPI document (a docs page).
func (s *Server) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	s.base.HandleFunc(pattern, f)
}

// AddMetrics appends f to the /metrics page (httpx.API.AddMetrics).
func (s *Server) AddMetrics(f func(w io.Writer)) { s.base.AddMetrics(f) }

// Access says who may call an operation.
type Access int

const (
	// AccessDefault is AccessCaller for writes and AccessOpen for reads.
	AccessDefault Access = iota
	// AccessOpen lets anyone on the LAN call.
	AccessOpen
	// AccessCaller needs a signed-in user or a device token.
	AccessCaller
	// AccessUser needs a signed-in user (not a device).
	AccessUser
)

const accessKey = "access"

// bodyKey names the metadata holding an operation's body check.
const bodyKey = "strictBody"

// strictBody is how the middleware checks a body before huma reads it.
type strictBody struct {
	typ reflect.Type
	max int64
}

// checker is a request body with rules beyond its schema, checked
// before the handler runs so that their refusal names the field.
type checker interface{ check() error }

// Register adds an operation to s's API, as huma.Register does, with
// access the callers it admits (the perms a handler needs it checks with
// Require). A JSON body (the input's Body field) is decoded strictly
// before huma reads it: exactly one value, no unknown or repeated field,
// integers for integer fields, op.MaxBodyBytes at most (default
// MaxBodyBytes; 413 beyond), each refusal naming the field.
func Register[I, O any](s *Server, op huma.Operation, access Access, h func(context.Context, *I) (*O, error)) {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[accessKey] = access
	if op.MaxBodyBytes == 0 {
		op.MaxBodyBytes = MaxBodyBytes
	}
	if f, ok := reflect.TypeFor[I]().FieldByName("Body"); ok {
		op.Metadata[bodyKey] = strictBody{typ: f.Type, max: op.MaxBodyBytes}
		// The strict check refuses a body above the limit first; huma's
		// own check refuses one of exactly the limit.
		op.MaxBodyBytes++
	}
	if needsCaller(op.Method, access) {
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
	}
	huma.Register(s.api, op, h)
}

func needsCaller(method string, a Access) bool {
	switch a {
	case AccessOpen:
		return false
	case AccessCaller, AccessUser:
		return true
	}
	return method != http.MethodGet && method != http.MethodHead
}

type requestKey struct{}

// requestOf returns the HTTP request of a handler's context.
func requestOf(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	return r
}

// middleware runs before every operation: it makes the API's errors
// (errors.go), sets nosniff, authenticates the caller (auth.go) and
// refuses a write without one, and decodes a JSON body strictly.
func (s *Server) middleware(ctx huma.Context, next func(huma.Context)) {
	r, w := humago.Unwrap(ctx)
	ctx = humax.WithErrors(huma.WithValue(ctx, requestKey{}, r), s.newError)
	ctx.SetHeader("X-Content-Type-Options", "nosniff")
	op := ctx.Operation()
	access, _ := op.Metadata[accessKey].(Access)
	u, err := s.authenticate(r)
	if err != nil {
		huma.WriteErr(s.api, ctx, 0, "", err)
		return
	}
	switch {
	case u == nil && needsCaller(op.Method, access):
		huma.WriteErr(s.api, ctx, 0, "", errUnauthenticated)
		return
	case u != nil && u.Device && access == AccessUser:
		huma.WriteErr(s.api, ctx, 0, "", errNotDevice)
		return
	case u != nil:
		ctx = withCaller(ctx, u)
	}
	if sb, ok := op.Metadata[bodyKey].(strictBody); ok {
		if err := checkBody(w, r, sb); err != nil {
			huma.WriteErr(s.api, ctx, 0, "", err)
			return
		}
	} else if p := duplicateKeys(r); p != nil {
		huma.WriteErr(s.api, ctx, 0, "", p)
		return
	}
	next(ctx)
}

// checkBody decodes r's body into a new value of sb.typ with
// httpx.DecodeJSON (whose refusals keep the agent API's codes) and runs
// its check, then puts the body back for huma, marked as JSON: the
// agent never required a Content-Type.
func checkBody(w http.ResponseWriter, r *http.Request, sb strictBody) error {
	var buf bytes.Buffer
	r.Body = readCloser{io.TeeReader(r.Body, &buf), r.Body}
	dst := reflect.New(sb.typ)
	if err := httpx.DecodeJSON(w, r, dst.Interface(), sb.max); err != nil {
		return err
	}
	if c, ok := dst.Interface().(checker); ok {
		if err := c.check(); err != nil {
			return err
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	r.Header.Set("Content-Type", "application/json")
	return nil
}

// maxDupCheck is how much of a body duplicateKeys reads of an operation
// registered without Register; a longer one is left to huma's limit.
const maxDupCheck = 1 << 20

// duplicateKeys refuses a body of an operation registered with
// huma.Register directly that repeats a key (huma keeps the last one
// without a word), putting the body back.
func duplicateKeys(r *http.Request) *httpx.Problem {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, maxDupCheck+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if err != nil || len(head) > maxDupCheck {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
		return nil
	}
	return httpx.DuplicateKeys(head)
}

type readCloser struct {
	io.Reader
	io.Closer
}
