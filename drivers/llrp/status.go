package llrp

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/jxc-edge/jxc/drivers"
)

// StatusCode is the code of an LLRPStatus parameter (LLRP 1.1 §14.2.1).
type StatusCode uint16

// LLRPStatus codes. M_ codes are about the message, P_ about a parameter,
// A_ about a field, R_ about the reader.
const (
	StatusSuccess               StatusCode = 0
	StatusParameterError        StatusCode = 100
	StatusFieldError            StatusCode = 101
	StatusUnexpectedParameter   StatusCode = 102
	StatusMissingParameter      StatusCode = 103
	StatusDuplicateParameter    StatusCode = 104
	StatusOverflowParameter     StatusCode = 105
	StatusOverflowField         StatusCode = 106
	StatusUnknownParameter      StatusCode = 107
	StatusUnknownField          StatusCode = 108
	StatusUnsupportedMessage    StatusCode = 109
	StatusUnsupportedVersion    StatusCode = 110
	StatusUnsupportedParameter  StatusCode = 111
	StatusUnexpectedMessage     StatusCode = 112
	StatusPParameterError       StatusCode = 200
	StatusPFieldError           StatusCode = 201
	StatusPUnexpectedParameter  StatusCode = 202
	StatusPMissingParameter     StatusCode = 203
	StatusPDuplicateParameter   StatusCode = 204
	StatusPOverflowParameter    StatusCode = 205
	StatusPOverflowField        StatusCode = 206
	StatusPUnknownParameter     StatusCode = 207
	StatusPUnknownField         StatusCode = 208
	StatusPUnsupportedParameter StatusCode = 209
	StatusInvalid               StatusCode = 300
	StatusOutOfRange            StatusCode = 301
	StatusDeviceError           StatusCode = 401
)

var statusNames = map[StatusCode]string{
	StatusSuccess:               "M_Success",
	StatusParameterError:        "M_ParameterError",
	StatusFieldError:            "M_FieldError",
	StatusUnexpectedParameter:   "M_UnexpectedParameter",
	StatusMissingParameter:      "M_MissingParameter",
	StatusDuplicateParameter:    "M_DuplicateParameter",
	StatusOverflowParameter:     "M_OverflowParameter",
	StatusOverflowField:         "M_OverflowField",
	StatusUnknownParameter:      "M_UnknownParameter",
	StatusUnknownField:          "M_UnknownField",
	StatusUnsupportedMessage:    "M_UnsupportedMessage",
	StatusUnsupportedVersion:    "M_UnsupportedVersion",
	StatusUnsupportedParameter:  "M_UnsupportedParameter",
	StatusUnexpectedMessage:     "M_UnexpectedMessage",
	StatusPParameterError:       "P_ParameterError",
	StatusPFieldError:           "P_FieldError",
	StatusPUnexpectedParameter:  "P_UnexpectedParameter",
	StatusPMissingParameter:     "P_MissingParameter",
	StatusPDuplicateParameter:   "P_DuplicateParameter",
	StatusPOverflowParameter:    "P_OverflowParameter",
	StatusPOverflowField:        "P_OverflowField",
	StatusPUnknownParameter:     "P_UnknownParameter",
	StatusPUnknownField:         "P_UnknownField",
	StatusPUnsupportedParameter: "P_UnsupportedParameter",
	StatusInvalid:               "A_Invalid",
	StatusOutOfRange:            "A_OutOfRange",
	StatusDeviceError:           "R_DeviceError",
}

// String returns the status code's LLRP name, or "status N".
func (c StatusCode) String() string {
	if s, ok := statusNames[c]; ok {
		return s
	}
	return fmt.Sprintf("status %d", uint16(c))
}

// Status is an LLRPStatus parameter. When the reader names the field or
// parameter at fault (FieldError, ParameterError), Detail describes it.
type Status struct {
	Code        StatusCode
	Description string
	Detail      string
}

// Err returns nil for success, otherwise a *StatusError for the message
// msg the status answers.
func (s Status) Err(msg MessageType) error {
	if s.Code == StatusSuccess {
		return nil
	}
	return &StatusError{Message: msg, Status: s}
}

// StatusError is a reader's refusal: a response or ERROR_MESSAGE whose
// LLRPStatus is not success. It wraps drivers.ErrDevice.
type StatusError struct {
	// Message is the request the reader refused.
	Message MessageType
	Status  Status
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("reader refused %v: %v (%d)", e.Message, e.Status.Code, uint16(e.Status.Code))
	if e.Status.Description != "" {
		s += ": " + e.Status.Description
	}
	if e.Status.Detail != "" {
		s += " (" + e.Status.Detail + ")"
	}
	return s + ": " + drivers.ErrDevice.Error()
}

// Unwrap returns drivers.ErrDevice.
func (e *StatusError) Unwrap() error { return drivers.ErrDevice }

// AppendStatus appends an LLRPStatus parameter (without FieldError or
// ParameterError) to b. Descriptions longer than 65535 bytes are cut.
func AppendStatus(b []byte, s Status) []byte {
	b, start := beginTLV(b, pLLRPStatus)
	b = binary.BigEndian.AppendUint16(b, uint16(s.Code))
	d := s.Description
	if len(d) > 0xffff {
		d = d[:0xffff]
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(d)))
	b = append(b, d...)
	return endTLV(b, start)
}

// decodeStatusParam decodes the body of an LLRPStatus parameter.
func decodeStatusParam(body []byte) (Status, error) {
	r := fieldReader{b: body, what: "LLRPStatus"}
	code := StatusCode(r.u16())
	n := int(r.u16())
	desc := r.take(n)
	if r.err != nil {
		return Status{}, r.err
	}
	s := Status{Code: code, Description: printable(desc)}
	detail, err := decodeErrorParams(r.b, 0)
	if err != nil {
		return Status{}, fmt.Errorf("LLRPStatus: %w", err)
	}
	s.Detail = detail
	return s, nil
}

// maxErrorNesting bounds how deep ParameterErrors may nest.
const maxErrorNesting = 8

// decodeErrorParams describes the FieldError and ParameterError parameters
// in b; a ParameterError may hold another one, naming the parameter inside
// it at fault.
func decodeErrorParams(b []byte, depth int) (string, error) {
	if depth > maxErrorNesting {
		return "", fmt.Errorf("ParameterError nested deeper than %d: %w", maxErrorNesting, drivers.ErrProtocol)
	}
	var detail string
	err := eachParam(b, func(p Param) error {
		switch p.Type {
		case pFieldError:
			f := fieldReader{b: p.Body, what: "FieldError"}
			num, code := f.u16(), StatusCode(f.u16())
			if f.err != nil {
				return f.err
			}
			detail = joinDetail(detail, fmt.Sprintf("field %d: %v", num, code))
		case pParameterError:
			f := fieldReader{b: p.Body, what: "ParameterError"}
			typ, code := f.u16(), StatusCode(f.u16())
			if f.err != nil {
				return f.err
			}
			detail = joinDetail(detail, fmt.Sprintf("parameter %d: %v", typ, code))
			inner, err := decodeErrorParams(f.b, depth+1)
			if err != nil {
				return err
			}
			detail = joinDetail(detail, inner)
		}
		return nil
	})
	return detail, err
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ", " + b
}

// printable returns the reader's UTF-8 text with invalid bytes replaced, so
// an error message never carries raw garbage.
func printable(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string([]rune(string(b)))
}

// DecodeStatus finds the LLRPStatus parameter among the parameters in body
// (a response or ERROR_MESSAGE body) and decodes it. A response without one,
// or with bad bytes, gives an error wrapping drivers.ErrProtocol.
func DecodeStatus(body []byte) (Status, error) {
	var (
		s     Status
		found bool
	)
	err := eachParam(body, func(p Param) error {
		if p.Type != pLLRPStatus || p.TV || found {
			return nil
		}
		var err error
		s, err = decodeStatusParam(p.Body)
		found = true
		return err
	})
	if err != nil {
		return Status{}, err
	}
	if !found {
		return Status{}, fmt.Errorf("no LLRPStatus parameter: %w", drivers.ErrProtocol)
	}
	return s, nil
}
