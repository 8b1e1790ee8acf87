package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/jxc-edge/jxc/drivers/llrp/llrpsim"
	"github.com/jxc-edge/jxc/drivers/scale/scalesim"
	"github.com/jxc-edge/jxc/drivers/scanner/scannersim"
)

// demoDevices are the emulated devices of the demo's warehouse: an RFID
// dock-door portal, a bench scale and a serial scanner at a receiving desk,
// with the profiles that point the agent at them.
type demoDevices struct {
	dir     string
	items   demoDeviceItems
	reader  *llrpsim.Server
	scale   *scalesim.Sim
	scanner *scannersim.Sim
}

// startDemoDevices starts the emulators: cartons tagged cases of the two
// seeded case GTINs carried in through the portal, and out again after
// outAfter. The profiles folder dir is made empty; writeProfiles fills it.
func startDemoDevices(dir string, items demoDeviceItems, cartons int, outAfter time.Duration) (*demoDevices, error) {
	d := &demoDevices{dir: dir, items: items}
	passes, err := DockPopulation(items.cases[:], cartons, 40*time.Millisecond, outAfter)
	if err != nil {
		return nil, err
	}
	if d.reader, err = llrpsim.Listen("127.0.0.1:0", llrpsim.Options{Antennas: 4, Passes: passes,
		Noise: llrpsim.Noise{Tags: 30, ReadsPerSecond: 300, MinRSSI: -82, MaxRSSI: -72}}); err != nil {
		return nil, err
	}
	if d.scale, err = scalesim.ServePTY(scalesim.Options{Protocol: scalesim.MTSICS, Settle: 200 * time.Millisecond}); err != nil {
		d.close()
		return nil, err
	}
	if d.scanner, err = scannersim.New(); err != nil {
		d.close()
		return nil, err
	}
	d.scanner.SetTerminator("\r")
	// Profiles of an earlier run in the same --dir name emulators that are
	// gone.
	if err := os.RemoveAll(dir); err != nil {
		d.close()
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// writeProfiles writes the device profiles into the agent's profiles
// folder. The demo writes them once the agent has the seeded catalogue
// from the cloud, so that no tag or scan comes before the products it
// names; the agent then reloads the folder and starts the devices.
func (d *demoDevices) writeProfiles() error {
	files := map[string]string{
		"dock-1.yaml": fmt.Sprintf(`kind: reader
model: emulated 4-port reader (jxc sim llrp)
address: %s
keepalive: 2s
antennas:
  - {port: 1, role: outer}
  - {port: 2, role: outer}
  - {port: 3, role: inner}
  - {port: 4, role: inner}
gate:
  bin: DOCK-1
  rssi_threshold_dbm: -68
  hold_off: 2s
  departure_timeout: 500ms
  min_reads: 2
`, d.reader.Addr()),
		"bench-1.yaml": fmt.Sprintf("kind: scale\nmodel: emulated MT-SICS bench scale\nprotocol: mt-sics\nport: %s\nunit: kg\nstable_timeout: 3s\n", d.scale.Path()),
		"desk-1.yaml": fmt.Sprintf(`kind: scanner
model: emulated serial scanner
transport: serial
port: %s
symbology_prefixes: ["]E0", "]C1"]
terminator: cr
station:
  bin: RCV-01
  reason: receive
  scale: bench-1
`, d.scanner.Path()),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(d.dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// scan plays the receiving desk: a bottle of tea, or meat put on the scale
// and scanned, every interval.
func (d *demoDevices) scan(ctx context.Context, every time.Duration) {
	rng := rand.New(rand.NewPCG(7, 7))
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		code := "]E0" + d.items.counted
		if i%2 == 1 {
			d.scale.SetLoad(int64(200 + rng.IntN(1800))) // 0.200–2.000 kg
			code = "]E0" + d.items.weighed
		}
		d.scanner.Scan(code)
	}
}

func (d *demoDevices) close() {
	if d.reader != nil {
		d.reader.Close()
	}
	if d.scale != nil {
		d.scale.Close()
	}
	if d.scanner != nil {
		d.scanner.Close()
	}
}
