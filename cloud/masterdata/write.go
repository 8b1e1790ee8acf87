package masterdata

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jxc-edge/jxc/cloud/auth"
)

// load reads a record for a change at version, checking the caller's
// scope.
func load[T any](ctx context.Context, k *Kind[T], w *write, id, version int64) (*T, error) {
	if version <= 0 {
		return nil, &Error{Err: ErrVersionRequired, Msg: "send the version you changed in If-Match",
			MsgZH: "请在 If-Match 中提供所修改记录的版本号"}
	}
	row, err := w.tx.Get(ctx, w.tenant, k.name, id)
	if err != nil {
		return nil, err
	}
	if !visible(k.kindInfo, w.p, row) {
		return nil, notFound(k.kindInfo, id)
	}
	if row.Version != version {
		return nil, &Error{Err: ErrStale,
			Msg: fmt.Sprintf("%s %q was changed by %s at %s (version %d, you had %d): reload it", k.en, row.Code,
				row.UpdatedBy, row.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"), row.Version, version),
			MsgZH: fmt.Sprintf("%s %q 已被 %s 于 %s 修改（版本 %d，您的是 %d），请刷新后再改", k.zh, row.Code,
				row.UpdatedBy, row.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"), row.Version, version)}
	}
	return decode[T](row)
}

// checkRecord runs the kind's checks and the common ones: a code and a
// name, the code unique in its kind and site, the site in the caller's
// scope.
func checkRecord[T any](ctx context.Context, k *Kind[T], w *write, before, v *T) error {
	w.c = Checker{}
	w.keys, w.refs, w.filters, w.site, w.parent = nil, nil, nil, "", 0
	m := metaOf(v)
	// The kind's checks first: some derive the code and name.
	var kc Checker
	kc, w.c = w.c, Checker{}
	if err := k.check(ctx, w, before, v); err != nil {
		return err
	}
	kc, w.c = w.c, kc
	CheckText(&w.c, "code", m.Code, true, 64)
	if m.Code != "" && !printableCode(m.Code) {
		w.c.Add("code", "may hold letters, digits and - _ . / only", "只能包含字母、数字和 - _ . /")
	}
	CheckText(&w.c, "name", m.Name, true, 200)
	w.c.errs = append(w.c.errs, kc.errs...)
	if k.siteScoped || k.name == KindSite {
		site := w.site
		if k.name == KindSite {
			site = m.Code
		}
		if err := w.p.CanSite(site); err != nil {
			return err
		}
	}
	if m.Code != "" {
		other, ok, err := w.tx.ByCode(ctx, w.tenant, k.name, w.site, m.Code)
		if err != nil {
			return err
		}
		if ok && other.ID != w.id {
			w.c.Add("code", fmt.Sprintf("%q is already the code of another %s", m.Code, k.en), fmt.Sprintf("编码 %q 已被另一个%s使用", m.Code, k.zh))
		}
	}
	return w.c.Err()
}

// row is the stored form of v.
func (w *write) row(k *kindInfo, v any) (Row, error) {
	m := v.(hasMeta).meta()
	Normalize(v)
	body, err := json.Marshal(v)
	if err != nil {
		return Row{}, err
	}
	rev, err := w.tx.NextRev(context.Background(), w.tenant)
	if err != nil {
		return Row{}, err
	}
	return Row{Kind: k.name, ID: w.id, Site: w.site, Code: m.Code, Name: m.Name, ParentID: w.parent,
		Disabled: m.Disabled, Version: m.Version, Rev: rev, Body: body, UpdatedAt: m.UpdatedAt,
		UpdatedBy: m.UpdatedBy, Filters: w.filters}, nil
}

// finish writes the keys and references of a written record, runs the
// kind's after step, publishes and audits the change.
func finish[T any](ctx context.Context, k *Kind[T], w *write, before, v *T, action string) error {
	owner := Ref{Kind: k.name, ID: w.id}
	if key, by, err := w.tx.SetKeys(ctx, w.tenant, owner, w.keys); err != nil {
		return err
	} else if key != nil {
		return keyTaken(ctx, w, *key, by)
	}
	if err := w.tx.SetRefs(ctx, w.tenant, owner, w.refs); err != nil {
		return err
	}
	if k.after != nil {
		if err := k.after(ctx, w, before, v); err != nil {
			return err
		}
	}
	return record(ctx, k, w, before, v, action)
}

// keyTaken is the problem of a unique value another record owns.
func keyTaken(ctx context.Context, w *write, key Key, by Ref) error {
	code := strconv.FormatInt(by.ID, 10)
	if row, err := w.tx.Get(ctx, w.tenant, by.Kind, by.ID); err == nil {
		code = row.Code
	}
	kindEN, kindZH := by.Kind, by.Kind
	for _, k := range infos {
		if k.name == by.Kind {
			kindEN, kindZH = k.en, k.zh
		}
	}
	spaceZH := map[string]string{SpaceBarcode: "条码", SpacePLU: "秤码"}[key.Space]
	var c Checker
	c.Add(key.Field, fmt.Sprintf("%s %q is already used by %s %s", key.Space, key.Value, kindEN, code),
		fmt.Sprintf("%s %q 已被%s %s 使用", spaceZH, key.Value, kindZH, code))
	return c.Err()
}

// record publishes a change to agents and appends its audit entry.
func record[T any](ctx context.Context, k *Kind[T], w *write, before, v *T, action string) error {
	if k.publish != nil {
		recs, err := k.publish(before, v)
		if err != nil {
			return err
		}
		if len(recs) > 0 {
			put, err := w.tx.PutMaster(ctx, w.tenant, recs)
			if err != nil {
				return err
			}
			w.published = append(w.published, put...)
		}
	}
	var b, a any
	if before != nil {
		b = before
	}
	if v != nil {
		a = v
	}
	id := w.id
	if id == 0 && v != nil {
		id = metaOf(v).ID
	}
	entry, err := auth.NewAudit(w.p, k.name+"."+action, k.name, strconv.FormatInt(id, 10), b, a)
	if err != nil {
		return err
	}
	entry.At = w.now
	return w.tx.AppendAudit(ctx, entry)
}
