// Package httpapi is the cloud's HTTP API: sign-in, on-hand stock across
// replicas, the replicas the cloud knows and count conflicts, with health
// and Prometheus metrics. The operations are declared with huma, which
// generates the OpenAPI 3.1 document (/api/v1/openapi.json) from the Go
// types and serves browsable docs (/api/docs). Every operation but
// sign-in needs a session cookie or an API token with the operation's
// permission; every answer is JSON, errors carry an English and a Chinese
// message (Error).
package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/internal/httpx"
	"github.com/jxc-edge/jxc/internal/humax"
	"github.com/jxc-edge/jxc/syncproto"
)

// SessionCookie is the name of the browser session's cookie.
const SessionCookie = "jxc_session"

// CSRFHeader is the header a browser write must carry, holding the
// csrf_token given at sign-in.
const CSRFHeader = "X-CSRF-Token"

// MetricsPermission is what reading /metrics needs unless Options.MetricsOpen.
const MetricsPermission auth.Permission = "audit.view"

// Auth is what the API needs of the accounts service; *auth.Service has it.
type Auth interface {
	SignIn(ctx context.Context, tenant, name, password, addr string) (auth.SignedIn, error)
	SignOut(ctx context.Context, token string) error
	AuthenticateSession(ctx context.Context, token, addr string) (*auth.Principal, error)
	AuthenticateToken(ctx context.Context, token, addr string) (*auth.Principal, error)
	ChangePassword(ctx context.Context, p *auth.Principal, old, new string) error
	CreateToken(ctx context.Context, p *auth.Principal, nt auth.NewToken) (auth.APIToken, string, error)
	Tokens(ctx context.Context, p *auth.Principal, userID int64) ([]auth.APIToken, error)
	RevokeToken(ctx context.Context, p *auth.Principal, tokenID int64) error

	// Administration (admin.go): users, roles, lockouts, the audit log.
	CreateUser(ctx context.Context, p *auth.Principal, nu auth.NewUser) (auth.User, string, error)
	Users(ctx context.Context, p *auth.Principal) ([]auth.User, error)
	User(ctx context.Context, p *auth.Principal, userID int64) (auth.User, error)
	UpdateUser(ctx context.Context, p *auth.Principal, userID int64, c auth.UserChange) (auth.User, error)
	SetPassword(ctx context.Context, p *auth.Principal, userID int64, password string) (string, error)
	Roles(ctx context.Context, p *auth.Principal) ([]auth.Role, error)
	CreateRole(ctx context.Context, p *auth.Principal, r auth.Role) (auth.Role, error)
	UpdateRole(ctx context.Context, p *auth.Principal, r auth.Role) (auth.Role, error)
	DeleteRole(ctx context.Context, p *auth.Principal, name string) error
	Lockouts(ctx context.Context, p *auth.Principal, since time.Time) ([]auth.Lockout, error)
	ClearLockout(ctx context.Context, p *auth.Principal, lockoutID int64) error
	SearchAudit(ctx context.Context, p *auth.Principal, f auth.AuditFilter) ([]auth.Audit, error)
	ExportAudit(ctx context.Context, p *auth.Principal, f auth.AuditFilter, w io.Writer) error
}

var _ Auth = (*auth.Service)(nil)

// Options configures a Server.
type Options struct {
	// Log may be nil to discard logs.
	Log *slog.Logger
	// DefaultTenant is the tenant of a sign-in that names none.
	DefaultTenant string
	// MetricsOpen serves /metrics to anyone; otherwise it needs a
	// principal with MetricsPermission.
	MetricsOpen bool
	// MasterData serves the master data API when set.
	MasterData *masterdata.Service
	// Docs serves the documents API (purchase orders) when set.
	Docs *docs.Service
	// Idempotency keeps the answers of POSTs sent with an
	// Idempotency-Key (idempotency.go); when nil such a POST is refused
	// (501 idempotency_unavailable), never run without the guarantee.
	Idempotency Idempotency
}

// Server serves the cloud's HTTP API. Create it with New.
type Server struct {
	store cloud.Store
	auth  Auth
	opts  Options
	api   huma.API
	// lastPurge is when expired idempotency keys were last purged (Unix ns).
	lastPurge atomic.Int64
	*httpx.API
}

// New returns a server over store, authenticating with a.
func New(store cloud.Store, a Auth, opts Options) *Server {
	s := &Server{API: httpx.NewAPI("cloud", opts.Log), store: store, auth: a, opts: opts}
	cfg := huma.DefaultConfig("JXC Edge cloud API 云端接口", "1")
	cfg.Info.Description = "Every operation but sign-in needs the session cookie " + SessionCookie +
		" (browser writes also the " + CSRFHeader + " header) or an `Authorization: Bearer jxc_…` API token. " +
		"Errors are one JSON shape (Error) with an English and a Chinese message. " +
		"Every POST but sign-in takes an " + IdempotencyHeader + " header: a retry with the same key gets the first answer " +
		"(marked " + ReplayedHeader + ": true) instead of writing twice."
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = "" // the console serves /api/docs from its own files (cloud/webui)
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil // no $schema links added to bodies
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie, Description: "Set by POST /api/v1/auth/login."},
		"token":   {Type: "http", Scheme: "bearer", Description: "An API token jxc_…, made by a user for an integration."},
	}
	s.api = humago.New(s.API, cfg)
	s.api.UseMiddleware(s.middleware)
	s.SetMetricsGuard(s.guardMetrics)

	open := map[string]any{"open": true}
	huma.Register(s.api, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz",
		Summary: "Health 健康检查", Metadata: open, Tags: []string{"system"}}, s.health)
	huma.Register(s.api, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login",
		Summary: "Sign in 登录", Metadata: open, Tags: []string{"auth"},
		Description: "Checks the password and sets the HttpOnly session cookie. Failures are answered after a delay " +
			"that grows with repeated failures; a locked user name or address gets 429 with Retry-After.",
		Errors: []int{400, 401, 403, 429}}, s.login)
	register(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout",
		Summary: "Sign out 退出登录", Tags: []string{"auth"}}, nil, s.logout)
	register(s, huma.Operation{OperationID: "me", Method: http.MethodGet, Path: "/api/v1/auth/me",
		Summary: "The signed-in user 当前用户", Tags: []string{"auth"}}, nil, s.me)
	register(s, huma.Operation{OperationID: "change-password", Method: http.MethodPost, Path: "/api/v1/auth/password",
		Summary: "Change one's own password 修改密码", Tags: []string{"auth"}}, nil, s.changePassword)
	register(s, huma.Operation{OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/auth/tokens",
		Summary: "One's own API tokens 我的 API 令牌", Tags: []string{"auth"}}, nil, s.tokens)
	register(s, huma.Operation{OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/auth/tokens",
		Summary: "Make an API token 创建 API 令牌", Tags: []string{"auth"}, DefaultStatus: http.StatusCreated,
		Description: "Only a signed-in user (not a token) may; the permissions must be the caller's. The secret is shown once."},
		nil, s.createToken)
	register(s, huma.Operation{OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/auth/tokens/{id}",
		Summary: "Revoke an API token 吊销 API 令牌", Tags: []string{"auth"},
		Description: "One's own tokens; others' need user.edit."}, nil, s.revokeToken)
	register(s, huma.Operation{OperationID: "stock", Method: http.MethodGet, Path: "/api/v1/stock",
		Summary: "On-hand stock 库存", Tags: []string{"stock"}}, []auth.Permission{"stock.view"}, s.stock)
	register(s, huma.Operation{OperationID: "replicas", Method: http.MethodGet, Path: "/api/v1/replicas",
		Summary: "Agents' replicas 边缘节点副本", Tags: []string{"devices"}}, []auth.Permission{"device.view"}, s.replicas)
	register(s, huma.Operation{OperationID: "count-conflicts", Method: http.MethodGet, Path: "/api/v1/count-conflicts",
		Summary: "Stocktake conflicts 盘点冲突", Tags: []string{"inventory"}}, []auth.Permission{"inventory.view"}, s.countConflicts)
	register(s, huma.Operation{OperationID: "epc", Method: http.MethodGet, Path: "/api/v1/epcs/{epc}",
		Summary: "Where an RFID-tagged item is 单品位置", Tags: []string{"stock"}}, []auth.Permission{"stock.view"}, s.epc)
	s.registerAdmin()
	if opts.MasterData != nil {
		s.registerMasterData()
	}
	s.registerDevices()
	if opts.Docs != nil {
		s.registerDocs()
	}
	return s
}

// register adds an operation that needs a principal holding one of perms
// (any principal when perms is empty).
func register[I, O any](s *Server, op huma.Operation, perms []auth.Permission, h func(context.Context, *I) (*O, error)) {
	op.Metadata = map[string]any{"permissions": perms}
	op.Security = []map[string][]string{{"session": {}}, {"token": {}}}
	if len(perms) > 0 {
		names := make([]string, len(perms))
		for i, p := range perms {
			names[i] = string(p)
		}
		op.Description = strings.TrimSpace(op.Description + "\n\nNeeds the permission " + strings.Join(names, " or ") + ".")
	}
	op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
	if op.Method == http.MethodPost {
		op.Parameters = append(op.Parameters, idempotencyParam)
		op.Errors = append(op.Errors, http.StatusConflict, http.StatusUnprocessableEntity)
	}
	huma.Register(s.api, op, h)
}

type principalKey struct{}

// principalOf returns the principal the middleware authenticated.
func principalOf(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

// clientAddr is the client's address from the connection. A proxy's
// forwarding header is not trusted.
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// authenticate returns the principal of r: a bearer API token, else the
// session cookie; ErrUnauthenticated without either.
func (s *Server) authenticate(r *http.Request) (*auth.Principal, error) {
	addr := clientAddr(r)
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return nil, &auth.Error{Err: auth.ErrUnauthenticated, Msg: "the Authorization header must be Bearer jxc_…",
				MsgZH: "Authorization 请求头须为 Bearer jxc_…"}
		}
		return s.auth.AuthenticateToken(r.Context(), strings.TrimSpace(token), addr)
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return s.auth.AuthenticateSession(r.Context(), c.Value, addr)
	}
	return nil, &auth.Error{Err: auth.ErrUnauthenticated, Msg: "sign in first, or send an API token",
		MsgZH: "请先登录，或提供 API 令牌"}
}

// authorize authenticates r, checks the CSRF header of a browser write and
// that the principal holds one of perms.
func (s *Server) authorize(r *http.Request, perms []auth.Permission) (*auth.Principal, error) {
	p, err := s.authenticate(r)
	if err != nil {
		return nil, err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if err := auth.CheckCSRF(p, r.Header.Get(CSRFHeader)); err != nil {
			return nil, err
		}
	}
	if len(perms) == 0 {
		return p, nil
	}
	var first error
	for _, perm := range perms {
		err := p.Can(perm)
		if err == nil {
			return p, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// middleware runs before every operation: it puts the server in the
// context (for the error hook), sets nosniff and, unless the operation is
// open, authenticates and authorizes the request, and runs a POST with an
// Idempotency-Key at most once (idempotent). Sign-in, being open, has no
// principal to keep keys for and ignores the header.
func (s *Server) middleware(ctx huma.Context, next func(huma.Context)) {
	r, _ := humago.Unwrap(ctx)
	ctx = humax.WithErrors(huma.WithValue(huma.WithValue(ctx, serverKey{}, s), requestKey{}, r), newError)
	ctx.SetHeader("X-Content-Type-Options", "nosniff")
	if p := strictBody(r); p != nil {
		huma.WriteErr(s.api, ctx, 0, "", p)
		return
	}
	op := ctx.Operation()
	if op.Metadata["open"] == true {
		next(ctx)
		return
	}
	perms, _ := op.Metadata["permissions"].([]auth.Permission)
	p, err := s.authorize(r, perms)
	if err != nil {
		huma.WriteErr(s.api, ctx, 0, "", err)
		return
	}
	ctx = huma.WithValue(ctx, principalKey{}, p)
	if r.Method == http.MethodPost && len(r.Header.Values(IdempotencyHeader)) > 0 {
		s.idempotent(ctx, r, p, next)
		return
	}
	next(ctx)
}

// maxStrictBody is how much of a request body strictBody reads; a longer
// one is left to huma's own body limit.
const maxStrictBody = 1 << 20

// strictBody refuses a JSON body that repeats a key, as the agent's API
// does (httpx.DecodeJSON): huma refuses unknown fields itself, but its
// decoder keeps the last of two equal keys without a word. The body is
// read and put back for huma.
func strictBody(r *http.Request) *httpx.Problem {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	head, err := io.ReadAll(io.LimitReader(r.Body, maxStrictBody+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	if err != nil || len(head) > maxStrictBody {
		return nil
	}
	return httpx.DuplicateKeys(head)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// guardMetrics lets /metrics through when open or for a principal with
// MetricsPermission.
func (s *Server) guardMetrics(w http.ResponseWriter, r *http.Request) bool {
	if s.opts.MetricsOpen {
		return true
	}
	if _, err := s.authorize(r, []auth.Permission{MetricsPermission}); err != nil {
		e := mapDomain(err)
		s.Fail(w, r, e.problem(), err)
		return false
	}
	return true
}

// Health is the body of GET /healthz.
type Health struct {
	Status string `json:"status" example:"ok"`
}

// HealthOutput is the answer of GET /healthz.
type HealthOutput struct{ Body Health }

func (s *Server) health(ctx context.Context, _ *struct{}) (*HealthOutput, error) {
	return &HealthOutput{Body: Health{Status: "ok"}}, nil
}

// StockInput filters GET /api/v1/stock.
type StockInput struct {
	Tenant string `query:"tenant" doc:"Must be the caller's tenant when given."`
	Site   string `query:"site" doc:"Only this site; it must be in the caller's data scope."`
	SKU    string `query:"sku"`
	Bin    string `query:"bin"`
}

// StockResponse is the body of GET /api/v1/stock.
type StockResponse struct {
	Rows []cloud.StockRow `json:"rows"`
}

// StockOutput is the answer of GET /api/v1/stock.
type StockOutput struct{ Body StockResponse }

// sites returns the sites a list asked for site may show to p: site alone
// (refused when outside p's scope), every site (nil, all true) or p's
// sites.
func sites(p *auth.Principal, site string) (list []string, all bool, err error) {
	if site != "" {
		if err := p.CanSite(site); err != nil {
			return nil, false, err
		}
		return []string{site}, false, nil
	}
	if p.Scope.All {
		return nil, true, nil
	}
	return p.Scope.Sites, false, nil
}

// checkTenant refuses a tenant query parameter other than p's tenant.
func checkTenant(p *auth.Principal, tenant string) error {
	if tenant == "" || tenant == p.Tenant {
		return nil
	}
	return &auth.Error{Err: auth.ErrForbidden, Msg: fmt.Sprintf("tenant %q is not yours", tenant),
		MsgZH: fmt.Sprintf("租户 %q 不是您所属的租户", tenant)}
}

func (s *Server) stock(ctx context.Context, in *StockInput) (*StockOutput, error) {
	p := principalOf(ctx)
	if err := checkNames(in.Tenant, in.Site); err != nil {
		return nil, err
	}
	if err := checkTenant(p, in.Tenant); err != nil {
		return nil, err
	}
	list, all, err := sites(p, in.Site)
	if err != nil {
		return nil, err
	}
	f := cloud.StockFilter{Tenant: p.Tenant, SKU: in.SKU, Bin: in.Bin}
	if all {
		list = []string{""}
	}
	rows := []cloud.StockRow{}
	for _, site := range list {
		f.Site = site
		rs, err := s.store.Stock(ctx, f)
		if err != nil {
			return nil, err
		}
		rows = append(rows, rs...)
	}
	return &StockOutput{Body: StockResponse{Rows: rows}}, nil
}

// ReplicasInput filters GET /api/v1/replicas.
type ReplicasInput struct {
	Tenant string `query:"tenant" doc:"Must be the caller's tenant when given."`
	Site   string `query:"site" doc:"Only this site; it must be in the caller's data scope."`
}

// ReplicasResponse is the body of GET /api/v1/replicas.
type ReplicasResponse struct {
	Replicas []cloud.ReplicaInfo `json:"replicas"`
}

// ReplicasOutput is the answer of GET /api/v1/replicas.
type ReplicasOutput struct{ Body ReplicasResponse }

func (s *Server) replicas(ctx context.Context, in *ReplicasInput) (*ReplicasOutput, error) {
	p := principalOf(ctx)
	if err := checkNames(in.Tenant, in.Site); err != nil {
		return nil, err
	}
	if err := checkTenant(p, in.Tenant); err != nil {
		return nil, err
	}
	if in.Site != "" {
		if err := p.CanSite(in.Site); err != nil {
			return nil, err
		}
	}
	// The store filters only by tenant and site together; with one of
	// them, ask for all and filter here.
	var rs []cloud.ReplicaInfo
	var err error
	if in.Site != "" {
		rs, err = s.store.Replicas(ctx, p.Tenant, in.Site)
	} else {
		rs, err = s.store.Replicas(ctx, "", "")
	}
	if err != nil {
		return nil, err
	}
	out := make([]cloud.ReplicaInfo, 0, len(rs))
	for _, ri := range rs {
		if ri.Tenant != p.Tenant || !p.Scope.Allows(ri.Site) || (in.Site != "" && ri.Site != in.Site) {
			continue
		}
		ri.ID = ri.Replica.String()
		out = append(out, ri)
	}
	return &ReplicasOutput{Body: ReplicasResponse{Replicas: out}}, nil
}

// ConflictsInput filters GET /api/v1/count-conflicts.
type ConflictsInput struct {
	Tenant string `query:"tenant" doc:"Must be the caller's tenant when given."`
	Site   string `query:"site" doc:"Only this site; it must be in the caller's data scope."`
	SKU    string `query:"sku"`
	Bin    string `query:"bin"`
	Status string `query:"status" enum:"open,all" doc:"open: only conflicts still open; all (default): every one."`
}

// CountConflictsResponse is the body of GET /api/v1/count-conflicts.
type CountConflictsResponse struct {
	Conflicts []cloud.CountConflict `json:"conflicts"`
}

// ConflictsOutput is the answer of GET /api/v1/count-conflicts.
type ConflictsOutput struct{ Body CountConflictsResponse }

func (s *Server) countConflicts(ctx context.Context, in *ConflictsInput) (*ConflictsOutput, error) {
	p := principalOf(ctx)
	if err := checkNames(in.Tenant, in.Site); err != nil {
		return nil, err
	}
	if err := checkTenant(p, in.Tenant); err != nil {
		return nil, err
	}
	f := cloud.ConflictFilter{Tenant: p.Tenant, SKU: in.SKU, Bin: in.Bin, Open: in.Status == "open"}
	list, all, err := sites(p, in.Site)
	if err != nil {
		return nil, err
	}
	if all {
		list = []string{""}
	}
	cs := []cloud.CountConflict{}
	for _, site := range list {
		f.Site = site
		c, err := s.store.CountConflicts(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("count conflicts: %w", err)
		}
		cs = append(cs, c...)
	}
	return &ConflictsOutput{Body: CountConflictsResponse{Conflicts: cs}}, nil
}

// EPCInput names the item of GET /api/v1/epcs/{epc}.
type EPCInput struct {
	EPC    string `path:"epc" maxLength:"128" doc:"The item's EPC, as its tag reports it."`
	Tenant string `query:"tenant" doc:"Must be the caller's tenant when given."`
}

// EPCOutput is the answer of GET /api/v1/epcs/{epc}.
type EPCOutput struct{ Body cloud.EPCLocation }

func (s *Server) epc(ctx context.Context, in *EPCInput) (*EPCOutput, error) {
	p := principalOf(ctx)
	if err := checkNames(in.Tenant, ""); err != nil {
		return nil, err
	}
	if err := checkTenant(p, in.Tenant); err != nil {
		return nil, err
	}
	if len(in.EPC) > maxEPCLen || !printable(in.EPC) {
		return nil, httpx.BadRequest("bad_epc",
			fmt.Sprintf("EPC %q: at most %d printable characters", in.EPC, maxEPCLen),
			fmt.Sprintf("EPC %q 无效：最多 %d 个可打印字符", in.EPC, maxEPCLen))
	}
	loc, ok, err := s.store.EPCLocation(ctx, p.Tenant, in.EPC)
	if err != nil {
		return nil, fmt.Errorf("epc location: %w", err)
	}
	// An item last seen at a site outside the scope is not shown, as if
	// unknown: its existence is that site's data.
	if !ok || !p.Scope.Allows(loc.Site) {
		return nil, &httpx.Problem{Status: http.StatusNotFound, Reason: "unknown_epc",
			Msg:   fmt.Sprintf("no movement of EPC %q is stored", in.EPC),
			MsgZH: fmt.Sprintf("没有 EPC %q 的出入库记录", in.EPC)}
	}
	return &EPCOutput{Body: loc}, nil
}

// maxEPCLen bounds the EPC in a path: a 96-bit EPC is 24 hex digits, the
// longest (496-bit) 124.
const maxEPCLen = 128

// printable reports whether v is valid UTF-8 without control characters.
func printable(v string) bool {
	for _, c := range v {
		if c == utf8.RuneError || unicode.IsControl(c) {
			return false
		}
	}
	return utf8.ValidString(v)
}

// checkNames checks the tenant and site query parameters that are given.
func checkNames(tenant, site string) error {
	for _, p := range []struct{ param, value string }{{"tenant", tenant}, {"site", site}} {
		if p.value == "" {
			continue
		}
		if err := syncproto.ValidName(p.value); err != nil {
			return httpx.BadRequest("bad_query",
				fmt.Sprintf("query parameter %q: %s", p.param, strings.TrimPrefix(err.Error(), syncproto.ErrBadName.Error()+": ")),
				fmt.Sprintf("查询参数 %q 无效：名称须为 1 到 64 字节，且不能包含 / + # $ 或空白字符", p.param))
		}
	}
	return nil
}
