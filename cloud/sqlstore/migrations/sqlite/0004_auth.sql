-- 0004_auth: users, roles, data scope, sessions, API tokens, failed
-- sign-ins, lockouts and the append-only audit log (cloud/auth). Times are
-- Unix milliseconds. Shipped roles live in code, not here: roles holds
-- the ones a tenant makes, and user_roles names either.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    tenant               TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    name_key             TEXT    NOT NULL, -- Unicode lower case of name, unique per tenant
    display_name         TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL, -- argon2id PHC string
    must_change_password INTEGER NOT NULL,
    disabled             INTEGER NOT NULL,
    all_sites            INTEGER NOT NULL, -- 1: every site; else the rows of user_sites
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (tenant, name_key)
) STRICT;

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id),
    role    TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;

CREATE TABLE user_sites (
    user_id INTEGER NOT NULL REFERENCES users (id),
    site    TEXT    NOT NULL,
    PRIMARY KEY (user_id, site)
) STRICT, WITHOUT ROWID;

CREATE TABLE roles (
    tenant     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    title_zh   TEXT    NOT NULL,
    PRIMARY KEY (tenant, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE role_permissions (
    tenant     TEXT NOT NULL,
    role       TEXT NOT NULL,
    permission TEXT NOT NULL,
    PRIMARY KEY (tenant, role, permission),
    FOREIGN KEY (tenant, role) REFERENCES roles (tenant, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- sessions: only the SHA-256 of the cookie's token is kept.
CREATE TABLE sessions (
    hash       BLOB    NOT NULL PRIMARY KEY,
    tenant     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf       TEXT    NOT NULL,
    addr       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id);

-- api_tokens: only the SHA-256 of the token is kept; permissions are
-- space-separated.
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    name        TEXT    NOT NULL,
    prefix      TEXT    NOT NULL,
    hash        BLOB    NOT NULL UNIQUE,
    permissions TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER NOT NULL, -- 0: not revoked
    last_used   INTEGER NOT NULL  -- 0: never
) STRICT;

CREATE INDEX api_tokens_user ON api_tokens (tenant, user_id);

-- login_failures: failed sign-ins, counted per user name and per address
-- over the lockout window; pruned after a day.
CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    tenant   TEXT    NOT NULL,
    name_key TEXT    NOT NULL,
    addr     TEXT    NOT NULL,
    at       INTEGER NOT NULL
) STRICT;

CREATE INDEX login_failures_name ON login_failures (tenant, name_key, at);
CREATE INDEX login_failures_addr ON login_failures (tenant, addr, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- lockouts: a log; clearing sets cleared_at, nothing deletes.
CREATE TABLE lockouts (
    id         INTEGER PRIMARY KEY,
    tenant     TEXT    NOT NULL,
    kind       TEXT    NOT NULL, -- 'user' or 'addr'
    key        TEXT    NOT NULL,
    addr       TEXT    NOT NULL,
    failures   INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    until      INTEGER NOT NULL,
    cleared_at INTEGER NOT NULL, -- 0: not cleared
    cleared_by TEXT    NOT NULL
) STRICT;

CREATE INDEX lockouts_key ON lockouts (tenant, kind, key, at);
CREATE INDEX lockouts_at ON lockouts (tenant, at);

-- audit_log: append-only. The triggers refuse any change or deletion, so
-- not even a bug in the cloud can rewrite history.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    user_id     INTEGER NOT NULL, -- 0: the system
    username    TEXT    NOT NULL,
    token_id    INTEGER NOT NULL, -- 0: not through a token
    addr        TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    record_type TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    before      TEXT,             -- JSON; NULL when the record did not exist
    after       TEXT              -- JSON; NULL when it no longer exists
) STRICT;

CREATE INDEX audit_log_at ON audit_log (tenant, at);
CREATE INDEX audit_log_user ON audit_log (tenant, user_id, id);
CREATE INDEX audit_log_record ON audit_log (tenant, record_type, record_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
