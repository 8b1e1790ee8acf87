package scale_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/scale"
	"github.com/jxc-edge/jxc/drivers/scale/scalesim"

	"github.com/jxc-edge/jxc/internal/testenv"
)

// stableTimeout is Config.StableTimeout in these tests: generous, as the
// machine running them may be busy. Tests that expect a timeout set a
// short one themselves.
const stableTimeout = 3 * time.Second

// shortly is the budget of an operation expected to time out.
func shortly() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 600*time.Millisecond)
}

var protocols = []string{scale.ProtocolMTSICS, scale.ProtocolToledoContinuous, scale.ProtocolToledo8217}

// transports are where the emulator serves: a pseudo-terminal that the
// driver opens with go.bug.st/serial (Linux), and TCP.
func transports() []string {
	if runtime.GOOS == "linux" {
		return []string{"pty", "tcp"}
	}
	return []string{"tcp"}
}

// rig is an emulated scale and a driver connected to it.
type rig struct {
	proto, transport string
	sim              *scalesim.Sim
	cfg              scale.Config
	scale            *scale.Scale
}

// MustOpenRig starts an emulator for proto on transport ("pty" or "tcp")
// and opens a driver on it, with the emulator's defaults: kg, 3 decimals,
// capacity 30.000, minimum -3.000, zero range 0.600.
func MustOpenRig(tb testing.TB, proto, transport string, opts scalesim.Options) *rig {
	tb.Helper()
	opts.Protocol = proto
	if proto == scale.ProtocolToledoContinuous {
		opts.Checksum = true
	}
	r := &rig{proto: proto, transport: transport}
	r.cfg = scale.Config{Name: "test", Protocol: proto, Unit: "kg", StableTimeout: stableTimeout, ReplyTimeout: 2 * time.Second, Checksum: opts.Checksum}
	var err error
	switch transport {
	case "pty":
		opts.Link = filepath.Join(tb.TempDir(), "scale")
		r.sim, err = scalesim.ServePTY(opts)
		if err == nil {
			r.cfg.Port = r.sim.Path()
		}
	case "tcp":
		r.sim, err = scalesim.ServeTCP("127.0.0.1:0", opts)
		if err == nil {
			r.cfg.Address = r.sim.Addr()
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.sim.Close() })
	r.reopen(tb, nil)
	return r
}

// reopen closes the driver (a pseudo-terminal takes one client) and opens
// a new one with the rig's Config changed by edit.
func (r *rig) reopen(tb testing.TB, edit func(*scale.Config)) {
	tb.Helper()
	if r.scale != nil {
		r.scale.Close()
	}
	cfg := r.cfg
	if edit != nil {
		edit(&cfg)
	}
	s, err := scale.Open(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	r.scale = s
	tb.Cleanup(func() { s.Close() })
}

func (r *rig) mustStable(tb testing.TB, want drivers.Weight) {
	tb.Helper()
	got, err := r.scale.Stable(context.Background())
	if err != nil {
		tb.Fatalf("Stable: %v", err)
	}
	if got != want {
		tb.Fatalf("Stable = %+v, want %+v", got, want)
	}
}

func (r *rig) wantErr(tb testing.TB, err, want error) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Fatalf("error %v, want %v", err, want)
	}
}

func kg(v int64) drivers.Weight { return drivers.Weight{Value: v, Decimals: 3, Unit: "kg"} }

type result struct {
	w   drivers.Weight
	err error
}

// stableAsync starts Stable and returns where its result will come.
func (r *rig) stableAsync() <-chan result {
	done := make(chan result, 1)
	go func() {
		w, err := r.scale.Stable(context.Background())
		done <- result{w, err}
	}()
	return done
}

// TestScale runs the shared suite against every protocol, over a
// pseudo-terminal opened as a serial port and over TCP.
func TestScale(t *testing.T) {
	t.Parallel()
	for _, proto := range protocols {
		for _, transport := range transports() {
			t.Run(proto+"/"+transport, func(t *testing.T) {
				t.Parallel()
				RunScaleSuite(t, func(t *testing.T, opts scalesim.Options) *rig {
					return MustOpenRig(t, proto, transport, opts)
				})
			})
		}
	}
}

// RunScaleSuite is what every protocol and transport must do alike.
func RunScaleSuite(t *testing.T, open func(t *testing.T, opts scalesim.Options) *rig) {
	t.Run("StableWeight", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(1234)
		r.mustStable(t, kg(1234))
		r.sim.SetLoad(0)
		r.mustStable(t, kg(0))
		h := r.scale.Health()
		if !h.Connected || h.Events < 2 || h.Kind != "scale" || h.Device != "test" || h.LastEvent.IsZero() {
			t.Errorf("Health = %+v, want connected with events", h)
		}
	})

	t.Run("NoWeightInMotion", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(1000)
		r.sim.SetMotion(true)
		done := r.stableAsync()
		select {
		case res := <-done:
			t.Fatalf("Stable returned %+v, %v while the scale moves", res.w, res.err)
		case <-time.After(300 * time.Millisecond):
		}
		r.sim.SetLoad(2500) // still moving: the settled load is the one to get
		r.sim.SetMotion(false)
		res := <-done
		if res.err != nil || res.w != kg(2500) {
			t.Fatalf("Stable = %+v, %v; want 2.500 kg", res.w, res.err)
		}
	})

	t.Run("SettleDelay", func(t *testing.T) {
		r := open(t, scalesim.Options{Settle: 300 * time.Millisecond})
		start := time.Now()
		r.sim.SetLoad(4321)
		r.mustStable(t, kg(4321))
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("weight after %v, before the load settled", d)
		}
	})

	t.Run("UnstableTimeout", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		const timeout = 500 * time.Millisecond
		r.reopen(t, func(c *scale.Config) { c.StableTimeout = timeout })
		r.sim.SetMotion(true)
		start := time.Now()
		_, err := r.scale.Stable(context.Background())
		r.wantErr(t, err, drivers.ErrUnstable)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v is the caller's deadline, not StableTimeout", err)
		}
		if d := time.Since(start); d < timeout || d > timeout+2*time.Second {
			t.Errorf("gave up after %v, want about %v", d, timeout)
		}
		r.reopen(t, nil)
		// The scale is usable again once it settles.
		r.sim.SetLoad(700)
		r.sim.SetMotion(false)
		r.mustStable(t, kg(700))
	})

	t.Run("CallerContext", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetMotion(true)
		ctx, cancel := shortly()
		defer cancel()
		_, err := r.scale.Stable(ctx)
		r.wantErr(t, err, context.DeadlineExceeded)
		r.wantErr(t, err, drivers.ErrUnstable)
	})

	t.Run("Overload", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(30001)
		_, err := r.scale.Stable(context.Background())
		r.wantErr(t, err, drivers.ErrOverload)
		r.sim.SetLoad(30000)
		r.mustStable(t, kg(30000))
	})

	t.Run("Underload", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(-3001)
		_, err := r.scale.Stable(context.Background())
		r.wantErr(t, err, drivers.ErrUnderload)
	})

	t.Run("ZeroAndTare", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		ctx := context.Background()
		r.sim.SetLoad(250)
		if r.proto == scale.ProtocolToledoContinuous {
			// No commands: the error says so, and the scale's keys work.
			for name, f := range map[string]func(context.Context) error{"zero": r.scale.Zero, "tare": r.scale.Tare, "clear tare": r.scale.ClearTare} {
				err := f(ctx)
				if !errors.Is(err, scale.ErrNotSupported) || !strings.Contains(err.Error(), "not supported by toledo-continuous") {
					t.Errorf("%s: %v, want not supported by toledo-continuous", name, err)
				}
			}
			if !r.sim.PressZero() {
				t.Fatal("the emulator's zero key failed")
			}
			r.sim.SetLoad(250 + 400)
			if !r.sim.PressTare() {
				t.Fatal("the emulator's tare key failed")
			}
			r.sim.SetLoad(250 + 400 + 1250)
			r.mustStable(t, drivers.Weight{Value: 1250, Decimals: 3, Unit: "kg", Net: true, Tare: 400})
			return
		}
		if err := r.scale.Zero(ctx); err != nil {
			t.Fatalf("Zero: %v", err)
		}
		r.mustStable(t, kg(0))
		r.sim.SetLoad(250 + 1000) // a 1 kg container
		if err := r.scale.Tare(ctx); err != nil {
			t.Fatalf("Tare: %v", err)
		}
		net := func(v int64) drivers.Weight {
			w := drivers.Weight{Value: v, Decimals: 3, Unit: "kg", Net: true}
			if r.proto == scale.ProtocolMTSICS {
				w.Tare = 1000 // MT-SICS reports the tare (TA); 8217 does not
			}
			return w
		}
		r.mustStable(t, net(0))
		r.sim.SetLoad(250 + 1000 + 1500)
		r.mustStable(t, net(1500))
		if err := r.scale.ClearTare(ctx); err != nil {
			t.Fatalf("ClearTare: %v", err)
		}
		r.mustStable(t, kg(2500))
		// Out of the zero range: refused with the scale's reason.
		err := r.scale.Zero(ctx)
		r.wantErr(t, err, drivers.ErrDevice)
		// In motion: refused when the time is up.
		r.sim.SetLoad(250)
		r.sim.SetMotion(true)
		short, cancel := shortly()
		defer cancel()
		err = r.scale.Zero(short)
		r.wantErr(t, err, drivers.ErrUnstable)
		r.sim.SetMotion(false)
		if err := r.scale.Zero(ctx); err != nil {
			t.Fatalf("Zero after settling: %v", err)
		}
	})

	t.Run("ZeroNegativeDrift", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(-100) // under zero, within the zero range
		if r.proto == scale.ProtocolToledoContinuous {
			r.mustStable(t, kg(-100))
			return
		}
		if err := r.scale.Zero(context.Background()); err != nil {
			t.Fatalf("Zero: %v", err)
		}
		r.mustStable(t, kg(0))
	})

	t.Run("Reconnect", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(1111)
		r.mustStable(t, kg(1111))
		errs := r.scale.Health().Errors
		if err := r.sim.Drop(); err != nil {
			t.Fatal(err)
		}
		testenv.WaitFor(t, 2*time.Second, func() error {
			if h := r.scale.Health(); h.Errors == errs {
				return fmt.Errorf("drop not noticed: %+v", h)
			}
			return nil
		})
		testenv.WaitFor(t, 2*time.Second, func() error {
			if !r.scale.Health().Connected {
				return errors.New("not reconnected")
			}
			return nil
		})
		r.sim.SetLoad(2222)
		r.mustStable(t, kg(2222))
		if h := r.scale.Health(); !h.Connected || !strings.Contains(h.LastError, "connection lost") && !strings.Contains(h.LastError, "connect") {
			t.Errorf("Health after reconnecting = %+v", h)
		}
	})

	t.Run("GarbageResync", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(3333)
		r.mustStable(t, kg(3333))
		errs := r.scale.Health().Errors
		r.sim.InjectGarbage([]byte("\x13\x11zz\x02\x02?S S 9.999 kg\r\n\x02?"))
		r.sim.SetLoad(4444)
		r.mustStable(t, kg(4444))
		if h := r.scale.Health(); h.Errors == errs {
			t.Errorf("garbage not counted: %+v", h)
		}
		r.mustStable(t, kg(4444))
	})

	t.Run("Silence", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(500)
		r.mustStable(t, kg(500))
		r.sim.SetSilent(true)
		ctx, cancel := shortly()
		defer cancel()
		_, err := r.scale.Stable(ctx)
		r.wantErr(t, err, scale.ErrNoResponse)
		r.sim.SetSilent(false)
		r.mustStable(t, kg(500))
	})

	t.Run("UnitMismatch", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(500)
		r.reopen(t, func(c *scale.Config) { c.Unit = "lb" })
		// 8217 replies carry no unit, but the kg format (WW.WWW) is not
		// the lb one (0WW.WW).
		_, err := r.scale.Stable(context.Background())
		r.wantErr(t, err, scale.ErrUnitMismatch)
		if !strings.Contains(err.Error(), `"lb"`) {
			t.Errorf("error %q does not name the expected unit", err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.SetLoad(1500)
		a, b := r.stableAsync(), r.stableAsync()
		for _, c := range []<-chan result{a, b} {
			if res := <-c; res.err != nil || res.w != kg(1500) {
				t.Errorf("Stable = %+v, %v", res.w, res.err)
			}
		}
	})

	t.Run("NotConnected", func(t *testing.T) {
		r := open(t, scalesim.Options{})
		r.sim.Close()
		testenv.WaitFor(t, 2*time.Second, func() error {
			if r.scale.Health().Connected {
				return errors.New("still connected")
			}
			return nil
		})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := r.scale.Stable(ctx)
		r.wantErr(t, err, scale.ErrNotConnected)
	})
}

func TestMTSICS(t *testing.T) {
	t.Parallel()
	for _, transport := range transports() {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			t.Run("SerialNumber", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolMTSICS, transport, scalesim.Options{SerialNumber: "B021234567"})
				sn, err := r.scale.SerialNumber(context.Background())
				if err != nil || sn != "B021234567" {
					t.Fatalf("SerialNumber = %q, %v", sn, err)
				}
			})
			t.Run("NegativeAndGrams", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolMTSICS, transport, scalesim.Options{Unit: "g", Decimals: 2})
				r.reopen(t, func(c *scale.Config) { c.Unit = "g" })
				r.sim.SetLoad(-125)
				r.mustStable(t, drivers.Weight{Value: -125, Decimals: 2, Unit: "g"})
			})
			t.Run("PendingStableAnswered", func(t *testing.T) {
				// S waits for a stable load at the balance (3 s) longer
				// than the caller (0.6 s): the next operation must wait
				// for that answer instead of taking the balance for dead.
				r := MustOpenRig(t, scale.ProtocolMTSICS, transport, scalesim.Options{})
				r.sim.SetLoad(900)
				r.sim.SetMotion(true)
				ctx, cancel := shortly()
				defer cancel()
				_, err := r.scale.Stable(ctx)
				r.wantErr(t, err, drivers.ErrUnstable)
				r.sim.SetMotion(false)
				r.mustStable(t, kg(900))
				if h := r.scale.Health(); h.Errors != 0 {
					t.Errorf("errors: %+v", h)
				}
			})
			t.Run("TareReported", func(t *testing.T) {
				// A tare set on the scale's keys shows in the weight.
				r := MustOpenRig(t, scale.ProtocolMTSICS, transport, scalesim.Options{})
				r.sim.SetLoad(400)
				r.sim.PressTare()
				r.sim.SetLoad(1400)
				r.mustStable(t, drivers.Weight{Value: 1000, Decimals: 3, Unit: "kg", Net: true, Tare: 400})
			})
		})
	}
}

func TestToledoContinuous(t *testing.T) {
	t.Parallel()
	for _, transport := range transports() {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			t.Run("BadChecksum", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledoContinuous, transport, scalesim.Options{})
				r.sim.SetLoad(1234)
				r.mustStable(t, kg(1234))
				errs := r.scale.Health().Errors
				r.sim.CorruptChecksum(5)
				r.mustStable(t, kg(1234))
				testenv.WaitFor(t, time.Second, func() error {
					if h := r.scale.Health(); h.Errors < errs+5 || !strings.Contains(h.LastError, "checksum") {
						return fmt.Errorf("bad checksums not all counted: %+v", h)
					}
					return nil
				})
			})
			t.Run("Negative", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledoContinuous, transport, scalesim.Options{})
				r.sim.SetLoad(-120)
				r.mustStable(t, kg(-120))
			})
			t.Run("Pounds", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledoContinuous, transport, scalesim.Options{Unit: "lb", Decimals: 2})
				r.reopen(t, func(c *scale.Config) { c.Unit = "lb" })
				r.sim.SetLoad(2550)
				r.mustStable(t, drivers.Weight{Value: 2550, Decimals: 2, Unit: "lb"})
			})
			t.Run("GramsNoDecimals", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledoContinuous, transport, scalesim.Options{Unit: "g", Decimals: 0, Capacity: 600000})
				r.reopen(t, func(c *scale.Config) { c.Unit = "g" })
				r.sim.SetLoad(12500)
				r.mustStable(t, drivers.Weight{Value: 12500, Unit: "g"})
			})
			t.Run("PowerUpNotZeroed", func(t *testing.T) {
				// Status B bit 6: switched on and not zeroed since.
				// Nothing is weighed until the scale is zeroed.
				r := MustOpenRig(t, scale.ProtocolToledoContinuous, transport, scalesim.Options{})
				r.sim.SetLoad(1500)
				r.sim.SetPowerUpNotZeroed(true)
				_, err := r.scale.Stable(context.Background())
				r.wantErr(t, err, scale.ErrNotZeroed)
				r.wantErr(t, err, drivers.ErrDevice)
				r.sim.SetLoad(0)
				if !r.sim.PressZero() {
					t.Fatal("the emulator did not zero")
				}
				r.sim.SetLoad(250)
				r.mustStable(t, kg(250))
			})
			t.Run("IdleReconnect", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledoContinuous, transport, scalesim.Options{})
				r.reopen(t, func(c *scale.Config) { c.IdleTimeout = 500 * time.Millisecond })
				r.sim.SetLoad(10)
				r.mustStable(t, kg(10))
				r.sim.SetSilent(true)
				testenv.WaitFor(t, 2*time.Second, func() error {
					if h := r.scale.Health(); !strings.Contains(h.LastError, "no data") {
						return fmt.Errorf("silence not noticed: %+v", h)
					}
					return nil
				})
				r.sim.SetSilent(false)
				r.mustStable(t, kg(10))
			})
			t.Run("NoChecksumConfigured", func(t *testing.T) {
				// The scale sends checksums the driver does not expect:
				// the extra byte is junk between frames, frames still
				// decode.
				r := MustOpenRig(t, scale.ProtocolToledoContinuous, transport, scalesim.Options{})
				r.reopen(t, func(c *scale.Config) { c.Checksum = false })
				r.sim.SetLoad(77)
				r.mustStable(t, kg(77))
			})
		})
	}
}

func TestToledo8217(t *testing.T) {
	t.Parallel()
	for _, transport := range transports() {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			t.Run("NegativeIsUnderZero", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledo8217, transport, scalesim.Options{})
				r.sim.SetLoad(-5)
				_, err := r.scale.Stable(context.Background())
				r.wantErr(t, err, drivers.ErrUnderload)
			})
			t.Run("Pounds", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledo8217, transport, scalesim.Options{Unit: "lb", Decimals: 2})
				r.reopen(t, func(c *scale.Config) { c.Unit = "lb" })
				r.sim.SetLoad(1250)
				r.mustStable(t, drivers.Weight{Value: 1250, Decimals: 2, Unit: "lb"})
				if cmds := r.sim.Commands(); len(cmds) == 0 || cmds[len(cmds)-1] != "W" {
					t.Errorf("commands %q, want W last", cmds)
				}
			})
			t.Run("PoundsWhereKgIsConfigured", func(t *testing.T) {
				// Switched to lb on its keys, the scale answers 3.25 lb
				// as "003.25": two decimals, never the kg format.
				r := MustOpenRig(t, scale.ProtocolToledo8217, transport, scalesim.Options{Unit: "lb", Decimals: 2})
				r.sim.SetLoad(325)
				_, err := r.scale.Stable(context.Background())
				r.wantErr(t, err, scale.ErrUnitMismatch)
			})
			t.Run("KgWherePoundsIsConfigured", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledo8217, transport, scalesim.Options{})
				r.reopen(t, func(c *scale.Config) { c.Unit = "lb" })
				r.sim.SetLoad(1234)
				_, err := r.scale.Stable(context.Background())
				r.wantErr(t, err, scale.ErrUnitMismatch)
			})
			t.Run("SerialNumberNotSupported", func(t *testing.T) {
				r := MustOpenRig(t, scale.ProtocolToledo8217, transport, scalesim.Options{})
				_, err := r.scale.SerialNumber(context.Background())
				r.wantErr(t, err, scale.ErrNotSupported)
			})
		})
	}
}

func TestOpenConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   scale.Config
		field string
	}{
		{name: "no protocol", cfg: scale.Config{Port: "/dev/ttyS0"}, field: "Protocol"},
		{name: "bad protocol", cfg: scale.Config{Protocol: "sics", Port: "/dev/ttyS0"}, field: "Protocol"},
		{name: "no port", cfg: scale.Config{Protocol: "mt-sics"}, field: "Port"},
		{name: "port and address", cfg: scale.Config{Protocol: "mt-sics", Port: "/dev/ttyS0", Address: "h:1"}, field: "Address"},
		{name: "bad address", cfg: scale.Config{Protocol: "mt-sics", Address: "scale"}, field: "Address"},
		{name: "bad baud", cfg: scale.Config{Protocol: "mt-sics", Port: "/dev/ttyS0", Baud: -1}, field: "Baud"},
		{name: "bad data bits", cfg: scale.Config{Protocol: "mt-sics", Port: "/dev/ttyS0", DataBits: 6}, field: "DataBits"},
		{name: "bad parity", cfg: scale.Config{Protocol: "mt-sics", Port: "/dev/ttyS0", Parity: "mark"}, field: "Parity"},
		{name: "bad stop bits", cfg: scale.Config{Protocol: "mt-sics", Port: "/dev/ttyS0", StopBits: 3}, field: "StopBits"},
		{name: "8217 without unit", cfg: scale.Config{Protocol: "toledo-8217", Port: "/dev/ttyS0"}, field: "Unit"},
		{name: "negative timeout", cfg: scale.Config{Protocol: "mt-sics", Port: "/dev/ttyS0", StableTimeout: -1}, field: "StableTimeout"},
		{name: "negative idle", cfg: scale.Config{Protocol: "toledo-continuous", Port: "/dev/ttyS0", IdleTimeout: -1}, field: "IdleTimeout"},
		{name: "negative reply timeout", cfg: scale.Config{Protocol: "mt-sics", Port: "/dev/ttyS0", ReplyTimeout: -1}, field: "ReplyTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := scale.Open(tt.cfg)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, scale.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.field+":") {
				t.Errorf("Open: %v, want ErrInvalidConfig naming %s", err, tt.field)
			}
		})
	}
	// A port that does not exist is not a config error: Open returns, and
	// Health tells.
	s, err := scale.Open(scale.Config{Protocol: "mt-sics", Port: filepath.Join(t.TempDir(), "nope"), StableTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Stable(context.Background())
	if !errors.Is(err, scale.ErrNotConnected) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Stable on a missing port: %v", err)
	}
	if h := s.Health(); h.Connected || h.Errors == 0 || h.Device == "" {
		t.Errorf("Health = %+v", h)
	}
}
