// Package syncproto is the wire contract between the edge agent and the
// cloud: messages, hybrid logical clock, replica IDs, topic names, the batch
// codec and the merge rules of DESIGN.md §3 as pure functions. It imports no
// other package of the project.
package syncproto

import "errors"

var (
	// ErrBadReplica means a replica ID is zero or not 16 hex digits.
	ErrBadReplica = errors.New("bad replica id")
	// ErrBadName means a tenant or site name cannot be used in a topic.
	ErrBadName = errors.New("bad tenant or site name")
	// ErrBadTopic means a topic does not have the shape of a syncproto v1 topic.
	ErrBadTopic = errors.New("bad topic")
	// ErrTooLarge means a message is over the wire or decoded size limit.
	ErrTooLarge = errors.New("message too large")
	// ErrMalformed means a message could not be decoded.
	ErrMalformed = errors.New("malformed message")
	// ErrVersion means a message carries no protocol version.
	ErrVersion = errors.New("missing protocol version")
	// ErrNotConsecutive means a batch's events are not exactly its seq range.
	ErrNotConsecutive = errors.New("batch events are not its seq range")
	// ErrInvalidEvent means an event's content breaks the rules of
	// Validate (a string field, a length, a quantity bound).
	ErrInvalidEvent = errors.New("invalid event")
	// ErrOverflow means an on-hand sum left the int64 range.
	ErrOverflow = errors.New("on-hand overflow")
)
