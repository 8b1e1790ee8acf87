package auth_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
)

var cheap = auth.HashParams{Memory: 1024, Time: 1, Threads: 1}

func TestHashPassword(t *testing.T) {
	h, err := auth.HashPassword("pässwörd 密码 long", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") || len(strings.Split(h, "$")) != 6 {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	h2, _ := auth.HashPassword("pässwörd 密码 long", cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, hash, password string
		params               auth.HashParams
		ok, stale            bool
	}{
		{"right", h, "pässwörd 密码 long", cheap, true, false},
		{"wrong", h, "pässwörd 密码 lonG", cheap, false, false},
		{"other parameters", h, "pässwörd 密码 long", auth.DefaultHashParams, true, true},
		{"empty hash", "", "x", cheap, false, false},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "x", cheap, false, false},
		{"huge memory", strings.Replace(h, "m=1024", "m=99999999", 1), "pässwörd 密码 long", cheap, false, false},
		{"bad salt", strings.Replace(h, "$argon2id$v=19$m=1024,t=1,p=1$", "$argon2id$v=19$m=1024,t=1,p=1$!!", 1), "x", cheap, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, stale := auth.VerifyPassword(tt.hash, tt.password, tt.params)
			if ok != tt.ok || stale != tt.stale {
				t.Errorf("got ok %v stale %v, want %v %v", ok, stale, tt.ok, tt.stale)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name, password, user string
		ok                   bool
	}{
		{"long enough", "abcdefghij", "bob", true},
		{"chinese counts characters", "我的密码是很长的一句话", "bob", true},
		{"short", "abcdefghi", "bob", false},
		{"short in chinese bytes", "密码密码密码", "bob", false},
		{"repeated", "aaaaaaaaaaaa", "bob", false},
		{"the username", "Administrator", "administrator", false},
		{"too long", strings.Repeat("ab", 129), "bob", false},
		{"invalid utf-8", "abcdefghij\xff", "bob", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.CheckPassword(tt.password, tt.user)
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok %v", err, tt.ok)
			}
			var ae *auth.Error
			if err != nil && (!errors.Is(err, auth.ErrInvalid) || !errors.As(err, &ae) || ae.MsgZH == "") {
				t.Errorf("error %v lacks ErrInvalid or Chinese text", err)
			}
		})
	}
	if pw := auth.GeneratePassword(); auth.CheckPassword(pw, "admin") != nil || len(pw) != 16 {
		t.Errorf("generated password %q fails the policy", pw)
	}
}

func TestLockoutDelay(t *testing.T) {
	p := auth.DefaultLockout
	want := []time.Duration{0, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	for n, w := range want {
		if got := p.Delay(n); got != w {
			t.Errorf("Delay(%d) = %v, want %v", n, got, w)
		}
	}
	if got := p.Delay(1000); got != 8*time.Second {
		t.Errorf("Delay(1000) = %v", got)
	}
}

func TestCatalogue(t *testing.T) {
	modules := map[string]bool{}
	for _, p := range auth.Catalogue() {
		if !auth.Known(p.Name) || p.Desc == "" || p.DescZH == "" || p.Name.Module() == "" || p.Name.Action() == "" {
			t.Errorf("permission %+v", p)
		}
		modules[p.Name.Module()] = true
	}
	for _, m := range []string{"product", "site", "partner", "account", "purchase", "sales", "inventory", "finance", "crm", "report", "user", "role", "audit", "device", "stock"} {
		if !modules[m] {
			t.Errorf("module %s missing", m)
		}
	}
	for _, p := range []auth.Permission{"product.edit", "purchase.approve", "report.export"} {
		if !auth.Known(p) {
			t.Errorf("%s missing", p)
		}
	}
	titles := map[string]string{}
	for _, r := range auth.BuiltinRoles() {
		titles[r.Name] = r.TitleZH
		for _, p := range r.Permissions {
			if !auth.Known(p) {
				t.Errorf("role %s has unknown %s", r.Name, p)
			}
		}
	}
	want := map[string]string{"administrator": "管理员", "purchaser": "采购", "sales": "销售", "warehouse": "仓管",
		"finance": "财务", "store_manager": "店长", "auditor": "审计（只读）", "cashier": "收银员"}
	for name, zh := range want {
		if titles[name] != zh {
			t.Errorf("role %s: title %q, want %q", name, titles[name], zh)
		}
	}
}

func TestScope(t *testing.T) {
	tests := []struct {
		name   string
		s, o   auth.Scope
		site   string
		allows bool
		covers bool
	}{
		{"all", auth.AllSites(), auth.SitesScope("a"), "z", true, true},
		{"listed", auth.SitesScope("b", "a", "a"), auth.SitesScope("a"), "a", true, true},
		{"not listed", auth.SitesScope("a"), auth.SitesScope("a", "b"), "b", false, false},
		{"zero allows nothing", auth.Scope{}, auth.Scope{}, "a", false, true},
		{"sites do not cover all", auth.SitesScope("a"), auth.AllSites(), "a", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Allows(tt.site); got != tt.allows {
				t.Errorf("Allows(%q) = %v", tt.site, got)
			}
			if got := tt.s.Covers(tt.o); got != tt.covers {
				t.Errorf("Covers = %v", got)
			}
		})
	}
}

func TestAuditCSV(t *testing.T) {
	var buf bytes.Buffer
	w := auth.NewAuditCSV(&buf)
	at := time.Date(2026, 11, 25, 1, 2, 3, 0, time.UTC)
	err := w.Write(auth.Audit{ID: 7, User: "=HYPERLINK()", Addr: "1.2.3.4", Action: "role.update", RecordType: "role",
		RecordID: "r,1", Before: []byte(`{"a":"x\"y"}`), At: at})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"7", "2026-11-25T01:02:03Z", "0", "'=HYPERLINK()", "0", "1.2.3.4", "role.update", "role", "r,1", `{"a":"x\"y"}`, ""}
	if len(recs) != 2 || strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want header and %q", recs, want)
	}
}

func TestIsAPIToken(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"jxc_abcd1234_" + strings.Repeat("A", 43), true},
		{"jxc_abcd1234" + strings.Repeat("A", 44), false},
		{"abc", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := auth.IsAPIToken(tt.s); got != tt.want {
			t.Errorf("IsAPIToken(%q) = %v", tt.s, got)
		}
	}
}
