// Package cli holds what the project's commands share: flags with
// environment-variable twins, logging set-up and the signal context.
package cli

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// String defines a string flag whose default comes from the environment
// variable env when that is set. The usage text names the variable.
func String(fs *flag.FlagSet, name, env, def, usage string) *string {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	return fs.String(name, def, fmt.Sprintf("%s (env %s)", usage, env))
}

// Int is String for integers; a malformed environment value is reported by
// Parse as the flag's error.
func Int(fs *flag.FlagSet, name, env string, def int, usage string) *int {
	p := fs.Int(name, def, fmt.Sprintf("%s (env %s)", usage, env))
	if v, ok := os.LookupEnv(env); ok {
		if err := fs.Set(name, v); err != nil {
			fmt.Fprintf(fs.Output(), "ignoring %s=%q: %v\n", env, v, err)
		}
	}
	return p
}

// Bool is String for booleans (true, false, 1, 0 ...); a malformed
// environment value is reported and ignored.
func Bool(fs *flag.FlagSet, name, env string, def bool, usage string) *bool {
	p := fs.Bool(name, def, fmt.Sprintf("%s (env %s)", usage, env))
	if v, ok := os.LookupEnv(env); ok {
		if err := fs.Set(name, v); err != nil {
			fmt.Fprintf(fs.Output(), "ignoring %s=%q: %v\n", env, v, err)
		}
	}
	return p
}

// Logger returns a text logger at the level named by JXC_LOG (debug, info,
// warn, error; default info).
func Logger() *slog.Logger {
	lvl := slog.LevelInfo
	switch strings.ToLower(os.Getenv("JXC_LOG")) {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}
