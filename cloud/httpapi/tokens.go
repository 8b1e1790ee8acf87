package httpapi

import (
	"context"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
)

// TokensOutput is the answer of GET /api/v1/auth/tokens.
type TokensOutput struct {
	Body struct {
		Tokens []auth.APIToken `json:"tokens"`
	}
}

func (s *Server) tokens(ctx context.Context, _ *struct{}) (*TokensOutput, error) {
	p := principalOf(ctx)
	ts, err := s.auth.Tokens(ctx, p, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &TokensOutput{}
	out.Body.Tokens = append([]auth.APIToken{}, ts...)
	return out, nil
}

// NewTokenInput is the body of POST /api/v1/auth/tokens.
type NewTokenInput struct {
	Body struct {
		Name        string            `json:"name" minLength:"1" maxLength:"128"`
		Permissions []auth.Permission `json:"permissions" minItems:"1" doc:"A subset of the caller's permissions."`
		Expires     time.Time         `json:"expires,omitzero" required:"false" doc:"When it stops working; 90 days when omitted, at most a year."`
	}
}

// NewTokenOutput is a token just made; Secret is shown only now.
type NewTokenOutput struct {
	Status int
	Body   struct {
		auth.APIToken
		Secret string `json:"secret" doc:"The token to send as Authorization: Bearer; shown only now."`
	}
}

func (s *Server) createToken(ctx context.Context, in *NewTokenInput) (*NewTokenOutput, error) {
	t, secret, err := s.auth.CreateToken(ctx, principalOf(ctx),
		auth.NewToken{Name: in.Body.Name, Permissions: in.Body.Permissions, Expires: in.Body.Expires})
	if err != nil {
		return nil, err
	}
	out := &NewTokenOutput{Status: 201}
	out.Body.APIToken, out.Body.Secret = t, secret
	return out, nil
}

// RevokeTokenInput names the token of DELETE /api/v1/auth/tokens/{id}.
type RevokeTokenInput struct {
	ID int64 `path:"id"`
}

func (s *Server) revokeToken(ctx context.Context, in *RevokeTokenInput) (*struct{}, error) {
	return nil, s.auth.RevokeToken(ctx, principalOf(ctx), in.ID)
}
