// Package agentapp wires one edge agent: ledger, sync client and HTTP API.
// jxc-agent runs one; jxc demo runs several in one process.
package agentapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jxc-edge/jxc/agent/devices"
	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/mqtt"
	"github.com/jxc-edge/jxc/agent/sqlite"
	handheld "github.com/jxc-edge/jxc/agent/webui"
	"github.com/jxc-edge/jxc/agent/work"
	"github.com/jxc-edge/jxc/cloud/webui"
	"github.com/jxc-edge/jxc/syncproto"
)

// Config is what an agent needs to start.
type Config struct {
	DataDir string
	Tenant  string
	Site    string
	// Broker is the MQTT broker URL; empty runs the agent with no link.
	Broker string
	// Listen is the HTTP address, e.g. 127.0.0.1:8081 (port 0 picks one).
	Listen string
	// Profiles is the folder of device profiles (firmware-configs); empty
	// runs no devices.
	Profiles string
	Logger   *slog.Logger
	// Sync tunes the sync client; Broker, Tenant and Logger are set from above.
	Sync mqtt.Options
	// DeviceTokens are device tokens accepted besides those made with
	// `jxc-agent token add` (name → token, at least MinDeviceToken
	// characters each): zero-setup for the demo, tests and
	// JXC_DEVICE_TOKEN.
	DeviceTokens map[string]string
	// SessionIdle ends a signed-in user's session unused this long
	// (default httpapi.DefaultSessionIdle).
	SessionIdle time.Duration
}

// MinDeviceToken is the least length of a device token given at start.
const MinDeviceToken = 16

// Validate reports the first thing wrong with c, naming the setting.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("--data (JXC_DATA) is required: the directory of the ledger")
	}
	if err := syncproto.ValidName(c.Tenant); err != nil {
		return fmt.Errorf("--tenant (JXC_TENANT): %w", err)
	}
	if err := syncproto.ValidName(c.Site); err != nil {
		return fmt.Errorf("--site (JXC_SITE): %w", err)
	}
	if c.Listen == "" {
		return errors.New("--listen (JXC_LISTEN) is required, e.g. 127.0.0.1:8081")
	}
	for name, tok := range c.DeviceTokens {
		if len(tok) < MinDeviceToken {
			return fmt.Errorf("device token %q (JXC_DEVICE_TOKEN): at least %d characters", name, MinDeviceToken)
		}
	}
	return nil
}

// App is a running agent.
type App struct {
	Ledger *sqlite.Ledger
	// Auth keeps sessions and device tokens.
	Auth *sqlite.AuthStore
	// API is the HTTP API, for more operations (API().API()) before use.
	API *httpapi.Server
	// Work is the site's work against documents, mounted on API.
	Work    *work.Service
	Sync    *mqtt.Client
	Devices *devices.Manager
	// Addr is the address the HTTP API listens on.
	Addr string

	srv    *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type noLink struct{}

func (noLink) Connected() bool { return false }

// Start opens the ledger, starts syncing and serves the HTTP API. The ledger
// stays usable when the broker is unreachable.
func Start(ctx context.Context, c Config) (*App, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	l, err := sqlite.Open(c.DataDir, sqlite.Options{Tenant: c.Tenant, Site: c.Site, Logger: c.Logger})
	if err != nil {
		return nil, err
	}
	as, err := sqlite.OpenAuth(c.DataDir)
	if err != nil {
		l.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		as.Close()
		l.Close()
		return nil, fmt.Errorf("listen %s: %w", c.Listen, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &App{Ledger: l, Auth: as, Addr: ln.Addr().String(), cancel: cancel}
	// The site's work against documents (receiving, picking, transfers,
	// counts, other in/out, the till); the devices receive through it
	// against the sessions open at them.
	a.Work = work.New(l, c.Logger)
	a.Devices = devices.New(l, devices.Options{Dir: c.Profiles, Logger: c.Logger, Router: a.Work})
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.Devices.Run(ctx) }()
	if c.Profiles != "" {
		// Profiles applied before a crash or a failed write are written
		// out now; later ones after each master batch that holds some.
		if err := a.writeProfiles(ctx, c.Profiles); err != nil {
			c.Logger.Warn("device profiles from the cloud not written; the folder is kept as it was", "dir", c.Profiles, "err", err)
		}
	}
	var link httpapi.SyncStatus = noLink{}
	if c.Broker != "" {
		so := c.Sync
		so.Broker, so.Tenant, so.Logger = c.Broker, c.Tenant, c.Logger
		if so.Devices == nil {
			so.Devices = a.Devices.StatusDevices
		}
		if so.Profiles == nil && c.Profiles != "" {
			so.Profiles = func(ctx context.Context) error { return a.writeProfiles(ctx, c.Profiles) }
		}
		a.Sync = mqtt.New(l, so)
		link = a.Sync
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.Sync.Run(ctx) }()
	}
	api := httpapi.New(l, httpapi.Options{Sync: link, Log: c.Logger, Auth: as, DeviceTokens: c.DeviceTokens, SessionIdle: c.SessionIdle})
	api.SetDevices(a.Devices)
	// The work on the same API and sign-in.
	work.Register(api.API(), a.Work)
	api.AddMetrics(a.Work.WriteMetrics)
	// The API's documentation page: the console's Redoc page, which
	// renders /api/v1/openapi.json of whoever serves it.
	api.HandleFunc("GET "+webui.DocsPath, webui.Handler().ServeHTTP)
	api.HandleFunc("GET /api-docs/", webui.Handler().ServeHTTP)
	// The handheld and till pages at / (and their assets) for the site's
	// LAN; the API stays under /api/.
	for _, p := range handheld.Patterns {
		api.HandleFunc(p, handheld.Handler().ServeHTTP)
	}
	a.API = api
	api.AddMetrics(l.WriteMetrics)
	if a.Sync != nil {
		api.AddMetrics(a.Sync.WriteMetrics)
	}
	a.srv = &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.Logger.Error("http api stopped", "err", err)
		}
	}()
	c.Logger.Info("agent started", "replica", l.Replica().String(), "site", c.Site, "http", a.Addr, "broker", c.Broker)
	return a, nil
}

// writeProfiles makes the cloud-managed files of dir the device profile
// records the ledger holds (devices.WriteProfiles: only if the whole
// folder then validates; files with no record are left alone) and has the
// devices reload at once when a file changed.
func (a *App) writeProfiles(ctx context.Context, dir string) error {
	recs, err := a.Ledger.MasterRecords(ctx, syncproto.KindDeviceProfile)
	if err != nil || len(recs) == 0 {
		return err
	}
	ps := make([]devices.ManagedProfile, len(recs))
	for i, r := range recs {
		ps[i] = devices.ManagedProfile{Name: r.GetKey(), Body: r.GetBody(), Deleted: r.GetDeleted()}
	}
	changed, err := devices.WriteProfiles(dir, ps)
	if changed {
		a.Devices.Reload()
	}
	return err
}

// Close stops the HTTP API and the sync client and closes the ledger.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.srv.Shutdown(ctx)
	a.cancel()
	a.wg.Wait()
	return errors.Join(a.Auth.Close(), a.Ledger.Close())
}
