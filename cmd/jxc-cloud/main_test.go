package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/cmd/internal/cloudapp"
)

// password finds the one-time password in what the program printed.
var password = regexp.MustCompile(`(?m)^    (\S{16})$`)

// signIn opens the database at path and signs in; it returns whether the
// password must be changed.
func signIn(t *testing.T, path, tenant, name, pw string) (mustChange bool, err error) {
	t.Helper()
	s, err2 := sqlite.Open(path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err2 != nil {
		t.Fatal(err2)
	}
	defer s.Close()
	svc := auth.New(s.Auth(), auth.Options{})
	si, err := svc.SignIn(context.Background(), tenant, name, pw, "127.0.0.1")
	return si.User.MustChangePassword, err
}

// start runs the cloud once on the database at path and stops it.
func start(t *testing.T, path, adminPassword string) string {
	t.Helper()
	var stderr bytes.Buffer
	app, err := cloudapp.Start(context.Background(), cloudapp.Config{DB: "sqlite:" + path, Broker: "embedded",
		MQTTListen: "127.0.0.1:0", Listen: "127.0.0.1:0", AdminPassword: adminPassword, Stderr: &stderr,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	return stderr.String()
}

func TestFirstStartGeneratesAdminPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.db")
	out := start(t, path, "")
	m := password.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no one-time password printed:\n%s", out)
	}
	must, err := signIn(t, path, cloudapp.DefaultTenant, "admin", m[1])
	if err != nil || !must {
		t.Fatalf("sign in with the printed password: must change %v, %v", must, err)
	}
	// Printed once: the second start has nothing to say.
	if out := start(t, path, ""); strings.Contains(out, "password") {
		t.Errorf("second start printed:\n%s", out)
	}
}

func TestFirstStartWithAdminPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.db")
	if out := start(t, path, "from the environment"); out != "" {
		t.Errorf("printed %q", out)
	}
	must, err := signIn(t, path, cloudapp.DefaultTenant, "admin", "from the environment")
	if err != nil || must {
		t.Fatalf("sign in with JXC_ADMIN_PASSWORD: must change %v, %v", must, err)
	}
}

func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cloud.db")
	start(t, path, "the first password")
	// Lock the administrator out.
	for range 6 {
		signIn(t, path, cloudapp.DefaultTenant, "admin", "guess")
	}
	if _, err := signIn(t, path, cloudapp.DefaultTenant, "admin", "the first password"); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("not locked: %v", err)
	}

	tests := []struct {
		name    string
		args    []string
		env     string
		wantErr bool
	}{
		{"generated", []string{"user", "reset-password", "admin", "--db", "sqlite:" + path}, "", false},
		{"flags first, from JXC_NEW_PASSWORD", []string{"user", "reset-password", "--db", "sqlite:" + path, "--tenant", "default", "Admin"}, "set by the operator", false},
		{"weak JXC_NEW_PASSWORD", []string{"user", "reset-password", "admin", "--db", "sqlite:" + path}, "short", true},
		{"unknown user", []string{"user", "reset-password", "nobody", "--db", "sqlite:" + path}, "", true},
		{"other tenant", []string{"user", "reset-password", "admin", "--db", "sqlite:" + path, "--tenant", "acme"}, "", true},
		{"no name", []string{"user", "reset-password", "--db", "sqlite:" + path}, "", true},
		{"two names", []string{"user", "reset-password", "a", "b", "--db", "sqlite:" + path}, "", true},
		{"unknown subcommand", []string{"user", "delete", "admin"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("JXC_NEW_PASSWORD", tt.env)
			t.Setenv("JXC_DB", "")
			t.Setenv("JXC_TENANT", "")
			var out bytes.Buffer
			err := (&Main{Stdout: &out, Stderr: &out}).Run(ctx, tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Run(%v) = %v, want error %v; output:\n%s", tt.args, err, tt.wantErr, out.String())
			}
			if tt.wantErr {
				return
			}
			pw := tt.env
			if pw == "" {
				m := password.FindStringSubmatch(out.String())
				if m == nil {
					t.Fatalf("no password printed:\n%s", out.String())
				}
				pw = m[1]
			} else if strings.Contains(out.String(), pw) {
				t.Errorf("the password from the environment was printed")
			}
			// The lock is gone and the new password works, to be changed.
			must, err := signIn(t, path, cloudapp.DefaultTenant, "admin", pw)
			if err != nil || !must {
				t.Errorf("sign in after reset: must change %v, %v", must, err)
			}
		})
	}
}
