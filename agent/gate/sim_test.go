package gate_test

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/jxc-edge/jxc/agent/gate"
	"github.com/jxc-edge/jxc/drivers"
)

// The portal the simulations and most tests use: a dock door with
// antennas 1 and 2 outside, 3 and 4 inside, as firmware-configs'
// dock-1.yaml.
const (
	simReader    = "dock-1"
	simBin       = "DOCK-1"
	simThreshold = -68
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func simConfig() gate.Config {
	return gate.Config{
		Reader:           simReader,
		Bin:              simBin,
		Antennas:         map[uint16]gate.Role{1: gate.RoleOuter, 2: gate.RoleOuter, 3: gate.RoleInner, 4: gate.RoleInner},
		RSSIThreshold:    simThreshold,
		MinReads:         2,
		HoldOff:          10 * time.Second,
		DepartureTimeout: 1500 * time.Millisecond,
	}
}

// simEPC is the i-th tag's EPC: an SGTIN-96-shaped 12 bytes with the
// serial in the last 4.
func simEPC(i int) []byte {
	epc := []byte{0x30, 0x34, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(epc[8:], uint32(i+1))
	return epc
}

// simPass is one tag crossing the portal.
type simPass struct {
	epc   []byte
	start time.Time
	dur   time.Duration
	dir   gate.Direction
	reads int // read attempts over all antennas
}

// Antenna positions along the path through the door, which runs from -1
// (outside) to +1 (inside).
var simAntennas = []struct {
	port uint16
	x    float64
}{{1, -0.4}, {2, -0.4}, {3, 0.4}, {4, 0.4}}

// simDwell is how long the simulated reader stays on each antenna.
const simDwell = 50 * time.Millisecond

// simReads returns the reads of passes as a reader would report them: the
// reader cycles through antennas 1 to 4, simDwell on each, and reads each
// tag in its field at random moments of the dwell, RSSI
// falling 25 dB per unit of distance from -40 dBm at the antenna with ±3
// dB of noise, reads below -85 dBm lost; one tag in ten is read again on
// the side it went to after a pause (its pallet parked by the door), which
// the hold-off must absorb. noiseTags tags parked in the
// staging area are read weakly (below the gate's threshold) throughout;
// strays shelf tags are read above it by one antenna only, 1 to 3 times.
// The reads are in time order, but for about 1% of neighbours swapped as
// reports of different antennas can arrive.
func simReads(rng *rand.Rand, passes []simPass, noiseTags, strays int) []drivers.TagRead {
	var out []drivers.TagRead
	read := func(epc []byte, at time.Time, port uint16, rssi float64) {
		if rssi < -85 {
			return
		}
		out = append(out, drivers.TagRead{Reader: simReader, EPC: epc, Antenna: port,
			RSSI: int8(math.Round(rssi)), FirstSeen: at, LastSeen: at, Count: 1})
	}
	var begin, end time.Time
	for i, p := range passes {
		if i == 0 || p.start.Before(begin) {
			begin = p.start
		}
		if e := p.start.Add(p.dur); e.After(end) {
			end = e
		}
		// The reader cycles through its antennas, dwelling simDwell on
		// each; the tag is read a few times in each dwell while it is in
		// the field, p.reads times in all on average.
		first := p.start.Truncate(simDwell)
		slots := int(p.start.Add(p.dur).Sub(first)/simDwell) + 1
		for k := 0; k < slots; k++ {
			from := first.Add(time.Duration(k) * simDwell)
			a := simAntennas[(from.UnixNano()/int64(simDwell))%int64(len(simAntennas))]
			n := p.reads / slots
			if rng.IntN(slots) < p.reads%slots {
				n++
			}
			for ; n > 0; n-- {
				at := from.Add(time.Duration(rng.Int64N(int64(simDwell))))
				if at.Before(p.start) || !at.Before(p.start.Add(p.dur)) {
					continue
				}
				x := -1 + 2*float64(at.Sub(p.start))/float64(p.dur)
				if p.dir == gate.Out {
					x = -x
				}
				read(p.epc, at, a.port, -40-25*math.Abs(x-a.x)+6*rng.Float64()-3)
			}
		}
		if rng.IntN(10) == 0 {
			// The pallet stops just past the door: after a gap longer
			// than the departure timeout the far side reads it again.
			port := uint16(3)
			if p.dir == gate.Out {
				port = 1
			}
			for k := 0; k < 4; k++ {
				read(p.epc, p.start.Add(p.dur+1600*time.Millisecond+time.Duration(k)*300*time.Millisecond), port, -62)
			}
		}
	}
	span := end.Sub(begin)
	for i := 0; i < noiseTags; i++ {
		epc := simEPC(100000 + i)
		for k := 0; k < 20; k++ {
			read(epc, begin.Add(time.Duration(rng.Int64N(int64(span)))), simAntennas[rng.IntN(4)].port, -72-float64(rng.IntN(14)))
		}
	}
	for i := 0; i < strays; i++ {
		epc := simEPC(200000 + i)
		at := begin.Add(time.Duration(rng.Int64N(int64(span))))
		port := simAntennas[rng.IntN(4)].port
		for k := 0; k <= i%3; k++ {
			read(epc, at.Add(time.Duration(k)*30*time.Millisecond), port, -60)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastSeen.Before(out[j].LastSeen) })
	for i := 1; i < len(out); i++ {
		if rng.IntN(100) == 0 {
			out[i-1], out[i] = out[i], out[i-1]
		}
	}
	return out
}

// simPopulation returns n tags passing in from start, on pallets of 50
// leaving every 1.2 s, each tag crossing in 1.5 to 2 s with 20 to 50 read
// attempts, pallets overlapping, then out again in another order from
// start+outAfter.
func simPopulation(rng *rand.Rand, n int, start time.Time, outAfter time.Duration) []simPass {
	var ps []simPass
	for _, dir := range []gate.Direction{gate.In, gate.Out} {
		order := rng.Perm(n)
		base := start
		if dir == gate.Out {
			base = start.Add(outAfter)
		}
		for k, i := range order {
			pallet := k / 50
			ps = append(ps, simPass{
				epc:   simEPC(i),
				start: base.Add(time.Duration(pallet)*1200*time.Millisecond + time.Duration(rng.IntN(400))*time.Millisecond),
				dur:   1500*time.Millisecond + time.Duration(rng.IntN(500))*time.Millisecond,
				dir:   dir,
				reads: 20 + rng.IntN(31),
			})
		}
	}
	return ps
}

// feed gives reads to g in order with a Flush every tick of their clock,
// as the agent's ticker would, then a final Flush after the last read, and
// returns the passes.
func feed(g *gate.Gate, reads []drivers.TagRead, tick time.Duration) []gate.Pass {
	var out []gate.Pass
	if len(reads) == 0 {
		return nil
	}
	next := reads[0].LastSeen.Add(tick)
	for _, r := range reads {
		for !r.LastSeen.Before(next) {
			out = append(out, g.Flush(next)...)
			next = next.Add(tick)
		}
		g.Add(r)
	}
	return append(out, g.Flush(reads[len(reads)-1].LastSeen.Add(time.Minute))...)
}
