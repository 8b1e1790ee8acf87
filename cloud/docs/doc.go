// Package docs holds the cloud's documents (DOMAIN.md §2): what someone
// at HQ intends or agreed, the cloud being their single writer. A document
// has a number PREFIX + yyyymmdd + '-' + a 4-digit daily serial per tenant
// (CG20261125-0001), assigned in the transaction that creates it; a
// version bumped by every change (its ETag, sent back in If-Match); an
// audit entry per write in the same transaction; and a status:
//
//	draft → approved → partly_received → received
//	draft, approved → void (only while no movement names it)
//	approved, partly_received → closed (with a reason; purchase.approve)
//
// Once approved its lines are fixed. Progress (partly_received, received,
// the received quantity per line) is not written by anyone: it is derived
// from the stored movements that name a line ("CG20261125-0001#3", see
// syncproto.ParseDocLine) by a projection that follows the event log
// behind ingest (progress.go, DESIGN.md).
//
// The first document type is the purchase order (采购订单). The database
// code is cloud/sqlstore (docs.go there), the HTTP API
// cloud/httpapi/docs.go.
package docs
