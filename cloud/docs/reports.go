package docs

import (
	"context"
	"fmt"

	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
)

// The business calculations read more than a document: master records,
// the stock at a site, the movements out of it, the counts made for a
// count plan. A store that can has ReportStore (cloud/sqlstore on SQLite
// and PostgreSQL); every read is on the read pool, never in a write
// transaction, and nothing here is written except through the generic
// document changes (audited).

// Outflow is one stored movement out of a site (qty < 0 on the wire),
// given here as the positive quantity that left.
type Outflow struct {
	SKU string
	HLC syncproto.HLC
	Qty int64
}

// ReportReader is what the calculations read of a store.
type ReportReader interface {
	// MasterByCode finds a master record by kind, site ("" for kinds
	// that are not site-scoped) and code.
	MasterByCode(ctx context.Context, tenant, kind, site, code string) (masterdata.Row, bool, error)
	// MasterGet reads a master record by kind and ID.
	MasterGet(ctx context.Context, tenant, kind string, id int64) (masterdata.Row, error)
	// MasterList returns every record of kind (of site when site is not
	// "", for site-scoped kinds such as stock limits), by code.
	MasterList(ctx context.Context, tenant, kind, site string) ([]masterdata.Row, error)
	// SiteOnHand returns the on-hand of each SKU at site over every bin
	// and lot (SKUs with a stored key only).
	SiteOnHand(ctx context.Context, tenant, site string) (map[string]int64, error)
	// Outflows returns the movements out of site (qty < 0) whose HLC is
	// at least from and whose reason is one of reasons.
	Outflows(ctx context.Context, tenant, site string, from syncproto.HLC, reasons []string) ([]Outflow, error)
	// PlanCounts returns the count events of site whose doc is number,
	// decoded.
	PlanCounts(ctx context.Context, tenant, site, number string) ([]syncproto.Event, error)
	// KeyEvents returns every stored movement and count of key, decoded.
	KeyEvents(ctx context.Context, tenant string, key syncproto.Key) ([]syncproto.Event, error)
}

// ReportStore is a store with the sales reads and the report reads.
type ReportStore interface {
	SalesStore
	// Reports returns the reader over the read pool.
	Reports() ReportReader
}

// errNoReports is a store without the report reads.
var errNoReports = fmt.Errorf("docs: the store has no report reads (ReportStore)")

func (s *Service) reportStore() (ReportStore, error) {
	rs, ok := s.store.(ReportStore)
	if !ok {
		return nil, errNoReports
	}
	return rs, nil
}
