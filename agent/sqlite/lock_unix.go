//go:build unix

package sqlite

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock on dir/ledger.lock, so that two
// processes (or two Opens) never write one ledger: they would share its
// replica ID. The lock goes with the process, also on SIGKILL.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(dir+"/ledger.lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock ledger: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, fmt.Errorf("%w: ledger %s is open in another process or Ledger", ErrLocked, dir)
		}
		return nil, fmt.Errorf("lock ledger: %w", err)
	}
	return f, nil
}

func unlockDir(f *os.File) error { return f.Close() }
