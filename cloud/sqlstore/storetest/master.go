package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/jxc-edge/jxc/cloud"
	"github.com/jxc-edge/jxc/cloud/master"
	profiles "github.com/jxc-edge/jxc/firmware-configs"
	"github.com/jxc-edge/jxc/syncproto"
	"github.com/jxc-edge/jxc/syncproto/pb"
)

// masterService returns the master rules over s, failing the test when s
// does not store master records.
func masterService(t *testing.T, s cloud.Store) *master.Service {
	t.Helper()
	ms, ok := s.(master.Store)
	if !ok {
		t.Fatalf("%T does not implement master.Store", s)
	}
	return master.New(ms)
}

// Product returns a product record for sku with the given GTINs.
func Product(t testing.TB, site, sku string, price int64, gtins ...string) master.Record {
	t.Helper()
	body, err := proto.Marshal(&pb.ProductRecord{Name: "商品 " + sku, Unit: "pcs", Price: price, Gtins: gtins})
	if err != nil {
		t.Fatal(err)
	}
	return master.Record{Site: site, Kind: syncproto.KindProduct, Key: sku, Body: body}
}

func (su *suite) testMaster(t *testing.T) {
	ctx := context.Background()
	m := masterService(t, su.s)
	tenant := su.tenant()

	empty, err := m.After(ctx, tenant, "s1", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Records) != 0 || !empty.Complete || empty.UpTo != 0 {
		t.Fatalf("After on a tenant without records = %+v", empty)
	}

	put, err := m.Put(ctx, tenant, []master.Record{
		Product(t, "", "A", 100, "4006381333931"),
		Product(t, "s1", "B", 200, "96385074"),
		Product(t, "s2", "C", 300, "012345678905"),
		{Kind: "bin", Key: "A-01", Body: []byte(`{"zone":"A"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range put {
		if r.Rev != uint64(i+1) {
			t.Fatalf("record %d got revision %d, want %d", i, r.Rev, i+1)
		}
	}
	got := func(site string, rev uint64, limit int) master.Page {
		t.Helper()
		p, err := m.After(ctx, tenant, site, rev, limit)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	keys := func(p master.Page) string {
		var s string
		for _, r := range p.Records {
			s += fmt.Sprintf("%s:%s@%d ", r.Kind, r.Key, r.Rev)
		}
		return s
	}
	if p, want := got("s1", 0, 10), "product:A@1 product:B@2 bin:A-01@4 "; keys(p) != want || !p.Complete || p.UpTo != 4 {
		t.Fatalf("s1 after 0 = %q complete %v up to %d, want %q complete up to 4", keys(p), p.Complete, p.UpTo, want)
	}
	// Paging: limit 2 stops at the second record, not complete.
	p := got("s1", 0, 2)
	if keys(p) != "product:A@1 product:B@2 " || p.Complete || p.UpTo != 2 {
		t.Fatalf("page of 2 = %q complete %v up to %d", keys(p), p.Complete, p.UpTo)
	}
	if p := got("s1", p.UpTo, 2); keys(p) != "bin:A-01@4 " || !p.Complete || p.UpTo != 4 {
		t.Fatalf("second page = %q complete %v up to %d", keys(p), p.Complete, p.UpTo)
	}
	// A site with nothing after its revision is told the tenant's newest
	// revision, so it never asks for the same range again.
	if p := got("s3", 4, 10); len(p.Records) != 0 || p.UpTo != 4 || !p.Complete {
		t.Fatalf("s3 after 4 = %+v", p)
	}

	// Replacing and deleting: only the current version is returned, under
	// its new revision; a deletion is a tombstone.
	b2 := Product(t, "s1", "B", 250, "96385074")
	if _, err := m.Put(ctx, tenant, []master.Record{b2, {Kind: syncproto.KindProduct, Key: "A", Deleted: true, Body: []byte("dropped")}}); err != nil {
		t.Fatal(err)
	}
	p = got("s1", 0, 10)
	if keys(p) != "bin:A-01@4 product:B@5 product:A@6 " {
		t.Fatalf("after replace and delete: %q", keys(p))
	}
	if a := p.Records[2]; !a.Deleted || len(a.Body) != 0 {
		t.Errorf("deleted A = %+v, want a tombstone", a)
	}
	if b := p.Records[1]; string(b.Body) != string(b2.Body) || b.Site != "s1" {
		t.Errorf("B = %+v, want the new body", b)
	}
	// Another tenant's revisions are its own.
	other := su.tenant()
	if put, err := m.Put(ctx, other, []master.Record{Product(t, "", "A", 1, "4006381333931")}); err != nil || put[0].Rev != 1 {
		t.Fatalf("other tenant's first put = %+v, %v", put, err)
	}

	// Refusals store nothing.
	for _, tt := range []struct {
		name string
		recs []master.Record
	}{
		{"bad site", []master.Record{{Site: "a/b", Kind: "bin", Key: "x"}}},
		{"bad kind", []master.Record{{Kind: "Bin", Key: "x"}}},
		{"empty key", []master.Record{{Kind: "bin"}}},
		{"bad product body", []master.Record{{Kind: syncproto.KindProduct, Key: "x", Body: []byte{0xff}}}},
		{"product with a pack of one", []master.Record{{Kind: syncproto.KindProduct, Key: "x",
			Body: mustMarshal(t, &pb.ProductRecord{Name: "x", Packs: []*pb.PackRecord{{Unit: "箱", Factor: 1}}})}}},
		{"twice", []master.Record{{Kind: "bin", Key: "x"}, {Kind: "bin", Key: "x"}}},
		{"valid then invalid", []master.Record{{Kind: "bin", Key: "y"}, {Kind: "bin", Key: "z\x00"}}},
	} {
		_, err := m.Put(ctx, tenant, tt.recs)
		var ie *master.InvalidError
		if !errors.Is(err, cloud.ErrInvalid) || !errors.As(err, &ie) || ie.ErrorZH() == "" {
			t.Errorf("%s: Put = %v, want an *InvalidError with both texts", tt.name, err)
		}
	}
	if p := got("s1", 6, 10); len(p.Records) != 0 || p.UpTo != 6 {
		t.Fatalf("refused puts changed the records: %+v", p)
	}
}

// testMasterConcurrent puts records from several goroutines on two stores
// (two cloud processes) while a reader follows After from the last UpTo it
// got: it must see every revision exactly once. A revision that became
// visible after a higher one was read would be skipped.
func (su *suite) testMasterConcurrent(t *testing.T, stores []cloud.Store) {
	ctx := context.Background()
	const writers, puts, per = 4, 25, 4
	tenant := su.tenant()
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		m := masterService(t, stores[w%len(stores)])
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range puts {
				var recs []master.Record
				for j := range per {
					recs = append(recs, master.Record{Site: "s1", Kind: "bin", Key: fmt.Sprintf("w%d-%d-%d", w, i, j)})
				}
				if _, err := m.Put(ctx, tenant, recs); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	reader := masterService(t, stores[len(stores)-1])
	seen := make(map[uint64]bool)
	var rev uint64
	follow := func() {
		for {
			p, err := reader.After(ctx, tenant, "s1", rev, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Records {
				if seen[r.Rev] {
					t.Fatalf("revision %d seen twice", r.Rev)
				}
				seen[r.Rev] = true
			}
			rev = p.UpTo
			if p.Complete {
				return
			}
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		follow()
	}
	follow()
	if want := writers * puts * per; len(seen) != want || rev != uint64(want) {
		t.Fatalf("reader saw %d revisions up to %d, want %d", len(seen), rev, want)
	}
}

// GateProfile is a valid device profile of an RFID gate named name (its
// reader at address), booking into bin.
func GateProfile(name, address, bin string) []byte {
	return []byte("kind: reader\nname: " + name + "\naddress: " + address + "\nantennas:\n" +
		"  - {port: 1, role: outer}\n  - {port: 2, role: inner}\ngate:\n  bin: " + bin + "\n")
}

// testMasterDeviceProfiles: Put validates a device profile with
// firmware-configs, as agents do, and names file, field and line.
func (su *suite) testMasterDeviceProfiles(t *testing.T) {
	ctx := context.Background()
	m := masterService(t, su.s)
	tenant := su.tenant()
	good := master.Record{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Body: GateProfile("gate-1", "10.0.0.5", "DOOR")}
	if _, err := m.Put(ctx, tenant, []master.Record{good}); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good.Body), "role: inner", "role: middle", 1)
	for _, tt := range []struct {
		name, key, body, want string
	}{
		{"bad field", "gate-1.yaml", bad, `gate-1.yaml: antennas[1].role: "middle" is not outer or inner (line 6)`},
		{"unknown field", "gate-2.yaml", string(good.Body) + "colour: red\n", `gate-2.yaml: colour: unknown field "colour" (line 9)`},
		{"not yaml", "gate-3.yaml", "kind: [", "gate-3.yaml: "},
		{"key not a file name", "../gate.yaml", string(good.Body), "../gate.yaml: is not a profile file name"},
		{"key not yaml", "gate.json", string(good.Body), "gate.json: is not a profile file name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Put(ctx, tenant, []master.Record{{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: tt.key, Body: []byte(tt.body)}})
			var ie *master.InvalidError
			if !errors.Is(err, cloud.ErrInvalid) || !errors.Is(err, profiles.ErrInvalid) || !errors.As(err, &ie) {
				t.Fatalf("Put = %v, want an *InvalidError wrapping the profile's errors", err)
			}
			if !strings.Contains(ie.Msg, tt.want) || !strings.Contains(ie.ErrorZH(), tt.want) {
				t.Errorf("reasons %q / %q do not hold %q", ie.Msg, ie.ErrorZH(), tt.want)
			}
		})
	}
	// A deleted profile needs no body, but still a file name.
	if _, err := m.Put(ctx, tenant, []master.Record{{Site: "s1", Kind: syncproto.KindDeviceProfile, Key: "gate-1.yaml", Deleted: true}}); err != nil {
		t.Fatal(err)
	}
	if p, err := m.After(ctx, tenant, "s1", 0, 10); err != nil || len(p.Records) != 1 || p.UpTo != 2 || !p.Records[0].Deleted {
		t.Fatalf("refused profiles changed the records: %+v, %v", p, err)
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
