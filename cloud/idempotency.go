package cloud

import "time"

// IdempotencyKey names one write a client may send more than once: the
// Idempotency-Key header of a POST, per user of a tenant.
type IdempotencyKey struct {
	Tenant string
	UserID int64
	Key    string
}

// IdempotencyRecord is what the cloud keeps of a request made with an
// Idempotency-Key: the request, to tell a retry from another request
// reusing the key, and, once Done, the answer to give a retry.
type IdempotencyRecord struct {
	// Method and Path (with its query) of the request; BodyHash the
	// SHA-256 of its body.
	Method   string
	Path     string
	BodyHash []byte
	// Done is false while the first request runs.
	Done bool
	// Status, the headers a retry needs and Body are the answer (Done).
	Status      int
	ContentType string
	ETag        string
	Location    string
	Body        []byte
	// Created is when the key was first used; keys expire a while after.
	Created time.Time
}
