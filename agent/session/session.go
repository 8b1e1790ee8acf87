// Package session names who calls the agent's HTTP API: a user of the site
// signed in on a handheld or till (from the "user" master records the
// agent holds, so sign-in works offline), or a device (a gate, a station,
// a script) holding a device token. Handlers read it from the request's
// context; the HTTP layer puts it there after checking the credentials.
package session

import (
	"context"
	"slices"
)

// User is the caller of a request.
type User struct {
	// Name is the user name (a device's token name for a device); it is
	// what movements and documents record as their operator.
	Name        string
	DisplayName string
	// Permissions are module.action strings as the cloud's roles give them
	// ("inventory.edit", "purchase.approve", "retail.edit").
	Permissions []string
	// MaxDiscountPercent is the largest discount the user may give at the
	// till, in percent of a line or sale (0: none).
	MaxDiscountPercent int32
	// Device says the caller is a device token, not a person.
	Device bool
}

// Can reports whether u has the permission.
func (u *User) Can(perm string) bool {
	return u != nil && slices.Contains(u.Permissions, perm)
}

type key struct{}

// With returns ctx carrying u.
func With(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, key{}, u)
}

// From returns the caller ctx carries, if any.
func From(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(key{}).(*User)
	return u, ok && u != nil
}
