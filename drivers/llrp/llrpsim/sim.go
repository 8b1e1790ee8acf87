// Package llrpsim emulates an LLRP RFID reader on a TCP port, speaking the
// bytes of drivers/llrp's codec: the connection event, version negotiation
// (LLRP 1.1, or 1.0.1 only), GET_READER_CAPABILITIES (power and mode
// tables), SET_READER_CONFIG with keepalives, the ROSpec life cycle
// (DELETE, ADD, ENABLE, START, STOP, DISABLE), Impinj's extension switch,
// and RO_ACCESS_REPORTs for a scripted tag population:
// tags passing a gate antenna by antenna, plus background noise. Faults
// come on demand: a dropped connection, garbage bytes, a message in an
// LLRP version that does not exist, a reader that stalls, an ADD_ROSPEC
// refused. A message from the client in an unsupported header version is
// answered with ERROR_MESSAGE M_UnsupportedVersion, as the spec says.
// Tests and `jxc sim llrp` use it.
package llrpsim

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/jxc-edge/jxc/drivers/gs1"
	"github.com/jxc-edge/jxc/drivers/llrp"
)

// Options configure a Server. Zero values take the defaults noted.
type Options struct {
	// MaxVersion is the highest LLRP version served: llrp.Version11
	// (default) or llrp.Version101, a reader that answers
	// GET_SUPPORTED_VERSION with an ERROR_MESSAGE.
	MaxVersion uint8
	// Antennas is the number of antenna ports (default 4); ROSpecs naming
	// others are refused.
	Antennas uint16
	// UptimeTimestamps reports reader uptime (microseconds since boot)
	// instead of UTC, in tag reports and the connection event. The reader
	// booted BootedAgo before Listen (default 1h).
	UptimeTimestamps bool
	BootedAgo        time.Duration
	// ClockOffset is how far the reader's UTC clock is ahead of the host's
	// (negative: behind), as on a reader without NTP; it shifts every UTC
	// timestamp sent.
	ClockOffset time.Duration
	// Passes play when a ROSpec first starts, timed from that moment, and
	// again every Repeat when Repeat is not 0. Play adds more at any time.
	Passes []Pass
	Repeat time.Duration
	// Noise adds background tags while a ROSpec runs.
	Noise Noise
	// ReportInterval is how often due reads are sent (default 10ms);
	// MaxReportTags bounds the TagReportData in one RO_ACCESS_REPORT
	// (default 1000). Reads are batched whatever the ROSpec's N says.
	ReportInterval time.Duration
	MaxReportTags  int
	// OmitUnchanged leaves out AntennaID, PeakRSSI, timestamps and
	// TagSeenCount when equal to the previous TagReportData on the
	// connection, as LLRP allows. EPCData sends EPCs as EPCData parameters
	// rather than EPC-96.
	OmitUnchanged bool
	EPCData       bool
	// AddROSpecError, when its Code is not success, answers every
	// ADD_ROSPEC (see also SetAddROSpecError).
	AddROSpecError llrp.Status
	// MaxMissedAcks closes the connection when that many KEEPALIVEs in a
	// row go unacknowledged (0: never).
	MaxMissedAcks int
	// Manufacturer is the IANA enterprise number GET_READER_CAPABILITIES
	// reports as DeviceManufacturerName (default llrp.ImpinjVendorID),
	// Model its model number and Firmware its firmware version. A reader
	// of another manufacturer follows the spec for vendor extensions: it
	// refuses IMPINJ_ENABLE_EXTENSIONS, like any CUSTOM_MESSAGE it does not
	// know, with an ERROR_MESSAGE carrying M_UnsupportedMessage, and an
	// ADD_ROSPEC with Impinj parameters.
	Manufacturer uint32
	Model        uint32
	Firmware     string
	// PowerTable is the transmit power table GET_READER_CAPABILITIES
	// reports (default: indices 1–81, 10.00 to 30.00 dBm in 0.25 dB steps,
	// like an Impinj R420); Modes the RF mode identifiers (default 0–4 and
	// Impinj's AutoSet 1000, 1002–1005); Frequencies the hop table in kHz
	// (default China's 920.625–924.375 MHz, 16 channels 250 kHz apart).
	PowerTable  []llrp.PowerLevel
	Modes       []uint32
	Frequencies []uint32
	// Seed seeds the noise (default 1).
	Seed   uint64
	Logger *slog.Logger
}

// Noise is background tags: stock on shelves near the gate, read weakly
// on random antennas.
type Noise struct {
	// Tags is how many distinct noise tags there are; ReadsPerSecond how
	// many reads of them the reader makes in all (up to tens of thousands).
	Tags           int
	ReadsPerSecond int
	// MinRSSI and MaxRSSI bound their signal (default -80 and -65 dBm).
	MinRSSI, MaxRSSI int8
	// Antennas lists the antennas that see them (default all).
	Antennas []uint16
}

// Pass is one tag's trip past the reader's antennas.
type Pass struct {
	EPC []byte
	// Start is when the pass begins, from the moment it is played.
	Start time.Duration
	// Antennas are the sightings, each at its own offset from Start.
	Antennas []AntennaSighting
}

// AntennaSighting is a tag read Reads times by one antenna at RSSI dBm,
// from At after the pass starts, spread evenly over Span.
type AntennaSighting struct {
	Antenna uint16
	At      time.Duration
	RSSI    int8
	Reads   int // default 1
	Span    time.Duration
}

// GatePass returns the pass of a tag carried through a portal, seen first
// by antenna first and then by antenna second: outer then inner is
// inbound, inner then outer outbound.
func GatePass(epc []byte, start time.Duration, first, second uint16) Pass {
	return Pass{EPC: epc, Start: start, Antennas: []AntennaSighting{
		{Antenna: first, At: 0, RSSI: -58, Reads: 6, Span: 250 * time.Millisecond},
		{Antenna: second, At: 300 * time.Millisecond, RSSI: -54, Reads: 6, Span: 250 * time.Millisecond},
	}}
}

// Stats is what the emulator has seen and done.
type Stats struct {
	// Connections counts connections accepted; Rejected those refused
	// because another client was connected.
	Connections, Rejected int
	// Version is the LLRP version of the current connection (0: none).
	Version uint8
	// KeepalivesSent and KeepaliveAcks count KEEPALIVEs and their acks;
	// CloseRequests CLOSE_CONNECTIONs received; ErrorsSent refusals and
	// ERROR_MESSAGEs sent.
	KeepalivesSent, KeepaliveAcks, CloseRequests, ErrorsSent int
	// KeepaliveMS is the interval the client set (0: none).
	KeepaliveMS uint32
	// Reports and ReadsSent count RO_ACCESS_REPORTs and TagReportData
	// sent; ReadsDropped reads that fell due while no ROSpec ran or the
	// reader stalled.
	Reports, ReadsSent, ReadsDropped int
	// ROSpec is the last ROSpec added, Started whether one runs.
	ROSpec  *llrp.ROSpec
	Started bool
	// ImpinjExtensions is set once a client enabled them.
	ImpinjExtensions bool
}

// Server is an emulated LLRP reader.
type Server struct {
	opts Options
	ln   net.Listener
	log  *slog.Logger
	boot time.Time
	done chan struct{}
	wg   sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	client     *client
	rospecs    map[uint32]*rospec
	schedule   []read // sorted by time
	played     bool
	nextRepeat time.Time
	noiseEPCs  [][]byte
	noiseCarry float64
	lastTick   time.Time
	rng        *rand.Rand
	addErr     llrp.Status
	stats      Stats
}

type rospec struct {
	spec             llrp.ROSpec
	enabled, started bool
}

type read struct {
	at      time.Time
	epc     []byte
	antenna uint16
	rssi    int8
}

// client is one connection. Fields other than nc and wmu are guarded by
// Server.mu.
type client struct {
	nc        net.Conn
	wmu       sync.Mutex
	done      chan struct{}
	kaChanged chan struct{}
	version   uint8
	keepalive time.Duration
	unacked   int
	stalled   bool
	impinj    bool
	nextID    uint32
	last      llrp.TagReport // previous TagReportData, for OmitUnchanged
	sent      llrp.TagField  // fields sent on this connection
}

// Listen starts an emulated reader on addr (e.g. "127.0.0.1:0" or ":5084").
func Listen(addr string, opts Options) (*Server, error) {
	if opts.MaxVersion == 0 {
		opts.MaxVersion = llrp.Version11
	}
	if opts.MaxVersion != llrp.Version101 && opts.MaxVersion != llrp.Version11 {
		return nil, fmt.Errorf("llrpsim: max version %d", opts.MaxVersion)
	}
	if opts.Antennas == 0 {
		opts.Antennas = 4
	}
	if opts.BootedAgo <= 0 {
		opts.BootedAgo = time.Hour
	}
	if opts.ReportInterval <= 0 {
		opts.ReportInterval = 10 * time.Millisecond
	}
	if opts.MaxReportTags <= 0 {
		opts.MaxReportTags = 1000
	}
	if opts.Noise.MinRSSI == 0 && opts.Noise.MaxRSSI == 0 {
		opts.Noise.MinRSSI, opts.Noise.MaxRSSI = -80, -65
	}
	if opts.Noise.MinRSSI > opts.Noise.MaxRSSI {
		return nil, fmt.Errorf("llrpsim: noise RSSI %d above %d", opts.Noise.MinRSSI, opts.Noise.MaxRSSI)
	}
	if opts.PowerTable == nil {
		for i := range 81 {
			opts.PowerTable = append(opts.PowerTable, llrp.PowerLevel{Index: uint16(i + 1), CdBm: int16(1000 + 25*i)})
		}
	}
	if opts.Modes == nil {
		opts.Modes = []uint32{0, 1, 2, 3, 4, 1000, 1002, 1003, 1004, 1005}
	}
	if opts.Frequencies == nil {
		for i := range 16 {
			opts.Frequencies = append(opts.Frequencies, uint32(920625+250*i))
		}
	}
	if opts.Manufacturer == 0 {
		opts.Manufacturer = llrp.ImpinjVendorID
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("llrpsim: %w", err)
	}
	s := &Server{
		opts:    opts,
		ln:      ln,
		log:     opts.Logger.With("component", "llrpsim", "addr", ln.Addr().String()),
		boot:    time.Now().Add(-opts.BootedAgo),
		done:    make(chan struct{}),
		rospecs: map[uint32]*rospec{},
		rng:     rand.New(rand.NewPCG(opts.Seed, opts.Seed)),
		addErr:  opts.AddROSpecError,
	}
	for i := range opts.Noise.Tags {
		// Stock of one product, serials from 1,000,000.
		epc, err := gs1.EncodeSGTIN96("80614141123458", uint64(1_000_000+i), 1, 7)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("llrpsim: noise EPC: %w", err)
		}
		s.noiseEPCs = append(s.noiseEPCs, epc)
	}
	s.wg.Add(2)
	go s.accept()
	go s.pump()
	return s, nil
}

// Addr returns the address the emulator listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the emulator and drops its client.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	c := s.client
	s.client = nil
	s.mu.Unlock()
	close(s.done)
	err := s.ln.Close()
	if c != nil {
		c.nc.Close()
	}
	s.wg.Wait()
	return err
}

// Stats returns a snapshot of what the emulator has seen and done.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	if s.client != nil {
		st.Version = s.client.version
	}
	st.Started = s.activeLocked() != nil
	if st.ROSpec != nil {
		spec := *st.ROSpec
		st.ROSpec = &spec
	}
	return st
}

// Play schedules passes from now and returns the time they count from.
// Reads that fall due while no ROSpec runs are lost, as on a real reader.
func (s *Server) Play(passes ...Pass) time.Time {
	base := time.Now()
	s.mu.Lock()
	s.playLocked(base, passes)
	s.mu.Unlock()
	return base
}

func (s *Server) playLocked(base time.Time, passes []Pass) {
	for _, p := range passes {
		epc := slices.Clone(p.EPC)
		for _, a := range p.Antennas {
			n := max(a.Reads, 1)
			for k := range n {
				at := base.Add(p.Start + a.At)
				if n > 1 {
					at = at.Add(a.Span * time.Duration(k) / time.Duration(n-1))
				}
				s.schedule = append(s.schedule, read{at: at, epc: epc, antenna: a.Antenna, rssi: a.RSSI})
			}
		}
	}
	slices.SortStableFunc(s.schedule, func(a, b read) int { return a.at.Compare(b.at) })
}

// DropConnection closes the current connection abruptly, as a network
// failure would.
func (s *Server) DropConnection() {
	s.mu.Lock()
	c := s.client
	s.client = nil
	s.mu.Unlock()
	if c != nil {
		c.nc.Close()
	}
}

// SendGarbage writes bytes that are not LLRP (a header with version 7 and
// an absurd length) to the current connection.
func (s *Server) SendGarbage() {
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	if c != nil {
		c.write([]byte{0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 'g', 'a', 'r', 'b', 'a', 'g', 'e'})
	}
}

// SendUnsupportedVersion writes a KEEPALIVE whose header names LLRP
// version v (3 to 7: none that exists) to the current connection, as a
// reader speaking a later LLRP would.
func (s *Server) SendUnsupportedVersion(v uint8) {
	s.mu.Lock()
	c := s.client
	var id uint32
	if c != nil {
		c.nextID++
		id = c.nextID
	}
	s.mu.Unlock()
	if c != nil {
		c.write(llrp.AppendMessage(nil, llrp.Message{Version: v, Type: llrp.MsgKeepalive, ID: id}))
	}
}

// Stall makes the current connection go silent, as a hung reader does: no
// keepalives, reports or answers. The next connection works again.
func (s *Server) Stall() {
	s.mu.Lock()
	if s.client != nil {
		s.client.stalled = true
	}
	s.mu.Unlock()
}

// SetAddROSpecError makes every later ADD_ROSPEC fail with st; a status
// with Code success turns that off.
func (s *Server) SetAddROSpecError(st llrp.Status) {
	s.mu.Lock()
	s.addErr = st
	s.mu.Unlock()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		if old := s.client; old != nil {
			s.stats.Rejected++
			s.mu.Unlock()
			s.log.Info("refusing a second client", "remote", nc.RemoteAddr().String())
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.refuse(nc)
				s.event(old, llrp.ConnAnotherAttempted)
			}()
			continue
		}
		c := &client{nc: nc, done: make(chan struct{}), kaChanged: make(chan struct{}, 1), version: llrp.Version101}
		s.client = c
		s.stats.Connections++
		s.mu.Unlock()
		s.log.Info("client connected", "remote", nc.RemoteAddr().String())
		s.event(c, llrp.ConnSuccess)
		s.wg.Add(2)
		go s.serve(c)
		go s.keepalives(c)
	}
}

// refuse tells a second client that a client-initiated connection already
// exists, and hangs up.
func (s *Server) refuse(nc net.Conn) {
	defer nc.Close()
	body := llrp.AppendReaderEvent(nil, s.readerEvent(llrp.ConnClientConnectionExists))
	b := llrp.AppendMessage(nil, llrp.Message{Version: llrp.Version101, Type: llrp.MsgReaderEventNotification, Body: body})
	nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Write(b); err != nil {
		return
	}
	// Half-close, and drain what the client may have sent meanwhile:
	// closing with unread input would reset the connection and could
	// destroy the event before the client reads it.
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	nc.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
	var buf [512]byte
	for {
		if _, err := nc.Read(buf[:]); err != nil {
			return
		}
	}
}

func (s *Server) readerEvent(status llrp.ConnectionStatus) llrp.ReaderEvent {
	now := time.Now()
	e := llrp.ReaderEvent{Timestamp: uint64(now.Add(s.opts.ClockOffset).UnixMicro()), ConnectionAttempt: true, ConnectionStatus: status}
	if s.opts.UptimeTimestamps {
		e.Timestamp, e.Uptime = uint64(now.Sub(s.boot).Microseconds()), true
	}
	return e
}

func (s *Server) event(c *client, status llrp.ConnectionStatus) {
	s.mu.Lock()
	v := c.version
	c.nextID++
	id := c.nextID
	s.mu.Unlock()
	body := llrp.AppendReaderEvent(nil, s.readerEvent(status))
	c.write(llrp.AppendMessage(nil, llrp.Message{Version: v, Type: llrp.MsgReaderEventNotification, ID: id, Body: body}))
}

// write sends b whole, or closes the connection.
func (c *client) write(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.nc.Write(b); err != nil {
		c.nc.Close()
	}
}

// drop forgets c if it is still the client and closes it.
func (s *Server) drop(c *client) {
	s.mu.Lock()
	if s.client == c {
		s.client = nil
	}
	s.mu.Unlock()
	c.nc.Close()
}

func (s *Server) serve(c *client) {
	defer s.wg.Done()
	defer close(c.done)
	defer s.drop(c)
	mr := llrp.NewMessageReader(c.nc, 0)
	for {
		m, err := mr.Next()
		var ve *llrp.VersionError
		if errors.As(err, &ve) {
			// As the spec says: refuse the message, keep the connection.
			s.errorMessage(c, ve.ID, llrp.Status{Code: llrp.StatusUnsupportedVersion,
				Description: fmt.Sprintf("LLRP version %d is not supported", ve.Version)})
			continue
		}
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Info("client gone", "err", err)
			}
			return
		}
		s.mu.Lock()
		stalled := c.stalled
		s.mu.Unlock()
		if stalled {
			continue
		}
		if !s.handle(c, m) {
			return
		}
	}
}

// handle answers one message; it returns false when the connection ends.
func (s *Server) handle(c *client, m llrp.Message) bool {
	s.mu.Lock()
	cur := c.version
	s.mu.Unlock()
	versionMsg := m.Type == llrp.MsgGetSupportedVersion || m.Type == llrp.MsgSetProtocolVersion
	switch {
	case versionMsg && s.opts.MaxVersion < llrp.Version11:
		code := llrp.StatusUnsupportedMessage
		if m.Version > llrp.Version101 {
			code = llrp.StatusUnsupportedVersion
		}
		s.errorMessage(c, m.ID, llrp.Status{Code: code, Description: fmt.Sprintf("%v is not LLRP 1.0.1", m.Type)})
		return true
	case !versionMsg && m.Version != cur:
		s.errorMessage(c, m.ID, llrp.Status{Code: llrp.StatusUnsupportedVersion,
			Description: fmt.Sprintf("message version %d, the connection runs version %d", m.Version, cur)})
		return true
	}

	switch m.Type {
	case llrp.MsgGetSupportedVersion:
		s.reply(c, m.Version, llrp.MsgGetSupportedVersionResponse, m.ID,
			llrp.AppendSupportedVersion(nil, cur, s.opts.MaxVersion, llrp.Status{}))
	case llrp.MsgSetProtocolVersion:
		st := llrp.Status{}
		switch {
		case len(m.Body) < 1:
			st = llrp.Status{Code: llrp.StatusFieldError, Description: "no ProtocolVersion"}
		case m.Body[0] < llrp.Version101 || m.Body[0] > s.opts.MaxVersion:
			st = llrp.Status{Code: llrp.StatusUnsupportedVersion, Description: fmt.Sprintf("version %d not supported", m.Body[0])}
		default:
			s.mu.Lock()
			c.version = m.Body[0]
			s.mu.Unlock()
		}
		s.statusReply(c, m.Version, llrp.MsgSetProtocolVersionResponse, m.ID, st)
	case llrp.MsgGetReaderCapabilities:
		if len(m.Body) < 1 || m.Body[0] > llrp.CapabilitiesAirProtocol {
			s.statusReply(c, cur, llrp.MsgGetReaderCapabilitiesResponse, m.ID,
				llrp.Status{Code: llrp.StatusFieldError, Description: "RequestedData is not 0 to 4"})
			break
		}
		s.reply(c, cur, llrp.MsgGetReaderCapabilitiesResponse, m.ID,
			llrp.AppendCapabilitiesResponse(nil, llrp.Status{}, m.Body[0], s.capabilities()))
	case llrp.MsgSetReaderConfig:
		s.statusReply(c, cur, llrp.MsgSetReaderConfigResponse, m.ID, s.setReaderConfig(c, m.Body))
	case llrp.MsgAddROSpec:
		s.statusReply(c, cur, llrp.MsgAddROSpecResponse, m.ID, s.addROSpec(c, m.Body))
	case llrp.MsgDeleteROSpec, llrp.MsgEnableROSpec, llrp.MsgStartROSpec, llrp.MsgStopROSpec, llrp.MsgDisableROSpec:
		// Each response's type is its request's plus 10 (21 → 31, …).
		s.statusReply(c, cur, m.Type+10, m.ID, s.rospecOp(m.Type, m.Body))
	case llrp.MsgKeepaliveAck:
		s.mu.Lock()
		c.unacked = 0
		s.stats.KeepaliveAcks++
		s.mu.Unlock()
	case llrp.MsgCloseConnection:
		s.mu.Lock()
		s.stats.CloseRequests++
		if s.client == c {
			s.client = nil
		}
		s.mu.Unlock()
		s.statusReply(c, cur, llrp.MsgCloseConnectionResponse, m.ID, llrp.Status{})
		return false
	case llrp.MsgCustomMessage:
		vendor, subtype, _, err := llrp.DecodeCustomMessage(m.Body)
		if err != nil || !s.impinj() || vendor != llrp.ImpinjVendorID || subtype != llrp.ImpinjEnableExtensions {
			s.errorMessage(c, m.ID, llrp.Status{Code: llrp.StatusUnsupportedMessage, Description: "unknown custom message"})
			return true
		}
		s.mu.Lock()
		c.impinj = true
		s.stats.ImpinjExtensions = true
		s.mu.Unlock()
		body := llrp.AppendCustomMessage(nil, llrp.ImpinjVendorID, llrp.ImpinjEnableExtensionsResponse, llrp.AppendStatus(nil, llrp.Status{}))
		s.reply(c, cur, llrp.MsgCustomMessage, m.ID, body)
	default:
		s.errorMessage(c, m.ID, llrp.Status{Code: llrp.StatusUnsupportedMessage, Description: fmt.Sprintf("%v not supported", m.Type)})
	}
	return true
}

// impinj reports whether the emulated reader is an Impinj one, which takes
// Impinj's extensions.
func (s *Server) impinj() bool { return s.opts.Manufacturer == llrp.ImpinjVendorID }

// capabilities returns what GET_READER_CAPABILITIES reports.
func (s *Server) capabilities() llrp.Capabilities {
	return llrp.Capabilities{
		General:      true,
		Manufacturer: s.opts.Manufacturer,
		Model:        s.opts.Model,
		Firmware:     s.opts.Firmware,
		MaxAntennas:  s.opts.Antennas,
		UTCClock:     !s.opts.UptimeTimestamps,
		CountryCode:  156, // China
		TxPower:      s.opts.PowerTable,
		Hopping:      true,
		Frequencies:  s.opts.Frequencies,
		Modes:        s.opts.Modes,
	}
}

func (s *Server) reply(c *client, version uint8, t llrp.MessageType, id uint32, body []byte) {
	c.write(llrp.AppendMessage(nil, llrp.Message{Version: version, Type: t, ID: id, Body: body}))
}

func (s *Server) statusReply(c *client, version uint8, t llrp.MessageType, id uint32, st llrp.Status) {
	if st.Code != llrp.StatusSuccess {
		s.mu.Lock()
		s.stats.ErrorsSent++
		s.mu.Unlock()
	}
	s.reply(c, version, t, id, llrp.AppendStatus(nil, st))
}

func (s *Server) errorMessage(c *client, id uint32, st llrp.Status) {
	s.mu.Lock()
	s.stats.ErrorsSent++
	v := c.version
	s.mu.Unlock()
	s.reply(c, v, llrp.MsgErrorMessage, id, llrp.AppendStatus(nil, st))
}

func (s *Server) setReaderConfig(c *client, body []byte) llrp.Status {
	rc, err := llrp.DecodeReaderConfig(body)
	if err != nil {
		return llrp.Status{Code: llrp.StatusParameterError, Description: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rc.ResetToFactoryDefault {
		clear(s.rospecs)
	}
	if rc.SetKeepalive {
		c.keepalive = time.Duration(rc.KeepaliveMS) * time.Millisecond
		s.stats.KeepaliveMS = rc.KeepaliveMS
		select {
		case c.kaChanged <- struct{}{}:
		default:
		}
	}
	return llrp.Status{}
}

func (s *Server) addROSpec(c *client, body []byte) llrp.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addErr.Code != llrp.StatusSuccess {
		return s.addErr
	}
	spec, err := llrp.DecodeAddROSpec(body)
	if err != nil {
		return llrp.Status{Code: llrp.StatusParameterError, Description: err.Error()}
	}
	switch {
	case spec.ID == 0:
		return llrp.Status{Code: llrp.StatusInvalid, Description: "ROSpecID 0 is reserved"}
	case s.rospecs[spec.ID] != nil:
		return llrp.Status{Code: llrp.StatusInvalid, Description: fmt.Sprintf("ROSpec %d already exists", spec.ID)}
	case spec.Session > 3:
		return llrp.Status{Code: llrp.StatusOutOfRange, Description: fmt.Sprintf("session %d", spec.Session)}
	case spec.SearchMode != llrp.SearchModeUnset && (!s.impinj() || !c.impinj):
		return llrp.Status{Code: llrp.StatusUnsupportedParameter, Description: "Impinj extensions are not enabled"}
	}
	for _, id := range spec.AntennaIDs {
		if id > s.opts.Antennas {
			return llrp.Status{Code: llrp.StatusOutOfRange, Description: fmt.Sprintf("antenna %d does not exist (the reader has %d)", id, s.opts.Antennas)}
		}
	}
	s.rospecs[spec.ID] = &rospec{spec: spec}
	s.stats.ROSpec = &spec
	return llrp.Status{}
}

func (s *Server) rospecOp(t llrp.MessageType, body []byte) llrp.Status {
	id, err := llrp.DecodeROSpecID(body)
	if err != nil {
		return llrp.Status{Code: llrp.StatusFieldError, Description: err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t == llrp.MsgDeleteROSpec && id == 0 {
		clear(s.rospecs)
		return llrp.Status{}
	}
	r := s.rospecs[id]
	if r == nil {
		return llrp.Status{Code: llrp.StatusInvalid, Description: fmt.Sprintf("no ROSpec %d", id)}
	}
	switch t {
	case llrp.MsgDeleteROSpec:
		delete(s.rospecs, id)
	case llrp.MsgEnableROSpec:
		r.enabled = true
		if r.spec.StartImmediate {
			s.startLocked(r)
		}
	case llrp.MsgStartROSpec:
		if !r.enabled {
			return llrp.Status{Code: llrp.StatusInvalid, Description: fmt.Sprintf("ROSpec %d is not enabled", id)}
		}
		s.startLocked(r)
	case llrp.MsgStopROSpec:
		r.started = false
	case llrp.MsgDisableROSpec:
		r.enabled, r.started = false, false
	}
	return llrp.Status{}
}

func (s *Server) startLocked(r *rospec) {
	r.started = true
	if !s.played {
		s.played = true
		now := time.Now()
		s.playLocked(now, s.opts.Passes)
		if s.opts.Repeat > 0 {
			s.nextRepeat = now.Add(s.opts.Repeat)
		}
	}
}

// activeLocked returns the running ROSpec with the lowest ID, or nil.
func (s *Server) activeLocked() *rospec {
	var best *rospec
	for _, r := range s.rospecs {
		if r.started && (best == nil || r.spec.ID < best.spec.ID) {
			best = r
		}
	}
	return best
}

func (s *Server) keepalives(c *client) {
	defer s.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		s.mu.Lock()
		every := c.keepalive
		s.mu.Unlock()
		if every <= 0 {
			select {
			case <-c.kaChanged:
				continue
			case <-c.done:
				return
			}
		}
		t.Reset(every)
		select {
		case <-t.C:
		case <-c.kaChanged:
			continue
		case <-c.done:
			return
		}
		s.mu.Lock()
		if c.stalled {
			s.mu.Unlock()
			continue
		}
		c.unacked++
		if s.opts.MaxMissedAcks > 0 && c.unacked > s.opts.MaxMissedAcks {
			s.mu.Unlock()
			s.log.Info("keepalives unanswered; closing")
			s.drop(c)
			return
		}
		s.stats.KeepalivesSent++
		c.nextID++
		id, v := c.nextID, c.version
		s.mu.Unlock()
		c.write(llrp.AppendMessage(nil, llrp.Message{Version: v, Type: llrp.MsgKeepalive, ID: id}))
	}
}

// pump sends due reads every ReportInterval.
func (s *Server) pump() {
	defer s.wg.Done()
	tick := time.NewTicker(s.opts.ReportInterval)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-tick.C:
			s.tick(now)
		}
	}
}

func (s *Server) tick(now time.Time) {
	s.mu.Lock()
	if s.opts.Repeat > 0 && !s.nextRepeat.IsZero() && !now.Before(s.nextRepeat) {
		s.playLocked(s.nextRepeat, s.opts.Passes)
		s.nextRepeat = s.nextRepeat.Add(s.opts.Repeat)
	}
	i := 0
	for i < len(s.schedule) && !s.schedule[i].at.After(now) {
		i++
	}
	var due []read
	if i > 0 {
		due = slices.Clone(s.schedule[:i])
		s.schedule = append(s.schedule[:0], s.schedule[i:]...)
	}

	c := s.client
	active := s.activeLocked()
	dt := now.Sub(s.lastTick)
	if s.lastTick.IsZero() || dt <= 0 || dt > time.Second {
		dt = s.opts.ReportInterval
	}
	s.lastTick = now
	live := c != nil && active != nil && !c.stalled
	if !live {
		s.stats.ReadsDropped += len(due)
		s.mu.Unlock()
		return
	}
	var allowed map[uint16]bool
	if !slices.Contains(active.spec.AntennaIDs, 0) {
		allowed = map[uint16]bool{}
		for _, id := range active.spec.AntennaIDs {
			allowed[id] = true
		}
	}
	reads := make([]read, 0, len(due))
	for _, r := range due {
		if allowed == nil || allowed[r.antenna] {
			reads = append(reads, r)
		}
	}
	reads = append(reads, s.noiseLocked(now, dt, allowed)...)
	if len(reads) == 0 {
		s.mu.Unlock()
		return
	}
	fields := active.spec.Fields
	msgs := s.encodeLocked(c, reads, fields)
	s.stats.Reports += len(msgs)
	s.stats.ReadsSent += len(reads)
	s.mu.Unlock()
	for _, m := range msgs {
		c.write(m)
	}
}

// noiseLocked draws the noise reads of one tick.
func (s *Server) noiseLocked(now time.Time, dt time.Duration, allowed map[uint16]bool) []read {
	n := s.opts.Noise
	if n.ReadsPerSecond <= 0 || len(s.noiseEPCs) == 0 {
		return nil
	}
	antennas := n.Antennas
	if len(antennas) == 0 {
		for a := uint16(1); a <= s.opts.Antennas; a++ {
			antennas = append(antennas, a)
		}
	}
	if allowed != nil {
		antennas = slices.DeleteFunc(slices.Clone(antennas), func(a uint16) bool { return !allowed[a] })
	}
	if len(antennas) == 0 {
		return nil
	}
	want := float64(n.ReadsPerSecond)*dt.Seconds() + s.noiseCarry
	count := int(want)
	s.noiseCarry = want - float64(count)
	out := make([]read, count)
	span := int(n.MaxRSSI) - int(n.MinRSSI) + 1
	for i := range out {
		out[i] = read{
			at:      now.Add(-time.Duration(s.rng.Int64N(int64(dt) + 1))),
			epc:     s.noiseEPCs[s.rng.IntN(len(s.noiseEPCs))],
			antenna: antennas[s.rng.IntN(len(antennas))],
			rssi:    int8(int(n.MinRSSI) + s.rng.IntN(span)),
		}
	}
	return out
}

// encodeLocked turns reads into RO_ACCESS_REPORT messages of at most
// MaxReportTags TagReportData each.
func (s *Server) encodeLocked(c *client, reads []read, fields llrp.TagField) [][]byte {
	fields &= llrp.ReportFields
	var msgs [][]byte
	for len(reads) > 0 {
		n := min(len(reads), s.opts.MaxReportTags)
		var body []byte
		for _, r := range reads[:n] {
			ts := uint64(r.at.Add(s.opts.ClockOffset).UnixMicro())
			if s.opts.UptimeTimestamps {
				ts = uint64(r.at.Sub(s.boot).Microseconds())
			}
			t := llrp.TagReport{
				EPC: r.epc, Antenna: r.antenna, PeakRSSI: r.rssi,
				FirstSeen: ts, LastSeen: ts,
				FirstSeenUptime: s.opts.UptimeTimestamps, LastSeenUptime: s.opts.UptimeTimestamps,
				SeenCount: 1,
			}
			send := fields
			if s.opts.OmitUnchanged {
				send &^= unchanged(&c.last, &t) & c.sent
			}
			body = llrp.AppendTagReportData(body, &t, send, s.opts.EPCData)
			c.last, c.sent = t, c.sent|send
		}
		c.nextID++
		msgs = append(msgs, llrp.AppendMessage(nil, llrp.Message{Version: c.version, Type: llrp.MsgROAccessReport, ID: c.nextID, Body: body}))
		reads = reads[n:]
	}
	return msgs
}

// unchanged returns the fields whose values are the same in a and b.
func unchanged(a, b *llrp.TagReport) llrp.TagField {
	var f llrp.TagField
	if a.Antenna == b.Antenna {
		f |= llrp.FieldAntennaID
	}
	if a.PeakRSSI == b.PeakRSSI {
		f |= llrp.FieldPeakRSSI
	}
	if a.FirstSeen == b.FirstSeen && a.FirstSeenUptime == b.FirstSeenUptime {
		f |= llrp.FieldFirstSeen
	}
	if a.LastSeen == b.LastSeen && a.LastSeenUptime == b.LastSeenUptime {
		f |= llrp.FieldLastSeen
	}
	if a.SeenCount == b.SeenCount {
		f |= llrp.FieldTagSeenCount
	}
	return f
}
