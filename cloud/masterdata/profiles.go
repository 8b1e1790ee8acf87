package masterdata

import (
	"context"
	"errors"
	"fmt"

	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/master"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto"
)

// DeviceProfile is one device profile (firmware-configs YAML) of a site,
// as its agents receive it (master records of kind "device_profile").
type DeviceProfile struct {
	Site string `json:"site"`
	// Name is the file name, such as "gate-1.yaml".
	Name string `json:"name"`
	YAML string `json:"yaml"`
	// Rev is the master revision of its last change.
	Rev uint64 `json:"rev"`
}

// DeviceProfiles returns a site's device profiles (permission
// device.view; the site in the caller's scope).
func (s *Service) DeviceProfiles(ctx context.Context, p *auth.Principal, site string) ([]DeviceProfile, error) {
	if err := p.Can("device.view"); err != nil {
		return nil, err
	}
	if err := p.CanSite(site); err != nil {
		return nil, err
	}
	recs, err := s.store.MasterRecordsOf(ctx, p.Tenant, site, syncproto.KindDeviceProfile)
	if err != nil {
		return nil, err
	}
	out := make([]DeviceProfile, len(recs))
	for i, r := range recs {
		out[i] = DeviceProfile{Site: site, Name: r.Key, YAML: string(r.Body), Rev: r.Rev}
	}
	return out, nil
}

// PutDeviceProfile checks a profile as agents will (the same
// firmware-configs code: file, field and line of every problem) and
// publishes it to the site's agents (permission device.edit). A refused
// profile is a *ValidationError with a problem per field.
func (s *Service) PutDeviceProfile(ctx context.Context, p *auth.Principal, site, name, yaml string) (DeviceProfile, error) {
	return s.writeProfile(ctx, p, site, name, yaml, false)
}

// DeleteDeviceProfile removes a site's profile: its agents stop the
// device (permission device.edit).
func (s *Service) DeleteDeviceProfile(ctx context.Context, p *auth.Principal, site, name string) error {
	_, err := s.writeProfile(ctx, p, site, name, "", true)
	return err
}

func (s *Service) writeProfile(ctx context.Context, p *auth.Principal, site, name, yaml string, deleted bool) (DeviceProfile, error) {
	if err := p.Can("device.edit"); err != nil {
		return DeviceProfile{}, err
	}
	var c Checker
	if err := syncproto.ValidName(site); err != nil {
		c.Add("site", "is not a site name", "不是有效的站点名")
	}
	if c.Err() == nil {
		if err := p.CanSite(site); err != nil {
			return DeviceProfile{}, err
		}
	}
	if err := profiles.CheckFileName(name); err != nil {
		c.Addf("name", "%v", "文件名无效：%v", err)
	}
	if err := c.Err(); err != nil {
		return DeviceProfile{}, err
	}
	if err := profiles.CheckRecord(name, []byte(yaml), deleted); err != nil {
		return DeviceProfile{}, profileProblems(err)
	}
	before, err := s.DeviceProfiles(ctx, p, site)
	if err != nil {
		return DeviceProfile{}, err
	}
	var old *DeviceProfile
	for i := range before {
		if before[i].Name == name {
			old = &before[i]
		}
	}
	if deleted && old == nil {
		return DeviceProfile{}, &Error{Err: ErrNotFound, Msg: fmt.Sprintf("site %s has no device profile %q", site, name),
			MsgZH: fmt.Sprintf("站点 %s 没有设备配置 %q", site, name)}
	}
	out := DeviceProfile{Site: site, Name: name, YAML: yaml}
	err = s.tx(ctx, p, func(w *write) error {
		rec := master.Record{Site: site, Kind: syncproto.KindDeviceProfile, Key: name, Deleted: deleted}
		if !deleted {
			rec.Body = []byte(yaml)
		}
		put, err := w.tx.PutMaster(ctx, p.Tenant, []master.Record{rec})
		if err != nil {
			return err
		}
		w.published = put
		out.Rev = put[0].Rev
		action, after := "device_profile.put", any(out)
		if deleted {
			action, after = "device_profile.delete", nil
		}
		var b any
		if old != nil {
			b = old
		}
		entry, err := auth.NewAudit(p, action, "device_profile", site+"/"+name, b, after)
		if err != nil {
			return err
		}
		entry.At = w.now
		return w.tx.AppendAudit(ctx, entry)
	})
	if err != nil {
		return DeviceProfile{}, err
	}
	return out, nil
}

// profileProblems turns firmware-configs' problems into field problems:
// each *profiles.FieldError under "yaml.<its path>", with its line.
func profileProblems(err error) error {
	var c Checker
	var walk func(error)
	walk = func(err error) {
		var fe *profiles.FieldError
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
			return
		}
		if errors.As(err, &fe) {
			field := "yaml"
			if fe.Path != "" {
				field += "." + fe.Path
			}
			where, whereZH := "", ""
			if fe.Line > 0 {
				where, whereZH = fmt.Sprintf(" (line %d)", fe.Line), fmt.Sprintf("（第 %d 行）", fe.Line)
			}
			c.Add(field, fe.Msg+where, fmt.Sprintf("%s%s：%s", fe.File, whereZH, fe.Msg))
			return
		}
		c.Add("yaml", err.Error(), "设备配置有误："+err.Error())
	}
	walk(err)
	return c.Err()
}
