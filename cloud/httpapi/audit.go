package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
)

func (s *Server) registerAudit() {
	tags := []string{"audit"}
	register(s, huma.Operation{OperationID: "search-audit", Method: http.MethodGet, Path: "/api/v1/audit",
		Summary: "The audit log 审计日志", Tags: tags, Errors: []int{http.StatusBadRequest},
		Description: "Who changed what, when and from where, with the record before and after; newest first. " +
			"Page with before_id: the next_before_id of the previous answer."},
		[]auth.Permission{"audit.view"}, s.searchAudit)
	register(s, huma.Operation{OperationID: "export-audit", Method: http.MethodGet, Path: "/api/v1/audit/export",
		Summary: "Export the audit log as CSV 导出审计日志", Tags: tags, Errors: []int{http.StatusBadRequest},
		Description: "Every entry matching the filters (before_id as the start), newest first, as a CSV download: " +
			"UTF-8 with a byte order mark (Excel), RFC 3339 UTC times, a ' before a field a spreadsheet would take for a formula. " +
			"A failure after the file began cuts the connection, so a partial file never looks whole.",
		Responses: map[string]*huma.Response{"200": {
			Description: "The CSV file: id,time,user_id,user,token_id,addr,action,record_type,record_id,before,after",
			Headers: map[string]*huma.Param{"Content-Disposition": {Description: `attachment; filename="audit-….csv"`,
				Schema: &huma.Schema{Type: huma.TypeString}}},
			Content: map[string]*huma.MediaType{"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}}},
		}}},
		[]auth.Permission{"audit.export"}, s.exportAudit)
}

// AuditFilterInput filters the audit log; empty parameters match all.
type AuditFilterInput struct {
	User       int64     `query:"user" minimum:"1" doc:"Only what the user of this ID did."`
	RecordType string    `query:"record_type" maxLength:"64" doc:"Only changes of this kind of record: user, role, api_token, lockout …"`
	RecordID   string    `query:"record_id" maxLength:"128" doc:"Only changes of this record (with record_type)."`
	Action     string    `query:"action" maxLength:"64" doc:"Only this action, as module.verb: user.create, role.update, auth.sign_in …"`
	From       time.Time `query:"from" doc:"Only entries at or after this time (RFC 3339)."`
	To         time.Time `query:"to" doc:"Only entries before this time (RFC 3339)."`
	BeforeID   int64     `query:"before_id" minimum:"1" doc:"Only entries older than this ID: the next_before_id of the previous page."`
}

func (in AuditFilterInput) filter() auth.AuditFilter {
	return auth.AuditFilter{UserID: in.User, RecordType: in.RecordType, RecordID: in.RecordID, Action: in.Action,
		From: in.From, To: in.To, BeforeID: in.BeforeID}
}

// AuditInput is GET /api/v1/audit.
type AuditInput struct {
	AuditFilterInput
	Limit int `query:"limit" minimum:"1" maximum:"1000" doc:"The page size; 100 when omitted."`
}

// AuditPage is one page of the audit log.
type AuditPage struct {
	Items []auth.Audit `json:"items" nullable:"false"`
	// NextBeforeID is the before_id of the next page, 0 (left out) when
	// this page was not full: there is no more.
	NextBeforeID int64 `json:"next_before_id,omitempty" doc:"The before_id of the next page; absent when this page was the last (not full)."`
}

// AuditOutput is the answer of GET /api/v1/audit.
type AuditOutput struct{ Body AuditPage }

func (s *Server) searchAudit(ctx context.Context, in *AuditInput) (*AuditOutput, error) {
	f := in.filter()
	f.Limit = in.Limit
	if f.Limit == 0 {
		f.Limit = defaultPage
	}
	as, err := s.auth.SearchAudit(ctx, principalOf(ctx), f)
	if err != nil {
		return nil, err
	}
	out := &AuditOutput{Body: AuditPage{Items: append([]auth.Audit{}, as...)}}
	if len(as) == f.Limit && len(as) > 0 {
		out.Body.NextBeforeID = as[len(as)-1].ID
	}
	return out, nil
}

// AuditExportInput is GET /api/v1/audit/export.
type AuditExportInput struct {
	AuditFilterInput
}

// AuditExportOutput streams the CSV file.
type AuditExportOutput struct {
	Body func(huma.Context)
}

func (s *Server) exportAudit(ctx context.Context, in *AuditExportInput) (*AuditExportOutput, error) {
	p, f := principalOf(ctx), in.filter()
	name := "audit-" + time.Now().UTC().Format("20060102-150405") + ".csv"
	return &AuditExportOutput{Body: func(hctx huma.Context) {
		w := &csvDownload{ctx: hctx, name: name}
		err := s.auth.ExportAudit(ctx, p, f, w)
		switch {
		case err == nil:
			w.begin()
		case !w.begun:
			// Nothing is out yet: a proper error answer.
			huma.WriteErr(s.api, hctx, 0, "", err)
		default:
			// Part of the file is out: cut the connection, so that the
			// client cannot take it for the whole file.
			s.Log.Error("audit export failed midway", "err", err)
			panic(http.ErrAbortHandler)
		}
	}}, nil
}

// csvDownload writes a CSV attachment, sending the status and headers at
// the first write so that an error before it can still be answered as
// JSON.
type csvDownload struct {
	ctx   huma.Context
	name  string
	begun bool
}

func (w *csvDownload) begin() {
	if w.begun {
		return
	}
	w.begun = true
	w.ctx.SetHeader("Content-Type", "text/csv; charset=utf-8")
	w.ctx.SetHeader("Content-Disposition", `attachment; filename="`+w.name+`"`)
	w.ctx.SetHeader("Cache-Control", "no-store")
	w.ctx.SetStatus(http.StatusOK)
}

func (w *csvDownload) Write(b []byte) (int, error) {
	w.begin()
	return w.ctx.BodyWriter().Write(b)
}
