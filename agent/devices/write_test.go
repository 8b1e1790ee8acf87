package devices_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/agent/devices"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
)

func gateYAML(name, address string) string {
	return "kind: reader\nname: " + name + "\naddress: " + address + "\nantennas:\n  - {port: 1, role: outer}\n  - {port: 2, role: inner}\ngate:\n  bin: DOOR\n"
}

// folder returns the files of dir, name → content.
func folder(t *testing.T, dir string) map[string]string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func names(m map[string]string) string {
	var ns []string
	for n := range m {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return strings.Join(ns, " ")
}

func TestWriteProfiles(t *testing.T) {
	dir := t.TempDir()
	local := gateYAML("local-1", "10.0.0.9")
	writeProfile(t, dir, "local-1.yaml", local)
	writeProfile(t, dir, "README.md", "notes")

	changed, err := devices.WriteProfiles(dir, []devices.ManagedProfile{
		{Name: "gate-1.yaml", Body: []byte(gateYAML("gate-1", "10.0.0.5"))},
		{Name: "gone.yaml", Deleted: true},
	})
	if err != nil || !changed {
		t.Fatalf("WriteProfiles = %v, %v", changed, err)
	}
	got := folder(t, dir)
	if names(got) != "README.md gate-1.yaml local-1.yaml" || got["gate-1.yaml"] != gateYAML("gate-1", "10.0.0.5") || got["local-1.yaml"] != local {
		t.Fatalf("folder = %v", got)
	}
	if s, err := profiles.LoadDir(dir); err != nil || s.Len() != 2 {
		t.Fatalf("LoadDir = %v, %v", s, err)
	}
	// The same again changes nothing.
	if changed, err := devices.WriteProfiles(dir, []devices.ManagedProfile{{Name: "gate-1.yaml", Body: []byte(gateYAML("gate-1", "10.0.0.5"))}}); err != nil || changed {
		t.Fatalf("WriteProfiles again = %v, %v", changed, err)
	}

	// Refusals leave the folder as it was.
	for _, tt := range []struct {
		name string
		ps   []devices.ManagedProfile
		want string
	}{
		{"bad field", []devices.ManagedProfile{{Name: "gate-1.yaml", Body: []byte(strings.Replace(gateYAML("gate-1", "10.0.0.5"), "role: inner", "role: middle", 1))}},
			`gate-1.yaml: antennas[1].role: "middle" is not outer or inner (line 6)`},
		{"clashes with a local file", []devices.ManagedProfile{{Name: "gate-2.yaml", Body: []byte(gateYAML("gate-2", "10.0.0.9"))}},
			"local-1.yaml: address: address 10.0.0.9:5084 is also used by gate-2.yaml"},
		{"valid with invalid", []devices.ManagedProfile{{Name: "gate-1.yaml", Deleted: true}, {Name: "gate-3.yaml", Body: []byte("kind: reader\n")}},
			"gate-3.yaml: "},
		{"bad name", []devices.ManagedProfile{{Name: "../x.yaml", Body: []byte(gateYAML("x", "10.0.0.7"))}},
			"../x.yaml: is not a profile file name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := folder(t, dir)
			changed, err := devices.WriteProfiles(dir, tt.ps)
			if changed || !errors.Is(err, profiles.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("WriteProfiles = %v, %v; want a refusal holding %q", changed, err, tt.want)
			}
			if after := folder(t, dir); names(after) != names(before) || after["gate-1.yaml"] != before["gate-1.yaml"] {
				t.Fatalf("folder changed: %v", after)
			}
		})
	}

	// A deleted record removes its file, and only it.
	if changed, err := devices.WriteProfiles(dir, []devices.ManagedProfile{{Name: "gate-1.yaml", Deleted: true}}); err != nil || !changed {
		t.Fatalf("WriteProfiles delete = %v, %v", changed, err)
	}
	if got := folder(t, dir); names(got) != "README.md local-1.yaml" {
		t.Fatalf("folder after delete = %v", names(got))
	}
}
