package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jxc-edge/jxc/drivers"
	"github.com/jxc-edge/jxc/drivers/llrp"
	"github.com/jxc-edge/jxc/internal/testenv"
)

// TestSimLLRP runs `jxc sim llrp` and reads its cartons with the LLRP driver.
func TestSimLLRP(t *testing.T) {
	var out testenv.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	faults, pushFault := io.Pipe()
	defer pushFault.Close()
	go func() {
		done <- (&SimCommand{in: faults, out: &out}).Run(ctx, []string{"llrp", "--listen", "127.0.0.1:0", "--tags", "10", "--repeat", "2s"})
	}()
	defer func() { cancel(); <-done }()
	var addr string
	testenv.WaitFor(t, 10*time.Second, func() error {
		m := regexp.MustCompile(`emulator on (\S+):`).FindStringSubmatch(out.String())
		if m == nil {
			return fmt.Errorf("no address in %q", out.String())
		}
		addr = m[1]
		return nil
	})
	r, err := llrp.NewReader(llrp.Config{Name: "sim", Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	reads := make(chan drivers.TagRead, 1024)
	rctx, rcancel := context.WithCancel(ctx)
	go r.Run(rctx, reads)
	defer rcancel()
	select {
	case tr := <-reads:
		if len(tr.EPC) != 12 || tr.Antenna == 0 {
			t.Errorf("read %+v: want an EPC-96 on an antenna", tr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no tag read from the emulator")
	}
	// A fault typed on standard input drops the connection; the driver
	// connects again.
	fmt.Fprintln(pushFault, "drop")
	testenv.WaitFor(t, 20*time.Second, func() error {
		if !strings.Contains(out.String(), `fault "drop" done`) {
			return fmt.Errorf("fault not done: %q", out.String())
		}
		return nil
	})
	drain := time.Now()
	testenv.WaitFor(t, 30*time.Second, func() error {
		for {
			select {
			case tr := <-reads:
				if tr.LastSeen.After(drain) {
					return nil
				}
			default:
				return fmt.Errorf("no read after the dropped connection")
			}
		}
	})
}

func TestSimUnknown(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{nil, {"camera"}, {"scale", "--protocol", "nope"}} {
		if err := (&SimCommand{in: strings.NewReader(""), out: &out}).Run(context.Background(), args); err == nil {
			t.Errorf("sim %v: no error", args)
		}
	}
}
