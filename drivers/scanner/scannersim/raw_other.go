//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package scannersim

import (
	"errors"
	"os"
)

// makeRaw fails: the emulator's pseudo-terminal needs a Unix system.
func makeRaw(*os.File) error {
	return errors.New("scannersim: pseudo-terminals need Linux or a BSD")
}
