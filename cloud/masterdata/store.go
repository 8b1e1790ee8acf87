package masterdata

import (
	"context"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
)

// Row is a master record as stored: the columns every kind has, and the
// record itself as JSON in Body.
type Row struct {
	Kind string
	ID   int64
	// Site is the site of a site-scoped record (bin, stock limit) and ""
	// for the rest; Code is unique per (kind, site).
	Site, Code, Name string
	ParentID         int64
	Disabled         bool
	Version          int64
	// Rev is the tenant's revision at the record's last change.
	Rev       uint64
	Body      []byte
	UpdatedAt time.Time
	UpdatedBy string
	// Filters are the values the kind's lists filter by, by name.
	Filters map[string]string
}

// Key is a value unique across a tenant within its space ("barcode"),
// owned by one record. Field names where the record holds it.
type Key struct {
	Space, Value string
	Field        string
}

// Ref is a record that another one refers to.
type Ref struct {
	Kind string
	ID   int64
}

// Query selects a page of one kind's records.
type Query struct {
	Kind string
	// Q matches code or name, as a case-insensitive substring.
	Q string
	// Disabled, when set, keeps records with that flag.
	Disabled *bool
	// Sites, when not nil, keeps records of those sites (site-scoped
	// kinds), or for kind "site" those codes.
	Sites    []string
	ParentID *int64
	// Filters keep records whose filter value of each name is equal.
	Filters map[string]string
	// Sort is "code", "name" or "updated_at", Desc its direction.
	Sort   string
	Desc   bool
	Offset int
	Limit  int
}

// Store is what the service needs of a database; cloud/sqlstore has it on
// SQLite and PostgreSQL.
type Store interface {
	// MDGet returns a record; ErrNotFound when there is none.
	MDGet(ctx context.Context, tenant, kind string, id int64) (Row, error)
	// MDList returns a page of records and how many match in all.
	MDList(ctx context.Context, tenant string, q Query) ([]Row, int, error)
	// MDKeyOwner returns the record owning a key.
	MDKeyOwner(ctx context.Context, tenant, space, value string) (Ref, bool, error)
	// MDTx runs fn in one write transaction.
	MDTx(ctx context.Context, fn func(Tx) error) error
	// MasterRecordsOf returns the current (not deleted) master records of
	// a kind addressed to site, by key.
	MasterRecordsOf(ctx context.Context, tenant, site, kind string) ([]master.Record, error)
}

// Tx is one write transaction. Reads lock what they read until commit.
type Tx interface {
	Get(ctx context.Context, tenant, kind string, id int64) (Row, error)
	// ByCode finds a record by kind, site and code.
	ByCode(ctx context.Context, tenant, kind, site, code string) (Row, bool, error)
	// Children returns the records of kind whose parent is parentID.
	Children(ctx context.Context, tenant, kind string, parentID int64) ([]Row, error)
	// Insert stores a new record and returns its ID.
	Insert(ctx context.Context, tenant string, r Row) (int64, error)
	// Update replaces a record (by kind and ID).
	Update(ctx context.Context, tenant string, r Row) error
	// Delete removes a record with its keys, references and filters.
	Delete(ctx context.Context, tenant, kind string, id int64) error
	// SetKeys replaces the keys a record owns. When a key is owned by
	// another record, nothing is changed and that key is returned with
	// its owner.
	SetKeys(ctx context.Context, tenant string, owner Ref, keys []Key) (*Key, Ref, error)
	// SetRefs replaces what a record refers to.
	SetRefs(ctx context.Context, tenant string, from Ref, to []Ref) error
	// Referrers returns up to limit records that refer to one.
	Referrers(ctx context.Context, tenant string, to Ref, limit int) ([]Ref, error)
	// NextRev takes the tenant's next revision.
	NextRev(ctx context.Context, tenant string) (uint64, error)
	// PutMaster stores master records for agents under new, consecutive
	// revisions of the tenant and returns them with their revisions.
	PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error)
	// AppendAudit appends an audit entry.
	AppendAudit(ctx context.Context, a auth.Audit) error
}
