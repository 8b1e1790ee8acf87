// Command jxc-agent is the edge agent of one store or warehouse replica: a
// local SQLite ledger, the sync client and the local HTTP API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cmd/internal/agentapp"
	"github.com/jxc-edge/jxc/cmd/internal/cli"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
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
type Main struct {
	// Stdout receives what commands print (os.Stdout by default).
	Stdout io.Writer
}

// NewMain returns the program.
func NewMain() *Main { return &Main{Stdout: os.Stdout} }

// Run parses args and runs the agent until ctx is cancelled, or runs the
// subcommand args name (token).
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "token" {
		return (&TokenCommand{Stdout: m.Stdout}).Run(ctx, args[1:])
	}
	fs := flag.NewFlagSet("jxc-agent", flag.ContinueOnError)
	var c agentapp.Config
	data := cli.String(fs, "data", "JXC_DATA", "", "directory of the ledger (created if missing)")
	tenant := cli.String(fs, "tenant", "JXC_TENANT", "demo", "tenant name")
	site := cli.String(fs, "site", "JXC_SITE", "", "site (store or warehouse) this agent belongs to")
	broker := cli.String(fs, "broker", "JXC_BROKER", "", "MQTT broker URL, e.g. tcp://127.0.0.1:1883 (empty: no sync)")
	listen := cli.String(fs, "listen", "JXC_LISTEN", "127.0.0.1:8081", "HTTP API address")
	profilesDir := cli.String(fs, "profiles", "JXC_PROFILES", "", "folder of device profiles (firmware-configs); empty: no devices")
	check := fs.Bool("check-profiles", false, "validate the device profiles of --profiles and exit: 0 when all are valid")
	devTokens := cli.String(fs, "device-token", "JXC_DEVICE_TOKEN", "",
		"device tokens accepted besides those of `jxc-agent token add`: NAME=TOKEN or TOKEN (named env), comma-separated")
	ackTimeout := fs.Duration("ack-timeout", 10*time.Second, "send again from the watermark when no ack progress for this long")
	version := fs.Bool("version", false, "print the version and exit")
	err := fs.Parse(args)
	if err != nil {
		return err
	}
	if *version {
		fmt.Println("jxc-agent", cli.Version)
		return nil
	}
	if *check {
		return checkProfiles(*profilesDir)
	}
	c.Profiles = *profilesDir
	if c.DeviceTokens, err = parseDeviceTokens(*devTokens); err != nil {
		return err
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

// checkProfiles validates a folder of device profiles, printing every
// problem with its file and field.
func checkProfiles(dir string) error {
	if dir == "" {
		return errors.New("--check-profiles needs --profiles DIR (or JXC_PROFILES)")
	}
	set, err := profiles.LoadDir(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return fmt.Errorf("device profiles in %s are not valid / 设备配置无效", dir)
	}
	fmt.Printf("%s: %d readers, %d scales, %d scanners: valid / 有效 (version %s)\n",
		dir, len(set.Readers()), len(set.Scales()), len(set.Scanners()), set.Version()[:12])
	return nil
}

// parseDeviceTokens reads --device-token: NAME=TOKEN or TOKEN (named
// "env"), comma-separated.
func parseDeviceTokens(v string) (map[string]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	out := make(map[string]string)
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		name, tok, ok := strings.Cut(part, "=")
		if !ok {
			name, tok = "env", part
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--device-token (JXC_DEVICE_TOKEN): name %q given twice", name)
		}
		out[name] = tok
	}
	return out, nil
}
