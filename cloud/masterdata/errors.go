package masterdata

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jxc-edge/jxc/cloud"
)

// Errors of the service besides *ValidationError. Each is wrapped in an
// *Error carrying English and Chinese messages.
var (
	// ErrNotFound: no record of the kind has the ID (or it is outside
	// the caller's sites).
	ErrNotFound = errors.New("not found")
	// ErrStale: the record changed since the version the caller had.
	ErrStale = errors.New("stale version")
	// ErrVersionRequired: a change named no version (If-Match).
	ErrVersionRequired = errors.New("version required")
	// ErrReferenced: a record others refer to cannot be deleted.
	ErrReferenced = errors.New("referenced")
)

// Error is a refusal with its reason in English and Chinese.
type Error struct {
	Err        error
	Msg, MsgZH string
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) ErrorZH() string { return e.MsgZH }
func (e *Error) Unwrap() error   { return e.Err }

// FieldError is one problem of a record, named by its JSON path
// ("skus[1].barcodes[0]").
type FieldError struct {
	Field string `json:"field"`
	Msg   string `json:"error"`
	MsgZH string `json:"error_zh"`
}

// ValidationError lists every problem of a refused record.
// errors.Is(err, cloud.ErrInvalid) holds.
type ValidationError struct {
	Fields []FieldError
	// In is where the fields are: "body" (when empty) or "query".
	In string
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Msg
	}
	return strings.Join(parts, "; ")
}

// ErrorZH returns the problems in Chinese.
func (e *ValidationError) ErrorZH() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + "：" + f.MsgZH
	}
	return strings.Join(parts, "；")
}

func (e *ValidationError) Unwrap() error { return cloud.ErrInvalid }

// Checker collects the problems of one record, each named by its field,
// in English and Chinese; Err returns them as a *ValidationError. The
// documents (cloud/docs) check theirs with it too.
type Checker struct {
	errs []FieldError
}

// Add adds a problem of field.
func (c *Checker) Add(field, msg, msgZH string) {
	c.errs = append(c.errs, FieldError{Field: field, Msg: msg, MsgZH: msgZH})
}

// Addf adds a problem of field, formatting both messages with args.
func (c *Checker) Addf(field string, msg, msgZH string, args ...any) {
	c.Add(field, fmt.Sprintf(msg, args...), fmt.Sprintf(msgZH, args...))
}

// Err returns the problems as a *ValidationError, nil when there are none.
func (c *Checker) Err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.errs}
}

// NotFound is the error of a missing record of a kind, for stores.
func NotFound(kind string, id int64) error {
	for _, k := range infos {
		if k.name == kind {
			return notFound(k, id)
		}
	}
	return &Error{Err: ErrNotFound, Msg: fmt.Sprintf("no %s with id %d", kind, id), MsgZH: fmt.Sprintf("%s（id %d）不存在", kind, id)}
}

func notFound(k *kindInfo, id int64) error {
	return &Error{Err: ErrNotFound, Msg: fmt.Sprintf("no %s with id %d", k.en, id),
		MsgZH: fmt.Sprintf("%s（id %d）不存在", k.zh, id)}
}
