package httpapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata/importx"
	"github.com/jxc-edge/jxc/internal/httpx"
)

// ImportInput is a file to check for an import.
type ImportInput struct {
	Kind    string `query:"kind" required:"true" enum:"products,suppliers,customers,bins" doc:"What the file holds."`
	Format  string `query:"format" enum:"xlsx,csv," doc:"xlsx or csv (UTF-8, with or without BOM); omitted: guessed from the file."`
	RawBody []byte
}

// ImportOutput is the check report of a file.
type ImportOutput struct{ Body *importx.Report }

// CommitImportInput names a checked import.
type CommitImportInput struct {
	ID string `path:"id" maxLength:"64" doc:"The id of the check report."`
}

// CommitImportOutput is what a commit wrote.
type CommitImportOutput struct{ Body *importx.Result }

// ExportInput asks for a file format.
type ExportInput struct {
	Format string `query:"format" enum:"xlsx,csv" default:"xlsx" doc:"xlsx, or csv (UTF-8 with a BOM, so Excel reads Chinese)."`
}

// ExportOutput is a file.
type ExportOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func binary() *huma.MediaType {
	return &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
}

// registerImports adds the import and export of master data files
// (cloud/masterdata/importx); pending imports live in this process.
func (s *Server) registerImports() {
	im := importx.New(s.opts.MasterData, importx.Options{})
	tags := []string{"master data 主数据"}
	register(s, huma.Operation{OperationID: "check-import", Method: http.MethodPost, Path: "/api/v1/imports",
		Summary: "Check a file to import 检查导入文件", Tags: tags, Errors: []int{400, 413},
		MaxBodyBytes: int64(im.MaxFileSize()) + 1,
		RequestBody: &huma.RequestBody{Required: true, Description: "The XLSX or CSV file itself, as the body (any content type).",
			Content: map[string]*huma.MediaType{importx.XLSX.ContentType(): binary(), "text/csv": binary()}},
		Description: "Reads the file and checks every row as the commit would write it, writing nothing: the report lists " +
			"each problem by row (as the spreadsheet shows it, header = row 1) and column, and its id commits the valid " +
			"records within 30 minutes. Needs the kind's edit permission (product.edit, partner.edit, site.edit). " +
			"Sample files: cloud/masterdata/samples."},
		[]auth.Permission{"product.edit", "partner.edit", "site.edit"},
		func(ctx context.Context, in *ImportInput) (*ImportOutput, error) {
			format, err := importx.ParseFormat(in.Format, in.RawBody)
			if err != nil {
				return nil, importError(err)
			}
			rep, err := im.Check(ctx, principalOf(ctx), in.Kind, format, in.RawBody)
			if err != nil {
				return nil, importError(err)
			}
			return &ImportOutput{Body: rep}, nil
		})
	register(s, huma.Operation{OperationID: "commit-import", Method: http.MethodPost, Path: "/api/v1/imports/{id}/commit",
		Summary: "Write a checked import 提交导入", Tags: tags, Errors: []int{404},
		Description: "Writes the valid records of a checked import (new codes created, existing ones updated, unchanged ones " +
			"left alone), once. A record the store no longer accepts (changed since the check) is left out and listed. " +
			"The commit runs to its end even if the client goes away."},
		[]auth.Permission{"product.edit", "partner.edit", "site.edit"},
		func(ctx context.Context, in *CommitImportInput) (*CommitImportOutput, error) {
			res, err := im.Commit(context.WithoutCancel(ctx), principalOf(ctx), in.ID)
			if err != nil {
				return nil, importError(err)
			}
			return &CommitImportOutput{Body: res}, nil
		})
	for _, k := range []struct {
		kind, en, zh string
		perm         auth.Permission
	}{
		{"products", "products", "商品", "product.export"},
		{"suppliers", "suppliers", "供应商", "partner.export"},
		{"customers", "customers", "客户", "partner.export"},
		{"bins", "bins", "库位", "site.view"},
	} {
		register(s, huma.Operation{OperationID: "export-" + k.kind, Method: http.MethodGet, Path: "/api/v1/" + k.kind + "/export",
			Summary: "Export " + k.en + " 导出" + k.zh, Tags: tags, Errors: []int{400},
			Description: "Every record the caller may see, in the layout the import reads.",
			Responses: map[string]*huma.Response{"200": {Description: "The file.",
				Content: map[string]*huma.MediaType{importx.XLSX.ContentType(): binary(), importx.CSV.ContentType(): binary()}}}},
			[]auth.Permission{k.perm},
			func(ctx context.Context, in *ExportInput) (*ExportOutput, error) {
				format := importx.Format(strings.ToLower(in.Format))
				if format == "" {
					format = importx.XLSX
				}
				var buf bytes.Buffer
				if err := im.Export(ctx, principalOf(ctx), k.kind, format, &buf); err != nil {
					return nil, importError(err)
				}
				name := k.kind + "-" + time.Now().UTC().Format("20060102") + "." + string(format)
				return &ExportOutput{ContentType: format.ContentType(), ContentDisposition: `attachment; filename="` + name + `"`,
					Body: buf.Bytes()}, nil
			})
	}
}

// importError maps the importer's errors; others are left to mapDomain.
func importError(err error) error {
	var e *importx.Error
	if !errors.As(err, &e) {
		return err
	}
	p := &httpx.Problem{Status: http.StatusBadRequest, Reason: "bad_file", Msg: e.Msg, MsgZH: e.MsgZH}
	switch {
	case errors.Is(err, importx.ErrNotFound):
		p.Status, p.Reason = http.StatusNotFound, "not_found"
	case errors.Is(err, importx.ErrTooLarge):
		p.Status, p.Reason = http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, importx.ErrBadRequest):
		p.Reason = "invalid"
	}
	return p
}
