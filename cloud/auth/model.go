package auth

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is a person who signs in to a tenant.
type User struct {
	ID     int64  `json:"id"`
	Tenant string `json:"-"`
	// Name is the sign-in name as given; unique per tenant without regard
	// to case (NameKey).
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	// PasswordHash is the argon2id PHC string; never shown.
	PasswordHash string `json:"-"`
	// MustChangePassword: the password was generated or set by someone
	// else; the user must change it before anything else.
	MustChangePassword bool      `json:"must_change_password"`
	Disabled           bool      `json:"disabled"`
	Roles              []string  `json:"roles"`
	Scope              Scope     `json:"scope"`
	Created            time.Time `json:"created"`
	Updated            time.Time `json:"updated"`
}

// NameKey returns the form of a user name that is unique per tenant:
// Unicode lower case.
func NameKey(name string) string { return strings.ToLower(name) }

// CheckUserName returns nil for a valid user name: 1–64 characters,
// letters (also Chinese), digits and . _ - @; otherwise an *Error wrapping
// ErrInvalid that says so in English and Chinese.
func CheckUserName(name string) error {
	n := utf8.RuneCountInString(name)
	if n < 1 || n > 64 || !utf8.ValidString(name) {
		return invalid("a username must have 1 to 64 characters", "用户名需为 1 到 64 个字符")
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r) {
			return invalid("a username may hold only letters, digits and . _ - @: "+quote(name),
				"用户名只能包含字母、数字和 . _ - @："+quote(name))
		}
	}
	return nil
}

// CheckRoleName returns nil for a valid role name: 1–32 lowercase letters,
// digits or _, starting with a letter; otherwise an *Error wrapping
// ErrInvalid.
func CheckRoleName(name string) error {
	ok := len(name) >= 1 && len(name) <= 32 && name[0] >= 'a' && name[0] <= 'z'
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
	}
	if !ok {
		return invalid("a role name must be 1 to 32 lowercase letters, digits or _, starting with a letter: "+quote(name),
			"角色名需为 1 到 32 个小写字母、数字或下划线，并以字母开头："+quote(name))
	}
	return nil
}

// Scope is the sites whose data a user may see and change. The zero value
// allows no site.
type Scope struct {
	// All allows every site, also those created later.
	All bool `json:"all"`
	// Sites lists the allowed sites when All is false (sorted, unique).
	Sites []string `json:"sites,omitempty"`
}

// AllSites is the scope of every site.
func AllSites() Scope { return Scope{All: true} }

// SitesScope is the scope of the given sites.
func SitesScope(sites ...string) Scope {
	s := slices.Clone(sites)
	slices.Sort(s)
	return Scope{Sites: slices.Compact(s)}
}

// Allows reports whether site is in the scope.
func (s Scope) Allows(site string) bool {
	if s.All {
		return true
	}
	_, ok := slices.BinarySearch(s.Sites, site)
	return ok
}

// Covers reports whether every site of o is in s.
func (s Scope) Covers(o Scope) bool {
	if s.All {
		return true
	}
	if o.All {
		return false
	}
	for _, site := range o.Sites {
		if !s.Allows(site) {
			return false
		}
	}
	return true
}

func (s Scope) normal() Scope {
	if s.All {
		return Scope{All: true}
	}
	return SitesScope(s.Sites...)
}

// Session is a browser's signed-in state. The cookie holds a random
// 32-byte token; the store keeps only its SHA-256 (Hash).
type Session struct {
	Hash   []byte
	Tenant string
	UserID int64
	// CSRF is the token a browser must send back in a header with every
	// write (see CheckCSRF).
	CSRF string
	// Addr is the client address that signed in.
	Addr string
	// Created, LastSeen; the session ends at LastSeen + idle timeout or
	// at Expires, whichever comes first.
	Created  time.Time
	LastSeen time.Time
	Expires  time.Time
}

// APIToken is a credential for an integration: "jxc_<prefix>_<secret>",
// shown once when made; the store keeps its SHA-256 (Hash) and the prefix.
// It acts for the user who made it, with at most Permissions and never
// more than that user has now, within the user's data scope.
type APIToken struct {
	ID          int64        `json:"id"`
	Tenant      string       `json:"-"`
	UserID      int64        `json:"user_id"`
	Name        string       `json:"name"`
	Prefix      string       `json:"prefix"`
	Hash        []byte       `json:"-"`
	Permissions []Permission `json:"permissions"`
	Created     time.Time    `json:"created"`
	Expires     time.Time    `json:"expires"`
	// Revoked is zero unless the token was revoked.
	Revoked  time.Time `json:"revoked,omitzero"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// Active reports whether the token may be used at now.
func (t APIToken) Active(now time.Time) bool {
	return t.Revoked.IsZero() && now.Before(t.Expires)
}

// Kinds of lockout keys.
const (
	LockUser = "user" // Key is the user name's NameKey (also of unknown names)
	LockAddr = "addr" // Key is the client address
)

// Failure is one failed sign-in.
type Failure struct {
	Tenant  string
	NameKey string
	Addr    string
	At      time.Time
}

// Lockout is a period in which sign-in is refused for a user name or a
// client address of a tenant. Lockouts are kept as a log: clearing one
// sets Cleared, nothing deletes them.
type Lockout struct {
	ID       int64     `json:"id"`
	Tenant   string    `json:"-"`
	Kind     string    `json:"kind"` // LockUser or LockAddr
	Key      string    `json:"key"`
	Addr     string    `json:"addr"` // address of the failure that locked
	Failures int       `json:"failures"`
	At       time.Time `json:"at"`
	Until    time.Time `json:"until"`
	// Cleared is when an administrator (or reset-password) lifted it, zero
	// if never; ClearedBy who.
	Cleared   time.Time `json:"cleared,omitzero"`
	ClearedBy string    `json:"cleared_by,omitempty"`
}

// Active reports whether the lockout refuses sign-in at now.
func (l Lockout) Active(now time.Time) bool { return l.Cleared.IsZero() && now.Before(l.Until) }

// Audit is one entry of the audit log: who changed what, when, from where,
// with the record before and after. Entries are only ever appended.
type Audit struct {
	ID     int64  `json:"id"`
	Tenant string `json:"-"`
	// UserID and User name who acted (User is the name at the time);
	// UserID 0 is the system (bootstrap, the command line). TokenID is the
	// API token used, 0 for a browser session.
	UserID  int64  `json:"user_id"`
	User    string `json:"user"`
	TokenID int64  `json:"token_id,omitempty"`
	Addr    string `json:"addr"`
	// Action is module.verb: "user.create", "role.delete".
	Action     string `json:"action"`
	RecordType string `json:"record_type"`
	RecordID   string `json:"record_id"`
	// Before and After are the record as JSON; nil when it did not exist.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	At     time.Time       `json:"at"`
}

// AuditFilter selects audit entries of a tenant; empty fields match all.
// Results are newest first; BeforeID pages: pass the last ID of a page to
// get the next.
type AuditFilter struct {
	Tenant     string
	UserID     int64
	RecordType string
	RecordID   string
	// Action is one action ("user.create"); empty for all.
	Action string
	// From (inclusive) and To (exclusive) bound the time.
	From, To time.Time
	BeforeID int64
	// Limit is the page size: 1–1000, 100 when 0.
	Limit int
}
