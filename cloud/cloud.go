// Package cloud holds the central service's domain: the store of every
// replica's events with derived on-hand, and the types its ingest and HTTP
// API share. Stores live in cloud/sqlite and cloud/postgres (both on the
// shared SQL core cloud/sqlstore); MQTT ingest in cloud/ingest.
package cloud

import (
	"context"
	"errors"
	"time"

	"github.com/jxc-edge/jxc/syncproto"
)

var (
	// ErrWrongSite means a batch names another tenant or site than the one
	// its replica was first seen with.
	ErrWrongSite = errors.New("replica belongs to another site")
	// ErrInvalid means a caller's input was rejected; the error text says why.
	// A batch that gives it never succeeds: it is malformed.
	ErrInvalid = errors.New("invalid input")
	// ErrTransient means the database failed for a reason that may pass (a
	// lost connection, a serialization failure or deadlock that outlasted
	// the store's own retries, a busy database): the same call may succeed
	// later. No other error is worth retrying.
	ErrTransient = errors.New("temporary database failure")
	// ErrConflict means a batch holds an event whose (replica, seq) is
	// stored with another body, or a new event at or above a seq of its
	// replica found in conflict before: two ledgers write under one replica
	// ID (a data folder restored from a backup, or copied). Nothing from the
	// conflicting seq on is stored; retrying cannot succeed.
	ErrConflict = errors.New("event conflicts with a stored event of the same replica and seq")
)

// Applied is what storing one batch did.
type Applied struct {
	// Watermark is the replica's highest seq with every seq up to it stored.
	Watermark uint64
	// Inserted are the batch's events that were not stored before, in seq order.
	Inserted []syncproto.Event
	// Gap reports that some stored seq of the replica is above Watermark+1,
	// so the replica should resend from Watermark+1.
	Gap bool
	// Conflict is the batch's first seq that was refused (see ErrConflict),
	// 0 when none was. The events before it were applied as usual.
	Conflict uint64
}

// ReplicaInfo describes one replica as the cloud knows it.
type ReplicaInfo struct {
	Tenant    string              `json:"tenant"`
	Site      string              `json:"site"`
	Replica   syncproto.ReplicaID `json:"-"`
	ID        string              `json:"replica"`
	Watermark uint64              `json:"watermark"`
	MaxSeq    uint64              `json:"max_seq"`
	// ConflictSeq is the lowest seq at which the replica was found in
	// conflict (ErrConflict); 0 when never. The cloud stores nothing of the
	// replica from there on.
	ConflictSeq uint64    `json:"conflict_seq,omitempty"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

// StockRow is the on-hand quantity of one key across the replicas of a site.
type StockRow struct {
	Tenant string `json:"tenant"`
	Site   string `json:"site"`
	Bin    string `json:"bin"`
	SKU    string `json:"sku"`
	Lot    string `json:"lot"`
	Qty    int64  `json:"qty"`
}

// StockFilter selects stock rows; empty fields match everything.
type StockFilter struct {
	Tenant, Site, SKU, Bin string
}

// ConflictFilter selects count conflicts; empty fields match everything.
// Open keeps only the keys whose conflict is still open.
type ConflictFilter struct {
	Tenant, Site, SKU, Bin string
	Open                   bool
}

// CountID names a count event.
type CountID struct {
	Replica string `json:"replica"`
	Seq     uint64 `json:"seq"`
}

// CountConflict is a key that had counts concurrent with each other
// (DESIGN.md §3): neither counter had seen the other's count.
type CountConflict struct {
	Tenant string `json:"tenant"`
	Site   string `json:"site"`
	Bin    string `json:"bin"`
	SKU    string `json:"sku"`
	Lot    string `json:"lot"`
	// Open: more than one of the key's counts is still live; a recount
	// that saw them all closes the conflict.
	Open bool `json:"open"`
	// Winner is the count the key's on-hand follows now, OnHand that
	// on-hand.
	Winner CountID `json:"winner"`
	OnHand int64   `json:"on_hand"`
	// Observations are every count of the key seen in conflict, by HLC.
	Observations []CountObservation `json:"observations"`
}

// CountObservation is one count of a conflict.
type CountObservation struct {
	Replica  string        `json:"replica"`
	Seq      uint64        `json:"seq"`
	HLC      syncproto.HLC `json:"hlc,string"`
	At       time.Time     `json:"at"` // the HLC's wall clock: the counter's clock
	Counted  int64         `json:"counted"`
	Operator string        `json:"operator"`
	Device   string        `json:"device"`
	// Live: no other count has seen this one.
	Live     bool      `json:"live"`
	Detected time.Time `json:"detected"` // when the cloud first saw it in conflict
}

// EPCLocation is where a serialized item (EPC) is: the place of its
// movement with the greatest (hlc, replica, seq), a last-writer-wins
// register (DESIGN.md §3).
type EPCLocation struct {
	Tenant string `json:"tenant"`
	EPC    string `json:"epc"`
	Site   string `json:"site"`
	Bin    string `json:"bin"`
	SKU    string `json:"sku"`
	Lot    string `json:"lot"`
	// In reports whether that movement brought the item in (qty > 0).
	In      bool          `json:"in"`
	Replica string        `json:"replica"`
	Seq     uint64        `json:"seq"`
	HLC     syncproto.HLC `json:"hlc,string"`
	At      time.Time     `json:"at"`
}

// Store is the cloud's database. Every method is safe for concurrent use,
// also by several processes sharing one database.
type Store interface {
	// ApplyBatch stores b's events idempotently by (replica, seq), advances
	// the replica's watermark over contiguous seqs and updates on-hand, all
	// in one transaction. A batch whose tenant or site differs from the
	// replica's gives ErrWrongSite, a malformed one (content breaking
	// syncproto's Validate rules, an on-hand that would leave int64)
	// ErrInvalid, a failure that may pass ErrTransient; all change nothing.
	// An event whose key is stored with another body (or a new one at or
	// above the replica's conflict seq) is refused: the events before it
	// are applied and committed, the replica is flagged, and ApplyBatch
	// returns what it applied (Applied.Conflict set) together with an
	// error wrapping ErrConflict.
	ApplyBatch(ctx context.Context, b *syncproto.Batch) (Applied, error)
	// EventsAfter returns the stored events of replica with seq > after, in
	// seq order, at most limit, stopping at the first gap.
	EventsAfter(ctx context.Context, replica syncproto.ReplicaID, after uint64, limit int) ([]syncproto.Event, error)
	// Replicas returns every replica, or those of one tenant and site when
	// both are given, sorted by tenant, site, replica.
	Replicas(ctx context.Context, tenant, site string) ([]ReplicaInfo, error)
	// Stock returns on-hand rows sorted by tenant, site, bin, sku, lot.
	Stock(ctx context.Context, f StockFilter) ([]StockRow, error)
	// RebuildOnHand recomputes on-hand and the EPC locations from the
	// stored events; it must give exactly what the incremental path gave.
	RebuildOnHand(ctx context.Context) error
	// CountConflicts returns the keys that had concurrent counts, with
	// every count observed in conflict.
	CountConflicts(ctx context.Context, f ConflictFilter) ([]CountConflict, error)
	// EPCLocation returns where an EPC of a tenant is, and false when no
	// movement named it.
	EPCLocation(ctx context.Context, tenant, epc string) (EPCLocation, bool, error)
	// Close closes the database.
	Close() error
}

// ReplicaStatus is the latest status an agent's replica reported on
// up/status: whether it is online, how far it has synced, the master
// revision it holds and the health of its devices.
type ReplicaStatus struct {
	Tenant  string `json:"tenant"`
	Site    string `json:"site"`
	Replica string `json:"replica"`
	Online  bool   `json:"online"`
	// LastSeq is the replica's last recorded event, AckedSeq the last the
	// cloud acknowledged: the difference is its sync lag in events.
	LastSeq   uint64 `json:"last_seq"`
	AckedSeq  uint64 `json:"acked_seq"`
	MasterRev uint64 `json:"master_rev"`
	// ReportedAt is the agent's clock in the status; ReceivedAt the
	// cloud's when it arrived.
	ReportedAt time.Time      `json:"reported_at"`
	ReceivedAt time.Time      `json:"received_at"`
	Devices    []DeviceStatus `json:"devices"`
}

// DeviceStatus is one device's health in a status.
type DeviceStatus struct {
	Device      string    `json:"device"`
	Kind        string    `json:"kind"`
	Connected   bool      `json:"connected"`
	Error       string    `json:"error,omitempty"`
	LastEventAt time.Time `json:"last_event_at,omitzero"`
	// ClockOffsetMS is the device's clock minus the agent's; ClockSkewed
	// says it is beyond what the agent tolerates.
	ClockOffsetMS int64 `json:"clock_offset_ms"`
	ClockSkewed   bool  `json:"clock_skewed"`
}

// StatusStore keeps each replica's latest status (both SQL stores).
type StatusStore interface {
	// PutStatus stores s as the replica's latest status. Statuses of a
	// replica arrive in the order it published them (one topic); the
	// last-will (offline) carries the time of the connect it was set at,
	// so arrival, not the reported time, orders them.
	PutStatus(ctx context.Context, s ReplicaStatus) error
	// Statuses returns the statuses of a tenant's replicas at sites (all
	// sites when nil), by site and replica.
	Statuses(ctx context.Context, tenant string, sites []string) ([]ReplicaStatus, error)
}
