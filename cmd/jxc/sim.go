package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/llrp"
	"github.com/jxc-edge/jxc/drivers/llrp/llrpsim"
	"github.com/jxc-edge/jxc/drivers/scale/scalesim"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
)

// SimCommand runs one device emulator until interrupted: an LLRP reader
// at a dock door, a scale, or a serial barcode scanner. Each speaks the
// device's real bytes, so the agent (or any other client) drives it as it
// would the hardware.
type SimCommand struct {
	in  io.Reader
	out io.Writer
}

const simUsage = `Usage:
  jxc sim llrp    [--listen ADDR] [--tags N] [--repeat D] [--noise N]   a UHF reader at a dock-door portal
                  [--clock-offset D] [--uptime] [--manufacturer impinj|zebra|PEN]
  jxc sim scale   --protocol mt-sics|toledo-continuous|toledo-8217 [--tcp ADDR] [--load N]
  jxc sim scanner [--every D] CODE...                                     a serial scanner on a pseudo-terminal
`

// Run dispatches to one emulator.
func (s *SimCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(s.out, simUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "llrp":
		return s.llrp(ctx, args[1:])
	case "scale":
		return s.scale(ctx, args[1:])
	case "scanner":
		return s.scanner(ctx, args[1:])
	}
	fmt.Fprint(s.out, simUsage)
	return fmt.Errorf("unknown emulator %q", args[0])
}

// DockPopulation is a scripted population of tagged cartons (SGTIN-96 of
// gtins, in turn) carried in through a portal — outer antenna 1, then inner
// antenna 3 — and, from outAfter on, out again.
func DockPopulation(gtins []string, tags int, spacing, outAfter time.Duration) ([]llrpsim.Pass, error) {
	var passes []llrpsim.Pass
	for i := range tags {
		epc, err := gs1.EncodeSGTIN96(gtins[i%len(gtins)], uint64(100000+i), 1, 7)
		if err != nil {
			return nil, err
		}
		start := time.Duration(i) * spacing
		passes = append(passes, llrpsim.GatePass(epc, start, 1, 3))
		if outAfter > 0 {
			passes = append(passes, llrpsim.GatePass(epc, outAfter+start, 4, 2))
		}
	}
	return passes, nil
}

// simCases are the cartons the LLRP emulator carries: the demo chain's
// cases of water and of milk (cloud/masterdata/seed), which an agent with
// the demo's master data knows.
func simCases() ([]string, error) {
	it, err := deviceItems(demoChain())
	return it.cases[:], err
}

func (s *SimCommand) llrp(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("jxc sim llrp", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:5084", "address to listen on (LLRP's port is 5084)")
	tags := fs.Int("tags", 100, "cartons carried in, then out, through the portal")
	repeat := fs.Duration("repeat", 30*time.Second, "play the population again this often (0: once)")
	noise := fs.Int("noise", 500, "reads per second of weak background tags")
	offset := fs.Duration("clock-offset", 0, "how far the reader's clock is ahead of this machine's (negative: behind), as a reader without NTP")
	uptime := fs.Bool("uptime", false, "stamp reads with the reader's uptime instead of UTC")
	maker := fs.String("manufacturer", "impinj", `"impinj", "zebra" or an IANA enterprise number: a reader other than Impinj refuses Impinj's extensions, as the LLRP spec says`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var pen uint64
	switch *maker {
	case "impinj":
		pen = uint64(llrp.ImpinjVendorID)
	case "zebra":
		pen = 10642 // Zebra Technologies' IANA enterprise number
	default:
		var err error
		if pen, err = strconv.ParseUint(*maker, 10, 32); err != nil || pen == 0 {
			return fmt.Errorf("--manufacturer %q: want impinj, zebra or an enterprise number", *maker)
		}
	}
	cases, err := simCases()
	if err != nil {
		return err
	}
	passes, err := DockPopulation(cases, *tags, 20*time.Millisecond, *repeat/2)
	if err != nil {
		return err
	}
	srv, err := llrpsim.Listen(*listen, llrpsim.Options{Antennas: 4, Passes: passes, Repeat: *repeat,
		Noise:       llrpsim.Noise{Tags: 40, ReadsPerSecond: *noise, MinRSSI: -82, MaxRSSI: -72},
		ClockOffset: *offset, UptimeTimestamps: *uptime, Manufacturer: uint32(pen)})
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(s.out, "LLRP reader emulator on %s: 4 antennas (1-2 outer, 3-4 inner), %d cartons in then out every %s\n", srv.Addr(), *tags, *repeat)
	fmt.Fprintln(s.out, `faults on demand: type "drop", "garbage" or "stall" and Enter`)
	go s.faults(srv)
	return s.every(ctx, 5*time.Second, func() {
		st := srv.Stats()
		fmt.Fprintf(s.out, "connections %d, reports %d, reads %d\n", st.Connections, st.Reports, st.ReadsSent)
	})
}

// faults reads fault commands from standard input, one a line.
func (s *SimCommand) faults(srv *llrpsim.Server) {
	sc := bufio.NewScanner(s.in)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case "drop":
			srv.DropConnection()
		case "garbage":
			srv.SendGarbage()
		case "stall":
			srv.Stall()
		case "":
		default:
			fmt.Fprintf(s.out, "unknown fault %q: drop, garbage or stall\n", sc.Text())
			continue
		}
		fmt.Fprintf(s.out, "fault %q done\n", strings.TrimSpace(sc.Text()))
	}
}

func (s *SimCommand) scale(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("jxc sim scale", flag.ContinueOnError)
	protocol := fs.String("protocol", scalesim.MTSICS, "mt-sics, toledo-continuous or toledo-8217")
	tcp := fs.String("tcp", "", "serve on this TCP address instead of a pseudo-terminal")
	load := fs.Int64("load", 1234, "load on the pan, in the display's units (3 decimals: 1234 = 1.234 kg)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := scalesim.Options{Protocol: *protocol, Settle: 300 * time.Millisecond}
	var sim *scalesim.Sim
	var err error
	if *tcp != "" {
		sim, err = scalesim.ServeTCP(*tcp, opts)
	} else {
		sim, err = scalesim.ServePTY(opts)
	}
	if err != nil {
		return err
	}
	defer sim.Close()
	sim.SetLoad(*load)
	where := sim.Path()
	if *tcp != "" {
		where = sim.Addr()
	}
	fmt.Fprintf(s.out, "%s scale emulator on %s, load %d\n", *protocol, where, *load)
	<-ctx.Done()
	return nil
}

func (s *SimCommand) scanner(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("jxc sim scanner", flag.ContinueOnError)
	every := fs.Duration("every", 2*time.Second, "scan the next code this often")
	if err := fs.Parse(args); err != nil {
		return err
	}
	codes := fs.Args()
	if len(codes) == 0 {
		codes = []string{"]E0" + "6901234567892"}
	}
	sim, err := scannersim.New()
	if err != nil {
		return err
	}
	defer sim.Close()
	fmt.Fprintf(s.out, "serial scanner emulator on %s, scanning %s every %s\n", sim.Path(), strings.Join(codes, " "), *every)
	i := 0
	return s.every(ctx, *every, func() {
		if err := sim.Scan(codes[i%len(codes)]); err != nil {
			fmt.Fprintln(s.out, "scan:", err)
		}
		i++
	})
}

func (s *SimCommand) every(ctx context.Context, d time.Duration, f func()) error {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			f()
		}
	}
}
