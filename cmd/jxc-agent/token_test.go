package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent/httpapi"
	"github.com/jxc-edge/jxc/agent/sqlite"
)

// TestTokenCommands: a token made with `token add` is printed once,
// listed by name, lets a device write through the API of an agent on the
// same data folder (opened while the agent runs), and stops working when
// revoked.
func TestTokenCommands(t *testing.T) {
	dir := t.TempDir()
	l, err := sqlite.Open(dir, sqlite.Options{Tenant: "t1", Site: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	st, err := sqlite.OpenAuth(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(httpapi.New(l, httpapi.Options{Auth: st}))
	defer srv.Close()

	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := (&Main{Stdout: &out}).Run(context.Background(), append(append([]string{"token"}, args...), "--data", dir))
		return out.String(), err
	}
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/movements", strings.NewReader(`{"sku":"S","bin":"B","qty":1,"reason":"receive"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	out, err := run("add", "gate-1")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.SplitN(out, "\n", 2)[0]
	if !strings.HasPrefix(token, httpapi.DeviceTokenPrefix) {
		t.Fatalf("token add printed %q", out)
	}
	if _, err := run("add", "gate-1"); err == nil {
		t.Error("a second token of the same name was made")
	}
	if _, err := run("add", "bad/name"); err == nil {
		t.Error("a token with a bad name was made")
	}
	out, err = run("list")
	if err != nil || !strings.HasPrefix(out, "gate-1\t") || strings.Contains(out, token) {
		t.Errorf("token list = %q, %v", out, err)
	}
	if got := post(token); got != http.StatusCreated {
		t.Fatalf("write with the device token: %d", got)
	}
	if got := post("jxcd_guessed"); got != http.StatusUnauthorized {
		t.Errorf("write with a made-up token: %d", got)
	}
	if _, err := run("revoke", "gate-1"); err != nil {
		t.Fatal(err)
	}
	if got := post(token); got != http.StatusUnauthorized {
		t.Errorf("write with a revoked token: %d, want 401", got)
	}
	if _, err := run("revoke", "gate-1"); err == nil {
		t.Error("revoking a token that is gone succeeded")
	}
	if out, err := run("list"); err != nil || out != "" {
		t.Errorf("token list after revoke = %q, %v", out, err)
	}
	for _, args := range [][]string{{}, {"add"}, {"frobnicate"}} {
		if err := (&Main{Stdout: &bytes.Buffer{}}).Run(context.Background(), append([]string{"token"}, args...)); err == nil {
			t.Errorf("token %v succeeded", args)
		}
	}
}

func TestParseDeviceTokens(t *testing.T) {
	got, err := parseDeviceTokens("gate=aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbb")
	if err != nil || len(got) != 2 || got["gate"] != "aaaaaaaaaaaaaaaa" || got["env"] != "bbbbbbbbbbbbbbbbbb" {
		t.Errorf("parse = %v, %v", got, err)
	}
	if _, err := parseDeviceTokens("a=x,a=y"); err == nil {
		t.Error("a name given twice was taken")
	}
}
