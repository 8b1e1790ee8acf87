// Package docs holds the cloud's documents (DOMAIN.md §2): what someone
// at HQ intends or agreed, or what a site did, the cloud being their
// single writer. Every document type (types.go: purchase requests and
// orders, receipts, returns, quotes, sales orders, pick lists, shipments,
// retail sales, transfers, count plans, other in/out, assembly) is one
// Document with lines, described by a Type: its number prefix, its
// permission module, its partner kind, whether its lines are priced, how
// progress is measured, what is sent to the sites when it is approved, and
// which types it may be made from. A document has a number PREFIX +
// yyyymmdd + '-' + a 4-digit daily serial per tenant (CG20261125-0001),
// assigned in the transaction that creates it; a version bumped by every
// change (its ETag, sent back in If-Match); an audit entry per write in the
// same transaction; and a status:
//
//	draft → approved → partly_done → done
//	draft, approved → void (only while nothing names it)
//	approved, partly_done → closed (with a reason; module.approve)
//
// Once approved its lines are fixed. Progress (partly_done, done, the done
// quantity per line) is not written by anyone: it is derived from the
// stored movements that name a line ("CG20261125-0001#3", see
// syncproto.ParseDocLine), or, for a sales order, from the lines of its
// pick lists, by a projection that follows the event log behind ingest
// (progress.go, DESIGN.md). The same projection turns the documents made
// at the edge (a retail sale, a receiving session: syncproto.EdgeDoc) into
// documents with numbers once they reach the cloud (edge.go).
//
// The database code is cloud/sqlstore (docs.go there), the HTTP API
// cloud/httpapi/docs.go: one collection per type under /api/v1.
package docs
