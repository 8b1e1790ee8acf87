package masterdata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
)

// MaxPage bounds one list page.
const MaxPage = 500

// Service holds the rules of master data; it is safe for concurrent use.
type Service struct {
	store   Store
	now     func() time.Time
	publish func(ctx context.Context, tenant string, recs []master.Record)
}

// New returns the service over store.
func New(store Store) *Service {
	return &Service{store: store, now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// OnPublish sets what is told of the master records a change published
// to agents, after it commits (the cloud pushes them to online agents;
// agents that miss a push pull at their next connect).
func (s *Service) OnPublish(fn func(ctx context.Context, tenant string, recs []master.Record)) {
	s.publish = fn
}

// tx runs fn in a write transaction and, once it commits, tells OnPublish
// what it published.
func (s *Service) tx(ctx context.Context, p *auth.Principal, fn func(w *write) error) error {
	var published []master.Record
	err := s.store.MDTx(ctx, func(tx Tx) error {
		w := &write{s: s, tx: tx, p: p, tenant: p.Tenant, now: s.now()}
		if err := fn(w); err != nil {
			return err
		}
		published = w.published
		return nil
	})
	if err == nil && len(published) > 0 && s.publish != nil {
		s.publish(ctx, p.Tenant, published)
	}
	return err
}

// kindInfo is what the service and the API know of a kind beyond its Go
// type.
type kindInfo struct {
	// name is the stored kind and the audit record type; path the API's
	// collection; en and zh what people call one record.
	name, path, en, zh string
	// module is the permission module (module.view, module.edit).
	module string
	// siteScoped kinds belong to one site (Row.Site), which the caller's
	// data scope must allow.
	siteScoped bool
	// filters are the list filters the kind has beyond the common ones.
	filters []string
}

// Name returns the stored kind name ("supplier").
func (k *kindInfo) Name() string { return k.name }

// Path returns the API collection ("suppliers").
func (k *kindInfo) Path() string { return k.path }

// Title returns what one record is called in English and Chinese.
func (k *kindInfo) Title() (en, zh string) { return k.en, k.zh }

// Module returns the permission module.
func (k *kindInfo) Module() string { return k.module }

// Filters returns the kind's own list filters.
func (k *kindInfo) Filters() []string { return k.filters }

// SiteScoped reports whether records belong to one site.
func (k *kindInfo) SiteScoped() bool { return k.siteScoped }

func (k *kindInfo) view() auth.Permission { return auth.Permission(k.module + ".view") }
func (k *kindInfo) edit() auth.Permission { return auth.Permission(k.module + ".edit") }

// Kind is a collection of master records of type T.
type Kind[T any] struct {
	*kindInfo
	// check normalises and checks rec (before is nil for a new record)
	// and declares, on w, its site, parent, keys, references and
	// filters; it adds each problem to w.c.
	check func(ctx context.Context, w *write, before, rec *T) error
	// after runs after the record's row is written (a product writes
	// its SKUs).
	after func(ctx context.Context, w *write, before, rec *T) error
	// remove runs before a record is deleted (a product deletes its
	// SKUs); it returns ErrReferenced errors as Delete does.
	remove func(ctx context.Context, w *write, rec *T) error
	// publish returns what agents receive of a change: the records of
	// after, and tombstones for what before had and after has not.
	// before or after is nil for a created or deleted record.
	publish func(before, after *T) ([]master.Record, error)
}

type hasMeta interface{ meta() *Meta }

func metaOf[T any](v *T) *Meta { return any(v).(hasMeta).meta() }

// write is one change in progress.
type write struct {
	s      *Service
	tx     Tx
	p      *auth.Principal
	tenant string
	now    time.Time
	c      Checker

	site    string
	parent  int64
	keys    []Key
	refs    []Ref
	filters map[string]string
	// id is the record's ID once inserted.
	id int64
	// published are the master records the change put, with revisions.
	published []master.Record
}

func (w *write) filter(name, value string) {
	if w.filters == nil {
		w.filters = map[string]string{}
	}
	if value != "" {
		w.filters[name] = value
	}
}

// refCode resolves the code of a record of kind k at field, adding a
// reference; a missing or disabled record is a problem of the field. It
// returns the record's row (ID 0 when not found).
func (w *write) refCode(ctx context.Context, field string, k *kindInfo, site, code string) (Row, error) {
	r, ok, err := w.tx.ByCode(ctx, w.tenant, k.name, site, code)
	if err != nil {
		return Row{}, err
	}
	switch {
	case !ok:
		w.c.Add(field, fmt.Sprintf("no %s has the code %q", k.en, code), fmt.Sprintf("没有编码为 %q 的%s", code, k.zh))
		return Row{}, nil
	case r.Disabled:
		w.c.Add(field, fmt.Sprintf("%s %q is disabled", k.en, code), fmt.Sprintf("%s %q 已停用", k.zh, code))
		return Row{}, nil
	}
	w.refs = append(w.refs, Ref{Kind: k.name, ID: r.ID})
	return r, nil
}

// refID resolves a record of kind k by ID, as refCode does.
func (w *write) refID(ctx context.Context, field string, k *kindInfo, id int64) (Row, error) {
	r, err := w.tx.Get(ctx, w.tenant, k.name, id)
	if err != nil {
		if isNotFound(err) {
			w.c.Add(field, fmt.Sprintf("no %s has the id %d", k.en, id), fmt.Sprintf("没有 id 为 %d 的%s", id, k.zh))
			return Row{}, nil
		}
		return Row{}, err
	}
	if r.Disabled {
		w.c.Add(field, fmt.Sprintf("%s %q is disabled", k.en, r.Code), fmt.Sprintf("%s %q 已停用", k.zh, r.Code))
		return Row{}, nil
	}
	w.refs = append(w.refs, Ref{Kind: k.name, ID: r.ID})
	return r, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Get returns one record (permission module.view; a site-scoped record
// must be in the caller's sites).
func Get[T any](ctx context.Context, s *Service, k *Kind[T], p *auth.Principal, id int64) (*T, error) {
	if err := p.Can(k.view()); err != nil {
		return nil, err
	}
	row, err := s.store.MDGet(ctx, p.Tenant, k.name, id)
	if err != nil {
		return nil, err
	}
	if !visible(k.kindInfo, p, row) {
		return nil, notFound(k.kindInfo, id)
	}
	return decode[T](row)
}

// visible says whether p's data scope shows row.
func visible(k *kindInfo, p *auth.Principal, row Row) bool {
	switch {
	case k.siteScoped:
		return p.Scope.Allows(row.Site)
	case k.name == KindSite:
		return p.Scope.Allows(row.Code)
	}
	return true
}

func decode[T any](row Row) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(row.Body, v); err != nil {
		return nil, fmt.Errorf("decode %s %d: %w", row.Kind, row.ID, err)
	}
	if sv, ok := any(v).(*SKUView); ok {
		sv.ID, sv.Disabled = row.ID, row.Disabled
		return v, nil
	}
	Normalize(v)
	m := metaOf(v)
	m.ID, m.Code, m.Name, m.Disabled, m.Version = row.ID, row.Code, row.Name, row.Disabled, row.Version
	m.UpdatedAt, m.UpdatedBy = row.UpdatedAt, row.UpdatedBy
	return v, nil
}

// ListQuery is what a list asks for; the kind's filters in Filters.
type ListQuery struct {
	Q        string
	Disabled *bool
	Site     string
	ParentID *int64
	Filters  map[string]string
	Sort     string
	Offset   int
	Limit    int
}

// List returns a page of records of a kind and how many match in all.
func List[T any](ctx context.Context, s *Service, k *Kind[T], p *auth.Principal, lq ListQuery) ([]*T, int, error) {
	if err := p.Can(k.view()); err != nil {
		return nil, 0, err
	}
	q, err := s.query(k.kindInfo, p, lq)
	if err != nil {
		return nil, 0, err
	}
	rows, total, err := s.store.MDList(ctx, p.Tenant, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*T, len(rows))
	for i, r := range rows {
		if out[i], err = decode[T](r); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func (s *Service) query(k *kindInfo, p *auth.Principal, lq ListQuery) (Query, error) {
	var c Checker
	q := Query{Kind: k.name, Q: strings.TrimSpace(lq.Q), Disabled: lq.Disabled, ParentID: lq.ParentID,
		Offset: lq.Offset, Limit: lq.Limit, Sort: "code"}
	if lq.Limit == 0 {
		q.Limit = 50
	}
	if q.Limit < 1 || q.Limit > MaxPage {
		c.Addf("limit", "%d is outside 1 … %d", "%d 超出 1 到 %d 的范围", lq.Limit, MaxPage)
	}
	if q.Offset < 0 {
		c.Addf("offset", "%d is negative", "%d 不能为负数", lq.Offset)
	}
	if lq.Sort != "" {
		q.Sort, q.Desc = strings.TrimPrefix(lq.Sort, "-"), strings.HasPrefix(lq.Sort, "-")
		switch q.Sort {
		case "code", "name", "updated_at":
		default:
			c.Addf("sort", "%q: sort by code, name or updated_at, with - for descending", "%q 无效：可按 code、name 或 updated_at 排序，前加 - 为降序", lq.Sort)
		}
	}
	for name, v := range lq.Filters {
		if v == "" {
			continue
		}
		if !contains(k.filters, name) {
			c.Add(name, fmt.Sprintf("%s lists have no filter %q", k.en, name), fmt.Sprintf("%s列表没有筛选条件 %q", k.zh, name))
			continue
		}
		if q.Filters == nil {
			q.Filters = map[string]string{}
		}
		q.Filters[name] = v
	}
	switch {
	case lq.Site != "" && !k.siteScoped && k.name != KindSite:
		c.Add("site", fmt.Sprintf("%s lists have no filter site", k.en), fmt.Sprintf("%s列表没有筛选条件 site", k.zh))
	case lq.Site != "":
		if err := p.CanSite(lq.Site); err != nil {
			return Query{}, err
		}
		q.Sites = []string{lq.Site}
	case (k.siteScoped || k.name == KindSite) && !p.Scope.All:
		q.Sites = append([]string{}, p.Scope.Sites...)
	}
	if err := c.Err(); err != nil {
		err.(*ValidationError).In = "query"
		return Query{}, err
	}
	return q, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Create checks and stores a new record (permission module.edit) and
// returns it as stored.
func Create[T any](ctx context.Context, s *Service, k *Kind[T], p *auth.Principal, rec *T) (*T, error) {
	if err := p.Can(k.edit()); err != nil {
		return nil, err
	}
	var out *T
	err := s.tx(ctx, p, func(w *write) error {
		v := Clone(rec)
		m := metaOf(v)
		*m = Meta{Code: strings.TrimSpace(m.Code), Name: strings.TrimSpace(m.Name), Disabled: m.Disabled,
			Version: 1, UpdatedAt: w.now, UpdatedBy: p.User}
		if err := checkRecord(ctx, k, w, nil, v); err != nil {
			return err
		}
		row, err := w.row(k.kindInfo, v)
		if err != nil {
			return err
		}
		if w.id, err = w.tx.Insert(ctx, p.Tenant, row); err != nil {
			return err
		}
		m.ID = w.id
		if err := finish(ctx, k, w, nil, v, "create"); err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update replaces a record whose stored version is version (permission
// module.edit): an older version gives ErrStale, naming who changed it.
func Update[T any](ctx context.Context, s *Service, k *Kind[T], p *auth.Principal, id, version int64, rec *T) (*T, error) {
	return change(ctx, s, k, p, id, version, "update", func(before *T) (*T, bool) {
		v := Clone(rec)
		m := metaOf(v)
		*m = Meta{Code: strings.TrimSpace(m.Code), Name: strings.TrimSpace(m.Name), Disabled: m.Disabled}
		return v, true
	})
}

// SetDisabled disables or enables a record at version (permission
// module.edit). A disabled record keeps its references and keys; agents
// no longer receive it.
func SetDisabled[T any](ctx context.Context, s *Service, k *Kind[T], p *auth.Principal, id, version int64, disabled bool) (*T, error) {
	action := "enable"
	if disabled {
		action = "disable"
	}
	return change(ctx, s, k, p, id, version, action, func(before *T) (*T, bool) {
		v := Clone(before)
		metaOf(v).Disabled = disabled
		// The checks declare the site, keys and references again; a
		// record that no longer passes them (a referenced category
		// disabled since) can still be disabled, not enabled.
		return v, !disabled
	})
}

// change writes the record next returns from the stored one at version,
// as the next version, checked (strict) or with the check's problems
// ignored, and audits it as action.
func change[T any](ctx context.Context, s *Service, k *Kind[T], p *auth.Principal, id, version int64, action string,
	next func(before *T) (v *T, strict bool)) (*T, error) {
	if err := p.Can(k.edit()); err != nil {
		return nil, err
	}
	var out *T
	err := s.tx(ctx, p, func(w *write) error {
		w.id = id
		before, err := load(ctx, k, w, id, version)
		if err != nil {
			return err
		}
		v, strict := next(before)
		m := metaOf(v)
		m.ID, m.Version, m.UpdatedAt, m.UpdatedBy = id, metaOf(before).Version+1, w.now, p.User
		if err := checkRecord(ctx, k, w, before, v); err != nil && (strict || !isInvalid(err)) {
			return err
		}
		row, err := w.row(k.kindInfo, v)
		if err != nil {
			return err
		}
		if err := w.tx.Update(ctx, p.Tenant, row); err != nil {
			return err
		}
		if err := finish(ctx, k, w, before, v, action); err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// isInvalid reports whether err lists a record's problems.
func isInvalid(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve)
}

// Delete removes a record at version (permission module.edit); one that
// others refer to gives ErrReferenced, naming them.
func Delete[T any](ctx context.Context, s *Service, k *Kind[T], p *auth.Principal, id, version int64) error {
	if err := p.Can(k.edit()); err != nil {
		return err
	}
	return s.tx(ctx, p, func(w *write) error {
		w.id = id
		before, err := load(ctx, k, w, id, version)
		if err != nil {
			return err
		}
		if err := w.referenced(ctx, k.kindInfo, Ref{Kind: k.name, ID: id}, metaOf(before).Code); err != nil {
			return err
		}
		if k.remove != nil {
			if err := k.remove(ctx, w, before); err != nil {
				return err
			}
		}
		if err := w.tx.Delete(ctx, p.Tenant, k.name, id); err != nil {
			return err
		}
		return record(ctx, k, w, before, nil, "delete")
	})
}

// referenced refuses when records refer to ref.
func (w *write) referenced(ctx context.Context, k *kindInfo, ref Ref, code string) error {
	by, err := w.tx.Referrers(ctx, w.tenant, ref, 5)
	if err != nil || len(by) == 0 {
		return err
	}
	names, namesZH := make([]string, len(by)), make([]string, len(by))
	for i, r := range by {
		c := strconv.FormatInt(r.ID, 10)
		if row, err := w.tx.Get(ctx, w.tenant, r.Kind, r.ID); err == nil {
			c = row.Code
		}
		names[i], namesZH[i] = r.Kind+" "+c, r.Kind+" "+c
		for _, ki := range infos {
			if ki.name == r.Kind {
				names[i], namesZH[i] = ki.en+" "+c, ki.zh+" "+c
			}
		}
	}
	return &Error{Err: ErrReferenced,
		Msg:   fmt.Sprintf("%s %q is referenced by %s: disable it instead", k.en, code, strings.Join(names, ", ")),
		MsgZH: fmt.Sprintf("%s %q 正被%s引用，不能删除，请改为停用", k.zh, code, strings.Join(namesZH, "、"))}
}

// Clone returns a deep copy of a record (through its JSON).
func Clone[T any](v *T) *T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

// GetSettings returns the tenant's settings, the defaults (version 0)
// until they are first saved (permission product.view).
func GetSettings(ctx context.Context, s *Service, p *auth.Principal) (*Settings, error) {
	if err := p.Can(SettingsKind.view()); err != nil {
		return nil, err
	}
	rows, _, err := s.store.MDList(ctx, p.Tenant, Query{Kind: KindSettings, Sort: "code", Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		d := DefaultSettings()
		return &d, nil
	}
	return decode[Settings](rows[0])
}

// PutSettings saves the tenant's settings over version (0 for the
// defaults never saved) (permission product.edit).
func PutSettings(ctx context.Context, s *Service, p *auth.Principal, version int64, v *Settings) (*Settings, error) {
	cur, err := GetSettings(ctx, s, p)
	if err != nil {
		return nil, err
	}
	if cur.ID == 0 {
		if version != 0 {
			return nil, &Error{Err: ErrStale, Msg: fmt.Sprintf("the settings were never saved: send version 0, not %d", version),
				MsgZH: fmt.Sprintf("系统设置尚未保存过：版本号应为 0，而不是 %d", version)}
		}
		return Create(ctx, s, SettingsKind, p, v)
	}
	return Update(ctx, s, SettingsKind, p, cur.ID, version, v)
}

// SKUsByBarcode returns the SKUs with a barcode (at most one, barcodes
// being unique) (permission product.view).
func (s *Service) SKUsByBarcode(ctx context.Context, p *auth.Principal, barcode string) ([]*SKUView, error) {
	items, _, err := List(ctx, s, SKUs, p, ListQuery{Filters: map[string]string{"barcode": barcode}})
	return items, err
}
