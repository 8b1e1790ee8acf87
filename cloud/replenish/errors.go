package replenish

import (
	"errors"
	"fmt"

	"github.com/jxc-edge/jxc/cloud"
)

// Errors of the package. Each is wrapped in an *Error carrying the
// reason in English and Chinese; errors.Is(err, cloud.ErrInvalid) holds
// for all of them: they are refusals of bad input.
var (
	// ErrNegative means a quantity, day count or factor that cannot be
	// negative is.
	ErrNegative = errors.New("negative input")
	// ErrTooLarge means an input is beyond its bound (MaxQty, MaxDays,
	// MaxHistory), where sums and products could overflow.
	ErrTooLarge = errors.New("input too large")
	// ErrParam means a parameter is missing or not one the package knows
	// (a service level not in the table, α outside 1‰–1000‰, a window of
	// zero days, a purchase factor below 1, max below min).
	ErrParam = errors.New("invalid parameter")
)

// Error is a refusal with its reason in English and Chinese.
type Error struct {
	Err        error
	Msg, MsgZH string
}

func (e *Error) Error() string   { return e.Msg }
func (e *Error) ErrorZH() string { return e.MsgZH }

// Unwrap gives the sentinel and cloud.ErrInvalid.
func (e *Error) Unwrap() []error { return []error{e.Err, cloud.ErrInvalid} }

func refuse(err error, who, en, zh string, args ...any) error {
	return &Error{Err: err,
		Msg:   fmt.Sprintf("%s: %s %s", who, fmt.Sprintf(en, args...), fmt.Sprintf(zh, args...)),
		MsgZH: fmt.Sprintf("%s：%s", who, fmt.Sprintf(zh, args...))}
}
