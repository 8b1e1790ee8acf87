// Command jxc-agent is the edge agent of one store or warehouse replica: a
// local SQLite ledger, the sync client and the local HTTP API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jxc-edge/jxc/cmd/internal/agentapp"
	"github.com/jxc-edge/jxc/cmd/internal/cli"
)

func main() {
	ctx, stop := cli.SignalContext()
	defer stop()
	if err := NewMain().Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "jxc-agent:", err)
		}
		os.Exit(2)
	}
}

// Main is the jxc-agent program.
type Main struct{}

// NewMain returns the program.
func NewMain() *Main { return &Main{} }

// Run parses args and runs the agent until ctx is cancelled.
func (m *Main) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("jxc-agent", flag.ContinueOnError)
	var c agentapp.Config
	data := cli.String(fs, "data", "JXC_DATA", "", "directory of the ledger (created if missing)")
	tenant := cli.String(fs, "tenant", "JXC_TENANT", "demo", "tenant name")
	site := cli.String(fs, "site", "JXC_SITE", "", "site (store or warehouse) this agent belongs to")
	broker := cli.String(fs, "broker", "JXC_BROKER", "", "MQTT broker URL, e.g. tcp://127.0.0.1:1883 (empty: no sync)")
	listen := cli.String(fs, "listen", "JXC_LISTEN", "127.0.0.1:8081", "HTTP API address")
	ackTimeout := fs.Duration("ack-timeout", 10*time.Second, "send again from the watermark when no ack progress for this long")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version {
		fmt.Println("jxc-agent", cli.Version)
		return nil
	}
	c.DataDir, c.Tenant, c.Site, c.Broker, c.Listen = *data, *tenant, *site, *broker, *listen
	c.Logger = cli.Logger().With("component", "agent")
	c.Sync.AckTimeout = *ackTimeout
	app, err := agentapp.Start(ctx, c)
	if err != nil {
		return err
	}
	fmt.Printf("jxc-agent %s: replica %s, site %s, http://%s\n", cli.Version, app.Ledger.Replica(), c.Site, app.Addr)
	<-ctx.Done()
	return app.Close()
}
