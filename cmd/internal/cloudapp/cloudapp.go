// Package cloudapp wires the cloud service: store, optional embedded MQTT
// broker, ingest and HTTP API. jxc-cloud runs one; jxc demo runs one in
// process.
package cloudapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/jxc-edge/jxc/cloud"
	jxcauth "github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/httpapi"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/cloud/postgres"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/cloud/sqlstore"
	"github.com/jxc-edge/jxc/cloud/webui"
	"github.com/jxc-edge/jxc/syncproto"
)

// DefaultTenant is the tenant whose administrator the cloud creates at
// first start when none is named (--tenant, JXC_TENANT).
const DefaultTenant = "default"

// Config is what the cloud needs to start.
type Config struct {
	// DB is sqlite:PATH or a postgres:// URL.
	DB string
	// Broker is an MQTT broker URL, or "embedded" to run one in process on
	// MQTTListen.
	Broker     string
	MQTTListen string
	// Listen is the HTTP address (port 0 picks one).
	Listen string
	// ClientID names this process to the broker; default is per host and pid.
	ClientID string
	Workers  int
	Logger   *slog.Logger
	// Tenant is where the first start creates the administrator;
	// DefaultTenant when empty.
	Tenant string
	// AdminPassword is the first administrator's password
	// (JXC_ADMIN_PASSWORD); empty to generate a one-time password, printed
	// once to Stderr.
	AdminPassword string
	// Stderr gets the generated password; os.Stderr when nil.
	Stderr io.Writer
	// MetricsOpen serves /metrics without credentials (--metrics-open,
	// JXC_METRICS_OPEN); otherwise it needs a principal with audit.view.
	MetricsOpen bool
	// PDFFont is the CJK TrueType font printed documents use (--pdf-font,
	// JXC_PDF_FONT); empty: the default paths of cloud/docs/pdfdoc.
	PDFFont string
}

// App is a running cloud service.
type App struct {
	Store cloud.Store
	// Auth holds users, roles, sessions, tokens and the audit log.
	Auth *jxcauth.Service
	// MasterData holds HQ's master data.
	MasterData *masterdata.Service
	// Docs holds the documents (purchase orders) and their progress.
	Docs   *docs.Service
	Ingest *ingest.Ingest
	// Addr is the HTTP address; BrokerURL the broker in use.
	Addr, BrokerURL string

	broker *mochi.Server
	srv    *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// OpenStore opens the store named by dsn: sqlite:PATH or postgres://...
func OpenStore(ctx context.Context, dsn string, log *slog.Logger) (cloud.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(strings.TrimPrefix(dsn, "sqlite:"), sqlite.Options{Logger: log})
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn, postgres.Options{Logger: log})
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH or postgres://...", dsn)
}

// Start opens the store, starts the broker if embedded, ingest, and the
// HTTP API.
func Start(ctx context.Context, c Config) (*App, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Broker == "" {
		return nil, errors.New("--broker (JXC_BROKER) is required: an MQTT URL or \"embedded\"")
	}
	store, err := OpenStore(ctx, c.DB, c.Logger)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &App{Store: store, BrokerURL: c.Broker, cancel: cancel}
	fail := func(err error) (*App, error) {
		a.Close()
		return nil, err
	}
	if a.Auth, err = AuthService(store, a.push(c.Logger)); err != nil {
		return fail(err)
	}
	idem, ok := store.(idempotencyStorer)
	if !ok {
		return fail(fmt.Errorf("store %T has no idempotency keys", store))
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	if err := Bootstrap(ctx, a.Auth, c.Tenant, c.AdminPassword, c.Stderr, c.Logger); err != nil {
		return fail(err)
	}
	if c.Broker == "embedded" {
		url, err := a.startBroker(c.MQTTListen, c.Logger)
		if err != nil {
			return fail(err)
		}
		a.BrokerURL = url
	}
	ms, ok := store.(master.Store)
	if !ok {
		return fail(fmt.Errorf("store %T has no master records", store))
	}
	a.Ingest = ingest.New(store, ingest.Options{Broker: a.BrokerURL, ClientID: c.ClientID, Workers: c.Workers, Logger: c.Logger,
		Master: master.New(ms)})
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Ingest.Run(ctx) }()

	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fail(fmt.Errorf("listen %s: %w", c.Listen, err))
	}
	a.Addr = ln.Addr().String()
	tenant := c.Tenant
	if tenant == "" {
		tenant = DefaultTenant
	}
	md, ok := store.(masterdata.Store)
	if !ok {
		return fail(fmt.Errorf("store %T has no master data tables", store))
	}
	a.MasterData = masterdata.New(md)
	a.MasterData.OnPublish(a.push(c.Logger))
	if ds, ok := store.(docs.Store); ok {
		a.Docs = docs.New(ds, docs.Options{FontPath: c.PDFFont})
		a.Docs.OnPublish(a.push(c.Logger))
		a.Docs.OnEvents(func(ctx context.Context, tenant string, evs []syncproto.Event) {
			if err := a.Ingest.PushEvents(ctx, tenant, evs); err != nil {
				c.Logger.Info("HQ's events not pushed now; the site's agents pull them", "err", err)
			}
		})
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.Docs.RunProgress(ctx, 250*time.Millisecond, nil, c.Logger) }()
	}
	api := httpapi.New(store, a.Auth, httpapi.Options{Log: c.Logger, DefaultTenant: tenant, MetricsOpen: c.MetricsOpen,
		MasterData: a.MasterData, Docs: a.Docs, Idempotency: idem.Idempotency()})
	api.AddMetrics(a.Ingest.WriteMetrics)
	if a.Docs != nil {
		api.AddMetrics(a.Docs.WriteMetrics)
	}
	a.srv = &http.Server{Handler: withConsole(api.Handler()), ReadHeaderTimeout: 10 * time.Second}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.Logger.Error("http api stopped", "err", err)
		}
	}()
	c.Logger.Info("cloud started", "http", a.Addr, "broker", a.BrokerURL, "db", redact(c.DB))
	return a, nil
}

// idempotencyStorer is a store that keeps Idempotency-Keys (both SQL
// stores).
type idempotencyStorer interface {
	Idempotency() *sqlstore.IdempotencyStore
}

// withConsole serves the web console at every path the API does not own:
// /api/…, /healthz and /metrics go to api (which answers unknown API paths
// in JSON), everything else to the console (webui), which also serves
// the API's documentation page (webui.DocsPath) from its own files.
func withConsole(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(webui.DocsPath, webui.Handler())
	mux.Handle("/api/", api)
	mux.Handle("/healthz", api)
	mux.Handle("/metrics", api)
	mux.Handle("/", webui.Handler())
	return mux
}

// AuthService returns the auth service on store, which must be one of the
// SQL stores.
// published may be nil; it is told of the users a write published to
// sites, after the commit.
func AuthService(store cloud.Store, published func(ctx context.Context, tenant string, recs []master.Record)) (*jxcauth.Service, error) {
	as, ok := store.(interface{ Auth() *sqlstore.AuthStore })
	if !ok {
		return nil, fmt.Errorf("store %T has no auth tables", store)
	}
	return jxcauth.New(as.Auth(), jxcauth.Options{Published: published}), nil
}

// push returns what pushes master records a write published to the
// online agents of their sites, once ingest runs. Offline agents, and any
// push that fails, catch up by pulling at their next connect.
func (a *App) push(log *slog.Logger) func(ctx context.Context, tenant string, recs []master.Record) {
	return func(ctx context.Context, tenant string, recs []master.Record) {
		in := a.Ingest
		if in == nil {
			return
		}
		if err := in.PushMaster(context.WithoutCancel(ctx), tenant, recs); err != nil && !errors.Is(err, ingest.ErrNotConnected) {
			log.Warn("push master records to agents", "tenant", tenant, "records", len(recs), "err", err)
		}
	}
}

// Bootstrap creates the administrator "admin" of tenant (DefaultTenant
// when empty) if the tenant has no user yet: with password, or with a
// generated one-time password printed once to w, which must be changed at
// the first sign-in.
func Bootstrap(ctx context.Context, svc *jxcauth.Service, tenant, password string, w io.Writer, log *slog.Logger) error {
	if tenant == "" {
		tenant = DefaultTenant
	}
	res, err := svc.Bootstrap(ctx, tenant, password)
	if err != nil {
		return fmt.Errorf("create the administrator: %w", err)
	}
	if !res.Created {
		return nil
	}
	log.Info("created the administrator", "tenant", tenant, "user", res.User, "generated_password", res.Generated != "")
	if res.Generated != "" {
		fmt.Fprintf(w, "jxc-cloud: created user %q (administrator) of tenant %q with the one-time password\n\n    %s\n\n"+
			"It is shown only now; change it at the first sign-in. Lost it? jxc-cloud user reset-password %s --tenant %s\n"+
			"已创建租户 %q 的管理员 %q，一次性密码如上，仅显示这一次；首次登录时须修改。\n",
			res.User, tenant, res.Generated, res.User, tenant, tenant, res.User)
	}
	return nil
}

func (a *App) startBroker(addr string, log *slog.Logger) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:1883"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("--mqtt-listen %s: %w", addr, err)
	}
	bound := ln.Addr().String()
	ln.Close() // mochi opens its own listener on the address we now know
	b := mochi.New(&mochi.Options{InlineClient: false, Logger: log.With("component", "broker")})
	if err := b.AddHook(new(auth.AllowHook), nil); err != nil {
		return "", err
	}
	if err := b.AddListener(listeners.NewTCP(listeners.Config{ID: "tcp", Address: bound})); err != nil {
		return "", fmt.Errorf("embedded broker on %s: %w", bound, err)
	}
	if err := b.Serve(); err != nil {
		return "", fmt.Errorf("embedded broker: %w", err)
	}
	a.broker = b
	return "tcp://" + bound, nil
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 && strings.HasPrefix(dsn, "postgres") {
		return "postgres://…" + dsn[i:]
	}
	return dsn
}

// Close stops the HTTP API, ingest and the embedded broker, and closes the
// store.
func (a *App) Close() error {
	if a.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		a.srv.Shutdown(ctx)
		cancel()
	}
	a.cancel()
	a.wg.Wait()
	if a.broker != nil {
		a.broker.Close()
	}
	return a.Store.Close()
}
