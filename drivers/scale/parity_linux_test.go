//go:build linux

package scale_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers/scale"
	"github.com/jxc-edge/jxc/drivers/scale/scalesim"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// On a pseudo-terminal the emulator puts the parity bit of 7E1 in the
// eighth bit of every byte; a flipped one must cost the frame it is in,
// counted in Health, and nothing more.

func TestToledoContinuousBadParity(t *testing.T) {
	t.Parallel()
	r := MustOpenRig(t, scale.ProtocolToledoContinuous, "pty", scalesim.Options{})
	r.sim.SetLoad(555)
	r.mustStable(t, kg(555))
	errs := r.scale.Health().Errors
	r.sim.CorruptParity(3)
	r.mustStable(t, kg(555))
	testenv.WaitFor(t, time.Second, func() error {
		if h := r.scale.Health(); h.Errors < errs+3 {
			return fmt.Errorf("parity errors not all counted: %+v", h)
		}
		return nil
	})
}

func TestToledo8217BadParity(t *testing.T) {
	t.Parallel()
	r := MustOpenRig(t, scale.ProtocolToledo8217, "pty", scalesim.Options{})
	r.sim.SetLoad(555)
	r.mustStable(t, kg(555))
	r.sim.CorruptParity(2)
	r.mustStable(t, kg(555))
	if h := r.scale.Health(); !strings.Contains(h.LastError, "parity") {
		t.Errorf("Health = %+v, want a parity error", h)
	}
}
