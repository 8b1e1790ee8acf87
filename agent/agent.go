// Package agent holds the edge agent's domain: the ledger it records stock
// movements in, and the types its HTTP API and sync client share. Storage
// (agent/sqlite), the MQTT sync client (agent/mqtt) and the HTTP API
// (agent/httpapi) implement or use what is declared here.
package agent

import (
	"context"
	"errors"
	"time"

	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

var (
	// ErrInvalid means a caller's input was rejected; the error text says why.
	ErrInvalid = errors.New("invalid input")
	// ErrClosed means the ledger was closed.
	ErrClosed = errors.New("ledger closed")
	// ErrWrongSite means a ledger directory belongs to another site or tenant.
	ErrWrongSite = errors.New("ledger belongs to another site")
	// ErrKeyReused means an idempotency key was first used for a request
	// with other content or of another kind; the first request stands.
	ErrKeyReused = errors.New("idempotency key already used for a different request")
)

// MovementInput is a stock movement as a user or device records it.
type MovementInput struct {
	SKU      string `json:"sku"`
	Bin      string `json:"bin"`
	Lot      string `json:"lot,omitempty"`
	EPC      string `json:"epc,omitempty"`
	Qty      int64  `json:"qty"`
	UnitCost int64  `json:"unit_cost,omitempty"`
	Currency string `json:"currency,omitempty"`
	Reason   string `json:"reason"`
	Doc      string `json:"doc,omitempty"`
	Operator string `json:"operator,omitempty"`
	Device   string `json:"device,omitempty"`
	// Expiry is the lot's expiry date, yyyy-mm-dd, if the goods carry one.
	Expiry string `json:"expiry,omitempty"`
}

// CountInput is a stock count of one key as a user records it.
type CountInput struct {
	SKU      string `json:"sku"`
	Bin      string `json:"bin"`
	Lot      string `json:"lot,omitempty"`
	Counted  int64  `json:"counted"`
	Operator string `json:"operator,omitempty"`
	Device   string `json:"device,omitempty"`
	// Doc names the count plan the count was made for, if any.
	Doc string `json:"doc,omitempty"`
}

// Receipt names a durable event.
type Receipt struct {
	Replica syncproto.ReplicaID
	Seq     uint64
	HLC     syncproto.HLC
}

// StockRow is the on-hand quantity of one key.
type StockRow struct {
	Site string `json:"site"`
	Bin  string `json:"bin"`
	SKU  string `json:"sku"`
	Lot  string `json:"lot"`
	Qty  int64  `json:"qty"`
}

// StockFilter selects stock rows; empty fields match everything.
type StockFilter struct {
	SKU, Bin string
}

// Product is a catalogue entry: the SKU that a GTIN (a scanned barcode, or
// the GTIN inside an SGTIN EPC) stands for. GTIN is kept as 14 digits (see
// NormalizeGTIN); Name is for people and may be empty. Unit may be empty
// too; a weight unit (see WeightUnit) makes the SKU one sold by weight,
// whose quantities are grams.
type Product struct {
	GTIN string `json:"gtin"`
	SKU  string `json:"sku"`
	Name string `json:"name,omitempty"`
	Unit string `json:"unit,omitempty"`
	// Price is the retail price in fen per one Unit (per kg for goods
	// catalogued in kg, per piece for counted goods); 0 when unknown.
	Price int64 `json:"price,omitempty"`
	// Factor is, for the barcode of a pack (a case), how many of the
	// SKU's quantities one pack holds: 24 for a case of 24 bottles, 10000
	// for a 10 kg case of a SKU sold by weight (its quantities are grams).
	// 0 for the SKU's own barcodes, which stand for one; 1 means the same.
	Factor int64 `json:"factor,omitempty"`
}

// Units returns the quantity one item of p's GTIN stands for: Factor, or
// 1 when Factor is below 2.
func (p Product) Units() int64 {
	if p.Factor < 2 {
		return 1
	}
	return p.Factor
}

// Ledger is the agent's durable, grow-only event log with its derived
// on-hand. Every method is safe for concurrent use.
type Ledger interface {
	// Replica returns this agent's replica ID, made at first start and kept.
	Replica() syncproto.ReplicaID
	// Site returns the site this ledger belongs to.
	Site() string

	// RecordMovement appends a movement. It returns only once the event is
	// fsynced; concurrent callers share fsyncs. Bad input gives ErrInvalid.
	RecordMovement(ctx context.Context, in MovementInput) (Receipt, error)
	// RecordMovements appends several movements in one request and one
	// transaction: when it returns without error every one is durable, with
	// consecutive seqs in input order, and the receipts are in input order;
	// on error none is. One invalid input rejects the whole call with
	// ErrInvalid naming its index and field ("movements[3].qty is 0").
	// An empty slice records nothing.
	RecordMovements(ctx context.Context, in []MovementInput) ([]Receipt, error)
	// RecordCount appends a count whose context is everything this replica
	// has seen (its own events and the peer events it has applied).
	RecordCount(ctx context.Context, in CountInput) (Receipt, error)
	// Append appends any other event body (a document event, say); the body
	// must not set replica, seq, site or hlc.
	Append(ctx context.Context, body *pb.Event) (Receipt, error)

	// Stock returns on-hand rows as this replica knows them, sorted by key.
	Stock(ctx context.Context, f StockFilter) ([]StockRow, error)

	// PutProducts inserts or replaces catalogue entries by GTIN, all in one
	// transaction. GTINs are normalised to 14 digits; an invalid entry or a
	// GTIN given twice rejects the whole call with ErrInvalid naming its
	// index and field. The catalogue is master data, not events: it is not
	// synced as events and not part of on-hand.
	PutProducts(ctx context.Context, products []Product) error
	// ProductByGTIN returns the catalogue entry of a GTIN (8, 12, 13 or 14
	// digits, normalised like PutProducts) and whether there is one. A
	// malformed GTIN gives ErrInvalid.
	ProductByGTIN(ctx context.Context, gtin string) (Product, bool, error)

	// LastSeq returns the highest seq this replica has written.
	LastSeq() uint64
	// AckedSeq returns the cloud's acknowledged watermark for this replica.
	AckedSeq() uint64
	// SetAcked durably records a watermark; a lower one than stored is ignored.
	SetAcked(ctx context.Context, seq uint64) error
	// Events returns this replica's own events from seq on, consecutive, at
	// most maxEvents of them and stopping before their Raw bodies exceed
	// maxBytes (but at least one).
	Events(ctx context.Context, from uint64, maxEvents, maxBytes int) ([]syncproto.Event, error)
	// Notify returns a channel that receives (coalesced) after every durable
	// append of this replica's own events.
	Notify() <-chan struct{}

	// ApplyPeer merges events of other replicas of the same site, given in
	// seq order per replica. Events already applied are skipped; an event
	// after a gap in its replica's seqs is not applied (the caller pulls
	// the gap and sends again). It returns how many events were applied.
	ApplyPeer(ctx context.Context, events []syncproto.Event) (int, error)
	// PeerVV returns, for each peer replica, the highest seq applied.
	PeerVV() syncproto.VV

	// Rebuild recomputes on-hand from the events and replaces the derived
	// table; it must give exactly what the incremental path gave.
	Rebuild(ctx context.Context) error

	// Close stops the writer and closes the database.
	Close() error
}

// Fork records that a ledger stopped writing under one replica ID and went
// on under a new one, because the cloud holds events of the old ID that
// this ledger does not (its folder was restored from a backup, or copied).
type Fork struct {
	// Old and New are the replica IDs before and after.
	Old syncproto.ReplicaID `json:"-"`
	New syncproto.ReplicaID `json:"-"`
	// Seq is the last seq of Old this ledger kept as written: up to it the
	// ledger and the cloud hold the same events. Old's later events are the
	// cloud's; they come back as a peer's.
	Seq uint64 `json:"fork_seq"`
	// Moved counts this ledger's own events after Seq, which the cloud never
	// accepted under Old: they were written again under New (seqs 1..Moved,
	// same content) and removed under Old.
	Moved  uint64    `json:"moved"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Forker is a ledger that can fork to a new replica ID. The sync client
// forks when the cloud is ahead of the ledger under its replica ID; a
// ledger that cannot fork must not be written to any more.
type Forker interface {
	// Fork takes a new random replica ID in one transaction: Old's events up
	// to seq stay as they are; the ledger's own events after seq are written
	// again under the new ID (new seqs from 1, same content: a count's
	// context is renamed to match) and removed under Old; Old becomes a peer
	// with seq applied, so the cloud's copies of its later events arrive as
	// a peer's; on-hand is recomputed from the events. seq above LastSeq
	// gives ErrInvalid. Receipts handed out for the moved events name seqs
	// that no longer exist.
	Fork(ctx context.Context, seq uint64, reason string) (Fork, error)
	// LastFork returns the ledger's latest fork, if it ever forked.
	LastFork() (Fork, bool)
}

// Reasons a master record is skipped by MasterStore.ApplyMaster, as
// counted in the ledger's stats (MasterSkipped) and on the agent's
// /metrics.
const (
	// MasterSkipBody: the body does not decode as its kind's protobuf.
	MasterSkipBody = "undecodable_body"
	// MasterSkipGTIN: a product record's GTIN (its own or a pack's) has
	// the wrong length or check digit, or is listed twice.
	MasterSkipGTIN = "invalid_gtin"
	// MasterSkipRecord: another field breaks its kind's rules (an empty
	// key, a negative price, a pack factor below 2, min above max).
	MasterSkipRecord = "invalid_record"
	// MasterSkipProfile: a device profile that firmware-configs refuses.
	MasterSkipProfile = "invalid_profile"
)

// MasterStore is a ledger that keeps the cloud's master records for its
// site (DESIGN.md §4, down/master) and applies product records to its
// catalogue. The sync client feeds it when the ledger has it.
type MasterStore interface {
	// MasterRev returns the master revision the ledger holds: every record
	// for its site up to it is applied. 0 when it has none.
	MasterRev() uint64
	// ApplyMaster applies a batch checked by syncproto.DecodeMasterBatch,
	// in one transaction, if its from_rev equals MasterRev; it reports
	// whether it did. A batch that does not follow on is ignored (the
	// caller pulls again). A batch for another tenant or site gives
	// ErrWrongSite and one whose revision range is broken ErrInvalid;
	// neither changes anything. Applying stores each record and advances
	// MasterRev to the batch's to_rev; a product record (key = SKU)
	// replaces that SKU's catalogue entries by its GTINs and its packs'
	// GTINs, a deleted one removes them. A record that breaks its kind's
	// rules (a product body that does not decode, a bad GTIN, a device
	// profile that firmware-configs refuses) is skipped: not stored, the
	// previous version of its (kind, key) kept, counted by reason
	// (MasterSkip…) and logged with its kind, key and reason; the rest of
	// the batch is applied and the revision still advances, so one bad
	// record never stops master sync.
	ApplyMaster(ctx context.Context, b *pb.MasterBatch) (bool, error)
}

// DocumentInput is an edge document event written together with the
// movements it records (DocumentStore.RecordDocument). With DocType,
// Doc, Status and Payload all empty there is no document event: the
// movements alone are written (at least one).
type DocumentInput struct {
	// Doc is the document event: Doc empty opens a document (its id is
	// syncproto.EdgeDocID of this event), else it names the document it
	// moves on; DocType, Status and Payload as syncproto.EdgeDoc says.
	Doc     string
	DocType string
	Status  string
	Payload []byte
	// Fingerprint, if set, is what an idempotency key is compared on
	// instead of the events' content: the caller's request, so that a
	// retry is recognised before the events are made again (they may
	// depend on state that changed meanwhile). LookupKey finds it.
	Fingerprint []byte
	// Movements are written after the document event, in order. A
	// movement with Line > 0 and no Doc names line Line of the document
	// the event opens: the ledger fills its doc with
	// syncproto.DocLine(EdgeDocID(replica, seq of the event), Line).
	Movements []DocMovement
}

// DocMovement is a movement of a DocumentInput.
type DocMovement struct {
	MovementInput
	// Line is the line of the opened document the movement records.
	Line int
}

// DocReceipt names the events a RecordDocument call wrote.
type DocReceipt struct {
	// ID is the edge document's id (syncproto.EdgeDocID).
	ID string
	// Doc is the receipt of the document event; its movements have the
	// seqs after it, Events in all (the document event included).
	Doc    Receipt
	Events int
	// Replayed says an earlier call with the same idempotency key wrote
	// them and this one wrote nothing.
	Replayed bool
}

// Progress is the work this site recorded against one document line (or
// document, or edge document line): the sums of the positive and of the
// negative quantities of the movements naming it, how many movements did
// and how many counts named it.
type Progress struct {
	Doc    string `json:"doc"`
	Pos    int64  `json:"pos"`
	Neg    int64  `json:"neg"`
	Moves  int64  `json:"moves"`
	Counts int64  `json:"counts"`
}

// EdgeDocState is what the ledger knows of an edge document: its type and
// status (last writer wins by (hlc, replica)), the ref of its opening
// event, the events that opened it and last moved it on.
type EdgeDocState struct {
	ID      string
	DocType string
	Status  string
	Ref     string
	// Open names the opening event (Seq 0 while it has not arrived);
	// Last the event whose status stands.
	Open, Last Receipt
}

// DocumentStore is a ledger that writes documents with their movements
// atomically and keeps what the site did against documents (DOMAIN.md
// §1: progress is a function of the events naming a document).
type DocumentStore interface {
	// RecordDocument writes in one transaction the document event and
	// then its movements, with consecutive seqs, all durable when it
	// returns; on error none is. With an idempotency key (not empty) a
	// second call with the same key and input writes nothing and returns
	// the first call's receipt (Replayed); other input under a used key
	// gives ErrKeyReused. Bad input gives ErrInvalid naming the field.
	RecordDocument(ctx context.Context, key string, in DocumentInput) (DocReceipt, error)
	// RecordMovementOnce and RecordCountOnce are RecordMovement and
	// RecordCount with an idempotency key, as RecordDocument.
	RecordMovementOnce(ctx context.Context, key string, in MovementInput) (Receipt, error)
	RecordCountOnce(ctx context.Context, key string, in CountInput) (Receipt, error)
	// LookupKey returns what an earlier RecordDocument with the key and
	// the same Fingerprint wrote (Replayed set); found is false for an
	// unused key; a key used otherwise gives ErrKeyReused.
	LookupKey(ctx context.Context, key string, fingerprint []byte) (r DocReceipt, found bool, err error)
	// MasterRecord returns the stored master record (kind, key), a
	// tombstone included; ok is false when there is none.
	MasterRecord(ctx context.Context, kind, key string) (*pb.MasterRecord, bool, error)
	// DocProgress returns the progress of number itself and of each of its
	// lines ("NUMBER#LINE"), by doc.
	DocProgress(ctx context.Context, number string) (map[string]Progress, error)
	// EdgeDoc returns an edge document's state and the payloads of its
	// opening event and of the event whose status stands (nil when not
	// known); ok is false when the ledger knows no event of it.
	EdgeDoc(ctx context.Context, id string) (st EdgeDocState, open, last []byte, ok bool, err error)
	// EdgeDocs lists edge documents: those whose ref is ref when ref is
	// not empty, else those this replica opened, newest first; at most
	// limit.
	EdgeDocs(ctx context.Context, ref string, limit int) ([]EdgeDocState, error)
	// MasterRecords returns the stored master records of kind.
	MasterRecords(ctx context.Context, kind string) ([]*pb.MasterRecord, error)
}
