// Package sqlite implements agent.Ledger on SQLite (modernc.org/sqlite, pure
// Go): the edge agent's durable, grow-only event log with its derived
// on-hand table.
//
// One writer goroutine owns the only write connection. Callers hand it
// requests on a channel; it drains whatever is queued, writes all of it in one
// transaction and commits (WAL, synchronous=FULL, so the commit fsyncs) before
// answering any caller: concurrent appends share one fsync (group commit). On
// a SIGKILL nothing that was acknowledged is lost. Reads go through a
// separate read-only connection pool and see committed data only.
//
// On-hand is maintained in the same transaction as the events that change it,
// following the count-reset rule of DESIGN.md §3; see DESIGN.md in this
// directory.
package sqlite
