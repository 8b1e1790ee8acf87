package auth

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MaxAuditPage is the most entries one SearchAudit returns.
const MaxAuditPage = 1000

func (s *Service) auditFilter(p *Principal, f AuditFilter) (AuditFilter, error) {
	f.Tenant = p.Tenant
	switch {
	case f.Limit == 0:
		f.Limit = 100
	case f.Limit < 0 || f.Limit > MaxAuditPage:
		return f, invalid(fmt.Sprintf("limit must be 1 to %d", MaxAuditPage), fmt.Sprintf("limit 需为 1 到 %d", MaxAuditPage))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, invalid("from must be before to", "起始时间必须早于结束时间")
	}
	return f, nil
}

// SearchAudit returns the audit entries of p's tenant that match f, newest
// first, one page of at most f.Limit (permission audit.view). The next
// page is f with BeforeID set to the last entry's ID; an empty page is the
// end.
func (s *Service) SearchAudit(ctx context.Context, p *Principal, f AuditFilter) ([]Audit, error) {
	if err := p.Can("audit.view"); err != nil {
		return nil, err
	}
	f, err := s.auditFilter(p, f)
	if err != nil {
		return nil, err
	}
	return s.store.SearchAudit(ctx, f)
}

// ExportAudit writes every audit entry of p's tenant that matches f (all
// pages, f.BeforeID as the start) to w as CSV, newest first (permission
// audit.export). On an error part of the file may have been written.
func (s *Service) ExportAudit(ctx context.Context, p *Principal, f AuditFilter, w io.Writer) error {
	if err := p.Can("audit.export"); err != nil {
		return err
	}
	f.Limit = MaxAuditPage
	f, err := s.auditFilter(p, f)
	if err != nil {
		return err
	}
	cw := NewAuditCSV(w)
	for {
		page, err := s.store.SearchAudit(ctx, f)
		if err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		if err := cw.Write(page...); err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		if len(page) < f.Limit {
			return nil
		}
		f.BeforeID = page[len(page)-1].ID
	}
}

// AuditCSV writes audit entries as CSV (RFC 4180, UTF-8 with a byte order
// mark so that Excel reads the Chinese right), a header first:
//
//	id,time,user_id,user,token_id,addr,action,record_type,record_id,before,after
//
// Times are RFC 3339 in UTC; before and after the JSON as stored. A field
// that a spreadsheet would take for a formula (starting with = + - @ or a
// tab) is prefixed with '.
type AuditCSV struct {
	w      *csv.Writer
	out    io.Writer
	header bool
}

// NewAuditCSV returns a writer of audit entries to w.
func NewAuditCSV(w io.Writer) *AuditCSV { return &AuditCSV{w: csv.NewWriter(w), out: w} }

// Write writes entries (the header and BOM before the first call's) and
// flushes.
func (c *AuditCSV) Write(entries ...Audit) error {
	if !c.header {
		c.header = true
		if _, err := io.WriteString(c.out, "\ufeff"); err != nil {
			return err
		}
		if err := c.w.Write([]string{"id", "time", "user_id", "user", "token_id", "addr", "action", "record_type", "record_id", "before", "after"}); err != nil {
			return err
		}
	}
	for _, a := range entries {
		rec := []string{strconv.FormatInt(a.ID, 10), a.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(a.UserID, 10),
			a.User, strconv.FormatInt(a.TokenID, 10), a.Addr, a.Action, a.RecordType, a.RecordID, string(a.Before), string(a.After)}
		for i := range rec {
			rec[i] = defuse(rec[i])
		}
		if err := c.w.Write(rec); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
