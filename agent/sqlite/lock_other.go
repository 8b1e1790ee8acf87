//go:build !unix

package sqlite

import (
	"fmt"
	"os"
)

// lockDir creates dir/ledger.lock exclusively on systems without flock; a
// stale lock file left by a crash must then be removed by hand.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(dir+"/ledger.lock", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return nil, fmt.Errorf("%w: ledger %s is open elsewhere (or %s/ledger.lock is stale)", ErrLocked, dir, dir)
		}
		return nil, fmt.Errorf("lock ledger: %w", err)
	}
	return f, nil
}

func unlockDir(f *os.File) error {
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
