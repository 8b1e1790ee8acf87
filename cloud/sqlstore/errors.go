package sqlstore

import (
	"errors"
	"fmt"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/syncproto"
)

// classify marks err for the caller: an on-hand overflow as
// cloud.ErrInvalid (the batch is malformed: no retry makes it fit), a
// failure that may pass (Dialect.Retryable, Dialect.Transient) as
// cloud.ErrTransient. Anything else is returned as it is: not worth
// retrying.
func (s *Store) classify(err error) error {
	switch {
	case errors.Is(err, cloud.ErrInvalid), errors.Is(err, cloud.ErrWrongSite), errors.Is(err, cloud.ErrTransient):
		return err
	case errors.Is(err, syncproto.ErrOverflow):
		return fmt.Errorf("%w: %w", cloud.ErrInvalid, err)
	case s.d.Retryable(err) || s.d.Transient(err):
		return fmt.Errorf("%w: %w", cloud.ErrTransient, err)
	}
	return err
}
