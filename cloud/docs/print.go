package docs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/docs/pdfdoc"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// printing keeps the renderer, made on the first print that finds a
// font. A missing font is not kept: installing it makes the next print
// work without a restart.
type printing struct {
	mu       sync.Mutex
	fontPath string
	r        *pdfdoc.Renderer
}

func (p *printing) renderer() (*pdfdoc.Renderer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.r != nil {
		return p.r, nil
	}
	r, err := pdfdoc.New(pdfdoc.Options{FontPath: p.fontPath})
	if err != nil {
		return nil, err
	}
	p.r = r
	return r, nil
}

// Print returns a document of type typ as a PDF in the layout of a Chinese
// business form, with its file name (NUMBER.pdf) (permission
// module.view; the document's site in the caller's scope, as Get). The
// letterhead is the tenant settings' company_name, company_address,
// company_phone and company_tax_id; the partner block the supplier's or
// customer's name, code and first contact. Lines of a type without
// prices print without money (zeros). Without a usable CJK font it
// returns the *pdfdoc.Error of pdfdoc.ErrNoFont (answer 503); a document
// whose amounts disagree with its lines gives pdfdoc.ErrDocument.
func (s *Service) Print(ctx context.Context, p *auth.Principal, typ string, id int64) ([]byte, string, error) {
	d, err := s.Get(ctx, p, typ, id)
	if err != nil {
		return nil, "", err
	}
	r, err := s.printing.renderer()
	if err != nil {
		return nil, "", err
	}
	rs, err := s.reportStore()
	if err != nil {
		return nil, "", err
	}
	pd, err := s.printable(ctx, rs.Reports(), p.Tenant, TypeOf(typ), d)
	if err != nil {
		return nil, "", err
	}
	b, err := r.Render(pd)
	if err != nil {
		return nil, "", err
	}
	return b, d.Number + ".pdf", nil
}

// printable is what pdfdoc prints of d.
func (s *Service) printable(ctx context.Context, rr ReportReader, tenant string, t *Type, d *Document) (*pdfdoc.Document, error) {
	set := masterdata.DefaultSettings()
	if row, ok, err := rr.MasterByCode(ctx, tenant, masterdata.KindSettings, "", masterdata.SettingsCode); err != nil {
		return nil, err
	} else if ok {
		if err := json.Unmarshal(row.Body, &set); err != nil {
			return nil, fmt.Errorf("decode settings: %w", err)
		}
	}
	out := &pdfdoc.Document{
		Company: pdfdoc.Company{Name: set.CompanyName, Address: set.CompanyAddress, Phone: set.CompanyPhone, TaxID: set.CompanyTaxID},
		Title:   t.TitleZH, TitleEN: titleCase(t.Title), Number: d.Number,
		Status:     t.StatusZH(d.Status) + " " + strings.ReplaceAll(d.Status, "_", " "),
		Notes:      d.Note,
		PreparedBy: d.CreatedBy, ApprovedBy: d.ApprovedBy,
	}
	if day, err := time.ParseInLocation(time.DateOnly, d.Date, s.zone); err == nil {
		out.Date = day
	}
	if d.CloseReason != "" {
		out.Notes = strings.TrimSpace(out.Notes + "\n关闭原因 closed: " + d.CloseReason)
	}
	switch t.Partner {
	case masterdata.KindSupplier:
		out.PartnerLabel = "供应商 Supplier"
	case masterdata.KindCustomer:
		out.PartnerLabel = "客户 Customer"
	}
	if d.Partner != "" && t.Partner != "" {
		out.Partner = pdfdoc.Partner{Name: d.PartnerName, Code: d.Partner}
		row, ok, err := rr.MasterByCode(ctx, tenant, t.Partner, "", d.Partner)
		if err != nil {
			return nil, err
		}
		if ok {
			var pt struct {
				Contacts []masterdata.Contact `json:"contacts"`
			}
			if err := json.Unmarshal(row.Body, &pt); err != nil {
				return nil, fmt.Errorf("decode %s %s: %w", t.Partner, d.Partner, err)
			}
			out.Partner.Name = row.Name
			if len(pt.Contacts) > 0 {
				out.Partner.Contact = strings.TrimSpace(pt.Contacts[0].Name + " " + pt.Contacts[0].Phone)
			}
		}
	}
	site, err := siteLabel(ctx, rr, tenant, d.Site)
	if err != nil {
		return nil, err
	}
	if d.ToSite != "" {
		to, err := siteLabel(ctx, rr, tenant, d.ToSite)
		if err != nil {
			return nil, err
		}
		site += " → " + to
	}
	out.Site = site
	for _, l := range d.Lines {
		pl := pdfdoc.Line{No: l.Line, SKU: l.SKU, Name: l.Name, Unit: l.Unit, Qty: l.Qty}
		if t.Priced {
			pl.Price, pl.Net, pl.Tax, pl.Gross = l.Price, l.Net, l.Tax, l.Gross
			if l.VATRate != nil {
				pl.VATRate = *l.VATRate
			}
			out.Totals.Net, out.Totals.Tax, out.Totals.Gross = out.Totals.Net+l.Net, out.Totals.Tax+l.Tax, out.Totals.Gross+l.Gross
		}
		out.Lines = append(out.Lines, pl)
	}
	return out, nil
}

// siteLabel is "code name" of a site, or its code when it has no record.
func siteLabel(ctx context.Context, rr ReportReader, tenant, code string) (string, error) {
	row, ok, err := rr.MasterByCode(ctx, tenant, masterdata.KindSite, "", code)
	if err != nil || !ok || row.Name == "" || row.Name == code {
		return code, err
	}
	return code + " " + row.Name, nil
}

// titleCase capitalizes each word: "purchase order" → "Purchase Order".
func titleCase(s string) string {
	w := strings.Fields(s)
	for i, x := range w {
		w[i] = strings.ToUpper(x[:1]) + x[1:]
	}
	return strings.Join(w, " ")
}
