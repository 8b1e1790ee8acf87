package docs

import (
	"context"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	"github.com/jxc-edge/jxc/cloud/masterdata"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Row is a document as stored: the columns lists filter by, and the
// document itself as JSON in Body.
type Row struct {
	ID     int64
	Type   string
	Number string
	Status string
	// Partner is the supplier's (or customer's) code; Site the site it
	// is for, ToSite a transfer's destination.
	Partner, Site, ToSite string
	// Ref is the number of the document it was made from; ExternalID an
	// outside system's id; EdgeID the edge document it records.
	Ref, ExternalID, EdgeID string
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
	// RefLine is the line of the source document it comes from.
	RefLine int
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
	// Ref keeps the documents made from that number.
	Ref           string
	Offset, Limit int
}

// Projected is what one ProjectProgress step did.
type Projected struct {
	// Events is how many events it read, Moves how many of them named a
	// document line, Replicas how many replicas' cursors it moved (also
	// over events that are not movements).
	Events, Moves, Replicas int
	// Changed are the documents whose status it changed; Made the
	// documents it made from edge documents; Refused the edge documents
	// it could not make (a bad payload), each with its reason.
	Changed []Changed
	Made    []string
	Refused []string
	// Published are the master records the step's edge documents put
	// (a site's own transfer sent to its destination), by tenant, to push
	// to the agents once the step has committed.
	Published map[string][]master.Record
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
	// DocProgress returns the progress of a document's lines by line
	// (number is the document's number, or its edge id), with the
	// movements that named the number without a line attributed by SKU
	// to its first line of that SKU.
	DocProgress(ctx context.Context, tenant, number string) (map[int]Progress, error)
	// DocChildDone returns, by line of the document number, the done
	// quantities of the lines of the documents made from it that name the
	// line (RefLine), by each child type's Measure.
	DocChildDone(ctx context.Context, tenant, number string) (map[int]int64, error)
	// DocLinks returns the documents made from number and the one named
	// ref (if any).
	DocLinks(ctx context.Context, tenant, number, ref string) ([]Link, error)
	// DocTx runs fn in one write transaction.
	DocTx(ctx context.Context, fn func(Tx) error) error
	// ProjectProgress reads at most limit events past the projection's
	// cursor (per replica, up to its watermark: events after a gap wait
	// for it), adds the movements that name a document line to that
	// line's progress (and the counts naming a document to its line 0),
	// hands every document event to edge in the same transaction, moves
	// the status of the documents that changed (DeriveStatus, and of the
	// documents they were made from) and advances the cursor, in one
	// transaction.
	ProjectProgress(ctx context.Context, limit int, edge EdgeFunc) (Projected, error)
	// RebuildProgress deletes the progress and the cursor and projects the
	// whole log again, in one transaction (edge must skip what it already
	// made).
	RebuildProgress(ctx context.Context, edge EdgeFunc) error
}

// EdgeEvent is a document event of a replica's log.
type EdgeEvent struct {
	Tenant, Site string
	Replica      syncproto.ReplicaID
	Seq          uint64
	HLC          syncproto.HLC
	Doc          *pb.DocEvent
}

// EdgeFunc makes or updates what an edge document event stands for, in
// the projection's transaction; the documents it touches (by number) are
// derived again after it.
type EdgeFunc func(ctx context.Context, tx Tx, e EdgeEvent) (touched []string, err error)

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
	// Progress returns the progress of a document's lines (as
	// Store.DocProgress).
	Progress(ctx context.Context, tenant, number string) (map[int]Progress, error)
	// ByNumber reads a document (with its lines) by number.
	ByNumber(ctx context.Context, tenant, number string) (Row, bool, error)
	// ByEdgeID reads the document made from an edge document.
	ByEdgeID(ctx context.Context, tenant, edgeID string) (Row, bool, error)
	// ByExternalID reads the document of a type with an external id.
	ByExternalID(ctx context.Context, tenant, typ, externalID string) (Row, bool, error)
	// Children returns the documents made from number.
	Children(ctx context.Context, tenant, number string) ([]Link, error)
	// PutMaster stores master records for agents (see masterdata.Tx).
	PutMaster(ctx context.Context, tenant string, recs []master.Record) ([]master.Record, error)
	// AppendOwn stores bodies as the next events of the cloud's own
	// replica of (tenant, site) (syncproto.CloudReplica) and returns them.
	AppendOwn(ctx context.Context, tenant, site string, bodies []*pb.Event) ([]syncproto.Event, error)
	// AppendAudit appends an audit entry.
	AppendAudit(ctx context.Context, a auth.Audit) error
}
