package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/syncproto"
)

// registerAdmin registers the administration of a tenant: users
// (users.go), roles and the permission catalogue (roles.go), sign-in
// lockouts (lockouts.go) and the audit log (audit.go). Every operation
// is one call of the auth service, which checks the permission again
// (the one declared here is what a 403 names) and writes the audit entry
// of each change in the change's transaction.
func (s *Server) registerAdmin() {
	s.registerUsers()
	s.registerRoles()
	s.registerLockouts()
	s.registerAudit()
}

// List is one page of a list and how many items there are in all.
type List[T any] struct {
	Items []T `json:"items" nullable:"false"`
	Total int `json:"total" doc:"How many items there are in all pages."`
}

// ListOutput is the answer of a list.
type ListOutput[T any] struct{ Body List[T] }

// defaultPage is the page size of a list asked without limit.
const defaultPage = 100

// PageInput pages a list by offset: the service returns the whole list
// (a tenant's users, roles, lockouts are few) and the handler cuts it.
type PageInput struct {
	Offset int `query:"offset" minimum:"0" maximum:"1000000" doc:"How many items to skip."`
	Limit  int `query:"limit" minimum:"1" maximum:"1000" doc:"The page size; 100 when omitted."`
}

// page returns the page of items in asks for, never nil.
func page[T any](items []T, in PageInput) *ListOutput[T] {
	limit := in.Limit
	if limit <= 0 {
		limit = defaultPage
	}
	out := &ListOutput[T]{Body: List[T]{Items: []T{}, Total: len(items)}}
	if in.Offset < len(items) {
		out.Body.Items = append(out.Body.Items, items[in.Offset:min(len(items), in.Offset+limit)]...)
	}
	return out
}

// maxSites bounds the sites of a user's scope.
const maxSites = 1000

// checkRoles adds a FieldError for each malformed role name of roles
// (field is "body.roles").
func checkRoles(fe *FieldErrors, field string, roles []string) {
	for i, r := range roles {
		if err := auth.CheckRoleName(r); err != nil {
			addInvalid(fe, fmt.Sprintf("%s[%d]", field, i), err)
		}
	}
}

// addInvalid adds err, the *auth.Error of one of auth's checks, as the
// fault of field.
func addInvalid(fe *FieldErrors, field string, err error) {
	var ae *auth.Error
	if errors.As(err, &ae) {
		fe.Add(field, ae.Msg, ae.MsgZH)
		return
	}
	fe.Add(field, err.Error(), "无效："+err.Error())
}

// checkScope adds a FieldError for each site of scope that is not a valid
// site name, and for too many sites (field is "body.scope").
func checkScope(fe *FieldErrors, field string, scope auth.Scope) {
	if len(scope.Sites) > maxSites {
		fe.Add(field+".sites", fmt.Sprintf("at most %d sites", maxSites), fmt.Sprintf("最多 %d 个站点", maxSites))
		return
	}
	for i, site := range scope.Sites {
		if err := syncproto.ValidName(site); err != nil {
			fe.Add(fmt.Sprintf("%s.sites[%d]", field, i),
				strings.TrimPrefix(err.Error(), syncproto.ErrBadName.Error()+": "),
				"站点名须为 1 到 64 字节，且不能包含 / + # $ 或空白字符")
		}
	}
}

// checkPermissions adds a FieldError for each permission not in the
// catalogue.
func checkPermissions(fe *FieldErrors, field string, perms []auth.Permission) {
	for i, p := range perms {
		if !auth.Known(p) {
			fe.Add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("unknown permission %q (see GET /api/v1/permissions)", p),
				fmt.Sprintf("未知权限 %q（见 GET /api/v1/permissions）", p))
		}
	}
}

// adminErrors are the error statuses documented on the administration
// operations besides 401 and 403.
var adminErrors = []int{http.StatusBadRequest, http.StatusNotFound, http.StatusConflict}
