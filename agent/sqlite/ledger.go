package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"

	msqlite "modernc.org/sqlite" // also registers the "sqlite" driver
)

var _ agent.Ledger = (*Ledger)(nil)

var (
	// ErrLocked means the ledger directory is held by another open Ledger,
	// in this process or another one.
	ErrLocked = errors.New("ledger in use")
)

// FileName is the name of the database file inside a ledger directory.
const FileName = "ledger.db"

// Defaults for Options fields left zero.
const (
	DefaultMaxBatch    = 1024
	DefaultQueueLen    = 4096
	DefaultReadConns   = 4
	DefaultBusyTimeout = 5 * time.Second
)

// MaxEventBytes bounds the encoded body of an event this replica writes, so
// that any single event fits in a sync batch (syncproto.MaxBatchBody).
const MaxEventBytes = 128 << 10

// Options configure Open.
type Options struct {
	// Tenant and Site name the ledger's owner. They are stored on first
	// open; a later open with other values fails with agent.ErrWrongSite.
	Tenant, Site string
	// Logger receives the ledger's logs; nil discards them.
	Logger *slog.Logger
	// MaxBatch bounds how many events one group commit writes (a single
	// ApplyPeer call is never split, so a commit may hold more). Zero means
	// DefaultMaxBatch.
	MaxBatch int
	// QueueLen is the capacity of the writer's request queue. Zero means
	// DefaultQueueLen.
	QueueLen int
	// ReadConns is the size of the read-only connection pool. Zero means
	// DefaultReadConns.
	ReadConns int
	// BusyTimeout is SQLite's busy_timeout. Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// Now is the HLC clock's wall clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// Fsync makes Open leave modernc.org/sqlite's process-wide sync call
	// alone (fsync(2) unless something switched it). By default Open
	// switches it to fdatasync(2), as SQLite's own Linux builds use: the
	// commit is as durable (the data and the file size reach stable
	// storage) but skips the timestamp update; on this project's ext4 test
	// machine fsync had a p90 of ~4 ms, fdatasync ~0.2 ms.
	Fsync bool
}

// Stats are counters since Open.
type Stats struct {
	// Commits is the number of group commits (transactions) written.
	Commits uint64
	// Appended is the number of own events written.
	Appended uint64
	// PeerApplied is the number of peer events applied.
	PeerApplied uint64
	// PeerSkipped counts peer events already applied (duplicates).
	PeerSkipped uint64
	// PeerHeld counts peer events not applied because of a gap before them.
	PeerHeld uint64
	// PeerRejected counts peer events rejected as invalid (other site, own
	// replica, undecodable body, ...).
	PeerRejected uint64
	// MaxBatch is the largest number of events written in one commit.
	MaxBatch uint64
	// ClockRefused counts peer events whose HLC was more than
	// syncproto.MaxSkew ahead of the local clock: applied, but their clock
	// not adopted.
	ClockRefused uint64
	// MasterApplied counts master records applied (ApplyMaster).
	MasterApplied uint64
	// MasterSkipped counts master records ApplyMaster skipped because
	// they broke their kind's rules, by reason (agent.MasterSkip…); nil
	// when none.
	MasterSkipped map[string]uint64
}

// Ledger is an agent.Ledger on a SQLite file. All methods are safe for
// concurrent use. Writes (appends, peer events, acks, rebuilds) are
// serialized through one writer goroutine; reads use a read-only pool and see
// only committed state.
type Ledger struct {
	dir    string
	lock   *os.File
	tenant string
	site   string
	// replica is owned by the writer goroutine once it runs (a fork changes
	// it); every other goroutine reads rid through Replica.
	replica syncproto.ReplicaID
	rid     atomic.Uint64
	log     *slog.Logger

	forkMu   sync.Mutex
	lastFork *agent.Fork

	wdb *sql.DB // one connection, owned by the writer goroutine
	rdb *sql.DB // read-only pool

	clock *syncproto.Clock

	// Committed state, published by the writer after each commit.
	lastSeq atomic.Uint64
	acked   atomic.Uint64
	vvMu    sync.Mutex
	peerVV  syncproto.VV
	// masterRev is the committed master revision (ApplyMaster).
	masterRev atomic.Uint64

	notify chan struct{}

	// mu guards closed and sends on reqs: senders hold it shared, Close
	// exclusively, so reqs is closed only when no send is in flight.
	mu         sync.RWMutex
	closed     bool
	isClosed   atomic.Bool
	reqs       chan *request
	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error

	stats struct {
		commits, appended, peerApplied, peerSkipped, peerHeld, peerRejected, maxBatch, clockRefused, masterApplied atomic.Uint64
	}
	// skipMu guards masterSkipped: master records skipped, by reason.
	skipMu        sync.Mutex
	masterSkipped map[string]uint64
}

// Open opens (creating if needed) the ledger in dir, applies migrations,
// and starts the writer. On first open it makes the replica ID and stores
// opts.Tenant and opts.Site; a later open with another tenant or site fails
// with agent.ErrWrongSite, invalid names with agent.ErrInvalid, and a
// directory another Ledger holds open with ErrLocked. The HLC clock resumes
// after the greatest HLC in the ledger. Unless opts.Fsync is set, Open
// switches modernc.org/sqlite to fdatasync process-wide (see Options).
func Open(dir string, opts Options) (*Ledger, error) {
	if err := syncproto.ValidName(opts.Tenant); err != nil {
		return nil, fmt.Errorf("open ledger: %w: tenant: %v", agent.ErrInvalid, err)
	}
	if err := syncproto.ValidName(opts.Site); err != nil {
		return nil, fmt.Errorf("open ledger: %w: site: %v", agent.ErrInvalid, err)
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = DefaultMaxBatch
	}
	if opts.QueueLen <= 0 {
		opts.QueueLen = DefaultQueueLen
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = DefaultReadConns
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = DefaultBusyTimeout
	}
	if !opts.Fsync {
		// Only fails where fdatasync does not exist; SQLite then keeps
		// fsync, which is as durable.
		_, _ = msqlite.Fdatasync(true)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "ledger")

	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	lock, err := lockDir(abs)
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	l, err := open(abs, lock, opts, log)
	if err != nil {
		unlockDir(lock)
		return nil, err
	}
	return l, nil
}

func open(abs string, lock *os.File, opts Options, log *slog.Logger) (*Ledger, error) {
	path := filepath.Join(abs, FileName)
	ms := opts.BusyTimeout.Milliseconds()

	wdb, err := sql.Open("sqlite", dsn(path, url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", ms),
			"journal_mode(WAL)",
			"synchronous(FULL)",
			"foreign_keys(1)",
		},
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)

	l := &Ledger{
		dir:        abs,
		lock:       lock,
		tenant:     opts.Tenant,
		site:       opts.Site,
		log:        log,
		wdb:        wdb,
		notify:     make(chan struct{}, 1),
		reqs:       make(chan *request, opts.QueueLen),
		writerDone: make(chan struct{}),
	}
	ctx := context.Background()
	w, err := l.load(ctx, opts)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open ledger %s: %w", abs, err)
	}

	// The read pool opens after the writer set up WAL mode, so read-only
	// connections find the -wal and -shm files in place.
	rdb, err := sql.Open("sqlite", dsn(path, url.Values{
		"mode":    {"ro"},
		"_pragma": {fmt.Sprintf("busy_timeout(%d)", ms), "foreign_keys(1)"},
	}))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	rdb.SetMaxOpenConns(opts.ReadConns)
	rdb.SetMaxIdleConns(opts.ReadConns)
	if err := rdb.PingContext(ctx); err != nil {
		rdb.Close()
		wdb.Close()
		return nil, fmt.Errorf("open ledger read pool: %w", err)
	}
	l.rdb = rdb

	peers := len(l.peerVV)
	built, err := docsBuilt(ctx, wdb)
	if err != nil {
		rdb.Close()
		wdb.Close()
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	started := make(chan error, 1)
	go l.runWriter(w, started)
	if err := <-started; err != nil {
		<-l.writerDone
		rdb.Close()
		wdb.Close()
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	if !built {
		// A ledger from before the document tables: fill them once.
		if err := l.Rebuild(ctx); err != nil {
			l.Close()
			return nil, fmt.Errorf("open ledger: build document progress: %w", err)
		}
	}
	log.Info("ledger open", "dir", abs, "replica", l.replica.String(), "tenant", l.tenant, "site", l.site,
		"last_seq", l.lastSeq.Load(), "acked_seq", l.acked.Load(), "peers", peers)
	return l, nil
}

// dsn returns a file: URI for path with query q (the driver reads the
// _pragma and _txlock keys, SQLite the rest).
func dsn(path string, q url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// load migrates the schema, reads or creates the ledger's identity, and
// returns the writer state: last own seq, peer version vector, clock.
func (l *Ledger) load(ctx context.Context, opts Options) (*writer, error) {
	db := l.wdb
	if err := migrate(ctx, db); err != nil {
		return nil, err
	}
	var (
		rep            int64
		tenant, site   string
		acked          int64
		masterRev      int64
		createdReplica bool
	)
	err := db.QueryRowContext(ctx, `SELECT replica, tenant, site, acked_seq, master_rev FROM ledger WHERE id = 1`).
		Scan(&rep, &tenant, &site, &acked, &masterRev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id, err := syncproto.NewReplicaID()
		if err != nil {
			return nil, err
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO ledger (id, replica, tenant, site, acked_seq, created_at) VALUES (1, ?, ?, ?, 0, ?)`,
			int64(id), opts.Tenant, opts.Site, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return nil, fmt.Errorf("store identity: %w", err)
		}
		rep, tenant, site, createdReplica = int64(id), opts.Tenant, opts.Site, true
	case err != nil:
		return nil, fmt.Errorf("read identity: %w", err)
	}
	if tenant != opts.Tenant || site != opts.Site {
		return nil, fmt.Errorf("%w: this ledger belongs to tenant %q site %q, not tenant %q site %q",
			agent.ErrWrongSite, tenant, site, opts.Tenant, opts.Site)
	}
	l.replica = syncproto.ReplicaID(rep)
	l.rid.Store(uint64(rep))
	l.acked.Store(uint64(acked))
	l.masterRev.Store(uint64(masterRev))
	if err := l.loadFork(ctx, db); err != nil {
		return nil, err
	}
	if createdReplica {
		l.log.Info("new replica", "replica", l.replica.String())
	}

	// The replica's HLCs increase with its seqs, so its last event carries
	// its greatest HLC; peers' greatest HLCs are kept in peers. The clock
	// resumes after the greatest of them.
	var lastSeq, maxHLC int64
	var peerHLCs []syncproto.HLC
	err = db.QueryRowContext(ctx, `SELECT seq, hlc FROM events WHERE replica = ? ORDER BY seq DESC LIMIT 1`, rep).
		Scan(&lastSeq, &maxHLC)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read last seq: %w", err)
	}
	vv := make(syncproto.VV)
	rows, err := db.QueryContext(ctx, `SELECT replica, applied_seq, max_hlc FROM peers`)
	if err != nil {
		return nil, fmt.Errorf("read peers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r, s, h int64
		if err := rows.Scan(&r, &s, &h); err != nil {
			return nil, fmt.Errorf("read peers: %w", err)
		}
		vv[syncproto.ReplicaID(r)] = uint64(s)
		peerHLCs = append(peerHLCs, syncproto.HLC(h))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read peers: %w", err)
	}
	l.lastSeq.Store(uint64(lastSeq))
	l.peerVV = vv
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	// A stored peer HLC was accepted when it was applied (the writer keeps
	// only those), but ledgers written before that rule may hold a refused
	// one: adopt only those within MaxSkew of the later of the wall clock
	// and the replica's own last HLC (the wall clock alone would refuse
	// everything after it was reset to 1970).
	limit := max(now().UnixMilli(), syncproto.HLC(maxHLC).WallMS()) + syncproto.MaxSkew.Milliseconds()
	for _, h := range peerHLCs {
		switch {
		case h.WallMS() > limit:
			l.log.Warn("stored peer clock too far ahead: not resumed after it", "hlc", h.String())
		case int64(h) > maxHLC:
			maxHLC = int64(h)
		}
	}
	l.clock = syncproto.NewClock(syncproto.HLC(maxHLC))
	l.clock.Now = now
	w := newWriter(l, opts.MaxBatch, uint64(lastSeq), vv)
	w.masterRev = uint64(masterRev)
	return w, nil
}

// Replica returns this ledger's replica ID, made on first open and kept.
func (l *Ledger) Replica() syncproto.ReplicaID { return syncproto.ReplicaID(l.rid.Load()) }

// Site returns the site this ledger belongs to.
func (l *Ledger) Site() string { return l.site }

// Tenant returns the tenant this ledger belongs to.
func (l *Ledger) Tenant() string { return l.tenant }

// LastSeq returns the highest seq of this replica that is durable.
func (l *Ledger) LastSeq() uint64 { return l.lastSeq.Load() }

// AckedSeq returns the cloud's acknowledged watermark as last stored.
func (l *Ledger) AckedSeq() uint64 { return l.acked.Load() }

// Notify returns a channel (buffered 1) that receives, coalesced, after every
// commit that made own events durable. Peer events do not signal it.
func (l *Ledger) Notify() <-chan struct{} { return l.notify }

// PeerVV returns a copy of the peer version vector: for each peer replica,
// the highest seq such that it and every seq below it are durably applied.
func (l *Ledger) PeerVV() syncproto.VV {
	l.vvMu.Lock()
	defer l.vvMu.Unlock()
	out := make(syncproto.VV, len(l.peerVV))
	for r, s := range l.peerVV {
		out[r] = s
	}
	return out
}

// Stats returns the ledger's counters.
func (l *Ledger) Stats() Stats {
	s := &l.stats
	return Stats{
		Commits:       s.commits.Load(),
		Appended:      s.appended.Load(),
		PeerApplied:   s.peerApplied.Load(),
		PeerSkipped:   s.peerSkipped.Load(),
		PeerHeld:      s.peerHeld.Load(),
		PeerRejected:  s.peerRejected.Load(),
		MaxBatch:      s.maxBatch.Load(),
		ClockRefused:  s.clockRefused.Load(),
		MasterApplied: s.masterApplied.Load(),
		MasterSkipped: l.MasterSkipped(),
	}
}

// RecordMovement validates and appends a movement. It returns once the
// event and its on-hand change are committed and fsynced; concurrent callers
// share the fsync. Bad input gives agent.ErrInvalid naming the field. If ctx
// ends while the request is queued or being written, ctx's error is returned
// and the event may or may not have been written.
func (l *Ledger) RecordMovement(ctx context.Context, in agent.MovementInput) (agent.Receipt, error) {
	return l.recordMovement(ctx, in, "")
}

// recordMovement is RecordMovement, and RecordMovementOnce when key is not
// empty (the caller has checked it).
func (l *Ledger) recordMovement(ctx context.Context, in agent.MovementInput, key string) (agent.Receipt, error) {
	m, err := validateMovement(&in, -1)
	if err != nil {
		return agent.Receipt{}, fmt.Errorf("record movement: %w", err)
	}
	r := getRequest()
	if err := r.addMovement(m); err != nil {
		putRequest(r)
		return agent.Receipt{}, fmt.Errorf("record movement: %w", err)
	}
	if key != "" {
		r.idem = &idemReq{key: key, kind: syncproto.KindMovement, hash: sha256.Sum256(r.body)}
	}
	res, err := l.do(ctx, r)
	if err != nil {
		return agent.Receipt{}, fmt.Errorf("record movement: %w", err)
	}
	return res.rcpt, nil
}

// RecordMovements validates and appends several movements as one writer
// request, so they share one transaction (and its fsync) and get
// consecutive seqs in input order; the receipts are in input order. It is
// all or nothing: one invalid input rejects the call with agent.ErrInvalid
// naming it ("movements[3].qty is 0") before anything is queued, and a
// failed commit writes none of them. More than MaxMovementsPerCall inputs
// are rejected; none records nothing and returns (nil, nil). Durability and
// ctx as RecordMovement.
func (l *Ledger) RecordMovements(ctx context.Context, in []agent.MovementInput) ([]agent.Receipt, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > MaxMovementsPerCall {
		return nil, fmt.Errorf("record movements: %w", invalid(
			fmt.Sprintf("%d movements, limit %d per call", len(in), MaxMovementsPerCall),
			fmt.Sprintf("一次提交了 %d 条出入库记录，上限为 %d 条", len(in), MaxMovementsPerCall)))
	}
	ms := make([]*pb.Movement, len(in))
	for i := range in {
		var err error
		if ms[i], err = validateMovement(&in[i], i); err != nil {
			return nil, fmt.Errorf("record movements: %w", err)
		}
	}
	r := getRequest()
	for i, m := range ms {
		if err := r.addMovement(m); err != nil {
			putRequest(r)
			return nil, fmt.Errorf("record movements: movements[%d]: %w", i, err)
		}
	}
	rcpts := make([]agent.Receipt, len(in))
	r.rcpts = rcpts
	if _, err := l.do(ctx, r); err != nil {
		return nil, fmt.Errorf("record movements: %w", err)
	}
	return rcpts, nil
}

// addMovement encodes a validated movement into r.
func (r *request) addMovement(m *pb.Movement) error {
	var err error
	if r.body, err = marshalBody(r.body, &pb.Event{Body: &pb.Event_Movement{Movement: m}}); err != nil {
		return err
	}
	r.addOwn(syncproto.KindMovement, nil, stockKey{m.Bin, m.Sku, m.Lot}, m.Qty).doc = m.Doc
	return nil
}

// RecordCount validates and appends a count of one key. Its context is
// everything this replica has seen when the writer assigns its seq: its own
// seqs below it and the applied peer events. Durability as RecordMovement.
func (l *Ledger) RecordCount(ctx context.Context, in agent.CountInput) (agent.Receipt, error) {
	return l.recordCount(ctx, in, "")
}

// recordCount is RecordCount, and RecordCountOnce when key is not empty
// (the caller has checked it). The content a key is compared on is the
// count as given, without the context the writer adds.
func (l *Ledger) recordCount(ctx context.Context, in agent.CountInput, key string) (agent.Receipt, error) {
	c, err := validateCount(&in)
	if err != nil {
		return agent.Receipt{}, fmt.Errorf("record count: %w", err)
	}
	r := getRequest()
	r.addOwn(syncproto.KindCount, c, stockKey{in.Bin, in.SKU, in.Lot}, in.Counted)
	if key != "" {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(&pb.Event{Body: &pb.Event_Count{Count: c}})
		if err != nil {
			putRequest(r)
			return agent.Receipt{}, fmt.Errorf("record count: %w", err)
		}
		r.idem = &idemReq{key: key, kind: syncproto.KindCount, hash: sha256.Sum256(b)}
	}
	res, err := l.do(ctx, r)
	if err != nil {
		return agent.Receipt{}, fmt.Errorf("record count: %w", err)
	}
	return res.rcpt, nil
}

// Append appends another event body, such as a document event. The body
// must have a kind, must not be a movement or count (use RecordMovement or
// RecordCount) and must not set replica, seq, site or hlc; a document event
// needs doc_type and status (doc empty opens an edge document). Durability
// as RecordMovement.
func (l *Ledger) Append(ctx context.Context, body *pb.Event) (agent.Receipt, error) {
	if err := validateBody(body); err != nil {
		return agent.Receipt{}, fmt.Errorf("append: %w", err)
	}
	r := getRequest()
	var err error
	r.body, err = marshalBody(r.body, body)
	if err != nil {
		putRequest(r)
		return agent.Receipt{}, fmt.Errorf("append: %w", err)
	}
	r.addOwn(syncproto.KindOf(body), nil, stockKey{}, 0).docEv = docInfoOf(body.GetDoc())
	res, err := l.do(ctx, r)
	if err != nil {
		return agent.Receipt{}, fmt.Errorf("append: %w", err)
	}
	return res.rcpt, nil
}

// marshalBody appends the encoding of body without its HLC to buf; the
// writer prepends the HLC field, which gives the same bytes as
// syncproto.NewEvent (deterministic encoding writes fields in number order,
// and hlc is the lowest one set). On error buf is returned as it was.
func marshalBody(buf []byte, body *pb.Event) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.MarshalAppend(buf, body)
	if err != nil {
		return buf, fmt.Errorf("%w: encode body: %v", agent.ErrInvalid, err)
	}
	if n := len(b) - len(buf); n+hlcFieldMax > MaxEventBytes {
		return buf, invalid(fmt.Sprintf("event body is %d bytes, limit %d", n, MaxEventBytes),
			fmt.Sprintf("事件内容长 %d 字节，超过上限 %d 字节", n, MaxEventBytes))
	}
	return b, nil
}

// PutProducts validates and upserts catalogue entries by GTIN in one
// transaction through the writer (sharing a group commit with appends; it
// is durable when it returns). GTINs are stored normalised to 14 digits.
// One invalid entry, or a GTIN given twice, rejects the call with
// agent.ErrInvalid naming it ("products[2].gtin: ..."); more than
// MaxProductsPerCall entries are rejected; none does nothing.
func (l *Ledger) PutProducts(ctx context.Context, products []agent.Product) error {
	if len(products) == 0 {
		return nil
	}
	if len(products) > MaxProductsPerCall {
		return fmt.Errorf("put products: %w", invalid(
			fmt.Sprintf("%d products, limit %d per call", len(products), MaxProductsPerCall),
			fmt.Sprintf("一次提交了 %d 个商品，上限为 %d 个", len(products), MaxProductsPerCall)))
	}
	norm, err := validateProducts(products)
	if err != nil {
		return fmt.Errorf("put products: %w", err)
	}
	r := getRequest()
	r.op, r.products = opProducts, norm
	if _, err := l.do(ctx, r); err != nil {
		return fmt.Errorf("put products: %w", err)
	}
	return nil
}

// ProductByGTIN returns the catalogue entry of gtin, normalised to 14 digits
// first, as committed, and whether there is one; Factor is 0 for a SKU's
// own barcode and the pack's size for a pack's. A malformed GTIN gives
// agent.ErrInvalid.
func (l *Ledger) ProductByGTIN(ctx context.Context, gtin string) (agent.Product, bool, error) {
	g, err := agent.NormalizeGTIN(gtin)
	if err != nil {
		return agent.Product{}, false, fmt.Errorf("product by gtin: %w", invalid(fmt.Sprintf("gtin: %v", err),
			"GTIN 无效（应为 8、12、13 或 14 位数字且校验位正确）"))
	}
	if l.isClosed.Load() {
		return agent.Product{}, false, fmt.Errorf("product by gtin: %w", agent.ErrClosed)
	}
	p := agent.Product{GTIN: g}
	err = l.rdb.QueryRowContext(ctx, `SELECT sku, name, unit, price, factor FROM products WHERE gtin = ?`, g).Scan(&p.SKU, &p.Name, &p.Unit, &p.Price, &p.Factor)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return agent.Product{}, false, nil
	case err != nil:
		return agent.Product{}, false, fmt.Errorf("product by gtin: %w", err)
	}
	if p.Factor == 1 {
		p.Factor = 0 // the SKU's own barcode
	}
	return p, true, nil
}

// SetAcked durably records the cloud's watermark for this replica. A value
// at or below the stored one is ignored; one above LastSeq is rejected with
// agent.ErrInvalid (the cloud cannot hold events this ledger never wrote).
func (l *Ledger) SetAcked(ctx context.Context, seq uint64) error {
	if seq <= l.acked.Load() {
		return nil
	}
	if last := l.lastSeq.Load(); seq > last {
		return fmt.Errorf("set acked: %w: acked seq %d is beyond the last seq %d", agent.ErrInvalid, seq, last)
	}
	r := getRequest()
	r.op, r.acked = opAcked, seq
	if _, err := l.do(ctx, r); err != nil {
		return fmt.Errorf("set acked: %w", err)
	}
	return nil
}

// ApplyPeer merges events of other replicas of this site. Each event is
// applied only if its seq is the next after what is applied of its replica:
// events already applied are skipped, and an event after a gap is held back
// (not stored; the caller pulls the gap and sends again). Events are taken in
// (replica, seq) order whatever order they are given in. Applied events are
// stored, change on-hand and advance PeerVV in group commits of at most
// about peerChunkBytes of bodies each, and are durable when ApplyPeer
// returns; they never appear in Events or Notify.
//
// An event of another site, of this replica, with seq 0 or with a body that
// does not decode is rejected and counted (Stats.PeerRejected); the others
// are still applied, and the returned error wraps agent.ErrInvalid and names
// the first rejection. It returns how many events were applied.
func (l *Ledger) ApplyPeer(ctx context.Context, events []syncproto.Event) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	peer := make([]peerEvent, 0, len(events))
	var rejected int
	var firstErr error
	for i := range events {
		pe, err := l.checkPeer(&events[i])
		if err != nil {
			rejected++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		peer = append(peer, pe)
	}
	if rejected > 0 {
		l.stats.peerRejected.Add(uint64(rejected))
		l.log.Warn("peer events rejected", "count", rejected, "first", firstErr)
		firstErr = fmt.Errorf("apply peer: %w: %d of %d events rejected, first: %v",
			agent.ErrInvalid, rejected, len(events), firstErr)
	}
	if len(peer) == 0 {
		return 0, firstErr
	}
	sort.SliceStable(peer, func(i, j int) bool {
		if peer[i].replica != peer[j].replica {
			return peer[i].replica < peer[j].replica
		}
		return peer[i].seq < peer[j].seq
	})
	// Apply in chunks of about peerChunkBytes, each its own group commit,
	// so that own events (a scan waiting for its fsync) queued meanwhile go
	// into the next commit instead of waiting behind a large peer batch.
	// Peer events are applied in seq order and idempotently, so a chunk
	// that committed before a later one failed stays applied.
	n := 0
	for len(peer) > 0 {
		end, size := 0, 0
		for end < len(peer) && (end == 0 || size+len(peer[end].raw) <= peerChunkBytes) {
			size += len(peer[end].raw)
			end++
		}
		r := getRequest()
		r.op, r.peer = opPeer, peer[:end:end]
		res, err := l.do(ctx, r)
		if err != nil {
			return n, fmt.Errorf("apply peer: %w", err)
		}
		n += res.n
		peer = peer[end:]
	}
	return n, firstErr
}

// peerChunkBytes bounds the peer event bodies applied in one group commit.
// With counts of 1,000-entry contexts (12 KiB each) a chunk is about ten of
// them: a few milliseconds of writing (BenchmarkCountMerge).
const peerChunkBytes = 128 << 10

// checkPeer checks one peer event and decodes its body from Raw (the stored
// bytes, which on-hand must follow).
func (l *Ledger) checkPeer(e *syncproto.Event) (peerEvent, error) {
	switch {
	case e.Replica == 0:
		return peerEvent{}, fmt.Errorf("event with replica 0")
	case e.Replica == l.Replica():
		return peerEvent{}, fmt.Errorf("event %s/%d is this ledger's own replica", e.Replica, e.Seq)
	case e.Site != l.site:
		return peerEvent{}, fmt.Errorf("event %s/%d: site %q is not this ledger's site %q", e.Replica, e.Seq, e.Site, l.site)
	case e.Seq == 0:
		return peerEvent{}, fmt.Errorf("event %s/0: seq 0", e.Replica)
	case len(e.Raw) == 0:
		return peerEvent{}, fmt.Errorf("event %s/%d has no body bytes", e.Replica, e.Seq)
	}
	d, err := syncproto.DecodeEvent(e.Replica, e.Seq, e.Site, e.Raw)
	if err != nil {
		return peerEvent{}, err
	}
	if d.Msg.GetReplica() != 0 || d.Msg.GetSeq() != 0 || d.Msg.GetSite() != "" {
		return peerEvent{}, fmt.Errorf("event %s/%d: body sets replica, seq or site", e.Replica, e.Seq)
	}
	if d.HLC != e.HLC {
		return peerEvent{}, fmt.Errorf("event %s/%d: hlc %d differs from its body's %d", e.Replica, e.Seq, e.HLC, d.HLC)
	}
	if err := d.Validate(); err != nil {
		return peerEvent{}, err
	}
	pe := peerEvent{replica: e.Replica, seq: e.Seq, hlc: d.HLC, kind: d.Kind(), raw: e.Raw}
	if k, ok := d.KeyOf(); ok {
		pe.hasKey = true
		pe.key = stockKey{k.Bin, k.SKU, k.Lot}
		switch pe.kind {
		case syncproto.KindMovement:
			pe.qty = d.Msg.GetMovement().GetQty()
			pe.doc = d.Msg.GetMovement().GetDoc()
		case syncproto.KindCount:
			pe.qty = d.Msg.GetCount().GetCounted()
			pe.ctx = syncproto.VVFromPB(d.Msg.GetCount().GetCtx())
			pe.doc = d.Msg.GetCount().GetDoc()
		}
	}
	if pe.kind == syncproto.KindDoc {
		pe.docEv = docInfoOf(d.Msg.GetDoc())
	}
	return pe, nil
}

// Rebuild recomputes the whole on-hand table from the stored events (every
// body decoded again, counts merged with syncproto.MergeCounts) and replaces
// the rows that differ, in one transaction through the writer. Appends wait
// meanwhile. Differences mean the incremental path had a bug; they are
// logged as a warning.
func (l *Ledger) Rebuild(ctx context.Context) error {
	r := getRequest()
	r.op, r.ctx = opRebuild, ctx
	if _, err := l.do(ctx, r); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	return nil
}

// do hands a request to the writer and waits for its answer. A request
// that was queued before Close is still written; after Close, ErrClosed.
func (l *Ledger) do(ctx context.Context, r *request) (result, error) {
	if err := ctx.Err(); err != nil {
		putRequest(r)
		return result{}, err
	}
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		putRequest(r)
		return result{}, agent.ErrClosed
	}
	select {
	case l.reqs <- r:
	case <-ctx.Done():
		l.mu.RUnlock()
		putRequest(r)
		return result{}, ctx.Err()
	}
	l.mu.RUnlock()
	select {
	case res := <-r.done:
		putRequest(r)
		return res, res.err
	case <-ctx.Done():
		// The writer still owns r and will answer into r.done; r is not
		// reused.
		return result{}, ctx.Err()
	}
}

// Stock returns on-hand rows of this site as committed, sorted by (bin, sku,
// lot). Keys that have events but net to zero are included with qty 0.
func (l *Ledger) Stock(ctx context.Context, f agent.StockFilter) ([]agent.StockRow, error) {
	if l.isClosed.Load() {
		return nil, fmt.Errorf("stock: %w", agent.ErrClosed)
	}
	// The filter is spelled out so that a bin filter can use the (bin, sku,
	// lot) index.
	q := `SELECT bin, sku, lot, qty FROM stock`
	var args []any
	switch {
	case f.Bin != "" && f.SKU != "":
		q, args = q+` WHERE bin = ? AND sku = ?`, []any{f.Bin, f.SKU}
	case f.Bin != "":
		q, args = q+` WHERE bin = ?`, []any{f.Bin}
	case f.SKU != "":
		q, args = q+` WHERE sku = ?`, []any{f.SKU}
	}
	rows, err := l.rdb.QueryContext(ctx, q+` ORDER BY bin, sku, lot`, args...)
	if err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	defer rows.Close()
	var out []agent.StockRow
	for rows.Next() {
		s := agent.StockRow{Site: l.site}
		if err := rows.Scan(&s.Bin, &s.SKU, &s.Lot, &s.Qty); err != nil {
			return nil, fmt.Errorf("stock: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stock: %w", err)
	}
	return out, nil
}

// Events returns this replica's own committed events from seq from on (from
// 0 is read as 1), consecutive, at most maxEvents of them, and stopping
// before the sum of their Raw lengths exceeds maxBytes, but always at least
// one if any exists. maxBytes <= 0 means no byte limit; maxEvents must be
// positive. Each event has its identity, site, HLC, decoded Msg and Raw set.
func (l *Ledger) Events(ctx context.Context, from uint64, maxEvents, maxBytes int) ([]syncproto.Event, error) {
	if maxEvents <= 0 {
		return nil, fmt.Errorf("events: %w: maxEvents %d is not positive", agent.ErrInvalid, maxEvents)
	}
	if l.isClosed.Load() {
		return nil, fmt.Errorf("events: %w", agent.ErrClosed)
	}
	if from == 0 {
		from = 1
	}
	rep := l.Replica()
	rows, err := l.rdb.QueryContext(ctx, `SELECT seq, body FROM events WHERE replica = ? AND seq >= ? ORDER BY seq LIMIT ?`,
		int64(rep), int64(from), maxEvents)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []syncproto.Event
	size := 0
	want := from
	for rows.Next() {
		var seq int64
		var raw []byte
		if err := rows.Scan(&seq, &raw); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		if uint64(seq) != want {
			return nil, fmt.Errorf("events: seq %d stored where %d was expected", seq, want)
		}
		if maxBytes > 0 && len(out) > 0 && size+len(raw) > maxBytes {
			break
		}
		e, err := syncproto.DecodeEvent(rep, uint64(seq), l.site, raw)
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		out = append(out, e)
		size += len(raw)
		want++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}

// Close stops accepting requests, lets the writer finish every request
// already queued (each gets its normal answer), then closes the database.
// Calls after Close get agent.ErrClosed. Close is idempotent.
func (l *Ledger) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.isClosed.Store(true)
		close(l.reqs)
		l.mu.Unlock()
		<-l.writerDone
		var errs []error
		if err := l.rdb.Close(); err != nil {
			errs = append(errs, err)
		}
		if err := l.wdb.Close(); err != nil {
			errs = append(errs, err)
		}
		if err := unlockDir(l.lock); err != nil {
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			l.closeErr = fmt.Errorf("close ledger: %w", err)
		}
		l.log.Info("ledger closed", "last_seq", l.lastSeq.Load())
	})
	return l.closeErr
}

// driverConn is what the writer needs of the driver's connection.
type driverConn interface {
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.QueryerContext
	driver.ExecerContext
}

// WriteMetrics writes the ledger's counters in Prometheus text format, for
// the agent's /metrics: events appended, peer events applied and rejected,
// the master revision, master records applied and skipped by reason.
func (l *Ledger) WriteMetrics(w io.Writer) {
	s := l.Stats()
	for _, c := range []struct {
		name string
		v    uint64
	}{{"events_appended_total", s.Appended}, {"peer_events_applied_total", s.PeerApplied},
		{"peer_events_rejected_total", s.PeerRejected}, {"master_records_applied_total", s.MasterApplied}} {
		fmt.Fprintf(w, "# TYPE jxc_agent_%s counter\njxc_agent_%s %d\n", c.name, c.name, c.v)
	}
	fmt.Fprintf(w, "# TYPE jxc_agent_master_revision gauge\njxc_agent_master_revision %d\n", l.MasterRev())
	fmt.Fprintf(w, "# HELP jxc_agent_master_records_skipped_total Master records skipped for breaking their kind's rules, by reason.\n")
	fmt.Fprintf(w, "# TYPE jxc_agent_master_records_skipped_total counter\n")
	reasons := make([]string, 0, len(s.MasterSkipped))
	for r := range s.MasterSkipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(w, "jxc_agent_master_records_skipped_total{reason=%q} %d\n", r, s.MasterSkipped[r])
	}
}
