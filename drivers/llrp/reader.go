// Package llrp is the driver for UHF RFID readers that speak the EPCglobal
// Low Level Reader Protocol (LLRP 1.0.1 and 1.1) over TCP port 5084, and
// the codec for the messages it needs. Reader connects, installs the
// profile's ROSpec, and turns RO_ACCESS_REPORTs into drivers.TagRead,
// reconnecting with exponential backoff whenever the connection breaks.
// The rules it follows (connect sequence, version fallback, timestamps,
// omitted report fields) are in DESIGN.md beside this file. The emulator
// in llrpsim speaks the same bytes.
package llrp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/jxc-edge/jxc/drivers"
)

var _ drivers.Reader = (*Reader)(nil)

// DefaultPort is LLRP's TCP port.
const DefaultPort = "5084"

// Config configures a Reader. Zero durations take the defaults noted.
type Config struct {
	// Name names the reader in TagReads and Health (its profile name).
	Name string
	// Address is host or host:port; the port defaults to 5084.
	Address string
	// KeepAlive is the interval at which the reader is told to send
	// KEEPALIVE messages (default 5s). The connection counts as dead when
	// nothing at all arrives for ReadTimeout (default two KeepAlive
	// intervals).
	KeepAlive   time.Duration
	ReadTimeout time.Duration
	// ROSpec is the reader operation installed on every connect.
	ROSpec ROSpecConfig
	// Vendor is the reader's maker as the profile names it. It decides
	// whether the vendor extensions the ROSpec asks for (Impinj's search
	// mode) are used: VendorUnknown asks the reader's capabilities for its
	// manufacturer when an extension is wanted.
	Vendor Vendor
	// MaxVersion is the highest LLRP version to negotiate: Version11
	// (default) or Version101 to skip negotiation.
	MaxVersion uint8
	// MaxMessageSize bounds the length a message may claim (default
	// DefaultMaxMessageSize).
	MaxMessageSize int
	// DialTimeout bounds the TCP connect (default 5s); RequestTimeout each
	// request of the connect sequence (default 10s); CloseTimeout the wait
	// for CLOSE_CONNECTION_RESPONSE on shutdown (default 2s).
	DialTimeout    time.Duration
	RequestTimeout time.Duration
	CloseTimeout   time.Duration
	// RetryMin and RetryMax bound the exponential backoff between
	// connection attempts (defaults 500ms and 30s). The backoff starts over
	// whenever the connect sequence succeeds, so a reader that rebooted is
	// tried again RetryMin after the connection broke.
	RetryMin, RetryMax time.Duration
	// Logger receives connection events and errors; nil discards them.
	Logger *slog.Logger
}

// withDefaults returns c with defaults filled in, or an error for a value
// that cannot work.
func (c Config) withDefaults() (Config, error) {
	if c.Address == "" {
		return c, errors.New("llrp: no reader address")
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		c.Address = net.JoinHostPort(c.Address, DefaultPort)
	}
	if c.Name == "" {
		c.Name = c.Address
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.KeepAlive, 5*time.Second)
	def(&c.ReadTimeout, 2*c.KeepAlive)
	def(&c.DialTimeout, 5*time.Second)
	def(&c.RequestTimeout, 10*time.Second)
	def(&c.CloseTimeout, 2*time.Second)
	def(&c.RetryMin, 500*time.Millisecond)
	def(&c.RetryMax, 30*time.Second)
	if ms := c.KeepAlive.Milliseconds(); ms < 1 || ms > math.MaxUint32 {
		return c, fmt.Errorf("llrp: keepalive %v out of 1ms..%dms", c.KeepAlive, uint32(math.MaxUint32))
	}
	switch c.MaxVersion {
	case 0:
		c.MaxVersion = Version11
	case Version101, Version11:
	default:
		return c, fmt.Errorf("llrp: max version %d: want %d (1.0.1) or %d (1.1)", c.MaxVersion, Version101, Version11)
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.MaxMessageSize < HeaderLen {
		return c, fmt.Errorf("llrp: max message size %d is below the header size", c.MaxMessageSize)
	}
	spec, err := c.ROSpec.Normalized()
	if err != nil {
		return c, fmt.Errorf("llrp: %w", err)
	}
	c.ROSpec = spec
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// Vendor is a reader's maker, as far as vendor extensions go.
type Vendor uint8

// Vendors.
const (
	// VendorUnknown: the driver asks the reader (GET_READER_CAPABILITIES,
	// GeneralDeviceCapabilities' DeviceManufacturerName) when an
	// extension is wanted.
	VendorUnknown Vendor = iota
	// VendorImpinj: the reader takes Impinj's extensions.
	VendorImpinj
	// VendorOther: the reader takes no extension the driver knows.
	VendorOther
)

// String returns "unknown", "impinj" or "other".
func (v Vendor) String() string {
	switch v {
	case VendorImpinj:
		return "impinj"
	case VendorOther:
		return "other"
	}
	return "unknown"
}

// Reader is an LLRP reader connection that keeps itself up. Its methods
// are safe for concurrent use.
type Reader struct {
	cfg     Config
	log     *slog.Logger
	closing chan struct{}
	once    sync.Once

	mu          sync.Mutex
	running     bool
	done        chan struct{} // closed when the running Run returns
	closed      bool
	connected   bool
	version     uint8
	skipVersion bool // the reader choked on GET_SUPPORTED_VERSION: use 1.0.1 from the start
	noImpinj    bool // the reader never answered IMPINJ_ENABLE_EXTENSIONS: do not ask again
	lastEvent   time.Time
	events      uint64
	errs        uint64
	lastErr     error
	rate        rateWindow
	// clockOffset is the reader's UTC clock minus the agent's, from the
	// latest report with UTC timestamps.
	clockOffset time.Duration
}

// NewReader returns a Reader for cfg, or an error if cfg cannot work. It
// does not connect; Run does.
func NewReader(cfg Config) (*Reader, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Reader{
		cfg:     cfg,
		log:     cfg.Logger.With("component", "llrp", "reader", cfg.Name),
		closing: make(chan struct{}),
	}, nil
}

// errStopped ends a session when the context is done or Close was called.
var errStopped = errors.New("llrp: stopped")

// Run connects to the reader, installs the ROSpec and sends every tag read
// to out, reconnecting with exponential backoff after any failure, until
// ctx is done or Close is called. On the way out it sends CLOSE_CONNECTION
// and waits up to CloseTimeout for the answer. It returns nil then; it
// returns an error only if the Reader is already running. Errors met on the
// way are counted and kept in Health and LastError, not returned.
func (r *Reader) Run(ctx context.Context, out chan<- drivers.TagRead) error {
	r.mu.Lock()
	if r.running {
		r.mu.Unlock()
		return errors.New("llrp: reader already running")
	}
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.running = true
	done := make(chan struct{})
	r.done = done
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
		close(done)
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-r.closing:
			cancel()
		case <-ctx.Done():
		}
	}()

	b := backoff.NewExponentialBackOff()
	b.InitialInterval = r.cfg.RetryMin
	b.MaxInterval = r.cfg.RetryMax
	b.Multiplier = 2
	b.RandomizationFactor = 0.2
	b.MaxElapsedTime = 0 // never give up
	b.Reset()
	timer := time.NewTimer(0)
	<-timer.C
	for {
		up, err := r.session(ctx, out)
		if ctx.Err() != nil {
			return nil
		}
		r.noteError(err)
		if !up.IsZero() {
			// The reader took the whole connect sequence: it works, and
			// what broke the connection (a reboot, a network blip) is
			// best retried at once, not after the backoff of the failures
			// before it.
			b.Reset()
		}
		wait := b.NextBackOff()
		r.log.Warn("reader connection failed", "err", err, "retry_in", wait)
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil
		}
	}
}

// Close stops a running Run, which sends CLOSE_CONNECTION to the reader and
// waits up to CloseTimeout for its response, and waits for Run to return.
// A closed Reader does not run again. Close always returns nil.
func (r *Reader) Close() error {
	r.once.Do(func() { close(r.closing) })
	r.mu.Lock()
	r.closed = true
	done, running := r.done, r.running
	r.mu.Unlock()
	if running {
		select {
		case <-done:
		case <-time.After(r.cfg.CloseTimeout + r.cfg.RequestTimeout):
			// Run is stuck writing to a dead socket; its own write deadline
			// ends it soon after.
		}
	}
	return nil
}

// Health returns the reader's state: connected, the time of the last
// RO_ACCESS_REPORT, tag reads delivered, the read rate over the last five
// whole seconds, the errors met, and how far the reader's clock is from
// the agent's (see drivers.MaxClockOffset).
func (r *Reader) Health() drivers.Health {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := drivers.Health{
		Device:    r.cfg.Name,
		Kind:      "llrp",
		Connected: r.connected,
		LastEvent: r.lastEvent,
		Events:    r.events,
		Errors:    r.errs,
		PerSecond: r.rate.perSecond(time.Now()),
	}
	h.SetClockOffset(r.clockOffset)
	if r.lastErr != nil {
		h.LastError = r.lastErr.Error()
	}
	return h
}

// LastError returns the latest error met (for errors.Is: drivers.ErrBusy,
// drivers.ErrProtocol, drivers.ErrDevice, …), or nil.
func (r *Reader) LastError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastErr
}

// Version returns the LLRP version negotiated on the current connection
// (Version101 or Version11), or 0 when not connected.
func (r *Reader) Version() uint8 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.version
}

func (r *Reader) noteError(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	r.errs++
	r.lastErr = err
	r.mu.Unlock()
}

func (r *Reader) setConnected(up bool, version uint8) {
	r.mu.Lock()
	r.connected, r.version = up, version
	r.mu.Unlock()
}

// noteReport counts a report of reads received at t. latest is its latest
// UTC timestamp (zero when it had none), which gives the reader's clock
// offset.
func (r *Reader) noteReport(t time.Time, reads int, latest time.Time) {
	r.mu.Lock()
	r.lastEvent = t
	r.events += uint64(reads)
	r.rate.add(t, uint64(reads))
	var skewed bool
	var offset time.Duration
	if !latest.IsZero() {
		offset = latest.Sub(t)
		was := r.clockOffset > drivers.MaxClockOffset || r.clockOffset < -drivers.MaxClockOffset
		r.clockOffset = offset
		skewed = !was && (offset > drivers.MaxClockOffset || offset < -drivers.MaxClockOffset)
	}
	r.mu.Unlock()
	if skewed {
		r.log.Warn("reader clock is off the agent's; gate passes are unaffected, but set the reader's NTP",
			"offset", offset.Round(time.Millisecond), "max", drivers.MaxClockOffset)
	}
}

// session runs one connection: connect sequence, then reports until an
// error or ctx is done. It returns when the connection came fully up
// (zero if it never did) and why it ended.
func (r *Reader) session(ctx context.Context, out chan<- drivers.TagRead) (time.Time, error) {
	d := net.Dialer{Timeout: r.cfg.DialTimeout}
	nc, err := d.DialContext(ctx, "tcp", r.cfg.Address)
	if err != nil {
		return time.Time{}, fmt.Errorf("dial %s: %w", r.cfg.Address, err)
	}
	defer nc.Close()
	c := &conn{
		r:       r,
		ctx:     ctx,
		nc:      nc,
		mr:      NewMessageReader(nc, r.cfg.MaxMessageSize),
		out:     out,
		version: Version101,
		idle:    r.cfg.RequestTimeout,
	}
	stop := context.AfterFunc(ctx, c.interrupt)
	defer stop()

	if err := c.connect(); err != nil {
		if ctx.Err() != nil && c.accepted {
			c.closeGracefully()
		}
		return time.Time{}, err
	}
	up := time.Now()
	r.setConnected(true, c.version)
	defer r.setConnected(false, 0)
	r.log.Info("reader connected", "addr", r.cfg.Address, "llrp_version", versionName(c.version), "rospec", r.cfg.ROSpec.ID)

	err = c.loop()
	if ctx.Err() != nil {
		c.closeGracefully()
		r.log.Info("reader connection closed")
		return up, nil
	}
	return up, err
}

func versionName(v uint8) string {
	switch v {
	case Version101:
		return "1.0.1"
	case Version11:
		return "1.1"
	}
	return fmt.Sprint(v)
}

// conn is one LLRP connection. Only its session goroutine reads and
// writes, so a KEEPALIVE_ACK goes out the moment its KEEPALIVE is read,
// ahead of anything else.
type conn struct {
	r       *Reader
	ctx     context.Context
	nc      net.Conn
	mr      *MessageReader
	out     chan<- drivers.TagRead
	version uint8
	// idle is how long a read may wait: RequestTimeout until keepalives are
	// configured, then ReadTimeout.
	idle     time.Duration
	nextID   uint32
	accepted bool // the reader accepted the connection
	wbuf     []byte
	body     []byte
	state    ReportState
	boot     time.Time // reader boot time, for uptime timestamps
	batch    []drivers.TagRead

	stopMu  sync.Mutex
	closing bool // closeGracefully owns the deadlines now
}

// interrupt unblocks a read or write when the context is done.
func (c *conn) interrupt() {
	c.stopMu.Lock()
	defer c.stopMu.Unlock()
	if !c.closing {
		past := time.Unix(1, 0)
		c.nc.SetReadDeadline(past)
		c.nc.SetWriteDeadline(past)
	}
}

func (c *conn) stopped() bool {
	c.stopMu.Lock()
	defer c.stopMu.Unlock()
	return !c.closing && c.ctx.Err() != nil
}

// read reads the next message, waiting at most timeout.
func (c *conn) read(timeout time.Duration) (Message, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	// Checked after setting the deadline: interrupt, which runs after the
	// context is done, then cannot be undone by it.
	if c.stopped() {
		return Message{}, errStopped
	}
	for {
		m, err := c.mr.Next()
		var ve *VersionError
		if errors.As(err, &ve) {
			// Read whole, so the stream is in step: skip it. (ERROR_MESSAGE
			// goes from reader to client only; a client has no way to
			// refuse a message.)
			err = fmt.Errorf("skipped a message from the reader: %w", ve)
			c.r.noteError(err)
			c.r.log.Warn("reader sent a message in an unsupported LLRP version", "err", err)
			continue
		}
		if err != nil {
			if c.stopped() {
				return Message{}, errStopped
			}
			return Message{}, readError(err, timeout)
		}
		return m, nil
	}
}

// errSilent marks a read that timed out.
var errSilent = errors.New("reader silent")

func readError(err error, timeout time.Duration) error {
	var ne net.Error
	switch {
	case errors.Is(err, drivers.ErrProtocol):
		return err
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("no message from the reader for %v (dead connection): %w", timeout, errSilent)
	case errors.Is(err, io.EOF):
		return errors.New("reader closed the connection")
	}
	return fmt.Errorf("read: %w", err)
}

// send writes one message with a new ID and returns the ID.
func (c *conn) send(t MessageType, version uint8, body []byte) (uint32, error) {
	c.nextID++
	id := c.nextID
	return id, c.write(Message{Version: version, Type: t, ID: id, Body: body})
}

func (c *conn) write(m Message) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.r.cfg.RequestTimeout))
	if c.stopped() {
		return errStopped
	}
	c.wbuf = AppendMessage(c.wbuf[:0], m)
	if _, err := c.nc.Write(c.wbuf); err != nil {
		if c.stopped() {
			return errStopped
		}
		return fmt.Errorf("write %v: %w", m.Type, err)
	}
	return nil
}

// call sends a request and waits for the response of type resp with the
// same ID, handling whatever else arrives meanwhile (keepalives, reports,
// events). An ERROR_MESSAGE answering the request gives a *StatusError.
func (c *conn) call(t MessageType, version uint8, body []byte, resp MessageType) (Message, error) {
	id, err := c.send(t, version, body)
	if err != nil {
		return Message{}, err
	}
	deadline := time.Now().Add(c.r.cfg.RequestTimeout)
	for {
		wait := min(time.Until(deadline), c.idle)
		if wait <= 0 {
			return Message{}, fmt.Errorf("no %v to %v within %v: %w", resp, t, c.r.cfg.RequestTimeout, errSilent)
		}
		m, err := c.read(wait)
		if err != nil {
			if errors.Is(err, errSilent) && !time.Now().Before(deadline) {
				return Message{}, fmt.Errorf("no %v to %v within %v: %w", resp, t, c.r.cfg.RequestTimeout, errSilent)
			}
			return Message{}, err
		}
		switch {
		case m.Type == resp && m.ID == id:
			return m, nil
		case m.Type == MsgErrorMessage && (m.ID == id || m.ID == 0):
			st, err := DecodeStatus(m.Body)
			if err != nil {
				return Message{}, fmt.Errorf("ERROR_MESSAGE answering %v: %w", t, err)
			}
			if st.Code == StatusSuccess {
				return Message{}, fmt.Errorf("ERROR_MESSAGE answering %v with status success: %w", t, drivers.ErrProtocol)
			}
			return Message{}, st.Err(t)
		}
		if err := c.handle(m); err != nil {
			return Message{}, err
		}
	}
}

// request sends a request whose response carries only an LLRPStatus and
// checks that status.
func (c *conn) request(t MessageType, body []byte, resp MessageType) error {
	m, err := c.call(t, c.version, body, resp)
	if err != nil {
		return err
	}
	st, err := DecodeStatus(m.Body)
	if err != nil {
		return fmt.Errorf("%v: %w", resp, err)
	}
	return st.Err(t)
}

// connect runs the connect sequence: the reader's connection event,
// version negotiation, the reader's capabilities if needed (power table,
// manufacturer), Impinj extensions if the ROSpec uses them and the reader
// takes them,
// keepalives, then DELETE_ROSPEC (all), ADD_ROSPEC, ENABLE_ROSPEC and,
// unless the ROSpec starts itself, START_ROSPEC.
func (c *conn) connect() error {
	cfg := &c.r.cfg
	m, err := c.read(cfg.RequestTimeout)
	if err != nil {
		return fmt.Errorf("waiting for the reader's connection event: %w", err)
	}
	recv := time.Now()
	if m.Type != MsgReaderEventNotification {
		return fmt.Errorf("reader's first message is %v, want READER_EVENT_NOTIFICATION: %w", m.Type, drivers.ErrProtocol)
	}
	ev, err := DecodeReaderEvent(m.Body)
	if err != nil {
		return fmt.Errorf("connection event: %w", err)
	}
	if !ev.ConnectionAttempt {
		return fmt.Errorf("reader's first READER_EVENT_NOTIFICATION has no ConnectionAttemptEvent: %w", drivers.ErrProtocol)
	}
	switch ev.ConnectionStatus {
	case ConnSuccess:
	case ConnClientConnectionExists:
		return fmt.Errorf("reader %s refused the connection: a client-initiated connection already exists (another client holds the reader): %w", cfg.Address, drivers.ErrBusy)
	case ConnReaderConnectionExists:
		return fmt.Errorf("reader %s refused the connection: a reader-initiated connection already exists: %w", cfg.Address, drivers.ErrBusy)
	case ConnFailedOther:
		return fmt.Errorf("reader %s refused the connection for a reason other than an existing connection: %w", cfg.Address, drivers.ErrDevice)
	default:
		return fmt.Errorf("connection event with status %d: %w", ev.ConnectionStatus, drivers.ErrProtocol)
	}
	c.accepted = true
	if ev.Uptime {
		c.boot = recv.Add(-time.Duration(ev.Timestamp) * time.Microsecond)
	}

	if err := c.negotiate(); err != nil {
		return err
	}

	spec := cfg.ROSpec
	needPower := false
	for _, a := range spec.Antennas {
		needPower = needPower || a.TxPowerIndex == 0 && a.TxPowerCdBm != 0
	}
	needMaker := spec.SearchMode != SearchModeUnset && cfg.Vendor == VendorUnknown
	var caps Capabilities
	if needPower || needMaker {
		requested := CapabilitiesAll
		switch {
		case !needMaker:
			requested = CapabilitiesRegulatory
		case !needPower:
			requested = CapabilitiesGeneral
		}
		caps, err = c.capabilities(requested)
		var se *StatusError
		switch {
		case err != nil && !needPower && errors.As(err, &se):
			// Only the maker was wanted: not knowing it means no
			// extensions, not no connection.
			c.r.log.Warn("reader refused GET_READER_CAPABILITIES; no vendor extensions", "err", err)
		case err != nil:
			return err
		}
	}
	if needPower {
		if spec, err = c.resolvePower(spec, caps); err != nil {
			return err
		}
	}
	if spec, err = c.vendorExtensions(spec, caps); err != nil {
		return err
	}

	c.body = AppendReaderConfig(c.body[:0], ReaderConfig{SetKeepalive: true, KeepaliveMS: uint32(cfg.KeepAlive.Milliseconds())})
	if err := c.request(MsgSetReaderConfig, c.body, MsgSetReaderConfigResponse); err != nil {
		return err
	}
	// Keepalives run from here: a reader silent for ReadTimeout is dead.
	c.idle = cfg.ReadTimeout

	type step struct {
		t, resp MessageType
		body    []byte
	}
	steps := []step{
		{MsgDeleteROSpec, MsgDeleteROSpecResponse, AppendROSpecID(nil, 0)},
		{MsgAddROSpec, MsgAddROSpecResponse, AppendAddROSpec(nil, spec, c.version)},
		{MsgEnableROSpec, MsgEnableROSpecResponse, AppendROSpecID(nil, spec.ID)},
	}
	if !spec.StartImmediate {
		steps = append(steps, step{MsgStartROSpec, MsgStartROSpecResponse, AppendROSpecID(nil, spec.ID)})
	}
	for _, s := range steps {
		if err := c.request(s.t, s.body, s.resp); err != nil {
			return err
		}
	}
	return nil
}

// negotiate asks for LLRP 1.1 when configured to. A reader that answers
// GET_SUPPORTED_VERSION with an ERROR_MESSAGE or an unsupported-message
// status speaks only 1.0.1, which the connection then keeps. A reader that
// does not answer at all, or hangs up, is remembered: the next connection
// skips negotiation.
func (c *conn) negotiate() error {
	r := c.r
	r.mu.Lock()
	skip := r.skipVersion
	r.mu.Unlock()
	if r.cfg.MaxVersion < Version11 || skip {
		return nil
	}
	m, err := c.call(MsgGetSupportedVersion, Version11, nil, MsgGetSupportedVersionResponse)
	var se *StatusError
	switch {
	case errors.As(err, &se):
		r.log.Info("reader speaks LLRP 1.0.1 only", "status", se.Status.Code)
		return nil
	case err != nil:
		if !errors.Is(err, errStopped) && !errors.Is(err, drivers.ErrProtocol) {
			r.mu.Lock()
			r.skipVersion = true
			r.mu.Unlock()
			return fmt.Errorf("version negotiation (the next connection will use LLRP 1.0.1 without it): %w", err)
		}
		return fmt.Errorf("version negotiation: %w", err)
	}
	current, supported, st, err := DecodeSupportedVersion(m.Body)
	if err != nil {
		return err
	}
	switch st.Code {
	case StatusSuccess:
	case StatusUnsupportedMessage, StatusUnsupportedVersion:
		return nil
	default:
		return st.Err(MsgGetSupportedVersion)
	}
	want := min(r.cfg.MaxVersion, supported)
	if want < Version101 || current < Version101 || current > Version11 {
		return fmt.Errorf("reader reports LLRP versions current %d, supported %d: %w", current, supported, drivers.ErrProtocol)
	}
	if current == want {
		c.version = want
		return nil
	}
	c.version = current
	m, err = c.call(MsgSetProtocolVersion, Version11, []byte{want}, MsgSetProtocolVersionResponse)
	if errors.As(err, &se) {
		// Refused: carry on in the version the connection already runs.
		r.log.Warn("reader refused the protocol version", "version", versionName(want), "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	if st, err = DecodeStatus(m.Body); err != nil {
		return fmt.Errorf("%v: %w", MsgSetProtocolVersionResponse, err)
	}
	if err := st.Err(MsgSetProtocolVersion); err != nil {
		r.log.Warn("reader refused the protocol version", "version", versionName(want), "err", err)
		return nil
	}
	c.version = want
	return nil
}

// capabilities asks the reader for the capabilities requested (one of the
// Capabilities* RequestedData values).
func (c *conn) capabilities(requested uint8) (Capabilities, error) {
	m, err := c.call(MsgGetReaderCapabilities, c.version, []byte{requested}, MsgGetReaderCapabilitiesResponse)
	if err != nil {
		return Capabilities{}, err
	}
	caps, st, err := DecodeCapabilities(m.Body)
	if err != nil {
		return Capabilities{}, err
	}
	return caps, st.Err(MsgGetReaderCapabilities)
}

// resolvePower turns antenna powers given in cdBm into the indices of the
// reader's power table in caps. A ModeIndex missing from the reader's mode
// table is logged, not refused: Impinj's AutoSet modes (1000 and up) are
// valid without being listed.
func (c *conn) resolvePower(spec ROSpecConfig, caps Capabilities) (ROSpecConfig, error) {
	if len(caps.Modes) > 0 && !slices.Contains(caps.Modes, uint32(spec.ModeIndex)) {
		c.r.log.Warn("mode index not in the reader's mode table", "mode_index", spec.ModeIndex, "modes", caps.Modes)
	}
	spec.Antennas = slices.Clone(spec.Antennas)
	for i, a := range spec.Antennas {
		if a.TxPowerIndex != 0 || a.TxPowerCdBm == 0 {
			continue
		}
		idx, ok := caps.NearestPower(a.TxPowerCdBm)
		if !ok {
			return spec, fmt.Errorf("antenna %d power %d cdBm: the reader reports no transmit power table: %w", a.ID, a.TxPowerCdBm, drivers.ErrDevice)
		}
		spec.Antennas[i].TxPowerIndex = idx
	}
	return spec, nil
}

// vendorExtensions enables the vendor extensions spec uses, if the reader
// takes them, and returns spec without those it does not take. Impinj's
// search mode needs IMPINJ_ENABLE_EXTENSIONS, which is sent only when the
// profile names Impinj or the reader's capabilities (caps, when the
// profile names no vendor) give Impinj as its manufacturer: the LLRP spec
// makes any other reader refuse an unknown CUSTOM_MESSAGE. A refusal, an
// answer that makes no sense or none at all is logged and the search mode
// left to the reader; a reader that did not answer is not asked again.
// Only a broken connection is an error.
func (c *conn) vendorExtensions(spec ROSpecConfig, caps Capabilities) (ROSpecConfig, error) {
	if spec.SearchMode == SearchModeUnset {
		return spec, nil
	}
	r := c.r
	vendor := r.cfg.Vendor
	if vendor == VendorUnknown {
		vendor = VendorOther
		if caps.General && caps.Manufacturer == ImpinjVendorID {
			vendor = VendorImpinj
		}
	}
	r.mu.Lock()
	silent := r.noImpinj
	r.mu.Unlock()
	switch {
	case vendor != VendorImpinj:
		r.log.Info("the search mode is an Impinj extension and the reader is not an Impinj one; the reader's own search mode is used",
			"search_mode", spec.SearchMode, "manufacturer", caps.Manufacturer, "profile_vendor", r.cfg.Vendor)
		spec.SearchMode = SearchModeUnset
		return spec, nil
	case silent:
		spec.SearchMode = SearchModeUnset
		return spec, nil
	}
	err := c.enableImpinjExtensions()
	var se *StatusError
	switch {
	case err == nil:
		return spec, nil
	case errors.Is(err, errSilent):
		r.mu.Lock()
		r.noImpinj = true
		r.mu.Unlock()
	case !errors.As(err, &se) && !errors.Is(err, errNoExtension):
		return spec, err
	}
	r.log.Warn("reader did not take Impinj extensions; the reader's own search mode is used", "search_mode", spec.SearchMode, "err", err)
	spec.SearchMode = SearchModeUnset
	return spec, nil
}

// errNoExtension marks an answer to IMPINJ_ENABLE_EXTENSIONS that does
// not enable them.
var errNoExtension = errors.New("extensions not enabled")

// enableImpinjExtensions sends IMPINJ_ENABLE_EXTENSIONS, without which an
// Impinj reader refuses Impinj parameters such as the search mode. A
// refusal is a *StatusError; an answer that is not the expected one wraps
// errNoExtension; other errors are the connection's.
func (c *conn) enableImpinjExtensions() error {
	body := AppendCustomMessage(nil, ImpinjVendorID, ImpinjEnableExtensions, []byte{0, 0, 0, 0})
	m, err := c.call(MsgCustomMessage, c.version, body, MsgCustomMessage)
	if err != nil {
		return fmt.Errorf("IMPINJ_ENABLE_EXTENSIONS: %w", err)
	}
	vendor, subtype, payload, err := DecodeCustomMessage(m.Body)
	if err != nil {
		return fmt.Errorf("IMPINJ_ENABLE_EXTENSIONS_RESPONSE: %w: %w", errNoExtension, err)
	}
	if vendor != ImpinjVendorID || subtype != ImpinjEnableExtensionsResponse {
		return fmt.Errorf("IMPINJ_ENABLE_EXTENSIONS answered by custom message %d/%d: %w", vendor, subtype, errNoExtension)
	}
	st, err := DecodeStatus(payload)
	if err != nil {
		return fmt.Errorf("IMPINJ_ENABLE_EXTENSIONS_RESPONSE: %w: %w", errNoExtension, err)
	}
	if err := st.Err(MsgCustomMessage); err != nil {
		return fmt.Errorf("IMPINJ_ENABLE_EXTENSIONS: %w", err)
	}
	return nil
}

// loop handles messages until an error or the context ends.
func (c *conn) loop() error {
	for {
		m, err := c.read(c.idle)
		if err != nil {
			return err
		}
		if err := c.handle(m); err != nil {
			return err
		}
	}
}

// handle handles a message that answers no request of ours.
func (c *conn) handle(m Message) error {
	switch m.Type {
	case MsgKeepalive:
		return c.write(Message{Version: c.version, Type: MsgKeepaliveAck, ID: m.ID})
	case MsgROAccessReport:
		return c.deliver(m)
	case MsgReaderEventNotification:
		ev, err := DecodeReaderEvent(m.Body)
		if err != nil {
			return err
		}
		if ev.ConnectionClosed {
			return fmt.Errorf("reader is closing the connection (ConnectionCloseEvent): %w", drivers.ErrDevice)
		}
		if ev.ConnectionAttempt && ev.ConnectionStatus == ConnAnotherAttempted {
			c.r.log.Warn("another client tried to connect to the reader")
		}
	case MsgErrorMessage:
		// The reader objects to something we sent without waiting for an
		// answer (a KEEPALIVE_ACK): count it, keep going.
		st, err := DecodeStatus(m.Body)
		if err != nil {
			return fmt.Errorf("ERROR_MESSAGE: %w", err)
		}
		err = fmt.Errorf("ERROR_MESSAGE for message %d: %w", m.ID, st.Err(MsgErrorMessage))
		c.r.noteError(err)
		c.r.log.Warn("reader sent an error", "err", err)
	}
	return nil
}

// deliver decodes an RO_ACCESS_REPORT and sends its tag reads to out. A
// report with bad bytes is dropped whole, and the error ends the
// connection.
func (c *conn) deliver(m Message) error {
	recv := time.Now()
	var slab []byte      // the EPCs of this report, handed to the consumer
	var latest time.Time // the latest UTC timestamp of the report
	c.batch = c.batch[:0]
	_, err := DecodeROAccessReport(m.Body, &c.state, func(t *TagReport) error {
		if slab == nil {
			slab = make([]byte, 0, len(m.Body))
		}
		start := len(slab)
		slab = append(slab, t.EPC...)
		first, last := c.times(t, recv)
		if t.Known&FieldLastSeen != 0 && !t.LastSeenUptime && last.After(latest) {
			latest = last
		}
		count := t.SeenCount
		if t.Known&FieldTagSeenCount == 0 || count == 0 {
			count = 1
		}
		c.batch = append(c.batch, drivers.TagRead{
			Reader:    c.r.cfg.Name,
			EPC:       slab[start:len(slab):len(slab)],
			Antenna:   t.Antenna,
			RSSI:      t.PeakRSSI,
			FirstSeen: first,
			LastSeen:  last,
			Count:     count,
		})
		return nil
	})
	if err != nil {
		return err
	}
	for _, tr := range c.batch {
		select {
		case c.out <- tr:
		case <-c.ctx.Done():
			return errStopped
		}
	}
	c.r.noteReport(recv, len(c.batch), latest)
	return nil
}

// times returns a report's first and last seen times in UTC. A field never
// reported on the connection takes the other one, or the receive time.
func (c *conn) times(t *TagReport, recv time.Time) (first, last time.Time) {
	hasFirst, hasLast := t.Known&FieldFirstSeen != 0, t.Known&FieldLastSeen != 0
	// Last first: an uptime clock is best anchored on the latest time.
	if hasLast {
		last = c.toTime(t.LastSeen, t.LastSeenUptime, recv)
	}
	if hasFirst {
		first = c.toTime(t.FirstSeen, t.FirstSeenUptime, recv)
	}
	switch {
	case hasFirst && hasLast:
	case hasFirst:
		last = first
	case hasLast:
		first = last
	default:
		first, last = recv.UTC(), recv.UTC()
	}
	return first, last
}

// toTime converts a report timestamp. Uptime (microseconds since the reader
// booted) is placed on the local clock by the boot time: from the uptime
// in the connection event when the reader sent one, else from the first
// uptime timestamp received, taken as the receive time.
func (c *conn) toTime(us uint64, uptime bool, recv time.Time) time.Time {
	d := time.Duration(us) * time.Microsecond
	if !uptime {
		return time.UnixMicro(int64(us)).UTC()
	}
	if c.boot.IsZero() {
		c.boot = recv.Add(-d)
	}
	return c.boot.Add(d).UTC()
}

// closeGracefully sends CLOSE_CONNECTION and waits up to CloseTimeout for
// its response, acknowledging keepalives and dropping reports meanwhile.
func (c *conn) closeGracefully() {
	c.stopMu.Lock()
	c.closing = true
	c.stopMu.Unlock()
	deadline := time.Now().Add(c.r.cfg.CloseTimeout)
	c.nc.SetDeadline(deadline)
	c.nextID++
	id := c.nextID
	c.wbuf = AppendMessage(c.wbuf[:0], Message{Version: c.version, Type: MsgCloseConnection, ID: id})
	if _, err := c.nc.Write(c.wbuf); err != nil {
		return
	}
	for {
		m, err := c.mr.Next()
		if err != nil {
			c.r.log.Warn("no CLOSE_CONNECTION_RESPONSE", "err", err)
			return
		}
		switch {
		case m.Type == MsgCloseConnectionResponse && m.ID == id:
			if st, err := DecodeStatus(m.Body); err == nil && st.Code != StatusSuccess {
				c.r.log.Warn("reader refused CLOSE_CONNECTION", "err", st.Err(MsgCloseConnection))
			}
			return
		case m.Type == MsgErrorMessage && m.ID == id:
			return
		case m.Type == MsgKeepalive:
			c.wbuf = AppendMessage(c.wbuf[:0], Message{Version: c.version, Type: MsgKeepaliveAck, ID: m.ID})
			if _, err := c.nc.Write(c.wbuf); err != nil {
				return
			}
		}
	}
}

// rateWindow counts reads per wall-clock second over the last few seconds.
type rateWindow struct {
	secs   [8]int64
	counts [8]uint64
}

// rateSeconds is how many whole seconds PerSecond averages.
const rateSeconds = 5

func (w *rateWindow) add(t time.Time, n uint64) {
	s := t.Unix()
	i := s & 7
	if w.secs[i] != s {
		w.secs[i], w.counts[i] = s, 0
	}
	w.counts[i] += n
}

// perSecond averages the whole seconds before now's.
func (w *rateWindow) perSecond(now time.Time) uint64 {
	s := now.Unix()
	var sum uint64
	for i := range w.secs {
		if w.secs[i] >= s-rateSeconds && w.secs[i] < s {
			sum += w.counts[i]
		}
	}
	return sum / rateSeconds
}
