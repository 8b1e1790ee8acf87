// Package auth is the cloud's business area of accounts: users of a tenant
// with argon2id passwords, roles bundling module.action permissions (eight
// shipped, more made by administrators), data scope by site, browser
// sessions with CSRF tokens, API tokens for integrations, lockout after
// repeated failed sign-ins, and the append-only audit log that every
// write through the API adds to in its own transaction.
//
// A Service holds the rules over a Store (the SQL one is in
// cloud/sqlstore). The HTTP layer authenticates each request to a
// Principal and business calls check it with Principal.Can and CanSite.
// DESIGN.md beside this file gives the formats, parameters and rules, and
// what the HTTP layer must do.
package auth
