package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
)

func (s *Server) registerRoles() {
	tags := []string{"roles"}
	view, edit := []auth.Permission{"role.view"}, []auth.Permission{"role.edit"}
	register(s, huma.Operation{OperationID: "list-roles", Method: http.MethodGet, Path: "/api/v1/roles",
		Summary: "Roles 角色列表", Tags: tags, Errors: adminErrors,
		Description: "The shipped roles (builtin, unchangeable) first, then those the tenant made, by name."}, view, s.listRoles)
	register(s, huma.Operation{OperationID: "create-role", Method: http.MethodPost, Path: "/api/v1/roles",
		Summary: "Create a role 新建角色", Tags: tags, Errors: adminErrors, DefaultStatus: http.StatusCreated,
		Description: "With permissions of the catalogue that the caller holds."}, edit, s.createRole)
	register(s, huma.Operation{OperationID: "update-role", Method: http.MethodPut, Path: "/api/v1/roles/{name}",
		Summary: "Change a role 修改角色", Tags: tags, Errors: adminErrors,
		Description: "Replaces the titles and permissions of a role the tenant made; the caller must hold its old and new " +
			"permissions. Holders get the change at their next request."}, edit, s.updateRole)
	register(s, huma.Operation{OperationID: "delete-role", Method: http.MethodDelete, Path: "/api/v1/roles/{name}",
		Summary: "Delete a role 删除角色", Tags: tags, Errors: adminErrors,
		Description: "A role the tenant made that no user holds."}, edit, s.deleteRole)
	register(s, huma.Operation{OperationID: "list-permissions", Method: http.MethodGet, Path: "/api/v1/permissions",
		Summary: "The permission catalogue 权限目录", Tags: tags,
		Description: "Every permission there is, module by module, with what it allows in English and Chinese."},
		nil, s.listPermissions)
}

// RolesInput pages GET /api/v1/roles.
type RolesInput struct {
	PageInput
}

func (s *Server) listRoles(ctx context.Context, in *RolesInput) (*ListOutput[auth.Role], error) {
	rs, err := s.auth.Roles(ctx, principalOf(ctx))
	if err != nil {
		return nil, err
	}
	return page(rs, in.PageInput), nil
}

// RoleBody is what a role holds besides its name.
type RoleBody struct {
	Title       string            `json:"title" minLength:"1" maxLength:"128"`
	TitleZH     string            `json:"title_zh,omitempty" maxLength:"128"`
	Permissions []auth.Permission `json:"permissions" maxItems:"500" doc:"Permissions of the catalogue (GET /api/v1/permissions) that the caller holds."`
	// MaxDiscountPercent is the largest discount holders may give at the
	// till.
	MaxDiscountPercent int32 `json:"max_discount_percent,omitempty" minimum:"0" maximum:"100" doc:"The largest discount a holder may give at the till, in percent (0 … 100, default 0); a user gets the largest of their roles'."`
}

// NewRoleInput is the body of POST /api/v1/roles.
type NewRoleInput struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"32" pattern:"^[a-z][a-z0-9_]*$"`
		RoleBody
	}
}

// RoleOutput is the answer of a role's change.
type RoleOutput struct {
	Location string `header:"Location"`
	Body     auth.Role
}

func (s *Server) createRole(ctx context.Context, in *NewRoleInput) (*RoleOutput, error) {
	r, err := s.saveRole(ctx, in.Body.Name, in.Body.RoleBody, s.auth.CreateRole)
	if err != nil {
		return nil, err
	}
	return &RoleOutput{Location: "/api/v1/roles/" + r.Name, Body: r}, nil
}

// UpdateRoleInput is PUT /api/v1/roles/{name}.
type UpdateRoleInput struct {
	Name string `path:"name" maxLength:"32" pattern:"^[a-z][a-z0-9_]*$"`
	Body RoleBody
}

func (s *Server) updateRole(ctx context.Context, in *UpdateRoleInput) (*RoleOutput, error) {
	r, err := s.saveRole(ctx, in.Name, in.Body, s.auth.UpdateRole)
	if err != nil {
		return nil, err
	}
	return &RoleOutput{Body: r}, nil
}

// saveRole checks b's permissions, naming each unknown one, and saves the
// role with save.
func (s *Server) saveRole(ctx context.Context, name string, b RoleBody,
	save func(context.Context, *auth.Principal, auth.Role) (auth.Role, error)) (auth.Role, error) {
	var fe FieldErrors
	checkPermissions(&fe, "body.permissions", b.Permissions)
	if err := fe.Err(); err != nil {
		return auth.Role{}, err
	}
	perms := b.Permissions
	if perms == nil {
		perms = []auth.Permission{}
	}
	return save(ctx, principalOf(ctx), auth.Role{Name: name, Title: b.Title, TitleZH: b.TitleZH, Permissions: perms,
		MaxDiscountPercent: b.MaxDiscountPercent})
}

// DeleteRoleInput is DELETE /api/v1/roles/{name}.
type DeleteRoleInput struct {
	Name string `path:"name" maxLength:"32" pattern:"^[a-z][a-z0-9_]*$"`
}

func (s *Server) deleteRole(ctx context.Context, in *DeleteRoleInput) (*struct{}, error) {
	return nil, s.auth.DeleteRole(ctx, principalOf(ctx), in.Name)
}

// PermissionItem is one permission of the catalogue.
type PermissionItem struct {
	Name   auth.Permission `json:"name" example:"product.edit"`
	Module string          `json:"module" example:"product"`
	Action string          `json:"action" example:"edit" doc:"view, edit, approve or export."`
	Desc   string          `json:"desc" doc:"What it allows, in English."`
	DescZH string          `json:"desc_zh" doc:"What it allows, in Chinese."`
}

func (s *Server) listPermissions(ctx context.Context, _ *struct{}) (*ListOutput[PermissionItem], error) {
	cat := auth.Catalogue()
	out := &ListOutput[PermissionItem]{Body: List[PermissionItem]{Items: make([]PermissionItem, len(cat)), Total: len(cat)}}
	for i, p := range cat {
		out.Body.Items[i] = PermissionItem{Name: p.Name, Module: p.Name.Module(), Action: p.Name.Action(), Desc: p.Desc, DescZH: p.DescZH}
	}
	return out, nil
}
