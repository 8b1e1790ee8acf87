package docs

import (
	"errors"
	"fmt"
)

// Errors of the service besides field problems, which are a
// *masterdata.ValidationError (the cloud's one bilingual field error;
// errors.Is(err, cloud.ErrInvalid) holds). Each is wrapped in an *Error
// carrying English and Chinese messages.
var (
	// ErrNotFound: no document has the ID (or it is outside the caller's
	// sites).
	ErrNotFound = errors.New("not found")
	// ErrStale: the document changed since the version the caller had.
	ErrStale = errors.New("stale version")
	// ErrVersionRequired: a change named no version (If-Match).
	ErrVersionRequired = errors.New("version required")
	// ErrState: the document's status does not allow the action.
	ErrState = errors.New("not allowed in this status")
	// ErrLinked: the document cannot be voided, movements name it.
	ErrLinked = errors.New("linked")
)

// Error is a refusal with its reason in English and Chinese.
type Error struct {
	Err        error
	Msg, MsgZH string
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) ErrorZH() string { return e.MsgZH }
func (e *Error) Unwrap() error   { return e.Err }

func notFound(t *Type, id int64) error {
	return &Error{Err: ErrNotFound, Msg: fmt.Sprintf("no %s with id %d", t.Title, id),
		MsgZH: fmt.Sprintf("%s（id %d）不存在", t.TitleZH, id)}
}
