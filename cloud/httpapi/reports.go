package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs"
	"github.com/jxc-edge/jxc/cloud/docs/pdfdoc"
)

// PDFOutput is a printed document.
type PDFOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

// registerReports adds the business calculations over documents, stock
// and master data: each document's PDF, supplier performance,
// replenishment suggestions, count variances and stock alerts.
func (s *Server) registerReports() {
	for _, t := range docs.Types() {
		s.registerPrint(t)
	}
}

// registerPrint adds GET /api/v1/{type path}/{id}/pdf.
func (s *Server) registerPrint(t *docs.Type) {
	svc := s.opts.Docs
	tags := []string{t.Module + " " + map[string]string{"purchase": "采购", "sales": "销售", "inventory": "库存", "retail": "零售"}[t.Module]}
	money := "with prices, VAT and amounts, 价税合计 in capitals"
	if !t.Priced {
		money = "lines without money (the type has no prices)"
	}
	register(s, huma.Operation{OperationID: "print-" + strings.ReplaceAll(t.Name, "_", "-"), Method: http.MethodGet,
		Path: "/api/v1/" + t.Path + "/{id}/pdf", Summary: "Print a " + t.Title + " " + t.TitleZH + "打印（PDF）", Tags: tags,
		Errors: []int{404, 503},
		Responses: map[string]*huma.Response{"200": {Description: "The PDF, named NUMBER.pdf.",
			Content: map[string]*huma.MediaType{"application/pdf": binary()}}},
		Description: "An A4 PDF in the layout of a Chinese business form: the company letterhead from the settings " +
			"(company_name, company_address, company_phone, company_tax_id), the partner's name, code and first contact, " +
			"the lines " + money + ", signature boxes. 503 (code no_font) when the server has no CJK TrueType font " +
			"(install fonts-wqy-microhei)."}, []auth.Permission{t.PermView()},
		func(ctx context.Context, in *MDIDInput) (*PDFOutput, error) {
			b, name, err := svc.Print(ctx, principalOf(ctx), t.Name, in.ID)
			if err != nil {
				return nil, reportError(err)
			}
			return &PDFOutput{ContentType: "application/pdf", ContentDisposition: `inline; filename="` + name + `"`, Body: b}, nil
		})
}

// reportError maps the refusals of the calculations (a missing font, a
// document that cannot be printed) and then those of cloud/docs.
func reportError(err error) error {
	var pe *pdfdoc.Error
	if errors.As(err, &pe) {
		e := &Error{Message: pe.Msg, MessageZH: pe.MsgZH, cause: err}
		switch {
		case errors.Is(err, pdfdoc.ErrNoFont):
			e.status, e.Code = http.StatusServiceUnavailable, "no_font"
		case errors.Is(err, pdfdoc.ErrDocument), errors.Is(err, pdfdoc.ErrAmountRange):
			e.status, e.Code = http.StatusConflict, "unprintable"
		default:
			return err
		}
		return e
	}
	return docsError(err)
}
