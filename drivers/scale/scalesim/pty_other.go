//go:build !linux

package scalesim

import "errors"

// ServePTY serves the scale on a pseudo-terminal; it is implemented on
// Linux only (it sets the terminal up with Linux termios calls).
func ServePTY(opts Options) (*Sim, error) {
	if _, err := newSim(opts); err != nil {
		return nil, err
	}
	return nil, errors.New("scalesim: ServePTY is implemented on Linux only")
}
