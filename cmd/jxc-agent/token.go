package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/sqlite"
	"github.com/jxc-edge/jxc/cmd/internal/cli"
)

// TokenCommand manages the agent's device tokens, for gates, stations
// and scripts that write through the agent's API without a person
// signing in. It works on the data folder, also while the agent runs:
//
//	jxc-agent token add NAME     prints a new token, once
//	jxc-agent token list         names and creation times, never tokens
//	jxc-agent token revoke NAME  the token stops working at once
type TokenCommand struct {
	Stdout io.Writer
}

const tokenUsage = "usage: jxc-agent token add NAME | list | revoke NAME [--data DIR]"

// Run runs the subcommand args name.
func (c *TokenCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("jxc-agent token "+verb, flag.ContinueOnError)
	data := cli.String(fs, "data", "JXC_DATA", "", "directory of the ledger")
	// NAME may come before or after the flags.
	var name string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	if *data == "" {
		return errors.New("--data (JXC_DATA) is required: the directory of the ledger")
	}
	switch verb {
	case "add", "revoke":
		if name == "" {
			return errors.New(tokenUsage)
		}
	case "list":
	default:
		return fmt.Errorf("unknown token command %q; %s", verb, tokenUsage)
	}
	st, err := sqlite.OpenAuth(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	switch verb {
	case "add":
		tok := httpapi.NewDeviceToken()
		if err := st.AddDeviceToken(ctx, name, httpapi.HashToken(tok), time.Now()); err != nil {
			if errors.Is(err, sqlite.ErrTokenExists) {
				return fmt.Errorf("a device token named %q exists; revoke it first / 设备令牌 %q 已存在，请先吊销", name, name)
			}
			return err
		}
		fmt.Fprintf(c.Stdout, "%s\n", tok)
		fmt.Fprintf(c.Stdout, "device token %q made; it is shown only now: send it as Authorization: Bearer <token> / 设备令牌已创建，仅显示这一次\n", name)
	case "list":
		ts, err := st.DeviceTokens(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			fmt.Fprintf(c.Stdout, "%s\t%s\n", t.Name, t.Created.Format(time.RFC3339))
		}
	case "revoke":
		ok, err := st.RevokeDeviceToken(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no device token named %q / 没有名为 %q 的设备令牌", name, name)
		}
		fmt.Fprintf(c.Stdout, "device token %q revoked / 设备令牌已吊销\n", name)
	}
	return nil
}
