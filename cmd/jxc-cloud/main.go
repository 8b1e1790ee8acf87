// Command jxc-cloud is the central service: ingest of every replica's
// events, the store (SQLite or PostgreSQL) and the HTTP API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jxc-edge/jxc/cmd/internal/cli"
	"github.com/jxc-edge/jxc/cmd/internal/cloudapp"
)

func main() {
	ctx, stop := cli.SignalContext()
	defer stop()
	if err := NewMain().Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "jxc-cloud:", err)
		}
		os.Exit(2)
	}
}

// Main is the jxc-cloud program.
type Main struct {
	// Stdout and Stderr are where the program writes (os.Stdout and
	// os.Stderr); generated passwords go to them, never to the log.
	Stdout, Stderr io.Writer
}

// NewMain returns the program.
func NewMain() *Main { return &Main{Stdout: os.Stdout, Stderr: os.Stderr} }

// Run runs a subcommand (user …), or else parses args and runs the cloud
// until ctx is cancelled.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "user" {
		return (&UserCommand{Stdout: m.Stdout}).Run(ctx, args[1:])
	}
	fs := flag.NewFlagSet("jxc-cloud", flag.ContinueOnError)
	var c cloudapp.Config
	db := cli.String(fs, "db", "JXC_DB", "sqlite:jxc-cloud.db", "store: sqlite:PATH or postgres://user@host:port/db")
	broker := cli.String(fs, "broker", "JXC_BROKER", "embedded", "MQTT broker URL, or \"embedded\" for an in-process broker")
	mqttListen := cli.String(fs, "mqtt-listen", "JXC_MQTT_LISTEN", "127.0.0.1:1883", "address of the embedded broker")
	listen := cli.String(fs, "listen", "JXC_LISTEN", "127.0.0.1:8080", "HTTP API address")
	clientID := cli.String(fs, "client-id", "JXC_CLIENT_ID", "", "MQTT client ID of this process (default: per host and pid)")
	workers := cli.Int(fs, "workers", "JXC_WORKERS", 4, "batches stored at once")
	tenant := cli.String(fs, "tenant", "JXC_TENANT", cloudapp.DefaultTenant, "tenant whose administrator \"admin\" the first start creates")
	metricsOpen := cli.Bool(fs, "metrics-open", "JXC_METRICS_OPEN", false, "serve /metrics without credentials (default: needs audit.view)")
	pdfFont := cli.String(fs, "pdf-font", "JXC_PDF_FONT", "", "TrueType CJK font (.ttf/.ttc) for printed documents (default: Debian's fonts-wqy-microhei)")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version {
		fmt.Println("jxc-cloud", cli.Version)
		return nil
	}
	c.DB, c.Broker, c.MQTTListen, c.Listen, c.ClientID, c.Workers = *db, *broker, *mqttListen, *listen, *clientID, *workers
	c.Tenant, c.AdminPassword, c.Stderr = *tenant, os.Getenv("JXC_ADMIN_PASSWORD"), m.Stderr
	c.MetricsOpen, c.PDFFont = *metricsOpen, *pdfFont
	c.Logger = cli.Logger().With("component", "cloud")
	app, err := cloudapp.Start(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "jxc-cloud %s: http://%s, broker %s\n", cli.Version, app.Addr, app.BrokerURL)
	<-ctx.Done()
	return app.Close()
}
