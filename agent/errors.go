package agent

// InvalidError is input the agent refused, with the reason in English and
// Chinese, for the person who sent it. errors.Is(err, ErrInvalid) holds.
type InvalidError struct {
	// Msg is the reason in English, e.g. "movements[3].qty is 0".
	Msg string
	// MsgZH is the reason in Chinese.
	MsgZH string
}

// Invalid returns an *InvalidError with the given reasons.
func Invalid(msg, msgZH string) error { return &InvalidError{Msg: msg, MsgZH: msgZH} }

// Error returns "invalid input: " and the English reason.
func (e *InvalidError) Error() string { return ErrInvalid.Error() + ": " + e.Msg }

// ErrorZH returns the Chinese reason.
func (e *InvalidError) ErrorZH() string { return e.MsgZH }

// Unwrap returns ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }
