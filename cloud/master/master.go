// Package master holds the rules of the cloud's master data as agents
// receive it: revisioned records (products with their barcodes, bins, stock
// limits, users, device profiles) addressed to every site of a tenant or to
// one site. The cloud is their single writer; every change gets a new
// revision, unique and increasing per tenant, and an agent asks for
// everything after the revision it holds (DESIGN.md §4, down/master). The
// database code is cloud/sqlstore (master.go there); cloud/ingest serves it
// over MQTT.
package master

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jxc-edge/jxc/cloud"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// Limits of one call.
const (
	// MaxPut bounds the records of one Put (one transaction).
	MaxPut = 1 << 16
	// MaxLimit bounds the records After returns at once.
	MaxLimit = 10000
)

// Record is one master record. Site "" addresses it to every site of the
// tenant. A (site, kind, key) has one current version: putting it again
// replaces it under a new revision. An agent keys records by (kind, key),
// so a key should be addressed to all sites or to sites one by one, not
// both (the later revision wins at the agent).
type Record struct {
	Site    string
	Kind    string
	Key     string
	Rev     uint64
	Deleted bool
	// Body is the kind's protobuf message (pb.ProductRecord for
	// syncproto.KindProduct), or a device profile's YAML; empty when
	// Deleted.
	Body []byte
}

// PB returns the record as it goes on the wire.
func (r Record) PB() *pb.MasterRecord {
	return &pb.MasterRecord{Kind: r.Kind, Key: r.Key, Revision: r.Rev, Deleted: r.Deleted, Body: r.Body}
}

// Page is what After returns.
type Page struct {
	// Records are the current version of every record for the site with a
	// revision in (the rev asked for, UpTo], in revision order.
	Records []Record
	// UpTo is the revision the page covers up to: the last record's when
	// the page is not Complete, else the tenant's newest revision.
	UpTo uint64
	// Complete says no record for the site has a revision above UpTo.
	Complete bool
}

// Store is what the rules need of a database (cloud/sqlstore implements
// it on SQLite and PostgreSQL).
type Store interface {
	// PutMaster stores records, already checked, in one transaction:
	// each gets the tenant's next revision, in order, replacing the
	// stored version of its (site, kind, key). Revisions become visible
	// in order: a reader who sees revision n also sees every revision
	// below it (the transaction holds the tenant's counter row until it
	// commits). It returns the records with Rev set.
	PutMaster(ctx context.Context, tenant string, recs []Record) ([]Record, error)
	// MasterAfter returns the current records for site (addressed to it or
	// to every site) with a revision above rev, in revision order, at
	// most limit of them.
	MasterAfter(ctx context.Context, tenant, site string, rev uint64, limit int) (Page, error)
}

// InvalidError is a Put or After refused for its input, with the reason in
// English and Chinese. errors.Is(err, cloud.ErrInvalid) holds.
type InvalidError struct {
	Msg, MsgZH string
	err        error
}

// Error returns the English reason.
func (e *InvalidError) Error() string { return cloud.ErrInvalid.Error() + ": " + e.Msg }

// ErrorZH returns the Chinese reason.
func (e *InvalidError) ErrorZH() string { return e.MsgZH }

// Unwrap returns cloud.ErrInvalid and the cause, if any.
func (e *InvalidError) Unwrap() []error {
	if e.err == nil {
		return []error{cloud.ErrInvalid}
	}
	return []error{cloud.ErrInvalid, e.err}
}

func invalid(msg, msgZH string) error { return &InvalidError{Msg: msg, MsgZH: msgZH} }

// Service holds the rules; it is safe for concurrent use.
type Service struct {
	store Store
}

// New returns the service over store.
func New(store Store) *Service { return &Service{store: store} }

// Put checks records and stores them in one transaction, each under a new
// revision of the tenant (in the order given); it returns them with Rev
// set. A record is refused, and with it the whole call (nothing stored),
// when its site is neither "" nor a valid name, its kind, key or body break
// syncproto.ValidateMasterRecord, a product's body breaks
// syncproto.DecodeProductRecord, a device profile breaks CheckProfile, or
// its (site, kind, key) is given twice;
// the error is an *InvalidError naming records[i]. A deleted record's body
// is dropped.
func (s *Service) Put(ctx context.Context, tenant string, recs []Record) ([]Record, error) {
	if err := syncproto.ValidName(tenant); err != nil {
		return nil, fmt.Errorf("put master: %w", &InvalidError{Msg: fmt.Sprintf("tenant: %v", err), MsgZH: "租户名无效", err: err})
	}
	if len(recs) == 0 {
		return nil, nil
	}
	if len(recs) > MaxPut {
		return nil, fmt.Errorf("put master: %w", invalid(fmt.Sprintf("%d records, limit %d per call", len(recs), MaxPut),
			fmt.Sprintf("一次提交了 %d 条记录，上限为 %d 条", len(recs), MaxPut)))
	}
	out := make([]Record, len(recs))
	seen := make(map[[3]string]int, len(recs))
	for i, r := range recs {
		if r.Deleted {
			r.Body = nil
		}
		if err := Check(r); err != nil {
			return nil, fmt.Errorf("put master: records[%d]: %w", i, err)
		}
		k := [3]string{r.Site, r.Kind, r.Key}
		if j, dup := seen[k]; dup {
			return nil, fmt.Errorf("put master: %w", invalid(fmt.Sprintf("records[%d] is %s %q again (records[%d])", i, r.Kind, r.Key, j),
				fmt.Sprintf("records[%d] 与 records[%d] 重复（%s %q）", i, j, r.Kind, r.Key)))
		}
		seen[k] = i
		r.Rev = 0
		out[i] = r
	}
	put, err := s.store.PutMaster(ctx, tenant, out)
	if err != nil {
		return nil, fmt.Errorf("put master: %w", err)
	}
	return put, nil
}

// Check checks one record as Put does (the site, kind, key and body).
func Check(r Record) error {
	if r.Site != "" {
		if err := syncproto.ValidName(r.Site); err != nil {
			return &InvalidError{Msg: fmt.Sprintf("site: %v", err), MsgZH: "站点名无效", err: err}
		}
	}
	p := r.PB()
	p.Revision = 1 // assigned by the store
	if err := syncproto.ValidateMasterRecord(p); err != nil {
		return validation(err)
	}
	if r.Kind == syncproto.KindProduct && !r.Deleted {
		if _, err := syncproto.DecodeProductRecord(r.Body); err != nil {
			return validation(err)
		}
	}
	if syncproto.IsDocumentKind(r.Kind) && !r.Deleted {
		if _, err := syncproto.DecodeDocumentRecord(r.Kind, r.Body); err != nil {
			return validation(err)
		}
	}
	if r.Kind == syncproto.KindDeviceProfile {
		return CheckProfile(r.Key, r.Body, r.Deleted)
	}
	return nil
}

// CheckProfile checks a "device_profile" record as agents will: its key
// must be a profile file name (profiles.CheckFileName, e.g. "gate-1.yaml")
// and its body, unless deleted, a valid profile on its own
// (profiles.Parse of a one-file set named by the key). It returns an
// *InvalidError whose reasons hold every problem with its file, field and
// line, wrapping the firmware-configs errors (errors.Is(err,
// profiles.ErrInvalid) holds). Rules between profiles (a name or reader
// address used twice) are checked by each agent on its whole folder.
func CheckProfile(key string, body []byte, deleted bool) error {
	err := profiles.CheckRecord(key, body, deleted)
	if err == nil {
		return nil
	}
	detail := strings.ReplaceAll(err.Error(), "\n", "; ")
	return &InvalidError{Msg: "device profile: " + detail, MsgZH: "设备配置文件无效（文件: 字段: 原因 (行号)）：" + detail, err: err}
}

func validation(err error) error {
	var ve *syncproto.ValidationError
	if errors.As(err, &ve) {
		return &InvalidError{Msg: ve.Error(), MsgZH: ve.ErrorZH(), err: err}
	}
	return &InvalidError{Msg: "body: " + err.Error(), MsgZH: "记录内容无法解析", err: err}
}

// After returns the current records for site with a revision above rev, in
// revision order, at most limit of them (1 … MaxLimit; 0 means MaxLimit).
// An invalid tenant or site or limit gives an *InvalidError.
func (s *Service) After(ctx context.Context, tenant, site string, rev uint64, limit int) (Page, error) {
	if err := syncproto.ValidName(tenant); err != nil {
		return Page{}, fmt.Errorf("master after: %w", &InvalidError{Msg: fmt.Sprintf("tenant: %v", err), MsgZH: "租户名无效", err: err})
	}
	if err := syncproto.ValidName(site); err != nil {
		return Page{}, fmt.Errorf("master after: %w", &InvalidError{Msg: fmt.Sprintf("site: %v", err), MsgZH: "站点名无效", err: err})
	}
	if limit == 0 {
		limit = MaxLimit
	}
	if limit < 0 || limit > MaxLimit {
		return Page{}, fmt.Errorf("master after: %w", invalid(fmt.Sprintf("limit %d is outside 1 … %d", limit, MaxLimit),
			fmt.Sprintf("limit %d 超出 1 到 %d 的范围", limit, MaxLimit)))
	}
	if rev > syncproto.MaxMasterRev {
		return Page{}, fmt.Errorf("master after: %w", invalid(fmt.Sprintf("revision %d is beyond %d", rev, int64(syncproto.MaxMasterRev)),
			fmt.Sprintf("版本号 %d 超出上限 %d", rev, int64(syncproto.MaxMasterRev))))
	}
	p, err := s.store.MasterAfter(ctx, tenant, site, rev, limit)
	if err != nil {
		return Page{}, fmt.Errorf("master after: %w", err)
	}
	return p, nil
}
