package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
)

func (s *Server) registerLockouts() {
	tags := []string{"users"}
	register(s, huma.Operation{OperationID: "list-lockouts", Method: http.MethodGet, Path: "/api/v1/lockouts",
		Summary: "Sign-in lockouts 登录锁定", Tags: tags, Errors: adminErrors,
		Description: "Locks of a user name or client address after repeated failed sign-ins, newest first; " +
			"kept after they end or are cleared."}, []auth.Permission{"user.view"}, s.listLockouts)
	register(s, huma.Operation{OperationID: "clear-lockout", Method: http.MethodDelete, Path: "/api/v1/lockouts/{id}",
		Summary: "Lift a lockout 解除锁定", Tags: tags, Errors: adminErrors,
		Description: "Ends the lock now; the lockout stays in the list with who cleared it."},
		[]auth.Permission{"user.edit"}, s.clearLockout)
}

// LockoutsInput filters and pages GET /api/v1/lockouts.
type LockoutsInput struct {
	Since time.Time `query:"since" doc:"Only lockouts that began at or after this time (RFC 3339); all when omitted."`
	PageInput
}

func (s *Server) listLockouts(ctx context.Context, in *LockoutsInput) (*ListOutput[auth.Lockout], error) {
	ls, err := s.auth.Lockouts(ctx, principalOf(ctx), in.Since)
	if err != nil {
		return nil, err
	}
	return page(ls, in.PageInput), nil
}

// LockoutInput names the lockout of DELETE /api/v1/lockouts/{id}.
type LockoutInput struct {
	ID int64 `path:"id" minimum:"1" doc:"The lockout's ID."`
}

func (s *Server) clearLockout(ctx context.Context, in *LockoutInput) (*struct{}, error) {
	return nil, s.auth.ClearLockout(ctx, principalOf(ctx), in.ID)
}
