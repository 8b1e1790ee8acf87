package agentapp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/jxc-edge/jxc/agent"
	"github.com/jxc-edge/jxc/agent/mqtt"
	"github.com/jxc-edge/jxc/cloud/ingest"
	"github.com/jxc-edge/jxc/cloud/master"
	cloudsqlite "github.com/jxc-edge/jxc/cloud/sqlite"
	"github.com/jxc-edge/jxc/cmd/internal/agentapp"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/internal/testenv"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

func gate(name, address string) []byte {
	return []byte("kind: reader\nname: " + name + "\naddress: " + address + "\nantennas:\n" +
		"  - {port: 1, role: outer}\n  - {port: 2, role: inner}\ngate:\n  bin: DOOR\n")
}

// folder returns dir's files, name → content. A file the agent removes
// between the listing and the reading is left out: the agent may be
// changing the folder while a test polls it.
func folder(t *testing.T, dir string) map[string]string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func sameFolder(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for n, d := range a {
		if e, ok := b[n]; !ok || e != d {
			return false
		}
	}
	return true
}

func devicesRunning(a *agentapp.App) string {
	var ns []string
	for _, h := range a.Devices.Health() {
		ns = append(ns, h.Device)
	}
	sort.Strings(ns)
	return strings.Join(ns, " ")
}

// TestDeviceProfilesFromCloud: on the real Mosquitto with the cloud on
// SQLite, a gate profile the cloud puts for the site reaches the agent's
// profiles folder and its devices run it; a bad profile is refused by the
// cloud's Put; a bad profile forced into a batch (bypassing Put) is
// refused by the agent and counted; a valid profile that clashes with a
// local file is stored but not written, and counted; a delete removes the
// file; the local file is never touched. An agent without a folder counts
// profile records as ignored.
func TestDeviceProfilesFromCloud(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	broker := testenv.StartMosquitto(t)
	store, err := cloudsqlite.Open(filepath.Join(t.TempDir(), "cloud.db"), cloudsqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ms := master.New(store)
	in := ingest.New(store, ingest.Options{Broker: broker.URL, ClientID: "profiles-cloud", Master: ms, Logger: quiet})
	ictx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { in.Run(ictx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	testenv.WaitFor(t, 30*time.Second, func() error {
		if !in.Connected() {
			return errors.New("ingest not connected")
		}
		return nil
	})

	dir := t.TempDir()
	local := string(gate("local-1", "127.0.0.1:2"))
	if err := os.WriteFile(filepath.Join(dir, "local-1.yaml"), []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	start := func(profilesDir string) *agentapp.App {
		a, err := agentapp.Start(ctx, agentapp.Config{DataDir: t.TempDir(), Tenant: "t", Site: "s1", Broker: broker.URL,
			Listen: "127.0.0.1:0", Profiles: profilesDir, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	a := start(dir)
	bare := start("")

	// A valid gate profile for the site: written, validated, run.
	put, err := ms.Put(ctx, "t", []master.Record{{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Body: gate("gate-1", "127.0.0.1:1")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.PushMaster(ctx, "t", put); err != nil {
		t.Fatal(err)
	}
	head := put[0].Rev
	testenv.WaitFor(t, time.Minute, func() error {
		if got := folder(t, dir)["gate-1.yaml"]; got != string(gate("gate-1", "127.0.0.1:1")) {
			return fmt.Errorf("gate-1.yaml is %q", got)
		}
		if got := devicesRunning(a); got != "gate-1 local-1" {
			return fmt.Errorf("devices running: %q", got)
		}
		return nil
	})
	if _, err := profiles.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, time.Minute, func() error {
		if n := bare.Sync.Stats().MasterProfilesIgnored; bare.Ledger.MasterRev() != head || n != 1 {
			return fmt.Errorf("agent without a folder: revision %d, %d profiles ignored", bare.Ledger.MasterRev(), n)
		}
		return nil
	})
	good := folder(t, dir)

	// A bad profile is refused by the cloud's Put, with file, field, line.
	bad := strings.Replace(string(gate("gate-1", "127.0.0.1:1")), "role: inner", "role: middle", 1)
	_, err = ms.Put(ctx, "t", []master.Record{{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Body: []byte(bad)}})
	if !errors.Is(err, profiles.ErrInvalid) || !strings.Contains(err.Error(), `gate-1.yaml: antennas[1].role: "middle" is not outer or inner (line 6)`) {
		t.Fatalf("Put of a bad profile = %v", err)
	}

	// Forced into a batch on the site's topic: skipped by the agent, which
	// keeps its previous version, and counted; the revision moves on.
	pub := paho.NewClient(paho.NewClientOptions().AddBroker(broker.URL).SetClientID("profiles-bad-pub"))
	if tok := pub.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	wire, err := syncproto.EncodeMasterBatch(&pb.MasterBatch{Tenant: "t", Site: "s1", FromRev: head, ToRev: head + 1, Complete: true,
		Records: []*pb.MasterRecord{{Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Revision: head + 1, Body: []byte(bad)}}})
	if err != nil {
		t.Fatal(err)
	}
	pub.Publish(syncproto.DownMaster("t", "s1"), 1, false, wire).WaitTimeout(10 * time.Second)
	testenv.WaitFor(t, time.Minute, func() error {
		if n := a.Ledger.Stats().MasterSkipped[agent.MasterSkipProfile]; n != 1 || a.Ledger.MasterRev() != head+1 {
			return fmt.Errorf("%d invalid profiles skipped, revision %d", n, a.Ledger.MasterRev())
		}
		return nil
	})
	if !sameFolder(folder(t, dir), good) {
		t.Fatalf("a skipped profile changed the folder: %v", folder(t, dir))
	}
	if recs, err := a.Ledger.MasterRecords(ctx, syncproto.KindDeviceProfile); err != nil || len(recs) != 1 ||
		string(recs[0].GetBody()) != string(gate("gate-1", "127.0.0.1:1")) {
		t.Fatalf("stored profiles %v, %v: want the previous gate-1.yaml", recs, err)
	}
	// The forged batch took revision head+1, which the cloud has not
	// given out: spend it on a record the agents need not see.
	if _, err := ms.Put(ctx, "t", []master.Record{{Site: "s1", Kind: "note", Key: "filler"}}); err != nil {
		t.Fatal(err)
	}

	// Valid alone, but its reader is the local file's: stored, not written.
	put, err = ms.Put(ctx, "t", []master.Record{{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: "gate-2.yaml", Body: gate("gate-2", "127.0.0.1:2")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.PushMaster(ctx, "t", put); err != nil {
		t.Fatal(err)
	}
	head = put[0].Rev
	testenv.WaitFor(t, time.Minute, func() error {
		if n := a.Sync.Stats().MasterRejected[mqtt.MasterRejectProfile]; a.Ledger.MasterRev() != head || n < 1 {
			return fmt.Errorf("revision %d, %d invalid profiles counted", a.Ledger.MasterRev(), n)
		}
		return nil
	})
	if !sameFolder(folder(t, dir), good) {
		t.Fatalf("a clashing profile changed the folder: %v", folder(t, dir))
	}

	// Deleting both: gate-1.yaml is removed, the local file stays.
	put, err = ms.Put(ctx, "t", []master.Record{{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: "gate-2.yaml", Deleted: true},
		{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Deleted: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.PushMaster(ctx, "t", put); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, time.Minute, func() error {
		if got := folder(t, dir); len(got) != 1 || got["local-1.yaml"] != local {
			return fmt.Errorf("folder %v", got)
		}
		if got := devicesRunning(a); got != "local-1" {
			return fmt.Errorf("devices running: %q", got)
		}
		return nil
	})
}
