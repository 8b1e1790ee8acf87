package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/auth"
	"github.com/jxc-edge/jxc/cloud/masterdata"
)

// DevicesInput filters GET /api/v1/devices.
type DevicesInput struct {
	Site string `query:"site" doc:"Only this site; it must be in the caller's data scope."`
}

// DevicesOutput is the answer of GET /api/v1/devices.
type DevicesOutput struct {
	Body struct {
		Items []cloud.ReplicaStatus `json:"items" nullable:"false"`
	}
}

// ProfilesInput names a site's device profiles.
type ProfilesInput struct {
	Site string `query:"site" required:"true" maxLength:"64"`
}

// ProfilesOutput lists a site's device profiles.
type ProfilesOutput struct {
	Body struct {
		Items []masterdata.DeviceProfile `json:"items" nullable:"false"`
	}
}

// ProfileInput names one device profile.
type ProfileInput struct {
	Site string `path:"site" maxLength:"64"`
	Name string `path:"name" maxLength:"128" doc:"The file name, such as gate-1.yaml."`
}

// PutProfileInput is a device profile sent to store.
type PutProfileInput struct {
	Site string `path:"site" maxLength:"64"`
	Name string `path:"name" maxLength:"128" doc:"The file name, such as gate-1.yaml."`
	Body struct {
		YAML string `json:"yaml" maxLength:"65536" doc:"The profile, as firmware-configs reads it."`
	}
}

// ProfileOutput is one stored device profile.
type ProfileOutput struct{ Body masterdata.DeviceProfile }

// registerDevices adds the device health and device profile operations.
func (s *Server) registerDevices() {
	tags := []string{"devices"}
	view, edit := []auth.Permission{"device.view"}, []auth.Permission{"device.edit"}
	register(s, huma.Operation{OperationID: "devices", Method: http.MethodGet, Path: "/api/v1/devices",
		Summary: "Agents' status and device health 边缘节点状态与设备健康", Tags: tags,
		Description: "The latest status each agent replica reported (up/status): online, sync position, master revision, and each device's connection, last event, error and clock offset."},
		view, s.devices)
	if s.opts.MasterData == nil {
		return
	}
	md := s.opts.MasterData
	register(s, huma.Operation{OperationID: "list-device-profiles", Method: http.MethodGet, Path: "/api/v1/device-profiles",
		Summary: "A site's device profiles 站点设备配置", Tags: tags}, view,
		func(ctx context.Context, in *ProfilesInput) (*ProfilesOutput, error) {
			ps, err := md.DeviceProfiles(ctx, principalOf(ctx), in.Site)
			if err != nil {
				return nil, err
			}
			out := &ProfilesOutput{}
			out.Body.Items = ps
			if out.Body.Items == nil {
				out.Body.Items = []masterdata.DeviceProfile{}
			}
			return out, nil
		})
	register(s, huma.Operation{OperationID: "put-device-profile", Method: http.MethodPut, Path: "/api/v1/device-profiles/{site}/{name}",
		Summary: "Store a device profile 保存设备配置", Tags: tags, Errors: []int{400},
		Description: "Checked by the same code as agents (firmware-configs): every problem is named by field and line. The site's agents receive it, write it to their profile folder and restart the device."},
		edit, func(ctx context.Context, in *PutProfileInput) (*ProfileOutput, error) {
			p, err := md.PutDeviceProfile(ctx, principalOf(ctx), in.Site, in.Name, in.Body.YAML)
			if err != nil {
				return nil, err
			}
			return &ProfileOutput{Body: p}, nil
		})
	register(s, huma.Operation{OperationID: "delete-device-profile", Method: http.MethodDelete, Path: "/api/v1/device-profiles/{site}/{name}",
		Summary: "Remove a device profile 删除设备配置", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{404}},
		edit, func(ctx context.Context, in *ProfileInput) (*MDDeleteOutput, error) {
			if err := md.DeleteDeviceProfile(ctx, principalOf(ctx), in.Site, in.Name); err != nil {
				return nil, err
			}
			return &MDDeleteOutput{}, nil
		})
}

func (s *Server) devices(ctx context.Context, in *DevicesInput) (*DevicesOutput, error) {
	p := principalOf(ctx)
	if err := checkNames("", in.Site); err != nil {
		return nil, err
	}
	list, all, err := sites(p, in.Site)
	if err != nil {
		return nil, err
	}
	if all {
		list = nil
	} else if list == nil {
		list = []string{}
	}
	out := &DevicesOutput{}
	out.Body.Items = []cloud.ReplicaStatus{}
	ss, ok := s.store.(cloud.StatusStore)
	if !ok {
		return out, nil
	}
	st, err := ss.Statuses(ctx, p.Tenant, list)
	if err != nil {
		return nil, err
	}
	out.Body.Items = append(out.Body.Items, st...)
	return out, nil
}
