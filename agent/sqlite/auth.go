package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// ErrTokenExists is returned by AddDeviceToken for a name already taken.
var ErrTokenExists = errors.New("a device token of that name exists")

// AuthStore keeps the agent's sessions, device tokens and failed
// sign-ins (migration 0009) in the ledger's database file, and reads the
// site's users from the master records the ledger holds. It has its own
// connection beside the ledger's writer (busy_timeout covers the moments
// either writes), so it also works from another process while the agent
// runs: `jxc-agent token add` uses it. Sign-ins are rare, and a session
// is written at most once a minute (touchEvery), so it costs the ledger's
// group commit nothing worth measuring.
type AuthStore struct {
	db *sql.DB
}

// touchEvery is how stale a session's last use may be before a request
// writes it again.
const touchEvery = time.Minute

// OpenAuth opens the auth store of the ledger in dir, creating the
// database and applying the migrations when the agent never ran there.
// It does not take the ledger's lock.
func OpenAuth(dir string) (*AuthStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open auth store: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("open auth store: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(filepath.Join(abs, FileName), url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", DefaultBusyTimeout.Milliseconds()),
			"journal_mode(WAL)",
			"synchronous(FULL)",
			"foreign_keys(1)",
		},
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open auth store: %w", err)
	}
	db.SetMaxOpenConns(1)
	if err := migrate(context.Background(), db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open auth store: %w", err)
	}
	return &AuthStore{db: db}, nil
}

// Close closes the store's connection.
func (a *AuthStore) Close() error { return a.db.Close() }

func ms(t time.Time) int64 { return t.UnixMilli() }

// SiteUser returns the user record of name the ledger holds (kind
// user); found is false when there is none or it is a tombstone.
func (a *AuthStore) SiteUser(ctx context.Context, name string) (*pb.UserRecord, bool, error) {
	var deleted bool
	var body []byte
	err := a.db.QueryRowContext(ctx, `SELECT deleted, body FROM master_records WHERE kind = ? AND key = ?`,
		syncproto.KindUser, name).Scan(&deleted, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("site user %q: %w", name, err)
	case deleted:
		return nil, false, nil
	}
	var u pb.UserRecord
	if err := proto.Unmarshal(body, &u); err != nil {
		return nil, false, fmt.Errorf("site user %q: %w", name, err)
	}
	return &u, true, nil
}

// CreateSession stores a session of user, last used now.
func (a *AuthStore) CreateSession(ctx context.Context, hash [32]byte, user string, now time.Time) error {
	if _, err := a.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user, created_at, last_used) VALUES (?, ?, ?, ?)`,
		hash[:], user, ms(now), ms(now)); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the user of the session and marks it used now (at
// most once per touchEvery); found is false when there is none or it was
// idle longer than idle, which deletes it.
func (a *AuthStore) Session(ctx context.Context, hash [32]byte, now time.Time, idle time.Duration) (string, bool, error) {
	var user string
	var last int64
	err := a.db.QueryRowContext(ctx, `SELECT user, last_used FROM sessions WHERE token_hash = ?`, hash[:]).Scan(&user, &last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("session: %w", err)
	}
	since := now.Sub(time.UnixMilli(last))
	if since > idle {
		return "", false, a.DeleteSession(ctx, hash)
	}
	if since >= touchEvery {
		if _, err := a.db.ExecContext(ctx, `UPDATE sessions SET last_used = ? WHERE token_hash = ?`, ms(now), hash[:]); err != nil {
			return "", false, fmt.Errorf("touch session: %w", err)
		}
	}
	return user, true, nil
}

// DeleteSession ends a session; one that is gone is no error.
func (a *AuthStore) DeleteSession(ctx context.Context, hash [32]byte) error {
	if _, err := a.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hash[:]); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessions ends every session of user.
func (a *AuthStore) DeleteSessions(ctx context.Context, user string) error {
	if _, err := a.db.ExecContext(ctx, `DELETE FROM sessions WHERE user = ?`, user); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// PurgeSessions deletes the sessions idle longer than idle at now and
// returns how many.
func (a *AuthStore) PurgeSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	res, err := a.db.ExecContext(ctx, `DELETE FROM sessions WHERE last_used < ?`, ms(now.Add(-idle)))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// DeviceToken returns the name of the device token whose SHA-256 is hash.
func (a *AuthStore) DeviceToken(ctx context.Context, hash [32]byte) (string, bool, error) {
	var name string
	err := a.db.QueryRowContext(ctx, `SELECT name FROM device_tokens WHERE token_hash = ?`, hash[:]).Scan(&name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("device token: %w", err)
	}
	return name, true, nil
}

// DeviceTokenInfo is a device token as listed (never its secret).
type DeviceTokenInfo struct {
	Name    string
	Created time.Time
}

// AddDeviceToken stores the device token name whose SHA-256 is hash;
// ErrTokenExists when the name is taken.
func (a *AuthStore) AddDeviceToken(ctx context.Context, name string, hash [32]byte, now time.Time) error {
	if err := syncproto.ValidName(name); err != nil {
		return fmt.Errorf("device token name %q: %w", name, err)
	}
	res, err := a.db.ExecContext(ctx, `INSERT INTO device_tokens (name, token_hash, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, hash[:], ms(now))
	if err != nil {
		return fmt.Errorf("add device token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("add device token %q: %w", name, ErrTokenExists)
	}
	return nil
}

// DeviceTokens lists the device tokens by name.
func (a *AuthStore) DeviceTokens(ctx context.Context) ([]DeviceTokenInfo, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT name, created_at FROM device_tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list device tokens: %w", err)
	}
	defer rows.Close()
	var out []DeviceTokenInfo
	for rows.Next() {
		var t DeviceTokenInfo
		var created int64
		if err := rows.Scan(&t.Name, &created); err != nil {
			return nil, fmt.Errorf("list device tokens: %w", err)
		}
		t.Created = time.UnixMilli(created).UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeDeviceToken deletes the device token name and reports whether
// there was one.
func (a *AuthStore) RevokeDeviceToken(ctx context.Context, name string) (bool, error) {
	res, err := a.db.ExecContext(ctx, `DELETE FROM device_tokens WHERE name = ?`, name)
	if err != nil {
		return false, fmt.Errorf("revoke device token: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SignInFailed counts a failed sign-in of user at now in one
// transaction: a failure more than window after the first of the count
// starts it again; the max-th within window locks the user until
// now+lockFor, which is returned (zero when not locked).
func (a *AuthStore) SignInFailed(ctx context.Context, user string, now time.Time, window time.Duration, max int, lockFor time.Duration) (time.Time, error) {
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("count failed sign-in: %w", err)
	}
	defer tx.Rollback()
	var failures int
	var first int64
	err = tx.QueryRowContext(ctx, `SELECT failures, first_at FROM signin_failures WHERE user = ?`, user).Scan(&failures, &first)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && now.Sub(time.UnixMilli(first)) > window:
		failures, first = 0, ms(now)
	case err != nil:
		return time.Time{}, fmt.Errorf("count failed sign-in: %w", err)
	}
	failures++
	var until time.Time
	if failures >= max {
		until = now.Add(lockFor)
	}
	var untilMS int64
	if !until.IsZero() {
		untilMS = ms(until)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (user, failures, first_at, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (user) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, locked_until = excluded.locked_until`,
		user, failures, first, untilMS); err != nil {
		return time.Time{}, fmt.Errorf("count failed sign-in: %w", err)
	}
	if failures >= max {
		// The lock is served; the next failure after it counts from one.
		if _, err := tx.ExecContext(ctx, `UPDATE signin_failures SET failures = 0, first_at = ? WHERE user = ?`, untilMS, user); err != nil {
			return time.Time{}, fmt.Errorf("count failed sign-in: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return time.Time{}, fmt.Errorf("count failed sign-in: %w", err)
	}
	return until, nil
}

// LockedUntil returns until when user is locked out at now; zero when
// not.
func (a *AuthStore) LockedUntil(ctx context.Context, user string, now time.Time) (time.Time, error) {
	var until int64
	err := a.db.QueryRowContext(ctx, `SELECT locked_until FROM signin_failures WHERE user = ?`, user).Scan(&until)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("lockout: %w", err)
	case until <= ms(now):
		return time.Time{}, nil
	}
	return time.UnixMilli(until), nil
}

// SignInSucceeded clears user's failures.
func (a *AuthStore) SignInSucceeded(ctx context.Context, user string) error {
	if _, err := a.db.ExecContext(ctx, `DELETE FROM signin_failures WHERE user = ?`, user); err != nil {
		return fmt.Errorf("clear failed sign-ins: %w", err)
	}
	return nil
}
