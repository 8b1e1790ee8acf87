package docs

import (
	"context"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// Row is a document as stored: the columns lists filter by, and the
// document itself as JSON in Body.
type Row struct {
	ID     int64
	Type   string
	Number string
	Status string
	// Partner is the supplier's (or customer's) code; Site the site it
	// is for.
	Partner, Site string
	// Date is yyyy-mm-dd.
	Date    string
	Version int64
	Amounts
	Body      []byte
	UpdatedAt time.Time
	UpdatedBy string
	// Lines are what progress is measured against.
	Lines []LineRow
}

// LineRow is a document line as the progress projection needs it.
type LineRow struct {
	Line    int
	SKU     string
	QtyBase int64
}

// Query selects a page of documents of one type.
type Query struct {
	Type string
	// Q matches the number as a case-insensitive substring.
	Q        string
	Statuses []string
	Partner  string
	// Sites, when not nil, keeps documents of those sites.
	Sites []string
	// DateFrom and DateTo (yyyy-mm-dd, inclusive) bound the date.
	DateFrom, DateTo string
	Offset, Limit    int
}

// Projected is what one ProjectProgress step did.
type Projected struct {
	// Events is how many events it read, Moves how many of them named a
	// document line, Replicas how many replicas' cursors it moved (also
	// over events that are not movements).
	Events, Moves, Replicas int
	// Changed are the documents whose status it changed.
	Changed []Changed
}

// Changed is a document whose status the projection moved.
type Changed struct {
	Tenant, Number, From, To string
}

// Store is what the service needs of a database; cloud/sqlstore has it on
// SQLite and PostgreSQL.
type Store interface {
	// DocGet returns a document with its lines; an *Error wrapping
	// ErrNotFound when there is none of the type.
	DocGet(ctx context.Context, tenant, typ string, id int64) (Row, error)
	// DocList returns a page of documents (lines not read) and how many
	// match in all, newest number first.
	DocList(ctx context.Context, tenant string, q Query) ([]Row, int, error)
	// DocProgress returns the progress of a document's lines by line.
	DocProgress(ctx context.Context, tenant, number string) (map[int]Progress, error)
	// DocTx runs fn in one write transaction.
	DocTx(ctx context.Context, fn func(Tx) error) error
	// ProjectProgress reads at most limit events past the projection's
	// cursor (per replica, up to its watermark: events after a gap wait
	// for it), adds the movements that name a document line to that
	// line's progress, moves the status of the documents that changed
	// (ReceiptStatus) and advances the cursor, in one transaction.
	ProjectProgress(ctx context.Context, limit int) (Projected, error)
	// RebuildProgress deletes the progress and the cursor and projects the
	// whole log again, in one transaction.
	RebuildProgress(ctx context.Context) error
}

// Tx is one write transaction.
type Tx interface {
	// Get reads a document with its lines, locking it until commit.
	Get(ctx context.Context, tenant, typ string, id int64) (Row, error)
	// MasterByCode finds a master record by kind and code (site "").
	MasterByCode(ctx context.Context, tenant, kind, code string) (masterdata.Row, bool, error)
	// MasterGet reads a master record by ID.
	MasterGet(ctx context.Context, tenant, kind string, id int64) (masterdata.Row, error)
	// NextNumber takes the next serial (1, 2, …) of (tenant, prefix,
	// day); concurrent transactions never get the same one.
	NextNumber(ctx context.Context, tenant, prefix, day string) (int, error)
	// Insert stores a new document with its lines and returns its ID.
	Insert(ctx context.Context, tenant string, r Row) (int64, error)
	// Update replaces a document and its lines.
	Update(ctx context.Context, tenant string, r Row) error
	// Progress returns the progress of a document's lines.
	Progress(ctx context.Context, tenant, number string) (map[int]Progress, error)
	// PutMaster stores master records for agents (see masterdata.Tx).
	PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error)
	// AppendAudit appends an audit entry.
	AppendAudit(ctx context.Context, a auth.Audit) error
}
