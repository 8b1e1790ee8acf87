package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X github.com/jxc-edge/jxc/cmd/internal/cli.Version=...".
var Version = "dev"

// SignalContext returns a context cancelled by SIGINT or SIGTERM.
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
