package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
)

func (s *Server) registerUsers() {
	tags := []string{"users"}
	view, edit := []auth.Permission{"user.view"}, []auth.Permission{"user.edit"}
	register(s, huma.Operation{OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users",
		Summary: "Users 用户列表", Tags: tags, Errors: adminErrors,
		Description: "The tenant's users sorted by name, a page at a time."}, view, s.listUsers)
	register(s, huma.Operation{OperationID: "create-user", Method: http.MethodPost, Path: "/api/v1/users",
		Summary: "Create a user 新建用户", Tags: tags, Errors: adminErrors, DefaultStatus: http.StatusCreated,
		Description: "The roles and sites given must be the caller's own. Without a password a one-time password " +
			"is generated and returned (only in this answer); either way the user must change it at the first sign-in."},
		edit, s.createUser)
	register(s, huma.Operation{OperationID: "get-user", Method: http.MethodGet, Path: "/api/v1/users/{id}",
		Summary: "A user 用户详情", Tags: tags, Errors: adminErrors}, view, s.getUser)
	register(s, huma.Operation{OperationID: "update-user", Method: http.MethodPut, Path: "/api/v1/users/{id}",
		Summary: "Change a user 修改用户", Tags: tags, Errors: adminErrors,
		Description: "Fields left out stay as they are. Only users whose roles and sites are within the caller's may be " +
			"changed; no one disables themselves, and the last enabled administrator keeps the role. " +
			"Disabling a user ends their sessions."}, edit, s.updateUser)
	register(s, huma.Operation{OperationID: "set-user-password", Method: http.MethodPost, Path: "/api/v1/users/{id}/password",
		Summary: "Reset a user's password 重置用户密码", Tags: tags, Errors: adminErrors,
		Description: "Sets the password given, or generates a one-time password and returns it (only in this answer). " +
			"The user must change it at the next sign-in; their sessions end and their lockouts are cleared."},
		edit, s.setUserPassword)
	register(s, huma.Operation{OperationID: "list-user-tokens", Method: http.MethodGet, Path: "/api/v1/users/{id}/tokens",
		Summary: "A user's API tokens 用户的 API 令牌", Tags: tags, Errors: adminErrors,
		Description: "Never their secrets. Revoke one with DELETE /api/v1/auth/tokens/{id} (user.edit)."}, view, s.userTokens)
}

// UsersInput pages GET /api/v1/users.
type UsersInput struct {
	PageInput
}

func (s *Server) listUsers(ctx context.Context, in *UsersInput) (*ListOutput[auth.User], error) {
	us, err := s.auth.Users(ctx, principalOf(ctx))
	if err != nil {
		return nil, err
	}
	return page(us, in.PageInput), nil
}

// NewUserInput is the body of POST /api/v1/users.
type NewUserInput struct {
	Body struct {
		Name        string     `json:"name" minLength:"1" maxLength:"64" doc:"The sign-in name: letters (Chinese too), digits and . _ - @; unique in the tenant regardless of case."`
		DisplayName string     `json:"display_name,omitempty" maxLength:"128"`
		Password    string     `json:"password,omitempty" maxLength:"256" doc:"The first password; generated and returned when omitted."`
		Roles       []string   `json:"roles" maxItems:"64" doc:"Role names (GET /api/v1/roles), each one the caller may grant."`
		Scope       auth.Scope `json:"scope" doc:"The sites the user may see and change: all, or a list within the caller's."`
	}
}

// CreatedUser is a user just made.
type CreatedUser struct {
	auth.User
	Password string `json:"password,omitempty" doc:"The generated one-time password when none was given, shown only in this answer (not in an idempotent replay)."`
}

// CreateUserOutput is the answer of POST /api/v1/users.
type CreateUserOutput struct {
	Location string `header:"Location"`
	Body     CreatedUser
}

func (s *Server) createUser(ctx context.Context, in *NewUserInput) (*CreateUserOutput, error) {
	var fe FieldErrors
	if err := auth.CheckUserName(in.Body.Name); err != nil {
		addInvalid(&fe, "body.name", err)
	}
	if in.Body.Password != "" {
		if err := auth.CheckPassword(in.Body.Password, in.Body.Name); err != nil {
			addInvalid(&fe, "body.password", err)
		}
	}
	checkRoles(&fe, "body.roles", in.Body.Roles)
	checkScope(&fe, "body.scope", in.Body.Scope)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	roles := in.Body.Roles
	if roles == nil {
		roles = []string{}
	}
	u, generated, err := s.auth.CreateUser(ctx, principalOf(ctx), auth.NewUser{Name: in.Body.Name, DisplayName: in.Body.DisplayName,
		Password: in.Body.Password, Roles: roles, Scope: in.Body.Scope})
	if err != nil {
		return nil, err
	}
	return &CreateUserOutput{Location: "/api/v1/users/" + strconv.FormatInt(u.ID, 10), Body: CreatedUser{User: u, Password: generated}}, nil
}

// UserInput names the user of /api/v1/users/{id}.
type UserInput struct {
	ID int64 `path:"id" minimum:"1" doc:"The user's ID."`
}

// UserOutput is the answer of GET and PUT /api/v1/users/{id}.
type UserOutput struct{ Body auth.User }

func (s *Server) getUser(ctx context.Context, in *UserInput) (*UserOutput, error) {
	u, err := s.auth.User(ctx, principalOf(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &UserOutput{Body: u}, nil
}

// UpdateUserInput is the change of PUT /api/v1/users/{id}; fields left out
// stay as they are.
type UpdateUserInput struct {
	ID   int64 `path:"id" minimum:"1" doc:"The user's ID."`
	Body struct {
		DisplayName *string     `json:"display_name,omitempty" maxLength:"128"`
		Roles       *[]string   `json:"roles,omitempty" maxItems:"64" doc:"Replaces the user's roles."`
		Scope       *auth.Scope `json:"scope,omitempty" doc:"Replaces the user's sites."`
		Disabled    *bool       `json:"disabled,omitempty" doc:"A disabled user cannot sign in; their tokens stop working."`
	}
}

func (s *Server) updateUser(ctx context.Context, in *UpdateUserInput) (*UserOutput, error) {
	b := in.Body
	var fe FieldErrors
	if b.DisplayName == nil && b.Roles == nil && b.Scope == nil && b.Disabled == nil {
		fe.Add("body", "nothing to change: give display_name, roles, scope or disabled",
			"没有要修改的内容：请提供 display_name、roles、scope 或 disabled")
	}
	if b.Roles != nil {
		checkRoles(&fe, "body.roles", *b.Roles)
	}
	if b.Scope != nil {
		checkScope(&fe, "body.scope", *b.Scope)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	u, err := s.auth.UpdateUser(ctx, principalOf(ctx), in.ID,
		auth.UserChange{DisplayName: b.DisplayName, Roles: b.Roles, Scope: b.Scope, Disabled: b.Disabled})
	if err != nil {
		return nil, err
	}
	return &UserOutput{Body: u}, nil
}

// SetPasswordInput is POST /api/v1/users/{id}/password; the body may be
// left out to generate a password.
type SetPasswordInput struct {
	ID   int64 `path:"id" minimum:"1" doc:"The user's ID."`
	Body *struct {
		Password string `json:"password,omitempty" maxLength:"256" doc:"The new password; generated and returned when omitted."`
	}
}

// SetPasswordOutput is the answer of POST /api/v1/users/{id}/password.
type SetPasswordOutput struct {
	Body struct {
		Password           string `json:"password,omitempty" doc:"The generated one-time password, shown only in this answer (not in an idempotent replay)."`
		MustChangePassword bool   `json:"must_change_password" doc:"Always true: the user must change the password at the next sign-in."`
	}
}

func (s *Server) setUserPassword(ctx context.Context, in *SetPasswordInput) (*SetPasswordOutput, error) {
	password := ""
	if in.Body != nil {
		password = in.Body.Password
	}
	if password != "" {
		// The service checks it against the user's name too.
		if err := auth.CheckPassword(password, ""); err != nil {
			var fe FieldErrors
			addInvalid(&fe, "body.password", err)
			return nil, fe
		}
	}
	generated, err := s.auth.SetPassword(ctx, principalOf(ctx), in.ID, password)
	if err != nil {
		return nil, err
	}
	out := &SetPasswordOutput{}
	out.Body.Password, out.Body.MustChangePassword = generated, true
	return out, nil
}

// UserTokensInput is GET /api/v1/users/{id}/tokens.
type UserTokensInput struct {
	ID int64 `path:"id" minimum:"1" doc:"The user's ID."`
	PageInput
}

func (s *Server) userTokens(ctx context.Context, in *UserTokensInput) (*ListOutput[auth.APIToken], error) {
	p := principalOf(ctx)
	// An unknown user is 404, not an empty list.
	if _, err := s.auth.User(ctx, p, in.ID); err != nil {
		return nil, err
	}
	ts, err := s.auth.Tokens(ctx, p, in.ID)
	if err != nil {
		return nil, err
	}
	return page(ts, in.PageInput), nil
}
