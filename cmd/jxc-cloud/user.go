package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/jxc-edge/jxc/cmd/internal/cli"
	"github.com/jxc-edge/jxc/cmd/internal/cloudapp"
)

const userUsage = `Usage:
  jxc-cloud user reset-password NAME [--tenant T] [--db DSN]

Sets a new password for user NAME: the one in JXC_NEW_PASSWORD, or a
generated one printed once. The user must change it at the next sign-in;
their sessions end and their lockout is cleared.
为用户设置新密码（JXC_NEW_PASSWORD 或自动生成并仅显示一次），并解除其锁定。
`

// UserCommand manages users from the command line.
type UserCommand struct {
	Stdout io.Writer
}

// Run dispatches to the user subcommands.
func (c *UserCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.Stdout, userUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "reset-password":
		return (&ResetPasswordCommand{Stdout: c.Stdout}).Run(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(c.Stdout, userUsage)
		return nil
	}
	fmt.Fprint(c.Stdout, userUsage)
	return fmt.Errorf("unknown command user %q", args[0])
}

// ResetPasswordCommand is "jxc-cloud user reset-password NAME".
type ResetPasswordCommand struct {
	Stdout io.Writer
}

// Run sets the new password of the named user and prints a generated one.
func (c *ResetPasswordCommand) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("jxc-cloud user reset-password", flag.ContinueOnError)
	fs.SetOutput(c.Stdout)
	db := cli.String(fs, "db", "JXC_DB", "sqlite:jxc-cloud.db", "store: sqlite:PATH or postgres://user@host:port/db")
	tenant := cli.String(fs, "tenant", "JXC_TENANT", cloudapp.DefaultTenant, "tenant of the user")
	// The name may come before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
		fs.Parse(fs.Args()[1:])
	}
	if name == "" || fs.NArg() > 0 {
		fmt.Fprint(c.Stdout, userUsage)
		return fmt.Errorf("reset-password needs exactly one user name")
	}
	if *tenant == "" {
		*tenant = cloudapp.DefaultTenant
	}
	log := slog.New(slog.DiscardHandler)
	store, err := cloudapp.OpenStore(ctx, *db, log)
	if err != nil {
		return err
	}
	defer store.Close()
	svc, err := cloudapp.AuthService(store, nil)
	if err != nil {
		return err
	}
	pw, err := svc.ResetPassword(ctx, *tenant, name, os.Getenv("JXC_NEW_PASSWORD"))
	if err != nil {
		return fmt.Errorf("reset the password of %q in tenant %q: %w", name, *tenant, err)
	}
	if pw != "" {
		fmt.Fprintf(c.Stdout, "New one-time password of %q (tenant %q), shown only now; change it at the next sign-in:\n\n    %s\n\n"+
			"用户 %q 的新一次性密码如上，仅显示这一次；下次登录时须修改。\n", name, *tenant, pw, name)
		return nil
	}
	fmt.Fprintf(c.Stdout, "Password of %q (tenant %q) set from JXC_NEW_PASSWORD; change it at the next sign-in.\n"+
		"已用 JXC_NEW_PASSWORD 设置用户 %q 的密码；下次登录时须修改。\n", name, *tenant, name)
	return nil
}
